"""Operations added so that the screens' capabilities are all in the API (see
test_screen_coverage.py): a person's timeline, the guidance board, and the view audit the
screens write for an enrolment and a guidance case."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> str:
    return (clock.today() - dt.timedelta(days=n)).isoformat()


@pytest.fixture
def case(world, api_as):
    r = api_as(world.caseworker).post("guidance/cases", {
        "person_id": world.person.pk, "opened_on": days_ago(30), "ground_category": "work_capacity",
        "ground": "求職活動を行っていない。"})
    assert r.status_code == 201, r.content
    return r.json()


def test_timeline_is_the_screens_timeline_and_audited(world, api_as):
    cw = api_as(world.caseworker)
    r = cw.post("records", {"person_id": world.person.pk, "kind": "home_visit",
                            "occurred_at": f"{days_ago(20)}T10:00:00+09:00", "text": "家庭訪問"})
    assert r.status_code == 201, r.content
    r = cw.get(f"people/{world.person.pk}/timeline")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [(e["kind"], e["body"]) for e in body["entries"]] == [("record", "家庭訪問")]
    assert body["cut"] is False and body["limit"] == 200 and "record" in body["kinds_available"]
    event = AuditEvent.objects.filter(action="person.timeline").latest("id")
    assert (event.kind, event.person_id) == (AuditEvent.Kind.VIEW, world.person.pk)
    assert cw.get(f"people/{world.person.pk}/timeline", {"kind": "plan"}).json()["entries"] == []
    assert cw.get(f"people/{world.person.pk}/timeline",
                  {"date_from": days_ago(10)}).json()["entries"] == []
    r = cw.get(f"people/{world.person.pk}/timeline", {"kind": "nothing"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "kind"


def test_timeline_keeps_the_screens_access(world, api_as):
    assert api_as(world.outsider).get(f"people/{world.person.pk}/timeline").status_code == 404
    assert api_as(world.partner).get(f"people/{world.person.pk}/timeline").status_code == 404


def test_guidance_board_lists_open_cases_with_their_next_step(world, api_as, case):
    sv = api_as(world.supervisor)
    r = sv.get("guidance/board")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["case"]["id"] == case["id"] and row["next_step"]["action"]
    assert row["case_number"] == world.person.household.case_number
    assert api_as(world.partner).get("guidance/board").status_code == 403
    assert api_as(world.outsider).get("guidance/board").json()["count"] == 0


def test_reading_a_case_is_audited_like_the_screen(world, api_as, case):
    cw = api_as(world.caseworker)
    assert cw.get(f"guidance/cases/{case['id']}").status_code == 200
    assert AuditEvent.objects.filter(action="guidance.case_view", kind=AuditEvent.Kind.VIEW,
                                     person_id=world.person.pk).exists()
    # the enrolment's view audit: test_episode.py
