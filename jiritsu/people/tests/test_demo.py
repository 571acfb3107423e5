"""The demo office: every role, a caseload shaped like the national figures, deterministic."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from jiritsu.offices.models import Membership, Office
from jiritsu.people import demo, evidence
from jiritsu.people.models import HospitalStay, Household, HouseholdType, MedicalEvidence, Person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def test_demo_office_has_every_role_and_a_realistic_caseload():
    demo.load_demo(seed=7, households=300, today=TODAY, log=lambda s: None)
    office = Office.objects.get(code=demo.DEMO_OFFICE_CODE)
    roles = set(Membership.objects.filter(office=office).values_list("role", flat=True))
    assert roles == {r.value for r in Membership.Role}
    professions = set(Membership.objects.filter(office=office, role="support_staff")
                      .values_list("profession", flat=True))
    assert {"employment_support", "public_health_nurse", "dietitian", "psw",
            "daily_life_support"} <= professions
    partner_kinds = set(Membership.objects.filter(office=office, role="partner")
                        .values_list("partner__kind", flat=True))
    assert partner_kinds == {"hello_work", "life_support_centre"}

    households = list(Household.objects.filter(office=office))
    assert len(households) == 300
    elderly = sum(h.household_type == HouseholdType.ELDERLY for h in households) / 300
    assert 0.45 < elderly < 0.65
    people = list(Person.objects.filter(office=office))
    over_65 = sum(p.age_on(TODAY) >= 65 for p in people) / len(people)
    assert over_65 > 0.5
    assert any(p.school_grade == Person.SchoolGrade.J3 for p in people)
    assert any(p.earned_income > 0 for p in people)
    current = HospitalStay.objects.filter(person__office=office, discharged_on__isnull=True)
    assert current.filter(psychiatric=True, admitted_on__lt=TODAY - dt.timedelta(days=180)).exists()
    assert 0.01 < current.count() / len(people) < 0.12
    # Furigana matches the name's reading source and is hiragana.
    assert all(p.kana and p.kana_key for p in people)
    # Medical evidence: an opinion for every inpatient, some falling due in the coming week.
    opinions = MedicalEvidence.objects.filter(person__office=office, kind="opinion")
    assert set(current.values_list("person_id", flat=True)) <= set(
        opinions.values_list("person_id", flat=True))
    assert evidence.evidence_due([p.pk for p in people], today=TODAY,
                                 until=TODAY + dt.timedelta(days=6))
    assert MedicalEvidence.objects.filter(person__office=office, kind="consultation",
                                          based_on__isnull=False).exists()


def _generated(seed: int) -> list[tuple[str, str, dt.date]]:
    """Load the demo inside a savepoint, read the people, roll back."""

    class Rollback(Exception):
        pass

    rows: list[tuple[str, str, dt.date]] = []
    try:
        with transaction.atomic():
            demo.load_demo(seed=seed, households=30, today=TODAY, log=lambda s: None)
            rows = list(Person.objects.order_by("id").values_list("name", "kana", "birth_date"))
            raise Rollback
    except Rollback:
        pass
    return rows


def test_same_seed_gives_same_people_and_another_seed_does_not():
    first, again, other = _generated(11), _generated(11), _generated(12)
    assert first and first == again
    assert first != other


def test_load_demo_if_missing_prints_logins_every_time():
    out = io.StringIO()
    call_command("load_demo", "--households", "20", "--if-missing", stdout=out)
    first = out.getvalue()
    out = io.StringIO()
    call_command("load_demo", "--households", "20", "--if-missing", stdout=out)
    second = out.getvalue()
    for text in (first, second):
        assert demo.DEMO_PASSWORD in text
        for username in ("cw01", "sv01", "manager", "shuro", "hellowork", "center", "admin"):
            assert username in text
    assert Office.objects.filter(code=demo.DEMO_OFFICE_CODE).count() == 1
    assert Household.objects.filter(office__code=demo.DEMO_OFFICE_CODE).count() == 20
