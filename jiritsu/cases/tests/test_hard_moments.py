"""The life cycle, its records and the fiscal-year figures at the hard moments of the clock:
00:05, 08:45 and 23:55 Japan time on the last and first days of a fiscal year (3/31 → 4/1) and
across the era change (2019-04-30 平成 → 2019-05-01 令和). Each test freezes the moment
(time-machine) before its world is built, so everything happens "today" at that moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.cases import services
from jiritsu.cases.models import ActivityRecord, Conference, Enrollment, Outcome, Plan, Review
from jiritsu.core import clock, wareki
from jiritsu.core.errors import ValidationFailed
from jiritsu.programs.models import OutcomeKind
from jiritsu.programs.testing import make_program
from jiritsu.reports import figures
from jiritsu.reports.periods import Period, period_from_params

pytestmark = pytest.mark.django_db
ESTABLISHED = dt.date(2018, 4, 1)


@pytest.fixture(params=t.HARD_MOMENTS)
def moment(request: Any, japan_time: Any) -> str:
    """Each hard moment, frozen before the world is built."""
    japan_time(request.param)
    return request.param


def _on_assistance_since_2018(world: Any) -> None:
    world.household.assistance_started_on = ESTABLISHED
    world.household.save(update_fields=["assistance_started_on"])


def _figures(world: Any, fy: int, code: str) -> dict[str, Any]:
    report = figures.office_report(world.office, Period.for_fiscal_year(fy))
    return {p["code"]: p for p in report["programs"]}[code]


def test_life_cycle_and_figures_at_the_hard_moments(moment: str, world: Any) -> None:
    today = clock.today()
    assert today == dt.date.fromisoformat(moment[:10])
    fy = wareki.fiscal_year_of(today)
    cw = world.m(world.caseworker)
    _on_assistance_since_2018(world)
    program = make_program(world.office, code="HM1", name="就労支援プログラム",
                           established_on=ESTABLISHED)
    employment = program.outcome_types.get(kind=OutcomeKind.EMPLOYMENT_START)
    tomorrow = today + dt.timedelta(days=1)

    # Everything dated today is accepted at any hour; tomorrow is refused the same way.
    with pytest.raises(ValidationFailed) as exc:
        services.consent_record(actor=cw, person=world.person, program=program,
                                given_on=tomorrow, form="written")
    assert exc.value.code == clock.FUTURE_DATE
    services.consent_record(actor=cw, person=world.person, program=program, given_on=today,
                            form="written")
    services.conference_create(
        actor=cw, kind=Conference.Kind.INTERNAL, held_on=today, title="所内検討会",
        program=program, attendees=[{"user": world.caseworker}],
        decisions=[{"person": world.person, "decision": "start", "reason": "意欲あり"}])
    e = Enrollment.objects.get(person=world.person, program=program)
    assert (e.status, e.candidate_on, e.started_on) == (Enrollment.Status.ACTIVE, today, today)
    services.plan_create(actor=cw, enrollment=e, agreed_on=today, policy="週1回同行",
                         goals=[{"text": "週3日の就労", "target_on": today + dt.timedelta(90)}])
    services.record_create(actor=cw, person=world.person, enrollment=e,
                           values={"occurred_at": today, "kind": "home_visit", "text": "訪問"})
    services.record_create(actor=cw, person=world.person, enrollment=e, values={
        "occurred_at": clock.now(), "kind": "phone", "text": "電話"})
    services.review_create(actor=cw, enrollment=e, reviewed_on=today, evaluation="順調",
                           decision="continue")
    with pytest.raises(ValidationFailed) as exc:
        services.outcome_record(actor=cw, enrollment=e, outcome_type=employment,
                                occurred_on=tomorrow, data={"employer": "竹原工業",
                                                            "job_kind": "軽作業"})
    assert exc.value.code == clock.FUTURE_DATE
    services.outcome_record(actor=cw, enrollment=e, outcome_type=employment, occurred_on=today,
                            data={"employer": "竹原工業", "job_kind": "軽作業",
                                  "monthly_income": 80000})
    assert Plan.objects.filter(enrollment=e).count() == 1
    assert Review.objects.filter(enrollment=e).count() == 1
    assert Outcome.objects.filter(enrollment=e).count() == 1
    records = ActivityRecord.objects.filter(enrollment=e).order_by("time_known")
    assert [(r.occurred_on, r.time_known) for r in records] == [(today, False), (today, True)]

    # The figures count the person in today's fiscal year in Japan, and not the one before or
    # after; the reports' default period is today's fiscal year.
    now_fy = _figures(world, fy, "HM1")
    assert (now_fy["participants"], now_fy["started"]) == (1, 1)
    assert {i["key"]: i["n"] for i in now_fy["outcomes_by_kind"]} == {"employment_start": 1}
    assert _figures(world, fy - 1, "HM1")["participants"] == 0
    next_fy = _figures(world, fy + 1, "HM1")  # still taking part, but started and employed now
    assert (next_fy["started"], next_fy["outcomes_by_kind"]) == (0, [])
    assert period_from_params({}) == Period.for_fiscal_year(fy)
    assert fy == (2025 if today == dt.date(2026, 3, 31) else
                  2026 if today == dt.date(2026, 4, 1) else 2019)


@pytest.mark.parametrize("at", ["2026-04-01 08:45", "2026-04-01 00:05", "2019-05-01 00:05",
                                "2019-04-30 23:55"])
def test_the_walk_on_screens_at_the_hard_moments(at: str, japan_time: Any, world: Any,
                                                 client: Any) -> None:
    """The browser walk's steps through the test client, dated today, in the early morning
    (before 09:00 Japan time UTC is still yesterday) and across the era change."""
    japan_time(at)
    today = clock.today()
    day = wareki.format_wareki(today)  # entered as 和暦, as people type it
    program = make_program(world.office, code="HM2", name="就労支援プログラム",
                           established_on=ESTABLISHED)
    person = world.person
    _on_assistance_since_2018(world)
    client.force_login(world.caseworker)

    def ok(resp: Any) -> Any:
        form = resp.context.get("form") if resp.context else None
        assert resp.status_code == 302, form.errors if form is not None else resp.status_code
        return resp

    ok(client.post(reverse("programs:consent_new", args=[person.pk]), {
        "program": program.pk, "given_on": day, "form": "written"}))
    ok(client.post(reverse("programs:conference_new"), {
        "program": program.pk, "people": [person.pk], "kind": "internal", "held_on": day,
        "title": "就労支援検討会", "staff": [world.caseworker.pk],
        f"d{person.pk}-person_id": person.pk, f"d{person.pk}-decision": "start",
        f"d{person.pk}-reason": "本人の意欲が高い"}))
    e = Enrollment.objects.get(person=person, program=program)
    assert (e.status, e.started_on) == (Enrollment.Status.ACTIVE, today)
    ok(client.post(reverse("programs:plan_new", args=[e.pk]), {
        "agreed_on": day, "policy": "週1回ハローワークに同行する。", "based_on_number": "0",
        "goal_0_text": "3か月以内に週3日の就労"}))
    # the record step: a date and no time, at this hour of that same day
    ok(client.post(reverse("programs:record_new", args=[person.pk]), {
        "occurred_on": day, "kind": "home_visit", "enrollment": e.pk,
        "text": "自宅を訪問。求人票を一緒に確認した。"}))
    assert ActivityRecord.objects.get().time_known is False
    episode = client.get(reverse("programs:enrollment", args=[e.pk])).content.decode()
    assert f"{day} <span class=\"muted small\">時刻なし</span>" in episode
    ok(client.post(reverse("programs:review_new", args=[e.pk]), {
        "reviewed_on": day, "evaluation": "求職活動は順調。", "decision": "continue"}))
    otype = program.outcome_types.get(kind=OutcomeKind.EMPLOYMENT_START)
    ok(client.post(reverse("programs:outcome_new", args=[e.pk]), {
        "outcome_type": otype.pk, "occurred_on": today.isoformat(), "employer": "スーパーみなと",
        "job_kind": "品出し", "monthly_income": "80000"}))

    page = client.get(reverse("people:person", args=[person.pk])).content.decode()
    for text in ("経過記録", "時刻なし", "見直し", "成果", day):
        assert text in page
    report = client.get(reverse("reports:report")).content.decode()
    assert wareki.format_fiscal_year(wareki.fiscal_year_of(today)) in report
