"""A known program history for fiscal year 2025 (令和7年度) in the world's office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jiritsu.cases.models import Enrollment, Outcome
from jiritsu.people.models import Person
from jiritsu.programs.models import OutcomeKind, Program, ProgramTarget
from jiritsu.reports.tests import factories as f

D = f.D
R = Enrollment.EndReason


@dataclass
class History:
    employment: Program
    discharge: Program
    home: Program
    people: dict[str, Person]


@pytest.fixture
def history(world: Any) -> History:
    office, cw = world.office, world.caseworker
    emp = f.make_program(office, code="E01", name="精神障害者就労支援プログラム",
                         kind=Program.Kind.ECONOMIC, established_on=D(2006, 9, 1))
    dis = f.make_program(office, code="D01", name="精神障害者退院支援プログラム",
                         kind=Program.Kind.SOCIAL_LIFE, established_on=D(2007, 10, 1))
    home = f.make_program(office, code="H01", name="在宅生活支援プログラム",
                          kind=Program.Kind.DAILY_LIFE, established_on=D(2007, 10, 1))
    hh = f.household(office, caseworker=cw)
    p = {f"p{i}": f.person(office, hh) for i in range(1, 11)}

    # p1 straddles FY2024/FY2025: started in January, found work in June, ended in June.
    e1 = f.enroll(p["p1"], emp, cw, candidate_on=D(2024, 12, 1), started_on=D(2025, 1, 10),
                  ended_on=D(2025, 6, 30), end_reason=R.ACHIEVED)
    f.outcome(e1, OutcomeKind.EMPLOYMENT_START, D(2025, 6, 1), cw, employer="竹原工業")
    # p2 started in May, earnings rose in September, still taking part.
    e2 = f.enroll(p["p2"], emp, cw, candidate_on=D(2025, 4, 20), started_on=D(2025, 5, 1))
    f.outcome(e2, OutcomeKind.INCOME_INCREASE, D(2025, 9, 15), cw, income_increase=20000)
    # p3 re-enters: suspended in July, back in November.
    f.enroll(p["p3"], emp, cw, candidate_on=D(2025, 4, 1), started_on=D(2025, 4, 10),
             ended_on=D(2025, 7, 31), end_reason=R.SUSPENDED)
    f.enroll(p["p3"], emp, cw, candidate_on=D(2025, 10, 1), started_on=D(2025, 11, 1))
    # p4 was proposed but declined before support started.
    f.enroll(p["p4"], emp, cw, candidate_on=D(2025, 8, 1), ended_on=D(2025, 9, 1),
             end_reason=R.DECLINED)
    # p5 moves from discharge support to employment support after leaving hospital.
    d5 = f.enroll(p["p5"], dis, cw, candidate_on=D(2025, 4, 1), started_on=D(2025, 4, 15),
                  ended_on=D(2025, 8, 31), end_reason=R.TRANSFERRED)
    f.outcome(d5, OutcomeKind.DISCHARGE, D(2025, 8, 20), cw, destination=Outcome.Destination.APARTMENT)
    f.enroll(p["p5"], emp, cw, candidate_on=D(2025, 9, 1), started_on=D(2025, 9, 1),
             moved_from=d5)
    # p6 straddles into FY2026; the discharge falls in FY2026.
    d6 = f.enroll(p["p6"], dis, cw, candidate_on=D(2025, 9, 1), started_on=D(2025, 10, 1),
                  ended_on=D(2026, 5, 1), end_reason=R.ACHIEVED)
    f.outcome(d6, OutcomeKind.DISCHARGE, D(2026, 4, 15), cw, destination=Outcome.Destination.HOME)
    # p7 took part in FY2024 only.
    d7 = f.enroll(p["p7"], dis, cw, candidate_on=D(2024, 5, 1), started_on=D(2024, 6, 1),
                  ended_on=D(2025, 3, 31), end_reason=R.ACHIEVED)
    f.outcome(d7, OutcomeKind.DISCHARGE, D(2024, 12, 1), cw, destination=Outcome.Destination.HOME)
    # p8 is on the discharge ledger, p9 was nominated by a doctor; neither took part.
    f.ledger(dis, [p["p8"], p["p5"]], D(2025, 5, 31), cw)
    f.nominate(dis, p["p9"], D(2025, 6, 10), cw)
    # p10 starts in FY2026.
    f.enroll(p["p10"], emp, cw, candidate_on=D(2026, 4, 1), started_on=D(2026, 4, 1))

    f.target(emp, metric=ProgramTarget.Metric.PARTICIPANTS, value=10, fy_from=2025,
             label="参加者10人")
    f.target(dis, metric=ProgramTarget.Metric.REDUCTION, value=5, fy_from=2023, fy_to=2026,
             baseline=6, label="退院可能者を5人減らす")
    return History(emp, dis, home, p)
