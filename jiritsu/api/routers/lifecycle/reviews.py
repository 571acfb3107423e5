"""Reviews (見直し・評価), due reviews and outcomes (成果).

Part of the program life cycle API (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    Id,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import (
    ApprovalOut,
    DateField,
    EnrollmentOut,
    Note,
    conference_ref,
    enrollment_for,
    fresh_enrollment,
    phase_ref,
)
from jiritsu.cases import selectors, services
from jiritsu.cases.models import Achievement, ApprovalRequest, Outcome, Review
from jiritsu.programs.models import OutcomeType

router = Router()


# ---------------------------------------------------------------- reviews

class GoalLevelIn(InputSchema):
    goal_id: int = Field(..., ge=1, le=2_147_483_647)
    level: Achievement


class ReviewIn(InputSchema):
    reviewed_on: Day = DateField
    evaluation: str = Field(..., min_length=1, max_length=20_000)
    decision: Review.Decision
    next_due_on: Day | None = None
    goal_levels: list[GoalLevelIn] = Field(default_factory=list, max_length=30)
    conference_id: int | None = Field(None, ge=1, le=2_147_483_647)
    extend_until: Day | None = None
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)


class ReviewOut(Schema):
    id: int
    enrollment_id: int
    reviewed_on: dt.date
    evaluation: str
    decision: str
    next_due_on: dt.date | None
    reviewer_id: int
    conference_id: int | None


class ReviewResultOut(Schema):
    review: ReviewOut
    enrollment: EnrollmentOut
    approval: ApprovalOut | None = None


@router.get("/enrollments/{enrollment_id}/reviews", response=responses(page_of(ReviewOut)),
            summary="見直し・評価の一覧")
def review_list(request: ApiRequest, enrollment_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    _m, e = enrollment_for(request, enrollment_id)
    return paginate(request, Review.objects.filter(enrollment=e).order_by("-reviewed_on", "-id"),
                    page)


@router.post("/enrollments/{enrollment_id}/reviews", response=responses(ReviewResultOut, 201),
             summary="見直し・評価の記録と判断の実行（継続・延長・段階変更・達成・打ち切り）")
def review_create(request: ApiRequest, enrollment_id: Id, payload: ReviewIn) -> tuple[int, dict[str, Any]]:
    m, e = enrollment_for(request, enrollment_id, "review.write")
    review, approval = services.review_create(
        actor=m, enrollment=e, reviewed_on=payload.reviewed_on, evaluation=payload.evaluation,
        decision=payload.decision, next_due_on=payload.next_due_on,
        goal_levels={g.goal_id: g.level for g in payload.goal_levels} or None,
        conference=conference_ref(m, payload.conference_id), extend_until=payload.extend_until,
        phase=phase_ref(m, payload.phase_id))
    return 201, {"review": review, "enrollment": fresh_enrollment(m, e.pk),
                 "approval": approval}


class DueOut(Schema):
    enrollment_id: int
    person_id: int
    person_name: str
    program_id: int
    program_name: str
    due_on: dt.date
    days_overdue: int
    reasons: list[str]


class DueListOut(Schema):
    overdue: list[DueOut]
    due_soon: list[DueOut]


class DueParams(Schema):
    within_days: int = Field(7, ge=1, le=366, description="今日から何日以内を「まもなく」とするか")
    mine_only: bool | None = Field(None, description="true: 自分の担当のみ（省略時は役割で決定）")


@router.get("/reviews/due", response=responses(DueListOut),
            summary="見直し期限の到来・超過（期限は記録から導出）")
def reviews_due(request: ApiRequest, params: Query[DueParams]) -> dict[str, Any]:
    m = acting(request, "review.write")
    data = selectors.reviews_due(m, within_days=params.within_days, mine_only=params.mine_only)

    def row(d: Any) -> dict[str, Any]:
        e = d.enrollment
        return {"enrollment_id": e.pk, "person_id": e.person_id, "person_name": e.person.name,
                "program_id": e.program_id, "program_name": e.program.name, "due_on": d.due_on,
                "days_overdue": d.days_overdue, "reasons": list(d.reasons)}

    return {"overdue": [row(d) for d in data["overdue"]],
            "due_soon": [row(d) for d in data["due_soon"]]}


# ---------------------------------------------------------------- outcomes

class OutcomeIn(InputSchema):
    outcome_type_id: int = Field(..., ge=1, le=2_147_483_647)
    occurred_on: Day = DateField
    employer: str = Field("", max_length=200)
    job_kind: str = Field("", max_length=100)
    hours_per_week: decimal.Decimal | None = Field(None, ge=0, le=168, max_digits=4, decimal_places=1)
    monthly_income: int | None = Field(None, ge=0, le=100_000_000)
    income_increase: int | None = Field(None, ge=0, le=100_000_000)
    destination: Outcome.Destination | None = None
    school_name: str = Field("", max_length=200)
    note: str = Note
    end_as_achieved: bool = Field(False, description="true: 達成として参加を終了")


class OutcomeOut(Schema):
    id: int
    enrollment_id: int
    outcome_type_id: int
    kind: str
    occurred_on: dt.date
    employer: str
    job_kind: str
    hours_per_week: float | None
    monthly_income: int | None
    income_increase: int | None
    destination: str
    school_name: str
    note: str


class OutcomeResultOut(Schema):
    applied: bool
    outcome: OutcomeOut | None
    enrollment: EnrollmentOut
    approval: ApprovalOut | None = None


@router.get("/enrollments/{enrollment_id}/outcomes", response=responses(page_of(OutcomeOut)),
            summary="成果の一覧")
def outcome_list(request: ApiRequest, enrollment_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    _m, e = enrollment_for(request, enrollment_id)
    return paginate(request, Outcome.objects.filter(enrollment=e).order_by("-occurred_on", "-id"),
                    page)


@router.post("/enrollments/{enrollment_id}/outcomes", response=responses(OutcomeResultOut, 201),
             summary="成果の記録（達成とみなす成果は決裁が必要なことがあります）")
def outcome_create(request: ApiRequest, enrollment_id: Id,
                   payload: OutcomeIn) -> tuple[int, dict[str, Any]]:
    m, e = enrollment_for(request, enrollment_id, "outcome.record")
    outcome_type = ref(OutcomeType.objects.filter(program=e.program), payload.outcome_type_id,
                        "outcome_type_id")
    data = payload.dict(exclude={"outcome_type_id", "occurred_on", "end_as_achieved"})
    data = {k: v for k, v in data.items() if v not in (None, "")}
    result = services.outcome_record(actor=m, enrollment=e, outcome_type=outcome_type,
                                     occurred_on=payload.occurred_on, data=data,
                                     end_as_achieved=payload.end_as_achieved)
    enrollment = fresh_enrollment(m, e.pk)
    if isinstance(result, ApprovalRequest):
        return 201, {"applied": False, "outcome": None, "enrollment": enrollment,
                     "approval": result}
    return 201, {"applied": True, "outcome": result, "enrollment": enrollment,
                 "approval": None}
