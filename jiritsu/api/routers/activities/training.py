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


def _employer(e: TrainingEmployer) -> dict[str, Any]:
    return {"id": e.pk, "partner_id": e.partner_id, "partner_name": e.partner.name,
            "approved_on": e.approved_on, "approved_by_id": e.approved_by_id,
            "work_offered": e.work_offered, "is_approved": e.is_approved,
            "withdrawn_on": e.withdrawn_on}


@router.get("/training-employers", response=responses(page_of(TrainingEmployerOut)),
            summary="訓練実施機関（所長が認めた事業所）の一覧")
def training_employer_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "program.view")
    return paginate(request, selectors.approved_training_employers(m.office).order_by("id"),
                    page, _employer)


@router.post("/training-employers", response=responses(TrainingEmployerOut, 201),
             summary="訓練実施機関の承認（所長のみ）")
def training_employer_approve(request: ApiRequest,
                              payload: TrainingEmployerIn) -> tuple[int, dict[str, Any]]:
    m = staff(request, "training.approve")
    partner = ref(PartnerOrganisation.objects.filter(office=m.office, is_active=True),
                  payload.partner_id, "partner_id")
    with renamed_fields({"partner": "partner_id"}):
        employer = services.training_employer_approve(
            actor=m, partner=partner, approved_on=payload.approved_on,
            work_offered=payload.work_offered)
    return 201, _employer(employer)


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


class TrainingMonthOut(Schema):
    month: dt.date
    days: int
    hours: float
    days_left: int


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


class TrainingExtendIn(InputSchema):
    version: int = Version
    until: Day = Field(..., description="延長後の終了日（最長期間まで）")
    approved_on: Day = Field(..., description="所長承認日")


class TrainingEndIn(InputSchema):
    version: int = Version
    ended_on: Day
    follow_up: TrainingPlacement.FollowUp = Field(..., description="訓練終了後の処遇")
    follow_up_note: str = Note


def _placement(p: TrainingPlacement) -> dict[str, Any]:
    e = p.enrollment
    return {"id": p.pk, "enrollment_id": e.pk, "person_id": e.person_id,
            "person_name": e.person.name, "program_id": e.program_id,
            "program_name": e.program.name, "employer_id": p.employer_id,
            "employer_name": p.employer.partner.name, "visited_on": p.visited_on,
            "starts_on": p.starts_on, "ends_on": p.ends_on, "extended_by_id": p.extended_by_id,
            "extended_on": p.extended_on, "duties": p.duties, "status": p.status,
            "status_label": p.get_status_display(), "ended_on": p.ended_on,
            "follow_up": p.follow_up, "follow_up_note": p.follow_up_note,
            "day_count": getattr(p, "day_count", 0) or 0,
            "hour_total": float(getattr(p, "hour_total", 0) or 0), "version": p.version}


def _monthly(s: TrainingMonthlyStatus) -> dict[str, Any]:
    return {"id": s.pk, "placement_id": s.placement_id, "month": s.month,
            "assessment": s.assessment, "decision": s.decision,
            "recorded_by_id": s.recorded_by_id}


def _placement_fresh(m: Membership, pk: int) -> dict[str, Any]:
    return _placement(selectors.placements_for(m.office).get(pk=pk))


@router.get("/training-placements", response=responses(page_of(TrainingPlacementOut)),
            summary="職場適応訓練の一覧")
def training_placement_list(request: ApiRequest, filters: Query[TrainingPlacementFilter],
                            page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "program.view")
    qs = selectors.placements_for(m.office)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs.order_by("-starts_on", "-id"), page, _placement)


@router.post("/training-placements", response=responses(TrainingPlacementOut, 201),
             summary="職場適応訓練の開始（仕事場見学の後）")
def training_placement_start(request: ApiRequest,
                             payload: TrainingPlacementIn) -> tuple[int, dict[str, Any]]:
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
def training_placement_detail(request: ApiRequest, placement_id: Id) -> dict[str, Any]:
    m = acting(request, "program.view")
    placement = get_placement_for_user(m, placement_id)
    log_view(m, placement.enrollment.person, what="training.view")
    return _placement_fresh(m, placement.pk) | {
        "latest_end_on": services.training_latest_end(placement),
        "months": [{"month": t.month, "days": t.days, "hours": float(t.hours),
                    "days_left": t.days_left} for t in selectors.training_months(placement)],
        "monthly_statuses": [_monthly(s) for s in
                             TrainingMonthlyStatus.objects.filter(placement=placement)]}


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


def _row(d: TrainingDay) -> dict[str, Any]:
    return {"id": d.pk, "placement_id": d.placement_id, "day": d.day, "hours": float(d.hours),
            "note": d.note, "recorded_by_id": d.recorded_by_id}


@router.get("/training-placements/{placement_id}/days", response=responses(page_of(TrainingDayOut)),
            summary="職場適応訓練の出席の一覧")
def training_day_list(request: ApiRequest, placement_id: Id,
                      page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "program.view")
    placement = get_placement_for_user(membership, placement_id)
    qs = TrainingDay.objects.filter(placement=placement).order_by("day", "id")
    return paginate(request, qs, page, _row)


@router.post("/training-placements/{placement_id}/days", response=responses(TrainingDayOut, 201),
             summary="職場適応訓練の出席の記録（1日4時間・月20日まで）")
def training_day_record(request: ApiRequest, placement_id: Id,
                        payload: TrainingDayIn) -> tuple[int, dict[str, Any]]:
    membership = acting(request, "record.write")
    placement = get_placement_for_user(membership, placement_id, write=True)
    row = services.training_day_record(actor=membership, placement=placement, day=payload.day,
                                       hours=payload.hours, note=payload.note)
    return 201, _row(row)


@router.post("/training-placements/{placement_id}/monthly-status",
             response=responses(TrainingMonthlyStatusOut, 201),
             summary="毎月の状況把握と期間等の判断（同じ月は上書き）")
def training_month_status(request: ApiRequest, placement_id: Id,
                          payload: TrainingMonthlyStatusIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "record.write")
    placement = get_placement_for_user(m, placement_id, write=True)
    row = services.training_month_status(actor=m, placement=placement, month=payload.month,
                                         assessment=payload.assessment,
                                         decision=payload.decision)
    return 201, _monthly(row)


@router.post("/training-placements/{placement_id}/extend", response=responses(TrainingPlacementOut),
             summary="訓練期間の延長（所長のみ、最長期間まで）")
def training_placement_extend(request: ApiRequest, placement_id: Id,
                              payload: TrainingExtendIn) -> dict[str, Any]:
    m = acting(request, "training.approve")
    placement = get_placement_for_user(m, placement_id, write=True)
    services.training_placement_extend(actor=m, placement=placement, until=payload.until,
                                       approved_on=payload.approved_on,
                                       expected_version=payload.version)
    return _placement_fresh(m, placement.pk)


@router.post("/training-placements/{placement_id}/end", response=responses(TrainingPlacementOut),
             summary="訓練の終了と訓練終了後の処遇")
def training_placement_end(request: ApiRequest, placement_id: Id,
                           payload: TrainingEndIn) -> dict[str, Any]:
    m = acting(request, "enrollment.manage")
    placement = get_placement_for_user(m, placement_id, write=True)
    services.training_placement_end(actor=m, placement=placement, ended_on=payload.ended_on,
                                    follow_up=payload.follow_up,
                                    follow_up_note=payload.follow_up_note,
                                    expected_version=payload.version)
    return _placement_fresh(m, placement.pk)
