"""Freezing a year as submitted, then correcting the data: the delta figure by figure."""

from __future__ import annotations

from typing import Any

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import Forbidden
from jiritsu.programs.models import OutcomeKind
from jiritsu.reports import selectors, services
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import factories as f
from jiritsu.reports.tests.conftest import D, History

FY2025 = Period.for_fiscal_year(2025)


def test_later_correction_shows_as_delta_from_frozen(world: Any, history: History) -> None:
    frozen = services.report_freeze(actor=world.m(world.manager), period=FY2025, note="提出")
    assert frozen.figures["totals"]["achieved"] == 3
    assert selectors.report_with_delta(world.office, FY2025)["deltas"] == []

    # Correction after submission: p3's second episode had found work in December.
    episode = history.employment.enrollments.get(person=history.people["p3"], ended_on__isnull=True)
    f.outcome(episode, OutcomeKind.EMPLOYMENT_START, D(2025, 12, 1), world.caseworker)

    data = selectors.report_with_delta(world.office, FY2025)
    assert data["frozen"] == frozen
    deltas = {d["key"]: (d["frozen"], d["current"], d["delta"]) for d in data["deltas"]}
    assert deltas["programs.E01.achieved"] == (2, 3, 1)
    assert deltas["totals.achieved"] == (3, 4, 1)
    assert deltas["programs.E01.outcomes_by_kind.employment_start"] == (1, 2, 1)
    assert deltas["kpis.employment.numerator"][2] == 1
    # The submitted figures themselves never change.
    frozen.refresh_from_db()
    assert frozen.figures["totals"]["achieved"] == 3
    labels = {d["key"]: d["label"] for d in data["deltas"]}
    assert labels["programs.E01.achieved"] == "精神障害者就労支援プログラム 達成者数"


def test_freeze_needs_report_freeze(world: Any, history: History) -> None:
    with pytest.raises(Forbidden):
        services.report_freeze(actor=world.m(world.supervisor), period=FY2025)
    assert not AuditEvent.objects.filter(action="report.freeze").exists()


def test_delta_shows_on_the_report_page(client: Any, world: Any, history: History) -> None:
    services.report_freeze(actor=world.m(world.manager), period=FY2025)
    f.outcome(history.employment.enrollments.get(person=history.people["p3"], ended_on__isnull=True),
              OutcomeKind.INCOME_INCREASE, D(2026, 1, 5), world.caseworker)
    client.force_login(world.caseworker)
    html = client.get("/reports/?fy=2025").content.decode()
    assert "提出済みの数値との差異" in html
    assert "精神障害者就労支援プログラム 達成者数" in html and "+1" in html
