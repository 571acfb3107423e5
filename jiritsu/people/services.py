"""Writes to households and people: guard → change → audit row, in one transaction.

Person parts (disabilities, illnesses, hospital stays, work history, qualifications,
care duties, work-capacity assessments, medical evidence) share three services — ``part_create``,
``part_update`` and ``part_delete`` — driven by :data:`PART_KINDS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, StaleEdit, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.models import Membership, PartnerOrganisation, User
from jiritsu.people import evidence, signals
from jiritsu.people.models import (
    CareDuty,
    Disability,
    EvidenceValidity,
    HospitalStay,
    Household,
    HouseholdTypeChange,
    Illness,
    MedicalEvidence,
    Person,
    Qualification,
    VisitGrade,
    WorkCapacityAssessment,
    WorkHistory,
)

_NOT_DATA = {"id", "office", "office_id", "version", "kana_key", "name_key", "person", "person_id",
             "household_id", "created_at", "updated_at"}


@dataclass(frozen=True)
class PartKind:
    """One kind of person part: its model, audit action prefix and Japanese name."""

    slug: str
    model: type[models.Model]
    action: str
    label: str


PART_KINDS: dict[str, PartKind] = {
    k.slug: k for k in (
        PartKind("disabilities", Disability, "disability", "障害"),
        PartKind("illnesses", Illness, "illness", "傷病・治療"),
        PartKind("stays", HospitalStay, "hospital_stay", "入院歴"),
        PartKind("work", WorkHistory, "work_history", "職歴"),
        PartKind("qualifications", Qualification, "qualification", "資格・免許"),
        PartKind("care", CareDuty, "care_duty", "育児・介護"),
        PartKind("assessments", WorkCapacityAssessment, "assessment", "稼働能力の評価"),
        PartKind("evidence", MedicalEvidence, "medical_evidence", "医学的な根拠"),
    )
}
_DATE_ORDER: dict[type[models.Model], tuple[str, str]] = {  # (start, end) must not run backwards
    Illness: ("since", "until"),
    HospitalStay: ("admitted_on", "discharged_on"),
    WorkHistory: ("started_on", "ended_on"),
}


def _guard(actor: Membership, action: str) -> None:
    if not actor.can(action):
        raise Forbidden()


def _check_caseworker(actor: Membership, user: User | None) -> None:
    if user is None:
        return
    if not Membership.objects.filter(user=user, office=actor.office, is_active=True,
                                     role__in=["caseworker", "supervisor", "manager"]).exists():
        raise ValidationFailed("この事務所のケースワーカーを選んでください。", field="caseworker")


def _check_visit_grade(actor: Membership, grade: VisitGrade | None) -> None:
    if grade is not None and grade.office_id != actor.office.pk:
        raise ValidationFailed("この事務所の訪問格付けを選んでください。", field="visit_grade")


def _check_household_dates(data: dict[str, Any]) -> None:
    started, ended = data.get("assistance_started_on"), data.get("assistance_ended_on")
    if started and ended and ended < started:
        raise ValidationFailed("保護廃止日が保護開始日より前です。", field="assistance_ended_on")
    if data.get("end_reason") and not ended:
        raise ValidationFailed("廃止理由は保護廃止日と一緒に入力してください。", field="assistance_ended_on")


# ---------------------------------------------------------------- households


@transaction.atomic
def household_create(*, actor: Membership, data: dict[str, Any]) -> Household:
    """Open a household (世帯) in the actor's office; its type starts the type history."""
    _guard(actor, "household.edit")
    data = {k: v for k, v in data.items() if k not in _NOT_DATA}
    if Household.objects.filter(office=actor.office, case_number=data.get("case_number")).exists():
        raise ValidationFailed("このケース番号は既に使われています。", field="case_number")
    _check_caseworker(actor, data.get("caseworker"))
    _check_visit_grade(actor, data.get("visit_grade"))
    _check_household_dates(data)
    household = Household.objects.create(office=actor.office, **data)
    HouseholdTypeChange.objects.create(
        household=household, household_type=household.household_type,
        valid_from=household.assistance_started_on or clock.today())
    record(actor=actor.user, office=actor.office, action="household.create",
           kind=AuditEvent.Kind.CREATE, target=household,
           after=snapshot(household, [f.attname for f in Household._meta.concrete_fields
                                      if f.attname not in _NOT_DATA]))
    return household


