"""Activities: workplace training attendance (職場適応訓練の出席) through the activities services.

The 4 h/day and 20 days/month limits are the service's refusals (``training_day_over_4_hours``,
``training_month_over_20_days``), answered as 422 with that code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiritsu.activities import services
from jiritsu.activities.access import get_placement_for_user
from jiritsu.activities.models import TrainingDay
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
