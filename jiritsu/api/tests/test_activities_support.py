"""A person's support details through the API: health tracks, measurements, relatives,
receiving places — staff only, audited reads, the services' refusals with their codes."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.activities.models import FamilyRequest, HealthTrack, ReceivingRequest
from jiritsu.activities.tests.helpers import enrol, program_from
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services as program_services
from jiritsu.cases.models import ActivityRecord
from jiritsu.core import clock
from jiritsu.offices.models import PartnerOrganisation

pytestmark = pytest.mark.django_db


def err(r, status, code, field=None):
    assert r.status_code == status, r.json()
    e = r.json()["error"]
    assert e["code"] == code, e
    if field is not None:
        assert e.get("field") == field, e
    return e


def test_support_page_is_audited_and_closed_to_partners_and_other_offices(world, api_as):
    url = f"people/{world.person.pk}/support"
    r = api_as(world.caseworker).get(url)
    assert r.status_code == 200, r.json()
    assert r.json()["person_id"] == world.person.pk and r.json()["health_tracks"] == []
    assert AuditEvent.objects.filter(action="person.support_view").count() == 1
    # A partner's role lacks the office-wide action (403); another office's person is 404.
    err(api_as(world.partner).get(url), 403, "forbidden")
    err(api_as(world.outsider).get(url), 404, "not_found")
    err(api_as(world.partner).get(f"people/{world.person.pk}/measurements"), 403, "forbidden")
    err(api_as(world.admin).get(url), 403, "forbidden")


def test_measurements_come_from_records(world, api_as):
    for i, (s, d, w) in enumerate([(150, 95, "72.5"), (142, 90, "71.0")]):
        ActivityRecord.objects.create(
            office=world.office, person=world.person,
            occurred_at=dt.datetime(2026, 4 + i, 1, 10, tzinfo=clock.JAPAN), kind="home_visit",
            text="同行訪問", author=world.caseworker, systolic_bp=s, diastolic_bp=d, weight_kg=w)
    c = api_as(world.support_staff)
    r = c.post("records", {"person_id": world.person.pk, "occurred_at": "2026-06-01T10:00:00+09:00",
                           "kind": "home_visit", "text": "同行訪問", "systolic_bp": 135,
                           "diastolic_bp": 85, "weight_kg": "70.2"})
    assert r.status_code == 201, r.json()
    rows = c.get(f"people/{world.person.pk}/measurements").json()
    assert rows["count"] == 3
    assert [x["systolic_bp"] for x in rows["results"]] == [150, 142, 135]
    assert rows["results"][2]["weight_kg"] == 70.2


def test_health_tracks_need_an_open_episode_and_take_only_their_fields(world, api_as):
    c = api_as(world.support_staff)
    url = f"people/{world.person.pk}/health-tracks"
    body = {"track": "withdrawn", "started_on": "2026-04-10", "withdrawal_reason": "physical",
            "referral": "bath", "living_environment": "室内は片付いている"}
    err(c.post(url, body), 409, "no_open_enrollment")
    enrol(program_from(world.m(world.manager), "fukui_health"), world.person)
    err(c.post(url, body | {"clinic_attendance": "月1回"}), 422, "validation_error",
        "clinic_attendance")
    err(c.post(url, body | {"withdrawal_reason": "lazy"}), 422, "validation_error",
        "withdrawal_reason")
    r = c.post(url, body)
    assert r.status_code == 201, r.json()
    assert r.json()["track_label"] == "閉じこもり" and r.json()["referral"] == "bath"
    err(c.post(url, body), 422, "validation_error", "track")
    r = c.post(url, {"track": "dementia", "started_on": "2026-04-10", "can_live_at_home": False,
                     "care_certification_applied_on": "2026-04-20"})
    assert r.status_code == 201 and r.json()["can_live_at_home"] is False
    err(api_as(world.partner).post(url, body), 403, "forbidden")
    err(api_as(world.outsider).post(f"people/{world.person.pk}/health-tracks", body), 404,
        "not_found")
    tracks = api_as(world.caseworker).get(f"people/{world.person.pk}/support").json()
    assert {x["track"] for x in tracks["health_tracks"]} == {"withdrawn", "dementia"}
    assert HealthTrack.objects.count() == 2
    assert AuditEvent.objects.filter(action="health_track.open").count() == 2


def test_relatives_requests_and_answers(world, api_as):
    enrollment = enrol(program_from(world.m(world.manager), "amagasaki_discharge"), world.person)
    cw = api_as(world.caseworker)
    base = f"people/{world.person.pk}"
    contact = {"name": "髙橋 兄", "relationship": "兄", "phone": "06-0000-0000"}
    err(api_as(world.support_staff).post(f"{base}/family-contacts", contact), 403, "forbidden")
    err(cw.post(f"{base}/family-contacts", contact | {"relationship": ""}), 422,
        "validation_error", "relationship")
    r = cw.post(f"{base}/family-contacts", contact)
    assert r.status_code == 201 and r.json()["is_support_obligor"] is True, r.json()
    cid = r.json()["id"]
    ask = {"contact_id": cid, "ask": "take_in", "asked_on": "2026-05-02"}
    other = t.make_person(world.office, household=world.household)
    err(cw.post(f"people/{other.pk}/family-requests", ask), 404, "not_found", "contact_id")
    r = api_as(world.support_staff).post(f"{base}/family-requests", ask)
    assert r.status_code == 201, r.json()
    assert r.json()["enrollment_id"] == enrollment.pk and r.json()["answer"] == "pending"
    rid = r.json()["id"]
    answer = {"answer": "declined", "answered_on": "2026-05-09", "note": "住居が狭い"}
    err(cw.post(f"{base}/family-requests/{rid}/answer", answer | {"answer": "pending"}), 422,
        "validation_error", "answer")
    err(cw.post(f"{base}/family-requests/{rid}/answer", answer | {"answered_on": "2026-05-01"}),
        422, "validation_error", "answered_on")
    err(cw.post(f"people/{other.pk}/family-requests/{rid}/answer", answer), 404, "not_found")
    r = cw.post(f"{base}/family-requests/{rid}/answer", answer)
    assert r.status_code == 200 and r.json()["answer_label"] == "協力不可", r.json()
    support = cw.get(f"{base}/support").json()
    assert support["family_contacts"][0]["requests"][0]["answer"] == "declined"
    assert FamilyRequest.objects.get().note == "住居が狭い"
    for action in ("family_contact.add", "family_request.record", "family_request.answer"):
        assert AuditEvent.objects.filter(action=action).count() == 1, action


def test_receiving_places_respect_capacity(world, api_as):
    program = program_from(world.m(world.manager), "amagasaki_discharge")
    gh = t.make_partner(world.office, PartnerOrganisation.Kind.GROUP_HOME, "GHひまわり", capacity=1)
    first = enrol(program, world.person)
    other = t.make_person(world.office, household=world.household)
    second = enrol(program, other)
    cw = api_as(world.caseworker)
    ask = {"enrollment_id": first.pk, "facility_id": gh.pk, "requested_on": "2026-05-01"}
    err(cw.post(f"people/{world.person.pk}/receiving-requests",
                ask | {"facility_id": world.partner_org.pk}), 422, "validation_error",
        "facility_id")
    err(cw.post(f"people/{world.person.pk}/receiving-requests",
                ask | {"enrollment_id": second.pk}), 404, "not_found", "enrollment_id")
    err(api_as(world.support_staff).post(f"people/{world.person.pk}/receiving-requests", ask),
        403, "forbidden")
    r1 = cw.post(f"people/{world.person.pk}/receiving-requests", ask)
    assert r1.status_code == 201, r1.json()
    err(cw.post(f"people/{world.person.pk}/receiving-requests", ask), 422, "validation_error",
        "facility_id")
    r2 = cw.post(f"people/{other.pk}/receiving-requests", ask | {"enrollment_id": second.pk})
    accept = {"status": "accepted", "answered_on": "2026-05-10"}
    r = cw.post(f"people/{world.person.pk}/receiving-requests/{r1.json()['id']}/answer", accept)
    assert r.status_code == 200 and r.json()["facility_accepted"] == 1, r.json()
    err(cw.post(f"people/{other.pk}/receiving-requests/{r2.json()['id']}/answer", accept), 422,
        "facility_full", "status")
    err(cw.post(f"people/{other.pk}/receiving-requests/{r2.json()['id']}/answer",
                accept | {"status": "requested"}), 422, "validation_error", "status")
    r = cw.post(f"people/{other.pk}/receiving-requests/{r2.json()['id']}/answer",
                accept | {"status": "waiting"})
    assert r.json()["status_label"] == "空き待ち"
    assert ReceivingRequest.objects.filter(status="accepted").count() == 1
    assert AuditEvent.objects.filter(action="receiving_request.answer").count() == 2
    # The first episode ends: its place is free, and every answer counts the same places.
    program_services.enrollment_end(actor=world.m(world.caseworker), enrollment=first,
                                    reason="not_needed", on=dt.date(2026, 6, 1))
    r = cw.post(f"people/{other.pk}/receiving-requests/{r2.json()['id']}/answer", accept)
    assert r.status_code == 200 and r.json()["facility_accepted"] == 1, r.json()
    support = cw.get(f"people/{world.person.pk}/support").json()
    assert [x["facility_accepted"] for x in support["receiving_requests"]] == [1]
