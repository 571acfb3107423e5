"""The caseworker's day through the API: visit plans, the team view, 供覧 with the seal column
and the office's settings — for each role: permitted → 2xx, a role without the action → 403,
another office's row → 404; writes audited."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord
from jiritsu.casework.models import Confirmation, PlannedVisit, SupervisorAssignment
from jiritsu.core import clock
from jiritsu.people.models import VisitGrade

pytestmark = pytest.mark.django_db


def _record(world, author=None, person=None, office=None):
    return ActivityRecord.objects.create(
        office=office or world.office, person=person or world.person, kind="home_visit",
        text="訪問した。", occurred_at=clock.now(), author=author or world.caseworker)


def _visit(world, office=None, household=None, caseworker=None):
    return PlannedVisit.objects.create(
        office=office or world.office, household=household or world.household,
        planned_on=clock.today() + dt.timedelta(days=1),
        caseworker=caseworker or world.caseworker, created_by=caseworker or world.caseworker)


# ---------------------------------------------------------------- visit plans

def test_a_caseworker_plans_lists_records_and_cancels_visits(world, api_as):
    api = api_as(world.caseworker)
    day = clock.today() + dt.timedelta(days=2)
    r = api.post("visits", {"household_id": world.household.pk, "planned_on": day.isoformat(),
                             "note": "午前"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["case_number"] == "100001" and body["is_open"] and body["note"] == "午前"
    assert AuditEvent.objects.filter(action="visit.plan").count() == 1
    dup = api.post("visits", {"household_id": world.household.pk, "planned_on": day.isoformat()})
    assert dup.status_code == 422 and dup.json()["error"]["code"] == "visit.duplicate"
    past = api.post("visits", {"household_id": world.household.pk,
                                "planned_on": (clock.today() - dt.timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and past.json()["error"]["field"] == "planned_on"

    listed = api.get("visits", {"start": clock.today().isoformat(),
                                 "end": (clock.today() + dt.timedelta(days=7)).isoformat()})
    assert listed.status_code == 200 and [v["id"] for v in listed.json()["results"]] == [body["id"]]
    due = api.get("visits/due").json()["results"]
    assert due[0]["household_id"] == world.household.pk and due[0]["never_visited"]
    assert due[0]["planned_id"] == body["id"]

    rec = api.post(f"visits/{body['id']}/record", {
        "version": body["version"], "occurred_at": clock.today().isoformat(),
        "text": "定期訪問。変化なし。", "duration_minutes": 30})
    assert rec.status_code == 201, rec.json()
    assert rec.json()["kind"] == "home_visit" and rec.json()["person_id"] == world.person.pk
    assert PlannedVisit.objects.get(pk=body["id"]).record_id == rec.json()["id"]
    again = api.post(f"visits/{body['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "visit.closed"

    other = api.post("visits", {"household_id": world.household.pk,
                                 "planned_on": (day + dt.timedelta(days=1)).isoformat()}).json()
    cancelled = api.post(f"visits/{other['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_on"]
    assert AuditEvent.objects.filter(action="visit.cancel").count() == 1


def test_a_stale_version_of_the_plan_is_refused(world, api_as):
    visit = _visit(world)
    r = api_as(world.caseworker).post(f"visits/{visit.pk}/record", {
        "version": visit.version + 1, "occurred_at": clock.today().isoformat(), "text": "訪問"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_edit"
    assert not ActivityRecord.objects.exists()


def test_supervisors_name_the_caseworker_caseworkers_see_only_their_own(world, api_as):
    _visit(world)
    _visit(world, household=t.make_household(world.office, caseworker=world.caseworker2,
                                              case_number="100002"),
           caseworker=world.caseworker2)
    sv = api_as(world.supervisor)
    team = sv.get("visits")  # no caseworker named: the whole team's plan
    assert team.status_code == 200 and team.json()["count"] == 2
    assert {r["case_number"] for r in sv.get("visits/due").json()["results"]} == {
        "100001", "100002"}
    r = sv.get("visits", {"caseworker_id": world.caseworker.pk,
                           "end": (clock.today() + dt.timedelta(days=6)).isoformat(),
                           "start": clock.today().isoformat()})
    assert r.status_code == 200 and r.json()["count"] == 1
    assert api_as(world.manager).get("visits/due", {"caseworker_id": world.caseworker.pk}
                                     ).status_code == 200
    cw2 = api_as(world.caseworker2)
    assert cw2.get("visits", {"caseworker_id": world.caseworker.pk}).status_code == 404
    assert cw2.get("visits").json()["count"] == 1
    # the support staff's role has no visit plan
    ss = api_as(world.support_staff)
    assert ss.get("visits").status_code == 403
    assert ss.post("visits", {"household_id": world.household.pk,
                               "planned_on": clock.today().isoformat()}).status_code == 403
    assert api_as(world.partner).get("visits/due").status_code == 403
    reversed_ = sv.get("visits", {"caseworker_id": world.caseworker.pk,
                                   "start": "2026-12-10", "end": "2026-12-01"})
    assert reversed_.status_code == 422 and reversed_.json()["error"]["field"] == "end"


def test_another_offices_household_and_plan_are_not_found(world, api_as):
    theirs = _visit(world, office=world.other_office, household=world.other_person.household,
                    caseworker=world.outsider)
    api = api_as(world.caseworker)
    r = api.post("visits", {"household_id": world.other_person.household_id,
                             "planned_on": clock.today().isoformat()})
    assert r.status_code == 404 and r.json()["error"]["field"] == "household_id"
    assert api.post(f"visits/{theirs.pk}/cancel").status_code == 404
    assert api.post(f"visits/{theirs.pk}/record", {
        "version": 1, "occurred_at": clock.today().isoformat(), "text": "x"}).status_code == 404
    assert api_as(world.supervisor).get(
        "visits", {"caseworker_id": world.outsider.pk}).status_code == 404
    assert PlannedVisit.objects.get(pk=theirs.pk).is_open


def test_the_team_view_counts_each_caseworkers_households_by_grade(world, api_as):
    grade = VisitGrade.objects.create(office=world.office, code="A", name="毎月",
                                      visits_per_year=12)
    world.household.visit_grade = grade
    world.household.save()
    r = api_as(world.supervisor).get("visits/team")
    assert r.status_code == 200
    rows = {row["caseworker_id"]: row for row in r.json()["results"]}
    mine = rows[world.caseworker.pk]
    assert mine["households"] == 1 and mine["by_grade"] == {"A": 1} and mine["never"] == 1
    assert world.outsider.pk not in rows
    assert api_as(world.caseworker).get("visits/team").status_code == 403


# ---------------------------------------------------------------- 供覧 and the seal column

def test_the_supervisor_reads_and_confirms_a_page_and_the_author_sees_the_seals(world, api_as):
    records = [_record(world) for _ in range(3)]
    sv = api_as(world.supervisor)
    waiting = sv.get("confirmations/waiting")
    assert waiting.status_code == 200 and waiting.json()["count"] == 3
    first = waiting.json()["results"][0]
    assert first["state"] == "waiting" and first["seals"] == []
    assert first["person_name"] == world.person.name
    assert AuditEvent.objects.filter(action="record.confirm_list").exists()

    r = sv.post("confirmations", {"record_ids": [x.pk for x in records[:2]],
                                   "outcome": "confirmed"})
    assert r.status_code == 201, r.json()
    assert [s["record_id"] for s in r.json()["results"]] == [x.pk for x in records[:2]]
    assert r.json()["results"][0]["confirmed_by_name"] == str(world.supervisor)
    assert sv.get("confirmations/waiting").json()["count"] == 1

    refused = sv.post("confirmations", {"record_ids": [records[2].pk], "outcome": "addition"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "confirm.comment_required"
    twice = sv.post("confirmations", {"record_ids": [records[0].pk, records[2].pk],
                                       "outcome": "confirmed"})
    assert twice.status_code == 409 and twice.json()["error"]["field"] == "record_ids"
    assert Confirmation.objects.count() == 2  # all or nothing

    cw = api_as(world.caseworker)
    seals = cw.get(f"records/{records[0].pk}/seals")
    assert seals.status_code == 200 and seals.json()["state"] == "confirmed"
    assert seals.json()["seals"][0]["confirmed_by_id"] == world.supervisor.pk
    mine = cw.get("confirmations/mine").json()
    assert mine["count"] == 3
    assert {r["state"] for r in mine["results"]} == {"confirmed", "waiting"}


def test_confirming_needs_the_supervisors_role_and_the_office(world, api_as):
    rec = _record(world)
    theirs = _record(world, author=world.outsider, person=world.other_person,
                     office=world.other_office)
    cw = api_as(world.caseworker)
    assert cw.get("confirmations/waiting").status_code == 403
    assert cw.post("confirmations", {"record_ids": [rec.pk],
                                      "outcome": "confirmed"}).status_code == 403
    assert api_as(world.support_staff).get("confirmations/waiting").status_code == 403
    sv = api_as(world.supervisor)
    r = sv.post("confirmations", {"record_ids": [rec.pk, theirs.pk], "outcome": "confirmed"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "record_ids.1"
    assert sv.get(f"records/{theirs.pk}/seals").status_code == 404
    assert api_as(world.admin).get("confirmations/mine").status_code == 403
    assert not Confirmation.objects.exists()


def test_a_supervisor_assigned_elsewhere_does_not_read_the_caseworker(world, api_as):
    other_sv = t.make_user(world.office, "supervisor", username="sv2_a")
    SupervisorAssignment.objects.create(office=world.office, caseworker=world.caseworker,
                                        supervisor=other_sv)
    rec = _record(world)
    sv = api_as(world.supervisor)
    assert sv.get("confirmations/waiting").json()["count"] == 0
    r = sv.post("confirmations", {"record_ids": [rec.pk], "outcome": "confirmed"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "confirm.not_waiting"
    assert api_as(other_sv).get("confirmations/waiting").json()["count"] == 1


# ---------------------------------------------------------------- the office's settings

def test_the_manager_sets_intervals_kinds_and_assignments(world, api_as):
    grade = VisitGrade.objects.create(office=world.office, code="B", name="2か月に1回",
                                      visits_per_year=6)
    mgr = api_as(world.manager)
    got = mgr.get("casework/settings")
    assert got.status_code == 200
    body = got.json()
    assert body["intervals"] == [{"grade_id": grade.pk, "code": "B", "name": "2か月に1回",
                                  "visits_per_year": 6, "interval_months": None,
                                  "default_months": 2}]
    assert {a["caseworker_id"] for a in body["assignments"]} == {world.caseworker.pk,
                                                                 world.caseworker2.pk}
    r = mgr.patch("casework/settings", {
        "version": body["version"], "event_visit_days": 7, "confirm_kinds": ["home_visit"],
        "intervals": [{"grade_id": grade.pk, "interval_months": 3}]})
    assert r.status_code == 200, r.json()
    assert r.json()["event_visit_days"] == 7 and r.json()["confirm_kinds"] == ["home_visit"]
    assert r.json()["intervals"][0]["interval_months"] == 3
    stale = mgr.patch("casework/settings", {"version": body["version"], "event_visit_days": 9})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_edit"
    bad = mgr.patch("casework/settings", {"version": r.json()["version"],
                                           "digest_base_url": "ftp://x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "digest_base_url"
    assert AuditEvent.objects.filter(action="casework.settings").count() == 1

    a = mgr.put(f"casework/assignments/{world.caseworker.pk}",
                {"supervisor_id": world.supervisor.pk})
    assert a.status_code == 200
    assert SupervisorAssignment.objects.get(caseworker=world.caseworker).supervisor == world.supervisor
    not_sv = mgr.put(f"casework/assignments/{world.caseworker.pk}",
                     {"supervisor_id": world.caseworker2.pk})
    assert not_sv.status_code == 422 and not_sv.json()["error"]["field"] == "supervisor_id"
    cleared = mgr.put(f"casework/assignments/{world.caseworker.pk}", {"supervisor_id": None})
    assert cleared.status_code == 200 and not SupervisorAssignment.objects.exists()
    assert AuditEvent.objects.filter(action="casework.assign").count() == 2


def test_settings_need_the_managers_role_and_name_only_the_offices_people(world, api_as):
    theirs = VisitGrade.objects.create(office=world.other_office, code="A", name="毎月",
                                       visits_per_year=12)
    assert api_as(world.admin).get("casework/settings").status_code == 200
    sv = api_as(world.supervisor)
    assert sv.get("casework/settings").status_code == 403
    assert sv.patch("casework/settings", {"version": 1}).status_code == 403
    assert sv.put(f"casework/assignments/{world.caseworker.pk}",
                  {"supervisor_id": None}).status_code == 403
    mgr = api_as(world.manager)
    r = mgr.put(f"casework/assignments/{world.outsider.pk}", {"supervisor_id": None})
    assert r.status_code == 404 and r.json()["error"]["field"] == "caseworker_id"
    r = mgr.put(f"casework/assignments/{world.supervisor.pk}", {"supervisor_id": None})
    assert r.status_code == 404 and r.json()["error"]["field"] == "caseworker_id"
    r = mgr.patch("casework/settings", {"version": 1, "intervals": [
        {"grade_id": theirs.pk, "interval_months": 2}]})
    assert r.status_code == 404 and r.json()["error"]["field"] == "intervals"
