"""Reports: an office's (or one program's) figures for a period — the same figures as the
report screen (jiritsu.reports.figures) — the people behind a figure, frozen (submitted)
reports with their later deltas, report files and the 開示請求 export.

Every read of people and every file goes through ``jiritsu.reports.services``, which checks
the role and writes the same audit rows as the screens.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    ERRORS,
    FILE_MEDIA_TYPES,
    Day,
    Extended,
    Id,
    InputSchema,
    PageParams,
    acting,
    download,
    file_operation,
    page_of,
    paginate,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.cases.access import get_person_amounts_for_user, get_person_for_user, log_view
from jiritsu.core import clock, wareki
from jiritsu.core.errors import NotFound, ValidationFailed
from jiritsu.core.replica import reading_replica
from jiritsu.offices.models import Membership
from jiritsu.programs.models import Program
from jiritsu.reports import effects, figures, selectors, services
from jiritsu.reports.access import get_frozen_for_user, get_program_for_report
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.periods import Period

router = Router()

Figure = Literal[
    "eligible", "participants", "started", "ended", "continuing", "achieved", "outcome",
    "destination", "transfer", "result", "kpi_able", "kpi_participating", "kpi_emp_participants",
    "kpi_work", "kpi_other_households", "kpi_other_earners", "effect_work", "effect_income",
    "effect_amount", "effect_closed", "effect_medical"]
assert set(get_args(Figure)) == set(figures.FIGURE_LABELS)


class PeriodParams(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100,
                                    description="年度（西暦。2025 = 令和7年度）。省略時は今年度")
    start: Day | None = Field(None, description="任意の期間の開始日（end と一緒に指定）")
    end: Day | None = Field(None, description="任意の期間の終了日（start と一緒に指定、5年以内）")


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
    results: list[dict[str, Any]] = Field(
        ..., description="結果検討会：就労につながった（worked）／つながらなかった（not_worked）の人数")
    median_days_to_achievement: float | None
    targets: list[dict[str, Any]]
    effects: dict[str, Any] = Field(..., description="効果（就労・増収、効果額、医療費・入院日数、就労による保護廃止）。規則は docs/reports.md「効果」")


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
    results: list[dict[str, Any]] = Field(..., description="結果検討会（事務所全体、人は1回）")
    median_days_to_achievement: float | None
    effects: dict[str, Any] = Field(..., description="効果（事務所全体、世帯・人は1回）")


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
    effects_horizon: dict[str, Any] = Field(..., description="受信済みの保護費・医療扶助の年月の範囲")
    effects_series: dict[str, Any] | None = Field(
        None, description="プログラム別のとき: 支援開始月からの月数ごとの就労収入認定額・保護費・医療費の中央値と25〜75パーセンタイル")
    kpis: dict[str, Any] | None = None
    caseload: dict[str, Any] | None = None


def _period(params: PeriodParams) -> Period:
    """A fiscal year, or ``start``–``end`` (both needed); default the current fiscal year."""
    if params.start is not None or params.end is not None:
        if params.start is None:
            raise ValidationFailed("期間の開始日を指定してください。", field="start")
        if params.end is None:
            raise ValidationFailed("期間の終了日を指定してください。", field="end")
        return Period.between(params.start, params.end)
    fy = params.fiscal_year or wareki.fiscal_year_of(clock.today())
    return Period.for_fiscal_year(fy)


def _report_program(m: Membership, pk: int | None, field: str) -> Program | None:
    if pk is None:
        return None
    try:
        return get_program_for_report(m, pk)
    except Http404:
        raise NotFound(field=field) from None


@router.get("/reports/office", response=responses(ReportOut),
            summary="事務所の年度集計（参加者数・達成者数・KPI 等）")
def office_report(request: ApiRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    membership = acting(request, "report.view")
    with reading_replica(request):
        return figures.office_report(membership.office, _period(params))


@router.get("/reports/programs/{program_id}", response=responses(ReportOut),
            summary="プログラム別の年度集計")
def program_report(request: ApiRequest, program_id: Id,
                   params: Query[PeriodParams]) -> dict[str, Any]:
    membership = acting(request, "report.view")
    program = get_program_for_report(membership, program_id)
    with reading_replica(request):
        return figures.office_report(membership.office, _period(params), program)


# ---------------------------------------------------------------- the people behind a figure

class FigureParams(PeriodParams):
    figure: Figure = Field(..., description="集計項目（画面の数値と同じ規則で人を数えます）")
    key: str = Field("", max_length=40, description="内訳: 終了理由（ended）・成果の種類（outcome）・退院先（destination）・比較の月数 6/12（effect_medical）・結果 worked/not_worked（result）")
    program_id: int | None = Field(None, ge=1, le=2_147_483_647, description="プログラム別の数値のとき")
    to_program_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                      description="移行（transfer）の移行先プログラム")


class FigurePersonOut(Schema):
    id: int
    name: str
    kana: str
    case_number: str | None
    member_number: int | None
    birth_date: dt.date | None
    sex: str
    caseworker_name: str | None

    # Read from the person; the case fields from the household.
    @staticmethod
    def resolve_case_number(obj: Any) -> str | None:
        return obj.household.case_number if obj.household else None

    @staticmethod
    def resolve_caseworker_name(obj: Any) -> str | None:
        hh = obj.household
        return str(hh.caseworker) if hh and hh.caseworker else None


class FigurePeoplePageOut(Schema):
    figure: str
    label: str
    period: PeriodOut
    count: int
    next: str | None
    previous: str | None
    results: list[FigurePersonOut]


def _figure_people(request: ApiRequest, params: FigureParams) -> tuple[Membership, Period,
                                                                         services.FigurePeople]:
    m = acting(request, "report.view")
    period = _period(params)
    result = services.figure_people(
        actor=m, period=period, figure=params.figure, key=params.key,
        program=_report_program(m, params.program_id, "program_id"),
        to_program=_report_program(m, params.to_program_id, "to_program_id"))
    return m, period, result


@router.get("/reports/people", response=responses(FigurePeoplePageOut),
            summary="数値の内訳（その数値に数えられた人の一覧。閲覧は監査ログに記録）")
def figure_people(request: ApiRequest, params: Query[FigureParams],
                  page: Query[PageParams]) -> dict[str, Any]:
    m, period, result = _figure_people(request, params)
    data = paginate(request, result.people, page)
    services.log_people_view(actor=m, period=period, figure=result.figure, label=result.label,
                             people=data["results"])
    return {"figure": result.figure, "label": result.label, "period": period.as_dict(), **data}


class PeopleExportParams(FigureParams):
    format: Literal["csv", "xlsx"] = Field("csv", description="csv または xlsx（Excel）")
    encoding: Literal["utf-8", "cp932"] = Field(
        "utf-8", description="CSVのとき: utf-8（BOM付き）または cp932（表せない文字があれば 422 cp932_unencodable）")


@router.get("/reports/people/export", response=dict(ERRORS),
            openapi_extra=file_operation("text/csv", FILE_MEDIA_TYPES["xlsx"],
                                         description="CSVファイルまたはExcelファイル"),
            summary="数値の内訳のCSV・Excel出力（最大1000人。出力は各人の監査ログに記録）")
def figure_people_export(request: ApiRequest, params: Query[PeopleExportParams]) -> HttpResponse:
    with reading_replica(request):
        m, period, result = _figure_people(request, params)
        people = list(result.people[:services.PEOPLE_EXPORT_LIMIT])
    out = services.people_export(actor=m, period=period, figure=result.figure, people=people,
                                 label=result.label, encoding=params.encoding,
                                 fmt=params.format)
    return download(out.content, out.filename, out.content_type)


# ---------------------------------------------------------------- report files

class ExportParams(PeriodParams):
    table: Literal["programs", "takehara", "targets", "kpis", "caseload", "effects"] = Field(
        "programs", description="CSVのときの表")
    encoding: Literal["utf-8", "cp932"] = Field("utf-8", description="CSVの文字コード")
    program_id: int | None = Field(None, ge=1, le=2_147_483_647, description="プログラム別の集計のとき")


@router.get("/reports/export/{fmt}", response=dict(ERRORS),
            openapi_extra=file_operation(FILE_MEDIA_TYPES["xlsx"], "text/csv", "application/pdf",
                                         description="xlsx・CSV（UTF-8 BOM付き／cp932）・PDF"),
            summary="集計の出力（xlsx・CSV・PDF。出力は監査ログに記録）")
def report_export(request: ApiRequest, fmt: Literal["xlsx", "csv", "pdf"],
                  params: Query[ExportParams]) -> HttpResponse:
    m = acting(request, "export.run")
    acting(request, "report.view")
    period = _period(params)
    with reading_replica(request):
        out = services.report_export(actor=m, period=period, fmt=fmt, table=params.table,
                                     encoding=params.encoding,
                                     program=_report_program(m, params.program_id, "program_id"))
    return download(out.content, out.filename, out.content_type)


# ---------------------------------------------------------------- frozen (submitted) reports

class FreezeIn(InputSchema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100, description="年度（start/end と排他）")
    start: Day | None = None
    end: Day | None = None
    note: str = Field("", max_length=2000, description="備考（例: 県へ提出）")


class FrozenOut(Schema):
    id: int
    label: str
    period_start: dt.date
    period_end: dt.date
    fiscal_year: int | None
    note: str
    frozen_at: dt.datetime
    frozen_by_id: int
    frozen_by_name: str

    @staticmethod
    def resolve_frozen_by_name(obj: FrozenReport) -> str:
        return str(obj.frozen_by)


class FrozenDetailOut(FrozenOut):
    figures: dict[str, Any]
    deltas: list[dict[str, Any]]

    # Read from ``_frozen_detail``: the report with ``services.frozen_with_deltas`` added.
    @staticmethod
    def resolve_figures(obj: Any) -> dict[str, Any]:
        return dict(obj.with_deltas["report"])

    @staticmethod
    def resolve_deltas(obj: Any) -> list[dict[str, Any]]:
        return list(obj.with_deltas["deltas"])


def _frozen_detail(f: FrozenReport) -> Extended:
    return Extended(f, with_deltas=services.frozen_with_deltas(f))


@router.post("/reports/frozen", response=responses(FrozenDetailOut, 201),
             summary="集計の確定（提出済み）。その時点の数値一式を保存します")
def report_freeze(request: ApiRequest, payload: FreezeIn) -> tuple[int, Extended]:
    m = acting(request, "report.freeze")
    period = _period(PeriodParams(fiscal_year=payload.fiscal_year, start=payload.start,
                                  end=payload.end))
    frozen = services.report_freeze(actor=m, period=period, note=payload.note.strip())
    return 201, _frozen_detail(get_frozen_for_user(m, frozen.pk))


@router.get("/reports/frozen", response=responses(page_of(FrozenOut)),
            summary="確定済みの集計（期間ごと、新しい順）")
def frozen_list(request: ApiRequest, params: Query[PeriodParams],
                page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "report.view")
    return paginate(request, selectors.frozen_history(m.office, _period(params)), page)


@router.get("/reports/frozen/{frozen_id}", response=responses(FrozenDetailOut),
            summary="確定済みの集計と、確定後に変わった数値")
def frozen_detail(request: ApiRequest, frozen_id: Id) -> Extended:
    m = acting(request, "report.view")
    return _frozen_detail(get_frozen_for_user(m, frozen_id))


# ---------------------------------------------------------------- one person's effects

class EffectMonthOut(Schema):
    k: int = Field(..., description="支援開始月からの月数（-6〜12）")
    month: dt.date
    label: str
    earned: int | None = Field(None, description="就労収入認定額（世帯、支給のある月）")
    paid: int | None = Field(None, description="保護費の支給額計（世帯。受信済みの月で行がなければ0）")
    status: str = Field(..., description="保護の状態（支給・停止・廃止。未受信の月は「未受信」）")
    medical: int | None = Field(None, description="医療扶助額（本人）")
    inpatient_days: int | None = None


class EffectEpisodeOut(Schema):
    enrollment_id: int
    program: str
    started_on: dt.date
    started_label: str
    months: list[EffectMonthOut]


@router.get("/people/{person_id}/effects", response=responses(list[EffectEpisodeOut]),
            summary="本人の支援開始前後の就労収入・保護費・医療費（月別。閲覧は監査ログに記録、関係機関は不可）")
def person_effects(request: ApiRequest, person_id: Id) -> list[dict[str, Any]]:
    m = acting(request, "amounts.view")
    person = get_person_amounts_for_user(m, person_id)
    log_view(m, person, what="person.effects")
    return effects.person_series(person)


# ---------------------------------------------------------------- 開示請求

class DisclosureParams(Schema):
    format: Literal["zip", "pdf", "json"] = Field("zip", description="zip（PDF + JSON）・pdf・json")


@router.get("/people/{person_id}/disclosure", response=dict(ERRORS),
            openapi_extra=file_operation("application/zip", "application/pdf", "application/json",
                                         description="開示用ファイル"),
            summary="開示請求: 本人について保有するすべての情報（出力は監査ログに記録）")
def person_disclose(request: ApiRequest, person_id: Id,
                    params: Query[DisclosureParams]) -> HttpResponse:
    m = acting(request, "person.disclose")
    person = get_person_for_user(m, person_id)
    out = services.person_disclose(actor=m, person=person, fmt=params.format)
    return download(out.content, out.filename, out.content_type)
