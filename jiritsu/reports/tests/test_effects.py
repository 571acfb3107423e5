"""The effects section (効果) replayed on a known history with amounts computed by hand.

令和7年度 (2025-04-01 … 2026-03-31). The office has received assistance months up to
2026-09 and medical claims from 2024-04 to 2026-09. Every figure below is worked out in the
comments from the rows the history writes (effects_history.py); docs/reports.md「効果」
states the rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from jiritsu.audit.models import AuditEvent
from jiritsu.people.models import Person
from jiritsu.programs.models import OutcomeKind, Program
from jiritsu.reports import effects, figures
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import factories as f
from jiritsu.reports.tests.effects_history import Amounts, D, build, claims, stopped_then_ended

FY2025 = Period.for_fiscal_year(2025)


@pytest.fixture
def amounts(world: Any) -> Amounts:
    return build(world)


def _by_code(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["code"]: p for p in report["programs"]}


WORK_FIGURES = {
    "work": 4,  # p1, p6, p2, p3 (p3 once despite two episodes)
    "income_households": 3,  # H1 (p1), H2, H3
    # Earned income, month after the achievement − month before it:
    # H1 50,000 − 0; H2 90,000 − 0 (October); H3 60,000 − 20,000 (July).
    "income_increase": 180000,
    "income_increase_average": 60000,
    "amount_households": 3,
    # 12 months after each achievement month, all received (data to 2026-09):
    # H1 Aug–Jul: 12 × (100,000 − 70,000) = 360,000
    # H2 Oct–Sep: 12 × 120,000 − 60,000 (October) = 1,380,000 (ended: full 120,000 a month)
    # H3 Jul–Jun: 12 × 90,000 − (50,000 + 0 + 0 + 9 × 80,000) = 310,000
    "effect_12": 2050000,
    "effect_months_12": 36,
    # To the fiscal year's end: H1 Aug–Mar 8 × 30,000 = 240,000; H2 Oct–Mar
    # 6 × 120,000 − 60,000 = 660,000; H3 Jul–Mar 9 × 90,000 − (50,000 + 6 × 80,000) = 280,000
    "effect_to_end": 1180000,
    "effect_months_to_end": 23,
    "closed_by_work": 1,  # p2 (p7's household ended before p7 started; H3 was only stopped)
}

MEDICAL: dict[str, Any] = {
    "medical_people": 2,  # p8 (discharge), p9 (episode ended); not p10
    # 6 months: p8 Oct 2024–Mar 2025 6 × 450,000 / 180 days vs Jul–Dec 2025 6 × 40,000;
    # p9 Apr–Sep 2025 6 × 20,000 vs Mar–Aug 2026 6 × 20,000.
    "m6": {"people": 2, "cost_before": 2820000, "cost_after": 360000, "cost_change": -2460000,
           "days_before": 180, "days_after": 0, "days_avoided": 180},
    # 12 months: only p8 (p9's twelve months after February run past 2026-09):
    # Apr 2024–Mar 2025 12 × 450,000 / 360 days vs Jul 2025–Jun 2026 12 × 40,000 + 150,000 / 10.
    "m12": {"people": 1, "cost_before": 5400000, "cost_after": 630000, "cost_change": -4770000,
            "days_before": 360, "days_after": 10, "days_avoided": 350},
}


def test_replay_matches_hand_computed_amounts(world: Any, amounts: Amounts) -> None:
    report = figures.office_report(world.office, FY2025)
    work = _by_code(report)["W01"]["effects"]
    assert {k: work[k] for k in WORK_FIGURES} == WORK_FIGURES
    health = _by_code(report)["H01"]["effects"]
    assert health["is_health"] and not work["is_health"]
    assert {k: health[k] for k in MEDICAL} == MEDICAL
    assert (health["work"], health["amount_households"]) == (0, 0)
    totals = report["totals"]["effects"]
    assert {k: totals[k] for k in WORK_FIGURES} == WORK_FIGURES
    assert {k: totals[k] for k in MEDICAL} == MEDICAL
    assert report["effects_horizon"]["assistance_last"] == "2026-09-01"
    assert report["effects_horizon"]["medical_first"] == "2024-04-01"


def test_an_episode_compared_for_two_health_programs_counts_once_in_the_total(
        world: Any, amounts: Amounts) -> None:
    """p11 takes part in two health programs from the same day and is discharged once: each
    program compares them, the office total once (one row per compared episode, saying for
    which programs and whether for the total)."""
    office, cw = world.office, world.caseworker
    day_care = f.make_program(office, code="H02", name="デイケア通所支援", kind=Program.Kind.SOCIAL_LIFE)
    f.outcome_type(day_care, OutcomeKind.DISCHARGE)
    p11 = f.person(office, f.household(office))
    for program in (amounts.health, day_care):
        episode = f.enroll(p11, program, cw, candidate_on=D(2025, 3, 1), started_on=D(2025, 4, 1))
        f.outcome(episode, OutcomeKind.DISCHARGE, D(2025, 6, 15), cw)
    # Before: Oct 2024–Mar 2025 6 × 300,000 / 180 days (12 months: the same, nothing earlier);
    # after: Jul–Dec 2025 6 × 10,000 (12 months: the same, nothing later).
    claims(p11, D(2024, 10, 1), D(2025, 3, 1), "inpatient", 300000, 30)
    claims(p11, D(2025, 7, 1), D(2025, 12, 1), "outpatient", 10000, 2)
    report = figures.office_report(office, FY2025)
    second = _by_code(report)["H02"]["effects"]
    assert second["medical_people"] == 1
    assert {k: second["m6"][k] for k in ("people", "cost_before", "cost_after", "days_before")} == {
        "people": 1, "cost_before": 1800000, "cost_after": 60000, "days_before": 180}
    for block in (_by_code(report)["H01"]["effects"], report["totals"]["effects"]):
        assert block["medical_people"] == MEDICAL["medical_people"] + 1
        for n in ("m6", "m12"):
            assert block[n]["people"] == MEDICAL[n]["people"] + 1
            assert block[n]["cost_before"] == MEDICAL[n]["cost_before"] + 1800000
            assert block[n]["cost_after"] == MEDICAL[n]["cost_after"] + 60000
            assert block[n]["days_before"] == MEDICAL[n]["days_before"] + 180


def test_a_month_stopped_or_ended_counts_as_nothing_paid(world: Any, amounts: Amounts) -> None:
    """paid(m) = 0 in a month whose status is 停止 or 廃止, whatever amounts its row carries
    (docs/reports.md「効果」)."""
    stopped_then_ended(world.office, amounts.work, world.caseworker)
    report = figures.office_report(world.office, FY2025)
    # H12: Aug 2025–Jul 2026, 12 × 100,000 − 0 (停止, 廃止, then no rows); to the year's end
    # Aug–Mar, 8 × 100,000. No income increase: August was not a paid month.
    for block in (_by_code(report)["W01"]["effects"], report["totals"]["effects"]):
        assert block["amount_households"] == WORK_FIGURES["amount_households"] + 1
        assert block["effect_12"] == WORK_FIGURES["effect_12"] + 1200000
        assert block["effect_to_end"] == WORK_FIGURES["effect_to_end"] + 800000
        assert block["effect_months_12"] == WORK_FIGURES["effect_months_12"] + 12
        assert block["income_households"] == WORK_FIGURES["income_households"]
        assert block["closed_by_work"] == WORK_FIGURES["closed_by_work"] + 1


def test_people_behind_each_effect_figure(world: Any, amounts: Amounts) -> None:
    p = amounts.people
    program = amounts.work.pk

    def ids(figure: str, program_id: int | None = program, key: str = "") -> set[int]:
        return set(figures.people_for(world.office, FY2025, figure, program_id=program_id,
                                      key=key).values_list("pk", flat=True))

    assert ids("effect_work") == {p[k].pk for k in ("p1", "p2", "p3", "p6")}
    assert ids("effect_amount") == {p[k].pk for k in ("p1", "p2", "p3")}
    assert ids("effect_income") == {p[k].pk for k in ("p1", "p2", "p3")}
    assert ids("effect_closed") == {p["p2"].pk}
    assert ids("effect_medical", amounts.health.pk) == {p["p8"].pk, p["p9"].pk}
    assert ids("effect_medical", amounts.health.pk, "12") == {p["p8"].pk}
    assert ids("effect_medical", None, "6") == {p["p8"].pk, p["p9"].pk}
    assert ids("effect_work", None) == ids("effect_work")
    assert world.other_office.pk not in set(
        Person.objects.filter(pk__in=ids("effect_work", None)).values_list("office_id", flat=True))


def test_effects_of_the_previous_year_are_its_own(world: Any, amounts: Amounts) -> None:
    """FY2024: p4's March achievement counts there; its baseline (February) is received."""
    report = figures.office_report(world.office, Period.for_fiscal_year(2024))
    work = _by_code(report)["W01"]["effects"]
    assert work["work"] == 1 and work["amount_households"] == 1
    # April 2025 … March 2026 at 70,000 against a 70,000 baseline: no change; FY2024 ends
    # with the achievement month, so nothing is counted to the year's end.
    assert (work["effect_12"], work["effect_to_end"], work["effect_months_to_end"]) == (0, 0, 0)


