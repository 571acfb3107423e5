"""Reports through the API: the same figures as the report screen."""

from __future__ import annotations

import pytest

from jiritsu.reports import figures
from jiritsu.reports.periods import Period

pytestmark = pytest.mark.django_db


def test_office_report_matches_the_figures_service(world, api_as):
    r = api_as(world.manager).get("reports/office", {"fiscal_year": 2026})
    assert r.status_code == 200, r.content
    body = r.json()
    expected = figures.office_report(world.office, Period.for_fiscal_year(2026))
    assert body["period"]["label"] == "令和8年度"
    assert body["office"]["code"] == "A001"
    assert body["totals"]["participants"] == expected["totals"]["participants"]
    assert body["kpis"] is not None


def test_program_report_of_another_office_is_404_and_partners_are_refused(world, api_as):
    import datetime as dt

    from jiritsu.programs.models import Program

    program = Program.objects.create(office=world.other_office, code="X", name="他市",
                                     kind="economic", established_on=dt.date(2024, 4, 1))
    assert api_as(world.manager).get(f"reports/programs/{program.pk}").status_code == 404
    assert api_as(world.partner).get("reports/office").status_code == 403
    r = api_as(world.manager).get("reports/office", {"fiscal_year": 1800})
    assert r.status_code == 422 and r.json()["error"]["field"] == "fiscal_year"
