"""Forms for the program catalogue screens (the program definition). Dates accept ISO and 和暦; labels are the field names
users see (and browser tests select by)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from jiritsu.core.forms import JapaneseDateField, VersionedForm, form_field
from jiritsu.offices.models import PartnerOrganisation
from jiritsu.programs.models import ConferenceKind, OutcomeKind, Program, ProgramTarget
from jiritsu.programs.services.catalogue import APPROVAL_KINDS

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
    professions = forms.CharField(label="関与する職種", required=False, widget=TEXTAREA,
                                  help_text="1行に1つ（例：就労支援員）")
    partners = forms.ModelMultipleChoiceField(label="関係機関", required=False,
                                              queryset=PartnerOrganisation.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    phases = forms.CharField(label="段階", required=False, widget=TEXTAREA,
                             help_text="1行に1段階、順に。標準期間は「名称,月数」（例：退院前訓練,6）")
    menus = forms.CharField(label="支援メニュー", required=False, widget=TEXTAREA,
                            help_text="1行に1つ（例：就労支援）")
    outcome_types = forms.CharField(
        label="成果の種類", required=False, widget=TEXTAREA,
        help_text="1行に1つ「種類コード,名称」。達成とみなさないものは末尾に「,達成外」。種類コード："
        + "、".join(f"{k}（{v}）" for k, v in OutcomeKind.choices))
    targets = forms.CharField(
        label="目標", required=False, widget=TEXTAREA,
        help_text="1行に1つ「目標名,指標,目標値,開始年度,終了年度[,成果の種類]」。指標："
        + "、".join(f"{k}（{v}）" for k, v in ProgramTarget.Metric.choices)
        + "。年度は西暦（例：2025）。")
    rules = forms.CharField(label="選定条件（JSON）", required=False,
                            widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
                            help_text='例：{"op": "and", "conditions": [{"field": "age", "op": '
                            '"between", "value": [15, 64]}]}。項目の一覧はプログラム管理の説明を参照。')

    def __init__(self, *args: Any, office: Any = None, creating: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "partners", forms.ModelChoiceField).queryset = PartnerOrganisation.objects.filter(office=office)
        if creating:
            self.fields["version"].required = False

    def clean_rules(self) -> Any:
        text = self.cleaned_data.get("rules") or ""
        if not text.strip():
            return {}
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"選定条件をJSONとして読めません（{exc.lineno}行目 {exc.colno}文字目）。") from None

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

    def clean_outcome_types(self) -> list[dict[str, Any]]:
        out = []
        for line in lines_of(self.cleaned_data.get("outcome_types", "")):
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 2 or parts[0] not in OutcomeKind.values:
                raise forms.ValidationError(f"「{line}」は「種類コード,名称」の形で入力してください。")
            out.append({"kind": parts[0], "name": parts[1],
                        "counts_as_achievement": not (len(parts) > 2 and parts[2] == "達成外")})
        return out

    def clean_targets(self) -> list[dict[str, Any]]:
        out = []
        for line in lines_of(self.cleaned_data.get("targets", "")):
            parts = [p.strip() for p in line.split(",")]
            try:
                label, metric, value, fy_from, fy_to = parts[:5]
                row = {"label": label, "metric": metric, "value": int(value),
                       "fiscal_year_from": int(fy_from), "fiscal_year_to": int(fy_to),
                       "outcome_kind": parts[5] if len(parts) > 5 else ""}
            except ValueError:
                raise forms.ValidationError(
                    f"「{line}」は「目標名,指標,目標値,開始年度,終了年度」の形で入力してください。") from None
            out.append(row)
        return out

    def clean_professions(self) -> list[str]:
        return lines_of(self.cleaned_data.get("professions", ""))

    @classmethod
    def initial_for(cls, program: Program) -> dict[str, Any]:
        data = {f: getattr(program, f) for f in (
            "code", "name", "kind", "category", "legal_basis", "established_on", "description",
            "target_description", "review_interval_months", "standard_length_months",
            "max_length_months", "post_discharge_review_months", "capacity", "budget_yen",
            "consent_required", "allows_non_recipients", "conference_kind", "approvals_needed",
            "is_active")}
        data["version"] = program.version
        data["professions"] = "\n".join(program.professions or [])
        data["partners"] = list(program.partners.all())
        data["phases"] = "\n".join(
            f"{p.name},{p.standard_months}" if p.standard_months else p.name
            for p in program.phases.order_by("order", "id"))
        data["menus"] = "\n".join(m.name for m in program.menus.order_by("order", "id"))
        data["outcome_types"] = "\n".join(
            f"{o.kind},{o.name}" + ("" if o.counts_as_achievement else ",達成外")
            for o in program.outcome_types.order_by("id"))
        data["targets"] = "\n".join(
            f"{t.label},{t.metric},{t.value},{t.fiscal_year_from},{t.fiscal_year_to}"
            + (f",{t.outcome_kind}" if t.outcome_kind else "")
            for t in program.targets.order_by("fiscal_year_from", "id"))
        data["rules"] = json.dumps(program.rules, ensure_ascii=False, indent=1) if program.rules \
            else ""
        return data


def match_rows(existing: list[Any], rows: list[dict[str, Any]], key: str = "name") -> None:
    """Keep the id of an existing row with the same name so edits update in place."""
    by_key = {getattr(o, key): o.pk for o in existing}
    for r in rows:
        if r.get(key) in by_key:
            r["id"] = by_key[r[key]]
