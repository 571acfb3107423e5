"""The amounts' owners (a 保護費 month's household, a 医療扶助 claim's person) are checked by
the database by set rather than by foreign-key constraints (migration people/0011): an amount
needs its owner in its own office, a deleted owner cannot get amounts, and an owner cannot be
deleted while amounts point at it — nor while an import writing its amounts is under way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from jiritsu import testing as t
from jiritsu.core import clock
from jiritsu.people.importing import CaseloadImportError
from jiritsu.people.importing_amounts import upsert_assistance, upsert_medical
from jiritsu.people.models import AssistanceMonth, Household, MedicalClaimMonth, Person

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL: the owner kept at COMMIT, row locks")

APRIL = dt.date(2025, 4, 1)


def _assistance(office_id: int, household_id: int) -> AssistanceMonth:
    return AssistanceMonth.objects.create(office_id=office_id, household_id=household_id, month=APRIL,
                                          received_at=clock.now())


def _claim(office_id: int, person_id: int) -> MedicalClaimMonth:
    return MedicalClaimMonth.objects.create(office_id=office_id, person_id=person_id, month=APRIL,
                                            kind="outpatient", institution_name="みなと医院",
                                            amount=3800, received_at=clock.now())


@pytest.mark.django_db
def test_an_amount_needs_its_owner_in_its_own_office(world):
    missing = max(Household.objects.values_list("pk", flat=True)) + 1000
    for write in (lambda: _assistance(world.office.pk, missing),
                  lambda: _assistance(world.office.pk, world.other_person.household_id),
                  lambda: _claim(world.office.pk, world.person.pk + 1000),
                  lambda: _claim(world.office.pk, world.other_person.pk)):
        with pytest.raises(IntegrityError), transaction.atomic():
            write()
    month = _assistance(world.office.pk, world.household.pk)
    claim = _claim(world.office.pk, world.person.pk)
    # Moving a row to another office's owner is refused the same way.
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceMonth.objects.filter(pk=month.pk).update(household_id=world.other_person.household_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        MedicalClaimMonth.objects.filter(pk=claim.pk).update(person_id=world.other_person.pk)
    MedicalClaimMonth.objects.filter(pk=claim.pk).update(amount=4000)
    assert MedicalClaimMonth.objects.get(pk=claim.pk).amount == 4000


@pytest.mark.django_db
def test_a_deleted_household_cannot_get_amounts_and_deleting_one_takes_its_amounts(world):
    household = t.make_household(world.office, case_number="100009")
    person = t.make_person(world.office, household=household, member_number=1)
    actor = world.m(world.supervisor)
    upsert_assistance(actor=actor, rows=[{"case_number": "100009", "month": "2025-04", "paid_living": "1000"}])
    upsert_medical(actor=actor, rows=[{"case_number": "100009", "member_number": "1", "month": "2025-04",
                                       "kind": "入院外", "institution_name": "みなと医院", "amount": "3800"}])
    # Django's relation and on_delete stay: the amounts go with their owner.
    person.delete()
    household.delete()
    assert not AssistanceMonth.objects.filter(household_id=household.pk).exists()
    assert not MedicalClaimMonth.objects.filter(person_id=person.pk).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # what a COMMIT would check
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(CaseloadImportError):
        upsert_assistance(actor=actor, rows=[{"case_number": "100009", "month": "2025-05"}])
    with pytest.raises(IntegrityError), transaction.atomic():
        _assistance(world.office.pk, household.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        _claim(world.office.pk, person.pk)


@postgres_only
@pytest.mark.django_db
def test_an_owner_deleted_under_its_amounts_is_refused_at_commit(world):
    person = t.make_person(world.office, household=t.make_household(world.office, case_number="100009"),
                           member_number=1)
    household = t.make_household(world.office, case_number="100010")  # no members to hold it
    _claim(world.office.pk, person.pk)
    _assistance(world.office.pk, household.pk)
    for model, pk, table in ((Person, person.pk, "people_medicalclaimmonth"),
                             (Household, household.pk, "people_assistancemonth")):
        with pytest.raises(IntegrityError, match=table), transaction.atomic():
            qs = model._base_manager.filter(pk=pk)
            qs._raw_delete(qs.db)  # no cascade: the amounts stay behind
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_audit_flushable")  # the import's audit rows are flushed afterwards
def test_a_deletion_waits_behind_an_import_and_is_refused_after_it(world):
    import psycopg

    s = connection.settings_dict
    other = psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"],
                            password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True)
    person_id = world.person.pk
    try:
        other.execute("SET lock_timeout = '300ms'")
        with transaction.atomic():
            upsert_medical(actor=world.m(world.supervisor),
                           rows=[{"case_number": "100001", "member_number": "1", "month": "2025-04",
                                  "kind": "入院外", "institution_name": "みなと医院", "amount": "3800"}])
            # The import holds its people (FOR KEY SHARE) until it commits: a deletion waits.
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("DELETE FROM people_person WHERE id = %s", [person_id])
        # Committed: the deletion now goes ahead and is refused at its COMMIT (the claim is there).
        with (pytest.raises(psycopg.errors.ForeignKeyViolation, match="people_medicalclaimmonth"),
              other.transaction()):
            other.execute("DELETE FROM people_person WHERE id = %s", [person_id])
        assert Person.objects.filter(pk=person_id).exists()
        assert MedicalClaimMonth.objects.filter(person_id=person_id).count() == 1
    finally:
        other.close()
