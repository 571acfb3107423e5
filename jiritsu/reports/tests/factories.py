"""Plain ORM factories for known program histories (no services, no audit rows)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from jiritsu.cases.models import Enrollment, EnrollmentEvent, Outcome
from jiritsu.offices.models import Office, User
from jiritsu.people.models import Household, HouseholdType, Person, WorkCapacityAssessment
from jiritsu.programs.models import (
    LedgerEntry,
    Nomination,
    OutcomeKind,
    OutcomeType,
    Program,
    ProgramTarget,
    ProgramVersion,
    ScreeningLedger,
)

_seq = itertools.count(1)
D = dt.date
SEPT_2006 = D(2006, 9, 1)


def make_program(office: Office, *, code: str | None = None, name: str | None = None,
                 kind: str = Program.Kind.ECONOMIC, established_on: dt.date = SEPT_2006,
                 **kw: Any) -> Program:
    n = next(_seq)
    program = Program.objects.create(office=office, code=code or f"P{n:03d}",
                                     name=name or f"テストプログラム{n}", kind=kind,
                                     established_on=established_on, **kw)
    ProgramVersion.objects.create(program=program, number=1, snapshot={})
    return program


def outcome_type(program: Program, kind: str, *, achievement: bool = True) -> OutcomeType:
    found = OutcomeType.objects.filter(program=program, kind=kind,
                                       counts_as_achievement=achievement).first()
    return found or OutcomeType.objects.create(program=program, kind=kind,
                                               name=dict(OutcomeKind.choices)[kind],
                                               counts_as_achievement=achievement)


def enroll(person: Person, program: Program, actor: User, *, candidate_on: dt.date,
           started_on: dt.date | None = None, ended_on: dt.date | None = None,
           end_reason: str = "", moved_from: Enrollment | None = None) -> Enrollment:
    """An episode with its event history, as the life cycle would have written it."""
    if ended_on is not None:
        status = Enrollment.Status.ENDED
        end_reason = end_reason or Enrollment.EndReason.ACHIEVED
    else:
        status = Enrollment.Status.ACTIVE if started_on else Enrollment.Status.CANDIDATE
    enrollment = Enrollment.objects.create(
        office=program.office, person=person, program=program,
        program_version=program.versions.get(number=1), status=status, end_reason=end_reason,
        candidate_on=candidate_on, selected_on=started_on, started_on=started_on,
        ended_on=ended_on, moved_from=moved_from)
    events = [(candidate_on, "", "candidate", "propose")]
    if started_on:
        events += [(started_on, "candidate", "selected", "select"),
                   (started_on, "selected", "active", "start")]
    if ended_on:
        events.append((ended_on, "active" if started_on else "candidate", "ended", "end"))
    for day, before, after, action in events:
        EnrollmentEvent.objects.create(enrollment=enrollment, occurred_on=day, from_status=before,
                                       to_status=after, action=action, actor=actor)
    return enrollment


def outcome(enrollment: Enrollment, kind: str, on: dt.date, actor: User, *,
            achievement: bool = True, **kw: Any) -> Outcome:
    return Outcome.objects.create(enrollment=enrollment,
                                  outcome_type=outcome_type(enrollment.program, kind,
                                                            achievement=achievement),
                                  kind=kind, occurred_on=on, recorded_by=actor, **kw)


def ledger(program: Program, people: list[Person], as_of: dt.date, actor: User) -> ScreeningLedger:
    led = ScreeningLedger.objects.create(office=program.office, program=program,
                                         title=f"{program.name} 台帳", as_of=as_of,
                                         created_by=actor)
    for p in people:
        LedgerEntry.objects.create(ledger=led, person=p, reasons=["入院180日以上"])
    return led


def nominate(program: Program, person: Person, on: dt.date, actor: User) -> Nomination:
    return Nomination.objects.create(office=program.office, program=program, person=person,
                                     source=Nomination.Source.DOCTOR, nominated_by="主治医",
                                     nominated_on=on, recorded_by=actor)


def target(program: Program, *, metric: str, value: int, fy_from: int, fy_to: int | None = None,
           label: str = "目標", **kw: Any) -> ProgramTarget:
    return ProgramTarget.objects.create(program=program, label=label, metric=metric, value=value,
                                        fiscal_year_from=fy_from, fiscal_year_to=fy_to or fy_from,
                                        **kw)


def assess(person: Person, on: dt.date, *, usage: str = WorkCapacityAssessment.Usage.NOT_FULLY_USED,
           has_capacity: bool = True) -> WorkCapacityAssessment:
    return WorkCapacityAssessment.objects.create(
        person=person, assessed_on=on, has_capacity=has_capacity, has_will=True, has_place=True,
        usage=usage)


def household(office: Office, *, caseworker: User | None = None,
              household_type: str = HouseholdType.OTHER, **kw: Any) -> Household:
    n = next(_seq)
    defaults: dict[str, Any] = {"case_number": f"R{n:05d}", "assistance_started_on": D(2020, 4, 1)}
    defaults.update(kw)
    return Household.objects.create(office=office, caseworker=caseworker,
                                    household_type=household_type, **defaults)


def person(office: Office, hh: Household | None = None, *, name: str | None = None,
           **kw: Any) -> Person:
    n = next(_seq)
    hh = hh if hh is not None else household(office)
    defaults: dict[str, Any] = {"name": name or f"報告 太郎{n}", "kana": "ほうこく たろう",
                                "birth_date": D(1975, 6, 1), "sex": Person.Sex.MALE,
                                "member_number": n}
    defaults.update(kw)
    return Person.objects.create(office=office, household=hh, **defaults)
