"""Workplace training attendance through the API: the service's limits surface with their codes."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.activities import services
from jiritsu.activities.models import TrainingDay
from jiritsu.activities.tests.helpers import enrol, program_from
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Outcome
from jiritsu.core import clock
from jiritsu.offices.models import PartnerOrganisation
from jiritsu.programs.models import OutcomeKind

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def placement(world):
    mgr = world.m(world.manager)
    program = program_from(mgr, "itami_workplace_training")
    employer = t.make_partner(world.office, PartnerOrganisation.Kind.EMPLOYER, "伊丹製作所")
    approved = services.training_employer_approve(actor=mgr, partner=employer,
                                                  approved_on=D(2026, 3, 20))
    return services.training_placement_start(
        actor=world.m(world.caseworker), enrollment=enrol(program, world.person), employer=approved,
        visited_on=D(2026, 3, 25), starts_on=D(2026, 4, 1), duties="部品の検品")


def test_training_days_are_recorded_listed_and_audited(world, api_as, placement):
    c = api_as(world.caseworker)
    r = c.post(f"training-placements/{placement.pk}/days", {"day": "2026-04-01", "hours": "3.5"})
    assert r.status_code == 201, r.json()
    assert r.json()["hours"] == 3.5 and r.json()["recorded_by_id"] == world.caseworker.pk
    listed = c.get(f"training-placements/{placement.pk}/days").json()
    assert listed["count"] == 1 and listed["results"][0]["day"] == "2026-04-01"
    assert AuditEvent.objects.filter(action="training_day.record").count() == 1


def test_more_than_four_hours_and_twenty_days_are_refused_with_the_services_codes(
        world, api_as, placement):
    c = api_as(world.caseworker)
    r = c.post(f"training-placements/{placement.pk}/days", {"day": "2026-04-01", "hours": 4.5})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "training_day_over_4_hours"
    assert r.json()["error"]["field"] == "hours"
    for n in range(1, 21):
        TrainingDay.objects.create(placement=placement, day=D(2026, 4, n), hours=3,
                                   recorded_by=world.caseworker)
    r = c.post(f"training-placements/{placement.pk}/days", {"day": "2026-04-28", "hours": 3})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "training_month_over_20_days"
    assert TrainingDay.objects.filter(placement=placement).count() == 20


def test_a_partner_and_another_office_see_no_placement(world, api_as, placement):
    body = {"day": "2026-04-01", "hours": 3}
    assert api_as(world.partner).post(f"training-placements/{placement.pk}/days",
                                      body).status_code == 403
    assert api_as(world.outsider).get(f"training-placements/{placement.pk}/days").status_code == 404
    assert not TrainingDay.objects.exists()


@pytest.fixture
def referral(world):
    from jiritsu.programs.testing import make_program

    hw = t.make_partner(world.office, PartnerOrganisation.Kind.HELLO_WORK, "ハローワーク伊丹")
    enrollment = enrol(make_program(world.office), world.person)
    return services.hw_referral_start(actor=world.m(world.caseworker), enrollment=enrollment,
                                      hello_work=hw, consented_on=D(2026, 4, 2))


def test_hello_work_referral_steps_follow_the_service(world, api_as, referral):
    c = api_as(world.caseworker)
    url = f"hello-work-referrals/{referral.pk}/steps"
    r = c.post(url, {"version": 1, "step": "form_a", "on": "2026-04-03"})
    assert r.status_code == 200, r.json()
    r = c.post(url, {"version": 2, "step": "request", "on": "2026-04-05"})
    assert r.json()["status"] == "requested"
    bad = c.post(url, {"version": 3, "step": "interview", "on": "2026-04-10"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "menu"
    early = c.post(url, {"version": 3, "step": "supporting", "on": "2026-04-10"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "illegal_transition"
    stale = c.post(url, {"version": 1, "step": "interview", "on": "2026-04-10", "menu": "trial"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_edit"
    assert AuditEvent.objects.filter(action__startswith="hw_referral.").count() == 3
    assert api_as(world.outsider).post(url, {"version": 3, "step": "ended",
                                             "on": "2026-04-10"}).status_code == 404


def test_the_check_after_discharge_through_the_api(world, api_as):
    """五條's check through the API: a phone call cannot say the life is settled
    (``life_check_needs_visit``); an unsettled interview leaves the check open with the
    consultation as the next step, which a record of the consultation closes."""
    program = program_from(world.m(world.manager), "gojo_discharge")
    today = clock.today()
    e = enrol(program, world.person, started_on=today - dt.timedelta(days=200))
    Outcome.objects.create(enrollment=e, outcome_type=program.outcome_types.get(kind="discharge"),
                           kind=OutcomeKind.DISCHARGE, occurred_on=today - dt.timedelta(days=30),
                           recorded_by=world.caseworker)
    c = api_as(world.caseworker)

    def record(kind: str, life_check: str) -> dict:
        r = c.post("records", {"person_id": world.person.pk, "occurred_at": today.isoformat(),
                               "kind": kind, "text": "退院後の生活状況", "life_check": life_check})
        return {"status": r.status_code, **r.json()}

    refused = record("phone", "settled")
    assert refused["status"] == 422 and refused["error"]["code"] == "life_check_needs_visit"
    made = record("home_visit", "unsettled")
    assert made["status"] == 201 and made["life_check_label"].startswith("不穏な症状")
    [f] = c.get("tasks").json()["follow_ups"]
    assert (f["state"], f["done_on"], f["checked_on"]) == ("consult", None, today.isoformat())
    assert "退院前の主治医" in f["step_label"]
    assert record("agency_contact", "doctor_consulted")["status"] == 201
    [f] = c.get("tasks").json()["follow_ups"]
    assert (f["state"], f["done_on"]) == ("consulted", today.isoformat())


def test_takehara_companions_and_the_survey_day_through_the_api(world, api_as):
    """竹原 through the API: a discharge to one's own home lists the companion programs in
    ``GET /tasks`` until considered (``reason=after_discharge``); the office says which day
    「11月31日」 means in its settings, and a day that does not exist is refused."""
    discharge = program_from(world.m(world.manager), "takehara_discharge")
    home_life = program_from(world.m(world.manager), "takehara_home_life")
    employment = program_from(world.m(world.manager), "takehara_employment")
    today = clock.today()
    e = enrol(discharge, world.person, started_on=today - dt.timedelta(days=100))
    Outcome.objects.create(enrollment=e, outcome_type=discharge.outcome_types.get(kind="discharge"),
                           kind=OutcomeKind.DISCHARGE, occurred_on=today - dt.timedelta(days=3),
                           destination="home", recorded_by=world.caseworker)
    c = api_as(world.caseworker)
    [row] = c.get("tasks").json()["companions"]
    assert row["person_id"] == world.person.pk and row["destination_label"] == "自宅"
    assert set(row["companion_program_ids"]) == {home_life.pk, employment.pk}
    for p in (home_life, employment):
        r = c.post("tasks/new-case-considered", {
            "program_id": p.pk, "person_id": world.person.pk, "on": today.isoformat(),
            "note": "本人が希望しない", "reason": "after_discharge"})
        assert r.status_code == 201, r.json()
    assert c.get("tasks").json()["companions"] == []
    assert api_as(world.outsider).get("tasks", {"everyone": "true"}).json()["companions"] == []

    admin = api_as(world.admin)
    r = admin.patch("office/settings", {"survey_period_ends": "11月31日"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_such_day"
    r = admin.patch("office/settings", {"survey_period_ends": "１１月３０日"})
    assert r.status_code == 200 and r.json()["survey_period_ends"] == "11-30"
