"""A history written through the program life-cycle services gives the expected figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiritsu.cases import services
from jiritsu.programs.models import OutcomeKind, OutcomeType, Program
from jiritsu.programs.testing import make_program
from jiritsu.reports import figures
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import factories as f

D = dt.date
FY2025 = Period.for_fiscal_year(2025)


def test_figures_from_a_history_built_by_the_services(world: Any) -> None:
    actor = world.m(world.caseworker)
    work = make_program(world.office, code="W01", name="就労支援", consent_required=False)
    discharge = make_program(world.office, code="T01", name="退院支援",
                             kind=Program.Kind.SOCIAL_LIFE, consent_required=False)
    hh = f.household(world.office, caseworker=world.caseworker)
    a, b, c = (f.person(world.office, hh) for _ in range(3))
    employment = OutcomeType.objects.get(program=work, kind=OutcomeKind.EMPLOYMENT_START)
    discharged = OutcomeType.objects.get(program=discharge, kind=OutcomeKind.DISCHARGE)

    # a: works from June, ends achieved in July, re-enters in October.
    e = services.enrollment_create(actor=actor, person=a, program=work, on=D(2025, 4, 1))
    services.enrollment_start(actor=actor, enrollment=e, on=D(2025, 4, 10))
    services.outcome_record(actor=actor, enrollment=e, outcome_type=employment,
                            occurred_on=D(2025, 6, 1), data={"employer": "竹原工業", "job_kind": "軽作業",
                                                              "monthly_income": 80000})
    services.enrollment_end(actor=actor, enrollment=e, reason="achieved", on=D(2025, 7, 31))
    again = services.enrollment_create(actor=actor, person=a, program=work, on=D(2025, 10, 1))
    services.enrollment_start(actor=actor, enrollment=again, on=D(2025, 10, 5))
    # b: discharged to a group home in August, then moves to employment support.
    d = services.enrollment_create(actor=actor, person=b, program=discharge, on=D(2025, 5, 1))
    services.enrollment_start(actor=actor, enrollment=d, on=D(2025, 5, 1))
    services.outcome_record(actor=actor, enrollment=d, outcome_type=discharged,
                            occurred_on=D(2025, 8, 20), data={"destination": "group_home"})
    services.enrollment_transfer(actor=actor, enrollment=d, target_program=work,
                                 on=D(2025, 9, 1), start=True)
    # c: proposed, declined before support started.
    x = services.enrollment_create(actor=actor, person=c, program=work, on=D(2025, 11, 1))
    services.enrollment_end(actor=actor, enrollment=x, reason="declined", on=D(2025, 11, 15))

    report = figures.office_report(world.office, FY2025)
    rows = {p["code"]: p for p in report["programs"]}
    w, t = rows["W01"], rows["T01"]
    assert (w["eligible"], w["participants"], w["started"], w["ended"], w["continuing"],
            w["achieved"]) == (3, 2, 2, 1, 2, 1)
    assert {i["key"]: i["n"] for i in w["ended_by_reason"]} == {"achieved": 1}
    assert w["median_days_to_achievement"] == 52.0  # 10 April → 1 June
    assert (t["participants"], t["ended"], t["continuing"], t["achieved"]) == (1, 1, 0, 1)
    assert {i["key"]: i["n"] for i in t["ended_by_reason"]} == {"transferred": 1}
    assert {i["key"]: i["n"] for i in t["destinations"]} == {"group_home": 1}
    assert [(m["from"], m["to"], m["n"]) for m in report["transfers"]] == [("退院支援", "就労支援", 1)]
    assert report["totals"]["participants"] == 2
