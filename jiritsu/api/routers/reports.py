"""Reports: an office's (or one program's) figures for a fiscal year — the same figures as
the report screen (jiritsu.reports.figures)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import Id, acting, responses
from jiritsu.core import wareki
from jiritsu.reports import figures
from jiritsu.reports.access import get_program_for_report
from jiritsu.reports.periods import Period

router = Router()


class PeriodParams(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100,
                                    description="年度（西暦。2025 = 令和7年度）。省略時は今年度")


class OfficeRef(Schema):
    id: int
    code: str
    name: str
    municipality: str


class PeriodOut(Schema):
    start: str
    end: str
    fiscal_year: int | None
    label: str


class ProgramFiguresOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    eligible: int
    participants: int
    started: int
    ended: int
    continuing: int
    achieved: int
    ended_by_reason: list[dict[str, Any]]
    outcomes_by_kind: list[dict[str, Any]]
    destinations: list[dict[str, Any]]
    median_days_to_achievement: float | None
    targets: list[dict[str, Any]]


class TotalsOut(Schema):
    eligible: int
    participants: int
    started: int
    ended: int
    continuing: int
    achieved: int
    ended_by_reason: list[dict[str, Any]]
    outcomes_by_kind: list[dict[str, Any]]
    destinations: list[dict[str, Any]]
    median_days_to_achievement: float | None


class ReportOut(Schema):
    office: OfficeRef
    period: PeriodOut
    program_id: int | None
    programs: list[ProgramFiguresOut]
    totals: TotalsOut
    targets: list[dict[str, Any]]
    transfers: list[dict[str, Any]]
    monthly: list[dict[str, Any]]
    time_to_achievement: list[dict[str, Any]]
    kpis: dict[str, Any] | None = None
    caseload: dict[str, Any] | None = None


def _period(params: PeriodParams) -> Period:
    import datetime as dt

    fy = params.fiscal_year or wareki.fiscal_year_of(dt.date.today())
    return Period.for_fiscal_year(fy)


@router.get("/reports/office", response=responses(ReportOut),
            summary="事務所の年度集計（参加者数・達成者数・KPI 等）")
def office_report(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    membership = acting(request, "report.view")
    return figures.office_report(membership.office, _period(params))


@router.get("/reports/programs/{program_id}", response=responses(ReportOut),
            summary="プログラム別の年度集計")
def program_report(request: HttpRequest, program_id: Id,
                   params: Query[PeriodParams]) -> dict[str, Any]:
    membership = acting(request, "report.view")
    program = get_program_for_report(membership, program_id)
    return figures.office_report(membership.office, _period(params), program)