def test_program_chart_median_and_quartiles(world: Any, amounts: Amounts) -> None:
    chart = effects.program_series(world.office, amounts.health, FY2025)
    start = chart["series"]["medical"][chart["months"].index(0)]
    # Start months: p8 April 2025 450,000; p9 October 2025 20,000; p10 December 2024 0.
    assert start == {"k": 0, "n": 3, "median": 20000, "p25": 0, "p75": 450000}
    after = chart["series"]["medical"][chart["months"].index(12)]
    # p8 April 2026 40,000; p9 October 2026 is after the last month received; p10 Dec 2025 0.
    assert (after["n"], after["median"]) == (2, 20000)


def test_person_series_and_the_people_page_is_audited(world: Any, amounts: Amounts,
                                                     client: Any) -> None:
    with scope(office=world.office):
        rows = effects.person_series(amounts.people["p2"])[0]["months"]
    by_k = {r["k"]: r for r in rows}
    assert (by_k[0]["paid"], by_k[0]["earned"]) == (120000, 0)  # April 2025
    assert (by_k[6]["paid"], by_k[6]["earned"]) == (60000, 90000)  # October
    assert by_k[7]["status"] == "廃止" and by_k[8]["paid"] == 0
    client.force_login(world.manager)
    response = client.get("/reports/people/", {"fy": 2025, "figure": "effect_amount",
                                                "program": amounts.work.pk})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="report.people").latest("id")
    assert set(event.changes["people"]) == {amounts.people[k].pk for k in ("p1", "p2", "p3")}


