"""What the life cycle routers share: references from ids in the input to the office's
objects, and the enrolment and 決裁 outputs that many operations return."""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from ninja import Field, Schema

from jiritsu.api.common import (
    acting,
    ref,
)
from jiritsu.api.http import ApiRequest
from jiritsu.cases import access
from jiritsu.cases.models import ApprovalRequest, Conference, Enrollment
from jiritsu.core.errors import NotFound
from jiritsu.offices.models import Membership, PartnerOrganisation, User
from jiritsu.programs import access as program_access
from jiritsu.programs.models import Phase, Program, SupportMenu

DateField = Field(..., description="日付（YYYY-MM-DD）")
Version = Field(None, ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
Note = Field("", max_length=10_000)


# ---------------------------------------------------------------- references

@overload
def program_ref(m: Membership, pk: int, field: str = ...) -> Program: ...
@overload
def program_ref(m: Membership, pk: int | None, field: str = ...) -> Program | None: ...
def program_ref(m: Membership, pk: int | None, field: str = "program_id") -> Program | None:
    return ref(program_access.visible_programs(m), pk, field)


def conference_ref(m: Membership, pk: int | None) -> Conference | None:
    return ref(access.visible_conferences(m), pk, "conference_id")


@overload
def phase_ref(m: Membership, pk: int, field: str = ...) -> Phase: ...
@overload
def phase_ref(m: Membership, pk: int | None, field: str = ...) -> Phase | None: ...
def phase_ref(m: Membership, pk: int | None, field: str = "phase_id") -> Phase | None:
    return ref(Phase.objects.filter(program__office=m.office), pk, field)


def menus_ref(m: Membership, ids: list[int] | None) -> list[SupportMenu] | None:
    if ids is None:
        return None
    menus = list(SupportMenu.objects.filter(program__office=m.office, pk__in=ids))
    if len(menus) != len(set(ids)):
        raise NotFound(field="menu_ids")
    return menus


@overload
def partner_ref(m: Membership, pk: int, field: str = ...) -> PartnerOrganisation: ...
@overload
def partner_ref(m: Membership, pk: int | None, field: str = ...) -> PartnerOrganisation | None: ...
def partner_ref(m: Membership, pk: int | None, field: str = "partner_id") -> PartnerOrganisation | None:
    return ref(PartnerOrganisation.objects.filter(office=m.office), pk, field)


@overload
def staff_ref(m: Membership, pk: int, field: str) -> User: ...
@overload
def staff_ref(m: Membership, pk: int | None, field: str) -> User | None: ...
def staff_ref(m: Membership, pk: int | None, field: str) -> User | None:
    return ref(User.objects.filter(memberships__office=m.office).distinct(), pk, field)


def enrollment_for(request: ApiRequest, pk: int, action: str | None = None) -> tuple[Membership, Enrollment]:
    m = acting(request, action)
    if action is None:
        return m, access.get_enrollment_for_user(m, pk)
    return m, access.get_enrollment_for_user(m, pk, write=True, action=action)


# ---------------------------------------------------------------- schemas: output

class EventOut(Schema):
    occurred_on: dt.date
    from_status: str
    to_status: str
    action: str
    phase_id: int | None
    conference_id: int | None
    approval_id: int | None
    note: str


class EnrollmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    program_id: int
    program_name: str
    status: str
    status_label: str
    end_reason: str
    phase_id: int | None
    menu_ids: list[int]
    candidate_on: dt.date
    selected_on: dt.date | None
    started_on: dt.date | None
    planned_end_on: dt.date | None
    ended_on: dt.date | None
    moved_from_id: int | None
    lead_staff_id: int | None
    flagged_no_longer_matching: dt.date | None
    version: int

    @staticmethod
    def resolve_person_name(obj: Enrollment) -> str:
        return obj.person.name

    @staticmethod
    def resolve_program_name(obj: Enrollment) -> str:
        return obj.program.name

    @staticmethod
    def resolve_status_label(obj: Enrollment) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_menu_ids(obj: Enrollment) -> list[int]:
        return sorted(m.pk for m in obj.menus.all())


class EnrollmentDetailOut(EnrollmentOut):
    events: list[EventOut]
    moved_to_id: int | None

    @staticmethod
    def resolve_events(obj: Enrollment) -> list[Any]:
        return list(obj.events.order_by("occurred_on", "id"))

    @staticmethod
    def resolve_moved_to_id(obj: Enrollment) -> int | None:
        return Enrollment.objects.filter(moved_from=obj).values_list("pk", flat=True).first()


class ApprovalOut(Schema):
    id: int
    kind: str
    subject: str
    status: str
    steps: list[str]
    current_step: int
    enrollment_id: int | None
    person_id: int | None = Field(None, description="対象者（参加のない決裁、例: 法62条の決定）")
    requested_by_id: int
    created_at: dt.datetime
    version: int


class TransitionOut(Schema):
    """``applied`` is false when the decision waits for 決裁 (``approval``)."""

    applied: bool
    enrollment: EnrollmentOut
    approval: ApprovalOut | None = None


def fresh_enrollment(m: Membership, pk: int) -> Enrollment:
    return access.get_enrollment_for_user(m, pk)


def transition_out(m: Membership, enrollment: Enrollment, result: Any) -> dict[str, Any]:
    if isinstance(result, ApprovalRequest):
        return {"applied": False, "enrollment": fresh_enrollment(m, enrollment.pk),
                "approval": result}
    return {"applied": True, "enrollment": fresh_enrollment(m, result.pk), "approval": None}
