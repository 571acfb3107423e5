"""The effects section (効果) replayed on a known history with amounts computed by hand.

令和7年度 (2025-04-01 … 2026-03-31). The office has received assistance months up to
2026-09 and medical claims from 2024-04 to 2026-09. Every figure below is worked out in the
comments from the rows the test writes; docs/reports.md「効果」 states the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Office
from jiritsu.people.models import AssistanceMonth, Household, MedicalClaimMonth, Person
from jiritsu.programs.models import OutcomeKind, Program
from jiritsu.reports import effects, figures
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import factories as f

D = f.D
FY2025 = Period.for_fiscal_year(2025)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = effects.shift(m, 1)
    return out


def paid(hh: Household, first: dt.date, last: dt.date, *, living: int, housing: int = 0,
         earned: int = 0, status: str = AssistanceMonth.Status.PAID, reason: str = "") -> None:
    for m in months(first, last):
        AssistanceMonth.objects.create(
            office=hh.office, household=hh, month=m, minimum_living_cost=130000,
            earned_income_recognised=earned, paid_living=living, paid_housing=housing,
            status=status, status_reason=reason, received_at=timezone.now())


def claims(p: Person, first: dt.date, last: dt.date, kind: str, amount: int, days: int = 0,
           institution: str = "Ａ病院") -> None:
    for m in months(first, last):
        MedicalClaimMonth.objects.create(office=p.office, person=p, month=m, kind=kind,
                                         institution_name=institution, days=days, amount=amount,
                                         received_at=timezone.now())


@dataclass
class Amounts:
    work: Program
    health: Program
    people: dict[str, Person]


def _other_office(office: Office, cw: Any) -> None:
    """Another office's achiever with amounts, and data further on: neither may show."""
    prog = f.make_program(office, code="W99", kind=Program.Kind.ECONOMIC)
    hh = f.household(office)
    p = f.person(office, hh)
    e = f.enroll(p, prog, cw, candidate_on=D(2025, 4, 1), started_on=D(2025, 4, 1))
    f.outcome(e, OutcomeKind.EMPLOYMENT_START, D(2025, 6, 1), cw)
    paid(hh, D(2025, 1, 1), D(2027, 1, 1), living=100000)


