"""Forms for the case screens (screening, consents, episodes, plans, records, reviews,
outcomes, conferences, 決裁). Dates accept ISO and 和暦; labels are the field names users see
(and browser tests select by)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q

from jiritsu.cases.models import (
    Achievement,
    ActivityRecord,
    Conference,
    ConferenceDecision,
    ConferenceResult,
    Consent,
    DataCategory,
    Enrollment,
    Outcome,
    PlanCommitment,
    Review,
)
from jiritsu.cases.services.conferences import DECISION_FIELDS
from jiritsu.core import clock
from jiritsu.core.forms import JapaneseDateField, VersionedForm, form_field, label_options
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.models import Membership, PartnerOrganisation, User
from jiritsu.programs.forms import TEXTAREA, lines_of
from jiritsu.programs.models import Nomination, OutcomeType, Phase, Program, SupportMenu
from jiritsu.programs.services.catalogue import DECISION_ATTENDEES


class ScreeningForm(forms.Form):
    as_of = JapaneseDateField(label="基準日")
    mine = forms.BooleanField(label="自分の担当だけ", required=False,
                              help_text="自分が担当する世帯の方だけを数え、表示します。")


class LedgerForm(forms.Form):
    as_of = JapaneseDateField(label="基準日")
    title = forms.CharField(label="台帳名", max_length=200, required=False)


class NominationForm(forms.Form):
    person_id = forms.IntegerField(label="対象者ID", widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(label="推薦元", choices=Nomination.Source.choices)
    nominated_by = forms.CharField(label="推薦者", max_length=200, required=False)
    partner = forms.ModelChoiceField(label="推薦した関係機関", required=False,
                                     queryset=PartnerOrganisation.objects.none())
    nominated_on = JapaneseDateField(label="推薦日")
    note = forms.CharField(label="理由・備考", required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, office: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "partner", forms.ModelChoiceField).queryset = PartnerOrganisation.objects.filter(office=office)


class EnrollForm(forms.Form):
    person_id = forms.IntegerField(label="対象者ID", widget=forms.HiddenInput)
    on = JapaneseDateField(label="候補登録日")
    note = forms.CharField(label="備考", required=False, widget=TEXTAREA)


class ConsentForm(forms.Form):
    program: forms.ModelChoiceField[Program] = forms.ModelChoiceField(label="プログラム", required=False,
                                     queryset=Program.objects.none(),
                                     empty_label="（プログラムを限定しない同意）")
    given_on = JapaneseDateField(label="同意日")
    form = forms.ChoiceField(label="方法", choices=Consent.Form.choices,
                             widget=forms.RadioSelect)
    note = forms.CharField(label="備考", required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, office: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "program", forms.ModelChoiceField).queryset = Program.objects.filter(office=office, is_active=True)
        self.partners = list(PartnerOrganisation.objects.filter(office=office, is_active=True)
                             .order_by("name", "id"))
        for p in self.partners:
            self.fields[f"grant_{p.pk}"] = forms.MultipleChoiceField(
                label=f"{p.name}に提供する情報", required=False, choices=DataCategory.choices,
                widget=forms.CheckboxSelectMultiple)

    def partner_sections(self) -> dict[str, Any]:
        """The consent form's partners: the chosen program's first, the rest folded.

        Each row carries the ids of the programs the partner works in (the page's script
        moves rows when another program is chosen); the folded part opens when one of its
        partners already has a ticked category or an error."""
        chosen = self["program"].value()
        chosen_id = int(chosen) if str(chosen or "").isdigit() else None
        programs_of: dict[int, list[int]] = {}
        for partner_id, program_id in Program.partners.through.objects.filter(
                partnerorganisation__in=self.partners).values_list(
                    "partnerorganisation_id", "program_id"):
            programs_of.setdefault(partner_id, []).append(program_id)
        first: list[dict[str, Any]] = []
        rest: list[dict[str, Any]] = []
        for order, p in enumerate(self.partners):
            row = {"partner": p, "field": self[f"grant_{p.pk}"], "order": order,
                   "programs": " ".join(map(str, programs_of.get(p.pk, [])))}
            (first if chosen_id in programs_of.get(p.pk, []) else rest).append(row)
        return {"first": first, "rest": rest,
                "open_rest": not first or any(r["field"].value() or r["field"].errors
                                              for r in rest)}

    def grants(self) -> list[tuple[PartnerOrganisation, list[str]]]:
        return [(p, self.cleaned_data[f"grant_{p.pk}"]) for p in self.partners
                if self.cleaned_data.get(f"grant_{p.pk}")]


class WithdrawForm(VersionedForm):
    withdrawn_on = JapaneseDateField(label="撤回日")
    note = forms.CharField(label="撤回の理由・経緯", required=False, widget=TEXTAREA)


# ------------------------------------------------------------------ transitions

class TransitionForm(VersionedForm):
    on = JapaneseDateField(label="日付")
    note = forms.CharField(label="理由・メモ", required=False, widget=TEXTAREA)


class StartForm(TransitionForm):
    phase: forms.ModelChoiceField[Phase] = forms.ModelChoiceField(label="段階", required=False, queryset=Phase.objects.none())
    menus: forms.ModelMultipleChoiceField[SupportMenu] = forms.ModelMultipleChoiceField(label="支援メニュー", required=False, queryset=SupportMenu.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    planned_end_on = JapaneseDateField(label="終了予定日", required=False,
                                       help_text="空欄なら標準期間から計算します。")

    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "phase", forms.ModelChoiceField).queryset = enrollment.program.phases.order_by("order")
        form_field(self, "menus", forms.ModelChoiceField).queryset = enrollment.program.menus.order_by("order")


class PhaseForm(TransitionForm):
    phase: forms.ModelChoiceField[Phase] = forms.ModelChoiceField(label="新しい段階", queryset=Phase.objects.none())

    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "phase", forms.ModelChoiceField).queryset = enrollment.program.phases.order_by("order")


class MenusForm(TransitionForm):
    menus: forms.ModelMultipleChoiceField[SupportMenu] = forms.ModelMultipleChoiceField(label="支援メニュー", required=False, queryset=SupportMenu.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "menus", forms.ModelChoiceField).queryset = enrollment.program.menus.order_by("order")


class ExtendForm(TransitionForm):
    until = JapaneseDateField(label="延長後の終了予定日")


class EndForm(TransitionForm):
    reason = forms.ChoiceField(label="終了理由", choices=[
        c for c in Enrollment.EndReason.choices if c[0] not in Enrollment.ENDED_BY_TRANSITION])


class TransferForm(TransitionForm):
    target_program: forms.ModelChoiceField[Program] = forms.ModelChoiceField(label="移行先のプログラム", queryset=Program.objects.none())
    start = forms.BooleanField(label="移行先ですぐに支援を開始する", required=False)

    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "target_program", forms.ModelChoiceField).queryset = Program.objects.filter(
            office=enrollment.office, is_active=True).exclude(pk=enrollment.program_id)


class AssignForm(VersionedForm):
    lead_staff = forms.ModelChoiceField(label="担当支援員", required=False, queryset=User.objects.none())
    referred_partners = forms.ModelMultipleChoiceField(
        label="紹介先関係機関", required=False, queryset=PartnerOrganisation.objects.none(),
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "lead_staff", forms.ModelChoiceField).queryset = User.objects.filter(
            memberships__office=enrollment.office, memberships__is_active=True).exclude(
            memberships__role__in=["partner", "admin"]).order_by("display_name")
        form_field(self, "referred_partners", forms.ModelChoiceField).queryset = PartnerOrganisation.objects.filter(
            office=enrollment.office)


# ------------------------------------------------------------------ plan, records, reviews

GOAL_ROWS = 5


class PlanForm(forms.Form):
    agreed_on = JapaneseDateField(label="本人同意日", required=False)
    target_start_on = JapaneseDateField(label="就労開始目標時期", required=False)
    policy = forms.CharField(label="支援方針", required=False, widget=TEXTAREA)
    # The version the form was opened on (0: no plan yet); a newer one saved meanwhile
    # makes the service refuse the revision (StaleEdit).
    based_on_number = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    NO_BASE = "画面を開き直してから保存してください（元にした版が分かりません）。"

    def __init__(self, *args: Any, previous_goals: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previous_goals = {g.pk: g for g in previous_goals or []}
        for i in range(GOAL_ROWS):
            self.fields[f"goal_{i}_text"] = forms.CharField(label=f"目標{i + 1}", required=False,
                                                            max_length=300)
            self.fields[f"goal_{i}_target_on"] = JapaneseDateField(label=f"目標{i + 1}の期日",
                                                                   required=False)
            self.fields[f"goal_{i}_carried"] = forms.IntegerField(required=False,
                                                                  widget=forms.HiddenInput)
        for i in range(3):
            self.fields[f"commit_{i}_kind"] = forms.ChoiceField(
                label=f"取り組み{i + 1}", required=False,
                choices=[("", "―")] + list(PlanCommitment.Kind.choices))
            self.fields[f"commit_{i}_text"] = forms.CharField(label=f"取り組み{i + 1}の内容",
                                                              required=False, max_length=300)
            self.fields[f"commit_{i}_quantity"] = forms.IntegerField(
                label=f"取り組み{i + 1}の回数", required=False, min_value=1, max_value=99)
            self.fields[f"commit_{i}_per"] = forms.ChoiceField(
                label=f"取り組み{i + 1}の単位", required=False, choices=PlanCommitment.Per.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("based_on_number") is None:
            # A hidden field's own error would not be shown: say it at the top of the form.
            self.errors.pop("based_on_number", None)
            raise forms.ValidationError(self.NO_BASE)
        return data

    def goals(self) -> list[dict[str, Any]]:
        out = []
        for i in range(GOAL_ROWS):
            text = (self.cleaned_data.get(f"goal_{i}_text") or "").strip()
            if text:
                carried = self.previous_goals.get(self.cleaned_data.get(f"goal_{i}_carried") or 0)
                out.append({"text": text, "target_on": self.cleaned_data.get(f"goal_{i}_target_on"),
                            "carried_from": carried})
        return out

    def commitments(self) -> list[dict[str, Any]]:
        out = []
        for i in range(3):
            kind = self.cleaned_data.get(f"commit_{i}_kind")
            if kind:
                out.append({"kind": kind, "text": self.cleaned_data.get(f"commit_{i}_text", ""),
                            "quantity": self.cleaned_data.get(f"commit_{i}_quantity") or 1,
                            "per": self.cleaned_data.get(f"commit_{i}_per") or "month"})
        return out

    @classmethod
    def initial_from(cls, plan: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"policy": plan.policy, "target_start_on": plan.target_start_on,
                                "based_on_number": plan.number}
        for i, g in enumerate(list(plan.goals.all())[:GOAL_ROWS]):
            data[f"goal_{i}_text"] = g.text
            data[f"goal_{i}_target_on"] = g.target_on
            data[f"goal_{i}_carried"] = g.pk
        for i, c in enumerate(list(plan.commitments.all())[:3]):
            data[f"commit_{i}_kind"] = c.kind
            data[f"commit_{i}_text"] = c.text
            data[f"commit_{i}_quantity"] = c.quantity
            data[f"commit_{i}_per"] = c.per
        return data


class RecordForm(forms.Form):
    occurred_on = JapaneseDateField(label="日付")
    occurred_time = forms.TimeField(label="時刻", required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"}),
                                    help_text="空欄なら「時刻なし」として記録します。")
    kind = forms.ChoiceField(label="種別", choices=ActivityRecord.Kind.choices)
    enrollment: forms.ModelChoiceField[Enrollment] = forms.ModelChoiceField(label="プログラム", required=False, queryset=Enrollment.objects.none(),
                                        empty_label="（プログラムに関係しない記録）")
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 6}))
    duration_minutes = forms.IntegerField(label="所要時間（分）", required=False, min_value=1,
                                          max_value=1440)
    staff_present = forms.ModelMultipleChoiceField(label="同席職員", required=False, queryset=User.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)
    partners_present = forms.ModelMultipleChoiceField(
        label="同席関係機関", required=False, queryset=PartnerOrganisation.objects.none(),
        widget=forms.CheckboxSelectMultiple)
    systolic_bp = forms.IntegerField(label="最高血圧", required=False, min_value=40, max_value=300)
    diastolic_bp = forms.IntegerField(label="最低血圧", required=False, min_value=20,
                                      max_value=200)
    weight_kg = forms.DecimalField(label="体重（kg）", required=False, max_digits=5,
                                   decimal_places=1, min_value=1)
    life_check = forms.ChoiceField(
        label="退院後の生活状況", required=False,
        choices=[("", "（退院後の確認ではない）"), *ActivityRecord.LifeCheck.choices],
        help_text="退院後の確認は、家庭訪問・来所面接で生活が安定しているかを記録します。"
                  "安定していないときは、退院前の主治医との協議を記録するまで確認が続きます。")

    def __init__(self, *args: Any, office: Any, enrollments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "enrollment", forms.ModelChoiceField).queryset = enrollments
        label_options(form_field(self, "enrollment", forms.ModelChoiceField), lambda e: f"{e.program.name}（{e.get_status_display()}）")
        form_field(self, "staff_present", forms.ModelChoiceField).queryset = User.objects.filter(
            memberships__office=office, memberships__is_active=True).exclude(
            memberships__role__in=["partner", "admin"]).order_by("display_name")
        form_field(self, "partners_present", forms.ModelChoiceField).queryset = PartnerOrganisation.objects.filter(office=office)

    def values(self) -> dict[str, Any]:
        cd = self.cleaned_data
        # A date alone stays a record without a time of day (shown as 「時刻なし」).
        when: dt.date = cd["occurred_on"]
        if cd.get("occurred_time") is not None:
            when = dt.datetime.combine(when, cd["occurred_time"], tzinfo=clock.JAPAN)
        return {"occurred_at": when, "kind": cd["kind"], "text": cd["text"],
                "duration_minutes": cd.get("duration_minutes"),
                "systolic_bp": cd.get("systolic_bp"), "diastolic_bp": cd.get("diastolic_bp"),
                "weight_kg": cd.get("weight_kg"), "life_check": cd.get("life_check") or ""}


class ReviewForm(forms.Form):
    reviewed_on = JapaneseDateField(label="実施日")
    evaluation = forms.CharField(label="評価", widget=forms.Textarea(attrs={"rows": 4}))
    decision = forms.ChoiceField(label="判断", choices=Review.Decision.choices)
    next_due_on = JapaneseDateField(label="次回見直し予定日", required=False,
                                    help_text="空欄なら見直し間隔から計算します。")
    extend_until = JapaneseDateField(label="延長後の終了予定日", required=False)
    phase: forms.ModelChoiceField[Phase] = forms.ModelChoiceField(label="変更後の段階", required=False, queryset=Phase.objects.none())
    conference: forms.ModelChoiceField[Conference] = forms.ModelChoiceField(
        label="判断した検討会", required=False, queryset=Conference.objects.none(),
        empty_label="（検討会によらない）",
        help_text="出席者は検討会の記録に残ります。継続・中止の判断に出席が必要な職員をプログラムが定めているときは、その検討会を選びます。")

    def __init__(self, *args: Any, enrollment: Enrollment, goals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "phase", forms.ModelChoiceField).queryset = enrollment.program.phases.order_by("order")
        conferences = form_field(self, "conference", forms.ModelChoiceField)
        conferences.queryset = (Conference.objects.filter(office_id=enrollment.office_id)
                                .filter(Q(program=enrollment.program) | Q(program__isnull=True))
                                .order_by("-held_on", "-id"))
        label_options(conferences, lambda c: f"{c.title}（{format_wareki(c.held_on)}）")
        seats = enrollment.program.decision_attendees or []
        if seats:
            conferences.help_text = (
                "このプログラムでは、継続・打ち切りは"
                f"{'・'.join(DECISION_ATTENDEES.get(k, k) for k in seats)}が出席した検討会で決めます。"
                "その検討会を選んでください（出席者は検討会の記録に残ります）。")
        self.goals = goals
        for g in goals:
            self.fields[f"goal_{g.pk}"] = forms.ChoiceField(
                label=f"目標「{g.text}」の達成度", required=False,
                choices=[("", "―")] + list(Achievement.choices))

    def goal_levels(self) -> dict[int, str]:
        return {g.pk: self.cleaned_data[f"goal_{g.pk}"] for g in self.goals
                if self.cleaned_data.get(f"goal_{g.pk}")}


class OutcomeForm(forms.Form):
    outcome_type: forms.ModelChoiceField[OutcomeType] = forms.ModelChoiceField(label="成果の種類", queryset=OutcomeType.objects.none())
    occurred_on = JapaneseDateField(label="日付")
    employer = forms.CharField(label="就労先", required=False, max_length=200)
    job_kind = forms.CharField(label="職種", required=False, max_length=100)
    hours_per_week = forms.DecimalField(label="週労働時間", required=False, max_digits=4,
                                        decimal_places=1, min_value=0)
    monthly_income = forms.IntegerField(label="月収（円）", required=False, min_value=0)
    income_increase = forms.IntegerField(label="増収額（円）", required=False, min_value=0)
    destination = forms.ChoiceField(label="退院先", required=False,
                                    choices=[("", "―")] + list(Outcome.Destination.choices))
    school_name = forms.CharField(label="進学先", required=False, max_length=200)
    note = forms.CharField(label="備考", required=False, widget=TEXTAREA)
    end_as_achieved = forms.BooleanField(label="この成果で支援を達成として終了する", required=False)

    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "outcome_type", forms.ModelChoiceField).queryset = enrollment.program.outcome_types.order_by("id")

    def data_fields(self) -> dict[str, Any]:
        keys = ["employer", "job_kind", "hours_per_week", "monthly_income", "income_increase",
                "destination", "school_name", "note"]
        return {k: self.cleaned_data.get(k) for k in keys}


# ------------------------------------------------------------------ conference

class ConferenceForm(forms.Form):
    kind = forms.ChoiceField(label="会議の種類", choices=Conference.Kind.choices)
    held_on = JapaneseDateField(label="開催日")
    title = forms.CharField(label="件名", max_length=200)
    place = forms.CharField(label="場所", max_length=200, required=False)
    agenda = forms.CharField(label="議題", required=False, widget=TEXTAREA)
    minutes = forms.CharField(label="議事録", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    staff = forms.ModelMultipleChoiceField(label="出席職員", required=False, queryset=User.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    outside = forms.CharField(
        label="外部の出席者", required=False, widget=TEXTAREA,
        help_text="1行に1人「氏名,立場」（例：山本医師,主治医）。家族は立場に「家族」と書きます。")

    def __init__(self, *args: Any, office: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "staff", forms.ModelChoiceField).queryset = User.objects.filter(
            memberships__office=office, memberships__is_active=True).exclude(
            memberships__role__in=["partner", "admin"]).order_by("display_name")
        self.office = office

    def attendees(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"user": u} for u in self.cleaned_data.get("staff") or []]
        for line in lines_of(self.cleaned_data.get("outside", "")):
            name, _, role = line.partition(",")
            role = role.strip()
            out.append({"name": name.strip(), "profession": role,
                        "is_family": role in ("家族", "親族", "家族・親族")})
        return out


class DecisionForm(forms.Form):
    """One person discussed at a conference."""

    person_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label="決定", required=False,
                                 choices=[("", "（議題にしない）")] + list(
                                     ConferenceDecision.Decision.choices))
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    phase: forms.ModelChoiceField[Phase] = forms.ModelChoiceField(label="段階", required=False, queryset=Phase.objects.none())
    end_reason = forms.ChoiceField(label="終了理由", required=False, choices=[("", "―")] + [
        c for c in Enrollment.EndReason.choices if c[0] not in Enrollment.ENDED_BY_TRANSITION])
    target_program: forms.ModelChoiceField[Program] = forms.ModelChoiceField(label="移行先", required=False, queryset=Program.objects.none())
    extend_until = JapaneseDateField(label="延長後の終了予定日", required=False)

    def __init__(self, *args: Any, program: Program | None, office: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "phase", forms.ModelChoiceField).queryset = (
            program.phases.order_by("order") if program else Phase.objects.none())
        targets = Program.objects.filter(office=office, is_active=True)
        if program is not None:
            targets = targets.exclude(pk=program.pk)
        form_field(self, "target_program", forms.ModelChoiceField).queryset = targets
        self.fields["decision"].widget.attrs["data-decision"] = "1"

    def parts(self) -> dict[str, Any]:
        """決定 and 理由 always; each other field only for the decisions that take it
        (``services.conferences.DECISION_FIELDS``), folded and labelled with those decisions
        so the page works without JavaScript, where a script shows just the chosen one's."""
        labels = dict(ConferenceDecision.Decision.choices)
        chosen = str(self["decision"].value() or "")
        extra: list[dict[str, Any]] = []
        for name in ("phase", "extend_until", "end_reason", "target_program"):
            kinds = [k for k, names in DECISION_FIELDS.items() if name in names]
            bf = self[name]
            extra.append({"field": bf, "for": " ".join(kinds),
                          "when": "・".join(labels[k] for k in kinds),
                          "needed": chosen in kinds})
        return {"main": [self["decision"], self["reason"]], "extra": extra,
                "when_any": "・".join(labels[k] for k in DECISION_FIELDS),
                "open": any(e["needed"] or e["field"].errors for e in extra)}


