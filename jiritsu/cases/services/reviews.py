"""見直し・評価. A review records the evaluation, goal levels and the decision; the decision
moves the episode through the same transition services. What is *due* is derived
(see ``selectors.review_due``), never stored as a to-do list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import (
    Achievement,
    ApprovalRequest,
    Conference,
    Enrollment,
    GoalAssessment,
    Review,
)
from jiritsu.cases.services import enrollments as E
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.core.wareki import add_months, format_wareki
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership
from jiritsu.programs.models import Phase


@transaction.atomic
def review_create(*, actor: Membership, enrollment: Enrollment, reviewed_on: dt.date,
                  evaluation: str, decision: str, next_due_on: dt.date | None = None,
                  goal_levels: dict[int, str] | None = None,
                  conference: Conference | None = None, extend_until: dt.date | None = None,
                  phase: Phase | None = None) -> tuple[Review, ApprovalRequest | None]:
    """Record a review of an active episode and carry out its decision:
    continue (next date: given or one interval on), extend, change_phase, achieved, stop.
    Returns the review and, when the decision needs 決裁, the approval request."""
    require(actor, "review.write")
    same_office(actor, enrollment)
    if enrollment.status != Enrollment.Status.ACTIVE:
        raise IllegalTransition("見直しは参加中の方についてのみ記録できます。",
                                code="review_not_active", field="reviewed_on")
    if decision not in Review.Decision.values:
        raise ValidationFailed("判断を選んでください。", field="decision")
    if not evaluation.strip():
        raise ValidationFailed("評価を入力してください。", field="evaluation")
    not_after_today(reviewed_on, field="reviewed_on", what="見直しの実施日")
    if enrollment.started_on and reviewed_on < enrollment.started_on:
        raise ValidationFailed(
            f"実施日が支援開始日（{format_wareki(enrollment.started_on)}）より前です。",
            field="reviewed_on")
    interval = E.terms(enrollment)["review_interval_months"] or 3
    if decision in (Review.Decision.CONTINUE, Review.Decision.EXTEND,
                    Review.Decision.CHANGE_PHASE):
        next_due_on = next_due_on or add_months(reviewed_on, interval)
        if next_due_on <= reviewed_on:
            raise ValidationFailed("次回見直し予定日は実施日より後にしてください。", field="next_due_on")
    else:
        next_due_on = None
    plan = enrollment.plans.order_by("-number").first()
    goals = {g.pk: g for g in plan.goals.all()} if plan else {}
    for pk, level in (goal_levels or {}).items():
        if pk not in goals:
            raise ValidationFailed("現在の計画の目標ではありません。", field="goal_levels")
        if level not in Achievement.values:
            raise ValidationFailed("達成度を選んでください。", field="goal_levels")
    if decision in (Review.Decision.CONTINUE, Review.Decision.STOP):
        E.require_decision_attendees(enrollment, conference,
                                     "支援の継続" if decision == Review.Decision.CONTINUE
                                     else "支援の打ち切り")
    review = Review.objects.create(enrollment=enrollment, reviewed_on=reviewed_on,
                                   evaluation=evaluation, decision=decision,
                                   next_due_on=next_due_on, reviewer=actor.user,
                                   conference=conference)
    for pk, level in (goal_levels or {}).items():
        GoalAssessment.objects.create(review=review, goal=goals[pk], level=level)
    audit(actor, "review.create", Kind.CREATE, review, person=enrollment.person,
          after={**snapshot(review, ["reviewed_on", "decision", "next_due_on"]),
                 "goal_levels": {str(k): v for k, v in (goal_levels or {}).items()}})

    pending: ApprovalRequest | None = None
    note = f"見直し（{format_wareki(reviewed_on)}）"
    result: Any = None
    if decision == Review.Decision.EXTEND:
        if extend_until is None:
            raise ValidationFailed("延長する場合は延長後の終了予定日を入力してください。",
                                   field="extend_until")
        result = E.enrollment_extend(actor=actor, enrollment=enrollment, until=extend_until,
                                     on=reviewed_on, conference=conference, note=note)
    elif decision == Review.Decision.CHANGE_PHASE:
        if phase is None:
            raise ValidationFailed("変更後の段階を選んでください。", field="phase")
        E.enrollment_change_phase(actor=actor, enrollment=enrollment, phase=phase,
                                  on=reviewed_on, conference=conference, note=note)
    elif decision == Review.Decision.ACHIEVED:
        result = E.enrollment_end(actor=actor, enrollment=enrollment,
                                  reason=Enrollment.EndReason.ACHIEVED, on=reviewed_on,
                                  conference=conference, note=note)
    elif decision == Review.Decision.STOP:
        result = E.enrollment_end(actor=actor, enrollment=enrollment,
                                  reason=Enrollment.EndReason.STOPPED, on=reviewed_on,
                                  conference=conference, note=note)
    if isinstance(result, ApprovalRequest):
        pending = result
    return review, pending