@transaction.atomic
def household_update(*, actor: Membership, household: Household, expected_version: int,
                     data: dict[str, Any], type_changed_on: Any = None) -> Household:
    """Change a household. A new household type is kept in its history."""
    _guard(actor, "household.edit")
    fields = [f for f in data if f not in {"id", "office", "office_id", "version"}]
    if "case_number" in data and data["case_number"] != household.case_number and (
        Household.objects.filter(office=actor.office, case_number=data["case_number"])
        .exclude(pk=household.pk).exists()
    ):
        raise ValidationFailed("このケース番号は既に使われています。", field="case_number")
    if "caseworker" in data:
        _check_caseworker(actor, data["caseworker"])
    if "visit_grade" in data:
        _check_visit_grade(actor, data["visit_grade"])
    _check_household_dates({
        "assistance_started_on": data.get("assistance_started_on", household.assistance_started_on),
        "assistance_ended_on": data.get("assistance_ended_on", household.assistance_ended_on),
        "end_reason": data.get("end_reason", household.end_reason),
    })
    attnames = [getattr(Household._meta.get_field(f), "attname", f) for f in fields]
    before = snapshot(household, attnames)
    old_type = household.household_type
    was_ended = household.assistance_ended_on
    for f in fields:
        setattr(household, f, data[f])
    save_versioned(household, expected_version, fields)
    if household.household_type != old_type:
        HouseholdTypeChange.objects.create(
            household=household, household_type=household.household_type,
            valid_from=type_changed_on or clock.today(),
        )
    # A household's address and circumstances are each member's: the change is in every
    # member's history.
    record(actor=actor.user, office=actor.office, action="household.update",
           kind=AuditEvent.Kind.UPDATE, target=household,
           before=before, after=snapshot(household, attnames),
           people=Person.objects.filter(household=household).values_list("pk", flat=True))
    if was_ended is None and household.assistance_ended_on is not None:
        signals.send_assistance_ended(actor, [(household.pk, household.assistance_ended_on)])
    return household


@transaction.atomic
def household_end_assistance(*, actor: Membership, household: Household, ended_on: Any,
                             end_reason: str, note: str = "",
                             person: Person | None = None) -> Household:
    """保護廃止 decided elsewhere (a sanction on the guidance track): set the end date and
    reason, audit it (``household.assistance_end``, in ``person``'s trail when given) and
    end the members' open episodes through :data:`signals.assistance_ended`. The
    decision behind it was authorised by its own service, so no role is checked here."""
    if household.office_id != actor.office_id:
        raise Forbidden()
    locked = Household.objects.select_for_update().get(pk=household.pk)
    fields = ["assistance_ended_on", "end_reason"]
    before = snapshot(locked, fields)
    was_ended = locked.assistance_ended_on
    locked.assistance_ended_on, locked.end_reason = ended_on, end_reason
    save_versioned(locked, locked.version, fields)
    record(actor=actor.user, office=actor.office, action="household.assistance_end",
           kind=AuditEvent.Kind.TRANSITION, target=locked, person=person,
           before=before, after=snapshot(locked, fields), note=note,
           people=Person.objects.filter(household=locked).values_list("pk", flat=True))
    if was_ended is None:
        signals.send_assistance_ended(actor, [(locked.pk, ended_on)])
    household.assistance_ended_on, household.end_reason = ended_on, end_reason
    household.version = locked.version
    return household


# ---------------------------------------------------------------- people


@transaction.atomic
def person_create(*, actor: Membership, household: Household | None,
                  data: dict[str, Any]) -> Person:
    """Register a person in a household, or without one (not on assistance)."""
    _guard(actor, "person.edit")
    data = {k: v for k, v in data.items() if k not in _NOT_DATA}
    if household is not None:
        if household.office_id != actor.office.pk:
            raise ValidationFailed("対象の世帯が見つかりません。", field="household")
        number = data.get("member_number")
        taken = set(Person.objects.filter(household=household).values_list("member_number", flat=True))
        if not number:
            data["member_number"] = max(taken, default=0) + 1
        elif number in taken:
            raise ValidationFailed("この世帯員番号は既に使われています。", field="member_number")
    else:
        data["member_number"] = data.get("member_number") or 1
    person = Person(office=actor.office, household=household, **data)
    person.save()
    record(actor=actor.user, office=actor.office, action="person.create",
           kind=AuditEvent.Kind.CREATE, target=person, person=person,
           after=snapshot(person, [f.attname for f in Person._meta.concrete_fields
                                   if f.attname not in _NOT_DATA - {"household_id"}]))
    return person


