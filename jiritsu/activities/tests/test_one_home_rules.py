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
from jiritsu.cases import services as case_services
from jiritsu.cases.models import Enrollment, Outcome
from jiritsu.core import clock
from jiritsu.core.errors import ValidationFailed
from jiritsu.people.models import HospitalStay, WorkCapacityAssessment
from jiritsu.programs import services as program_services
from jiritsu.programs.models import OutcomeKind

pytestmark = pytest.mark.django_db


def _new_case(world, *, age: int, will: bool | None = True, name: str = ""):
    """A person in a case started ten days ago; ``will``: what the latest 稼働能力評価 says
    of the will to work (None: not assessed yet)."""
    today = clock.today()
    hh = t.make_household(world.office, caseworker=world.caseworker,
                          assistance_started_on=today - dt.timedelta(days=10))
    person = t.make_person(world.office, household=hh, member_number=1,
                           name=name or f"新規 {age}歳",
                           birth_date=today.replace(year=today.year - age, day=1)
                           - dt.timedelta(days=40))
    if will is not None:
        WorkCapacityAssessment.objects.create(
            person=person, assessed_on=today - dt.timedelta(days=5), has_capacity=True,
            has_will=will, has_place=False, usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED)
    return person


def _home(client, world, section: str) -> str:
    """One list of the caseworker's home page (``new-cases``, ``follow-ups``)."""
    client.force_login(world.caseworker)
    body = client.get(reverse("home")).content.decode()
    return body.split(f'id="{section}"')[1].split("</section>")[0]


def test_new_case_ages_come_from_the_programs_own_rule(world, client):
    """善通寺's program says 「就労意欲を有する者であれば、年齢は問わない」: as shipped, a
    70-year-old in a new case who wants to work is to be considered, and nobody is left out
    for their age — on the list, on the home page and on the 台帳 alike. People without the
    will to work (or not assessed yet) are not listed. An office that adds an age limit to
    the program's rule gets that limit everywhere. (The template had 15–64 in its rule.)"""
    manager = world.m(world.manager)
    program = program_from(manager, "zentsuji_employment")
    today = clock.today()
    older = _new_case(world, age=70)
    working = _new_case(world, age=40)
    _new_case(world, age=45, will=False, name="意欲 なし")
    _new_case(world, age=30, will=None, name="評価 まだ")

    listed = set(selectors.new_cases_not_considered(world.office, program, today=today))
    assert listed == {working, older}
    new_cases = _home(client, world, "new-cases")
    assert "新規 70歳" in new_cases and "新規 40歳" in new_cases
    assert "意欲 なし" not in new_cases and "評価 まだ" not in new_cases

    rules = {**program.rules, "conditions": [*program.rules["conditions"],
                                             {"field": "age", "op": "between", "value": [15, 64]}]}
    program_services.program_set_rules(actor=manager, program=program, rules=rules,
                                       expected_version=program.version)
    program.refresh_from_db()
    listed = set(selectors.new_cases_not_considered(world.office, program, today=today))
    assert listed == {working}
    assert "新規 70歳" not in _home(client, world, "new-cases")
    rules["conditions"].pop()
    program_services.program_set_rules(actor=manager, program=program, rules=rules,
                                       expected_version=program.version)
    program.refresh_from_db()
    # The 台帳 is drawn up by the same rule (putting people on it is considering them).
    ledger = case_services.ledger_save(actor=manager, program=program, as_of=today)
    assert {e.person for e in ledger.entries.all()} >= {working, older}
    assert not {e.person.name for e in ledger.entries.all()} & {"意欲 なし", "評価 まだ"}
    assert not selectors.new_cases_not_considered(world.office, program, today=today).exists()


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


