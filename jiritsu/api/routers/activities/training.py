"""Workplace adaptation training (職場適応訓練): employers, placements, attendance, monthly
status, extension, end. The 4 h/day and 20 days/month limits are the service's refusals
(``training_day_over_4_hours``, ``training_month_over_20_days``), answered as 422 with that code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema

from jiritsu.activities import selectors, services
from jiritsu.activities.access import (
    get_placement_for_user,
)
from jiritsu.activities.models import (
    TrainingDay,
    TrainingEmployer,
    TrainingMonthlyStatus,
    TrainingPlacement,
)
from jiritsu.api.common import (
    Day,
    Id,
    InputSchema,
    PageParams,
    acting,
    label_of,
    page_of,
    paginate,
    ref,
    renamed_fields,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.activities.common import Note, Version, staff
from jiritsu.cases.access import log_view
from jiritsu.offices.models import Membership, PartnerOrganisation

router = Router()


# ---------------------------------------------------------------- training: employers

class TrainingEmployerIn(InputSchema):
    partner_id: Id = Field(..., description="事業所（雇用主）として登録された関係機関")
    approved_on: Day
    work_offered: str = Field("", max_length=200)


class TrainingEmployerOut(Schema):
    id: int
    partner_id: int
    partner_name: str
    approved_on: dt.date
    approved_by_id: int
    work_offered: str
    is_approved: bool
    withdrawn_on: dt.date | None

    @staticmethod
    def resolve_partner_name(obj: TrainingEmployer) -> str:
        return obj.partner.name


@router.get("/training-employers", response=responses(page_of(TrainingEmployerOut)),
            summary="訓練実施機関（所長が認めた事業所）の一覧")
def training_employer_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "program.view")
    return paginate(request, selectors.approved_training_employers(m.office).order_by("id"),
                    page)


@router.post("/training-employers", response=responses(TrainingEmployerOut, 201),
             summary="訓練実施機関の承認（所長のみ）")
def training_employer_approve(request: ApiRequest,
                              payload: TrainingEmployerIn) -> tuple[int, TrainingEmployer]:
    m = staff(request, "training.approve")
    partner = ref(PartnerOrganisation.objects.filter(office=m.office, is_active=True),
                  payload.partner_id, "partner_id")
    with renamed_fields({"partner": "partner_id"}):
        employer = services.training_employer_approve(
            actor=m, partner=partner, approved_on=payload.approved_on,
            work_offered=payload.work_offered)
    return 201, employer


# ---------------------------------------------------------------- training: placements

class TrainingPlacementIn(InputSchema):
    enrollment_id: Id = Field(..., description="職場適応訓練のプログラムで選定済み・参加中の参加")
    employer_id: Id = Field(..., description="訓練実施機関（GET /training-employers の id）")
    visited_on: Day = Field(..., description="仕事場見学日")
    starts_on: Day = Field(..., description="訓練開始日")
    duties: str = Field("", max_length=200)


class TrainingPlacementFilter(Schema):
    status: TrainingPlacement.Status | None = None


class TrainingPlacementOut(Schema):
    id: int
    enrollment_id: int
    person_id: int
    person_name: str
    program_id: int
    program_name: str
    employer_id: int
    employer_name: str
    visited_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    extended_by_id: int | None
    extended_on: dt.date | None
    duties: str
    status: str
    status_label: str
    ended_on: dt.date | None
    follow_up: str
    follow_up_note: str
    day_count: int
    hour_total: float
    version: int

    # Read from ``selectors.placements_for`` (``day_count`` and ``hour_total`` annotated).
    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_person_id(obj: TrainingPlacement) -> int:
        return obj.enrollment.person_id

    @staticmethod
    def resolve_person_name(obj: TrainingPlacement) -> str:
        return obj.enrollment.person.name

    @staticmethod
    def resolve_program_id(obj: TrainingPlacement) -> int:
        return obj.enrollment.program_id

    @staticmethod
    def resolve_program_name(obj: TrainingPlacement) -> str:
        return obj.enrollment.program.name

    @staticmethod
    def resolve_employer_name(obj: TrainingPlacement) -> str:
        return obj.employer.partner.name

    @staticmethod
    def resolve_day_count(obj: TrainingPlacement) -> int:
        return int(getattr(obj, "day_count", 0) or 0)

    @staticmethod
    def resolve_hour_total(obj: TrainingPlacement) -> float:
        return float(getattr(obj, "hour_total", 0) or 0)


class TrainingMonthOut(Schema):
    month: dt.date
    days: int
    hours: float
    days_left: int

    @staticmethod
    def resolve_hours(obj: selectors.TrainingMonth) -> float:
        return float(obj.hours)


class TrainingMonthlyStatusIn(InputSchema):
    month: Day = Field(..., description="対象月（その月のいずれかの日）")
    assessment: str = Field(..., min_length=1, max_length=10_000)
    decision: TrainingMonthlyStatus.Decision


class TrainingMonthlyStatusOut(Schema):
    id: int
    placement_id: int
    month: dt.date
    assessment: str
    decision: str
    recorded_by_id: int


class TrainingPlacementDetailOut(TrainingPlacementOut):
    latest_end_on: dt.date
    months: list[TrainingMonthOut]
    monthly_statuses: list[TrainingMonthlyStatusOut]

    @staticmethod
    def resolve_latest_end_on(obj: TrainingPlacement) -> dt.date:
        return services.training_latest_end(obj)

    @staticmethod
    def resolve_months(obj: TrainingPlacement) -> list[Any]:
        return list(selectors.training_months(obj))

    @staticmethod
    def resolve_monthly_statuses(obj: TrainingPlacement) -> list[TrainingMonthlyStatus]:
        return list(TrainingMonthlyStatus.objects.filter(placement=obj))


class TrainingExtendIn(InputSchema):
    version: int = Version
    until: Day = Field(..., description="延長後の終了日（最長期間まで）")
    approved_on: Day = Field(..., description="所長承認日")


class TrainingEndIn(InputSchema):
    version: int = Version
    ended_on: Day
    follow_up: TrainingPlacement.FollowUp = Field(..., description="訓練終了後の処遇")
    follow_up_note: str = Note


def _placement_fresh(m: Membership, pk: int) -> TrainingPlacement:
    """The placement with its day count and hours, as ``TrainingPlacementOut`` reads it."""
    return selectors.placements_for(m.office).get(pk=pk)


@router.get("/training-placements", response=responses(page_of(TrainingPlacementOut)),
            summary="職場適応訓練の一覧")
def training_placement_list(request: ApiRequest, filters: Query[TrainingPlacementFilter],
                            page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "program.view")
    qs = selectors.placements_for(m.office)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs.order_by("-starts_on", "-id"), page)


@router.post("/training-placements", response=responses(TrainingPlacementOut, 201),
             summary="職場適応訓練の開始（仕事場見学の後）")
def training_placement_start(request: ApiRequest,
                             payload: TrainingPlacementIn) -> tuple[int, TrainingPlacement]:
    m = staff(request, "enrollment.manage")
    enrollment = ref(selectors.training_enrollments(m.office), payload.enrollment_id,
                     "enrollment_id")
    employer = ref(selectors.approved_training_employers(m.office), payload.employer_id,
                   "employer_id")
    with renamed_fields({"employer": "employer_id", "enrollment": "enrollment_id"}):
        placement = services.training_placement_start(
            actor=m, enrollment=enrollment, employer=employer, visited_on=payload.visited_on,
            starts_on=payload.starts_on, duties=payload.duties)
    return 201, _placement_fresh(m, placement.pk)


@router.get("/training-placements/{placement_id}", response=responses(TrainingPlacementDetailOut),
            summary="職場適応訓練の詳細（月ごとの日数・時間、毎月の状況）。閲覧は監査ログに記録")
def training_placement_detail(request: ApiRequest, placement_id: Id) -> TrainingPlacement:
    m = acting(request, "program.view")
    placement = get_placement_for_user(m, placement_id)
    log_view(m, placement.enrollment.person, what="training.view")
    return _placement_fresh(m, placement.pk)


class TrainingDayIn(InputSchema):
    day: Day
    hours: Decimal = Field(..., gt=0, le=24, max_digits=3, decimal_places=1,
                           description="訓練時間（1日4時間まで。超えると training_day_over_4_hours）")
    note: str = Field("", max_length=200)


class TrainingDayOut(Schema):
    id: int
    placement_id: int
    day: dt.date
    hours: float
    note: str
    recorded_by_id: int

    @staticmethod
    def resolve_hours(obj: TrainingDay) -> float:
        return float(obj.hours)


@router.get("/training-placements/{placement_id}/days", response=responses(page_of(TrainingDayOut)),
            summary="職場適応訓練の出席の一覧")
def training_day_list(request: ApiRequest, placement_id: Id,
                      page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "program.view")
    placement = get_placement_for_user(membership, placement_id)
    qs = TrainingDay.objects.filter(placement=placement).order_by("day", "id")
    return paginate(request, qs, page)


@router.post("/training-placements/{placement_id}/days", response=responses(TrainingDayOut, 201),
             summary="職場適応訓練の出席の記録（1日4時間・月20日まで）")
def training_day_record(request: ApiRequest, placement_id: Id,
                        payload: TrainingDayIn) -> tuple[int, TrainingDay]:
    membership = acting(request, "record.write")
    placement = get_placement_for_user(membership, placement_id, write=True)
    row = services.training_day_record(actor=membership, placement=placement, day=payload.day,
                                       hours=payload.hours, note=payload.note)
    return 201, row


@router.post("/training-placements/{placement_id}/monthly-status",
             response=responses(TrainingMonthlyStatusOut, 201),
             summary="毎月の状況把握と期間等の判断（同じ月は上書き）")
def training_month_status(request: ApiRequest, placement_id: Id,
                          payload: TrainingMonthlyStatusIn) -> tuple[int, TrainingMonthlyStatus]:
    m = acting(request, "record.write")
    placement = get_placement_for_user(m, placement_id, write=True)
    row = services.training_month_status(actor=m, placement=placement, month=payload.month,
                                         assessment=payload.assessment,
                                         decision=payload.decision)
    return 201, row


@router.post("/training-placements/{placement_id}/extend", response=responses(TrainingPlacementOut),
             summary="訓練期間の延長（所長のみ、最長期間まで）")
def training_placement_extend(request: ApiRequest, placement_id: Id,
                              payload: TrainingExtendIn) -> TrainingPlacement:
    m = acting(request, "training.approve")
    placement = get_placement_for_user(m, placement_id, write=True)
    services.training_placement_extend(actor=m, placement=placement, until=payload.until,
                                       approved_on=payload.approved_on,
                                       expected_version=payload.version)
    return _placement_fresh(m, placement.pk)


@router.post("/training-placements/{placement_id}/end", response=responses(TrainingPlacementOut),
             summary="訓練の終了と訓練終了後の処遇")
def training_placement_end(request: ApiRequest, placement_id: Id,
                           payload: TrainingEndIn) -> TrainingPlacement:
    m = acting(request, "enrollment.manage")
    placement = get_placement_for_user(m, placement_id, write=True)
    services.training_placement_end(actor=m, placement=placement, ended_on=payload.ended_on,
                                    follow_up=payload.follow_up,
                                    follow_up_note=payload.follow_up_note,
                                    expected_version=payload.version)
    return _placement_fresh(m, placement.pk)
