"""Two records of one person in the shared ``world`` office, for the merge tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiritsu import testing as t
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.testing import make_consent
from jiritsu.core import clock
from jiritsu.people.models import Illness, Person
from jiritsu.programs.models import LedgerEntry, Program, ScreeningLedger


def duplicate_of(world: Any, **kw: Any) -> Person:
    """The world's 髙橋 𠮷子 registered again (a new case after 廃止 and re-application),
    spelled with everyday kanji and katakana."""
    hh = t.make_household(world.office, caseworker=world.caseworker, case_number="200002",
                          address="みなと市本町１丁目２番３号")
    world.household.address = "みなと市本町1-2-3"
    world.household.save(update_fields=["address"])
    defaults: dict[str, Any] = {"name": "高橋　吉子", "kana": "ﾀｶﾊｼ ﾖｼｺ",
                                "birth_date": world.person.birth_date,
                                "sex": Person.Sex.FEMALE, "member_number": 1}
    defaults.update(kw)
    return t.make_person(world.office, household=hh, **defaults)


def enroll(person: Person, program: Program, *, status: str = Enrollment.Status.CANDIDATE,
           **kw: Any) -> Enrollment:
    extra: dict[str, Any] = {}
    if status == Enrollment.Status.ENDED:
        extra = {"ended_on": dt.date(2025, 9, 30), "end_reason": Enrollment.EndReason.values[0]}
    version = program.versions.order_by("number").first()
    assert version is not None
    return Enrollment.objects.create(
        office=person.office, person=person, program=program,
        program_version=version, status=status,
        candidate_on=dt.date(2025, 4, 1), **extra, **kw)


def fill(world: Any, person: Person, program: Program, ledger: ScreeningLedger) -> dict[str, Any]:
    """Records of several kinds for ``person``."""
    illness = Illness.objects.create(person=person, name="腰痛")
    consent = make_consent(person, program, recorded_by=world.caseworker)
    episode = enroll(person, program, status=Enrollment.Status.ENDED)
    record = ActivityRecord.objects.create(
        office=person.office, person=person, enrollment=episode, author=world.caseworker,
        occurred_at=clock.now() - dt.timedelta(days=3), kind="office_interview", text="面接")
    entry = LedgerEntry.objects.create(ledger=ledger, person=person, reasons=["年齢"])
    return {"illness": illness, "consent": consent, "episode": episode, "record": record,
            "entry": entry}
