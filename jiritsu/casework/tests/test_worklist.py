"""業務一覧: what is due for each role, from the rules' own homes, with saved filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiritsu.cases.models import ActivityRecord
from jiritsu.casework.models import PlannedVisit, SavedFilter
from jiritsu.core import clock

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_caseworker_sees_the_overdue_visit_linking_to_the_plan(world):
    html = _client(world.caseworker).get("/day/worklist/").content.decode()
    assert "訪問記録なし" in html and f"household={world.household.pk}" in html


def test_a_planned_visit_links_to_recording_it(world):
    v = PlannedVisit.objects.create(office=world.office, household=world.household,
                                    planned_on=clock.today(), caseworker=world.caseworker,
                                    created_by=world.caseworker)
    html = _client(world.caseworker).get("/day/worklist/").content.decode()
    assert f"/day/visits/{v.pk}/record/" in html


def test_the_supervisor_sees_records_to_confirm(world):
    rec = ActivityRecord.objects.create(office=world.office, person=world.person,
                                        kind="home_visit", text="x", occurred_at=clock.now(),
                                        author=world.caseworker)
    html = _client(world.supervisor).get("/day/worklist/").content.decode()
    assert f"/day/confirm/{rec.pk}/" in html and "供覧待ち" in html


def test_filters_are_saved_under_a_name_and_reopened(world):
    c = _client(world.caseworker)
    r = c.post("/day/worklist/filters/", {"name": "訪問だけ", "kind": ["visit"],
                                          "window": "today"})
    saved = SavedFilter.objects.get(user=world.caseworker)
    assert r.status_code == 302 and saved.params == {"kinds": ["visit"], "window": "today"}
    html = c.get("/day/worklist/", {"saved": saved.pk}).content.decode()
    assert "訪問だけ" in html and 'value="today" selected' in html
    assert _client(world.caseworker2).get("/day/worklist/",
                                          {"saved": saved.pk}).status_code == 404
    c.post(f"/day/worklist/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_overdue_only_leaves_out_lines_due_later(world):
    PlannedVisit.objects.create(office=world.office, household=world.household,
                                planned_on=clock.today() + dt.timedelta(days=2),
                                caseworker=world.caseworker, created_by=world.caseworker)
    html = _client(world.caseworker).get("/day/worklist/", {"window": "overdue"}).content.decode()
    assert "/record/" not in html
