"""Writes for 清洲's flow after the first interview: the route decision, the advice that comes
before 指導指示, and the 阻害要因の解消 tracked as steps. Guard → change → audit row, one
transaction; the route comes from the one rule in ``work_capacity``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiritsu.activities.models import WorkBarrier, WorkBarrierStep, WorkRouteDecision
from jiritsu.activities.work_capacity import (
    ADVICE,
    ADVICE_TEXT,
    PATHS,
    SEED_STEPS,
    current_decision,
    is_routed,
    route_state,
)
from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.services.enrollments import enrollment_set_menus, last_event_date
from jiritsu.cases.services.records import record_create
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.guards import require as _require
from jiritsu.offices.guards import same_office as _same_office
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person

Route = WorkRouteDecision.Route




def _audit(actor: Membership, action: str, kind: str, target: Any, person: Any,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    record(actor=actor.user, office=actor.office, action=action, kind=kind, target=target,
           person=person, before=before, after=after)


# --- the route ----------------------------------------------------------------------------

@transaction.atomic
def work_route_decide(*, actor: Membership, enrollment: Enrollment, decided_on: dt.date,
                      route: str, reason: str = "") -> WorkRouteDecision:
    """Decide which path the episode takes after the first interview. The rule's suggestion
    and its reasons are kept with the decision; another route needs ``reason``. In a selected
    or active episode the path menu follows (cases' menu change, dated the decision or the
    episode's last event, whichever is later)."""
    _require(actor, "enrollment.manage")
    _same_office(actor, enrollment)
    program = enrollment.program
    if not is_routed(program):
        raise ValidationFailed(f"「{program.name}」は初回面接の結果で振り分けるプログラムではありません。",
                               code="work_route.not_routed", field="enrollment")
    if enrollment.status == Enrollment.Status.ENDED:
        raise IllegalTransition("終了した参加は振り分けられません。", code="work_route.episode_ended",
                                field="enrollment")
    if decided_on is None:
        raise ValidationFailed("振り分けの決定日を入力してください。", field="decided_on")
    not_after_today(decided_on, field="decided_on", what="振り分けの決定日")
    if route not in Route.values:
        raise ValidationFailed("振り分けを選んでください。", field="route")
    previous = current_decision(enrollment)
    if previous is not None and decided_on < previous.decided_on:
        raise IllegalTransition(
            f"決定日（{format_wareki(decided_on)}）が前回の振り分け（{format_wareki(previous.decided_on)}）"
            "より前です。", code="work_route.before_previous", field="decided_on")
    state = route_state(enrollment, decided_on)
    if state.findings.assessment is None:
        raise IllegalTransition(
            f"{format_wareki(decided_on)}までに初回面接（稼働能力の評価）が記録されていません。"
            "面接で就労阻害要因と本人の能力を把握し、稼働能力の評価を記録してから振り分けます。",
            code="work_route.no_interview", field="decided_on")
    reason = (reason or "").strip()
    suggested = state.suggestion.route
    if route != suggested and not reason:
        raise ValidationFailed(
            f"面接の結果からは「{state.suggestion.label}」です。「{Route(route).label}」とする理由を"
            "入力してください。", code="work_route.reason_required", field="reason")
    decision = WorkRouteDecision.objects.create(
        office=actor.office, enrollment=enrollment, assessment=state.findings.assessment,
        decided_on=decided_on, route=route, suggested=suggested or "",
        reasons=list(state.suggestion.reasons), override_reason=reason,
        findings=state.findings.as_data(), decided_by=actor.user)
    _audit(actor, "work_route.decide", AuditEvent.Kind.CREATE, decision, enrollment.person,
           before={"route": previous.route} if previous else None,
           after={"route": route, "suggested": suggested, "reason": reason,
                  "decided_on": decided_on, "enrollment": enrollment.pk})
    _menus_follow(actor, enrollment, decision)
    return decision


def _menus_follow(actor: Membership, enrollment: Enrollment, decision: WorkRouteDecision) -> None:
    if enrollment.status not in (Enrollment.Status.SELECTED, Enrollment.Status.ACTIVE):
        return  # a candidate holds no menus yet; its start may name the decided path
    held = list(enrollment.menus.all())
    keep = [m for m in held if m.name not in PATHS]
    path = (enrollment.program.menus.filter(name=Route(decision.route).label).first()
            if decision.route != Route.NOT_INTRODUCED else None)
    menus = keep + ([path] if path is not None else [])
    if {m.pk for m in menus} == {m.pk for m in held}:
        return
    last = last_event_date(enrollment)
    on = max(decision.decided_on, last) if last else decision.decided_on
    enrollment_set_menus(actor=actor, enrollment=enrollment, menus=menus, on=on,
                         note=f"振り分け：{decision.get_route_display()}")


@transaction.atomic
def work_advice_record(*, actor: Membership, person: Person, on: dt.date, kind: str, text: str,
                       enrollment: Enrollment | None = None) -> ActivityRecord:
    """就労意欲の喚起のための相談助言・生活保護の趣旨説明, given at a home visit or an office
    interview: a progress record (経過記録) the route rule reads — 指導指示 follows only
    when the will to work is still missing at an interview after it."""
    if kind not in ActivityRecord.LIFE_CHECK_KINDS:
        raise ValidationFailed("相談助言は家庭訪問か来所面接の記録にします。", field="kind")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("相談助言・趣旨説明の内容を入力してください。", field="text")
    return record_create(actor=actor, person=person, enrollment=enrollment, values={
        "occurred_at": on, "kind": kind, "text": f"{ADVICE_TEXT}：{text}",
        "data": {ADVICE: True}})


# --- 阻害要因の解消 ---------------------------------------------------------------------------

_BARRIER_FIELDS = ["kind", "detail", "found_on", "status", "status_on", "status_note"]
_STEP_FIELDS = ["action", "planned_on", "done_on", "result"]


def _step_dates(barrier: WorkBarrier, planned_on: dt.date | None,
                done_on: dt.date | None) -> None:
    not_after_today(done_on, field="done_on", what="実施日")
    for day, name, label in ((planned_on, "planned_on", "予定日"), (done_on, "done_on", "実施日")):
        if day is not None and day < barrier.found_on:
            raise ValidationFailed(
                f"{label}（{format_wareki(day)}）が阻害要因を把握した日（{format_wareki(barrier.found_on)}）"
                "より前です。", code="work_barrier.before_found", field=name)


@transaction.atomic
def work_barrier_add(*, actor: Membership, person: Person, kind: str, found_on: dt.date,
                     detail: str = "", enrollment: Enrollment | None = None,
                     first_step: str | None = None,
                     planned_on: dt.date | None = None) -> WorkBarrier:
    """Record a barrier the interview (or support) found. Its first step is the seed's for
    the kind (傷病⇒主治医同行訪問等 …) unless ``first_step`` names another ("" for none)."""
    _require(actor, "plan.write")
    _same_office(actor, person, enrollment)
    if kind not in WorkBarrier.Kind.values:
        raise ValidationFailed("阻害要因の種類を選んでください。", field="kind")
    if found_on is None:
        raise ValidationFailed("把握した日を入力してください。", field="found_on")
    not_after_today(found_on, field="found_on", what="把握した日")
    if enrollment is not None and enrollment.person_id != person.pk:
        raise ValidationFailed("この方の参加を選んでください。", field="enrollment")
    barrier = WorkBarrier.objects.create(
        office=actor.office, person=person, enrollment=enrollment, kind=kind,
        detail=(detail or "").strip(), found_on=found_on, status_on=found_on,
        created_by=actor.user)
    action = (SEED_STEPS[kind][1] if first_step is None else first_step).strip()
    after = snapshot(barrier, _BARRIER_FIELDS)
    if action:
        _step_dates(barrier, planned_on, None)
        step = WorkBarrierStep.objects.create(barrier=barrier, action=action,
                                              planned_on=planned_on, recorded_by=actor.user)
        after["first_step"] = step.action
    _audit(actor, "work_barrier.create", AuditEvent.Kind.CREATE, barrier, person, after=after)
    return barrier


@transaction.atomic
def work_barrier_judge(*, actor: Membership, barrier: WorkBarrier, status: str, on: dt.date,
                       expected_version: int, note: str = "") -> WorkBarrier:
    """Say where the barrier stands: still in the way (解消に取り組み中), little in the way
    (「就労阻害要因がないか少ない」), removed (解消した) or no legitimate reason for not
    working (正当な理由にならない — with its grounds, e.g. the doctor's 就労可)."""
    _require(actor, "plan.write")
    _same_office(actor, barrier)
    S = WorkBarrier.Status
    if status not in S.values:
        raise ValidationFailed("状況を選んでください。", field="status")
    if on is None:
        raise ValidationFailed("判断した日を入力してください。", field="on")
    not_after_today(on, field="on", what="判断した日")
    if on < barrier.found_on:
        raise ValidationFailed(
            f"判断した日（{format_wareki(on)}）が把握した日（{format_wareki(barrier.found_on)}）より前です。",
            code="work_barrier.before_found", field="on")
    note = (note or "").strip()
    if status in (S.NOT_UPHELD, S.MINOR) and not note:
        raise ValidationFailed(
            f"「{S(status).label}」と判断した根拠（主治医の意見、面接で確認したことなど）を入力してください。",
            code="work_barrier.grounds_required", field="note")
    before = snapshot(barrier, _BARRIER_FIELDS)
    barrier.status, barrier.status_on, barrier.status_note = status, on, note
    save_versioned(barrier, expected_version, ["status", "status_on", "status_note"])
    _audit(actor, "work_barrier.status", AuditEvent.Kind.UPDATE, barrier, barrier.person,
           before=before, after=snapshot(barrier, _BARRIER_FIELDS))
    return barrier


@transaction.atomic
def work_barrier_step_add(*, actor: Membership, barrier: WorkBarrier, action: str,
                          planned_on: dt.date | None = None, done_on: dt.date | None = None,
                          result: str = "") -> WorkBarrierStep:
    """A step to remove the barrier, planned and/or done."""
    _require(actor, "plan.write")
    _same_office(actor, barrier)
    if barrier.settled:
        raise IllegalTransition(
            f"この阻害要因は「{barrier.get_status_display()}」と判断済みです。手立てを加えるときは、"
            "先に状況を「解消に取り組み中」に戻してください。", code="work_barrier.settled",
            field="action")
    action = (action or "").strip()
    if not action:
        raise ValidationFailed("手立てを入力してください。", field="action")
    _step_dates(barrier, planned_on, done_on)
    step = WorkBarrierStep.objects.create(barrier=barrier, action=action, planned_on=planned_on,
                                          done_on=done_on, result=(result or "").strip(),
                                          recorded_by=actor.user)
    _audit(actor, "work_barrier_step.create", AuditEvent.Kind.CREATE, step, barrier.person,
           after=snapshot(step, _STEP_FIELDS))
    return step


@transaction.atomic
def work_barrier_step_update(*, actor: Membership, step: WorkBarrierStep, expected_version: int,
                             data: dict[str, Any]) -> WorkBarrierStep:
    """Record that a step was done (実施日, 結果) or change its plan."""
    _require(actor, "plan.write")
    barrier = step.barrier
    _same_office(actor, barrier)
    values = {k: data[k] for k in _STEP_FIELDS if k in data}
    if "action" in values:
        values["action"] = (values["action"] or "").strip()
        if not values["action"]:
            raise ValidationFailed("手立てを入力してください。", field="action")
    if "result" in values:
        values["result"] = (values["result"] or "").strip()
    _step_dates(barrier, values.get("planned_on", step.planned_on),
                values.get("done_on", step.done_on))
    before = snapshot(step, _STEP_FIELDS)
    for k, v in values.items():
        setattr(step, k, v)
    save_versioned(step, expected_version, list(values))
    _audit(actor, "work_barrier_step.update", AuditEvent.Kind.UPDATE, step, barrier.person,
           before=before, after=snapshot(step, _STEP_FIELDS))
    return step
