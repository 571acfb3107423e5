"""The seed programs' own features, through their services and selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities import catalog, selectors, services
from jiritsu.activities.models import HealthTrack, HelloWorkReferral, TrainingDay
from jiritsu.activities.tests.helpers import (
    at_the_interview,
    enrol,
    program_from,
    routed_to_hello_work,
    wants_to_work,
)
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services as program_services
from jiritsu.cases.models import ActivityRecord, Plan, PlanCommitment
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, IllegalTransition, ValidationFailed
from jiritsu.offices.models import PartnerOrganisation

D = dt.date


def test_catalogue_has_the_fifteen_seed_programs_with_distinct_codes():
    assert len(catalog.TEMPLATES) == 15
    assert len({t.code for t in catalog.TEMPLATES}) == 15
    assert {t.code for t in catalog.COMPANIONS} == {"takehara_employment", "takehara_home_life"}


@pytest.mark.parametrize("code", [t.code for t in (*catalog.TEMPLATES, *catalog.COMPANIONS)])
def test_every_template_instantiates_with_its_parts(world, code):
    tpl = catalog.BY_CODE[code]
    program = program_from(world.m(world.manager), code)
    assert program.template_code == code and program.name == tpl.name
    assert [p.name for p in program.phases.all()] == [p.name for p in tpl.phases]
    assert [m.name for m in program.menus.all()] == [m.name for m in tpl.menus]
    assert program.outcome_types.count() == len(tpl.outcomes)
    assert program.targets.count() == len(tpl.targets)
    assert program.versions.count() == 1


def test_izumo_template_has_the_three_phases_and_six_months_after_discharge(world):
    program = program_from(world.m(world.manager), "izumo_discharge")
    assert [(p.name, p.standard_months) for p in program.phases.all()] == [
        ("退院前訓練", None), ("退院先の確保・調整", None), ("退院後の生活・就労訓練", 6)]
    assert program.conference_kind == "network"


def test_instantiate_accepts_adjustments_and_refuses_a_used_code(world):
    mgr = world.m(world.manager)
    p = program_from(mgr, "itami_workplace_training", code="ITAMI", name="職場適応訓練（当所版）",
                     standard_length_months=4)
    assert (p.code, p.name, p.standard_length_months, p.max_length_months) == (
        "ITAMI", "職場適応訓練（当所版）", 4, 12)
    with pytest.raises(ValidationFailed) as e:
        program_from(mgr, "itami_workplace_training", code="ITAMI")
    assert e.value.field == "code"
    assert AuditEvent.objects.filter(action="program.instantiate_template").count() == 1


def test_only_managers_instantiate_templates(world):
    with pytest.raises(Forbidden):
        program_from(world.m(world.caseworker), "ueda_employment")


def test_takehara_targets_reduce_by_five_by_fy2011_and_none_left_by_fy2012(world):
    p = program_from(world.m(world.manager), "takehara_discharge")
    rows = list(p.targets.values_list("metric", "value", "fiscal_year_to", "baseline"))
    assert rows == [("reduction", 5, 2011, 6), ("reduction", 6, 2012, 6)]
    assert p.established_on == D(2007, 10, 1)


# --- workplace training ----------------------------------------------------------

@pytest.fixture
def itami(world):
    mgr = world.m(world.manager)
    program = program_from(mgr, "itami_workplace_training")
    employer = t.make_partner(world.office, PartnerOrganisation.Kind.EMPLOYER, "伊丹製作所")
    approved = services.training_employer_approve(actor=mgr, partner=employer,
                                                  approved_on=D(2026, 3, 20))
    enrollment = enrol(program, world.person)
    placement = services.training_placement_start(
        actor=world.m(world.caseworker), enrollment=enrollment, employer=approved,
        visited_on=D(2026, 3, 25), starts_on=D(2026, 4, 1), duties="部品の検品")
    return placement


def test_only_the_director_approves_training_employers(world):
    employer = t.make_partner(world.office, PartnerOrganisation.Kind.EMPLOYER, "事業所X")
    with pytest.raises(Forbidden):
        services.training_employer_approve(actor=world.m(world.supervisor), partner=employer,
                                           approved_on=D(2026, 4, 1))


def test_placement_lasts_six_months_by_default(itami):
    assert itami.ends_on == D(2026, 9, 30)


def test_a_day_over_four_hours_is_refused_with_a_clear_message(world, itami):
    with pytest.raises(ValidationFailed) as e:
        services.training_day_record(actor=world.m(world.caseworker), placement=itami,
                                     day=D(2026, 4, 2), hours="4.5")
    assert e.value.code == "training_day_over_4_hours"
    assert "1日4時間以内" in e.value.message
    services.training_day_record(actor=world.m(world.caseworker), placement=itami,
                                 day=D(2026, 4, 2), hours="4")


def test_a_twenty_first_day_in_a_month_is_refused(world, itami):
    cw = world.m(world.caseworker)
    days = [D(2026, 4, d) for d in range(1, 31) if D(2026, 4, d).weekday() < 6][:20]
    for d in days:
        services.training_day_record(actor=cw, placement=itami, day=d, hours=3)
    with pytest.raises(ValidationFailed) as e:
        services.training_day_record(actor=cw, placement=itami, day=D(2026, 4, 30), hours=3)
    assert e.value.code == "training_month_over_20_days"
    assert "1か月20日まで" in e.value.message
    # the next month starts afresh
    services.training_day_record(actor=cw, placement=itami, day=D(2026, 5, 1), hours=3)
    months = selectors.training_months(itami)
    assert (months[0].days, months[0].hours, months[1].days) == (20, 60, 1)
    assert TrainingDay.objects.filter(placement=itami).count() == 21


def test_extension_needs_the_director_and_stops_at_twelve_months(world, itami):
    with pytest.raises(Forbidden):
        services.training_placement_extend(actor=world.m(world.supervisor), placement=itami,
                                           until=D(2026, 12, 31), approved_on=D(2026, 9, 1),
                                           expected_version=itami.version)
    mgr = world.m(world.manager)
    with pytest.raises(ValidationFailed) as e:
        services.training_placement_extend(actor=mgr, placement=itami, until=D(2027, 4, 1),
                                           approved_on=D(2026, 9, 1),
                                           expected_version=itami.version)
    assert "最長12か月" in e.value.message
    services.training_placement_extend(actor=mgr, placement=itami, until=D(2027, 3, 31),
                                       approved_on=D(2026, 9, 1), expected_version=itami.version)
    assert itami.ends_on == D(2027, 3, 31) and itami.extended_by == world.manager


def test_monthly_status_and_what_follows_the_training(world, itami):
    cw = world.m(world.caseworker)
    services.training_month_status(actor=cw, placement=itami, month=D(2026, 4, 15),
                                   assessment="遅刻なく通所", decision="continue")
    services.training_placement_end(actor=cw, placement=itami, ended_on=D(2026, 9, 30),
                                    follow_up="employed_here", follow_up_note="パート採用",
                                    expected_version=itami.version)
    assert itami.status == "ended" and itami.follow_up == "employed_here"
    with pytest.raises(IllegalTransition):
        services.training_day_record(actor=cw, placement=itami, day=D(2026, 9, 29), hours=2)


# --- group sessions --------------------------------------------------------------

def test_otsu_study_group_budget_volunteers_and_attendance(world):
    mgr, cw = world.m(world.manager), world.m(world.caseworker)
    program = program_from(mgr, "otsu_study_group")
    series = services.series_create(actor=cw, program=program, kind="study_group",
                                    title="中3学習会", venue="瀬田南市民センター",
                                    schedule="毎週1回", starts_on=D(2026, 5, 1))
    assert series.budget_yen == 200_000
    student = services.volunteer_add(actor=cw, series=series, name="龍谷 学", kind="university_student",
                                     affiliation="龍谷大学")
    minsei = services.volunteer_add(actor=cw, series=series, name="民生 委子", kind="minsei_iin")
    pupil = t.make_person(world.office, school_grade="j3", birth_date=D(2011, 6, 1),
                          household=t.make_household(world.office, caseworker=world.caseworker,
                                                    district="南部地域"))
    services.recruitment_invite(actor=cw, series=series, people=[pupil],
                                invited_on=D(2026, 4, 20))
    session = services.session_hold(actor=cw, series=series, held_on=D(2026, 5, 7),
                                    topic="数学", volunteers=[student, minsei],
                                    present=[world.person])
    assert session.venue == "瀬田南市民センター"
    services.expense_record(actor=cw, series=series, spent_on=D(2026, 5, 7), item="教材",
                            amount_yen=150_000)
    with pytest.raises(ValidationFailed) as e:
        services.expense_record(actor=cw, series=series, spent_on=D(2026, 6, 1), item="教材",
                                amount_yen=60_000)
    assert e.value.code == "over_budget" and "残り50,000円" in e.value.message
    detail = selectors.series_detail(series)
    assert (detail.spent, detail.remaining, detail.sessions[0].present_count) == (150_000,
                                                                                   50_000, 1)


def test_invitations_are_for_eligible_people_not_yet_invited(world):
    """The rule lives in the service, so the screen and the API refuse alike."""
    mgr, cw = world.m(world.manager), world.m(world.caseworker)
    program = program_from(mgr, "otsu_study_group")
    series = services.series_create(actor=cw, program=program, kind="study_group",
                                    title="中3学習会", starts_on=D(2026, 5, 1))
    pupil = t.make_person(world.office, school_grade="j3", birth_date=D(2011, 6, 1),
                          household=t.make_household(world.office, caseworker=world.caseworker,
                                                    district="南部地域"))
    with pytest.raises(ValidationFailed) as e:
        services.recruitment_invite(actor=cw, series=series, people=[pupil, world.person],
                                    invited_on=D(2026, 4, 20))
    assert (e.value.code, e.value.status, e.value.field) == ("not_eligible", 422, "people")
    assert [d["person_id"] for d in e.value.details] == [world.person.pk]
    assert not series.recruits.exists()
    assert len(services.recruitment_invite(actor=cw, series=series, people=[pupil, pupil],
                                           invited_on=D(2026, 4, 20))) == 1
    with pytest.raises(ValidationFailed) as e:  # already invited
        services.recruitment_invite(actor=cw, series=series, people=[pupil],
                                    invited_on=D(2026, 4, 21))
    assert e.value.code == "not_eligible"


# --- Hello Work referral ----------------------------------------------------------

def test_hello_work_referral_runs_its_steps_in_order(world):
    cw = world.m(world.caseworker)
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = routed_to_hello_work(world, enrol(program, world.person))
    ref = services.hw_referral_start(actor=cw, enrollment=enrollment, hello_work=world.partner_org,
                                     consented_on=D(2026, 5, 1))
    with pytest.raises(ValidationFailed):
        services.hw_referral_advance(actor=cw, referral=ref, step="request", on=D(2026, 5, 2),
                                     expected_version=ref.version)
    services.hw_referral_advance(actor=cw, referral=ref, step="form_a", on=D(2026, 5, 2),
                                 expected_version=ref.version)
    services.hw_referral_advance(actor=cw, referral=ref, step="request", on=D(2026, 5, 3),
                                 expected_version=ref.version)
    with pytest.raises(ValidationFailed) as e:
        services.hw_referral_advance(actor=cw, referral=ref, step="interview", on=D(2026, 5, 10),
                                     expected_version=ref.version)
    assert e.value.field == "menu"
    services.hw_referral_advance(actor=cw, referral=ref, step="interview", on=D(2026, 5, 10),
                                 menu="navigator", attendees=at_the_interview(world), person_present=True,
                                 expected_version=ref.version)
    services.hw_referral_advance(actor=cw, referral=ref, step="employed", on=D(2026, 7, 1),
                                 note="清掃業で就職", expected_version=ref.version)
    ref.refresh_from_db()
    assert (ref.status, ref.menu) == (HelloWorkReferral.Status.EMPLOYED, "navigator")
    assert len(HelloWorkReferral.Menu.values) == 5


# --- job-search commitments ---------------------------------------------------------

def test_job_search_reports_shortfall_against_the_plan(world):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person, started_on=D(2026, 4, 1))
    plan = Plan.objects.create(enrollment=enrollment, number=1, agreed_on=D(2026, 4, 1),
                               created_by=world.caseworker)
    PlanCommitment.objects.create(plan=plan, kind="job_search_report", quantity=2, per="month")
    for day in (D(2026, 4, 10), D(2026, 4, 25), D(2026, 5, 20)):
        ActivityRecord.objects.create(
            office=world.office, person=world.person, enrollment=enrollment,
            occurred_at=dt.datetime.combine(day, dt.time(10), tzinfo=clock.JAPAN),
            kind="job_search_report", text="報告書受理", author=world.caseworker)
    status = selectors.job_search_status(enrollment, until=D(2026, 7, 1))
    assert status is not None
    assert [(m.month.month, m.handed_in, m.shortfall) for m in status.months] == [
        (4, 2, 0), (5, 1, 1), (6, 0, 2), (7, 0, 2)]
    assert status.shortfall == 3  # July is not over yet


# --- 福井 ---------------------------------------------------------------------------

def test_health_tracks_take_only_their_own_fields(world):
    ss = world.m(world.support_staff)
    program = program_from(world.m(world.manager), "fukui_health")
    enrollment = enrol(program, world.person)
    track = services.health_track_open(actor=ss, enrollment=enrollment, track="withdrawn",
                                       started_on=D(2026, 4, 1),
                                       data={"withdrawal_reason": "physical",
                                             "referral": "bath", "referral_place": "町営浴場"})
    assert track.get_withdrawal_reason_display() == "体力的なもの"
    with pytest.raises(ValidationFailed) as e:
        services.health_track_open(actor=ss, enrollment=enrollment, track="chronic",
                                   started_on=D(2026, 4, 1),
                                   data={"care_certification_applied_on": D(2026, 4, 2)})
    assert "要介護認定申請日" in e.value.message
    services.health_track_open(actor=ss, enrollment=enrollment, track="dementia",
                               started_on=D(2026, 4, 1),
                               data={"care_certification_applied_on": D(2026, 4, 2),
                                     "can_live_at_home": True})
    assert HealthTrack.objects.filter(enrollment=enrollment).count() == 2


def test_measurement_chart_is_built_from_records(world):
    for i, (s, d, w) in enumerate([(150, 95, "72.5"), (142, 90, "71.0"), (135, 85, "70.2")]):
        ActivityRecord.objects.create(
            office=world.office, person=world.person,
            occurred_at=dt.datetime(2026, 4 + i, 1, 10, tzinfo=clock.JAPAN), kind="home_visit",
            text="同行訪問", author=world.caseworker, systolic_bp=s, diastolic_bp=d, weight_kg=w)
    bp, weight, rows = selectors.measurement_charts(world.person)
    assert len(rows) == 3 and not bp.empty and not weight.empty
    assert len(bp.lines) == 2 and len(bp.lines[0]["dots"]) == 3
    # higher pressure is drawn higher (smaller y)
    assert bp.lines[0]["dots"][0]["y"] < bp.lines[0]["dots"][2]["y"]


# --- 和歌山 / 尼崎 ---------------------------------------------------------------------

def test_the_centre_serving_the_household_district_is_suggested(world):
    K = PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE
    a = t.make_partner(world.office, K, "和歌山生活支援センター", areas=["和歌山市", "海草"])
    t.make_partner(world.office, K, "紀南障害者地域生活支援センター", areas=["西牟婁", "東牟婁"])
    world.household.district = "海草"
    world.household.save()
    assert selectors.suggest_centres(world.person) == [a]
    areas = dict(selectors.partners_by_area(world.office))
    assert [p.name for p in areas["西牟婁"]] == ["紀南障害者地域生活支援センター"]


def test_receiving_place_capacity_is_respected(world):
    cw = world.m(world.caseworker)
    program = program_from(world.m(world.manager), "amagasaki_discharge")
    gh = t.make_partner(world.office, PartnerOrganisation.Kind.GROUP_HOME, "GHひまわり", capacity=1)
    first = enrol(program, world.person)
    other = t.make_person(world.office, household=world.household)
    second = enrol(program, other)
    r1 = services.receiving_request_make(actor=cw, enrollment=first, facility=gh,
                                         requested_on=D(2026, 5, 1))
    r2 = services.receiving_request_make(actor=cw, enrollment=second, facility=gh,
                                         requested_on=D(2026, 5, 1))
    services.receiving_request_answer(actor=cw, request=r1, status="accepted",
                                      answered_on=D(2026, 5, 10))
    with pytest.raises(ValidationFailed) as e:
        services.receiving_request_answer(actor=cw, request=r2, status="accepted",
                                          answered_on=D(2026, 5, 10))
    assert e.value.code == "facility_full"
    contact = services.family_contact_add(actor=cw, person=world.person, name="髙橋 兄",
                                          relationship="兄")
    req = services.family_request_record(actor=cw, contact=contact, ask="take_in",
                                         asked_on=D(2026, 5, 2), enrollment=first)
    services.family_request_answer(actor=cw, request=req, answer="declined",
                                   answered_on=D(2026, 5, 9), note="住居が狭い")
    assert req.get_answer_display() == "協力不可"


# --- triggers, yearly cycle, non-recipients -----------------------------------------

def test_places_taken_are_one_count_for_the_refusal_and_the_support_page(world, client):
    """受入れ枠: an accepted request holds a place while its episode is open. The refusal,
    the person's support page and the API (``test_activities_support``) count alike; the
    page used to count every acceptance ever (2 of 1 here) while the refusal let one in."""
    cw = world.m(world.caseworker)
    program = program_from(world.m(world.manager), "amagasaki_discharge")
    gh = t.make_partner(world.office, PartnerOrganisation.Kind.GROUP_HOME, "GHひまわり", capacity=1)
    first = enrol(program, world.person)
    other = t.make_person(world.office, household=world.household)
    second = enrol(program, other)
    r1 = services.receiving_request_make(actor=cw, enrollment=first, facility=gh,
                                         requested_on=D(2026, 5, 1))
    services.receiving_request_answer(actor=cw, request=r1, status="accepted",
                                      answered_on=D(2026, 5, 10))
    assert selectors.facility_occupied(gh) == 1
    # The first person's episode ends: the place is free again.
    program_services.enrollment_end(actor=cw, enrollment=first, reason="not_needed",
                                    on=D(2026, 6, 1))
    assert selectors.facility_occupied(gh) == 0
    r2 = services.receiving_request_make(actor=cw, enrollment=second, facility=gh,
                                         requested_on=D(2026, 6, 2))
    services.receiving_request_answer(actor=cw, request=r2, status="accepted",
                                      answered_on=D(2026, 6, 5))
    assert selectors.facility_occupied(gh) == 1
    client.force_login(world.caseworker)
    body = client.get(reverse("activities:person_support", args=[other.pk])).content.decode()
    assert "定員1・受入中1人" in body and "受入中2人" not in body


def test_new_cases_are_listed_until_considered(world):
    cw = world.m(world.caseworker)
    program = program_from(world.m(world.manager), "zentsuji_employment")
    today = D(2026, 6, 1)
    hh = t.make_household(world.office, caseworker=world.caseworker,
                          assistance_started_on=D(2026, 5, 20))
    new = wants_to_work(t.make_person(world.office, household=hh, birth_date=D(1985, 1, 1)),
                        D(2026, 5, 25))
    t.make_person(world.office, household=hh, birth_date=D(1940, 1, 1), member_number=99)
    listed = list(selectors.new_cases_not_considered(world.office, program, today=today))
    assert listed == [new]
    services.new_case_mark_considered(actor=cw, program=program, person=new, on=today,
                                      note="通院中のため受療状況報告書を待つ")
    assert not selectors.new_cases_not_considered(world.office, program, today=today).exists()


def test_non_recipients_only_for_programs_that_allow_them(world):
    mgr = world.m(world.manager)
    otsu = program_from(mgr, "otsu_study_group")
    ueda = program_from(mgr, "ueda_employment")
    data = {"name": "一人 親子", "kana": "ひとり おやこ", "birth_date": D(2011, 6, 1),
            "sex": "female", "school_grade": "j3"}
    p = services.person_register_non_recipient(actor=world.m(world.caseworker), program=otsu,
                                                data=data)
    assert p.household is None and not p.on_assistance
    with pytest.raises(ValidationFailed):
        services.person_register_non_recipient(actor=world.m(world.caseworker), program=ueda,
                                               data=data)