def test_new_case_ids_of_a_caseload_are_the_rules_over_every_program(world):
    """The caseworker home asks which of its caseload's people are 新規・未検討 for any
    program (:func:`selectors.new_case_ids`, one UNION): the same people as the rule over each
    program, none of those outside the list asked about, and none without such a program."""
    from jiritsu.people.models import Person

    manager = world.m(world.manager)
    today = clock.today()
    assert selectors.new_case_ids(world.office, [world.person.pk], today=today) == set()
    broad = program_from(manager, "zentsuji_employment")
    narrow = program_from(manager, "zentsuji_employment", code="ZEN-AGE", name="若年就労")
    rules = {**narrow.rules, "conditions": [*narrow.rules["conditions"],
                                            {"field": "age", "op": "between", "value": [15, 64]}]}
    program_services.program_set_rules(actor=manager, program=narrow, rules=rules,
                                       expected_version=narrow.version)
    narrow.refresh_from_db()
    older, working = _new_case(world, age=70), _new_case(world, age=40)
    outside = _new_case(world, age=41, name="別の担当")
    unwilling = _new_case(world, age=45, will=False, name="意欲 なし")
    activity_services.new_case_mark_considered(actor=world.m(world.caseworker), program=broad,
                                               person=working, on=today, note="検討済み")
    asked = [older.pk, working.pk, unwilling.pk, world.person.pk]
    expected = {p.pk for program in (broad, narrow)
                for p in selectors.new_cases_not_considered(world.office, program, today=today)
                if p.pk in asked}
    assert expected == {older.pk, working.pk}  # working: still new for the narrow program
    assert selectors.new_case_ids(world.office, asked, today=today) == expected
    assert set(Person.objects.filter(selectors.new_cases_any_program(world.office, today=today),
                                     pk__in=asked).values_list("pk", flat=True)) == expected
    assert outside.pk not in selectors.new_case_ids(world.office, asked, today=today)
    assert selectors.new_case_ids(world.office, [], today=today) == set()


def _discharged(world, program, person, *, days_ago: int, hospital: str = "こころ病院"):
    today = clock.today()
    discharged = today - dt.timedelta(days=days_ago)
    e = enrol(program, person, started_on=today - dt.timedelta(days=200))
    HospitalStay.objects.create(person=person, hospital_name=hospital, psychiatric=True,
                                admitted_on=today - dt.timedelta(days=400),
                                discharged_on=discharged)
    Outcome.objects.create(enrollment=e, outcome_type=program.outcome_types.get(kind="discharge"),
                           kind=OutcomeKind.DISCHARGE, occurred_on=discharged,
                           recorded_by=world.caseworker)
    return e


def _write(world, person, day, kind, life_check="", text="生活状況を確認"):
    """A record through the service the screens and the API use."""
    return case_services.record_create(
        actor=world.m(world.caseworker), person=person,
        values={"occurred_at": dt.datetime.combine(day, dt.time(10), tzinfo=clock.JAPAN),
                "kind": kind, "text": text, "life_check": life_check})


def test_follow_up_after_discharge_is_the_programs_rule_on_home_and_list(world, client):
    """退院後の確認 is the seed's (五條: 退院後1か月を目処に生活状況を確認し…): from the
    discharge outcome, due a month later, and only a visit or an interview that says the
    person's life is settled closes it — a phone call, a record without the check, or one
    before the check window leave it open. The home page and the 支援活動 list agree."""
    program = program_from(world.m(world.manager), "gojo_discharge")
    today = clock.today()
    person = world.person
    e = _discharged(world, program, person, days_ago=40)
    # Another person discharged from hospital outside any program: no check is due.
    other = t.make_person(world.office, household=world.household, name="入院 のみ")
    HospitalStay.objects.create(person=other, hospital_name="中央病院",
                                admitted_on=today - dt.timedelta(days=60),
                                discharged_on=today - dt.timedelta(days=40))

    [f] = selectors.discharge_follow_ups(world.office, today=today)
    assert f.enrollment == e and f.done_on is None and f.overdue and f.state == "overdue"
    home = _home(client, world, "follow-ups")
    assert person.name in home and "入院 のみ" not in home and program.name in home

    # Records that are not the check: one before the window, a visit that says nothing of
    # the person's life, a phone call.
    _write(world, person, f.due_on - dt.timedelta(days=20), "home_visit", "settled")
    _write(world, person, f.due_on - dt.timedelta(days=5), "home_visit")
    _write(world, person, f.due_on - dt.timedelta(days=4), "phone", text="電話で様子を聞いた")
    [f] = selectors.discharge_follow_ups(world.office, today=today)
    assert f.done_on is None and f.checked_on is None and f.overdue
    # A phone call cannot say the life is settled: the service refuses it.
    with pytest.raises(ValidationFailed) as err:
        _write(world, person, f.due_on - dt.timedelta(days=3), "phone", "settled")
    assert err.value.code == "life_check_needs_visit" and err.value.field == "life_check"

    # A visit ten days before the due date that finds the life settled is the check.
    day = f.due_on - dt.timedelta(days=10)
    _write(world, person, day, "home_visit", "settled")
    [f] = selectors.discharge_follow_ups(world.office, today=today)
    assert (f.done_on, f.settled, f.overdue, f.state) == (day, True, False, "settled")
    home = _home(client, world, "follow-ups")
    assert person.name not in home
    assert Enrollment.objects.get(pk=e.pk).status == "active"


