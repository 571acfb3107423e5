"""A person's support details (the 支援の詳細 page) through the activities services:
health tracks and measurements (福井), relatives and what was asked of them, receiving
places (尼崎), Hello Work referrals, volunteer placements, suggested centres and job-search
reports against the plan.

All of it is for the office's staff: a partner gets 404 for the person, as on the screen
(``activities.access.get_person_support_for_user``). Reading the page is audited
(``person.support_view``) like the screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from jiritsu.activities import selectors, services, work_capacity
from jiritsu.activities.access import get_person_support_for_user
from jiritsu.activities.models import (
    FamilyContact,
    FamilyRequest,
    HealthTrack,
    HelloWorkReferral,
    ReceivingRequest,
    VolunteerPlacement,
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
from jiritsu.api.routers.activities.common import Note
from jiritsu.api.routers.activities.hello_work import HwReferralOut
from jiritsu.api.routers.activities.partners import AreaPartnerOut
from jiritsu.api.routers.activities.work_capacity import WorkBarrierOut, WorkRouteOut
from jiritsu.cases.access import log_view
from jiritsu.cases.models import Enrollment
from jiritsu.core import clock
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.people.models import Person

router = Router()
Text = Field("", max_length=10_000)


def _person(request: ApiRequest, pk: int, action: str | None = None) -> tuple[Membership, Person]:
    m = acting(request, action)
    return m, get_person_support_for_user(m, pk)


# ---------------------------------------------------------------- schemas

class HealthTrackIn(InputSchema):
    """Common assessment fields, then the fields of the chosen track only."""

    track: HealthTrack.Track
    started_on: Day
    living_environment: str = Text
    health_state: str = Text
    mental_state: str = Text
    clinic_attendance: str = Field("", max_length=200, description="【慢性疾患】")
    medication: str = Field("", max_length=200, description="【慢性疾患】")
    doctor_instructions: str = Field("", max_length=10_000, description="【慢性疾患】")
    withdrawal_reason: HealthTrack.WithdrawalReason | None = Field(None, description="【閉じこもり】")
    referral: HealthTrack.Referral | None = Field(None, description="【閉じこもり】")
    referral_place: str = Field("", max_length=200, description="【閉じこもり】")
    preference_survey: str = Field("", max_length=10_000, description="【栄養】")
    menu_examples: str = Field("", max_length=10_000, description="【栄養】")
    low_cost_food_info: str = Field("", max_length=10_000, description="【栄養】")
    can_live_at_home: bool | None = Field(None, description="【認知症】")
    care_certification_applied_on: Day | None = Field(None, description="【認知症】")
    facility_option: str = Field("", max_length=10_000, description="【認知症】")


TRACK_DATA = tuple(f for f in HealthTrackIn.model_fields if f not in ("track", "started_on"))


class HealthTrackOut(Schema):
    id: int
    enrollment_id: int
    program_name: str
    track: str
    track_label: str
    started_on: dt.date
    living_environment: str
    health_state: str
    mental_state: str
    clinic_attendance: str
    medication: str
    doctor_instructions: str
    withdrawal_reason: str
    referral: str
    referral_place: str
    preference_survey: str
    menu_examples: str
    low_cost_food_info: str
    can_live_at_home: bool | None
    care_certification_applied_on: dt.date | None
    facility_option: str
    version: int

    resolve_track_label = label_of("track")

    @staticmethod
    def resolve_program_name(obj: HealthTrack) -> str:
        return obj.enrollment.program.name


class MeasurementOut(Schema):
    record_id: int
    occurred_at: dt.datetime
    systolic_bp: int | None
    diastolic_bp: int | None
    weight_kg: float | None

    # Read from a progress record (``selectors.measurements``).
    @staticmethod
    def resolve_record_id(obj: Any) -> int:
        return int(obj.pk)

    @staticmethod
    def resolve_weight_kg(obj: Any) -> float | None:
        return float(obj.weight_kg) if obj.weight_kg is not None else None


class FamilyContactIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    relationship: str = Field(..., min_length=1, max_length=50)
    is_support_obligor: bool = True
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)


class FamilyRequestIn(InputSchema):
    contact_id: Id
    ask: FamilyRequest.Ask
    asked_on: Day
    note: str = Note


class FamilyAnswerIn(InputSchema):
    answer: FamilyRequest.Answer = Field(..., description="協力可 / 一部協力可 / 協力不可（pending は不可）")
    answered_on: Day
    note: str = Note


class FamilyRequestOut(Schema):
    id: int
    contact_id: int
    enrollment_id: int | None
    ask: str
    ask_label: str
    asked_on: dt.date
    answer: str
    answer_label: str
    answered_on: dt.date | None
    note: str
    recorded_by_id: int

    resolve_ask_label = label_of("ask")
    resolve_answer_label = label_of("answer")


class FamilyContactOut(Schema):
    id: int
    name: str
    relationship: str
    is_support_obligor: bool
    phone: str
    address: str
    requests: list[FamilyRequestOut]


class ReceivingRequestIn(InputSchema):
    enrollment_id: Id = Field(..., description="この人の終了していない参加")
    facility_id: Id = Field(..., description="救護施設・グループホーム・施設（関係機関）")
    requested_on: Day
    note: str = Note


class ReceivingAnswerIn(InputSchema):
    status: ReceivingRequest.Status = Field(
        ..., description="受入可 / 空き待ち / 受入不可（定員を超える受入可は facility_full）")
    answered_on: Day
    note: str = Note


class ReceivingRequestOut(Schema):
    id: int
    enrollment_id: int
    program_name: str
    facility_id: int
    facility_name: str
    facility_capacity: int | None
    facility_accepted: int = Field(
        ..., description="受入中の人数：受入可の依頼のうち参加が終わっていないもの（定員を超える受入可を拒む判定と同じ数）")
    requested_on: dt.date
    status: str
    status_label: str
    answered_on: dt.date | None
    note: str

    resolve_status_label = label_of("status")

    # Read from ``_receiving_qs`` (``occupied``: the places taken at the facility).
    @staticmethod
    def resolve_program_name(obj: ReceivingRequest) -> str:
        return obj.enrollment.program.name

    @staticmethod
    def resolve_facility_name(obj: ReceivingRequest) -> str:
        return obj.facility.name

    @staticmethod
    def resolve_facility_capacity(obj: ReceivingRequest) -> int | None:
        return obj.facility.capacity

    @staticmethod
    def resolve_facility_accepted(obj: ReceivingRequest) -> int:
        return int(getattr(obj, "occupied", 0))


class VolunteerPlacementOut(Schema):
    id: int
    enrollment_id: int
    host_id: int
    host_name: str
    activity: str
    started_on: dt.date
    ended_on: dt.date | None
    note: str

    @staticmethod
    def resolve_host_name(obj: VolunteerPlacement) -> str:
        return obj.host.name


class JobSearchMonthOut(Schema):
    month: dt.date
    required: int
    handed_in: int
    complete: bool
    shortfall: int


class JobSearchOut(Schema):
    enrollment_id: int
    program_name: str
    required_per_month: int
    shortfall: int
    months: list[JobSearchMonthOut]

    # Read from an ``(enrollment, selectors.JobSearchStatus)`` pair.
    @staticmethod
    def resolve_enrollment_id(obj: tuple[Enrollment, selectors.JobSearchStatus]) -> int:
        return obj[0].pk

    @staticmethod
    def resolve_program_name(obj: tuple[Enrollment, selectors.JobSearchStatus]) -> str:
        return obj[0].program.name

    @staticmethod
    def resolve_required_per_month(obj: tuple[Enrollment, selectors.JobSearchStatus]) -> int:
        return obj[1].required_per_month

    @staticmethod
    def resolve_shortfall(obj: tuple[Enrollment, selectors.JobSearchStatus]) -> int:
        return obj[1].shortfall

    @staticmethod
    def resolve_months(obj: tuple[Enrollment, selectors.JobSearchStatus]) -> list[Any]:
        return obj[1].months


class SupportEnrollmentOut(Schema):
    id: int
    program_id: int
    program_name: str
    status: str

    @staticmethod
    def resolve_program_name(obj: Enrollment) -> str:
        return obj.program.name


class PersonSupportOut(Schema):
    person_id: int
    person_name: str
    enrollments: list[SupportEnrollmentOut]
    health_tracks: list[HealthTrackOut]
    family_contacts: list[FamilyContactOut]
    receiving_requests: list[ReceivingRequestOut]
    hello_work_referrals: list[HwReferralOut]
    volunteer_placements: list[VolunteerPlacementOut]
    suggested_centres: list[AreaPartnerOut]
    job_search: list[JobSearchOut]
    work_routes: list[WorkRouteOut] = Field(..., description="清洲：初回面接の結果による振り分け（参加ごと）")
    work_barriers: list[WorkBarrierOut] = Field(..., description="就労阻害要因とその解消の手立て")

    # Read from the person: each list is one query of what the page shows.
    @staticmethod
    def resolve_person_id(obj: Person) -> int:
        return obj.pk

    @staticmethod
    def resolve_person_name(obj: Person) -> str:
        return obj.name

    @staticmethod
    def resolve_enrollments(obj: Person) -> list[Enrollment]:
        return list(Enrollment.objects.filter(person=obj).select_related("program"))

    @staticmethod
    def resolve_health_tracks(obj: Person) -> list[HealthTrack]:
        return list(HealthTrack.objects.filter(enrollment__person=obj)
                    .select_related("enrollment__program"))

    @staticmethod
    def resolve_family_contacts(obj: Person) -> list[FamilyContact]:
        return list(FamilyContact.objects.filter(person=obj).prefetch_related("requests"))

    @staticmethod
    def resolve_receiving_requests(obj: Person) -> list[ReceivingRequest]:
        return list(_receiving_qs(obj))

    @staticmethod
    def resolve_hello_work_referrals(obj: Person) -> list[HelloWorkReferral]:
        return list(HelloWorkReferral.objects.filter(enrollment__person=obj).select_related(
            "hello_work", "enrollment__person", "enrollment__program"))

    @staticmethod
    def resolve_volunteer_placements(obj: Person) -> list[VolunteerPlacement]:
        return list(VolunteerPlacement.objects.filter(enrollment__person=obj)
                    .select_related("host"))

    @staticmethod
    def resolve_suggested_centres(obj: Person) -> list[PartnerOrganisation]:
        return list(selectors.suggest_centres(obj))

    @staticmethod
    def resolve_job_search(obj: Person) -> list[tuple[Enrollment, selectors.JobSearchStatus]]:
        today = clock.today()
        pairs = ((e, selectors.job_search_status(e, today)) for e in selectors.open_enrollments(obj))
        return [(e, status) for e, status in pairs if status is not None]


    @staticmethod
    def resolve_work_routes(obj: Person) -> list[work_capacity.RouteState]:
        return work_capacity.route_states(obj, clock.today())

    @staticmethod
    def resolve_work_barriers(obj: Person) -> list[work_capacity.BarrierView]:
        return work_capacity.barriers_of(obj, clock.today())


def _receiving_qs(person: Person) -> Any:
    return selectors.receiving_requests_with_occupancy(
        ReceivingRequest.objects.filter(enrollment__person=person).select_related(
            "facility", "enrollment__program"))


# ---------------------------------------------------------------- reads

@router.get("/people/{person_id}/support", response=responses(PersonSupportOut),
            summary="支援の詳細（健康の4支援対象・扶養義務者・受入先・ハローワーク・ボランティア・求職活動・振り分けと就労阻害要因）。閲覧は監査ログに記録")
def person_support(request: ApiRequest, person_id: Id) -> Person:
    m, person = _person(request, person_id, "person.view")
    log_view(m, person, what="person.support_view")
    return person


@router.get("/people/{person_id}/measurements", response=responses(page_of(MeasurementOut)),
            summary="血圧・体重の推移（経過記録から、古い順）。記録は POST /records で")
def measurement_list(request: ApiRequest, person_id: Id,
                     page: Query[PageParams]) -> dict[str, Any]:
    m, person = _person(request, person_id, "person.view")
    log_view(m, person, what="person.support_view")
    return paginate(request, selectors.measurements(person), page)


# ---------------------------------------------------------------- writes

@router.post("/people/{person_id}/health-tracks", response=responses(HealthTrackOut, 201),
             summary="健康の支援対象（慢性疾患・閉じこもり・栄養・認知症）の記録を始める（参加中のプログラムに）")
def health_track_open(request: ApiRequest, person_id: Id,
                      payload: HealthTrackIn) -> tuple[int, HealthTrack]:
    m, person = _person(request, person_id, "plan.write")
    data = {k: v for k in TRACK_DATA if (v := getattr(payload, k)) not in (None, "")}
    row = services.health_track_open_for_person(actor=m, person=person, track=payload.track,
                                                started_on=payload.started_on, data=data)
    return 201, (HealthTrack.objects.select_related("enrollment__program").get(pk=row.pk))


@router.post("/people/{person_id}/family-contacts", response=responses(FamilyContactOut, 201),
             summary="扶養義務者・親族の登録")
def family_contact_add(request: ApiRequest, person_id: Id,
                       payload: FamilyContactIn) -> tuple[int, FamilyContact]:
    m, person = _person(request, person_id, "person.edit")
    c = services.family_contact_add(actor=m, person=person, **payload.dict())
    return 201, c


@router.post("/people/{person_id}/family-requests", response=responses(FamilyRequestOut, 201),
             summary="扶養義務者・親族への依頼（引き取り・施設入所時・居宅生活時の協力）の記録")
def family_request_record(request: ApiRequest, person_id: Id,
                          payload: FamilyRequestIn) -> tuple[int, FamilyRequest]:
    m, person = _person(request, person_id, "record.write")
    contact = ref(FamilyContact.objects.filter(person=person), payload.contact_id, "contact_id")
    r = services.family_request_record(actor=m, contact=contact, ask=payload.ask,
                                       asked_on=payload.asked_on,
                                       enrollment=selectors.open_enrollments(person).first(),
                                       note=payload.note)
    return 201, r


@router.post("/people/{person_id}/family-requests/{request_id}/answer",
             response=responses(FamilyRequestOut), summary="扶養義務者・親族からの回答の記録")
def family_request_answer(request: ApiRequest, person_id: Id, request_id: Id,
                          payload: FamilyAnswerIn) -> FamilyRequest:
    m, person = _person(request, person_id, "record.write")
    req = ref(FamilyRequest.objects.filter(contact__person=person).select_related("contact"),
              request_id, "request_id")
    r = services.family_request_answer(actor=m, request=req, answer=payload.answer,
                                       answered_on=payload.answered_on, note=payload.note)
    return r


@router.post("/people/{person_id}/receiving-requests", response=responses(ReceivingRequestOut, 201),
             summary="受入先（救護施設・グループホーム・施設）への受入依頼")
def receiving_request_make(request: ApiRequest, person_id: Id,
                           payload: ReceivingRequestIn) -> tuple[int, dict[str, Any]]:
    m, person = _person(request, person_id, "enrollment.manage")
    enrollment = ref(selectors.open_enrollments(person), payload.enrollment_id, "enrollment_id")
    facility = ref(PartnerOrganisation.objects.filter(office=m.office, is_active=True),
                   payload.facility_id, "facility_id")
    with renamed_fields({"facility": "facility_id"}):
        r = services.receiving_request_make(actor=m, enrollment=enrollment, facility=facility,
                                            requested_on=payload.requested_on, note=payload.note)
    return 201, _receiving_qs(person).get(pk=r.pk)


@router.post("/people/{person_id}/receiving-requests/{request_id}/answer",
             response=responses(ReceivingRequestOut),
             summary="受入先からの回答の記録（定員を超える「受入可」は facility_full）")
def receiving_request_answer(request: ApiRequest, person_id: Id, request_id: Id,
                             payload: ReceivingAnswerIn) -> dict[str, Any]:
    m, person = _person(request, person_id, "enrollment.manage")
    req = ref(ReceivingRequest.objects.filter(enrollment__person=person).select_related(
        "enrollment__person", "facility"), request_id, "request_id")
    services.receiving_request_answer(actor=m, request=req, status=payload.status,
                                      answered_on=payload.answered_on, note=payload.note)
    return _receiving_qs(person).get(pk=req.pk)
