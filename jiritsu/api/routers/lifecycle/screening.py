"""Screening (選定条件のプレビュー), 支援対象者台帳 and nominations (推薦).

Part of the program life cycle API (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
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
    Note,
    partner_ref,
    program_ref,
)
from jiritsu.cases import access as case_access
from jiritsu.cases import services
from jiritsu.core import clock
from jiritsu.programs import access, screening
from jiritsu.programs.models import Nomination, ScreeningLedger

router = Router()


# ---------------------------------------------------------------- screening and nominations

class AsOfParams(Schema):
    as_of: Day | None = Field(None, description="基準日（省略時は今日）")
    limit: int = Field(200, ge=1, le=2000, description="返す候補者の最大数")


class ConditionCountOut(Schema):
    label: str
    alone: int
    running: int


class CandidateOut(Schema):
    person_id: int
    name: str
    kana: str
    case_number: str | None
    matched: bool
    nominated: bool
    reasons: list[str]
    open_enrollment_id: int | None


class PreviewOut(Schema):
    as_of: dt.date
    population: int
    total: int
    rules_text: list[str]
    counts: list[ConditionCountOut]
    candidates: list[CandidateOut]


@router.get("/programs/{program_id}/screening", response=responses(PreviewOut),
            summary="選定条件のプレビュー（条件ごとの件数と候補者・該当理由）")
def screening_preview(request: ApiRequest, program_id: Id,
                      params: Query[AsOfParams]) -> dict[str, Any]:
    m = acting(request, "screening.run")
    program = access.get_program_for_user(m, program_id)
    pv = screening.preview(program, params.as_of or clock.today(), limit=params.limit)
    return {
        "as_of": pv.as_of, "population": pv.population, "total": pv.total,
        "rules_text": pv.rules_text,
        "counts": [{"label": c.label, "alone": c.alone, "running": c.running} for c in pv.counts],
        "candidates": [{
            "person_id": c.person.pk, "name": c.person.name, "kana": c.person.kana,
            "case_number": c.person.household.case_number if c.person.household else None,
            "matched": c.matched, "nominated": c.nominated, "reasons": c.reasons,
            "open_enrollment_id": getattr(c.open_enrollment, "pk", None),
        } for c in pv.candidates],
    }


class LedgerIn(InputSchema):
    as_of: Day = DateField
    title: str = Field("", max_length=200)


class LedgerEntryOut(Schema):
    person_id: int
    name: str
    reasons: list[str]
    nominated: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.person.name)


class LedgerOut(Schema):
    id: int
    program_id: int
    title: str
    as_of: dt.date
    created_at: dt.datetime
    entries: list[LedgerEntryOut]

    @staticmethod
    def resolve_entries(obj: Any) -> list[Any]:
        return list(obj.entries.select_related("person").order_by("id"))


@router.post("/programs/{program_id}/ledgers", response=responses(LedgerOut, 201),
             summary="支援対象者台帳の保存")
def ledger_save(request: ApiRequest, program_id: Id, payload: LedgerIn) -> tuple[int, ScreeningLedger]:
    m = acting(request, "screening.run")
    program = access.get_program_for_user(m, program_id)
    ledger = services.ledger_save(actor=m, program=program, as_of=payload.as_of,
                                  title=payload.title)
    return 201, ledger


class LedgerSummaryOut(Schema):
    id: int
    program_id: int
    title: str
    as_of: dt.date
    created_at: dt.datetime
    created_by_id: int
    entries: int

    @staticmethod
    def resolve_entries(obj: Any) -> int:
        return int(obj.n)  # annotated by the list's query


@router.get("/programs/{program_id}/ledgers", response=responses(page_of(LedgerSummaryOut)),
            summary="保存した支援対象者台帳の一覧（新しい順）")
def ledger_list(request: ApiRequest, program_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "screening.run")
    program = access.get_program_for_user(membership, program_id)
    qs = (program.ledgers.annotate(n=Count("entries")).order_by("-as_of", "-id"))
    return paginate(request, qs, page)


@router.get("/ledgers/{ledger_id}", response=responses(LedgerOut), summary="支援対象者台帳")
def ledger_detail(request: ApiRequest, ledger_id: Id) -> ScreeningLedger:
    m = acting(request, "screening.run")
    return access.get_ledger_for_user(m, ledger_id)


class NominationIn(InputSchema):
    program_id: int = Field(..., ge=1, le=2_147_483_647)
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    source: Nomination.Source
    nominated_by: str = Field(..., min_length=1, max_length=200)
    nominated_on: Day = DateField
    note: str = Note
    partner_id: int | None = Field(None, ge=1, le=2_147_483_647)


class NominationOut(Schema):
    id: int
    program_id: int
    person_id: int
    source: str
    nominated_by: str
    nominated_on: dt.date
    partner_id: int | None
    note: str


class NominationFilter(Schema):
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)


@router.post("/nominations", response=responses(NominationOut, 201), summary="推薦の登録")
def nomination_create(request: ApiRequest, payload: NominationIn) -> tuple[int, Nomination]:
    m = acting(request, "nomination.record")
    n = services.nomination_record(
        actor=m, program=program_ref(m, payload.program_id), person=person_ref(m, payload.person_id),
        source=payload.source, nominated_by=payload.nominated_by,
        nominated_on=payload.nominated_on, note=payload.note,
        partner=partner_ref(m, payload.partner_id))
    return 201, n


@router.get("/nominations", response=responses(page_of(NominationOut)), summary="推薦の一覧")
def nomination_list(request: ApiRequest, filters: Query[NominationFilter],
                    page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "nomination.record")
    qs = case_access.visible_nominations(m)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    return paginate(request, qs.order_by("-nominated_on", "-id"), page)
