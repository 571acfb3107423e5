"""訪問計画: the next visit from the grade and from events, planning by date, recording the
visit as its 経過記録, overdue households (with no record too) and the supervisor's view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiritsu import testing as t
from jiritsu.cases.models import ActivityRecord
from jiritsu.casework import visits
from jiritsu.casework.models import GradeInterval, PlannedVisit
from jiritsu.core import clock
from jiritsu.people.models import HospitalStay, Person, VisitGrade

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _visit(world, day: dt.date, person=None):
    return ActivityRecord.objects.create(
        office=world.office, person=person or world.person, kind="home_visit", text="訪問",
        occurred_at=dt.datetime.combine(day, dt.time(10), tzinfo=clock.JAPAN),
        author=world.caseworker)


def _due(world, today):
    hh = visits.caseload_households(world.office, world.caseworker.pk)
    return visits.visits_due(world.office, hh, today=today)[world.household.pk]


def test_a_household_never_visited_is_overdue_from_the_start_of_assistance(world):
    d = _due(world, dt.date(2026, 12, 4))
    assert d.never_visited and d.overdue and d.reason == "never"
    assert d.due_on == world.household.assistance_started_on


def test_the_grade_sets_the_interval_and_the_office_may_change_it(world):
    grade = VisitGrade.objects.create(office=world.office, code="B", name="2か月", visits_per_year=6)
    world.household.visit_grade = grade
    world.household.save()
    _visit(world, dt.date(2026, 10, 1))
    d = _due(world, dt.date(2026, 12, 4))
    assert (d.due_on, d.reason, d.overdue) == (dt.date(2026, 12, 1), "grade", True)
    GradeInterval.objects.create(office=world.office, grade=grade, interval_months=3)
    d = _due(world, dt.date(2026, 12, 4))
    assert (d.due_on, d.overdue) == (dt.date(2027, 1, 1), False)


def test_a_discharge_after_the_last_visit_asks_for_a_visit_within_the_office_days(world):
    grade = VisitGrade.objects.create(office=world.office, code="C", name="半年", visits_per_year=2)
    world.household.visit_grade = grade
    world.household.save()
    _visit(world, dt.date(2026, 9, 1))
    HospitalStay.objects.create(person=world.person, admitted_on=dt.date(2026, 10, 1),
                                discharged_on=dt.date(2026, 11, 25), hospital_name="市民病院")
    d = _due(world, dt.date(2026, 12, 4))
    assert (d.due_on, d.reason) == (dt.date(2026, 12, 9), "discharge")


def test_the_home_flags_overdue_households_including_those_never_visited(world):
    with t.at_japan_time("2026-12-04 09:00"):
        html = _client(world.caseworker).get("/").content.decode()
    assert "訪問予定超過（1）" in html  # the one household, never visited


def test_a_caseworker_plans_a_week_of_visits_and_records_them(world):
    c = _client(world.caseworker)
    others = []
    for _ in range(4):
        hh = t.make_household(world.office, caseworker=world.caseworker)
        t.make_person(world.office, household=hh, relationship="head")
        others.append(hh)
    today = clock.today()
    for i, hh in enumerate([world.household, *others]):
        r = c.post("/day/visits/plan/", {"household": hh.pk,
                                         "planned_on": (today + dt.timedelta(days=i)).isoformat()})
        assert r.status_code == 302
    assert PlannedVisit.objects.filter(caseworker=world.caseworker).count() == 5
    week = c.get("/day/visits/", {"view": "week", "d": today.isoformat()})
    month = c.get("/day/visits/", {"view": "month", "d": today.isoformat()})
    assert week.status_code == month.status_code == 200
    assert world.household.case_number in week.content.decode()
    visit = PlannedVisit.objects.get(household=world.household)
    page = c.get(f"/day/visits/{visit.pk}/record/")
    assert page.status_code == 200
    r = c.post(f"/day/visits/{visit.pk}/record/", {
        "version": visit.version, "occurred_on": today.isoformat(), "occurred_time": "10:30",
        "text": "居宅を訪問。体調は安定。", "duration_minutes": 30})
    assert r.status_code == 302, r.content.decode()
    visit.refresh_from_db()
    rec = visit.record
    assert rec is not None and rec.kind == "home_visit" and rec.person_id == world.person.pk
    assert rec.author_id == world.caseworker.pk
    assert not _due(world, today).overdue
    # Recording twice is refused; the plan is closed.
    again = c.post(f"/day/visits/{visit.pk}/record/", {
        "version": visit.version, "occurred_on": today.isoformat(), "text": "二度目"})
    assert ActivityRecord.objects.filter(person=world.person).count() == 1
    assert again.status_code == 200


def test_planning_a_past_day_is_refused_beside_nothing_and_writes_nothing(world):
    c = _client(world.caseworker)
    r = c.post("/day/visits/plan/", {"household": world.household.pk,
                                     "planned_on": "2001-01-01"}, follow=True)
    assert "訪問予定日は今日以降の日付を入力してください。" in r.content.decode()
    assert not PlannedVisit.objects.exists()


def test_a_future_visit_cannot_be_recorded_before_it_happens(world):
    c = _client(world.caseworker)
    tomorrow = clock.today() + dt.timedelta(days=1)
    c.post("/day/visits/plan/", {"household": world.household.pk,
                                 "planned_on": tomorrow.isoformat()})
    visit = PlannedVisit.objects.get()
    r = c.post(f"/day/visits/{visit.pk}/record/", {
        "version": visit.version, "occurred_on": tomorrow.isoformat(), "text": "先の記録"})
    assert r.status_code == 200 and 'class="error"' in r.content.decode()
    assert not ActivityRecord.objects.exists()


def test_another_offices_household_and_visit_are_not_found(world):
    c = _client(world.outsider)
    r = c.post("/day/visits/plan/", {"household": world.household.pk,
                                     "planned_on": clock.today().isoformat()})
    assert r.status_code == 404
    mine = PlannedVisit.objects.create(office=world.office, household=world.household,
                                       planned_on=clock.today(), caseworker=world.caseworker,
                                       created_by=world.caseworker)
    assert c.get(f"/day/visits/{mine.pk}/record/").status_code == 404


def test_the_supervisor_sees_each_caseworkers_plan_against_the_grades(world):
    grade = VisitGrade.objects.create(office=world.office, code="A", name="毎月", visits_per_year=12)
    world.household.visit_grade = grade
    world.household.save()
    PlannedVisit.objects.create(office=world.office, household=world.household,
                                planned_on=clock.today(), caseworker=world.caseworker,
                                created_by=world.caseworker)
    r = _client(world.supervisor).get("/day/visits/team/")
    html = r.content.decode()
    assert r.status_code == 200 and "格付A" in html and str(world.caseworker) in html
    cw_page = _client(world.supervisor).get("/day/visits/", {"cw": world.caseworker.pk})
    assert cw_page.status_code == 200 and world.household.case_number in cw_page.content.decode()


# --- the rule at its edges, read by the statements every caller goes through ---------------


def _grade(world, code: str, per_year: int) -> VisitGrade:
    return VisitGrade.objects.create(office=world.office, code=code, name=code,
                                     visits_per_year=per_year)


def test_a_visit_on_the_intervals_last_day_is_not_overdue_until_the_day_after(world):
    world.household.visit_grade = _grade(world, "B", 6)  # every two months
    world.household.save()
    _visit(world, dt.date(2026, 10, 1))
    on_time = _due(world, dt.date(2026, 12, 1))
    assert (on_time.due_on, on_time.reason, on_time.overdue) == (dt.date(2026, 12, 1), "grade",
                                                                 False)
    assert _due(world, dt.date(2026, 12, 2)).overdue


def test_month_ends_and_the_japan_date_of_the_last_visit(world):
    """The interval from the last visit's date in Japan (a visit at 00:30 on 31 January is
    the 30th in UTC), to the last day of a shorter month."""
    world.household.visit_grade = _grade(world, "A", 12)
    world.household.save()
    ActivityRecord.objects.create(
        office=world.office, person=world.person, kind="home_visit", text="訪問",
        occurred_at=dt.datetime(2027, 1, 31, 0, 30, tzinfo=clock.JAPAN), author=world.caseworker)
    d = _due(world, dt.date(2027, 3, 1))
    assert (d.last_visit, d.due_on, d.overdue) == (dt.date(2027, 1, 31), dt.date(2027, 2, 28), True)
    GradeInterval.objects.create(office=world.office, grade=world.household.visit_grade,
                                 interval_months=1)
    _visit(world, dt.date(2027, 12, 31))  # the latest visit counts, whoever of the household
    assert _due(world, dt.date(2028, 1, 1)).due_on == dt.date(2028, 1, 31)


def test_a_visited_household_without_a_grade_or_event_is_not_due(world):
    _visit(world, dt.date(2026, 1, 5))
    d = _due(world, dt.date(2026, 12, 4))
    assert (d.due_on, d.reason, d.overdue, d.never_visited) == (None, "", False, False)


def test_events_of_each_kind_after_the_last_visit_and_the_office_days(world):
    """A program start, a discharge and an outcome of any member after the last visit ask for
    a visit within the office's days; the earliest wins; one on the day of the visit or
    before it does not count."""
    from jiritsu.activities.tests.helpers import enrol
    from jiritsu.cases.models import Outcome
    from jiritsu.casework.models import CaseworkSettings
    from jiritsu.programs.models import OutcomeKind
    from jiritsu.programs.testing import make_program

    world.household.visit_grade = _grade(world, "C", 2)
    world.household.save()
    member = t.make_person(world.office, household=world.household)
    _visit(world, dt.date(2026, 9, 1), person=member)
    program = make_program(world.office)
    HospitalStay.objects.create(person=world.person, admitted_on=dt.date(2026, 8, 1),
                                discharged_on=dt.date(2026, 9, 1), hospital_name="市民病院")
    enrol(program, member, started_on=dt.date(2026, 11, 20))
    early = enrol(program, world.person, started_on=dt.date(2026, 6, 1))
    Outcome.objects.create(enrollment=early, kind=OutcomeKind.EMPLOYMENT_START,
                           outcome_type=program.outcome_types.get(kind=OutcomeKind.EMPLOYMENT_START),
                           occurred_on=dt.date(2026, 11, 10), recorded_by=world.caseworker)
    d = _due(world, dt.date(2026, 11, 21))
    assert (d.due_on, d.reason, d.overdue) == (dt.date(2026, 11, 24), "outcome", False)
    CaseworkSettings.objects.create(office=world.office, event_visit_days=7)
    d = _due(world, dt.date(2026, 11, 21))
    assert (d.due_on, d.reason, d.overdue) == (dt.date(2026, 11, 17), "outcome", True)
    HospitalStay.objects.create(person=member, admitted_on=dt.date(2026, 10, 1),
                                discharged_on=dt.date(2026, 11, 2), hospital_name="市民病院")
    assert (_due(world, dt.date(2026, 11, 21)).reason) == "discharge"
    _visit(world, dt.date(2026, 11, 20))  # the start is on the day of the visit: no event
    d = _due(world, dt.date(2026, 11, 21))
    assert (d.due_on, d.reason) == (dt.date(2027, 5, 20), "grade")


def test_a_planned_visit_shows_the_earliest_open_plan_and_does_not_move_the_due_date(world):
    def plan(day: dt.date, **kw) -> PlannedVisit:
        return PlannedVisit.objects.create(office=world.office, household=world.household,
                                           planned_on=day, caseworker=world.caseworker,
                                           created_by=world.caseworker, **kw)

    plan(dt.date(2026, 12, 20))
    plan(dt.date(2026, 12, 8), cancelled_on=dt.date(2026, 12, 1))
    first = plan(dt.date(2026, 12, 10))
    plan(dt.date(2026, 12, 10))
    d = _due(world, dt.date(2026, 12, 4))
    assert (d.planned_on, d.planned_id) == (dt.date(2026, 12, 10), first.pk)
    assert (d.due_on, d.reason, d.overdue) == (world.household.assistance_started_on, "never", True)


def test_the_rule_reads_a_caseload_in_a_fixed_number_of_statements(world):
    """The households' people, their last visits, their events, the office's settings (only
    when there are events) and the planned visits: five statements for one household or
    many; four when the caller has the people (the caseload's members)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    added = []
    for _ in range(3):
        hh = t.make_household(world.office, caseworker=world.caseworker)
        added.append(hh.pk)
        p = t.make_person(world.office, household=hh)
        _visit(world, dt.date(2026, 6, 1), person=p)
        HospitalStay.objects.create(person=p, admitted_on=dt.date(2026, 7, 1),
                                    discharged_on=dt.date(2026, 8, 1), hospital_name="病院")
    households = visits.caseload_households(world.office, world.caseworker.pk)
    with CaptureQueriesContext(connection) as queries:
        dues = visits.visits_due(world.office, households, today=dt.date(2026, 12, 4))
    assert len(queries) == 5
    people = visits.household_people(world.office, [h.pk for h in households])
    assert set(people) == {p.pk for p in Person.objects.filter(household__in=households)}
    with CaptureQueriesContext(connection) as queries:
        again = visits.visits_due(world.office, households, today=dt.date(2026, 12, 4),
                                  people=people)
    assert len(queries) == 4 and again == dues
    assert [dues[pk].reason for pk in added] == ["discharge"] * 3
    assert dues[world.household.pk].reason == "never"


def test_another_offices_records_and_events_are_not_read(world):
    """Each statement names the office, as the office's scope does for the querysets."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        hh_b = world.other_person.household
        ActivityRecord.objects.create(
            office=world.other_office, person=world.other_person, kind="home_visit", text="訪問",
            occurred_at=dt.datetime(2026, 5, 1, 10, tzinfo=clock.JAPAN), author=world.outsider)
        HospitalStay.objects.create(person=world.other_person, admitted_on=dt.date(2026, 5, 2),
                                    discharged_on=dt.date(2026, 5, 9), hospital_name="病院")
        assert visits.household_people(world.office, [hh_b.pk]) == {}
        theirs = visits.household_people(world.other_office, [hh_b.pk])
        assert theirs == {world.other_person.pk: hh_b.pk}
        assert visits.last_home_visits(world.office, theirs) == {}
        d = visits.visits_due(world.other_office, [hh_b], today=dt.date(2026, 5, 10))[hh_b.pk]
        assert (d.last_visit, d.reason, d.due_on) == (dt.date(2026, 5, 1), "discharge",
                                                      dt.date(2026, 5, 23))
