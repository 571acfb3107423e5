"""Conferences (会議) with attendees and decisions applied as transitions.

Part of the program life cycle API (see the package docstring)."""

from __future__ import annotations

import datetime as dt
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
    ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import (
    DateField,
    Note,
    menus_ref,
    partner_ref,
    phase_ref,
    program_ref,
    staff_ref,
)
from jiritsu.cases import access, services
from jiritsu.cases.models import Conference, ConferenceDecision, ConferenceResult, Enrollment
from jiritsu.offices.models import Membership

router = Router()


# ---------------------------------------------------------------- conferences

class AttendeeIn(InputSchema):
    user_id: int | None = Field(None, ge=1, le=2_147_483_647)
    name: str = Field("", max_length=100)
    role: Membership.Role | None = None
    profession: str = Field("", max_length=100)
    partner_id: int | None = Field(None, ge=1, le=2_147_483_647)
    is_family: bool = False


class ConferenceDecisionIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    decision: ConferenceDecision.Decision
    reason: str = Note
    program_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                   description="省略時は会議のプログラム")
    enrollment_id: int | None = Field(None, ge=1, le=2_147_483_647)
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)
    menu_ids: list[int] | None = Field(None, max_length=50)
    end_reason: Enrollment.EndReason | None = None
    target_program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    extend_until: Day | None = None


class ConferenceIn(InputSchema):
    kind: Conference.Kind
    held_on: Day = DateField
    title: str = Field(..., min_length=1, max_length=200)
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    place: str = Field("", max_length=200)
    agenda: str = Note
    minutes: str = Note
    attendees: list[AttendeeIn] = Field(default_factory=list, max_length=100)
    decisions: list[ConferenceDecisionIn] = Field(default_factory=list, max_length=200)


class AttendeeOut(Schema):
    user_id: int | None
    name: str
    role: str
    profession: str
    partner_id: int | None
    is_family: bool


class DecisionOut(Schema):
    id: int
    person_id: int
    enrollment_id: int | None
    decision: str
    reason: str
    phase_id: int | None
    end_reason: str
    target_program_id: int | None
    extend_until: dt.date | None


class ConferenceResultOut(Schema):
    """結果検討会: one participant's result (就労につながった／つながらなかった) with its factors."""

    id: int
    conference_id: int
    enrollment_id: int
    person_id: int
    person_name: str
    result: ConferenceResult.Result
    result_label: str
    reason: str
    next_step: str = Field(..., description="今後の支援（continue / change / stop、空は決めていない）")
    next_step_label: str
    review_id: int | None = Field(..., description="今後の支援を記録した見直し")

    @staticmethod
    def resolve_person_id(obj: ConferenceResult) -> int:
        return obj.enrollment.person_id

    @staticmethod
    def resolve_person_name(obj: ConferenceResult) -> str:
        return obj.enrollment.person.name

    @staticmethod
    def resolve_result_label(obj: ConferenceResult) -> str:
        return str(obj.get_result_display())

    @staticmethod
    def resolve_next_step_label(obj: ConferenceResult) -> str:
        return str(obj.get_next_step_display()) if obj.next_step else ""


class ConferenceOut(Schema):
    id: int
    kind: str
    held_on: dt.date
    title: str
    program_id: int | None
    place: str
    agenda: str
    minutes: str
    version: int
    attendees: list[AttendeeOut]
    decisions: list[DecisionOut]
    results_from: dt.date | None = Field(..., description="結果検討会：振り返りの対象期間の開始日")
    results_to: dt.date | None = Field(..., description="結果検討会：振り返りの対象期間の終了日")
    results: list[ConferenceResultOut]


def _conferences_qs(m: Membership) -> QuerySet[Conference]:
    return access.visible_conferences(m).prefetch_related(
        "attendees", "decisions", Prefetch("results", queryset=ConferenceResult.objects
                                           .select_related("enrollment__person")))


@router.get("/conferences", response=responses(page_of(ConferenceOut)), summary="会議の一覧")
def conference_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "conference.manage")
    return paginate(request, _conferences_qs(m).order_by("-held_on", "-id"), page)


@router.get("/conferences/{conference_id}", response=responses(ConferenceOut),
            summary="会議の詳細（出席者・決定）")
def conference_detail(request: ApiRequest, conference_id: Id) -> Conference:
    m = acting(request, "conference.manage")
    access.get_conference_for_user(m, conference_id)
    return _conferences_qs(m).get(pk=conference_id)


@router.post("/conferences", response=responses(ConferenceOut, 201),
             summary="会議と決定の記録（各決定は参加の状態変更として適用。1件でも不可なら何も保存しません）")
def conference_create(request: ApiRequest, payload: ConferenceIn) -> tuple[int, Conference]:
    m = acting(request, "conference.manage")
    attendees = [{
        "user": staff_ref(m, a.user_id, f"attendees.{i}.user_id"), "name": a.name,
        "role": a.role or "", "profession": a.profession,
        "partner": partner_ref(m, a.partner_id, f"attendees.{i}.partner_id"), "is_family": a.is_family,
    } for i, a in enumerate(payload.attendees)]
    decisions = []
    for i, d in enumerate(payload.decisions):
        enrollment = None
        if d.enrollment_id is not None:
            enrollment = ref(access.visible_enrollments(m), d.enrollment_id,
                              f"decisions.{i}.enrollment_id")
        decisions.append({
            "person": person_ref(m, d.person_id, f"decisions.{i}.person_id"),
            "decision": d.decision, "reason": d.reason,
            "program": program_ref(m, d.program_id, f"decisions.{i}.program_id"),
            "enrollment": enrollment,
            "phase": phase_ref(m, d.phase_id, f"decisions.{i}.phase_id"),
            "menus": menus_ref(m, d.menu_ids), "end_reason": d.end_reason or "",
            "target_program": program_ref(m, d.target_program_id, f"decisions.{i}.target_program_id"),
            "extend_until": d.extend_until,
        })
    conference = services.conference_create(
        actor=m, kind=payload.kind, held_on=payload.held_on, title=payload.title,
        program=program_ref(m, payload.program_id), place=payload.place, agenda=payload.agenda,
        minutes=payload.minutes, attendees=attendees, decisions=decisions)
    return 201, _conferences_qs(m).get(pk=conference.pk)
