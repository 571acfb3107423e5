"""The transfer screens' forms (Japanese labels; the services decide the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from jiritsu.core.forms import JapaneseDateField, form_field
from jiritsu.offices.models import Membership, Office, User
from jiritsu.programs.models import Program
from jiritsu.transfers.models import Transfer


class ProposeForm(forms.Form):
    target_office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label="移管先の事務所", queryset=Office.objects.none(), empty_label="（選んでください）")
    reason = forms.ChoiceField(label="移管の理由", choices=Transfer.Reason.choices)
    moved_on = JapaneseDateField(label="転居日", required=False)
    new_address = forms.CharField(label="転居先の住所", max_length=200, required=False)
    note = forms.CharField(label="引継ぎ事項", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="移管先に伝える事項（支援の経過、注意点など）。")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "target_office", forms.ModelChoiceField).queryset = (
            Office.objects.exclude(pk=office.pk).order_by("code"))


class AcceptForm(forms.Form):
    case_number = forms.CharField(label="ケース番号（移管先）", max_length=30,
                                  error_messages={"required": "ケース番号を入力してください。"})
    caseworker: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="地区担当員", queryset=User.objects.none(), required=False, empty_label="（未設定）")
    accepted_on = JapaneseDateField(label="受入日")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "caseworker", forms.ModelChoiceField).queryset = User.objects.filter(
            memberships__office=office, memberships__is_active=True,
            memberships__role=Membership.Role.CASEWORKER).order_by("display_name", "username")


class DeclineForm(forms.Form):
    decline_reason = forms.CharField(
        label="受入れできない理由", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "受入れできない理由を入力してください。"})


class ContinueForm(forms.Form):
    program: forms.ModelChoiceField[Program] = forms.ModelChoiceField(
        label="継続するプログラム（この事務所）", queryset=Program.objects.none(),
        empty_label="（選んでください）")
    on = JapaneseDateField(label="候補登録日")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "program", forms.ModelChoiceField).queryset = Program.objects.filter(
            office=office, is_active=True).order_by("name")


class ImportForm(forms.Form):
    file = forms.FileField(label="個人ファイル（JSON）",
                           help_text="他の設置から受け取った、署名つきの個人ファイル。")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="取下げの理由", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "取下げの理由を入力してください。"})


class ExportForm(forms.Form):
    """個人ファイルの出力: as the hand-over (the office's open programs end with 移管 on the
    day given) or as a copy (nothing changes)."""

    HAND_OVER, COPY = "hand_over", "copy"
    purpose = forms.ChoiceField(
        label="出力の目的", widget=forms.RadioSelect,
        choices=[(HAND_OVER, "移管として出力（この事務所の参加中・検討中のプログラムを「移管」で終了する）"),
                 (COPY, "写しとして出力（プログラムはそのまま。移管先への再送などに）")],
        error_messages={"required": "出力の目的を選んでください。"})
    ended_on = JapaneseDateField(label="移管日（プログラムの終了日）", required=False,
                                 help_text="移管として出力するときに入力します。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == self.HAND_OVER and not data.get("ended_on"):
            self.add_error("ended_on", "移管日を入力してください。")
        return data

    def service_args(self) -> dict[str, Any]:
        hand_over = self.cleaned_data["purpose"] == self.HAND_OVER
        return {"hand_over": hand_over, "on": self.cleaned_data["ended_on"] if hand_over else None}
