"""Person parts (障害, 傷病, 入院歴, 職歴, 資格, 育児・介護) written through the API."""

from __future__ import annotations

import pytest

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.people.models import (
    CareDuty,
    Disability,
    HospitalStay,
    Illness,
    Qualification,
    WorkCapacityAssessment,
    WorkHistory,
)

pytestmark = pytest.mark.django_db

CASES = [
    ("disabilities", Disability, "disability", {"kind": "physical", "grade": "3級"},
     {"grade": "2級"}),
    ("illnesses", Illness, "illness", {"name": "腰痛", "is_chronic": True}, {"treatment": "通院中"}),
    ("stays", HospitalStay, "hospital_stay",
     {"hospital_name": "みなと病院", "admitted_on": "2025-04-01"}, {"discharged_on": "2025-05-01"}),
    ("work", WorkHistory, "work_history", {"employer": "みなと食品", "job": "製造"},
     {"reason_left": "体調不良"}),
    ("qualifications", Qualification, "qualification", {"name": "普通自動車免許"},
     {"obtained_on": "2010-06-01"}),
    ("care", CareDuty, "care_duty", {"kind": "childcare"}, {"detail": "保育園の送迎"}),
    ("assessments", WorkCapacityAssessment, "assessment",
     {"assessed_on": "2026-04-10", "has_capacity": True, "has_will": True, "has_place": False,
      "usage": "not_fully_used", "barriers": ["illness"]},
     {"has_place": True, "barriers": ["childcare", "illness"]}),
]


@pytest.mark.parametrize(("slug", "model", "action", "create", "change"), CASES)
def test_part_create_update_delete_with_version_and_audit(world, api_as, slug, model, action,
                                                          create, change):
    c = api_as(world.caseworker)
    r = c.post(f"people/{world.person.pk}/{slug}", create)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["person_id"] == world.person.pk and body["version"] == 1
    part_id = body["id"]
    r = c.patch(f"people/{world.person.pk}/{slug}/{part_id}", {"version": 1, **change})
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == 2
    for key, value in change.items():
        assert r.json()[key] == value
    stale = c.patch(f"people/{world.person.pk}/{slug}/{part_id}", {"version": 1, **change})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_edit"
    assert c.delete(f"people/{world.person.pk}/{slug}/{part_id}?version=1").status_code == 409
    assert c.delete(f"people/{world.person.pk}/{slug}/{part_id}?version=2").status_code == 204
    assert not model.objects.filter(pk=part_id).exists()
    actions = list(AuditEvent.objects.filter(person_id=world.person.pk, action__startswith=f"{action}.")
                   .order_by("id").values_list("action", flat=True))
    assert actions == [f"{action}.create", f"{action}.update", f"{action}.delete"]


def test_dates_running_backwards_are_refused_with_the_service_field(world, api_as):
    r = api_as(world.caseworker).post(f"people/{world.person.pk}/work",
                                      {"employer": "みなと食品", "started_on": "2024-04-01",
                                       "ended_on": "2023-03-31"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "ended_on"
    assert not WorkHistory.objects.exists()


def test_a_role_without_person_edit_is_refused(world, api_as):
    r = api_as(world.support_staff).post(f"people/{world.person.pk}/qualifications", {"name": "簿記"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert not Qualification.objects.exists()
    part = Qualification.objects.create(person=world.person, name="簿記")
    r = api_as(world.support_staff).delete(f"people/{world.person.pk}/qualifications/{part.pk}?version=1")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert Qualification.objects.filter(pk=part.pk).exists()


def test_another_offices_person_and_part_answer_404(world, api_as):
    c = api_as(world.caseworker)
    assert c.post(f"people/{world.other_person.pk}/qualifications", {"name": "簿記"}).status_code == 404
    other = Qualification.objects.create(person=world.other_person, name="簿記")
    assert c.patch(f"people/{world.other_person.pk}/qualifications/{other.pk}",
                   {"version": 1, "name": "x"}).status_code == 404
    assert c.delete(f"people/{world.person.pk}/qualifications/{other.pk}?version=1").status_code == 404
    mine = Qualification.objects.create(person=world.person, name="簿記")
    second = t.make_person(world.office, household=world.household, name="佐藤 健",
                           kana="さとう けん", member_number=2)
    assert c.patch(f"people/{second.pk}/qualifications/{mine.pk}",
                   {"version": 1, "name": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.name == "簿記"


def test_an_assessment_records_who_assessed_it(world, api_as):
    r = api_as(world.caseworker).post(
        f"people/{world.person.pk}/assessments",
        {"assessed_on": "2026-04-10", "has_capacity": False, "has_will": False,
         "has_place": False, "usage": "no_capacity"})
    assert r.status_code == 201
    assert r.json()["assessed_by_id"] == world.caseworker.pk
    bad = api_as(world.caseworker).post(
        f"people/{world.person.pk}/assessments",
        {"assessed_on": "2026-04-10", "has_capacity": False, "has_will": False,
         "has_place": False, "usage": "no_capacity", "barriers": ["laziness"]})
    assert bad.status_code == 422 and bad.json()["error"]["field"].startswith("barriers")
