"""Forms for each step of the 指導指示 track. They parse; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jiritsu.core import clock
from jiritsu.core.forms import JapaneseDateField, VersionedForm, form_field
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep
from jiritsu.offices.models import Membership, Office, User

S = GuidanceStep


def _text(label: str, *, required: bool = True, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def staff_of(office: Office, *roles: str) -> Any:
    members = Membership.objects.filter(office=office, is_active=True)
    if roles:
        members = members.filter(role__in=roles)
    return User.objects.filter(pk__in=members.values("user_id")).order_by("display_name", "pk")


class StepForm(forms.Form):
    required_css_class = "required"

    def __init__(self, *args: Any, office: Office, settings: GuidanceSettings, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.office = office
        self.settings = settings


class CaseOpenForm(forms.Form):
    opened_on = JapaneseDateField(label="開始日")
    ground_category = forms.ChoiceField(
        label="指導の根拠となる義務",
        choices=[("", "（選択してください）")] + [(g.value, g.label) for g in GuidanceCase.OPENING_GROUNDS],
        help_text="任意の自立支援プログラム（法27条の2）への参加・辞退は指導指示の理由になりません。")
    ground = _text("指導を要する事情（具体的な事実）",
                   help_text="稼働能力の活用状況など、指導指示を検討する具体的な事実")


class OralInstructionForm(StepForm):
    occurred_on = JapaneseDateField(label="指導日")
    content = _text("口頭で指導した内容")
    supervisor_present = forms.ModelChoiceField(label="同席した査察指導員", queryset=User.objects.none(),
                                                empty_label="（選択してください）", required=False)
    note = _text("本人の反応・備考", required=False, rows=2)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "supervisor_present", forms.ModelChoiceField).queryset = staff_of(self.office, "supervisor")


class ConferenceForm(StepForm):
    held_on = JapaneseDateField(label="開催日")
    outcome = forms.ChoiceField(label="結論", choices=S.ConferenceOutcome.choices,
                                widget=forms.RadioSelect)
    place = forms.CharField(label="場所", required=False, max_length=200)
    attendees = forms.ModelMultipleChoiceField(label="出席者", queryset=User.objects.none(),
                                               required=False,
                                               widget=forms.CheckboxSelectMultiple)
    minutes = _text("協議の内容（議事録）", rows=4)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "attendees", forms.ModelChoiceField).queryset = staff_of(
            self.office, "caseworker", "supervisor", "manager", "support_staff")


class WrittenInstructionForm(StepForm):
    occurred_on = JapaneseDateField(label="指示日（文書の日付）")
    content = _text("指導指示の内容", help_text="本人が何を、いつまでに行うかを具体的に")
    reason = _text("指導指示の理由")
    deadline = JapaneseDateField(label="履行期限")


class DeliveryForm(StepForm):
    delivered_on = JapaneseDateField(label="交付日")
    method = forms.ChoiceField(label="交付方法", choices=S.DeliveryMethod.choices)


class NoncomplianceForm(StepForm):
    occurred_on = JapaneseDateField(label="確認日", help_text="履行期限の翌日以降")
    note = _text("確認した事実")


class ComplianceForm(StepForm):
    occurred_on = JapaneseDateField(label="確認日")
    note = _text("履行の内容")


class NoticeForm(StepForm):
    occurred_on = JapaneseDateField(label="通知日（文書の日付）")
    reason = _text("処分の原因となる事実（理由）")
    content = forms.CharField(label="予定される処分の内容", required=False, max_length=200,
                              help_text="例: 保護の停止")
    hearing_date = JapaneseDateField(label="弁明の日")
    hearing_time = forms.TimeField(label="弁明の時刻", widget=forms.TimeInput(attrs={"type": "time"}))
    hearing_place = forms.CharField(label="弁明の場所", max_length=200, required=False)

    def hearing_at(self) -> dt.datetime | None:
        d, t = self.cleaned_data.get("hearing_date"), self.cleaned_data.get("hearing_time")
        if d is None or t is None:
            return None
        return dt.datetime.combine(d, t, tzinfo=clock.JAPAN)


class HearingForm(StepForm):
    occurred_on = JapaneseDateField(label="弁明の日")
    outcome = forms.ChoiceField(label="結果", choices=S.HearingOutcome.choices,
                                widget=forms.RadioSelect)
    content = _text("弁明の内容（不出頭の場合はその経過）")


class DecisionForm(StepForm):
    occurred_on = JapaneseDateField(label="起案日")
    decision_kind = forms.ChoiceField(label="決定の内容", choices=S.DecisionKind.choices)
    effective_on = JapaneseDateField(label="適用日", required=False)
    content = _text("変更の内容（保護の変更の場合）", required=False, rows=2)
    reason = _text("決定の理由（行政手続法14条）", rows=4,
                   help_text="どの指示に、いつ、どのように従わなかったか。弁明の内容をどう判断したか。")
    standard_applied = _text("適用した処分基準（行政手続法12条）", rows=3)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["standard_applied"].initial = self.settings.sanction_standard


class ApprovalForm(StepForm):
    approve = forms.TypedChoiceField(label="決裁", choices=[("1", "承認"), ("0", "差戻し")],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)
    comment = _text("意見", required=False, rows=2)


class CloseForm(StepForm):
    closed_on = JapaneseDateField(label="終結日")
    note = _text("終結の経緯", rows=2)


class SettingsForm(VersionedForm):
    required_written_instructions = forms.IntegerField(
        label="処分前に必要な文書指示の回数", min_value=1, max_value=5,
        help_text="法令上は1回（施行規則19条）。清洲市の運用では2回。")
    min_notice_days = forms.IntegerField(label="弁明通知の交付から弁明日までの最低日数", min_value=1,
                                         max_value=60)
    office_head_title = forms.CharField(label="通知者（職名）", max_length=100)
    appeal_authority = forms.CharField(label="審査請求先", max_length=100, help_text="例: 愛知県知事")
    appeal_period_months = forms.IntegerField(label="審査請求期間（月）", min_value=3, max_value=12)
    sanction_standard = _text("処分基準（行政手続法12条）", rows=4)


ACTION_FORMS: dict[str, type[StepForm]] = {
    "oral_instruction": OralInstructionForm,
    "conference": ConferenceForm,
    "written_instruction": WrittenInstructionForm,
    "delivery": DeliveryForm,
    "noncompliance": NoncomplianceForm,
    "compliance": ComplianceForm,
    "notice": NoticeForm,
    "hearing": HearingForm,
    "decision": DecisionForm,
    "approve": ApprovalForm,
    "close": CloseForm,
}
