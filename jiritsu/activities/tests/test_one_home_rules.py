"""Rules with one home (docs/architecture.md): 新規・未検討 and 退院後の確認 give the same
answer on the 支援活動 list, the home pages and the API, and the ages come from the
program's own selection rule. Each test failed on the code that computed them twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities import selectors
from jiritsu.activities import services as activity_services
from jiritsu.activities.tests.helpers import enrol, program_from
from jiritsu.cases.models import ActivityRecord, Enrollment, Outcome
from jiritsu.core import clock
from jiritsu.people.models import HospitalStay
from jiritsu.programs import services as program_services
from jiritsu.programs.models import OutcomeKind

pytestmark = pytest.mark.django_db


def _new_case(world, *, age: int):
    today = clock.today()
    hh = t.make_household(world.office, caseworker=world.caseworker,
                          assistance_started_on=today - dt.timedelta(days=10))
    return t.make_person(world.office, household=hh, member_number=1, name=f"新規 {age}歳",
                         birth_date=today.replace(year=today.year - age, day=1)
                         - dt.timedelta(days=40))


def _home(client, world, section: str) -> str:
    """One list of the caseworker's home page (``new-cases``, ``follow-ups``)."""
    client.force_login(world.caseworker)
    body = client.get(reverse("home")).content.decode()
    return body.split(f'id="{section}"')[1].split("</section>")[0]


def test_new_case_ages_come_from_the_programs_own_rule(world, client):
    """善通寺's program says 年齢を問わない: with its rule widened to every age, a
    70-year-old in a new case is to be considered — on the list and on the home page alike.
    (The list had 15–65 and the home page 15–64 written into the code.)"""
    manager = world.m(world.manager)
    program = program_from(manager, "zentsuji_employment")
    today = clock.today()
    older = _new_case(world, age=70)
    working = _new_case(world, age=40)

    listed = set(selectors.new_cases_not_considered(world.office, program, today=today))
    assert listed == {working}
    assert "新規 70歳" not in _home(client, world, "new-cases")

    program_services.program_set_rules(actor=manager, program=program, rules={
        "op": "and", "conditions": [{"field": "on_assistance", "op": "is", "value": True}]},
        expected_version=program.version)
    program.refresh_from_db()
    listed = set(selectors.new_cases_not_considered(world.office, program, today=today))
    assert listed == {working, older}
    new_cases = _home(client, world, "new-cases")
    assert "新規 70歳" in new_cases and "新規 40歳" in new_cases


def test_new_case_is_considered_per_program_on_every_page(world, client):
    """Being in another program (a daily-life one) does not mean someone considered the
    person for the employment program that asks for new cases: the home page used to drop
    anyone with any episode, the list kept them. Considering them for the program clears
    both."""
    manager = world.m(world.manager)
    program = program_from(manager, "zentsuji_employment")
    daily = program_from(manager, "fukui_health")
    person = _new_case(world, age=40)
    enrol(daily, person, status="candidate", started_on=clock.today() - dt.timedelta(days=5))
    today = clock.today()
    assert list(selectors.new_cases_not_considered(world.office, program, today=today)) == [person]
    assert "新規 40歳" in _home(client, world, "new-cases")

    activity_services.new_case_mark_considered(actor=world.m(world.caseworker), program=program,
                                      person=person, on=today, note="体調が戻ってから")
    assert not selectors.new_cases_not_considered(world.office, program, today=today).exists()
    assert "新規 40歳" not in _home(client, world, "new-cases")


def test_follow_up_after_discharge_is_the_programs_rule_on_home_and_list(world, client):
    """退院後の確認 is the seed's (五條: about a month after a discharge in the program) as
    docs/programs.md describes it: from the discharge outcome, done by any record from two
    weeks before the due date. The home page used its own rule (any hospital stay, a record
    from 7 days before) and kept listing a check the 支援活動 list showed as done."""
    program = program_from(world.m(world.manager), "gojo_discharge")
    today = clock.today()
    discharged = today - dt.timedelta(days=40)
    person = world.person
    e = enrol(program, person, started_on=today - dt.timedelta(days=200))
    HospitalStay.objects.create(person=person, hospital_name="こころ病院", psychiatric=True,
                                admitted_on=today - dt.timedelta(days=400),
                                discharged_on=discharged)
    Outcome.objects.create(enrollment=e, outcome_type=program.outcome_types.get(kind="discharge"),
                           kind=OutcomeKind.DISCHARGE, occurred_on=discharged,
                           recorded_by=world.caseworker)
    # Another person discharged from hospital outside any program: no check is due.
    other = t.make_person(world.office, household=world.household, name="入院 のみ")
    HospitalStay.objects.create(person=other, hospital_name="中央病院",
                                admitted_on=today - dt.timedelta(days=60),
                                discharged_on=discharged)

    [f] = selectors.discharge_follow_ups(world.office, today=today)
    assert f.enrollment == e and f.done_on is None and f.overdue
    home = _home(client, world, "follow-ups")
    assert person.name in home and "入院 のみ" not in home and program.name in home

    # A visit ten days before the due date is the check, on both pages.
    visit = dt.datetime.combine(f.due_on - dt.timedelta(days=10), dt.time(10),
                                tzinfo=clock.JAPAN)
    ActivityRecord.objects.create(office=world.office, person=person, kind="home_visit",
                                  occurred_at=visit, text="生活状況を確認", author=world.caseworker)
    [f] = selectors.discharge_follow_ups(world.office, today=today)
    assert f.done_on == clock.japan_date(visit) and not f.overdue
    home = _home(client, world, "follow-ups")
    assert person.name not in home
    assert Enrollment.objects.get(pk=e.pk).status == "active"
