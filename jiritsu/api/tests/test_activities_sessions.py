"""Group sessions through the API: series, roll call, volunteers, recruitment and budget."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.activities.models import Recruitment, SessionAttendance, SessionSeries
from jiritsu.activities.tests.helpers import enrol, program_from
from jiritsu.audit.models import AuditEvent
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db


def err(r, status, code, field=None):
    assert r.status_code == status, r.json()
    e = r.json()["error"]
    assert e["code"] == code, e
    if field is not None:
        assert e.get("field") == field, e
    return e


@pytest.fixture
def otsu(world):
    return program_from(world.m(world.manager), "otsu_study_group")


@pytest.fixture
def series(world, api_as, otsu):
    r = api_as(world.caseworker).post("session-series", {
        "program_id": otsu.pk, "kind": "study_group", "title": "中3学習会",
        "venue": "瀬田南市民センター", "schedule": "毎週1回", "starts_on": "2026-05-01"})
    assert r.status_code == 201, r.json()
    return r.json()


def test_series_is_created_with_the_programs_budget_and_listed(world, api_as, otsu, series):
    assert series["budget_yen"] == 200_000 and series["remaining_yen"] == 200_000
    cw = api_as(world.caseworker)
    body = {"program_id": otsu.pk, "kind": "study_group", "title": "x", "starts_on": "2026-05-01"}
    err(cw.post("session-series", body | {"kind": "party"}), 422, "validation_error", "kind")
    err(cw.post("session-series", body | {"title": " "}), 422, "validation_error", "title")
    plain = make_program(world.office)
    err(cw.post("session-series", body | {"program_id": plain.pk}), 404, "not_found",
        "program_id")
    err(api_as(world.support_staff).post("session-series", body), 403, "forbidden")
    assert cw.get("session-series").json()["count"] == 1
    assert cw.get("session-series", {"kind": "lecture"}).json()["count"] == 0
    assert AuditEvent.objects.filter(action="session_series.create").count() == 1


def test_series_are_closed_to_partners_and_other_offices(world, api_as, series):
    err(api_as(world.partner).get("session-series"), 403, "forbidden")
    # The role lacks the office-wide action: 403 for the list and the series alike.
    err(api_as(world.partner).get(f"session-series/{series['id']}"), 403, "forbidden")
    err(api_as(world.outsider).get(f"session-series/{series['id']}"), 404, "not_found")
    err(api_as(world.outsider).post(f"session-series/{series['id']}/expenses",
                                    {"spent_on": "2026-05-01", "item": "教材", "amount_yen": 1}),
        404, "not_found")


def test_invite_answer_roll_call_volunteers_and_budget(world, api_as, otsu, series):
    cw = api_as(world.caseworker)
    url = f"session-series/{series['id']}"
    hh = t.make_household(world.office, caseworker=world.caseworker, district="南部地域")
    pupil = t.make_person(world.office, household=hh, school_grade="j3",
                          birth_date=dt.date(2011, 6, 1))
    eligible = cw.get(f"{url}/eligible-people").json()
    assert [p["id"] for p in eligible["results"]] == [pupil.pk]
    err(cw.post(f"{url}/invitations", {"person_ids": [world.person.pk],
                                       "invited_on": "2026-04-20"}),
        422, "not_eligible", "person_ids")
    # Unknown or another office's people: 404 naming the field (found by fuzzing as a 500).
    err(cw.post(f"{url}/invitations", {"person_ids": [pupil.pk, 124368171, world.other_person.pk],
                                       "invited_on": "2026-04-20"}),
        404, "not_found", "person_ids")
    err(api_as(world.support_staff).post(f"{url}/invitations", {
        "person_ids": [pupil.pk], "invited_on": "2026-04-20"}), 403, "forbidden")
    r = cw.post(f"{url}/invitations", {"person_ids": [pupil.pk], "invited_on": "2026-04-20"})
    assert r.status_code == 201 and r.json()[0]["status"] == "invited", r.json()
    rec = r.json()[0]["id"]
    err(cw.post(f"{url}/recruitments/{rec}/answer", {"status": "maybe"}), 422,
        "validation_error", "status")
    r = cw.post(f"{url}/recruitments/{rec}/answer", {"status": "joined"})
    assert r.status_code == 200 and r.json()["status"] == "joined"
    err(cw.post(f"{url}/recruitments/999999/answer", {"status": "joined"}), 404, "not_found")

    r = cw.post(f"{url}/volunteers", {"name": "龍谷 学", "kind": "university_student",
                                      "affiliation": "龍谷大学"})
    assert r.status_code == 201, r.json()
    volunteer = r.json()["id"]
    err(api_as(world.support_staff).post(f"{url}/volunteers", {"name": "x", "kind": "other"}),
        403, "forbidden")

    enrolled = t.make_person(world.office, household=world.household)
    enrol(otsu, enrolled)
    session = {"held_on": "2026-05-07", "topic": "数学", "volunteer_ids": [volunteer],
               "present_person_ids": [pupil.pk]}
    err(cw.post(f"{url}/sessions", session | {"present_person_ids": [world.person.pk]}), 422,
        "not_on_roll", "present_person_ids")
    err(cw.post(f"{url}/sessions", session | {"present_person_ids": [world.other_person.pk]}),
        404, "not_found", "present_person_ids")
    err(cw.post(f"{url}/sessions", session | {"held_on": "2026-04-30"}), 422,
        "validation_error", "held_on")
    err(cw.post(f"{url}/sessions", session | {"volunteer_ids": [999999]}), 404, "not_found",
        "volunteer_ids")
    r = api_as(world.support_staff).post(f"{url}/sessions", session)
    assert r.status_code == 201, r.json()
    assert r.json()["present_person_ids"] == [pupil.pk]
    assert r.json()["absent_person_ids"] == [enrolled.pk]
    assert r.json()["venue"] == "瀬田南市民センター" and r.json()["volunteer_ids"] == [volunteer]
    assert SessionAttendance.objects.filter(present=False).count() == 1

    expense = {"spent_on": "2026-05-07", "item": "教材", "amount_yen": 150_000}
    assert cw.post(f"{url}/expenses", expense).status_code == 201
    e = err(cw.post(f"{url}/expenses", expense | {"amount_yen": 60_000}), 422, "over_budget",
            "amount_yen")
    assert "残り50,000円" in e["message"]
    err(cw.post(f"{url}/expenses", expense | {"amount_yen": 0}), 422, "validation_error",
        "amount_yen")
    err(cw.post(f"{url}/expenses", expense | {"amount_yen": 10**12}), 422, "validation_error",
        "amount_yen")

    d = cw.get(url).json()
    assert (d["spent_yen"], d["remaining_yen"], d["session_count"]) == (150_000, 50_000, 1)
    assert d["joined"] == 1 and d["recruits"][0]["status"] == "joined"
    assert {p["id"] for p in d["roll"]} == {pupil.pk, enrolled.pk}
    assert d["sessions"][0]["absent_person_ids"] == [enrolled.pk]
    assert Recruitment.objects.get().status == "joined"
    for action in ("recruitment.invite", "recruitment.answer", "volunteer.add",
                   "group_session.hold", "series_expense.record"):
        assert AuditEvent.objects.filter(action=action).count() == 1, action
    assert SessionSeries.objects.count() == 1