@pytest.fixture
def amounts(world: Any) -> Amounts:
    office, cw = world.office, world.caseworker
    work = f.make_program(office, code="W01", name="就労支援プログラム", kind=Program.Kind.ECONOMIC)
    health = f.make_program(office, code="H01", name="退院促進プログラム",
                            kind=Program.Kind.SOCIAL_LIFE)
    f.outcome_type(health, OutcomeKind.DISCHARGE)
    p: dict[str, Person] = {}

    # p1 (H1) finds work in July 2025. Baseline June: paid 100,000, earned 0.
    # From August: earned 50,000, paid 70,000 → 30,000 less each month.
    h1 = f.household(office)
    p["p1"] = f.person(office, h1)
    e1 = f.enroll(p["p1"], work, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 5, 10))
    f.outcome(e1, OutcomeKind.EMPLOYMENT_START, D(2025, 7, 15), cw)
    paid(h1, D(2025, 1, 1), D(2025, 7, 1), living=60000, housing=40000)
    paid(h1, D(2025, 8, 1), D(2026, 9, 1), living=30000, housing=40000, earned=50000)
    # p6, p1's household member, raises income in October: counted as a person, but the
    # household's money is counted once, from p1's earlier achievement.
    p["p6"] = f.person(office, h1)
    e6 = f.enroll(p["p6"], work, cw, candidate_on=D(2025, 9, 1), started_on=D(2025, 9, 1))
    f.outcome(e6, OutcomeKind.INCOME_INCREASE, D(2025, 10, 1), cw)

    # p2 (H2): work in September, assistance ends for work in November (mid-year).
    # Baseline August: paid 120,000. October paid 60,000 (earned 90,000), then nothing.
    h2 = f.household(office)
    p["p2"] = f.person(office, h2)
    e2 = f.enroll(p["p2"], work, cw, candidate_on=D(2025, 4, 1), started_on=D(2025, 4, 1))
    f.outcome(e2, OutcomeKind.EMPLOYMENT_START, D(2025, 9, 20), cw)
    paid(h2, D(2025, 1, 1), D(2025, 9, 1), living=80000, housing=40000)
    paid(h2, D(2025, 10, 1), D(2025, 10, 1), living=20000, housing=40000, earned=90000)
    paid(h2, D(2025, 11, 1), D(2025, 11, 1), living=0, status=AssistanceMonth.Status.ENDED,
         reason=Household.EndReason.WORK)

    # p3 (H3) re-enters the program (two episodes) and the household's assistance is
    # stopped in August, absent in September and restarted in October.
    h3 = f.household(office)
    p["p3"] = f.person(office, h3)
    e3a = f.enroll(p["p3"], work, cw, candidate_on=D(2025, 4, 1), started_on=D(2025, 4, 15),
                   ended_on=D(2025, 6, 30), end_reason="suspended")
    f.outcome(e3a, OutcomeKind.EMPLOYMENT_START, D(2025, 6, 10), cw)
    e3b = f.enroll(p["p3"], work, cw, candidate_on=D(2025, 10, 1), started_on=D(2025, 10, 1))
    f.outcome(e3b, OutcomeKind.INCOME_INCREASE, D(2025, 12, 5), cw)
    paid(h3, D(2025, 1, 1), D(2025, 6, 1), living=90000, earned=20000)
    paid(h3, D(2025, 7, 1), D(2025, 7, 1), living=50000, earned=60000)
    paid(h3, D(2025, 8, 1), D(2025, 8, 1), living=0, status=AssistanceMonth.Status.STOPPED,
         reason=Household.EndReason.OTHER)
    paid(h3, D(2025, 10, 1), D(2026, 9, 1), living=80000, earned=30000)

    # Must not count: p4's work came the month before the fiscal year.
    h4 = f.household(office)
    p["p4"] = f.person(office, h4)
    e4 = f.enroll(p["p4"], work, cw, candidate_on=D(2025, 1, 1), started_on=D(2025, 1, 10))
    f.outcome(e4, OutcomeKind.EMPLOYMENT_START, D(2025, 3, 20), cw)
    paid(h4, D(2025, 1, 1), D(2026, 9, 1), living=70000)
    # p5: an outcome of another kind in the year.
    h5 = f.household(office)
    p["p5"] = f.person(office, h5)
    e5 = f.enroll(p["p5"], work, cw, candidate_on=D(2025, 4, 1), started_on=D(2025, 4, 1))
    f.outcome(e5, OutcomeKind.SOCIAL_PARTICIPATION, D(2025, 8, 1), cw)
    paid(h5, D(2025, 1, 1), D(2026, 9, 1), living=70000)
    # p7: assistance ended for work in May, before p7's support started in June.
    h7 = f.household(office)
    p["p7"] = f.person(office, h7)
    f.enroll(p["p7"], work, cw, candidate_on=D(2025, 6, 1), started_on=D(2025, 6, 1))
    paid(h7, D(2025, 1, 1), D(2025, 4, 1), living=70000)
    paid(h7, D(2025, 5, 1), D(2025, 5, 1), living=0, status=AssistanceMonth.Status.ENDED,
         reason=Household.EndReason.WORK)

    # p8: discharged in June 2025 after 15 months in hospital; one readmission in January.
    p["p8"] = f.person(office, f.household(office))
    e8 = f.enroll(p["p8"], health, cw, candidate_on=D(2025, 3, 1), started_on=D(2025, 4, 1))
    f.outcome(e8, OutcomeKind.DISCHARGE, D(2025, 6, 15), cw)
    claims(p["p8"], D(2024, 4, 1), D(2025, 6, 1), "inpatient", 450000, 30)
    claims(p["p8"], D(2025, 7, 1), D(2026, 9, 1), "outpatient", 30000, 2, "Ｂクリニック")
    claims(p["p8"], D(2025, 7, 1), D(2026, 9, 1), "pharmacy", 10000, 1, "Ｃ薬局")
    claims(p["p8"], D(2026, 1, 1), D(2026, 1, 1), "inpatient", 150000, 10)
    # p9: a health episode from October that ended in February without a discharge.
    p["p9"] = f.person(office, f.household(office))
    f.enroll(p["p9"], health, cw, candidate_on=D(2025, 9, 1), started_on=D(2025, 10, 1),
             ended_on=D(2026, 2, 28))
    claims(p["p9"], D(2025, 4, 1), D(2026, 9, 1), "outpatient", 20000, 3)
    # p10: discharged in the previous year and still taking part: not compared this year.
    p["p10"] = f.person(office, f.household(office))
    e10 = f.enroll(p["p10"], health, cw, candidate_on=D(2024, 11, 1), started_on=D(2024, 12, 1))
    f.outcome(e10, OutcomeKind.DISCHARGE, D(2025, 2, 1), cw)

    _other_office(world.other_office, world.outsider)
    return Amounts(work, health, p)


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

MEDICAL = {
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
