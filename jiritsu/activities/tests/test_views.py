"""The activities screens through the test client: render, refuse, respect offices and roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities import services
from jiritsu.activities.models import TrainingDay
from jiritsu.activities.tests.helpers import (
    at_the_interview,
    enrol,
    program_from,
    routed_to_hello_work,
    wants_to_work,
)
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord
from jiritsu.cases.testing import make_consent
from jiritsu.core import clock
from jiritsu.core.errors import NotFound
from jiritsu.offices.models import PartnerOrganisation
from jiritsu.programs.models import Program

D = dt.date


def login(client, user):
    client.force_login(user)
    return client


def test_manager_creates_a_program_from_a_template_in_one_form(client, world):
    login(client, world.manager)
    page = client.get(reverse("activities:templates"))
    assert page.status_code == 200 and "生活保護精神障害者退院支援プログラム" in page.content.decode()
    url = reverse("activities:template_create", args=["izumo_discharge"])
    assert "退院前訓練" in client.get(url).content.decode()
    resp = client.post(url, {"name": "精神障害者退院支援（当所）", "code": "IZUMO",
                             "established_on": "H19.4.1", "review_interval_months": "3"})
    assert resp.status_code == 302
    program = Program.objects.get(office=world.office, code="IZUMO")
    assert program.phases.count() == 3 and program.established_on == D(2007, 4, 1)


def test_caseworker_cannot_create_programs_from_templates(client, world):
    login(client, world.caseworker)
    url = reverse("activities:template_create", args=["izumo_discharge"])
    assert client.get(url).status_code == 403


@pytest.fixture
def placement(world):
    program = program_from(world.m(world.manager), "itami_workplace_training")
    employer = t.make_partner(world.office, PartnerOrganisation.Kind.EMPLOYER, "伊丹製作所")
    approved = services.training_employer_approve(actor=world.m(world.manager), partner=employer,
                                                  approved_on=D(2026, 3, 20))
    return services.training_placement_start(
        actor=world.m(world.caseworker), enrollment=enrol(program, world.person),
        employer=approved, visited_on=D(2026, 3, 25), starts_on=D(2026, 4, 1))


def test_training_screen_refuses_five_hours_beside_the_field(client, world, placement):
    login(client, world.caseworker)
    url = reverse("activities:training_detail", args=[placement.pk])
    resp = client.post(url, {"action": "day", "day": "2026-04-02", "hours": "5"})
    assert resp.status_code == 200
    assert "訓練時間は1日4時間以内です" in resp.content.decode()
    assert not TrainingDay.objects.exists()
    resp = client.post(url, {"action": "day", "day": "2026-04-02", "hours": "3.5"})
    assert resp.status_code == 302 and TrainingDay.objects.count() == 1
    assert client.get(reverse("activities:training_list")).status_code == 200


def test_training_of_another_office_is_not_found(client, world, placement):
    login(client, world.outsider)
    assert client.get(reverse("activities:training_detail", args=[placement.pk])).status_code == 404


def test_series_screen_shows_budget_and_refuses_overspending(client, world):
    program = program_from(world.m(world.manager), "otsu_study_group")
    series = services.series_create(actor=world.m(world.caseworker), program=program,
                                    kind="study_group", title="中3学習会",
                                    venue="瀬田南市民センター", starts_on=D(2026, 5, 1))
    login(client, world.caseworker)
    url = reverse("activities:series_detail", args=[series.pk])
    resp = client.post(url, {"action": "expense", "spent_on": "2026-05-01", "item": "会場費",
                             "amount_yen": "250000"})
    assert "予算を超えるため記録できません" in resp.content.decode()
    resp = client.post(url, {"action": "session", "held_on": "2026-05-07", "topic": "英語"})
    assert resp.status_code == 302
    page = client.get(url).content.decode()
    assert "瀬田南市民センター" in page and "200,000円" in page
    assert client.get(reverse("activities:series_list")).status_code == 200


def test_person_support_page_draws_the_measurement_chart_and_is_audited(client, world):
    for i, (s, d, w) in enumerate([(150, 95, "72.5"), (138, 88, "70.0")]):
        ActivityRecord.objects.create(
            office=world.office, person=world.person,
            occurred_at=dt.datetime(2026, 4 + i, 1, 10, tzinfo=clock.JAPAN), kind="home_visit",
            text="同行訪問", author=world.caseworker, systolic_bp=s, diastolic_bp=d, weight_kg=w)
    login(client, world.caseworker)
    page = client.get(reverse("activities:person_support", args=[world.person.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "polyline" in html
    assert AuditEvent.objects.filter(action="person.support_view",
                                     person_id=world.person.pk).exists()


def test_person_support_page_is_closed_to_partners_and_other_offices(client, world):
    # A partner's role lacks the office-wide action: 403 before any person is looked up.
    login(client, world.partner)
    assert client.get(reverse("activities:person_support",
                              args=[world.person.pk])).status_code == 403
    client.logout()
    login(client, world.outsider)
    assert client.get(reverse("activities:person_support",
                              args=[world.person.pk])).status_code == 404


def test_hello_work_sees_and_answers_only_its_own_referrals(client, world):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    ref = services.hw_referral_start(actor=world.m(world.caseworker),
                                     enrollment=routed_to_hello_work(world, enrol(program, world.person)),
                                     hello_work=world.partner_org, consented_on=D(2026, 5, 1))
    for step in ("form_a", "request"):
        services.hw_referral_advance(actor=world.m(world.caseworker), referral=ref, step=step,
                                     on=D(2026, 5, 2), expected_version=ref.version)
    services.hw_referral_advance(actor=world.m(world.caseworker), referral=ref, step="interview",
                                 on=D(2026, 5, 9), menu="trial", expected_version=ref.version,
                                 attendees=at_the_interview(world))
    login(client, world.partner)
    url = reverse("activities:referral_detail", args=[ref.pk])
    assert client.get(url).status_code == 404  # no consent names the Hello Work yet
    make_consent(world.person, program, partners=[world.partner_org], recorded_by=world.caseworker)
    assert client.get(url).status_code == 200
    resp = client.post(url, {"version": ref.version, "step": "employed", "on": "2026-06-01",
                             "note": "トライアル雇用から常用雇用へ"})
    assert resp.status_code == 302
    ref.refresh_from_db()
    assert ref.status == "employed"
    other_hw = t.make_partner(world.office, PartnerOrganisation.Kind.HELLO_WORK, "ハローワークＺ")
    other_user = t.make_user(world.office, "partner", partner=other_hw)
    client.logout()
    login(client, other_user)
    assert client.get(url).status_code == 404


def test_tasks_page_lists_new_cases_and_marks_them_considered(client, world):
    program = program_from(world.m(world.manager), "zentsuji_employment")
    today = clock.today()
    hh = t.make_household(world.office, caseworker=world.caseworker,
                          assistance_started_on=today - dt.timedelta(days=3))
    new = wants_to_work(t.make_person(world.office, household=hh, name="新規 開始",
                                      birth_date=D(1990, 1, 1)), today)
    login(client, world.caseworker)
    assert "新規 開始" in client.get(reverse("activities:tasks")).content.decode()
    resp = client.post(reverse("activities:tasks"), {
        "action": "considered", "person": new.pk, "program": program.pk,
        "on": today.isoformat(), "note": "通院中のため受療状況報告書を待つ"})
    assert resp.status_code == 302
    assert "新規 開始" not in client.get(reverse("activities:tasks")).content.decode()


def test_partner_directory_lists_centres_by_area(client, world):
    t.make_partner(world.office, PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE,
                   "紀の川・岩出生活支援センター", areas=["那賀", "伊都"])
    login(client, world.caseworker)
    html = client.get(reverse("activities:partner_areas")).content.decode()
    assert "那賀" in html and "紀の川・岩出生活支援センター" in html


def test_a_single_parent_child_is_registered_without_a_case_and_enrolled(client, world):
    program = program_from(world.m(world.manager), "otsu_study_group")
    login(client, world.caseworker)
    url = reverse("activities:non_recipient", args=[program.pk])
    resp = client.post(url, {"name": "一人 親子", "kana": "ひとり おやこ", "birth_date": "H4.9.1",
                             "sex": "female", "school_grade": "j3", "registered_on": "2026-05-01"})
    assert resp.status_code == 302
    enrollment = program.enrollments.get()
    assert enrollment.person.household is None and enrollment.status == "candidate"
    ueda = program_from(world.m(world.manager), "ueda_employment")
    resp = client.post(reverse("activities:non_recipient", args=[ueda.pk]), {
        "name": "別 人", "kana": "べつ ひと", "birth_date": "1990-01-01", "sex": "male",
        "registered_on": "2026-05-01"})
    assert "被保護者以外を対象にしていません" in resp.content.decode()


def test_invitations_offer_the_people_the_rules_select(client, world):
    program = program_from(world.m(world.manager), "otsu_study_group",
                           rules={"op": "and", "conditions": [
                               {"field": "school_grade", "op": "in", "value": ["j3"]}]})
    child = t.make_person(world.office, household=world.household, name="中三 生徒",
                          school_grade="j3", birth_date=D(2011, 6, 1))
    series = services.series_create(actor=world.m(world.caseworker), program=program,
                                    kind="study_group", title="中3学習会", venue="市民センター",
                                    starts_on=D(2026, 5, 1))
    login(client, world.caseworker)
    url = reverse("activities:series_detail", args=[series.pk])
    assert "中三 生徒" in client.get(url).content.decode()
    resp = client.post(url, {"action": "invite", "people": [child.pk], "invited_on": "2026-04-20"})
    assert resp.status_code == 302 and series.recruits.get().person == child


def test_withdrawn_consent_ends_the_hello_works_access_to_the_referral_at_once(client, world):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    ref = services.hw_referral_start(actor=world.m(world.caseworker),
                                     enrollment=routed_to_hello_work(world, enrol(program, world.person)),
                                     hello_work=world.partner_org, consented_on=D(2026, 5, 1))
    for step in ("form_a", "request"):
        services.hw_referral_advance(actor=world.m(world.caseworker), referral=ref, step=step,
                                     on=D(2026, 5, 2), expected_version=ref.version)
    services.hw_referral_advance(actor=world.m(world.caseworker), referral=ref, step="interview",
                                 on=D(2026, 5, 9), menu="trial", expected_version=ref.version,
                                 attendees=at_the_interview(world))
    consent = make_consent(world.person, program, partners=[world.partner_org],
                           recorded_by=world.caseworker)
    login(client, world.partner)
    url = reverse("activities:referral_detail", args=[ref.pk])
    assert client.get(url).status_code == 200
    consent.withdrawn_on = D(2026, 5, 20)
    consent.save()
    assert client.get(url).status_code == 404
    resp = client.post(url, {"version": ref.version, "step": "employed", "on": "2026-06-01"})
    assert resp.status_code == 404
    ref.refresh_from_db()
    assert ref.status == "interviewed"
    # The service refuses too, whatever door a caller came through.
    with pytest.raises(NotFound):
        services.hw_referral_advance(actor=world.m(world.partner), referral=ref, step="employed",
                                     on=D(2026, 6, 1), expected_version=ref.version)
