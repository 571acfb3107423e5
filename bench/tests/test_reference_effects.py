"""The hand-written effects statements (bench/reference_sql.py) give the report's effects, on
the replay history whose figures are worked out by hand (jiritsu/reports/tests/test_effects.py):
the office report bench case compares the two, so the comparison itself must hold."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from bench import reference_sql as ref
from bench.run import effects_figures, reference_effects
from jiritsu.reports import figures
from jiritsu.reports.periods import Period
from jiritsu.reports.tests.effects_history import build, stopped_then_ended


def _reference(office_id: int, period: Period) -> dict[tuple[Any, str], int]:
    params: dict[str, Any] = {
        "office": office_id, "start": period.start, "end": period.end,
        "start_month": period.start.replace(day=1), "end_month": period.end.replace(day=1)}
    answers = []
    with connection.cursor() as cur:
        for sql in ref.effects_sql(connection.vendor):
            cur.execute(sql, params)
            answers.append(cur.fetchall())
    return reference_effects(*answers)


@pytest.mark.parametrize("fiscal_year", [2024, 2025, 2026])
def test_the_hand_written_effects_give_the_reports_effects(world: Any, fiscal_year: int) -> None:
    amounts = build(world)
    stopped_then_ended(world.office, amounts.work, world.caseworker)
    period = Period.for_fiscal_year(fiscal_year)
    report = figures.office_report(world.office, period)
    mine = effects_figures([*((p["id"], p["effects"]) for p in report["programs"]),
                            (None, report["totals"]["effects"])])
    assert mine == _reference(world.office.pk, period)
    if fiscal_year == 2025:  # the figures the replay test works out by hand are among them
        assert mine[(None, "effect_12")] == 2050000 + 1200000
        assert mine[(amounts.health.pk, "m12.days_before")] == 360
