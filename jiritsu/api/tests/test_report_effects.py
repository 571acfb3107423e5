"""The effects section through the API: the same dict as the screen, and its people audited."""

from __future__ import annotations

from typing import Any

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.reports.tests.effects_history import Amounts, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def amounts(world: Any) -> Amounts:
    return build(world)


def test_report_effects_and_their_people(world: Any, amounts: Amounts, api_as: Any) -> None:
    api = api_as(world.manager)
    body = api.get("reports/office", {"fiscal_year": 2025}).json()
    assert body["totals"]["effects"]["effect_12"] == 2050000
    work = next(p for p in body["programs"] if p["code"] == "W01")
    assert (work["effects"]["work"], work["effects"]["closed_by_work"]) == (4, 1)
    assert body["effects_horizon"]["assistance_last"] == "2026-09-01"
    program = api.get(f"reports/programs/{amounts.health.pk}", {"fiscal_year": 2025}).json()
    assert program["effects_series"]["series"]["medical"][6]["median"] == 20000
    people = api.get("reports/people", {"fiscal_year": 2025, "figure": "effect_medical",
                                        "program_id": amounts.health.pk, "key": "12"})
    assert people.status_code == 200, people.content
    assert [p["id"] for p in people.json()["results"]] == [amounts.people["p8"].pk]
    event = AuditEvent.objects.filter(action="report.people").latest("id")
    assert event.changes["people"] == [amounts.people["p8"].pk]
    csv = api.get("reports/export/csv", {"fiscal_year": 2025, "table": "effects"})
    assert csv.status_code == 200 and "効果額" in csv.content.decode("utf-8-sig")
    assert api_as(world.partner).get("reports/office").status_code == 403


def test_one_persons_effects(world: Any, amounts: Amounts, api_as: Any) -> None:
    p2 = amounts.people["p2"]
    r = api_as(world.caseworker).get(f"people/{p2.pk}/effects")
    assert r.status_code == 200, r.content
    months = {m["k"]: m for m in r.json()[0]["months"]}
    assert (months[6]["paid"], months[6]["earned"], months[7]["status"]) == (60000, 90000, "廃止")
    assert AuditEvent.objects.filter(action="person.effects", kind="view").exists()
    assert api_as(world.partner).get(f"people/{p2.pk}/effects").status_code == 403
