"""A world with case files to keep and to delete: a household closed in FY2019 (due with five
years at 2026-06-01), one closed in FY2022 (kept), and the other office's closed in FY2019."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from jiritsu import testing as t
from jiritsu.cases import services as cs
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.testing import make_consent
from jiritsu.documents import services as documents
from jiritsu.documents.access import Target
from jiritsu.documents.models import Attachment
from jiritsu.documents.testing import pdf_bytes
from jiritsu.people.models import Household, Illness, Person
from jiritsu.programs.testing import make_program
from jiritsu.reports import services as reports
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.periods import Period

D = dt.date


@dataclass
class CaseFile:
    household: Household
    people: list[Person]
    enrollment: Enrollment
    record: ActivityRecord
    attachment: Attachment


@dataclass
class Files:
    due: CaseFile
    kept: CaseFile
    other_office: CaseFile
    frozen: FrozenReport


def build_file(world: Any, office: Any, caseworker: Any, case_number: str, ended_on: dt.date,
               name: str) -> CaseFile:
    actor = t.membership_of(caseworker, office)
    hh = t.make_household(office, caseworker=caseworker, case_number=case_number,
                          assistance_started_on=D(2015, 4, 1))
    head = t.make_person(office, household=hh, name=name, kana="さくじょ たいしょう",
                         member_number=1)
    child = t.make_person(office, household=hh, name=f"{name}の子", kana="さくじょ こ",
                          member_number=2, birth_date=D(2010, 5, 1))
    Illness.objects.create(person=head, name="高血圧")
    program = make_program(office, consent_required=False)
    make_consent(head, program, recorded_by=caseworker, given_on=D(2018, 4, 1))
    episode = cs.enrollment_create(actor=actor, person=head, program=program, on=D(2018, 4, 1))
    cs.enrollment_start(actor=actor, enrollment=episode, on=D(2018, 4, 2))
    record = cs.record_create(actor=actor, person=head, enrollment=episode, values={
        "occurred_at": D(2018, 5, 1), "kind": ActivityRecord.Kind.HOME_VISIT,
        "text": f"{name}さん宅を訪問。"})
    cs.enrollment_end(actor=actor, enrollment=episode, reason="not_needed",
                      on=min(ended_on, D(2019, 3, 1)))
    attachment = documents.attachment_add(
        actor=actor, person=head, target=Target("record", record), data=pdf_bytes(),
        original_name="意見書.pdf", document_type="doctor_opinion", document_date=D(2018, 5, 1))
    Household.objects.filter(pk=hh.pk).update(assistance_ended_on=ended_on, end_reason="other")
    hh.refresh_from_db()
    episode.refresh_from_db()
    return CaseFile(hh, [head, child], episode, record, attachment)


def build_files(world: Any, due_on: dt.date, kept_on: dt.date) -> Files:
    due = build_file(world, world.office, world.caseworker, "200001", due_on, "削除 対象")
    kept = build_file(world, world.office, world.caseworker, "200002", kept_on, "保存 継続")
    other = build_file(world, world.other_office, world.outsider, "200001", due_on, "他市 住民")
    frozen = reports.report_freeze(actor=world.m(world.manager),
                                   period=Period.for_fiscal_year(2018), note="提出")
    return Files(due, kept, other, frozen)


@pytest.fixture
def files(japan_time: Any, world: Any) -> Files:
    japan_time("2026-06-01 10:00")
    return build_files(world, D(2019, 6, 30), D(2022, 6, 30))
