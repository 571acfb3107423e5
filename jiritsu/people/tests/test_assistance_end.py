"""保護廃止 ends the household members' open program episodes with the reason
"assistance ended", in the same transaction, audited — from the household screen and
the caseload import. (The API: ``jiritsu/api/tests/test_assistance_end_api.py``; a
sanction on the guidance track: ``jiritsu/guidance/tests/test_track.py``.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Enrollment
from jiritsu.cases.testing import open_episodes_for_assistance_end
from jiritsu.people.importing import upsert_caseload

pytestmark = pytest.mark.django_db
D = dt.date


def assert_ended_by_assistance_end(episodes, on):
    for key in ("active", "candidate"):
        e = Enrollment.objects.get(pk=episodes[key].pk)
        assert (e.status, e.end_reason, e.ended_on) == ("ended", "assistance_ended", on), key
        ev = e.events.order_by("-id").first()
        assert ev is not None and ev.action == "end" and "保護廃止" in ev.note
        assert AuditEvent.objects.filter(action="enrollment.end", target_id=str(e.pk),
                                         person_id=e.person_id).exists()
    # A program that also takes people not on assistance keeps its episode.
    assert Enrollment.objects.get(pk=episodes["open_to_all"].pk).status == "candidate"
    # An episode that had already ended keeps its own reason.
    assert Enrollment.objects.get(pk=episodes["ended"].pk).end_reason == "declined"


@pytest.fixture
def episodes(world):
    eps = open_episodes_for_assistance_end(world.m(world.caseworker), world.person)
    # Someone in another household of the office: not touched.
    other_hh = t.make_household(world.office, caseworker=world.caseworker, case_number="100002")
    neighbour = t.make_person(world.office, household=other_hh, member_number=1)
    eps["neighbour"] = open_episodes_for_assistance_end(world.m(world.caseworker), neighbour)
    return eps


def test_household_screen_ending_assistance_ends_open_episodes(client, world, episodes):
    h = world.household
    client.force_login(world.caseworker)
    r = client.post(reverse("people:household_edit", args=[h.pk]), {
        "case_number": h.case_number, "household_type": h.household_type,
        "caseworker": world.caseworker.pk, "assistance_started_on": "2024-04-01",
        "assistance_ended_on": "2025-06-30", "end_reason": "work", "version": h.version})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert_ended_by_assistance_end(episodes, D(2025, 6, 30))
    assert Enrollment.objects.get(pk=episodes["neighbour"]["active"].pk).status == "active"

    # Saving the ended household again (another field) ends nothing more.
    h.refresh_from_db()
    count = AuditEvent.objects.filter(action="enrollment.end").count()
    r = client.post(reverse("people:household_edit", args=[h.pk]), {
        "case_number": h.case_number, "household_type": h.household_type, "district": "港地区",
        "caseworker": world.caseworker.pk, "assistance_started_on": "2024-04-01",
        "assistance_ended_on": "2025-06-30", "end_reason": "work", "version": h.version})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="enrollment.end").count() == count


def test_an_episode_with_a_later_event_ends_on_that_event(client, world, episodes):
    """A 保護廃止 entered late (dated before the episode's last event) still ends it,
    on the day of that event, so the episode's history never runs backwards."""
    h = world.household
    client.force_login(world.caseworker)
    r = client.post(reverse("people:household_edit", args=[h.pk]), {
        "case_number": h.case_number, "household_type": h.household_type,
        "caseworker": world.caseworker.pk, "assistance_started_on": "2024-04-01",
        "assistance_ended_on": "2025-03-31", "end_reason": "work", "version": h.version})
    assert r.status_code == 302
    e = Enrollment.objects.get(pk=episodes["active"].pk)
    assert (e.status, e.end_reason, e.ended_on) == ("ended", "assistance_ended", D(2025, 4, 1))


def test_import_with_an_end_date_ends_open_episodes(world, episodes):
    h = world.household
    rows = [{"case_number": h.case_number, "member_number": "1",
             "assistance_ended_on": "2025-07-31", "end_reason": "就労による収入増"}]
    result = upsert_caseload(actor=world.m(world.supervisor), rows=rows)
    assert result.households_updated == 1
    assert_ended_by_assistance_end(episodes, D(2025, 7, 31))
    assert Enrollment.objects.get(pk=episodes["neighbour"]["candidate"].pk).status == "candidate"