def test_follow_ups_asked_of_ids_of_a_queryset_of_a_caseworker_are_the_same(world):
    """The three ways of asking (a caseload's ids on the caseworker home, a queryset of
    people on the team home, one caseworker's households on the 支援活動 list and the work
    list) give the same follow-ups, each in its statements: a person discharged twice (the
    first check done, the second open), a check written in the window that opens before
    the due date, an unsettled check and the consultation after it, a discharge in a
    program without follow-ups, a hospital stay outside any program, someone else's
    caseload and another office."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiritsu.people.models import Person

    program = program_from(world.m(world.manager), "gojo_discharge")
    other_program = program_from(world.m(world.manager), "gojo_discharge", code="GOJO-B",
                                 name="退院支援（確認なし）")
    other_program.post_discharge_review_months = None
    other_program.save(update_fields=["post_discharge_review_months"])
    today = clock.today()

    def person(name):
        return t.make_person(world.office, household=world.household, name=name)

    twice = person("二度 退院")
    e = _discharged(world, program, twice, days_ago=100, hospital="一度目病院")
    [first] = selectors.discharge_follow_ups(world.office, today=today)
    _write(world, twice, first.due_on - dt.timedelta(days=3), "home_visit", "settled")
    second = today - dt.timedelta(days=20)
    HospitalStay.objects.create(person=twice, hospital_name="二度目病院", psychiatric=True,
                                admitted_on=second - dt.timedelta(days=50), discharged_on=second)
    Outcome.objects.create(enrollment=e, outcome_type=program.outcome_types.get(kind="discharge"),
                           kind=OutcomeKind.DISCHARGE, occurred_on=second,
                           recorded_by=world.caseworker)
    early = person("早め 確認")
    _discharged(world, program, early, days_ago=40)
    [f] = [f for f in selectors.discharge_follow_ups(world.office, today=today)
           if f.person == early]
    _write(world, early, f.due_on - dt.timedelta(days=selectors.FOLLOW_UP_EARLY_DAYS),
           "home_visit", "settled")
    unsettled = person("要 協議")
    _discharged(world, program, unsettled, days_ago=36, hospital="やすらぎ病院")
    [f] = [f for f in selectors.discharge_follow_ups(world.office, today=today)
           if f.person == unsettled]
    _write(world, unsettled, f.due_on - dt.timedelta(days=2), "office_interview", "unsettled")
    _write(world, unsettled, f.due_on - dt.timedelta(days=1), "agency_contact",
           "doctor_consulted")
    elsewhere = person("他プログラム")
    _discharged(world, other_program, elsewhere, days_ago=40)
    stay_only, nobody = person("入院 のみ"), person("退院 なし")
    HospitalStay.objects.create(person=stay_only, hospital_name="中央病院",
                                admitted_on=today - dt.timedelta(days=60),
                                discharged_on=today - dt.timedelta(days=40))
    asked = [p.pk for p in (twice, early, unsettled, elsewhere, stay_only, nobody, world.person)]
    theirs = t.make_person(world.office, household=t.make_household(
        world.office, caseworker=world.caseworker2), name="他担当 退院")
    _discharged(world, program, theirs, days_ago=40)
    outside = t.make_person(world.office, name="世帯なし 退院")
    _discharged(world, program, outside, days_ago=40)
    manager_b = t.make_user(world.other_office, "manager")
    other = program_from(world.m(manager_b, world.other_office), "gojo_discharge")
    _discharged(world, other, world.other_person, days_ago=40)

    def seen(follow_ups):
        return [(f.enrollment.pk, f.person.name, f.discharged_on, f.due_on, f.done_on,
                 f.overdue, f.checked_on, f.settled, f.consulted_on, f.hospital_name, f.state)
                for f in follow_ups]

    rule = seen(selectors.discharge_follow_ups(
        world.office, today=today, people=Person.objects.filter(pk__in=asked)))
    assert [(r[1], r[-1]) for r in rule] == [
        ("二度 退院", "open"), ("二度 退院", "settled"), ("早め 確認", "settled"),
        ("要 協議", "consulted")]
    assert rule[0][-2] == "二度目病院" and rule[1][-2] == "一度目病院"
    with CaptureQueriesContext(connection) as queries:
        assert seen(selectors.discharge_follow_ups(world.office, today=today,
                                                   people=asked)) == rule
    assert len(queries) == 3  # the outcomes, the records, the stays
    mine = seen(selectors.discharge_follow_ups(world.office, today=today,
                                               caseworker=world.caseworker))
    assert mine == rule
    everyone = seen(selectors.discharge_follow_ups(world.office, today=today))
    assert [r[1] for r in everyone] == ["他担当 退院", "世帯なし 退院", "二度 退院", "二度 退院",
                                        "早め 確認", "要 協議"]
    for day in (today - dt.timedelta(days=30), today + dt.timedelta(days=30)):
        assert seen(selectors.discharge_follow_ups(world.office, today=day, people=asked)) == \
            seen(selectors.discharge_follow_ups(world.office, today=day,
                                                people=Person.objects.filter(pk__in=asked)))
    with CaptureQueriesContext(connection) as queries:
        assert selectors.discharge_follow_ups(
            world.office, today=today, people=[stay_only.pk, nobody.pk, world.person.pk]) == []
    assert len(queries) == 1


def test_an_unsettled_check_opens_the_consultation_with_the_doctor(world, client):
    """「不穏状態等の症状が見られるときは、退院前の主治医と今後の治療について協議」: an
    interview that finds the person unsettled does not close the check; it opens the next
    step — consult the doctor of the hospital the person left — which the home page and the
    task list show until a record says the doctor was consulted. A consultation written
    before the unsettled interview does not count."""
    program = program_from(world.m(world.manager), "gojo_discharge")
    today = clock.today()
    person = world.person
    _discharged(world, program, person, days_ago=35, hospital="やすらぎ病院")
    [f] = selectors.discharge_follow_ups(world.office, today=today)
    _write(world, person, f.due_on - dt.timedelta(days=12), "agency_contact", "doctor_consulted")
    interview = f.due_on - dt.timedelta(days=2)
    _write(world, person, interview, "office_interview", "unsettled", text="不眠と不安の訴え")

    [f] = selectors.discharge_follow_ups(world.office, today=today)
    assert (f.checked_on, f.settled, f.done_on, f.state) == (interview, False, None, "consult")
    assert f.needs_consultation and "やすらぎ病院" in f.step_label
    home = _home(client, world, "follow-ups")
    assert "退院前の主治医（やすらぎ病院）と今後の治療を協議" in home
    client.force_login(world.caseworker)
    tasks = client.get(reverse("activities:tasks")).content.decode()
    assert "退院前の主治医と協議が必要" in tasks

    consulted = interview + dt.timedelta(days=1)
    _write(world, person, consulted, "agency_contact", "doctor_consulted",
           text="主治医と協議。通院を週1回に増やす。")
    [f] = selectors.discharge_follow_ups(world.office, today=today)
    assert (f.done_on, f.consulted_on, f.state) == (consulted, consulted, "consulted")
    assert person.name not in _home(client, world, "follow-ups")


def test_new_case_household_in_hand_is_the_rules_household_filter(world):
    """The caseworker home asks :func:`selectors.new_case_ids` only about people whose
    household passes :func:`selectors.is_new_case_household`: the same households as the
    rule's own filter, at each edge of the window (a day inside, a day outside, ended)."""
    from jiritsu.people.models import Household

    today = clock.today()
    days = (-1, 0, 1, 10, selectors.NEW_CASE_DAYS - 1, selectors.NEW_CASE_DAYS,
            selectors.NEW_CASE_DAYS + 1, 400)
    made = [t.make_household(world.office, caseworker=world.caseworker,
                             assistance_started_on=today - dt.timedelta(days=d)) for d in days]
    made.append(t.make_household(world.office, caseworker=world.caseworker,
                                 assistance_started_on=today - dt.timedelta(days=5),
                                 assistance_ended_on=today))
    made.append(t.make_household(world.office, caseworker=world.caseworker,
                                 assistance_started_on=None))
    ids = [h.pk for h in made]
    by_filter = set(Household.objects.filter(selectors.new_case_households(today, prefix=""),
                                             pk__in=ids).values_list("pk", flat=True))
    in_hand = {h.pk for h in Household.objects.filter(pk__in=ids)
               if selectors.is_new_case_household(h, today)}
    assert in_hand == by_filter
    assert len(by_filter) == 5  # today, a day and ten days ago, the window's last two days
    assert not selectors.is_new_case_household(None, today)
