"""清洲 after the first interview (稼働能力活用推進): the route each routed episode of a person
takes — what the interview found, the route the rule suggests and why, the decision in
force and its history — the advice that comes before 指導指示, and the 阻害要因の解消 as
steps. The same services and the same rule (``activities.work_capacity``) as the person's
support page; like that page, for the office's staff only (a partner gets 404 for the
person), and reading is audited as a view of the support details."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Router, Schema

from jiritsu.activities import work_capacity, work_capacity_services
from jiritsu.activities.access import get_person_support_for_user
from jiritsu.activities.models import WorkBarrier, WorkBarrierStep, WorkRouteDecision
from jiritsu.api.common import Day, Id, InputSchema, acting, label_of, ref, responses
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.activities.common import Version
from jiritsu.api.routers.lifecycle.plans import RecordOut
from jiritsu.cases.access import log_view
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.core import clock
from jiritsu.core.errors import NotFound
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person

router = Router()
Route = WorkRouteDecision.Route


def _person(request: ApiRequest, pk: int, action: str) -> tuple[Membership, Person]:
    m = acting(request, action)
    return m, get_person_support_for_user(m, pk)


# ---------------------------------------------------------------- schemas

class WorkDecisionOut(Schema):
    id: int
    enrollment_id: int
    decided_on: dt.date
    route: str
    route_label: str
    suggested: str = Field(..., description="決定のときに面接の結果から導かれた振り分け")
    suggested_label: str
    reasons: list[str] = Field(..., description="その理由（決定のときのもの）")
    override_reason: str = Field(..., description="推奨と異なる振り分けの理由（または補足）")
    findings: dict[str, Any] = Field(..., description="決定のときに面接で把握していたこと")
    assessment_id: int | None
    decided_by_name: str

    resolve_route_label = label_of("route")
    resolve_suggested_label = label_of("suggested")

    @staticmethod
    def resolve_decided_by_name(obj: WorkRouteDecision) -> str:
        return str(obj.decided_by)


class WorkRouteOut(Schema):
    """One routed episode: read from ``work_capacity.RouteState``."""

    enrollment_id: int
    program_id: int
    program_name: str
    enrollment_status: str
    assessment_id: int | None = Field(..., description="直近の面接（稼働能力の評価）")
    assessed_on: dt.date | None
    suggested_route: str | None = Field(..., description="面接の結果から導かれる振り分け（面接の記録がなければ null）")
    suggested_label: str
    reasons: list[str]
    barriers_in_the_way: list[str]
    barriers_minor: list[str]
    barriers_not_upheld: list[str]
    advised_on: dt.date | None = Field(..., description="直近の面接より前の相談助言・趣旨説明の日")
    current: WorkDecisionOut | None
    review_needed: bool = Field(..., description="振り分けの後に面接や阻害要因が変わり、見直しが要る")
    history: list[WorkDecisionOut]

    @staticmethod
    def resolve_enrollment_id(obj: work_capacity.RouteState) -> int:
        return obj.enrollment.pk

    @staticmethod
    def resolve_program_id(obj: work_capacity.RouteState) -> int:
        return obj.enrollment.program_id

    @staticmethod
    def resolve_program_name(obj: work_capacity.RouteState) -> str:
        return obj.enrollment.program.name

    @staticmethod
    def resolve_enrollment_status(obj: work_capacity.RouteState) -> str:
        return obj.enrollment.status

    @staticmethod
    def resolve_assessment_id(obj: work_capacity.RouteState) -> int | None:
        a = obj.findings.assessment
        return a.pk if a else None

    @staticmethod
    def resolve_assessed_on(obj: work_capacity.RouteState) -> dt.date | None:
        a = obj.findings.assessment
        return a.assessed_on if a else None

    @staticmethod
    def resolve_suggested_route(obj: work_capacity.RouteState) -> str | None:
        return obj.suggestion.route

    @staticmethod
    def resolve_suggested_label(obj: work_capacity.RouteState) -> str:
        return obj.suggestion.label

    @staticmethod
    def resolve_reasons(obj: work_capacity.RouteState) -> list[str]:
        return list(obj.suggestion.reasons)

    @staticmethod
    def resolve_barriers_in_the_way(obj: work_capacity.RouteState) -> list[str]:
        return list(obj.findings.blocking)

    @staticmethod
    def resolve_barriers_minor(obj: work_capacity.RouteState) -> list[str]:
        return list(obj.findings.minor)

    @staticmethod
    def resolve_barriers_not_upheld(obj: work_capacity.RouteState) -> list[str]:
        return list(obj.findings.not_upheld)

    @staticmethod
    def resolve_advised_on(obj: work_capacity.RouteState) -> dt.date | None:
        return obj.findings.advised_on

    @staticmethod
    def resolve_review_needed(obj: work_capacity.RouteState) -> bool:
        return obj.changed


class WorkStepOut(Schema):
    id: int
    action: str
    planned_on: dt.date | None
    done_on: dt.date | None
    result: str
    overdue: bool = Field(..., description="予定日を過ぎて実施の記録がない")
    version: int


class WorkBarrierOut(Schema):
    """One barrier with its steps: read from ``work_capacity.BarrierView``."""

    id: int
    enrollment_id: int | None
    kind: str
    kind_label: str
    detail: str
    found_on: dt.date
    status: str
    status_label: str
    status_on: dt.date
    status_note: str
    in_the_way: bool = Field(..., description="就労の妨げになっている（解消に取り組み中）")
    needs_step: bool = Field(..., description="次の手立てが決まっていない")
    steps: list[WorkStepOut]
    version: int

    @staticmethod
    def resolve_id(obj: work_capacity.BarrierView) -> int:
        return obj.barrier.pk

    @staticmethod
    def resolve_enrollment_id(obj: work_capacity.BarrierView) -> int | None:
        return obj.barrier.enrollment_id

    @staticmethod
    def resolve_kind(obj: work_capacity.BarrierView) -> str:
        return obj.barrier.kind

    @staticmethod
    def resolve_kind_label(obj: work_capacity.BarrierView) -> str:
        return obj.barrier.get_kind_display()

    @staticmethod
    def resolve_detail(obj: work_capacity.BarrierView) -> str:
        return obj.barrier.detail

    @staticmethod
    def resolve_found_on(obj: work_capacity.BarrierView) -> dt.date:
        return obj.barrier.found_on

    @staticmethod
    def resolve_status(obj: work_capacity.BarrierView) -> str:
        return obj.barrier.status

    @staticmethod
    def resolve_status_label(obj: work_capacity.BarrierView) -> str:
        return obj.barrier.get_status_display()

    @staticmethod
    def resolve_status_on(obj: work_capacity.BarrierView) -> dt.date:
        return obj.barrier.status_on

    @staticmethod
    def resolve_status_note(obj: work_capacity.BarrierView) -> str:
        return obj.barrier.status_note

    @staticmethod
    def resolve_version(obj: work_capacity.BarrierView) -> int:
        return obj.barrier.version


class WorkRouteIn(InputSchema):
    enrollment_id: Id = Field(..., description="この人の、初回面接の結果で振り分けるプログラムの参加")
    decided_on: Day
    route: WorkRouteDecision.Route
    reason: str = Field("", max_length=4000,
                        description="面接の結果から導かれる振り分けと異なるときは必須（work_route.reason_required）")


class WorkAdviceIn(InputSchema):
    on: Day
    kind: Literal["home_visit", "office_interview"] = Field(
        ..., description="家庭訪問 home_visit / 来所面接 office_interview")
    text: str = Field(..., min_length=1, max_length=10_000)


class WorkBarrierIn(InputSchema):
    kind: WorkBarrier.Kind
    detail: str = Field("", max_length=200)
    found_on: Day
    enrollment_id: Id | None = Field(None, description="この人の参加（任意）")
    first_step: str | None = Field(
        None, max_length=200,
        description="最初の手立て。省略すると種類ごとの手立て（傷病⇒主治医同行訪問等など）、空文字で手立てなし")
    planned_on: Day | None = None


class WorkBarrierStatusIn(InputSchema):
    version: int = Version
    status: WorkBarrier.Status
    on: Day
    note: str = Field("", max_length=4000,
                      description="判断の理由・根拠（少ない・正当な理由にならない は必須）")


class WorkStepIn(InputSchema):
    action: str = Field(..., min_length=1, max_length=200)
    planned_on: Day | None = None
    done_on: Day | None = None
    result: str = Field("", max_length=4000)


class WorkStepPatchIn(InputSchema):
    version: int = Version
    action: str | None = Field(None, min_length=1, max_length=200)
    planned_on: Day | None = None
    done_on: Day | None = None
    result: str | None = Field(None, max_length=4000)


# ---------------------------------------------------------------- the route

def _state(person: Person, enrollment_id: int) -> work_capacity.RouteState:
    """The route of one of the person's episodes (another person's → 404 naming the field;
    the service refuses an episode that is not routed or has ended)."""
    enrollment = (Enrollment.objects.filter(person=person, pk=enrollment_id)
                  .select_related("program", "person").first())
    if enrollment is None:
        raise NotFound(field="enrollment_id")
    return work_capacity.route_state(enrollment, clock.today())


@router.get("/people/{person_id}/work-routes", response=responses(list[WorkRouteOut]),
            summary="稼働能力活用の振り分け（清洲）：参加ごとに面接の結果から導かれる振り分けとその理由、現在の振り分けと経過。閲覧は監査ログに記録")
def work_route_list(request: ApiRequest, person_id: Id) -> list[work_capacity.RouteState]:
    m, person = _person(request, person_id, "person.view")
    log_view(m, person, what="person.support_view")
    return work_capacity.route_states(person, clock.today())


@router.post("/people/{person_id}/work-routes", response=responses(WorkRouteOut, 201),
             summary="振り分けの記録（面接の結果と異なる振り分けには理由が必要）")
def work_route_decide(request: ApiRequest, person_id: Id,
                      payload: WorkRouteIn) -> tuple[int, work_capacity.RouteState]:
    m, person = _person(request, person_id, "enrollment.manage")
    enrollment = _state(person, payload.enrollment_id).enrollment
    work_capacity_services.work_route_decide(
        actor=m, enrollment=enrollment, decided_on=payload.decided_on, route=payload.route,
        reason=payload.reason)
    return 201, _state(person, enrollment.pk)


@router.post("/people/{person_id}/work-advice", response=responses(RecordOut, 201),
             summary="就労意欲の喚起のための相談助言・生活保護の趣旨説明の記録（経過記録として）")
def work_advice_record(request: ApiRequest, person_id: Id,
                       payload: WorkAdviceIn) -> tuple[int, ActivityRecord]:
    m, person = _person(request, person_id, "record.write")
    routes = work_capacity.route_states(person, clock.today())
    rec = work_capacity_services.work_advice_record(
        actor=m, person=person, on=payload.on, kind=payload.kind, text=payload.text,
        enrollment=routes[0].enrollment if routes else None)
    return 201, rec


# ---------------------------------------------------------------- 阻害要因の解消

def _view(person: Person, barrier_id: int) -> work_capacity.BarrierView:
    for v in work_capacity.barriers_of(person, clock.today()):
        if v.barrier.pk == barrier_id:
            return v
    raise Http404


@router.get("/people/{person_id}/work-barriers", response=responses(list[WorkBarrierOut]),
            summary="就労阻害要因とその解消の手立て（状況・予定日・実施日）。閲覧は監査ログに記録")
def work_barrier_list(request: ApiRequest, person_id: Id) -> list[work_capacity.BarrierView]:
    m, person = _person(request, person_id, "person.view")
    log_view(m, person, what="person.support_view")
    return work_capacity.barriers_of(person, clock.today())


@router.post("/people/{person_id}/work-barriers", response=responses(WorkBarrierOut, 201),
             summary="就労阻害要因の記録（最初の手立てつき）")
def work_barrier_add(request: ApiRequest, person_id: Id,
                     payload: WorkBarrierIn) -> tuple[int, work_capacity.BarrierView]:
    m, person = _person(request, person_id, "plan.write")
    enrollment = ref(person.enrollments.all(), payload.enrollment_id, "enrollment_id")
    barrier = work_capacity_services.work_barrier_add(
        actor=m, person=person, kind=payload.kind, detail=payload.detail,
        found_on=payload.found_on, enrollment=enrollment, first_step=payload.first_step,
        planned_on=payload.planned_on)
    return 201, _view(person, barrier.pk)


@router.post("/people/{person_id}/work-barriers/{barrier_id}/status",
             response=responses(WorkBarrierOut),
             summary="就労阻害要因の状況の判断（解消に取り組み中・少ない・解消した・正当な理由にならない）")
def work_barrier_judge(request: ApiRequest, person_id: Id, barrier_id: Id,
                       payload: WorkBarrierStatusIn) -> work_capacity.BarrierView:
    m, person = _person(request, person_id, "plan.write")
    view = _view(person, barrier_id)
    work_capacity_services.work_barrier_judge(
        actor=m, barrier=view.barrier, status=payload.status, on=payload.on, note=payload.note,
        expected_version=payload.version)
    return _view(person, barrier_id)


@router.post("/people/{person_id}/work-barriers/{barrier_id}/steps",
             response=responses(WorkBarrierOut, 201), summary="解消の手立ての記録（予定・実施）")
def work_barrier_step_add(request: ApiRequest, person_id: Id, barrier_id: Id,
                          payload: WorkStepIn) -> tuple[int, work_capacity.BarrierView]:
    m, person = _person(request, person_id, "plan.write")
    view = _view(person, barrier_id)
    work_capacity_services.work_barrier_step_add(
        actor=m, barrier=view.barrier, action=payload.action, planned_on=payload.planned_on,
        done_on=payload.done_on, result=payload.result)
    return 201, _view(person, barrier_id)


@router.patch("/people/{person_id}/work-barriers/{barrier_id}/steps/{work_step_id}",
              response=responses(WorkBarrierOut),
              summary="解消の手立ての実施・結果・予定の記録（版を添えて）")
def work_barrier_step_update(request: ApiRequest, person_id: Id, barrier_id: Id,
                             work_step_id: Id,
                             payload: WorkStepPatchIn) -> work_capacity.BarrierView:
    m, person = _person(request, person_id, "plan.write")
    view = _view(person, barrier_id)
    step = ref(WorkBarrierStep.objects.filter(barrier=view.barrier), work_step_id,
               "work_step_id")
    work_capacity_services.work_barrier_step_update(
        actor=m, step=step, expected_version=payload.version,
        data=payload.dict(exclude_unset=True, exclude={"version"}))
    return _view(person, barrier_id)
