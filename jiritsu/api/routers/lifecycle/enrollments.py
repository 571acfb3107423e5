"""Enrolments (episodes) and their transitions: select, start, phase, menus, continue,
extend, end, transfer, assign.

Part of the program life cycle API (see the package docstring)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    Id,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    person_ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import (
    DateField,
    EnrollmentDetailOut,
    EnrollmentOut,
    Note,
    TransitionOut,
    Version,
    conference_ref,
    enrollment_for,
    fresh_enrollment,
    menus_ref,
    partner_ref,
    phase_ref,
    program_ref,
    staff_ref,
    transition_out,
)
from jiritsu.cases import access, services
from jiritsu.cases.access import log_view
from jiritsu.cases.models import Enrollment
from jiritsu.offices.models import Membership
from jiritsu.programs.models import SupportMenu

router = Router()


# ---------------------------------------------------------------- enrolments

class EnrollmentFilter(Schema):
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)
    status: Enrollment.Status | None = None


class EnrollmentCreateIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    program_id: int = Field(..., ge=1, le=2_147_483_647)
    on: Day = DateField
    note: str = Note
    lead_staff_id: int | None = Field(None, ge=1, le=2_147_483_647)


class SelectIn(InputSchema):
    on: Day = DateField
    version: int | None = Version
    conference_id: int | None = Field(None, ge=1, le=2_147_483_647)
    note: str = Note


class StartIn(SelectIn):
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)
    menu_ids: list[int] | None = Field(None, max_length=50)
    planned_end_on: Day | None = None
    lead_staff_id: int | None = Field(None, ge=1, le=2_147_483_647)


class PhaseChangeIn(SelectIn):
    phase_id: int = Field(..., ge=1, le=2_147_483_647)


class MenusIn(SelectIn):
    menu_ids: list[int] = Field(..., max_length=50)


class ContinueIn(InputSchema):
    on: Day = DateField
    conference_id: int | None = Field(None, ge=1, le=2_147_483_647)
    note: str = Note


class ExtendIn(SelectIn):
    until: Day = Field(..., description="延長後の終了予定日")


class EndIn(SelectIn):
    reason: Enrollment.EndReason


class TransferIn(SelectIn):
    target_program_id: int = Field(..., ge=1, le=2_147_483_647)
    start: bool = Field(False, description="true: 移行先で直ちに支援開始")
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)


class AssignIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647)
    lead_staff_id: int | None = Field(None, ge=1, le=2_147_483_647)
    referred_partner_ids: list[int] | None = Field(None, max_length=50)


def _enrollments_qs(m: Membership) -> QuerySet[Enrollment]:
    return access.visible_enrollments(m).select_related("person", "program").prefetch_related(
        Prefetch("menus", queryset=SupportMenu.objects.only("id")))


@router.get("/enrollments", response=responses(page_of(EnrollmentOut)),
            summary="プログラム参加（エピソード）の一覧")
def enrollment_list(request: ApiRequest, filters: Query[EnrollmentFilter],
                    page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    qs = _enrollments_qs(m)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs.order_by("-candidate_on", "-id"), page)


@router.get("/enrollments/{enrollment_id}", response=responses(EnrollmentDetailOut),
            summary="プログラム参加の詳細（状態変更の履歴つき。閲覧は監査ログに記録）")
def enrollment_detail(request: ApiRequest, enrollment_id: Id) -> Enrollment:
    m, e = enrollment_for(request, enrollment_id)
    log_view(m, e.person, what="enrollment.view")
    return e


@router.post("/enrollments", response=responses(EnrollmentOut, 201),
             summary="候補として登録（候補）")
def enrollment_create(request: ApiRequest, payload: EnrollmentCreateIn) -> tuple[int, Enrollment]:
    m = acting(request, "enrollment.manage")
    e = services.enrollment_create(
        actor=m, person=person_ref(m, payload.person_id), program=program_ref(m, payload.program_id),
        on=payload.on, note=payload.note,
        lead_staff=staff_ref(m, payload.lead_staff_id, "lead_staff_id"))
    return 201, fresh_enrollment(m, e.pk)


@router.post("/enrollments/{enrollment_id}/select", response=responses(TransitionOut),
             summary="選定（候補 → 選定）")
def enrollment_select(request: ApiRequest, enrollment_id: Id, payload: SelectIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_select(actor=m, enrollment=e, on=payload.on,
                                        conference=conference_ref(m, payload.conference_id),
                                        note=payload.note, expected_version=payload.version)
    return transition_out(m, e, result)


@router.post("/enrollments/{enrollment_id}/start", response=responses(TransitionOut),
             summary="支援開始（候補・選定 → 参加中）。同意が必要なプログラムでは有効な同意が必要")
def enrollment_start(request: ApiRequest, enrollment_id: Id, payload: StartIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_start(
        actor=m, enrollment=e, on=payload.on, phase=phase_ref(m, payload.phase_id),
        menus=menus_ref(m, payload.menu_ids), planned_end_on=payload.planned_end_on,
        lead_staff=staff_ref(m, payload.lead_staff_id, "lead_staff_id"),
        conference=conference_ref(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return transition_out(m, e, result)


@router.post("/enrollments/{enrollment_id}/change-phase", response=responses(TransitionOut),
             summary="段階変更")
def enrollment_change_phase(request: ApiRequest, enrollment_id: Id, payload: PhaseChangeIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_change_phase(
        actor=m, enrollment=e, phase=phase_ref(m, payload.phase_id), on=payload.on,
        conference=conference_ref(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return transition_out(m, e, result)


@router.post("/enrollments/{enrollment_id}/menus", response=responses(TransitionOut),
             summary="支援メニューの変更")
def enrollment_menus(request: ApiRequest, enrollment_id: Id, payload: MenusIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_set_menus(
        actor=m, enrollment=e, menus=menus_ref(m, payload.menu_ids) or [], on=payload.on,
        note=payload.note, conference=conference_ref(m, payload.conference_id),
        expected_version=payload.version)
    return transition_out(m, e, result)


@router.post("/enrollments/{enrollment_id}/continue", response=responses(TransitionOut),
             summary="継続（変更なしで続けることの記録）")
def enrollment_continue(request: ApiRequest, enrollment_id: Id, payload: ContinueIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_continue(actor=m, enrollment=e, on=payload.on,
                                          conference=conference_ref(m, payload.conference_id),
                                          note=payload.note)
    return transition_out(m, e, result)


@router.post("/enrollments/{enrollment_id}/extend", response=responses(TransitionOut),
             summary="延長（標準期間を超える場合は決裁が必要なことがあります）")
def enrollment_extend(request: ApiRequest, enrollment_id: Id, payload: ExtendIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_extend(
        actor=m, enrollment=e, until=payload.until, on=payload.on,
        conference=conference_ref(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return transition_out(m, e, result)


@router.post("/enrollments/{enrollment_id}/end", response=responses(TransitionOut),
             summary="終了（理由つき。決裁が必要なことがあります）")
def enrollment_end(request: ApiRequest, enrollment_id: Id, payload: EndIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_end(
        actor=m, enrollment=e, reason=payload.reason, on=payload.on,
        conference=conference_ref(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return transition_out(m, e, result)


@router.post("/enrollments/{enrollment_id}/transfer", response=responses(TransitionOut),
             summary="他プログラムへの移行（この参加を終了し、移行先に新しい参加を作成）")
def enrollment_transfer(request: ApiRequest, enrollment_id: Id, payload: TransferIn) -> dict[str, Any]:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    services.enrollment_transfer(
        actor=m, enrollment=e, target_program=program_ref(m, payload.target_program_id,
                                                       "target_program_id"),
        on=payload.on, conference=conference_ref(m, payload.conference_id), note=payload.note,
        start=payload.start, phase=phase_ref(m, payload.phase_id),
        expected_version=payload.version)
    return transition_out(m, e, fresh_enrollment(m, e.pk))


@router.post("/enrollments/{enrollment_id}/assign", response=responses(EnrollmentOut),
             summary="担当支援員・紹介先関係機関の設定")
def enrollment_assign(request: ApiRequest, enrollment_id: Id, payload: AssignIn) -> Enrollment:
    m, e = enrollment_for(request, enrollment_id, "enrollment.manage")
    partners = None
    if payload.referred_partner_ids is not None:
        partners = [partner_ref(m, pk, "referred_partner_ids") for pk in payload.referred_partner_ids]
    services.enrollment_assign(actor=m, enrollment=e,
                               lead_staff=staff_ref(m, payload.lead_staff_id, "lead_staff_id"),
                               referred_partners=partners, expected_version=payload.version)
    return fresh_enrollment(m, e.pk)
