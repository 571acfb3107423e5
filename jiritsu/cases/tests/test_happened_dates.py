"""One rule for "has it happened": every service recording something that happened refuses a
date after today in Japan with the code ``future_date`` (jiritsu.core.clock.not_after_today);
dates that are plans (planned end, review due, extension target) stay allowed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from jiritsu.cases import services
from jiritsu.cases.models import Conference, Enrollment, Review
from jiritsu.cases.testing import make_consent
from jiritsu.core.clock import JAPAN
from jiritsu.core.errors import ValidationFailed
from jiritsu.programs.models import OutcomeType
from jiritsu.programs.testing import make_program
from jiritsu.reports import figures
from jiritsu.reports.periods import Period
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db
D = dt.date

# 08:45 in Japan on 2026-11-20 (still the 19th in UTC): "today" is the 20th.
TODAY = D(2026, 11, 20)
TOMORROW = D(2026, 11, 21)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 45, tzinfo=JAPAN), tick=False):
        yield


@pytest.fixture
def program(world):
    return make_program(world.office, name="就労支援プログラム", consent_required=False,
                        phases=["準備"], menus=["求職支援"])


def _future(call, field="on"):
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert exc.value.code == "future_date"
    assert exc.value.field == field
    assert "未来の日付" in exc.value.message
    return exc.value


def _active(world, program):
    on = D(2026, 10, 1)
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program, on=on)
    services.enrollment_start(actor=cw, enrollment=e, on=on)
    return e


def test_each_transition_refuses_a_future_date_and_changes_nothing(world, program, frozen):
    cw = world.m(world.caseworker)
    _future(lambda: services.enrollment_create(actor=cw, person=world.person, program=program,
                                               on=TOMORROW))
    assert not Enrollment.objects.exists()
    e = services.enrollment_create(actor=cw, person=world.person, program=program, on=TODAY)
    _future(lambda: services.enrollment_select(actor=cw, enrollment=e, on=TOMORROW))
    _future(lambda: services.enrollment_start(actor=cw, enrollment=e, on=TOMORROW))
    _future(lambda: services.enrollment_end(actor=cw, enrollment=e, reason="declined",
                                            on=TOMORROW))
    e.refresh_from_db()
    assert e.status == "candidate" and e.events.count() == 1
    # Today is never "in the future", whatever the hour (08:45 here).
    services.enrollment_start(actor=cw, enrollment=e, on=TODAY)
    other = make_program(world.office, name="在宅支援", consent_required=False)
    _future(lambda: services.enrollment_extend(actor=cw, enrollment=e, on=TOMORROW,
                                               until=D(2027, 8, 1)))
    _future(lambda: services.enrollment_transfer(actor=cw, enrollment=e, on=TOMORROW,
                                                 target_program=other))
    # A planned end is a plan: a date after today is what it is for.
    services.enrollment_extend(actor=cw, enrollment=e, on=TODAY, until=D(2027, 8, 1))
    e.refresh_from_db()
    assert e.planned_end_on == D(2027, 8, 1)


def test_a_future_start_is_refused_and_not_counted_in_this_fiscal_year(world, program, frozen):
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program,
                                   on=D(2026, 11, 1))
    err = _future(lambda: services.enrollment_start(actor=cw, enrollment=e,
                                                    on=D(2027, 2, 1)))
    assert "支援開始日" in err.message
    report = figures.office_report(world.office, Period.for_fiscal_year(2026))
    assert report["totals"]["participants"] == 0
    assert report["totals"]["started"] == 0


def test_other_dated_facts_refuse_the_future(world, program, frozen):
    cw = world.m(world.caseworker)
    _future(lambda: services.nomination_record(
        actor=cw, program=program, person=world.person, source="caseworker",
        nominated_by="佐藤", nominated_on=TOMORROW), field="nominated_on")
    _future(lambda: services.consent_record(actor=cw, person=world.person, program=program,
                                            given_on=TOMORROW, form="written"),
            field="given_on")
    consent = make_consent(world.person, program, recorded_by=world.caseworker)
    _future(lambda: services.consent_withdraw(actor=cw, consent=consent, on=TOMORROW,
                                              expected_version=consent.version),
            field="withdrawn_on")
    _future(lambda: services.conference_create(actor=cw, kind=Conference.Kind.NETWORK,
                                               held_on=TOMORROW, title="会議"),
            field="held_on")
    e = _active(world, program)
    _future(lambda: services.review_create(actor=cw, enrollment=e, reviewed_on=TOMORROW,
                                           evaluation="順調", decision=Review.Decision.CONTINUE),
            field="reviewed_on")
    # The next review is a plan: it may (and should) be after today.
    services.review_create(actor=cw, enrollment=e, reviewed_on=TODAY, evaluation="順調",
                           decision=Review.Decision.CONTINUE, next_due_on=D(2027, 2, 1))
    kind = OutcomeType.objects.filter(program=program, kind="employment_start").get()
    _future(lambda: services.outcome_record(actor=cw, enrollment=e, outcome_type=kind,
                                            occurred_on=TOMORROW,
                                            data={"job_kind": "販売", "monthly_income": 80000}),
            field="occurred_on")
    _future(lambda: services.plan_create(actor=cw, enrollment=e, goals=[{"text": "就労"}],
                                         agreed_on=TOMORROW), field="agreed_on")


def test_future_start_on_screen_and_api(client, world, program, frozen):
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program, on=TODAY)
    client.force_login(world.caseworker)
    resp = client.post(reverse("programs:transition", args=[e.pk, "start"]),
                       {"start-on": "R8.11.21", "start-version": e.version})
    assert resp.status_code == 422
    page = resp.content.decode()
    assert "支援開始日に未来の日付（令和8年11月21日）は入力できません。" in page
    r = ApiClient(token_for(world, world.caseworker)).post(f"enrollments/{e.pk}/start",
                                      {"on": "2026-11-21", "version": e.version})
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("future_date", "on")
    assert error["message"].startswith("支援開始日に未来の日付")
    e.refresh_from_db()
    assert e.status == "candidate"

