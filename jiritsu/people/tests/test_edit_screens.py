"""Household, person and person-part screens: saved through services, audited, conflict-safe."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.people.models import Disability, HospitalStay, Household, HouseholdTypeChange, Person

pytestmark = pytest.mark.django_db


def household_post(world, **over):
    data = {"case_number": "300001", "household_type": "elderly", "district": "港地区",
            "address": "みなと市港1-2-3", "caseworker": world.caseworker.pk,
            "assistance_started_on": "R6.4.1", "assistance_ended_on": "", "end_reason": ""}
    data.update(over)
    return data


def test_caseworker_creates_household_with_type_history_and_audit(client, world):
    client.force_login(world.caseworker)
    resp = client.post(reverse("people:household_new"), household_post(world))
    h = Household.objects.get(office=world.office, case_number="300001")
    assert resp.status_code == 302 and resp["Location"] == reverse("people:household", args=[h.pk])
    assert h.caseworker == world.caseworker and str(h.assistance_started_on) == "2024-04-01"
    assert list(HouseholdTypeChange.objects.filter(household=h).values_list("household_type", flat=True)) == ["elderly"]
    ev = AuditEvent.objects.get(action="household.create", target_id=str(h.pk))
    assert ev.changes["address"][1] == "＊＊＊"  # sensitive fields masked


def test_household_form_errors_are_in_japanese_beside_the_field(client, world):
    client.force_login(world.caseworker)
    resp = client.post(reverse("people:household_new"),
                       household_post(world, case_number=world.household.case_number,
                                      assistance_started_on="令和8年2月30日"))
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "存在しない日付" in body
    resp = client.post(reverse("people:household_new"), household_post(world, case_number=world.household.case_number))
    assert "このケース番号は既に使われています" in resp.content.decode()
    resp = client.post(reverse("people:household_new"),
                       household_post(world, case_number="300002", caseworker=world.outsider.pk))
    assert resp.status_code == 200 and not Household.objects.filter(case_number="300002").exists()


def test_household_type_change_kept_in_history_and_stale_edit_reports_conflict(client, world):
    client.force_login(world.caseworker)
    h = world.household
    url = reverse("people:household_edit", args=[h.pk])
    assert client.get(url).status_code == 200
    post = household_post(world, case_number=h.case_number, household_type="sick",
                          type_changed_on="2026-10-01", version=h.version)
    assert client.post(url, post).status_code == 302
    h.refresh_from_db()
    assert h.household_type == "sick" and h.version == 2
    assert HouseholdTypeChange.objects.get(household=h).valid_from.isoformat() == "2026-10-01"
    # A second form loaded at version 1 is now stale.
    resp = client.post(url, household_post(world, case_number=h.case_number, household_type="other",
                                           version=1))
    assert resp.status_code == 200
    assert "他の職員がこの記録を先に更新しました" in resp.content.decode()
    h.refresh_from_db()
    assert h.household_type == "sick"


def test_register_person_in_household_and_without_household(client, world):
    client.force_login(world.caseworker)
    data = {"name": "葛\U000E0100城 𩸽太", "kana": "かつらぎ ほっけた", "birth_date": "H20.1.2", "sex": "male",
            "relationship": "child", "employment_status": "student", "earned_income": "0"}
    resp = client.post(reverse("people:person_new") + f"?household={world.household.pk}", data)
    assert resp.status_code == 302
    p = Person.objects.get(kana="かつらぎ ほっけた")
    assert p.name == "葛\U000E0100城 𩸽太" and p.household == world.household and p.member_number == 2
    assert AuditEvent.objects.filter(action="person.create", person_id=p.pk).exists()
    resp = client.post(reverse("people:person_new"), data | {"kana": "むしょぞく"})
    q = Person.objects.get(kana="むしょぞく")
    assert q.household is None and q.office == world.office
    # Another office's household is not reachable.
    resp = client.get(reverse("people:person_new") + f"?household={world.other_person.household_id}")
    assert resp.status_code == 404


def test_person_parts_add_edit_remove_with_audit_and_conflict(client, world):
    client.force_login(world.caseworker)
    person = world.person
    assert client.get(reverse("people:parts", args=[person.pk])).status_code == 200
    add = reverse("people:part_add", args=[person.pk, "disabilities"])
    assert client.post(add, {"kind": "mental", "grade": "2級", "certificate": "精神障害者保健福祉手帳",
                             "certified_on": "R5.6.1"}).status_code == 302
    d = Disability.objects.get(person=person)
    assert str(d.certified_on) == "2023-06-01"
    assert AuditEvent.objects.filter(action="disability.create", person_id=person.pk).exists()
    edit = reverse("people:part_edit", args=[person.pk, "disabilities", d.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"kind": "mental", "grade": "1級", "certificate": "", "certified_on": "",
                              "version": 1}).status_code == 302
    d.refresh_from_db()
    assert d.grade == "1級" and d.version == 2
    ev = AuditEvent.objects.get(action="disability.update")
    assert ev.changes["grade"] == ["2級", "1級"]
    stale = client.post(edit, {"kind": "mental", "grade": "3級", "version": 1})
    assert "他の職員がこの記録を先に更新しました" in stale.content.decode()
    delete = reverse("people:part_delete", args=[person.pk, "disabilities", d.pk])
    assert client.post(delete, {"version": 2}).status_code == 302
    assert not Disability.objects.filter(pk=d.pk).exists()
    assert AuditEvent.objects.get(action="disability.delete").changes["grade"] == ["1級", None]


def test_every_part_kind_can_be_added(client, world):
    client.force_login(world.caseworker)
    p = world.person.pk
    posts = {
        "illnesses": {"name": "うつ病", "is_psychiatric": "on", "treatment": "通院", "since": "2020-01-01"},
        "stays": {"hospital_name": "港の丘病院", "psychiatric": "on", "admitted_on": "R7.4.1"},
        "work": {"employer": "みなと食品", "job": "製造", "started_on": "2010-04-01", "ended_on": "2015-03-31"},
        "qualifications": {"name": "普通自動車第一種運転免許"},
        "care": {"kind": "childcare", "detail": "子2人"},
        "assessments": {"assessed_on": "2026-11-01", "has_capacity": "on", "has_will": "on",
                        "usage": "not_fully_used", "barriers": ["childcare"], "evidence": "面接"},
    }
    for kind, data in posts.items():
        resp = client.post(reverse("people:part_add", args=[p, kind]), data)
        assert resp.status_code == 302, (kind, resp.content.decode()[:2000])
    page = client.get(reverse("people:person", args=[p])).content.decode()
    for text in ("うつ病", "港の丘病院", "みなと食品", "普通自動車第一種運転免許", "子2人"):
        assert text in page


def test_hospital_stay_discharge_before_admission_is_refused_beside_the_field(client, world):
    client.force_login(world.caseworker)
    resp = client.post(reverse("people:part_add", args=[world.person.pk, "stays"]),
                       {"hospital_name": "市民病院", "admitted_on": "2026-05-01", "discharged_on": "2026-04-01"})
    assert resp.status_code == 200 and "終了日が開始日より前です" in resp.content.decode()
    assert not HospitalStay.objects.exists()


def test_parts_of_another_office_answer_404(client, world):
    other_part = Disability.objects.create(person=world.other_person, kind="physical")
    client.force_login(world.caseworker)
    for url in (
        reverse("people:part_edit", args=[world.other_person.pk, "disabilities", other_part.pk]),
        reverse("people:part_delete", args=[world.other_person.pk, "disabilities", other_part.pk]),
        reverse("people:part_add", args=[world.other_person.pk, "disabilities"]),
        reverse("people:parts", args=[world.other_person.pk]),
        reverse("people:household_edit", args=[world.other_person.household_id]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("people:part_delete", args=[world.other_person.pk, "disabilities",
                                                          other_part.pk])).status_code == 404
    assert Disability.objects.filter(pk=other_part.pk).exists()


def test_support_staff_cannot_change_people(client, world):
    client.force_login(world.support_staff)
    assert client.get(reverse("people:parts", args=[world.person.pk])).status_code == 403
    assert client.get(reverse("people:household_new")).status_code == 403
