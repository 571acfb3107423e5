"""Hello Work referrals (ハローワークへの支援要請) and their steps."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from jiritsu.activities import services
from jiritsu.activities.access import (
    get_referral_for_user,
    visible_referrals,
)
from jiritsu.activities.models import (
    HelloWorkReferral,
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
from jiritsu.api.routers.activities.common import MAX_INT, Version, staff
from jiritsu.cases.access import get_enrollment_for_user, log_view
from jiritsu.core.errors import NotFound
from jiritsu.offices.models import PartnerOrganisation

router = Router()


# ---------------------------------------------------------------- Hello Work referrals

HwStep = Literal["form_a", "request", "interview", "supporting", "employed", "ended"]


class HwReferralIn(InputSchema):
    enrollment_id: Id = Field(..., description="終了していない参加")
    hello_work_id: Id = Field(..., description="紹介先のハローワーク（関係機関）")
    consented_on: Day = Field(..., description="事業説明・同意日")


class HwStepIn(InputSchema):
    version: int = Version
    step: HwStep = Field(..., description="個人票A / 支援要請書 / 面接相談 / 支援中 / 就職 / 支援終了")
    on: Day
    menu: HelloWorkReferral.Menu | None = Field(None, description="面接相談で決めた支援メニュー")
    attendees: str = Field("", max_length=300)
    note: str = Field("", max_length=4000)


class HwReferralFilter(Schema):
    person_id: int | None = Field(None, ge=1, le=MAX_INT)
    enrollment_id: int | None = Field(None, ge=1, le=MAX_INT)
    status: HelloWorkReferral.Status | None = None


class HwReferralOut(Schema):
    id: int
    enrollment_id: int
    person_id: int
    person_name: str
    program_id: int
    program_name: str
    hello_work_id: int
    hello_work_name: str
    status: str
    status_label: str
    menu: str
    consented_on: dt.date
    form_a_on: dt.date | None
    request_sent_on: dt.date | None
    interview_on: dt.date | None
    interview_attendees: str
    result_on: dt.date | None
    result_note: str
    version: int

    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_person_id(obj: HelloWorkReferral) -> int:
        return obj.enrollment.person_id

    @staticmethod
    def resolve_person_name(obj: HelloWorkReferral) -> str:
        return obj.enrollment.person.name

    @staticmethod
    def resolve_program_id(obj: HelloWorkReferral) -> int:
        return obj.enrollment.program_id

    @staticmethod
    def resolve_program_name(obj: HelloWorkReferral) -> str:
        return obj.enrollment.program.name

    @staticmethod
    def resolve_hello_work_name(obj: HelloWorkReferral) -> str:
        return obj.hello_work.name


@router.get("/hello-work-referrals", response=responses(page_of(HwReferralOut)),
            summary="ハローワークへの支援要請の一覧（ハローワーク自身は自所あての分のみ）")
def hw_referral_list(request: ApiRequest, filters: Query[HwReferralFilter],
                     page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    qs = visible_referrals(m)
    if filters.person_id:
        qs = qs.filter(enrollment__person_id=filters.person_id)
    if filters.enrollment_id:
        qs = qs.filter(enrollment_id=filters.enrollment_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs.order_by("-consented_on", "-id"), page)


@router.post("/hello-work-referrals", response=responses(HwReferralOut, 201),
             summary="ハローワークへの支援要請の開始（事業説明・同意）")
def hw_referral_start(request: ApiRequest, payload: HwReferralIn) -> tuple[int, HelloWorkReferral]:
    m = staff(request, "enrollment.manage")
    try:
        enrollment = get_enrollment_for_user(m, payload.enrollment_id, write=True)
    except Http404:
        raise NotFound(field="enrollment_id") from None
    hello_work = ref(PartnerOrganisation.objects.filter(office=m.office, is_active=True),
                     payload.hello_work_id, "hello_work_id")
    with renamed_fields({"hello_work": "hello_work_id"}):
        referral = services.hw_referral_start(actor=m, enrollment=enrollment,
                                              hello_work=hello_work,
                                              consented_on=payload.consented_on)
    return 201, get_referral_for_user(m, referral.pk)


@router.get("/hello-work-referrals/{referral_id}", response=responses(HwReferralOut),
            summary="ハローワークへの支援要請の詳細。閲覧は監査ログに記録")
def hw_referral_detail(request: ApiRequest, referral_id: Id) -> HelloWorkReferral:
    m = acting(request)
    referral = get_referral_for_user(m, referral_id)
    log_view(m, referral.enrollment.person, what="hw_referral.view")
    return referral


@router.post("/hello-work-referrals/{referral_id}/steps", response=responses(HwReferralOut),
             summary="ハローワークへの支援要請の手続き（ハローワーク自身は支援中・就職・支援終了）")
def hw_referral_step(request: ApiRequest, referral_id: Id, payload: HwStepIn) -> HelloWorkReferral:
    membership = acting(request)
    referral = get_referral_for_user(membership, referral_id, write=True)
    referral = services.hw_referral_advance(
        actor=membership, referral=referral, step=payload.step, on=payload.on,
        expected_version=payload.version, menu=payload.menu or "", attendees=payload.attendees,
        note=payload.note)
    return referral
