"""The national roll-up (全国集計): counts over every office, for accounts whose
installation role allows ``national.view`` (statisticians) — the same figures as the /national/ screen."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from jiritsu.api.common import responses
from jiritsu.api.http import ApiRequest
from jiritsu.core import clock, wareki
from jiritsu.core.errors import Forbidden
from jiritsu.core.replica import reading_replica
from jiritsu.offices.permissions import may_view_national
from jiritsu.reports import national
from jiritsu.reports.periods import Period

router = Router()


class NationalParams(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100,
                                    description="年度（西暦。2025 = 令和7年度）。省略時は今年度")
    office_kind: Literal["", "city", "prefecture", "town"] = Field(
        "", description="事務所の種別で絞る（city=市, prefecture=都道府県, town=町村）")


class Figures(Schema):
    eligible: int
    participants: int
    started: int
    ended: int
    continuing: int
    achieved: int


class NationalPeriodOut(Schema):
    start: str
    end: str
    fiscal_year: int | None
    label: str


class OfficeCounts(Schema):
    total: int
    with_programs: int
    submitted: int
    open_households: int


class Kpi(Schema):
    label: str
    numerator: int
    denominator: int
    rate: float | None
    national_target: float


class Kpis(Schema):
    participation: Kpi
    employment: Kpi
    other_households: Kpi


class ProgramKindRow(Figures):
    program_kind: str
    program_kind_label: str
    offices: int


class KindCell(ProgramKindRow):
    office_kind: str
    office_kind_label: str


class OfficeKindRow(Figures):
    office_kind: str
    office_kind_label: str
    offices: int
    submitted: int
    open_households: int
    participation_rate: float | None
    employment_rate: float | None
    other_households_rate: float | None


class KpiCounts(Schema):
    able: int
    participating: int
    emp: int
    work: int
    others: int
    other_earners: int


class OfficeRow(Figures):
    office_id: int
    code: str
    name: str
    municipality: str
    kind: str
    kind_label: str
    programs: int
    open_households: int
    submitted: bool
    kpi: KpiCounts
    participation_rate: float | None
    employment_rate: float | None
    other_households_rate: float | None


class NationalOut(Schema):
    period: NationalPeriodOut
    office_kind: str
    offices: OfficeCounts
    totals: Figures
    kpis: Kpis
    by_office_kind: list[OfficeKindRow]
    by_program_kind: list[ProgramKindRow]
    by_kind: list[KindCell]
    office_rows: list[OfficeRow]


@router.get("/reports/national", response=responses(NationalOut),
            summary="全国集計（全事務所の年度集計。人数のみ、個人は含みません）")
def national_rollup(request: ApiRequest, params: Query[NationalParams]) -> dict[str, Any]:
    if not may_view_national(request.user):
        raise Forbidden("全国集計を閲覧する権限がありません。")
    fy = params.fiscal_year or wareki.fiscal_year_of(clock.today())
    period = Period.for_fiscal_year(fy)
    with reading_replica(request):
        data = national.national_rollup(period=period, office_kind=params.office_kind)
    national.log_national_rollup(actor=request.user, period=period,
                                 office_kind=params.office_kind, via="api")
    return data
