"""Writes of the caseworker's day: plan and record visits, confirm records (供覧), the
office's settings, saved filters, notices and the digest opt-in. Each is guard → change →
audit row in one transaction; the visit's 経過記録 is written by the records service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse

from jiritsu.audit.log import record as audit_record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord
from jiritsu.cases.services import record_create
from jiritsu.casework import confirm as confirm_reads
from jiritsu.casework.models import (
    CaseworkSettings,
    Confirmation,
    DigestPreference,
    GradeInterval,
    Notice,
    PlannedVisit,
    SavedFilter,
    SupervisorAssignment,
)
from jiritsu.casework.visits import head_of
from jiritsu.core import clock
from jiritsu.core.errors import IllegalTransition, NotFound, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.guards import require as _require
from jiritsu.offices.guards import same_office as _same_office
from jiritsu.offices.models import Membership, User
from jiritsu.people.models import Household, VisitGrade

Kind = AuditEvent.Kind




def _audit(actor: Membership, action: str, kind: str, target: Any, **kw: Any) -> None:
    audit_record(actor=actor.user, office=actor.office, action=action, kind=kind,
                 target=target, **kw)


# --- visit plans ---------------------------------------------------------------------------


@transaction.atomic
def visit_plan(*, actor: Membership, household: Household, planned_on: dt.date,
               note: str = "") -> PlannedVisit:
    """Plan a home visit to ``household`` on a day (today or later), one per day."""
    _require(actor, "visit.plan")
    _same_office(actor, household)
    if household.assistance_ended_on is not None:
        raise IllegalTransition("保護が廃止された世帯には訪問を計画できません。",
                                code="visit.household_ended", field="household")
    if planned_on < clock.today():
        raise ValidationFailed("訪問予定日は今日以降の日付を入力してください。",
                               code="visit.date_past", field="planned_on")
    if PlannedVisit.objects.filter(household=household, planned_on=planned_on,
                                   record__isnull=True, cancelled_on__isnull=True).exists():
        raise ValidationFailed("この世帯にはこの日の訪問予定がすでにあります。",
                               code="visit.duplicate", field="planned_on")
    visit = PlannedVisit.objects.create(
        office=actor.office, household=household, planned_on=planned_on,
        caseworker=household.caseworker or actor.user, note=note.strip()[:200],
        created_by=actor.user)
    _audit(actor, "visit.plan", Kind.CREATE, visit,
           after={"household_id": household.pk, "planned_on": planned_on.isoformat()})
    return visit


@transaction.atomic
def visit_cancel(*, actor: Membership, visit: PlannedVisit) -> PlannedVisit:
    _require(actor, "visit.plan")
    _same_office(actor, visit)
    if not visit.is_open:
        raise IllegalTransition("記録済みまたは取りやめた訪問予定です。", code="visit.closed")
    visit.cancelled_on = clock.today()
    visit.version += 1
    visit.save(update_fields=["cancelled_on", "version"])
    _audit(actor, "visit.cancel", Kind.UPDATE, visit,
           changes={"cancelled_on": [None, visit.cancelled_on.isoformat()]})
    return visit


@transaction.atomic
def visit_record(*, actor: Membership, visit: PlannedVisit, values: dict[str, Any],
                 expected_version: int) -> ActivityRecord:
    """Record the planned visit: the 経過記録 (家庭訪問, about the household's head) is
    written by the records service, and the plan points to it."""
    _require(actor, "visit.plan")
    _same_office(actor, visit)
    visit = PlannedVisit.objects.select_for_update().get(pk=visit.pk)
    if not visit.is_open:
        raise IllegalTransition("記録済みまたは取りやめた訪問予定です。", code="visit.closed")
    person = head_of([visit.household_id]).get(visit.household_id)
    if person is None:
        raise IllegalTransition("世帯員のいない世帯です。", code="visit.no_members")
    rec = record_create(actor=actor, person=person,
                        values={**values, "kind": ActivityRecord.Kind.HOME_VISIT})
    visit.record = rec
    save_versioned(visit, expected_version, ["record"])
    _audit(actor, "visit.record", Kind.UPDATE, visit, person=person,
           changes={"record_id": [None, rec.pk]})
    return rec


# --- 供覧 ----------------------------------------------------------------------------------


@transaction.atomic
def records_confirm(*, actor: Membership, records: Sequence[ActivityRecord], outcome: str,
                    comment: str = "") -> list[Confirmation]:
    """Confirm (確認) or ask for an addition (追記依頼) on records waiting for this
    supervisor — one, or a page at a time. All or nothing."""
    _require(actor, "record.confirm")
    if outcome not in Confirmation.Outcome.values:
        raise ValidationFailed("確認か追記依頼かを選んでください。", code="confirm.outcome",
                               field="outcome")
    comment = comment.strip()
    if outcome == Confirmation.Outcome.ADDITION and not comment:
        raise ValidationFailed("追記を依頼する内容を入力してください。",
                               code="confirm.comment_required", field="comment")
    if not records:
        raise ValidationFailed("確認する記録を選んでください。", code="confirm.none",
                               field="records")
    waiting = set(confirm_reads.confirm_queue(actor).filter(pk__in=[r.pk for r in records])
                  .values_list("pk", flat=True))
    for r in records:
        _same_office(actor, r)
        if r.pk not in waiting:
            raise IllegalTransition("供覧待ちではない記録が含まれています（確認済み、または担当外）。",
                                    code="confirm.not_waiting", field="records")
    out = []
    for r in records:
        c = Confirmation.objects.create(office=actor.office, record=r, record_version=r.version,
                                        outcome=outcome, comment=comment,
                                        confirmed_by=actor.user)
        out.append(c)
        _audit(actor, "record.confirm", Kind.CREATE, c, person=r.person,
               after={"record_id": r.pk, "record_version": r.version, "outcome": outcome})
        if outcome == Confirmation.Outcome.ADDITION:
            Notice.objects.create(office=actor.office, user_id=r.author_id,
                                  kind=Notice.Kind.ADDITION_REQUESTED,
                                  text="経過記録に追記の依頼があります。",
                                  url=reverse("casework:my_records"))
    return out


# --- the office's settings -----------------------------------------------------------------


@transaction.atomic
def settings_update(*, actor: Membership, values: dict[str, Any], expected_version: int,
                    intervals: dict[int, int | None]) -> None:
    """``values``: event_visit_days, confirm_kinds, confirm_from, digest_enabled,
    digest_base_url. ``intervals``: grade id → months (None: the grade's own frequency)."""
    _require(actor, "casework.settings")
    obj, _ = CaseworkSettings.objects.get_or_create(office=actor.office)
    kinds = [k for k in values.get("confirm_kinds", obj.confirm_kinds)
             if k in ActivityRecord.Kind.values]
    days = values.get("event_visit_days", obj.event_visit_days)
    if not isinstance(days, int) or not 1 <= days <= 90:
        raise ValidationFailed("1〜90日で入力してください。", code="settings.event_days",
                               field="event_visit_days")
    url = str(values.get("digest_base_url", obj.digest_base_url)).strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ValidationFailed("http:// または https:// で始まるURLを入力してください。",
                               code="settings.base_url", field="digest_base_url")
    grades = {g.pk: g for g in VisitGrade.objects.filter(office=actor.office)}
    for gid, months in intervals.items():
        if gid not in grades:
            raise NotFound()
        if months is not None and not 1 <= months <= 24:
            raise ValidationFailed("訪問間隔は1〜24か月で入力してください。",
                                   code="settings.interval", field=f"grade_{gid}")
    before = {"event_visit_days": obj.event_visit_days, "confirm_kinds": obj.confirm_kinds,
              "digest_enabled": obj.digest_enabled}
    obj.event_visit_days, obj.confirm_kinds = days, kinds
    obj.confirm_from = values.get("confirm_from") or obj.confirm_from
    obj.digest_enabled = bool(values.get("digest_enabled", obj.digest_enabled))
    obj.digest_base_url = url
    save_versioned(obj, expected_version, ["event_visit_days", "confirm_kinds", "confirm_from",
                                           "digest_enabled", "digest_base_url"])
    for gid, months in intervals.items():
        if months is None:
            GradeInterval.objects.filter(grade_id=gid).delete()
        else:
            GradeInterval.objects.update_or_create(
                grade_id=gid, defaults={"office": actor.office, "interval_months": months})
    _audit(actor, "casework.settings", Kind.UPDATE, obj, before=before,
           after={"event_visit_days": days, "confirm_kinds": kinds,
                  "digest_enabled": obj.digest_enabled,
                  "intervals": {str(k): v for k, v in intervals.items()}})


@transaction.atomic
def supervisor_assign(*, actor: Membership, caseworker: User, supervisor: User | None) -> None:
    """Send a caseworker's records to one supervisor (None: to every supervisor)."""
    _require(actor, "casework.settings")
    office = actor.office
    if caseworker.pk not in confirm_reads.office_caseworkers(office):
        raise NotFound()
    if supervisor is not None and not any(
            m.can("record.confirm") for m in Membership.objects.filter(
                office=office, user=supervisor, is_active=True)):
        raise ValidationFailed("供覧先には査察指導員を選んでください。",
                               code="settings.supervisor", field="supervisor")
    old = SupervisorAssignment.objects.filter(office=office, caseworker=caseworker).first()
    if supervisor is None:
        if old is not None:
            old.delete()
    else:
        SupervisorAssignment.objects.update_or_create(
            office=office, caseworker=caseworker, defaults={"supervisor": supervisor})
    _audit(actor, "casework.assign", Kind.UPDATE, caseworker,
           changes={"supervisor_id": [old.supervisor_id if old else None,
                                      supervisor.pk if supervisor else None]})


# --- saved filters, notices, digest opt-in -------------------------------------------------


@transaction.atomic
def filter_save(*, actor: Membership, name: str, params: dict[str, Any]) -> SavedFilter:
    _require(actor, "worklist.view")
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationFailed("名前を50文字以内で入力してください。", code="filter.name",
                               field="name")
    obj, _ = SavedFilter.objects.update_or_create(office=actor.office, user=actor.user,
                                                  name=name, defaults={"params": params})
    _audit(actor, "worklist.filter_save", Kind.CREATE, obj, after={"params": params})
    return obj


@transaction.atomic
def filter_delete(*, actor: Membership, saved: SavedFilter) -> None:
    _require(actor, "worklist.view")
    if saved.office_id != actor.office_id or saved.user_id != actor.user_id:
        raise NotFound()
    _audit(actor, "worklist.filter_delete", Kind.DELETE, saved)
    saved.delete()


@transaction.atomic
def notices_read(*, actor: Membership, ids: Sequence[int] | None = None) -> int:
    """Mark one's own notices read (all unread ones when ``ids`` is None)."""
    qs = Notice.objects.filter(office=actor.office, user=actor.user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=clock.now())


@transaction.atomic
def digest_opt(*, actor: Membership, enabled: bool) -> DigestPreference:
    """Opt in to (or out of) the morning digest; it goes to the account's e-mail address."""
    if enabled and not actor.user.email:
        raise ValidationFailed("メールアドレスが登録されていません。管理者に登録を依頼してください。",
                               code="digest.no_email", field="enabled")
    obj, _ = DigestPreference.objects.update_or_create(
        office=actor.office, user=actor.user, defaults={"enabled": enabled})
    _audit(actor, "digest.opt", Kind.UPDATE, obj, changes={"enabled": [not enabled, enabled]})
    return obj
