"""Staff training (職員研修・勉強会, 甲州・善通寺): the office's trainings and learning
meetings with the staff members who attended, through the same services as the screen.
An attendee who is not an active staff member of the office refuses the list
(``422 not_staff``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from jiritsu.activities import selectors, services
from jiritsu.activities.models import StaffTraining
from jiritsu.api.common import (
    Day,
    Id,
    InputSchema,
    PageParams,
    label_of,
    page_of,
    paginate,
    ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.activities.common import MAX_INT, Note, Version, staff
from jiritsu.core.errors import ValidationFailed
from jiritsu.offices.models import Membership
from jiritsu.programs.models import Program

router = Router()


class StaffTrainingIn(InputSchema):
    kind: StaffTraining.Kind
    title: str = Field(..., min_length=1, max_length=200)
    held_on: Day
    venue: str = Field("", max_length=200)
    lecturer: str = Field("", max_length=200)
    content: str = Note
    program_id: Id | None = Field(None, description="関連するプログラム")
    attendee_ids: list[Id] = Field([], max_length=500,
                                   description="出席した職員の所属（membership）の id")


class StaffTrainingPatchIn(InputSchema):
    version: int = Version
    kind: StaffTraining.Kind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    held_on: Day | None = None
    venue: str | None = Field(None, max_length=200)
    lecturer: str | None = Field(None, max_length=200)
    content: str | None = Field(None, max_length=10_000)
    program_id: Id | None = None


class StaffAttendanceIn(InputSchema):
    attendee_ids: list[Id] = Field(..., max_length=500,
                                   description="出席した職員の所属 id（全員を送る。空で出席者なし）")


class StaffAttendeeOut(Schema):
    membership_id: int
    name: str
    role: str
    profession: str
    profession_label: str


class StaffTrainingOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    held_on: dt.date
    venue: str
    lecturer: str
    content: str
    program_id: int | None
    attendees: list[StaffAttendeeOut]
    version: int

    resolve_kind_label = label_of("kind")

    @staticmethod
    def resolve_attendees(obj: StaffTraining) -> list[dict[str, Any]]:
        return [{"membership_id": a.membership_id, "name": str(a.membership.user),
                 "role": a.membership.role, "profession": a.membership.profession,
                 "profession_label": a.membership.get_profession_display()}
                for a in obj.attendance.select_related("membership__user")
                .order_by("membership__user__display_name", "id")]


class StaffTrainingFilter(Schema):
    kind: StaffTraining.Kind | None = None
    program_id: int | None = Field(None, ge=1, le=MAX_INT)


def _attendees(m: Membership, ids: list[int]) -> list[Membership]:
    found = list(Membership.objects.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationFailed("出席者には、この事務所の職員（有効な所属）だけを選んでください。",
                               code="not_staff", field="attendee_ids")
    return found


def _training(m: Membership, training_id: int) -> StaffTraining:
    return get_object_or_404(StaffTraining.objects.filter(office=m.office), pk=training_id)


def _programs(m: Membership) -> Any:
    return Program.objects.filter(office=m.office)


@router.get("/staff-trainings", response=responses(page_of(StaffTrainingOut)),
            summary="職員研修・勉強会の一覧（出席した職員つき）")
def staff_training_list(request: ApiRequest, filters: Query[StaffTrainingFilter],
                        page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "activity.view")
    qs = selectors.staff_trainings(m.office)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    return paginate(request, qs, page)


@router.post("/staff-trainings", response=responses(StaffTrainingOut, 201),
             summary="職員研修・勉強会の記録（出席した職員つき）")
def staff_training_create(request: ApiRequest,
                          payload: StaffTrainingIn) -> tuple[int, StaffTraining]:
    m = staff(request, "conference.manage")
    data = payload.dict(exclude={"attendee_ids", "program_id"})
    data["program"] = ref(_programs(m), payload.program_id, "program_id")
    training = services.staff_training_create(actor=m, data=data,
                                               attendees=_attendees(m, payload.attendee_ids))
    return 201, training


@router.get("/staff-trainings/{training_id}", response=responses(StaffTrainingOut),
            summary="職員研修・勉強会の詳細")
def staff_training_detail(request: ApiRequest, training_id: Id) -> StaffTraining:
    m = staff(request, "activity.view")
    return _training(m, training_id)


@router.patch("/staff-trainings/{training_id}", response=responses(StaffTrainingOut),
              summary="職員研修・勉強会の記録の修正（版を添えて）")
def staff_training_update(request: ApiRequest, training_id: Id,
                          payload: StaffTrainingPatchIn) -> StaffTraining:
    m = staff(request, "conference.manage")
    training = _training(m, training_id)
    data = payload.dict(exclude_unset=True, exclude={"version", "program_id"})
    if "program_id" in payload.model_fields_set:
        data["program"] = ref(_programs(m), payload.program_id, "program_id")
    return services.staff_training_update(actor=m, training=training,
                                          expected_version=payload.version, data=data)


@router.put("/staff-trainings/{training_id}/attendance", response=responses(StaffTrainingOut),
            summary="出席した職員の記録（全員を送る）")
def staff_training_attendance(request: ApiRequest, training_id: Id,
                              payload: StaffAttendanceIn) -> StaffTraining:
    m = staff(request, "conference.manage")
    training = _training(m, training_id)
    return services.staff_training_set_attendance(
        actor=m, training=training, attendees=_attendees(m, payload.attendee_ids))