@transaction.atomic
def person_update(*, actor: Membership, person: Person, expected_version: int,
                  data: dict[str, Any]) -> Person:
    """Change a person's profile fields. ``data`` maps field name → new value."""
    _guard(actor, "person.edit")
    fields = [f for f in data
              if f not in {"id", "office", "office_id", "version", "kana_key", "name_key"}]
    if "member_number" in data and person.household_id and (
        Person.objects.filter(household_id=person.household_id, member_number=data["member_number"])
        .exclude(pk=person.pk).exists()
    ):
        raise ValidationFailed("この世帯員番号は既に使われています。", field="member_number")
    before = snapshot(person, fields)
    for f in fields:
        setattr(person, f, data[f])
    person.fill_search_keys()
    save_versioned(person, expected_version, [*fields, "kana_key", "name_key"])
    record(actor=actor.user, office=actor.office, action="person.update",
           kind=AuditEvent.Kind.UPDATE, target=person, person=person,
           before=before, after=snapshot(person, fields))
    return person


# ---------------------------------------------------------------- person parts


def _part_fields(model: type[models.Model], data: dict[str, Any]) -> list[str]:
    # Names or column names (an API sends ``based_on_id``, a form ``based_on``).
    names = {n for f in model._meta.concrete_fields for n in (f.name, f.attname)}
    return [k for k in data if k in names and k not in _NOT_DATA]


def _check_part(actor: Membership, model: type[models.Model], obj: models.Model) -> None:
    pair = _DATE_ORDER.get(model)
    if pair is not None:
        start, end = getattr(obj, pair[0]), getattr(obj, pair[1])
        if start and end and end < start:
            raise ValidationFailed("終了日が開始日より前です。", field=pair[1])
    if isinstance(obj, HospitalStay) and obj.hospital_id is not None and not (
        PartnerOrganisation.objects.filter(pk=obj.hospital_id, office=actor.office).exists()
    ):
        raise ValidationFailed("この事務所の医療機関を選んでください。", field="hospital")
    if isinstance(obj, MedicalEvidence):
        _check_evidence(obj)


def _check_evidence(obj: MedicalEvidence) -> None:
    """A medical document or consultation happened (no future date), its next due date is not
    before it, and a 嘱託医協議 discusses evidence of the same person, dated no later."""
    clock.not_after_today(obj.issued_on, field="issued_on", what="根拠の日付")
    if obj.next_due_on is not None and obj.issued_on and obj.next_due_on < obj.issued_on:
        raise ValidationFailed("次回の期限が日付より前です。", code="evidence.due_before_issue",
                               field="next_due_on")
    if obj.based_on_id is not None:
        base = MedicalEvidence.objects.filter(pk=obj.based_on_id).values_list(
            "person_id", "issued_on").first()
        if base is None or base[0] != obj.person_id or obj.based_on_id == obj.pk:
            raise ValidationFailed("同じ人の、別の医学的な根拠を選んでください。",
                                   code="evidence.based_on", field="based_on")
        if obj.issued_on and base[1] > obj.issued_on:
            raise ValidationFailed("協議の基にした資料がこの記録より後の日付です。",
                                   code="evidence.based_on", field="based_on")
    if obj.kind != MedicalEvidence.Kind.CONSULTATION and obj.based_on_id is not None:
        raise ValidationFailed("協議の基にした資料は嘱託医協議のときに選びます。",
                               code="evidence.based_on", field="based_on")


def _audit_fields(obj: models.Model) -> list[str]:
    return [f.attname for f in obj._meta.concrete_fields if f.attname not in _NOT_DATA]


@transaction.atomic
def part_create(*, actor: Membership, person: Person, kind: str, data: dict[str, Any]) -> models.Model:
    """Add a disability, illness, hospital stay … (``kind`` is a key of PART_KINDS)."""
    _guard(actor, "person.edit")
    spec = PART_KINDS[kind]
    if person.office_id != actor.office.pk:
        raise ValidationFailed("対象が見つかりません。")
    values = {k: data[k] for k in _part_fields(spec.model, data)}
    if spec.model is WorkCapacityAssessment:
        values.setdefault("assessed_by", actor.user)
    if spec.model is MedicalEvidence:
        values["recorded_by"] = actor.user
        if values.get("next_due_on") is None:  # the kind's validity in this office
            values["next_due_on"] = evidence.default_due_on(actor.office, values.get("kind", ""),
                                                            values.get("issued_on"))
    obj = spec.model(person=person, **values)
    _check_part(actor, spec.model, obj)
    obj.save()
    record(actor=actor.user, office=actor.office, action=f"{spec.action}.create",
           kind=AuditEvent.Kind.CREATE, target=obj, person=person,
           after=snapshot(obj, _audit_fields(obj)))
    return obj


