"""``POST /enrollments/{id}/plans`` carries the version the revision started from."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.cases import services
from jiritsu.cases.models import Plan
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def episode(world):
    program = make_program(world.office, consent_required=False)
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    services.enrollment_select(actor=cw, enrollment=e, on=D(2025, 4, 2))
    return e


def test_api_revision_from_an_out_of_date_base_is_a_409(world, episode, api_as):
    cw, cw2 = api_as(world.caseworker), api_as(world.caseworker2)
    url = f"enrollments/{episode.pk}/plans"
    first = cw.post(url, {"goals": [{"text": "履歴書を書く"}], "based_on_number": 0})
    assert first.status_code == 201, first.content
    assert first.json()["number"] == 1

    stale = cw2.post(url, {"goals": [{"text": "面接の練習"}], "based_on_number": 0})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_edit"
    assert "第1版" in stale.json()["error"]["message"]
    assert Plan.objects.filter(enrollment=episode).count() == 1

    # Without the base the request is invalid (the version is part of the contract).
    missing = cw2.post(url, {"goals": [{"text": "面接の練習"}]})
    assert missing.status_code == 422
    assert Plan.objects.filter(enrollment=episode).count() == 1

    ok = cw2.post(url, {"goals": [{"text": "面接の練習"}], "based_on_number": 1})
    assert ok.status_code == 201 and ok.json()["number"] == 2
