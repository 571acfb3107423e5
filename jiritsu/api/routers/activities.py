"""Activities (the seed programs' own features) through the activities services.

Workplace adaptation training (職場適応訓練: employers, placements, attendance, monthly
status, extension, end), Hello Work referrals (ハローワークへの支援要請), program templates,
the partner directory by area, the derived task list and registering people not on
assistance. Group sessions are in ``activities_sessions``, a person's support details in
``activities_support``.

The 4 h/day and 20 days/month limits are the service's refusals (``training_day_over_4_hours``,
``training_month_over_20_days``), answered as 422 with that code.

Size (over 600 lines): one section per feature (training, Hello Work, templates, partner
directory, tasks, people not on assistance). The split follows ``routers/lifecycle/``: a
package with one router per section (operation ids keep the package name, see
``ContractAPI.get_openapi_operation_id``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from jiritsu.activities import catalog, selectors, services
from jiritsu.activities.access import (
    get_placement_for_user,
    get_referral_for_user,
    require_staff,
    visible_referrals,
)
from jiritsu.activities.models import (
    HelloWorkReferral,
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
    person_ref,
    ref,
    renamed_fields,
    responses,
)
from jiritsu.api.routers.lifecycle.common import EnrollmentOut
from jiritsu.core import clock
from jiritsu.core.errors import NotFound
from jiritsu.core.wareki import fiscal_year_of
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.people.access import log_view
from jiritsu.people.models import Person
from jiritsu.programs.access import get_enrollment_for_user, get_program_for_user, visible_programs
from jiritsu.programs.models import Enrollment, Program

router = Router()

MAX_INT = 2_147_483_647
Version = Field(..., ge=1, le=MAX_INT, description="読み込んだ時点の版（楽観的ロック）")
Note = Field("", max_length=10_000)


# ---------------------------------------------------------------- references

def staff(request: HttpRequest, action: str) -> Membership:
    """The acting membership for office-wide activity lists: staff with ``action`` (403 else)."""
    return require_staff(acting(request), action)


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
def training_employer_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "program.view")
    return paginate(request, selectors.approved_training_employers(m.office).order_by("id"),
                    page, _employer)


@router.post("/training-employers", response=responses(TrainingEmployerOut, 201),
             summary="訓練実施機関の承認（所長のみ）")
def training_employer_approve(request: HttpRequest,
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
def training_placement_list(request: HttpRequest, filters: Query[TrainingPlacementFilter],
                            page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "program.view")
    qs = selectors.placements_for(m.office)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs.order_by("-starts_on", "-id"), page, _placement)


@router.post("/training-placements", response=responses(TrainingPlacementOut, 201),
             summary="職場適応訓練の開始（仕事場見学の後）")
def training_placement_start(request: HttpRequest,
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
def training_placement_detail(request: HttpRequest, placement_id: Id) -> dict[str, Any]:
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


@router.post("/training-placements/{placement_id}/monthly-status",
             response=responses(TrainingMonthlyStatusOut, 201),
             summary="毎月の状況把握と期間等の判断（同じ月は上書き）")
def training_month_status(request: HttpRequest, placement_id: Id,
                          payload: TrainingMonthlyStatusIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "record.write")
    placement = get_placement_for_user(m, placement_id, write=True)
    row = services.training_month_status(actor=m, placement=placement, month=payload.month,
                                         assessment=payload.assessment,
                                         decision=payload.decision)
    return 201, _monthly(row)


@router.post("/training-placements/{placement_id}/extend", response=responses(TrainingPlacementOut),
             summary="訓練期間の延長（所長のみ、最長期間まで）")
def training_placement_extend(request: HttpRequest, placement_id: Id,
                              payload: TrainingExtendIn) -> dict[str, Any]:
    m = acting(request, "training.approve")
    placement = get_placement_for_user(m, placement_id, write=True)
    services.training_placement_extend(actor=m, placement=placement, until=payload.until,
                                       approved_on=payload.approved_on,
                                       expected_version=payload.version)
    return _placement_fresh(m, placement.pk)


@router.post("/training-placements/{placement_id}/end", response=responses(TrainingPlacementOut),
             summary="訓練の終了と訓練終了後の処遇")
def training_placement_end(request: HttpRequest, placement_id: Id,
                           payload: TrainingEndIn) -> dict[str, Any]:
    m = acting(request, "enrollment.manage")
    placement = get_placement_for_user(m, placement_id, write=True)
    services.training_placement_end(actor=m, placement=placement, ended_on=payload.ended_on,
                                    follow_up=payload.follow_up,
                                    follow_up_note=payload.follow_up_note,
                                    expected_version=payload.version)
    return _placement_fresh(m, placement.pk)


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


def referral_row(r: HelloWorkReferral) -> dict[str, Any]:
    e = r.enrollment
    return {"id": r.pk, "enrollment_id": e.pk, "person_id": e.person_id,
            "person_name": e.person.name, "program_id": e.program_id,
            "program_name": e.program.name, "hello_work_id": r.hello_work_id,
            "hello_work_name": r.hello_work.name, "status": r.status,
            "status_label": r.get_status_display(), "menu": r.menu,
            "consented_on": r.consented_on, "form_a_on": r.form_a_on,
            "request_sent_on": r.request_sent_on, "interview_on": r.interview_on,
            "interview_attendees": r.interview_attendees, "result_on": r.result_on,
            "result_note": r.result_note, "version": r.version}


@router.get("/hello-work-referrals", response=responses(page_of(HwReferralOut)),
            summary="ハローワークへの支援要請の一覧（ハローワーク自身は自所あての分のみ）")
def hw_referral_list(request: HttpRequest, filters: Query[HwReferralFilter],
                     page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    qs = visible_referrals(m)
    if filters.person_id:
        qs = qs.filter(enrollment__person_id=filters.person_id)
    if filters.enrollment_id:
        qs = qs.filter(enrollment_id=filters.enrollment_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs.order_by("-consented_on", "-id"), page, referral_row)


@router.post("/hello-work-referrals", response=responses(HwReferralOut, 201),
             summary="ハローワークへの支援要請の開始（事業説明・同意）")
def hw_referral_start(request: HttpRequest, payload: HwReferralIn) -> tuple[int, dict[str, Any]]:
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
    return 201, referral_row(get_referral_for_user(m, referral.pk))


@router.get("/hello-work-referrals/{referral_id}", response=responses(HwReferralOut),
            summary="ハローワークへの支援要請の詳細。閲覧は監査ログに記録")
def hw_referral_detail(request: HttpRequest, referral_id: Id) -> dict[str, Any]:
    m = acting(request)
    referral = get_referral_for_user(m, referral_id)
    log_view(m, referral.enrollment.person, what="hw_referral.view")
    return referral_row(referral)


@router.post("/hello-work-referrals/{referral_id}/steps", response=responses(HwReferralOut),
             summary="ハローワークへの支援要請の手続き（ハローワーク自身は支援中・就職・支援終了）")
def hw_referral_step(request: HttpRequest, referral_id: Id, payload: HwStepIn) -> dict[str, Any]:
    membership = acting(request)
    referral = get_referral_for_user(membership, referral_id, write=True)
    referral = services.hw_referral_advance(
        actor=membership, referral=referral, step=payload.step, on=payload.on,
        expected_version=payload.version, menu=payload.menu or "", attendees=payload.attendees,
        note=payload.note)
    return referral_row(referral)


# ---------------------------------------------------------------- program templates

class TemplateOut(Schema):
    code: str
    name: str
    seed_office: str = Field(..., description="このプログラムを実施している事務所（出典）")
    kind: str
    category: str
    established_on: dt.date
    description: str
    target_description: str
    features: list[str]
    phases: list[str]
    menus: list[str]
    companion_codes: list[str]
    program_name: str | None = Field(None, description="この事務所で作成済みならそのプログラム名")


class TemplateInstantiateIn(InputSchema):
    """Overrides of the template's values; a value left out keeps the template's."""

    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, min_length=1, max_length=40,
                             description="事務所内で重複しない短い記号（英数字）")
    established_on: Day | None = Field(None, description="策定年月（その月の1日）")
    review_interval_months: int | None = Field(None, ge=1, le=24)
    standard_length_months: int | None = Field(None, ge=1, le=60)
    max_length_months: int | None = Field(None, ge=1, le=120)
    budget_yen: int | None = Field(None, ge=0, le=MAX_INT)
    capacity: int | None = Field(None, ge=1, le=MAX_INT)


class ProgramCreatedOut(Schema):
    id: int
    code: str
    name: str
    template_code: str
    established_on: dt.date | None


def _template(t: catalog.ProgramTemplate, used: dict[str, str]) -> dict[str, Any]:
    return {"code": t.code, "name": t.name, "seed_office": t.office, "kind": t.kind,
            "category": t.category, "established_on": t.established_on,
            "description": t.description, "target_description": t.target_description,
            "features": list(t.features), "phases": [p.name for p in t.phases],
            "menus": [x.name for x in t.menus],
            "companion_codes": [c.code for c in catalog.companions_of(t.code)],
            "program_name": used.get(t.code)}


@router.get("/program-templates", response=responses(page_of(TemplateOut)),
            summary="プログラムのテンプレート（先行事例15）の一覧")
def template_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    used = dict(visible_programs(m).exclude(template_code="").values_list("template_code", "name"))
    return paginate(request, list(catalog.TEMPLATES), page, lambda t: _template(t, used))


@router.post("/program-templates/{code}/programs", response=responses(ProgramCreatedOut, 201),
             summary="テンプレートからプログラムを作成（段階・メニュー・成果・目標つき）")
def template_create(request: HttpRequest, code: str,
                    payload: TemplateInstantiateIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "program.manage")
    if catalog.get_template(code) is None:
        raise Http404
    program = services.program_instantiate_template(actor=m, template_code=code,
                                                    overrides=payload.dict())
    return 201, {"id": program.pk, "code": program.code, "name": program.name,
                 "template_code": program.template_code,
                 "established_on": program.established_on}


# ---------------------------------------------------------------- partner directory

class AreaFilter(Schema):
    kind: PartnerOrganisation.Kind = PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE


class AreaPartnerOut(Schema):
    id: int
    name: str
    kind: str
    operator: str
    address: str
    phone: str
    capacity: int | None
    areas: list[str]


class AreaOut(Schema):
    area: str
    partners: list[AreaPartnerOut]


def _area_partner(p: PartnerOrganisation) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "kind": p.kind, "operator": p.operator,
            "address": p.address, "phone": p.phone, "capacity": p.capacity,
            "areas": [str(a) for a in p.areas or []]}


@router.get("/partner-areas", response=responses(page_of(AreaOut)),
            summary="担当圏域ごとの関係機関（地域生活支援センターなど）")
def partner_areas(request: HttpRequest, filters: Query[AreaFilter],
                  page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    rows = selectors.partners_by_area(m.office, filters.kind)
    return paginate(request, rows, page, lambda row: {
        "area": row[0], "partners": [_area_partner(p) for p in row[1]]})


# ---------------------------------------------------------------- the task list

class TaskFilter(Schema):
    everyone: bool = Field(False, description="ケースワーカーも全員分を表示（既定は自分の担当分）")
    fiscal_year: int | None = Field(None, ge=1990, le=2100, description="年間サイクルの年度")


class TaskPersonOut(Schema):
    id: int
    name: str
    kana: str
    case_number: str | None
    assistance_started_on: dt.date | None
    caseworker_id: int | None


class NewCasesOut(Schema):
    program_id: int
    program_name: str
    people: list[TaskPersonOut]


class FollowUpOut(Schema):
    enrollment_id: int
    person_id: int
    person_name: str
    program_id: int
    discharged_on: dt.date
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool


class CycleTaskOut(Schema):
    code: str
    title: str
    opens_on: dt.date
    due_on: dt.date
    done: int
    total: int
    state: str
    state_label: str


class CyclePendingOut(Schema):
    person_id: int
    person_name: str
    missing: list[str]


class CycleOut(Schema):
    program_id: int
    program_name: str
    fiscal_year: int
    ledger_id: int | None
    tasks: list[CycleTaskOut]
    pending: list[CyclePendingOut]


class TasksOut(Schema):
    mine: bool
    fiscal_year: int
    today: dt.date
    new_cases: list[NewCasesOut]
    follow_ups: list[FollowUpOut] = Field(
        ..., description=f"退院後の確認（未確認を先に、確認の目途の順）。最大{selectors.TASK_LIST_LIMIT}件")
    follow_ups_total: int = Field(..., description=f"退院後の確認の総数（follow_ups は先頭{selectors.TASK_LIST_LIMIT}件まで）")
    cycles: list[CycleOut]


class ConsideredIn(InputSchema):
    program_id: Id
    person_id: Id
    on: Day
    note: str = Field(..., min_length=1, max_length=300, description="検討の結果（見送る理由）")


class CycleRecordIn(InputSchema):
    program_id: Id
    person_id: Id
    task: Literal["condition_survey", "doctor_consultation", "individual_sheet"] = Field(
        ..., description="病状調査 / 嘱託医協議 / 個人票の作成")
    on: Day
    text: str = Field(..., min_length=1, max_length=300)


class TaskRecordOut(Schema):
    record_id: int
    person_id: int
    program_id: int
    occurred_at: dt.datetime
    text: str


def _task_person(p: Person) -> dict[str, Any]:
    hh = p.household
    return {"id": p.pk, "name": p.name, "kana": p.kana,
            "case_number": hh.case_number if hh else None,
            "assistance_started_on": hh.assistance_started_on if hh else None,
            "caseworker_id": hh.caseworker_id if hh else None}


@router.get("/tasks", response=responses(TasksOut),
            summary="支援活動のタスク（新規開始ケースの検討、退院後の確認、年間サイクル）")
def task_overview(request: HttpRequest, filters: Query[TaskFilter]) -> dict[str, Any]:
    m = staff(request, "program.view")
    today = clock.today()
    fy = filters.fiscal_year or fiscal_year_of(today)
    o = selectors.task_overview(m.office, role=m.role, user=m.user, today=today, fiscal_year=fy,
                                everyone=filters.everyone)
    return {
        "mine": o.mine, "fiscal_year": o.fiscal_year, "today": today,
        "new_cases": [{"program_id": p.pk, "program_name": p.name,
                       "people": [_task_person(x) for x in people]} for p, people in o.new_cases],
        "follow_ups": [{"enrollment_id": f.enrollment.pk, "person_id": f.enrollment.person_id,
                        "person_name": f.enrollment.person.name,
                        "program_id": f.enrollment.program_id, "discharged_on": f.discharged_on,
                        "due_on": f.due_on, "done_on": f.done_on, "overdue": f.overdue}
                       for f in o.follow_ups],
        "follow_ups_total": o.follow_ups_total,
        "cycles": [{"program_id": p.pk, "program_name": p.name, "fiscal_year": c["fiscal_year"],
                    "ledger_id": c["ledger"].pk if c["ledger"] else None,
                    "tasks": [{"code": t.code, "title": t.title, "opens_on": t.opens_on,
                               "due_on": t.due_on, "done": t.done, "total": t.total,
                               "state": t.state, "state_label": t.state_label}
                              for t in c["tasks"]],
                    "pending": [{"person_id": r["person"].pk, "person_name": r["person"].name,
                                 "missing": r["missing"]} for r in c["pending"]]}
                   for p, c in o.cycles]}


def _task_record(rec: Any, program: Program) -> dict[str, Any]:
    return {"record_id": rec.pk, "person_id": rec.person_id, "program_id": program.pk,
            "occurred_at": rec.occurred_at, "text": rec.text}


@router.post("/tasks/new-case-considered", response=responses(TaskRecordOut, 201),
             summary="新規開始ケースをプログラム利用について検討した（今回は見送り）ことの記録")
def new_case_considered(request: HttpRequest, payload: ConsideredIn) -> tuple[int, dict[str, Any]]:
    m = staff(request, "enrollment.manage")
    program = ref(visible_programs(m), payload.program_id, "program_id")
    person = person_ref(m, payload.person_id)
    rec = services.new_case_mark_considered(actor=m, program=program, person=person,
                                            on=payload.on, note=payload.note)
    return 201, _task_record(rec, program)


@router.post("/tasks/cycle-records", response=responses(TaskRecordOut, 201),
             summary="年間サイクルの作業（病状調査・嘱託医協議・個人票）の記録")
def cycle_record(request: HttpRequest, payload: CycleRecordIn) -> tuple[int, dict[str, Any]]:
    m = staff(request, "record.write")
    program = ref(visible_programs(m), payload.program_id, "program_id")
    person = person_ref(m, payload.person_id)
    rec = services.cycle_task_record(actor=m, program=program, person=person, task=payload.task,
                                     on=payload.on, text=payload.text)
    return 201, _task_record(rec, program)


# ---------------------------------------------------------------- people not on assistance

class NonRecipientIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    kana: str = Field(..., min_length=1, max_length=100)
    birth_date: Day
    sex: Person.Sex
    school_name: str = Field("", max_length=100)
    school_grade: Person.SchoolGrade | None = None
    phone: str = Field("", max_length=30)
    note: str = Note
    registered_on: Day = Field(..., description="登録日（候補になった日）")


@router.post("/programs/{program_id}/non-recipients",
             response=responses(EnrollmentOut, 201),
             summary="被保護者以外の参加者を登録し、候補として参加させる（大津型）")
def non_recipient_register(request: HttpRequest, program_id: Id,
                           payload: NonRecipientIn) -> tuple[int, Enrollment]:
    m = acting(request, "person.edit")
    program = get_program_for_user(m, program_id)
    data = payload.dict(exclude={"registered_on"})
    data["school_grade"] = data["school_grade"] or ""
    enrollment = services.person_register_and_enrol(actor=m, program=program, data=data,
                                                    on=payload.registered_on)
    return 201, enrollment
