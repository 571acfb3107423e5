"""Every figure of a known history, by the cohort rules in docs/reports.md."""

from __future__ import annotations

from typing import Any

import pytest

from jiritsu.core import clock
from jiritsu.reports import figures
from jiritsu.reports.periods import Period
from jiritsu.reports.tests.conftest import D, History

FY2025 = Period.for_fiscal_year(2025)
FY2024 = Period.for_fiscal_year(2024)


def by_code(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["code"]: p for p in report["programs"]}


def named(items: list[dict[str, Any]]) -> dict[str, int]:
    return {i["key"]: i["n"] for i in items}


def test_program_figures_for_fiscal_year_2025(world: Any, history: History) -> None:
    report = figures.office_report(world.office, FY2025)
    emp, dis, home = (by_code(report)[c] for c in ("E01", "D01", "H01"))

    assert report["period"]["label"] == "令和7年度"
    assert (emp["eligible"], emp["participants"], emp["started"], emp["ended"],
            emp["continuing"], emp["achieved"]) == (5, 4, 3, 2, 3, 2)
    assert named(emp["ended_by_reason"]) == {"achieved": 1, "suspended": 1}
    assert named(emp["outcomes_by_kind"]) == {"employment_start": 1, "income_increase": 1}
    assert emp["median_days_to_achievement"] == 139.5  # 142 and 137 days

    assert (dis["eligible"], dis["participants"], dis["started"], dis["ended"],
            dis["continuing"], dis["achieved"]) == (4, 2, 2, 1, 1, 1)
    assert named(dis["ended_by_reason"]) == {"transferred": 1}
    assert named(dis["destinations"]) == {"apartment": 1}
    assert dis["median_days_to_achievement"] == 127.0

    assert (home["eligible"], home["participants"], home["achieved"]) == (0, 0, 0)
    assert home["median_days_to_achievement"] is None


def test_office_totals_count_each_person_once(world: Any, history: History) -> None:
    totals = figures.office_report(world.office, FY2025)["totals"]
    # p5 took part in two programs and p3 twice in one: each is one person.
    assert (totals["eligible"], totals["participants"], totals["started"], totals["ended"],
            totals["continuing"], totals["achieved"]) == (8, 5, 4, 3, 4, 3)
    assert totals["median_days_to_achievement"] == 137.0


def test_people_straddling_fiscal_years_count_in_both(world: Any, history: History) -> None:
    report = by_code(figures.office_report(world.office, FY2024))
    assert (report["E01"]["participants"], report["E01"]["started"], report["E01"]["ended"]) == (1, 1, 0)
    assert (report["D01"]["participants"], report["D01"]["ended"], report["D01"]["achieved"]) == (1, 1, 1)
    assert named(report["D01"]["destinations"]) == {"home": 1}


def test_any_date_range(world: Any, history: History) -> None:
    period = Period.between(D(2025, 6, 1), D(2025, 6, 30))
    emp = by_code(figures.office_report(world.office, period))["E01"]
    assert period.fiscal_year is None
    assert period.label == "令和7年6月1日〜令和7年6月30日"
    assert (emp["participants"], emp["ended"], emp["achieved"]) == (3, 1, 1)


def test_movement_between_programs(world: Any, history: History) -> None:
    transfers = figures.office_report(world.office, FY2025)["transfers"]
    assert transfers == [{"from_id": history.discharge.pk, "to_id": history.employment.pk,
                          "from": "精神障害者退院支援プログラム",
                          "to": "精神障害者就労支援プログラム", "n": 1}]


def test_monthly_participants_and_achievements(world: Any, history: History) -> None:
    months = figures.office_report(world.office, FY2025)["monthly"]
    assert [m["month"] for m in months][:2] == ["2025-04", "2025-05"]
    assert len(months) == 12
    by_month = {m["month"]: (m["participants"], m["achieved"]) for m in months}
    assert by_month["2025-04"] == (3, 0)  # p1, p3, p5
    assert by_month["2025-06"] == (4, 1)  # p1, p2, p3, p5; p1 found work
    assert by_month["2025-08"] == (2, 1)  # p2, p5 (discharge); p3 ended in July
    assert by_month["2026-03"] == (4, 0)  # p2, p3, p5, p6


def test_time_to_achievement_histogram(world: Any, history: History) -> None:
    bins = figures.office_report(world.office, FY2025)["time_to_achievement"]
    assert [b["n"] for b in bins] == [0, 0, 3, 0, 0]


def test_targets_annual_and_multi_year(world: Any, history: History) -> None:
    targets = {t["label"]: t for t in figures.office_report(world.office, FY2025)["targets"]}
    annual = targets["参加者10人"]
    assert (annual["progress"], annual["rate"], annual["multi_year"]) == (4, 40.0, False)
    assert annual["span_label"] == "令和7年度"
    multi = targets["退院可能者を5人減らす"]
    # Cumulative since 令和5年度: p7 (FY2024) and p5 (FY2025); p6's discharge is FY2026.
    assert (multi["progress"], multi["remaining"], multi["multi_year"]) == (2, 3, True)
    assert multi["span_label"] == "令和5年度〜令和8年度"
    assert multi["window_end"] == "2026-03-31"


def test_takehara_table_heading(world: Any, history: History) -> None:
    emp = by_code(figures.office_report(world.office, FY2025))["E01"]
    assert emp["established_label"] == "平成18年9月"