@transaction.atomic
def part_update(*, actor: Membership, part: Any, expected_version: int,
                data: dict[str, Any]) -> Any:
    """Change a person part; a stale ``expected_version`` raises StaleEdit."""
    _guard(actor, "person.edit")
    spec = next(k for k in PART_KINDS.values() if isinstance(part, k.model))
    fields = _part_fields(spec.model, data)
    attnames = _audit_fields(part)
    before = snapshot(part, attnames)
    for f in fields:
        setattr(part, f, data[f])
    _check_part(actor, spec.model, part)
    save_versioned(part, expected_version, fields)
    record(actor=actor.user, office=actor.office, action=f"{spec.action}.update",
           kind=AuditEvent.Kind.UPDATE, target=part, person=part.person,
           before=before, after=snapshot(part, attnames))
    return part


@transaction.atomic
def stays_discharge(*, actor: Membership, person: Person, on: dt.date,
                    destination: str = "") -> list[HospitalStay]:
    """A discharge (退院) recorded elsewhere — a program's 退院 outcome — closes the
    person's open hospital stays admitted on or before ``on`` (退院日 = ``on``), so the
    person no longer counts as an inpatient. The caller's service checks its own
    permission; each closed stay is audited in the person's history."""
    if person.office_id != actor.office.pk:
        raise ValidationFailed("対象が見つかりません。")
    closed = []
    stays = HospitalStay.objects.select_for_update().filter(
        person=person, discharged_on__isnull=True, admitted_on__lte=on)
    for stay in stays:
        attnames = _audit_fields(stay)
        before = snapshot(stay, attnames)
        stay.discharged_on = on
        fields = ["discharged_on"]
        if destination in HospitalStay.Destination.values and not stay.destination:
            stay.destination = destination
            fields.append("destination")
        save_versioned(stay, stay.version, fields)
        record(actor=actor.user, office=actor.office, action="hospital_stay.discharge",
               kind=AuditEvent.Kind.UPDATE, target=stay, person=person,
               before=before, after=snapshot(stay, attnames), note="退院の成果の記録による")
        closed.append(stay)
    return closed


@transaction.atomic
def part_delete(*, actor: Membership, part: Any, expected_version: int | None = None) -> None:
    """Remove a person part. The audit row keeps what it said."""
    _guard(actor, "person.edit")
    spec = next(k for k in PART_KINDS.values() if isinstance(part, k.model))
    if expected_version is not None and type(part)._base_manager.filter(
        pk=part.pk, version=expected_version
    ).count() != 1:
        raise StaleEdit()
    before = snapshot(part, _audit_fields(part))
    person = part.person
    record(actor=actor.user, office=actor.office, action=f"{spec.action}.delete",
           kind=AuditEvent.Kind.DELETE, target=part, person=person, before=before, after={})
    part.delete()


# ---------------------------------------------------------------- evidence validity


@transaction.atomic
def evidence_validity_update(*, actor: Membership, months: dict[str, int | None]) -> None:
    """Set the office's validity (months until the next one is due) per kind of medical
    evidence; None goes back to the default. Audited as one office settings change."""
    if not actor.can("casework.settings"):
        raise Forbidden()
    before = evidence.validity_table(actor.office)
    for kind, value in months.items():
        if kind not in MedicalEvidence.Kind.values:
            raise ValidationFailed("根拠の種類が正しくありません。", code="evidence.kind",
                                   field=f"validity_{kind}")
        if value is not None and not 0 <= value <= 60:
            raise ValidationFailed("0〜60か月で入力してください（0は期限なし）。",
                                   code="evidence.validity", field=f"validity_{kind}")
        if value is None:
            EvidenceValidity.objects.filter(office=actor.office, kind=kind).delete()
        else:
            EvidenceValidity.objects.update_or_create(office=actor.office, kind=kind,
                                                      defaults={"months": value})
    after = evidence.validity_table(actor.office)
    record(actor=actor.user, office=actor.office, action="evidence_validity.update",
           kind=AuditEvent.Kind.UPDATE, before=before, after=after)
