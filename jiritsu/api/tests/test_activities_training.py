"""Workplace training, Hello Work referrals, templates, the directory, tasks and
non-recipients through the API: the activities services' rules surface with their codes."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.activities import services
from jiritsu.activities.models import HelloWorkReferral, TrainingPlacement
from jiritsu.activities.tests.helpers import enrol, program_from, wants_to_work
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.testing import make_consent
from jiritsu.core import clock
from jiritsu.offices.models import PartnerOrganisation
from jiritsu.programs.models import Program
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


def err(r, status, code, field=None):
    assert r.status_code == status, r.json()
    e = r.json()["error"]
    assert e["code"] == code, e
    if field is not None:
        assert e.get("field") == field, e
    return e


# ---------------------------------------------------------------- training

@pytest.fixture
def itami(world):
    program = program_from(world.m(world.manager), "itami_workplace_training")
    employer = t.make_partner(world.office, PartnerOrganisation.Kind.EMPLOYER, "伊丹製作所")
    return program, employer


def test_director_approves_employer_and_caseworker_starts_training(world, api_as, itami):
    program, employer = itami
    cw = api_as(world.caseworker)
    body = {"partner_id": employer.pk, "approved_on": "2026-03-20", "work_offered": "検品"}
    err(cw.post("training-employers", body), 403, "forbidden")
    err(api_as(world.partner).post("training-employers", body), 403, "forbidden")
    r = api_as(world.manager).post("training-employers", body)
    assert r.status_code == 201, r.json()
    approved = r.json()["id"]
    err(api_as(world.manager).post("training-employers", body), 422, "validation_error",
        "partner_id")
    hw = {"partner_id": world.partner_org.pk, "approved_on": "2026-03-20"}
    err(api_as(world.manager).post("training-employers", hw), 422, "validation_error",
        "partner_id")
    assert cw.get("training-employers").json()["count"] == 1

    enrollment = enrol(program, world.person)
    start = {"enrollment_id": enrollment.pk, "employer_id": approved,
             "visited_on": "2026-03-25", "starts_on": "2026-04-01", "duties": "部品の検品"}
    late = start | {"visited_on": "2026-04-05"}
    err(cw.post("training-placements", late), 422, "validation_error", "visited_on")
    r = cw.post("training-placements", start)
    assert r.status_code == 201, r.json()
    assert r.json()["ends_on"] == "2026-09-30" and r.json()["person_id"] == world.person.pk
    err(cw.post("training-placements", start), 409, "illegal_transition")
    other = enrol(make_program(world.office), t.make_person(world.office,
                                                          household=world.household))
    err(cw.post("training-placements", start | {"enrollment_id": other.pk}), 404, "not_found",
        "enrollment_id")
    err(api_as(world.support_staff).post("training-placements", start), 403, "forbidden")
    listed = cw.get("training-placements", {"status": "active"}).json()
    assert listed["count"] == 1 and listed["results"][0]["employer_name"] == "伊丹製作所"
    assert AuditEvent.objects.filter(action="training_placement.start").count() == 1


@pytest.fixture
def placement(world, itami):
    program, employer = itami
    approved = services.training_employer_approve(actor=world.m(world.manager), partner=employer,
                                                  approved_on=D(2026, 3, 20))
    return services.training_placement_start(
        actor=world.m(world.caseworker), enrollment=enrol(program, world.person), employer=approved,
        visited_on=D(2026, 3, 25), starts_on=D(2026, 4, 1))


def test_placement_detail_month_status_extend_and_end(world, api_as, placement):
    cw, mgr = api_as(world.caseworker), api_as(world.manager)
    url = f"training-placements/{placement.pk}"
    cw.post(f"{url}/days", {"day": "2026-04-01", "hours": 3})
    d = cw.get(url)
    assert d.status_code == 200, d.json()
    body = d.json()
    assert body["latest_end_on"] == "2027-03-31" and body["day_count"] == 1
    assert body["months"][0] == {"month": "2026-04-01", "days": 1, "hours": 3.0, "days_left": 19}
    assert AuditEvent.objects.filter(action="training.view").count() == 1

    r = cw.post(f"{url}/monthly-status", {"month": "2026-04-15", "assessment": "順調",
                                          "decision": "continue"})
    assert r.status_code == 201 and r.json()["month"] == "2026-04-01"
    err(cw.post(f"{url}/monthly-status", {"month": "2026-04-15", "assessment": "",
                                          "decision": "continue"}), 422, "validation_error",
        "assessment")
    assert len(cw.get(url).json()["monthly_statuses"]) == 1

    extend = {"version": 1, "until": "2026-12-31", "approved_on": "2026-09-01"}
    err(cw.post(f"{url}/extend", extend), 403, "forbidden")
    err(mgr.post(f"{url}/extend", extend | {"until": "2027-04-30"}), 422, "validation_error",
        "until")
    r = mgr.post(f"{url}/extend", extend)
    assert r.status_code == 200 and r.json()["ends_on"] == "2026-12-31", r.json()
    assert r.json()["extended_by_id"] == world.manager.pk
    err(mgr.post(f"{url}/extend", extend | {"until": "2027-01-31"}), 409, "stale_edit")

    end = {"version": 2, "ended_on": "2026-10-31", "follow_up": "employed_here"}
    err(api_as(world.support_staff).post(f"{url}/end", end), 403, "forbidden")
    r = cw.post(f"{url}/end", end)
    assert r.status_code == 200 and r.json()["status"] == "ended", r.json()
    err(cw.post(f"{url}/end", end | {"version": 3}), 409, "illegal_transition")
    err(cw.post(f"{url}/days", {"day": "2026-10-01", "hours": 2}), 409, "illegal_transition")
    assert TrainingPlacement.objects.get().follow_up == "employed_here"


def test_placements_are_closed_to_partners_and_other_offices(world, api_as, placement):
    err(api_as(world.partner).get("training-placements"), 403, "forbidden")
    # The role lacks the office-wide action: 403 for the list and the placement alike.
    err(api_as(world.partner).get(f"training-placements/{placement.pk}"), 403, "forbidden")
    err(api_as(world.outsider).get(f"training-placements/{placement.pk}"), 404, "not_found")
    assert api_as(world.outsider).get("training-placements").json()["count"] == 0
    err(api_as(world.outsider).post(f"training-placements/{placement.pk}/end",
                                    {"version": 1, "ended_on": "2026-05-01",
                                     "follow_up": "ended"}), 404, "not_found")


# ---------------------------------------------------------------- Hello Work referrals

def test_referral_is_started_listed_and_read_by_staff_and_its_hello_work(world, api_as):
    enrollment = enrol(make_program(world.office), world.person)
    cw = api_as(world.caseworker)
    body = {"enrollment_id": enrollment.pk, "hello_work_id": world.partner_org.pk,
            "consented_on": "2026-04-02"}
    employer = t.make_partner(world.office, PartnerOrganisation.Kind.EMPLOYER, "事業所")
    err(cw.post("hello-work-referrals", body | {"hello_work_id": employer.pk}), 422,
        "validation_error", "hello_work_id")
    r = cw.post("hello-work-referrals", body)
    assert r.status_code == 201, r.json()
    ref = r.json()
    assert ref["status"] == "consented" and ref["hello_work_name"] == "ハローワークＡ"
    err(cw.post("hello-work-referrals", body), 409, "illegal_transition")
    err(api_as(world.support_staff).post("hello-work-referrals", body), 403, "forbidden")
    err(api_as(world.partner).post("hello-work-referrals", body), 403, "forbidden")
    other = enrol(make_program(world.other_office), world.other_person)
    err(cw.post("hello-work-referrals", body | {"enrollment_id": other.pk}), 404, "not_found",
        "enrollment_id")

    assert cw.get("hello-work-referrals", {"person_id": world.person.pk}).json()["count"] == 1
    assert cw.get("hello-work-referrals", {"status": "employed"}).json()["count"] == 0
    # The Hello Work it went to sees it once the person's consent names it; another Hello
    # Work's staff and another office do not.
    mine = api_as(world.partner)
    assert mine.get("hello-work-referrals").json()["count"] == 0
    err(mine.get(f"hello-work-referrals/{ref['id']}"), 404, "not_found")
    consent = make_consent(world.person, enrollment.program, partners=[world.partner_org],
                           recorded_by=world.caseworker)
    assert mine.get("hello-work-referrals").json()["count"] == 1
    assert mine.get(f"hello-work-referrals/{ref['id']}").status_code == 200
    hw_z = t.make_partner(world.office, PartnerOrganisation.Kind.HELLO_WORK, "ハローワークＺ")
    z = api_as(t.make_user(world.office, "partner", partner=hw_z))
    assert z.get("hello-work-referrals").json()["count"] == 0
    err(z.get(f"hello-work-referrals/{ref['id']}"), 404, "not_found")
    err(api_as(world.outsider).get(f"hello-work-referrals/{ref['id']}"), 404, "not_found")
    assert AuditEvent.objects.filter(action="hw_referral.view").count() == 1
    # Withdrawing the consent ends the Hello Work's access at once: list, detail and steps.
    consent.withdrawn_on = D(2026, 5, 1)
    consent.save()
    assert mine.get("hello-work-referrals").json()["count"] == 0
    err(mine.get(f"hello-work-referrals/{ref['id']}"), 404, "not_found")
    err(mine.post(f"hello-work-referrals/{ref['id']}/steps",
                  {"step": "supporting", "on": "2026-05-02", "version": ref["version"]}),
        404, "not_found")
    assert AuditEvent.objects.filter(action="hw_referral.start").count() == 1
    assert HelloWorkReferral.objects.count() == 1


# ---------------------------------------------------------------- templates and directory

def test_manager_instantiates_a_template_and_others_cannot(world, api_as):
    mgr = api_as(world.manager)
    listed = mgr.get("program-templates", {"page_size": 200}).json()
    assert listed["count"] == 15
    izumo = next(x for x in listed["results"] if x["code"] == "izumo_discharge")
    assert izumo["program_name"] is None and "退院前訓練" in izumo["phases"]
    body = {"name": "精神障害者退院支援（当所）", "code": "IZUMO", "established_on": "2007-04-01"}
    err(api_as(world.caseworker).post("program-templates/izumo_discharge/programs", body), 403,
        "forbidden")
    err(mgr.post("program-templates/no_such/programs", body), 404, "not_found")
    r = mgr.post("program-templates/izumo_discharge/programs", body)
    assert r.status_code == 201, r.json()
    program = Program.objects.get(pk=r.json()["id"])
    assert program.code == "IZUMO" and program.phases.count() == 3
    err(mgr.post("program-templates/izumo_discharge/programs", body), 422, "validation_error",
        "code")
    err(mgr.post("program-templates/izumo_discharge/programs", {"review_interval_months": 99}),
        422, "validation_error", "review_interval_months")
    used = mgr.get("program-templates", {"page_size": 200}).json()["results"]
    assert next(x for x in used if x["code"] == "izumo_discharge")["program_name"] == program.name
    assert AuditEvent.objects.filter(action="program.instantiate_template").count() == 1


def test_partner_directory_by_area(world, api_as):
    K = PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE
    t.make_partner(world.office, K, "和歌山生活支援センター", areas=["和歌山市", "海草"])
    t.make_partner(world.office, K, "紀南センター", areas=["西牟婁"])
    r = api_as(world.caseworker).get("partner-areas").json()
    assert [a["area"] for a in r["results"]] == sorted(["和歌山市", "海草", "西牟婁"])
    hw = api_as(world.caseworker).get("partner-areas", {"kind": "hello_work"}).json()
    assert hw["results"][0]["partners"][0]["name"] == "ハローワークＡ"
    err(api_as(world.caseworker).get("partner-areas", {"kind": "nope"}), 422, "validation_error",
        "kind")


# ---------------------------------------------------------------- tasks

def test_new_case_is_listed_until_considered(world, api_as):
    program = program_from(world.m(world.manager), "zentsuji_employment")
    today = clock.today()
    hh = t.make_household(world.office, caseworker=world.caseworker,
                          assistance_started_on=today - dt.timedelta(days=10))
    new = wants_to_work(t.make_person(world.office, household=hh, birth_date=D(1985, 1, 1)),
                        today)
    cw = api_as(world.caseworker)
    r = cw.get("tasks")
    assert r.status_code == 200, r.json()
    assert r.json()["mine"] is True
    people = r.json()["new_cases"][0]["people"]
    assert [p["id"] for p in people] == [new.pk]
    # another caseworker sees it only when asking for everyone
    cw2 = api_as(world.caseworker2)
    assert cw2.get("tasks").json()["new_cases"][0]["people"] == []
    assert len(cw2.get("tasks", {"everyone": "true"}).json()["new_cases"][0]["people"]) == 1

    body = {"program_id": program.pk, "person_id": new.pk, "on": today.isoformat(),
            "note": "通院中のため受療状況報告書を待つ"}
    err(cw.post("tasks/new-case-considered", body | {"note": "  "}), 422, "validation_error",
        "note")
    err(cw.post("tasks/new-case-considered", body | {"person_id": world.other_person.pk}), 404,
        "not_found", "person_id")
    err(api_as(world.support_staff).post("tasks/new-case-considered", body), 403, "forbidden")
    r = cw.post("tasks/new-case-considered", body)
    assert r.status_code == 201, r.json()
    assert cw.get("tasks").json()["new_cases"][0]["people"] == []
    assert AuditEvent.objects.filter(action="new_case.considered").count() == 1


def test_tasks_are_closed_to_partners_and_cycle_records_follow_the_service(world, api_as):
    err(api_as(world.partner).get("tasks"), 403, "forbidden")
    program = program_from(world.m(world.manager), "takehara_discharge")
    body = {"program_id": program.pk, "person_id": world.person.pk, "task": "condition_survey",
            "on": "2026-06-10", "text": "病状は安定"}
    cw = api_as(world.caseworker)
    err(cw.post("tasks/cycle-records", body | {"task": "lunch"}), 422, "validation_error", "task")
    err(cw.post("tasks/cycle-records", body | {"text": " "}), 422, "validation_error", "text")
    err(api_as(world.partner).post("tasks/cycle-records", body), 403, "forbidden")
    r = cw.post("tasks/cycle-records", body)
    assert r.status_code == 201, r.json()
    assert ActivityRecord.objects.get(pk=r.json()["record_id"]).data["cycle_task"] == \
        "condition_survey"
    cycle = cw.get("tasks", {"fiscal_year": 2026}).json()["cycles"][0]
    assert cycle["program_id"] == program.pk and len(cycle["tasks"]) == 4
    assert AuditEvent.objects.filter(action="cycle.condition_survey").count() == 1


# ---------------------------------------------------------------- non-recipients

def test_non_recipient_is_registered_and_enrolled_as_a_candidate(world, api_as):
    mgr = world.m(world.manager)
    otsu = program_from(mgr, "otsu_study_group")
    ueda = program_from(mgr, "ueda_employment")
    body = {"name": "一人 親子", "kana": "ひとり おやこ", "birth_date": "2011-06-01",
            "sex": "female", "school_grade": "j3", "registered_on": "2026-04-10"}
    cw = api_as(world.caseworker)
    r = cw.post(f"programs/{otsu.pk}/non-recipients", body)
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "candidate" and r.json()["person_name"] == "一人 親子"
    assert Enrollment.objects.get(pk=r.json()["id"]).person.household is None
    err(cw.post(f"programs/{ueda.pk}/non-recipients", body), 422, "validation_error", "program")
    err(cw.post(f"programs/{otsu.pk}/non-recipients", body | {"sex": "x"}), 422,
        "validation_error", "sex")
    err(api_as(world.support_staff).post(f"programs/{otsu.pk}/non-recipients", body), 403,
        "forbidden")
    err(api_as(world.outsider).post(f"programs/{otsu.pk}/non-recipients", body), 404, "not_found")
    assert AuditEvent.objects.filter(action="person.register_non_recipient").count() == 1
