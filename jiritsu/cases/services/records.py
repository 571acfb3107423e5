"""経過記録: visits, interviews, calls, accompaniments … written by caseworkers, support
staff and partner organisations (partners only for people referred to them with consent)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.access import partner_may_record
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.core import clock
from jiritsu.core.errors import NotFound, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.offices.permissions import is_partner
from jiritsu.people.models import Person

RECORD_FIELDS = ["occurred_at", "time_known", "kind", "text", "duration_minutes", "systolic_bp",
                 "diastolic_bp", "weight_kg", "data", "life_check"]


def _when(values: dict[str, Any], current: ActivityRecord | None = None) -> dict[str, Any]:
    """Normalise a record's moment: ``occurred_at`` given as a date alone (or with
    ``time_known`` false) is a record without a time of day, kept as the start of that day in
    Japan time; an aware or naive datetime (naive = Japan time) is a record with its time."""
    if "occurred_at" not in values and "time_known" not in values:
        return values
    occurred_at = values.get("occurred_at", current.occurred_at if current else None)
    if isinstance(occurred_at, dt.datetime):
        time_known = bool(values.get("time_known", "occurred_at" in values
                                     or (current is not None and current.time_known)))
        moment = clock.to_japan(occurred_at)
    elif isinstance(occurred_at, dt.date):
        time_known, moment = False, dt.datetime.combine(occurred_at, dt.time(0),
                                                        tzinfo=clock.JAPAN)
    else:
        raise ValidationFailed("日付を入力してください。", field="occurred_at")
    if not time_known:
        moment = dt.datetime.combine(moment.date(), dt.time(0), tzinfo=clock.JAPAN)
    return {**values, "occurred_at": moment, "time_known": time_known}


def _check(actor: Membership, person: Person, enrollment: Enrollment | None,
           values: dict[str, Any], staff: list[Any], partners: list[PartnerOrganisation]) -> None:
    same_office(actor, person, enrollment, *partners)
    if enrollment is not None and enrollment.person_id != person.pk:
        raise ValidationFailed("この方の参加記録を選んでください。", field="enrollment")
    if is_partner(actor) and not partner_may_record(actor, person, enrollment):
        # Same answer as a missing person: a partner must not learn who else is on file.
        raise NotFound()
    if values.get("kind") not in ActivityRecord.Kind.values:
        raise ValidationFailed("記録の種別を選んでください。", field="kind")
    if not str(values.get("text") or "").strip():
        raise ValidationFailed("内容を入力してください。", field="text")
    occurred_at = values.get("occurred_at")
    if not isinstance(occurred_at, dt.datetime):
        raise ValidationFailed("日付を入力してください。", field="occurred_at")
    # Something that happened: any time of today is accepted, whatever the hour now.
    clock.not_after_today(occurred_at, field="occurred_at", what="記録の日付")
    life = values.get("life_check") or ""
    if life and life not in ActivityRecord.LifeCheck.values:
        raise ValidationFailed("退院後の生活状況を一覧から選んでください。", field="life_check")
    if (life in (ActivityRecord.LifeCheck.SETTLED, ActivityRecord.LifeCheck.UNSETTLED)
            and values.get("kind") not in ActivityRecord.LIFE_CHECK_KINDS):
        raise ValidationFailed("生活状況の確認は、家庭訪問または来所面接の記録で入力してください。",
                               field="life_check", code="life_check_needs_visit")
    s, d = values.get("systolic_bp"), values.get("diastolic_bp")
    if (s is None) != (d is None):
        raise ValidationFailed("血圧は最高・最低の両方を入力してください。", field="systolic_bp")
    if s is not None and d is not None and not (40 <= d < s <= 300):
        raise ValidationFailed("血圧の値を確認してください（最低血圧 < 最高血圧）。", field="systolic_bp")
    w = values.get("weight_kg")
    if w is not None and not (decimal.Decimal("1") <= decimal.Decimal(str(w)) <= 500):
        raise ValidationFailed("体重の値を確認してください。", field="weight_kg")
    for u in staff:
        if not Membership.objects.filter(user=u, office_id=actor.office_id,
                                         is_active=True).exists():
            raise ValidationFailed("同席職員は同じ事務所の職員から選んでください。",
                                   field="staff_present")


@transaction.atomic
def record_create(*, actor: Membership, person: Person, values: dict[str, Any],
                  enrollment: Enrollment | None = None, staff_present: list[Any] | None = None,
                  partners_present: list[PartnerOrganisation] | None = None) -> ActivityRecord:
    """``values``: occurred_at (a datetime, or a date alone for a record without a time of
    day), kind, text, duration_minutes, systolic_bp, diastolic_bp, weight_kg, data, life_check
    (what a visit or interview says of the person's life after a discharge)."""
    require(actor, "record.write")
    values = _when(values)
    staff = list(staff_present or [])
    partners = list(partners_present or [])
    _check(actor, person, enrollment, values, staff, partners)
    clean = {k: values[k] for k in RECORD_FIELDS if values.get(k) is not None}
    rec = ActivityRecord.objects.create(
        office=actor.office, person=person, enrollment=enrollment, author=actor.user,
        author_partner=actor.partner if is_partner(actor) else None, **clean)
    if staff:
        rec.staff_present.set(staff)
    if partners:
        rec.partners_present.set(partners)
    audit(actor, "record.create", Kind.CREATE, rec, person=person,
          after={**snapshot(rec, ["enrollment_id", "occurred_at", "time_known", "kind",
                                      "duration_minutes"]),
                 "staff_present": [u.pk for u in staff],
                 "partners_present": [p.pk for p in partners]})
    return rec


@transaction.atomic
def record_update(*, actor: Membership, record: ActivityRecord, expected_version: int,
                  values: dict[str, Any], staff_present: list[Any] | None = None,
                  partners_present: list[PartnerOrganisation] | None = None) -> ActivityRecord:
    """Correct a record (only its author, or staff of the office for staff-written ones)."""
    require(actor, "record.write")
    same_office(actor, record)
    if is_partner(actor) and record.author_partner_id != actor.partner_id:
        raise NotFound()
    values = _when(values, record)
    merged = {k: getattr(record, k) for k in RECORD_FIELDS} | values
    staff = list(staff_present) if staff_present is not None else list(record.staff_present.all())
    partners = (list(partners_present) if partners_present is not None
                else list(record.partners_present.all()))
    _check(actor, record.person, record.enrollment, merged, staff, partners)
    before = snapshot(record, RECORD_FIELDS)
    changed = [k for k in RECORD_FIELDS if k in values]
    for k in changed:
        setattr(record, k, values[k])
    save_versioned(record, expected_version, changed or ["text"])
    if staff_present is not None:
        record.staff_present.set(staff)
    if partners_present is not None:
        record.partners_present.set(partners)
    audit(actor, "record.update", Kind.UPDATE, record, person=record.person, before=before,
          after=snapshot(record, RECORD_FIELDS))
    return record
