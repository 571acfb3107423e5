"""Plan revisions carry the version they started from: two caseworkers revising the same
episode's plan cannot silently produce two plans. The API side is in
``jiritsu/api/tests/test_plan_conflict.py``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

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


def _plan_post(text: str, based_on: str) -> dict[str, str]:
    return {"policy": "方針", "goal_0_text": text, "based_on_number": based_on}


def test_screen_second_revision_from_the_same_base_is_refused(client, world, episode):
    url = reverse("programs:plan_new", args=[episode.pk])
    client.force_login(world.caseworker)
    # Both caseworkers open the form while there is no plan yet: it carries version 0.
    body = client.get(url).content.decode()
    assert 'name="based_on_number"' in body and 'value="0"' in body
    r = client.post(url, _plan_post("履歴書を書く", "0"))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Plan.objects.filter(enrollment=episode).count() == 1

    client.force_login(world.caseworker2)
    r = client.post(url, _plan_post("面接の練習", "0"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "他の職員が先に計画を改訂しました（現在は第1版です）" in body
    assert list(Plan.objects.filter(enrollment=episode).values_list("number", flat=True)) == [1]

    # Reopened, the form starts from version 1 and the revision is saved as version 2.
    body = client.get(url).content.decode()
    assert 'name="based_on_number" value="1"' in body
    r = client.post(url, _plan_post("面接の練習", "1"))
    assert r.status_code == 302
    assert sorted(Plan.objects.filter(enrollment=episode).values_list("number", flat=True)) == [1, 2]


def test_screen_form_without_its_base_is_refused(client, world, episode):
    client.force_login(world.caseworker)
    r = client.post(reverse("programs:plan_new", args=[episode.pk]),
                    {"policy": "方針", "goal_0_text": "履歴書を書く"})
    assert r.status_code == 200
    assert "元にした版が分かりません" in r.content.decode()
    assert not Plan.objects.filter(enrollment=episode).exists()
