"""Plans (自立計画・支援計画) and activity records (経過記録).

Part of the program life cycle API (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    DayOrMoment,
    Id,
    InputSchema,
    PageParams,
    acting,
    label_of,
    page_of,
    paginate,
    person_ref,
    ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import (
    Note,
    enrollment_for,
    partner_ref,
    staff_ref,
)
from jiritsu.cases import access, services
from jiritsu.cases.models import ActivityRecord, Plan, PlanCommitment
from jiritsu.offices.models import Membership

router = Router()


# ---------------------------------------------------------------- plans

class GoalIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=300)
    target_on: Day | None = None


class CommitmentIn(InputSchema):
    kind: PlanCommitment.Kind
    text: str = Field("", max_length=300)
    quantity: int = Field(1, ge=1, le=100)
    per: PlanCommitment.Per = PlanCommitment.Per.MONTH


class PlanIn(InputSchema):
    goals: list[GoalIn] = Field(..., max_length=30)
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=30)
    agreed_on: Day | None = Field(None, description="本人同意日")
    policy: str = Note
    target_start_on: Day | None = None
    based_on_number: int = Field(
        ..., ge=0, le=32_767,
        description="元にした版の番号（まだ計画がなければ 0）。その後に他の職員が新しい版を保存していれば"
                    " 409 stale_edit で拒否され、何も保存されない")


class GoalOut(Schema):
    id: int
    order: int
    text: str
    target_on: dt.date | None
    achievement: str


class CommitmentOut(Schema):
    kind: str
    text: str
    quantity: int
    per: str


class PlanOut(Schema):
    id: int
    enrollment_id: int
    number: int
    agreed_on: dt.date | None
    target_start_on: dt.date | None
    policy: str
    created_at: dt.datetime
    goals: list[GoalOut]
    commitments: list[CommitmentOut]


@router.get("/enrollments/{enrollment_id}/plans", response=responses(page_of(PlanOut)),
            summary="自立計画・支援計画（版の新しい順）")
def plan_list(request: ApiRequest, enrollment_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    _m, e = enrollment_for(request, enrollment_id)
    qs = Plan.objects.filter(enrollment=e).prefetch_related("goals", "commitments")
    return paginate(request, qs.order_by("-number"), page)


@router.post("/enrollments/{enrollment_id}/plans", response=responses(PlanOut, 201),
             summary="計画の新しい版を作成")
def plan_create(request: ApiRequest, enrollment_id: Id, payload: PlanIn) -> tuple[int, Plan]:
    m, e = enrollment_for(request, enrollment_id, "plan.write")
    plan = services.plan_create(
        actor=m, enrollment=e, goals=[g.dict() for g in payload.goals],
        commitments=[c.dict() for c in payload.commitments], agreed_on=payload.agreed_on,
        policy=payload.policy, target_start_on=payload.target_start_on,
        based_on_number=payload.based_on_number)
    return 201, Plan.objects.prefetch_related("goals", "commitments").get(pk=plan.pk)


# ---------------------------------------------------------------- records

class RecordIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    enrollment_id: int | None = Field(None, ge=1, le=2_147_483_647)
    occurred_at: DayOrMoment = Field(
        ..., description="日時（ISO 8601、タイムゾーン付き推奨）。時刻が分からない記録は日付だけ"
                         "（例 2026-12-04）を送ると「時刻なし」として記録します（time_known=false）。"
                         "未来の日付は future_date で拒否されます（当日はどの時刻でも可）。")
    kind: ActivityRecord.Kind
    text: str = Field(..., min_length=1, max_length=20_000)
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    systolic_bp: int | None = Field(None, ge=40, le=300)
    diastolic_bp: int | None = Field(None, ge=20, le=200)
    weight_kg: decimal.Decimal | None = Field(None, ge=0, le=500, max_digits=5, decimal_places=1)
    staff_present_ids: list[int] | None = Field(None, max_length=30)
    partners_present_ids: list[int] | None = Field(None, max_length=30)
    life_check: ActivityRecord.LifeCheck | None = Field(None, description="退院後の確認で記録が言う生活状況（settled=安定 / unsettled=不安定 / doctor_consulted=退院前の主治医と協議）。settled・unsettled は家庭訪問・来所面接の記録でのみ（life_check_needs_visit）。")


class RecordUpdateIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647)
    occurred_at: DayOrMoment | None = Field(
        None, description="日時、または日付だけ（「時刻なし」の記録になります）")
    kind: ActivityRecord.Kind | None = None
    text: str | None = Field(None, min_length=1, max_length=20_000)
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    systolic_bp: int | None = Field(None, ge=40, le=300)
    diastolic_bp: int | None = Field(None, ge=20, le=200)
    weight_kg: decimal.Decimal | None = Field(None, ge=0, le=500, max_digits=5, decimal_places=1)
    life_check: ActivityRecord.LifeCheck | None = Field(None, description="退院後の生活状況（null で消す）")


class RecordOut(Schema):
    id: int
    person_id: int
    enrollment_id: int | None
    occurred_at: dt.datetime = Field(..., description="日時（time_known=false ならその日の0時、日本時間）")
    occurred_on: dt.date = Field(..., description="記録の日付（日本時間）")
    time_known: bool = Field(..., description="時刻の記録があるか（false は「時刻なし」）")
    kind: str
    text: str
    duration_minutes: int | None
    systolic_bp: int | None
    diastolic_bp: int | None
    weight_kg: float | None
    life_check: str = Field(..., description="退院後の生活状況のコード（空ならその記録は確認ではない）")
    life_check_label: str = Field(..., description="退院後の生活状況（日本語）")
    author_id: int
    author_partner_id: int | None
    staff_present_ids: list[int]
    partners_present_ids: list[int]
    version: int

    resolve_life_check_label = label_of("life_check")

    @staticmethod
    def resolve_staff_present_ids(obj: ActivityRecord) -> list[int]:
        return sorted(u.pk for u in obj.staff_present.all())

    @staticmethod
    def resolve_partners_present_ids(obj: ActivityRecord) -> list[int]:
        return sorted(p.pk for p in obj.partners_present.all())


class RecordFilter(Schema):
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)
    enrollment_id: int | None = Field(None, ge=1, le=2_147_483_647)


def _records_qs(m: Membership) -> QuerySet[ActivityRecord]:
    """The same rows ``access.get_record_for_user`` lets this membership open."""
    return access.visible_records(m).prefetch_related("staff_present", "partners_present")


def _record_refs(m: Membership, payload: Any) -> tuple[list[Any] | None, list[Any] | None]:
    staff = partners = None
    if payload.staff_present_ids is not None:
        staff = [staff_ref(m, pk, "staff_present_ids") for pk in payload.staff_present_ids]
    if payload.partners_present_ids is not None:
        partners = [partner_ref(m, pk, "partners_present_ids") for pk in payload.partners_present_ids]
    return staff, partners


RECORD_VALUES = ("occurred_at", "kind", "text", "duration_minutes", "systolic_bp", "diastolic_bp",
                 "weight_kg", "life_check")


@router.get("/records", response=responses(page_of(RecordOut)), summary="経過記録の一覧")
def record_list(request: ApiRequest, filters: Query[RecordFilter],
                page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "person.view")
    qs = _records_qs(m)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.enrollment_id:
        qs = qs.filter(enrollment_id=filters.enrollment_id)
    return paginate(request, qs.order_by("-occurred_at", "-id"), page)


@router.post("/records", response=responses(RecordOut, 201),
             summary="経過記録の作成（関係機関は紹介された同意済みの人についてのみ）")
def record_create(request: ApiRequest, payload: RecordIn) -> tuple[int, ActivityRecord]:
    m = acting(request, "record.write")
    person = person_ref(m, payload.person_id)
    enrollment = None
    if payload.enrollment_id is not None:
        enrollment = ref(access.visible_enrollments(m), payload.enrollment_id, "enrollment_id")
    staff, partners = _record_refs(m, payload)
    values = {k: getattr(payload, k) for k in RECORD_VALUES}
    record = services.record_create(actor=m, person=person, values=values, enrollment=enrollment,
                                    staff_present=staff, partners_present=partners)
    return 201, _records_qs(m).get(pk=record.pk)


@router.patch("/records/{record_id}", response=responses(RecordOut),
              summary="経過記録の訂正（versionによる楽観的ロック）")
def record_update(request: ApiRequest, record_id: Id, payload: RecordUpdateIn) -> ActivityRecord:
    m = acting(request, "record.write")
    record = access.get_record_for_user(m, record_id, write=True)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    values = {k: v for k, v in data.items() if v is not None or k in {
        "duration_minutes", "systolic_bp", "diastolic_bp", "weight_kg"}}
    if "life_check" in values and values["life_check"] is None:
        values["life_check"] = ""
    services.record_update(actor=m, record=record, expected_version=version, values=values)
    return _records_qs(m).get(pk=record.pk)