class ApprovalDecideForm(VersionedForm):
    approve = forms.ChoiceField(label="決裁", choices=[("yes", "承認"), ("no", "差戻し")],
                                widget=forms.RadioSelect)
    comment = forms.CharField(label="コメント", required=False, widget=TEXTAREA)


class ApprovalRouteForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, initial="標準ルート")
    steps = forms.CharField(label="決裁者の順序", initial="supervisor,manager",
                            help_text="supervisor（査察指導員）、manager（課長・所長）をカンマ区切りで順に。")

    def clean_steps(self) -> list[str]:
        return [s.strip() for s in self.cleaned_data["steps"].split(",") if s.strip()]


ROLE_LABELS = dict(Membership.Role.choices)


class ResultsConferenceForm(ConferenceForm):
    """A results 検討会: the conference and the period it looks back over."""

    results_from = JapaneseDateField(label="振り返りの対象期間（開始）")
    results_to = JapaneseDateField(label="振り返りの対象期間（終了）")

    field_order = ["kind", "held_on", "title", "results_from", "results_to", "place", "agenda",
                   "minutes", "staff", "outside"]


class ResultSortForm(forms.Form):
    """One participant at a results 検討会: the result, its factors, what happens next."""

    result = forms.ChoiceField(label="結果", required=False, choices=[
        ("", "（今回は振り返らない）"), *ConferenceResult.Result.choices])
    reason = forms.CharField(label="要因（就労につながった、またはつながらなかった理由）", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.ChoiceField(label="今後の支援", required=False, choices=[
        ("", "ここでは決めない（次の見直しで判断）"), *ConferenceResult.NextStep.choices],
        help_text="継続・打ち切りは、この検討会での見直しとして記録されます。")
