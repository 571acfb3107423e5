"""A known history of amounts for 令和7年度: see test_effects.py for the hand-computed figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jiritsu.core import clock
from jiritsu.offices.models import Office
from jiritsu.people.amounts import month_range
from jiritsu.people.models import AssistanceMonth, Household, MedicalClaimMonth, Person
from jiritsu.programs.models import OutcomeKind, Program
from jiritsu.reports.tests import factories as f

D = f.D


def paid(hh: Household, first: dt.date, last: dt.date, *, living: int, housing: int = 0,
         earned: int = 0, status: str = AssistanceMonth.Status.PAID, reason: str = "") -> None:
    for m in month_range(first, last):
        AssistanceMonth.objects.create(
            office=hh.office, household=hh, month=m, minimum_living_cost=130000,
            earned_income_recognised=earned, paid_living=living, paid_housing=housing,
            status=status, status_reason=reason, received_at=clock.now())


def claims(p: Person, first: dt.date, last: dt.date, kind: str, amount: int, days: int = 0,
           institution: str = "Ａ病院") -> None:
    for m in month_range(first, last):
        MedicalClaimMonth.objects.create(office=p.office, person=p, month=m, kind=kind,
                                         institution_name=institution, days=days, amount=amount,
                                         received_at=clock.now())


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


def stopped_then_ended(office: Office, work: Program, cw: Any) -> Person:
    """p12 (H12) finds work in July 2025 (baseline June: paid 100,000). The main system sends
    August as 停止 and September as 廃止 (for work) with the month's amounts still on the rows
    (100,000 each), then nothing: both months count as nothing paid."""
    h12 = f.household(office)
    p12 = f.person(office, h12)
    e12 = f.enroll(p12, work, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 5, 1))
    f.outcome(e12, OutcomeKind.EMPLOYMENT_START, D(2025, 7, 10), cw)
    paid(h12, D(2025, 1, 1), D(2025, 7, 1), living=100000)
    paid(h12, D(2025, 8, 1), D(2025, 8, 1), living=100000, status=AssistanceMonth.Status.STOPPED,
         reason=Household.EndReason.OTHER)
    paid(h12, D(2025, 9, 1), D(2025, 9, 1), living=100000, status=AssistanceMonth.Status.ENDED,
         reason=Household.EndReason.WORK)
    return p12


def build(world: Any) -> Amounts:
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


