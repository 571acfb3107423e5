"""Households and people through the API: office isolation, roles, partners, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Consent, ConsentGrant
from jiritsu.cases.testing import refer
from jiritsu.people.models import Disability, Illness

pytestmark = pytest.mark.django_db


def _consent(world, person, categories, *, withdrawn=False, referred=True):
    if referred:
        refer(person, world.partner_org)
    consent = Consent.objects.create(
        office=world.office, person=person, given_on=dt.date(2026, 4, 1), form="written",
        recorded_by=world.caseworker, withdrawn_on=dt.date(2026, 5, 1) if withdrawn else None)
    ConsentGrant.objects.create(consent=consent, partner=world.partner_org, categories=categories)
    return consent


def test_kana_search_ignores_kana_kind_and_width(world, api_as):
    t.make_person(world.office, household=world.household, name="佐藤 健", kana="さとう けん",
                  member_number=2)
    c = api_as(world.caseworker)
    for q in ("タカハシ", "たかはし", "ﾀｶﾊｼ"):
        found = c.get("people", {"q": q}).json()
        assert [p["id"] for p in found["results"]] == [world.person.pk], q
    assert c.get("people", {"q": "100001"}).json()["count"] == 2


def test_name_search_folds_variant_kanji_and_spaces_as_the_screens_do(world, api_as):
    c = api_as(world.caseworker)  # world.person is 「髙橋 𠮷子」
    for q in ("高橋　吉子", "高橋吉子", "髙橋𠮷子"):
        found = c.get("people", {"q": q}).json()
        assert [p["id"] for p in found["results"]] == [world.person.pk], q


def test_another_offices_person_and_household_answer_404(world, api_as):
    c = api_as(world.caseworker)
    assert c.get(f"people/{world.other_person.pk}").status_code == 404
    assert c.get(f"households/{world.other_person.household_id}").status_code == 404
    r = c.patch(f"people/{world.other_person.pk}", {"version": 1, "note": "x"})
    assert r.status_code == 404
    listed = c.get("people").json()
    assert world.other_person.pk not in [p["id"] for p in listed["results"]]
    outsider = api_as(world.outsider)
    assert outsider.get(f"people/{world.person.pk}").status_code == 404


def test_reading_a_person_is_audited_as_a_view(world, api_as):
    r = api_as(world.caseworker).get(f"people/{world.person.pk}")
    assert r.status_code == 200
    event = AuditEvent.objects.get(action="person.view")
    assert event.kind == AuditEvent.Kind.VIEW
    assert event.person_id == world.person.pk and event.actor_id == world.caseworker.pk


def test_person_update_uses_version_and_is_audited(world, api_as):
    c = api_as(world.caseworker)
    r = c.patch(f"people/{world.person.pk}", {"version": 1, "employment_status": "part_time",
                                              "employer_name": "みなと食品", "earned_income": 52000})
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 2 and body["employer_name"] == "みなと食品"
    assert body["name"] == "髙橋 𠮷子"
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes["earned_income"] == [0, 52000]


def test_role_refusals_are_403(world, api_as):
    r = api_as(world.support_staff).patch(f"people/{world.person.pk}", {"version": 1, "note": "x"})
    assert r.status_code == 403
    assert api_as(world.admin).get("people").status_code == 403
    r = api_as(world.support_staff).patch(f"households/{world.household.pk}", {"version": 1})
    assert r.status_code == 403


def test_household_list_detail_and_update(world, api_as):
    c = api_as(world.supervisor)
    listed = c.get("households").json()
    assert listed["count"] == 1 and listed["results"][0]["member_count"] == 1
    r = c.patch(f"households/{world.household.pk}",
                {"version": 1, "household_type": "sick", "type_changed_on": "2026-10-01"})
    assert r.status_code == 200, r.content
    assert r.json()["household_type"] == "sick" and r.json()["version"] == 2
    history = list(world.household.type_history.values_list("household_type", "valid_from"))
    assert history == [("sick", dt.date(2026, 10, 1))]


def test_partner_sees_only_consented_people_and_categories(world, api_as):
    Disability.objects.create(person=world.person, kind="mental", grade="2級")
    Illness.objects.create(person=world.person, name="うつ病", is_psychiatric=True)
    unconsented = t.make_person(world.office, household=world.household, member_number=2)
    _consent(world, world.person, ["basic", "employment"])
    c = api_as(world.partner)
    listed = c.get("people").json()
    assert [p["id"] for p in listed["results"]] == [world.person.pk]
    assert c.get(f"people/{unconsented.pk}").status_code == 404
    body = c.get(f"people/{world.person.pk}").json()
    assert body["name"] == "髙橋 𠮷子" and body["employment_status"] == "not_working"
    assert body["birth_date"] == "1980-05-01"
    for hidden in ("earned_income", "case_number", "household_id", "disabilities", "illnesses",
                   "note", "address_number"):
        assert body[hidden] is None, hidden
    assert {"income", "family", "health", "disability", "records"} <= set(body["hidden_categories"])
    assert listed["results"][0]["earned_income"] is None


def test_partner_with_health_consent_sees_illnesses(world, api_as):
    Illness.objects.create(person=world.person, name="うつ病", is_psychiatric=True)
    _consent(world, world.person, ["basic", "health"])
    body = api_as(world.partner).get(f"people/{world.person.pk}").json()
    assert [i["name"] for i in body["illnesses"]] == ["うつ病"]
    assert body["disabilities"] is None


def test_a_consent_without_a_referral_shows_the_partner_nothing(world, api_as):
    # Referral ∩ consent: the partner sees people referred to it within consent, not every
    # person whose consent happens to name it.
    _consent(world, world.person, ["basic"], referred=False)
    c = api_as(world.partner)
    assert c.get("people").json()["count"] == 0
    assert c.get(f"people/{world.person.pk}").status_code == 404


def test_withdrawn_consent_hides_the_person_from_the_partner(world, api_as):
    _consent(world, world.person, ["basic"], withdrawn=True)
    c = api_as(world.partner)
    assert c.get("people").json()["count"] == 0
    assert c.get(f"people/{world.person.pk}").status_code == 404


def test_partner_cannot_edit_people(world, api_as):
    _consent(world, world.person, ["basic"])
    r = api_as(world.partner).patch(f"people/{world.person.pk}", {"version": 1, "note": "x"})
    assert r.status_code == 403


def test_household_and_person_create(world, api_as):
    c = api_as(world.caseworker)
    r = c.post("households", {"case_number": "200100", "household_type": "single_mother",
                              "district": "北地区", "caseworker_id": world.caseworker.pk,
                              "assistance_started_on": "2025-04-01"})
    assert r.status_code == 201, r.content
    hid = r.json()["id"]
    assert r.json()["caseworker_name"] == str(world.caseworker)
    r = c.post("people", {"household_id": hid, "name": "𠮷田 はな", "kana": "ヨシダ ハナ",
                          "birth_date": "1990-02-03", "sex": "female"})
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "𠮷田 はな" and r.json()["member_number"] == 1
    assert c.get("people", {"q": "よしだ"}).json()["count"] == 1
    assert {"household.create", "person.create"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_create_refusals_name_the_field(world, api_as):
    c = api_as(world.caseworker)
    r = c.post("households", {"case_number": "100001", "household_type": "other"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "case_number"
    r = c.post("households", {"case_number": "200101", "household_type": "other",
                              "caseworker_id": world.outsider.pk})
    assert r.status_code == 422 and r.json()["error"]["field"] == "caseworker_id"
    r = c.post("people", {"household_id": world.other_person.household_id, "name": "x",
                          "kana": "えっくす", "birth_date": "1990-01-01", "sex": "male"})
    assert r.status_code == 404
    r = c.post("people", {"household_id": world.household.pk, "member_number": 1, "name": "x",
                          "kana": "えっくす", "birth_date": "1990-01-01", "sex": "male"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "member_number"
