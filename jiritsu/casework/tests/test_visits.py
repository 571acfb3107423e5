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
from jiritsu.people.models import HospitalStay, VisitGrade

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
