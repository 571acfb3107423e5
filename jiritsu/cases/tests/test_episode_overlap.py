"""Episodes never overlap for one person in one program: a new episode (a re-entry, or one
opened by a transfer) starts after the previous episode's end; an open one blocks another."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu.cases import services
from jiritsu.cases.models import Enrollment
from jiritsu.core.errors import IllegalTransition
from jiritsu.programs.testing import make_program
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def programs(world):
    return (make_program(world.office, name="就労支援プログラム", consent_required=False),
            make_program(world.office, name="日常生活支援プログラム", consent_required=False))


JUNE_1, NOV_10 = D(2025, 6, 1), D(2025, 11, 10)


def _ended(world, program, start=JUNE_1, end=NOV_10):
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program, on=start)
    services.enrollment_start(actor=cw, enrollment=e, on=start)
    services.enrollment_end(actor=cw, enrollment=e, reason="not_needed", on=end)
    return e


def test_reentry_dated_before_the_previous_end_is_refused(world, programs):
    work, _ = programs
    cw = world.m(world.caseworker)
    _ended(world, work)
    for day in (D(2025, 11, 5), D(2025, 11, 10), D(2025, 5, 1)):
        with pytest.raises(IllegalTransition) as exc:
            services.enrollment_create(actor=cw, person=world.person, program=work, on=day)
        assert (exc.value.code, exc.value.field) == ("episode_overlap", "on")
        assert "前回の参加（令和7年6月1日〜令和7年11月10日）" in exc.value.message
    assert Enrollment.objects.filter(program=work).count() == 1
    again = services.enrollment_create(actor=cw, person=world.person, program=work,
                                       on=D(2025, 11, 11))
    assert again.status == "candidate"


def test_an_open_episode_blocks_another(world, programs):
    work, _ = programs
    cw = world.m(world.caseworker)
    services.enrollment_create(actor=cw, person=world.person, program=work, on=D(2025, 6, 1))
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_create(actor=cw, person=world.person, program=work,
                                   on=D(2025, 12, 1))
    assert exc.value.code == "already_enrolled"


def test_transfer_into_a_program_cannot_overlap_its_previous_episode(world, programs):
    work, daily = programs
    cw = world.m(world.caseworker)
    _ended(world, daily, start=D(2025, 4, 1), end=D(2025, 9, 30))
    e = services.enrollment_create(actor=cw, person=world.person, program=work,
                                   on=D(2025, 8, 1))
    services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 8, 1))
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_transfer(actor=cw, enrollment=e, target_program=daily,
                                     on=D(2025, 9, 15))
    assert exc.value.code == "episode_overlap"
    e.refresh_from_db()
    assert e.status == "active"
    new = services.enrollment_transfer(actor=cw, enrollment=e, target_program=daily,
                                       on=D(2025, 10, 1))
    assert new.program == daily and new.candidate_on == D(2025, 10, 1)


def test_overlap_on_screen_and_api(client, world, programs):
    work, _ = programs
    _ended(world, work)
    client.force_login(world.caseworker)
    resp = client.post(reverse("programs:enroll", args=[work.pk, world.person.pk]),
                       {"person_id": world.person.pk, "on": "R7.11.5"})
    assert resp.status_code in (200, 422)
    assert "前回の参加（令和7年6月1日〜令和7年11月10日）と期間が重なります" in resp.content.decode()
    r = ApiClient(token_for(world, world.caseworker)).post(
        "enrollments", {"person_id": world.person.pk, "program_id": work.pk, "on": "2025-11-05"})
    assert r.status_code == 409, r.content
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("episode_overlap", "on")
    assert Enrollment.objects.filter(program=work).count() == 1
