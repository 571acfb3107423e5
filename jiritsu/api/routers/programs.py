"""The program catalogue (read-only through the API): list and detail with phases, menus
and outcome types. The life cycle is in :mod:`jiritsu.api.routers.lifecycle`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import Id, PageParams, acting, page_of, paginate, responses
from jiritsu.programs.access import get_program_for_user, visible_programs
from jiritsu.programs.models import Program

router = Router()


class PhaseOut(Schema):
    id: int
    order: int
    name: str
    standard_months: int | None


class MenuOut(Schema):
    id: int
    name: str
    description: str


class OutcomeTypeOut(Schema):
    id: int
    kind: str
    name: str
    counts_as_achievement: bool


class ProgramOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    category: str
    legal_basis: str
    established_on: dt.date
    review_interval_months: int
    standard_length_months: int | None
    max_length_months: int | None
    capacity: int | None
    consent_required: bool
    allows_non_recipients: bool
    is_active: bool
    current_version: int
    version: int


class ProgramDetailOut(ProgramOut):
    description: str
    target_description: str
    rules: dict[str, Any]
    approvals_needed: list[Any]
    phases: list[PhaseOut]
    menus: list[MenuOut]
    outcome_types: list[OutcomeTypeOut]


class ProgramFilter(Schema):
    active: bool | None = Field(None, description="true: 実施中のみ")
    kind: Program.Kind | None = None


def _program_row(p: Program) -> dict[str, Any]:
    return {f: getattr(p, f) for f in ProgramOut.model_fields if f != "kind_label"} | {
        "kind_label": p.get_kind_display()}


@router.get("/programs", response=responses(page_of(ProgramOut)), summary="プログラムの一覧")
def program_list(request: HttpRequest, filters: Query[ProgramFilter],
                 page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "program.view")
    qs = visible_programs(membership).order_by("code", "id")
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(request, qs, page, _program_row)


@router.get("/programs/{program_id}", response=responses(ProgramDetailOut),
            summary="プログラムの詳細")
def program_detail(request: HttpRequest, program_id: Id) -> dict[str, Any]:
    membership = acting(request, "program.view")
    program = get_program_for_user(membership, program_id)
    return _program_row(program) | {
        "description": program.description, "target_description": program.target_description,
        "rules": program.rules or {}, "approvals_needed": program.approvals_needed or [],
        "phases": list(program.phases.all()), "menus": list(program.menus.all()),
        "outcome_types": list(program.outcome_types.all()),
    }
