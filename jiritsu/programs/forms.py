"""Forms for the program catalogue screens (the program definition). Dates accept ISO and 和暦; labels are the field names
users see (and browser tests select by). The selection rules are ``programs.rule_form``; outcome
types and targets are rows chosen from Japanese lists (formsets, a few empty rows to add to)."""

from __future__ import annotations

from typing import Any

from django import forms

from jiritsu.core import clock
from jiritsu.core.forms import JapaneseDateField, VersionedForm, form_field
from jiritsu.core.wareki import fiscal_year_of, format_fiscal_year
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.programs.models import ConferenceKind, OutcomeKind, Program, ProgramTarget
from jiritsu.programs.services.catalogue import APPROVAL_KINDS, DECISION_ATTENDEES

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def lines_of(text: str) -> list[str]:
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip()]


class ProgramForm(VersionedForm):
    """Program definition. Lists are one item per line (see help texts)."""

    code = forms.CharField(label="プログラムコード", max_length=40)
    name = forms.CharField(label="プログラム名", max_length=200)
    kind = forms.ChoiceField(label="自立の種類", choices=Program.Kind.choices)
    category = forms.CharField(label="分類", max_length=100, required=False)
    legal_basis = forms.ChoiceField(label="根拠", choices=Program.LegalBasis.choices)
    established_on = JapaneseDateField(label="策定年月", help_text="その月の1日として記録します。")
    description = forms.CharField(label="概要", required=False, widget=TEXTAREA)
    target_description = forms.CharField(label="対象者", required=False, widget=TEXTAREA)
    review_interval_months = forms.IntegerField(label="見直し間隔（月）", min_value=1, max_value=24)
    standard_length_months = forms.IntegerField(label="標準期間（月）", min_value=1, max_value=120,
                                                required=False)
    max_length_months = forms.IntegerField(label="最長期間（月）", min_value=1, max_value=240,
                                           required=False)
    post_discharge_review_months = forms.IntegerField(
        label="退院後の確認（月後）", min_value=1, max_value=12, required=False,
        help_text="退院の成果を記録したとき、この月数後に見直し期限を設けます。")
    capacity = forms.IntegerField(label="定員", min_value=1, required=False)
    budget_yen = forms.IntegerField(label="予算（円）", min_value=0, required=False)
    consent_required = forms.BooleanField(label="支援開始前に同意が必要", required=False)
    allows_non_recipients = forms.BooleanField(label="被保護者以外も対象", required=False)
    conference_kind = forms.ChoiceField(label="検討会の種類", required=False,
                                        choices=[("", "―")] + list(ConferenceKind.choices))
    approvals_needed = forms.MultipleChoiceField(
        label="決裁が必要な決定", required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(APPROVAL_KINDS.items()))
    is_active = forms.BooleanField(label="実施中", required=False, initial=True)
    professions = forms.MultipleChoiceField(
        label="関与する職種", required=False, widget=forms.CheckboxSelectMultiple,
        choices=Membership.Profession.choices)
    decision_attendees = forms.MultipleChoiceField(
        label="継続・中止の判断に出席が必要な職員", required=False,
        widget=forms.CheckboxSelectMultiple, choices=list(DECISION_ATTENDEES.items()),
        help_text="選ぶと、支援の継続・中止（打ち切り・中断）は、これらの職員が出席した検討会で決めます。")
    partners = forms.ModelMultipleChoiceField(label="関係機関", required=False,
                                              queryset=PartnerOrganisation.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    phases = forms.CharField(label="段階", required=False, widget=TEXTAREA,
                             help_text="1行に1段階、順に。標準期間は「名称,月数」（例：退院前訓練,6）")
    menus = forms.CharField(label="支援メニュー", required=False, widget=TEXTAREA,
                            help_text="1行に1つ（例：就労支援）")
    def __init__(self, *args: Any, office: Any = None, creating: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "partners", forms.ModelChoiceField).queryset = PartnerOrganisation.objects.filter(office=office)
        if creating:
            self.fields["version"].required = False

    def clean(self) -> dict[str, Any]:
        cd = super().clean() or {}
        # A browser posts a textarea's line breaks as CRLF: stored as LF, an unchanged
        # text is not a change of the definition (no new version, no audit line).
        for name in ("description", "target_description"):
            if isinstance(cd.get(name), str):
                cd[name] = cd[name].replace("\r\n", "\n")
        return cd

    def clean_phases(self) -> list[dict[str, Any]]:
        out = []
        for line in lines_of(self.cleaned_data.get("phases", "")):
            name, _, months = line.partition(",")
            try:
                out.append({"name": name.strip(),
                            "standard_months": int(months) if months.strip() else None})
            except ValueError:
                raise forms.ValidationError(f"「{line}」の月数が数字ではありません。") from None
        return out

    def clean_menus(self) -> list[dict[str, Any]]:
        return [{"name": ln} for ln in lines_of(self.cleaned_data.get("menus", ""))]

    @classmethod
    def initial_for(cls, program: Program) -> dict[str, Any]:
        data = {f: getattr(program, f) for f in (
            "code", "name", "kind", "category", "legal_basis", "established_on", "description",
            "target_description", "review_interval_months", "standard_length_months",
            "max_length_months", "post_discharge_review_months", "capacity", "budget_yen",
            "consent_required", "allows_non_recipients", "conference_kind", "approvals_needed",
            "is_active", "decision_attendees")}
        data["version"] = program.version
        # Stored as profession codes; a name typed before the list existed is matched by label.
        by_label = {label: code for code, label in Membership.Profession.choices}
        data["professions"] = [by_label.get(p, p) for p in program.professions or []]
        data["partners"] = list(program.partners.all())
        data["phases"] = "\n".join(
            f"{p.name},{p.standard_months}" if p.standard_months else p.name
            for p in program.phases.order_by("order", "id"))
        data["menus"] = "\n".join(m.name for m in program.menus.order_by("order", "id"))
        return data


def match_rows(existing: list[Any], rows: list[dict[str, Any]], key: str = "name") -> None:
    """Keep the id of an existing row with the same name so edits update in place."""
    by_key = {getattr(o, key): o.pk for o in existing}
    for r in rows:
        if r.get(key) in by_key:
            r["id"] = by_key[r[key]]


def _fiscal_year_choices() -> list[tuple[int, str]]:
    this = fiscal_year_of(clock.today())
    return [(fy, format_fiscal_year(fy)) for fy in range(2000, this + 11)]


class OutcomeTypeForm(forms.Form):
    # A blank first choice: an empty row left as it is adds nothing (a formset's extra row).
    kind = forms.ChoiceField(label="種類", choices=[("", "（選ぶ）"), *OutcomeKind.choices])
    name = forms.CharField(label="名称", max_length=200)
    counts_as_achievement = forms.BooleanField(label="達成に数える", required=False, initial=True)


class TargetForm(forms.Form):
    label = forms.CharField(label="目標名", max_length=200)
    metric = forms.ChoiceField(label="指標", choices=[("", "（選ぶ）"), *ProgramTarget.Metric.choices])
    outcome_kind = forms.ChoiceField(label="成果の種類（指標が成果のとき）", required=False,
                                     choices=[("", "―")] + list(OutcomeKind.choices))
    value = forms.IntegerField(label="目標値", min_value=0)
    fiscal_year_from = forms.TypedChoiceField(label="開始年度", coerce=int, choices=[])
    fiscal_year_to = forms.TypedChoiceField(label="終了年度", coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = _fiscal_year_choices()
        for name in ("fiscal_year_from", "fiscal_year_to"):
            f = form_field(self, name, forms.TypedChoiceField)
            f.choices = years
            f.initial = fiscal_year_of(clock.today())

    def clean(self) -> dict[str, Any]:
        cd = super().clean() or {}
        if cd.get("metric") == ProgramTarget.Metric.OUTCOME and not cd.get("outcome_kind"):
            self.add_error("outcome_kind", "指標が「成果（種類別）」のときは成果の種類を選んでください。")
        fy_from, fy_to = cd.get("fiscal_year_from"), cd.get("fiscal_year_to")
        if fy_from and fy_to and fy_to < fy_from:
            self.add_error("fiscal_year_to", "終了年度は開始年度以降にしてください。")
        return cd


OutcomeTypeFormSet = forms.formset_factory(OutcomeTypeForm, extra=2, can_delete=True)
TargetFormSet = forms.formset_factory(TargetForm, extra=1, can_delete=True)


def program_formsets(data: Any = None, program: Program | None = None
                     ) -> tuple[Any, Any]:
    """成果の種類 and 目標 rows of the program editor (prefixes ``outcome`` and ``target``)."""
    if data is not None:
        return (OutcomeTypeFormSet(data, prefix="outcome"), TargetFormSet(data, prefix="target"))
    outcomes = [{"kind": o.kind, "name": o.name, "counts_as_achievement": o.counts_as_achievement}
                for o in program.outcome_types.order_by("id")] if program else []
    targets = [{"label": t.label, "metric": t.metric, "outcome_kind": t.outcome_kind,
                "value": t.value, "fiscal_year_from": t.fiscal_year_from,
                "fiscal_year_to": t.fiscal_year_to}
               for t in program.targets.order_by("fiscal_year_from", "id")] if program else []
    return (OutcomeTypeFormSet(prefix="outcome", initial=outcomes),
            TargetFormSet(prefix="target", initial=targets))


def formset_rows(formset: Any) -> list[dict[str, Any]]:
    """The filled rows of a valid formset, without the ones marked 削除 or left blank."""
    return [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")]
