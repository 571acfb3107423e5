"""``PATCH /households/{id}`` with 保護廃止日 ends the members' open episodes (保護廃止)."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Enrollment
from jiritsu.cases.testing import open_episodes_for_assistance_end

pytestmark = pytest.mark.django_db


def test_api_household_end_ends_open_episodes(world, api_as):
    episodes = open_episodes_for_assistance_end(world.m(world.caseworker), world.person)
    h = world.household
    r = api_as(world.caseworker).patch(f"households/{h.pk}", {
        "version": h.version, "assistance_ended_on": "2025-06-30", "end_reason": "death"})
    assert r.status_code == 200, r.content
    for key in ("active", "candidate"):
        e = Enrollment.objects.get(pk=episodes[key].pk)
        assert (e.status, e.end_reason, e.ended_on) == ("ended", "assistance_ended",
                                                        dt.date(2025, 6, 30))
        assert AuditEvent.objects.filter(action="enrollment.end", target_id=str(e.pk),
                                         person_id=world.person.pk).exists()
    assert Enrollment.objects.get(pk=episodes["open_to_all"].pk).status == "candidate"
    # The episode's API answer shows the reason.
    body = api_as(world.caseworker).get(f"enrollments/{episodes['active'].pk}").json()
    assert body["status"] == "ended" and body["end_reason"] == "assistance_ended"