def test_report_page_shows_the_effects_section(world: Any, amounts: Amounts, client: Any) -> None:
    client.force_login(world.manager)
    html = client.get("/reports/", {"fy": 2025}).content.decode()
    assert "効果（収入・保護費・医療費）" in html
    assert "2,050,000円" in html and "1,180,000円" in html and "+180,000円" in html
    assert "−4,770,000円" in html and "360日→10日" in html and "350日" in html
    assert "figure=effect_amount" in html and "figure=effect_medical" in html
    assert "effect_" not in html.replace("figure=effect_", "")  # no raw codes as text
    page = client.get(f"/reports/programs/{amounts.health.pk}/", {"fy": 2025}).content.decode()
    assert "支援開始前後の推移" in page and "<svg" in page and "医療費（中央値）" in page
    # A partner sees no report at all.
    client.force_login(world.partner)
    assert client.get("/reports/", {"fy": 2025}).status_code == 403


def test_exports_carry_the_effects(world: Any, amounts: Amounts, tmp_path: Any) -> None:
    import csv
    import io
    import subprocess

    from openpyxl import load_workbook

    from jiritsu.reports import services

    m = world.m(world.manager)
    wb = load_workbook(io.BytesIO(services.report_export(actor=m, period=FY2025,
                                                         fmt="xlsx").content))
    rows = {r[0]: r for r in wb["効果"].iter_rows(min_row=4, values_only=True)}
    assert rows["就労支援プログラム"][1:8] == (4, 180000, 3, 2050000, 1180000, 3, 1)
    assert rows["退院促進プログラム"][16:23] == (1, 5400000, 630000, -4770000, 360, 10, 350)
    assert rows["就労支援プログラム"][9] is None  # not a health program: no medical figures
    content = services.report_export(actor=m, period=FY2025, fmt="csv", table="effects").content
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table[0][4] == "効果額（達成後12か月、円）"
    assert table[-1][:8] == ["合計（実人数・世帯は1回）", "4", "180000", "3", "2050000", "1180000", "3", "1"]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(services.report_export(actor=m, period=FY2025, fmt="pdf",
                                           program=amounts.health).content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "効果（医療費と入院日数）" in text and "−4,770,000" in text
    assert "支援開始前後の収入・保護費・医療費" in text


def test_freezing_keeps_the_effects_and_shows_their_change(world: Any, amounts: Amounts) -> None:
    from jiritsu.people.models import AssistanceMonth
    from jiritsu.reports import services

    frozen = services.report_freeze(actor=world.m(world.manager), period=FY2025)
    assert frozen.figures["totals"]["effects"]["effect_12"] == 2050000
    # A corrected month arrives: H1's August was 10,000 higher.
    h1 = amounts.people["p1"].household
    row = AssistanceMonth.objects.get(household=h1, month="2025-08-01")
    row.paid_living += 10000
    row.save()
    deltas = {d["key"]: d for d in services.frozen_with_deltas(frozen)["deltas"]}
    assert deltas["totals.effects.effect_12"]["delta"] == -10000
    assert deltas["programs.W01.effects.effect_to_end"]["current"] == 1170000


def test_one_persons_effects_page(world: Any, amounts: Amounts, client: Any) -> None:
    p2 = amounts.people["p2"]
    client.force_login(world.caseworker)
    page = client.get(f"/people/{p2.pk}/").content.decode()
    assert f"/reports/person/{p2.pk}/" in page
    html = client.get(f"/reports/person/{p2.pk}/").content.decode()
    assert "収入・保護費・医療費の推移" in html and "<svg" in html
    assert "120,000円" in html and "廃止" in html and "令和7年11月" in html
    event = AuditEvent.objects.filter(action="person.effects").latest("id")
    assert event.kind == "view" and event.target_id == str(p2.pk) or event.target_id == p2.pk
    partial = client.get(f"/reports/person/{p2.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "<svg" in partial
    # Partners never see amounts; another office's person is not found.
    client.force_login(world.partner)
    assert client.get(f"/reports/person/{p2.pk}/").status_code == 403
    assert f"/reports/person/{p2.pk}/" not in client.get(f"/people/{p2.pk}/").content.decode()
    client.force_login(world.outsider)
    assert client.get(f"/reports/person/{p2.pk}/").status_code in (403, 404)
