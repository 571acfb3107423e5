"""Program catalogue: create and edit programs; every definition change is a new version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from jiritsu.audit.log import snapshot
from jiritsu.core.errors import ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.programs import signals
from jiritsu.programs.models import (
    OutcomeKind,
    OutcomeType,
    Phase,
    Program,
    ProgramTarget,
    ProgramVersion,
    SupportMenu,
)
from jiritsu.programs.screening import validate_rules

# Program columns that define what a participant signed up to (kept per version).
DEFINITION_FIELDS = [
    "code", "name", "kind", "category", "legal_basis", "established_on", "description",
    "target_description", "review_interval_months", "standard_length_months",
    "max_length_months", "extension_approval", "capacity", "consent_required",
    "allows_non_recipients", "professions", "budget_yen", "conference_kind", "rules",
    "approvals_needed", "template_code", "is_active", "post_discharge_review_months",
    "decision_attendees",
]
APPROVAL_KINDS = {"extend": "標準期間を超える延長", "end": "支援の終了", "achieve": "達成の記録"}
# Who may be required at a decision to continue or stop support (善通寺: 「課長・課長補佐・
# 査察指導員及び就労支援員と協議し、支援を継続するか中断するかを決定する」): the management and
# supervisor roles and the staff professions. 課長補佐 has no role of its own: the 課長・所長
# role stands for the management seat.
DECISION_ATTENDEES: dict[str, str] = {
    "manager": "課長・課長補佐（管理職）",
    "supervisor": "査察指導員",
    **{code: str(label) for code, label in Membership.Profession.choices if code != "other"},
}


def program_snapshot(program: Program) -> dict[str, Any]:
    """The definition as plain data: what a ProgramVersion freezes."""
    data = snapshot(program, DEFINITION_FIELDS)
    data["phases"] = [{"id": p.pk, "order": p.order, "name": p.name,
                       "standard_months": p.standard_months}
                      for p in program.phases.order_by("order", "id")]
    data["menus"] = [{"id": m.pk, "order": m.order, "name": m.name, "description": m.description}
                     for m in program.menus.order_by("order", "id")]
    data["outcome_types"] = [{"id": o.pk, "kind": o.kind, "name": o.name,
                              "counts_as_achievement": o.counts_as_achievement}
                             for o in program.outcome_types.order_by("id")]
    data["targets"] = [{"id": t.pk, "label": t.label, "metric": t.metric,
                        "outcome_kind": t.outcome_kind, "value": t.value,
                        "fiscal_year_from": t.fiscal_year_from,
                        "fiscal_year_to": t.fiscal_year_to, "baseline": t.baseline}
                       for t in program.targets.order_by("fiscal_year_from", "id")]
    data["partners"] = sorted(program.partners.values_list("pk", flat=True))
    return data


def _clean_program_data(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in DEFINITION_FIELDS}
    if "rules" in out:
        out["rules"] = validate_rules(out["rules"])
    if "approvals_needed" in out:
        bad = [k for k in out["approvals_needed"] or [] if k not in APPROVAL_KINDS]
        if bad:
            raise ValidationFailed(
                f"決裁が必要な決定に使えない値があります：{'、'.join(bad)}（使える値：extend / end / achieve）",
                field="approvals_needed")
    if "professions" in out:
        bad = [k for k in out["professions"] or [] if k not in Membership.Profession.values]
        if bad:
            raise ValidationFailed(
                f"関与する職種に使えない値があります：{'、'.join(map(str, bad))}"
                f"（使える値：{' / '.join(Membership.Profession.values)}）", field="professions")
    if "decision_attendees" in out:
        bad = [k for k in out["decision_attendees"] or [] if k not in DECISION_ATTENDEES]
        if bad:
            raise ValidationFailed(
                f"継続・中止の判断に出席が必要な職員に使えない値があります：{'、'.join(map(str, bad))}"
                f"（使える値：{' / '.join(DECISION_ATTENDEES)}）", field="decision_attendees")
    std, mx = out.get("standard_length_months"), out.get("max_length_months")
    if std and mx and mx < std:
        raise ValidationFailed("最長期間は標準期間以上にしてください。", field="max_length_months")
    if isinstance(out.get("established_on"), dt.date):
        out["established_on"] = out["established_on"].replace(day=1)
    return out


def _sync_children(program: Program, *, phases: list[dict[str, Any]] | None,
                   menus: list[dict[str, Any]] | None,
                   outcome_types: list[dict[str, Any]] | None,
                   targets: list[dict[str, Any]] | None,
                   partners: list[PartnerOrganisation] | None) -> None:
    """Replace the lists that were given. Rows in use (by enrolments, outcomes) are kept
    and updated in place by id; removing one in use is refused."""
    if phases is not None:
        _sync(program, Phase, phases, ["order", "name", "standard_months"], "段階",
              in_use=lambda p: p.enrollments.exists())
    if menus is not None:
        _sync(program, SupportMenu, menus, ["order", "name", "description"], "支援メニュー",
              in_use=lambda m: m.enrollments.exists())
    if outcome_types is not None:
        for o in outcome_types:
            if o.get("kind") not in OutcomeKind.values:
                raise ValidationFailed(f"成果の種類「{o.get('kind')}」は使えません。",
                                       field="outcome_types")
        _sync(program, OutcomeType, outcome_types, ["kind", "name", "counts_as_achievement"],
              "成果の種類", in_use=lambda o: o.outcomes.exists())
    if targets is not None:
        for t in targets:
            if t.get("metric") not in ProgramTarget.Metric.values:
                raise ValidationFailed(f"目標の指標「{t.get('metric')}」は使えません。",
                                       field="targets")
            if int(t.get("fiscal_year_to") or 0) < int(t.get("fiscal_year_from") or 0):
                raise ValidationFailed("目標の終了年度は開始年度以降にしてください。",
                                       field="targets")
        _sync(program, ProgramTarget, targets,
              ["label", "metric", "outcome_kind", "value", "fiscal_year_from", "fiscal_year_to",
               "baseline"], "目標", in_use=lambda t: False)
    if partners is not None:
        for p in partners:
            if p.office_id != program.office_id:
                raise ValidationFailed("他の事務所の関係機関は選べません。", field="partners")
        program.partners.set(partners)


def _sync(program: Program, model: Any, rows: list[dict[str, Any]], fields: list[str],
          label: str, *, in_use: Any) -> None:
    existing = {obj.pk: obj for obj in model.objects.filter(program=program)}
    keep: set[int] = set()
    for i, row in enumerate(rows):
        values = {f: row.get(f) for f in fields if f in row}
        if "order" in fields and values.get("order") is None:
            values["order"] = i + 1
        for f in ("name", "label"):
            if f in fields and not str(values.get(f) or "").strip():
                raise ValidationFailed(f"{label}の名称を入力してください。", field=label)
        pk = row.get("id")
        if pk is not None and pk in existing:
            obj = existing[pk]
            for f, v in values.items():
                setattr(obj, f, v)
            obj.save()
            keep.add(pk)
        else:
            model.objects.create(program=program, **values)
    for pk, obj in existing.items():
        if pk in keep:
            continue
        message = f"{label}「{obj}」は参加者の記録で使われているため削除できません。"
        if in_use(obj):
            raise ValidationFailed(message, field=label)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            raise ValidationFailed(message, field=label) from None


def _new_version(actor: Membership, program: Program) -> ProgramVersion:
    return ProgramVersion.objects.create(program=program, number=program.current_version,
                                         snapshot=program_snapshot(program), created_by=actor.user)


@transaction.atomic
def program_create(*, actor: Membership, data: dict[str, Any],
                   phases: list[dict[str, Any]] | None = None,
                   menus: list[dict[str, Any]] | None = None,
                   outcome_types: list[dict[str, Any]] | None = None,
                   targets: list[dict[str, Any]] | None = None,
                   partners: list[PartnerOrganisation] | None = None) -> Program:
    """A new program with its first version."""
    require(actor, "program.manage")
    clean = _clean_program_data(data)
    if Program.objects.filter(office=actor.office, code=clean.get("code")).exists():
        raise ValidationFailed("このプログラムコードは既に使われています。", field="code")
    try:
        with transaction.atomic():
            program = Program.objects.create(office=actor.office, current_version=1, **clean)
    except IntegrityError:
        raise ValidationFailed("このプログラムコードは既に使われています。", field="code") from None
    _sync_children(program, phases=phases or [], menus=menus or [],
                   outcome_types=outcome_types or [], targets=targets or [],
                   partners=partners or [])
    version = _new_version(actor, program)
    audit(actor, "program.create", Kind.CREATE, program, after=version.snapshot)
    return program


@transaction.atomic
def program_update(*, actor: Membership, program: Program, expected_version: int,
                   data: dict[str, Any] | None = None,
                   phases: list[dict[str, Any]] | None = None,
                   menus: list[dict[str, Any]] | None = None,
                   outcome_types: list[dict[str, Any]] | None = None,
                   targets: list[dict[str, Any]] | None = None,
                   partners: list[PartnerOrganisation] | None = None) -> Program:
    """Edit a program. If the definition changed, a new ProgramVersion is frozen;
    people already enrolled keep the version they started under."""
    require(actor, "program.manage")
    same_office(actor, program)
    before = program_snapshot(program)
    clean = _clean_program_data(data or {})
    if "code" in clean and clean["code"] != program.code and Program.objects.filter(
            office=program.office, code=clean["code"]).exists():
        raise ValidationFailed("このプログラムコードは既に使われています。", field="code")
    for k, v in clean.items():
        setattr(program, k, v)
    save_versioned(program, expected_version, [*clean.keys()] or ["updated_at"])
    if {"review_interval_months", "post_discharge_review_months"} & set(clean):
        # Episodes whose version snapshot lacks a review term fall back to the live
        # program's (services.enrollments.terms): their stored next review date follows.
        signals.review_terms_changed.send(sender=Program, program=program)
    _sync_children(program, phases=phases, menus=menus, outcome_types=outcome_types,
                   targets=targets, partners=partners)
    after = program_snapshot(program)
    if _definition_changed(before, after):
        program.current_version += 1
        Program.objects.filter(pk=program.pk).update(current_version=program.current_version)
        _new_version(actor, program)
    audit(actor, "program.update", Kind.UPDATE, program, before=before, after=after)
    return program


def _definition_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return before != after


@transaction.atomic
def program_set_rules(*, actor: Membership, program: Program, rules: Any,
                      expected_version: int) -> Program:
    """Replace the screening rules (validated; a new version if they changed)."""
    return program_update(actor=actor, program=program, expected_version=expected_version,
                          data={"rules": rules})