FIGURE_CASES = [
    ("eligible", "E01", ""), ("participants", "E01", ""), ("started", "E01", ""),
    ("ended", "E01", ""), ("ended", "E01", "suspended"), ("continuing", "E01", ""),
    ("achieved", "E01", ""), ("outcome", "E01", "employment_start"),
    ("eligible", "D01", ""), ("destination", "D01", "apartment"), ("participants", "D01", ""),
]


@pytest.mark.parametrize(("figure", "code", "key"), FIGURE_CASES)
def test_people_behind_each_figure_match_its_count(world: Any, history: History, figure: str,
                                                   code: str, key: str) -> None:
    report = figures.office_report(world.office, FY2025)
    program = by_code(report)[code]
    expected = program[figure] if not key else named(
        program[{"ended": "ended_by_reason", "outcome": "outcomes_by_kind",
                 "destination": "destinations"}[figure]])[key]
    people = figures.people_for(world.office, FY2025, figure, program_id=program["id"], key=key)
    assert people.count() == expected


def test_people_behind_totals(world: Any, history: History) -> None:
    totals = figures.office_report(world.office, FY2025)["totals"]
    for figure in figures.PROGRAM_FIGURES:
        assert figures.people_for(world.office, FY2025, figure).count() == totals[figure], figure
    names = set(figures.people_for(world.office, FY2025, "eligible").values_list("pk", flat=True))
    assert names == {history.people[k].pk for k in ("p1", "p2", "p3", "p4", "p5", "p6", "p8", "p9")}


def test_other_office_history_is_invisible(world: Any, history: History) -> None:
    report = figures.office_report(world.other_office, FY2025)
    assert report["programs"] == []
    assert report["totals"]["participants"] == 0


def test_months_not_yet_begun_are_empty(world: Any, history: History) -> None:

    from jiritsu.core.wareki import fiscal_year_of

    current = Period.for_fiscal_year(fiscal_year_of(clock.today()))
    f_enroll = history.employment.enrollments.filter(ended_on__isnull=True).count()
    assert f_enroll > 0
    months = figures.office_report(world.office, current)["monthly"]
    future = [m for m in months if m["future"]]
    assert all(m["participants"] == 0 and m["achieved"] == 0 for m in future)
    begun = [m for m in months if not m["future"]]
    assert begun and begun[0]["participants"] > 0  # open episodes carried into this year


def test_transfer_chart_agrees_with_the_outcome_chart(world: Any, history: History) -> None:
    """A 移行 outcome recorded without a transfer episode is a move too: the transfer chart
    lists it (with the outcome's name for the destination), as the outcome chart counts it."""
    from jiritsu.cases.models import Enrollment, Outcome
    from jiritsu.programs.models import OutcomeKind

    e = (Enrollment.objects.filter(program=history.employment, started_on__isnull=False)
         .order_by("id").first())
    assert e is not None
    otype = history.employment.outcome_types.create(
        kind=OutcomeKind.MOVED_TO_PROGRAM, name="就労支援専門員の支援へ移行",
        counts_as_achievement=False)
    Outcome.objects.create(enrollment=e, outcome_type=otype, kind=OutcomeKind.MOVED_TO_PROGRAM,
                           occurred_on=D(2025, 9, 1), recorded_by=world.caseworker)
    report = figures.office_report(world.office, FY2025)
    moved = [o for o in report["totals"]["outcomes_by_kind"]
             if o["label"] == OutcomeKind.MOVED_TO_PROGRAM.label]
    assert [o["n"] for o in moved] == [1]
    assert {"from_id": history.employment.pk, "to_id": None, "from": "精神障害者就労支援プログラム",
            "to": "就労支援専門員の支援へ移行（移行先の参加登録なし）", "n": 1} in report["transfers"]
    assert len(report["transfers"]) == 2  # the transfer episode and the 移行 outcome


def test_program_page_figures_count_a_period_once_for_the_year_and_its_targets(
        world: Any, history: History) -> None:
    """On the last day of the year a target of that year covers the same period as the
    year's figures: the program page counts each period's participants and achievers once,
    all in one statement, and the same as counting each on its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiritsu.cases import selectors
    from jiritsu.programs.models import ProgramTarget
    from jiritsu.reports.tests import factories as f

    emp = history.employment
    f.target(emp, metric=ProgramTarget.Metric.ACHIEVED, value=2, fy_from=2025, label="達成2人")
    f.target(emp, metric=ProgramTarget.Metric.PARTICIPANTS, value=1, fy_from=2024,
             label="前年度")
    last_day = D(2026, 3, 31)
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.program_figures(emp, today=last_day)
    year = {t["target"].label: t["actual"] for t in page["targets"]}
    assert (page["participants"], page["achieved"]) == (4, 2)  # the report's figures
    assert year["参加者10人"] == 4 and year["達成2人"] == 2
    fy2024 = (D(2024, 4, 1), D(2025, 3, 31))
    assert year["前年度"] == selectors.participating_people(emp, *fy2024).count() == 1  # p1
    # The targets, every participants and achievers count, the ended counts.
    assert len(ctx.captured_queries) == 3
    # Before the year's end the targets count up to today: a period of their own.
    mid = selectors.program_figures(emp, today=D(2025, 9, 30))
    in_mid = {t["target"].label: t["actual"] for t in mid["targets"]}
    assert in_mid["達成2人"] == selectors.achieving_people(emp, D(2025, 4, 1), D(2025, 9, 30)).count()
    assert in_mid["参加者10人"] == selectors.participating_people(
        emp, D(2025, 4, 1), D(2025, 9, 30)).count()
