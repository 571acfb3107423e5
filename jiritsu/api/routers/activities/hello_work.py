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
    HelloWorkInterviewAttendee,
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
from jiritsu.offices.models import Membership, PartnerOrganisation

router = Router()


# ---------------------------------------------------------------- Hello Work referrals

HwStep = Literal["form_a", "request", "interview", "supporting", "employed", "ended"]


class HwReferralIn(InputSchema):
    enrollment_id: Id = Field(..., description="終了していない参加")
    hello_work_id: Id = Field(..., description="紹介先のハローワーク（関係機関）")
    consented_on: Day = Field(..., description="事業説明・同意日")


class HwAttendeeIn(InputSchema):
    """One attendee of the interview: a membership of the office (staff, or a partner's
    contact) or a partner organisation on file whose attendee has no account — one of the two."""

    membership_id: Id | None = Field(None, description="職員・関係機関の担当者の所属（membership）の id")
    partner_id: Id | None = Field(None, description="関係機関の id（アカウントのない担当者が出席したとき）")
    seat: HelloWorkInterviewAttendee.Seat = Field(
        HelloWorkInterviewAttendee.Seat.OTHER,
        description="担当CW・福祉事務所担当コーディネーターは事務所の職員、安定所担当コーディネーター・"
                    "特別部門統括職業指導官は要請先のハローワーク（その担当者）")


class HwAttendeesIn(InputSchema):
    version: int = Version
    person_present: bool = Field(False, description="本人の出席")
    attendees: list[HwAttendeeIn] = Field(..., max_length=50,
                                          description="出席者の全員（職員・関係機関から）")


class HwStepIn(InputSchema):
    version: int = Version
    step: HwStep = Field(..., description="個人票A / 支援要請書 / 面接相談 / 支援中 / 就職 / 支援終了")
    on: Day
    menu: HelloWorkReferral.Menu | None = Field(None, description="面接相談で決めた支援メニュー")
    person_present: bool = Field(False, description="【面接相談】本人の出席")
    attendees: list[HwAttendeeIn] = Field(
        [], max_length=50,
        description="【面接相談】出席者（事務所の職員と要請先のハローワークの担当者を含む。hw.attendees_missing）")
    note: str = Field("", max_length=4000)


class HwAttendeeOut(Schema):
    membership_id: int | None
    partner_id: int | None
    name: str
    seat: str
    seat_label: str

    resolve_seat_label = label_of("seat")

    @staticmethod
    def resolve_partner_id(obj: HelloWorkInterviewAttendee) -> int | None:
        if obj.partner_id is not None:
            return obj.partner_id
        return obj.membership.partner_id if obj.membership is not None else None


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
    interview_person_present: bool
    interview_attendees: list[HwAttendeeOut]
    interview_attendees_note: str = Field(
        ..., description="移行前の自由記述のうち、登録された職員・関係機関と照合できなかった記録")
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

    @staticmethod
    def resolve_interview_attendees(obj: HelloWorkReferral) -> list[HelloWorkInterviewAttendee]:
        return list(obj.attendees.select_related("membership__user", "membership__partner",
                                                 "partner"))


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
    with renamed_fields({"hello_work": "hello_work_id", "enrollment": "enrollment_id"}):
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
        expected_version=payload.version, menu=payload.menu or "",
        attendees=_attendees(membership, payload.attendees),
        person_present=payload.person_present, note=payload.note)
    return referral


@router.put("/hello-work-referrals/{referral_id}/attendees", response=responses(HwReferralOut),
            summary="ハローワークでの面接相談の出席者を直す（全員を送る。職員・関係機関から）")
def hw_referral_attendees(request: ApiRequest, referral_id: Id,
                          payload: HwAttendeesIn) -> HelloWorkReferral:
    m = staff(request, "enrollment.manage")
    referral = get_referral_for_user(m, referral_id, write=True)
    return services.hw_referral_set_attendees(
        actor=m, referral=referral, attendees=_attendees(m, payload.attendees),
        person_present=payload.person_present, expected_version=payload.version)


def _attendees(m: Membership, rows: list[HwAttendeeIn]) -> list[services.InterviewAttendee]:
    """The attendees named by id, each on file in the office (else 404 naming the field);
    the service decides whether each can fill its seat."""
    out = []
    for i, row in enumerate(rows):
        member = ref(Membership.objects.filter(office=m.office), row.membership_id,
                     f"attendees[{i}].membership_id")
        partner = ref(PartnerOrganisation.objects.filter(office=m.office), row.partner_id,
                      f"attendees[{i}].partner_id")
        out.append(services.InterviewAttendee(membership=member, partner=partner, seat=row.seat))
    return out
