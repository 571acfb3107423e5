"""Activities: workplace training attendance (職場適応訓練の出席) through the activities services.

The 4 h/day and 20 days/month limits are the service's refusals (``training_day_over_4_hours``,
``training_month_over_20_days``), answered as 422 with that code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiritsu.activities import services
from jiritsu.activities.access import get_placement_for_user, get_referral_for_user
from jiritsu.activities.models import HelloWorkReferral, TrainingDay
from jiritsu.api.common import Day, Id, PageParams, acting, page_of, paginate, responses

router = Router()


class TrainingDayIn(Schema):
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
def training_day_list(request: HttpRequest, placement_id: Id,
                      page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "program.view")
    placement = get_placement_for_user(membership, placement_id)
    qs = TrainingDay.objects.filter(placement=placement).order_by("day", "id")
    return paginate(request, qs, page, _row)


@router.post("/training-placements/{placement_id}/days", response=responses(TrainingDayOut, 201),
             summary="職場適応訓練の出席の記録（1日4時間・月20日まで）")
def training_day_record(request: HttpRequest, placement_id: Id,
                        payload: TrainingDayIn) -> tuple[int, dict[str, Any]]:
    membership = acting(request, "record.write")
    placement = get_placement_for_user(membership, placement_id, write=True)
    row = services.training_day_record(actor=membership, placement=placement, day=payload.day,
                                       hours=payload.hours, note=payload.note)
    return 201, _row(row)


# ---------------------------------------------------------------- Hello Work referral steps

HwStep = Literal["form_a", "request", "interview", "supporting", "employed", "ended"]


class HwStepIn(Schema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    step: HwStep = Field(..., description="個人票A / 支援要請書 / 面接相談 / 支援中 / 就職 / 支援終了")
    on: Day
    menu: HelloWorkReferral.Menu | None = Field(None, description="面接相談で決めた支援メニュー")
    attendees: str = Field("", max_length=300)
    note: str = Field("", max_length=4000)


class HwReferralOut(Schema):
    id: int
    enrollment_id: int
    hello_work_id: int
    status: str
    status_label: str
    menu: str
    consented_on: dt.date
    form_a_on: dt.date | None
    request_sent_on: dt.date | None
    interview_on: dt.date | None
    result_on: dt.date | None
    version: int


def _referral(r: HelloWorkReferral) -> dict[str, Any]:
    return {f: getattr(r, f) for f in HwReferralOut.model_fields if f != "status_label"} | {
        "status_label": r.get_status_display()}


@router.post("/hello-work-referrals/{referral_id}/steps", response=responses(HwReferralOut),
             summary="ハローワークへの支援要請の手続き（ハローワーク自身は支援中・就職・支援終了）")
def hw_referral_step(request: HttpRequest, referral_id: Id, payload: HwStepIn) -> dict[str, Any]:
    membership = acting(request)
    referral = get_referral_for_user(membership, referral_id, write=True)
    referral = services.hw_referral_advance(
        actor=membership, referral=referral, step=payload.step, on=payload.on,
        expected_version=payload.version, menu=payload.menu or "", attendees=payload.attendees,
        note=payload.note)
    return _referral(referral)
