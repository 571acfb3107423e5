"""insert_many / insert_rows / update_many / upsert_rows: COPY on PostgreSQL, bulk_create or
executemany elsewhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.bulk import insert_many, insert_rows, update_many, upsert_rows
from jiritsu.people.models import Household, HouseholdType, MedicalClaimMonth, Person

pytestmark = pytest.mark.django_db

# COPY has its own text escaping: tabs, newlines, backslashes and \N must survive.
AWKWARD = "髙橋\t𠮷子\\N\n葛\U000E0100城 \\ end"


def test_insert_many_sets_keys_timestamps_and_round_trips_values(world):
    before = max(Household.objects.values_list("pk", flat=True))
    households = [Household(office_id=world.office.pk, case_number=f"BULK{i}",
                            household_type=HouseholdType.ELDERLY, district=AWKWARD if i == 0 else "",
                            caseworker_id=world.caseworker.pk if i % 2 else None,
                            assistance_started_on=dt.date(2024, 4, 1) if i else None)
                  for i in range(3)]
    insert_many(Household, households)
    assert all(h.pk and h.pk > before for h in households)
    assert len({h.pk for h in households}) == 3
    assert all(h.created_at and h.updated_at and not h._state.adding for h in households)
    first = Household.objects.get(pk=households[0].pk)
    assert first.district == AWKWARD and first.caseworker_id is None
    assert first.assistance_started_on is None and first.version == 1
    second = Household.objects.get(pk=households[1].pk)
    assert second.caseworker_id == world.caseworker.pk
    assert second.assistance_started_on == dt.date(2024, 4, 1)
    # A foreign key set to an object saved afterwards takes its key (as bulk_create does).
    people = [Person(office=world.office, household=h, name=AWKWARD, kana="たかはし",
                     kana_key="たかはし", birth_date=dt.date(1980, 1, 2), sex=Person.Sex.FEMALE)
              for h in households]
    insert_many(Person, people)
    got = Person.objects.get(pk=people[2].pk)
    assert got.household_id == households[2].pk and got.name == AWKWARD
    assert got.relationship == Person.Relationship.HEAD and got.earned_income == 0
    insert_many(Person, [])  # nothing to do


def test_update_many_writes_the_named_fields_only(world):
    households = [Household(office_id=world.office.pk, case_number=f"UPD{i}",
                            household_type=HouseholdType.SICK, district="北") for i in range(3)]
    insert_many(Household, households)
    for i, h in enumerate(households):
        h.district = AWKWARD if i == 0 else f"南{i}"
        h.assistance_ended_on = dt.date(2025, 3, 31) if i == 1 else None
        h.address = "not written"
        h.version += 1
    update_many(Household, households[:2], ["district", "assistance_ended_on", "version"])
    rows = {h.case_number: h for h in Household.objects.filter(case_number__startswith="UPD")}
    assert rows["UPD0"].district == AWKWARD and rows["UPD0"].version == 2
    assert rows["UPD1"].assistance_ended_on == dt.date(2025, 3, 31)
    assert rows["UPD2"].district == "北" and rows["UPD2"].version == 1
    assert all(r.address == "" for r in rows.values())
    # Twice in one transaction (the temporary table is dropped after each call).
    update_many(Household, households[2:], ["district"])
    assert Household.objects.get(case_number="UPD2").district == "南2"


def test_insert_rows_fills_defaults_and_json(world):
    changes = {"name": [None, AWKWARD], "quote": ['"', "'"], "n": [1, 2.5], "nested": {"a": [True]}}
    insert_rows(AuditEvent, ["office_id", "kind", "action", "changes"],
                [(world.office.pk, "other", "bulk.test", changes),
                 (None, "other", "bulk.test", {})])
    events = list(AuditEvent.objects.filter(action="bulk.test").order_by("id"))
    assert [e.changes for e in events] == [changes, {}]
    assert events[0].office_id == world.office.pk and events[1].office_id is None
    assert all(e.created_at is not None and e.note == "" and e.target_id == "" for e in events)


def test_statements_do_not_grow_with_rows(world):
    def statements(n: int, prefix: str) -> int:
        objs = [Household(office_id=world.office.pk, case_number=f"{prefix}{i}",
                          household_type=HouseholdType.OTHER) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            insert_many(Household, objs)
            for h in objs:
                h.district = "東"
            update_many(Household, objs, ["district"])
        return len(ctx.captured_queries)

    assert statements(3, "S") == statements(60, "L")


def _claims(world, columns, fields, *, when=None, within=None):
    return upsert_rows(MedicalClaimMonth, key=["person_id", "month", "kind", "institution_name"],
                       fields=fields, columns=columns, returning="person_id", within=within,
                       fixed={"office_id": world.office.pk, "received_at": when or clock.now()})


def test_upsert_rows_inserts_new_keys_updates_changed_rows_and_leaves_equal_ones(world):
    april, may = dt.date(2025, 4, 1), dt.date(2025, 5, 1)
    other = Person.objects.create(office=world.office, household=world.household, member_number=2,
                                  name="港 二郎", kana="みなと じろう", birth_date=dt.date(1990, 1, 1),
                                  sex=Person.Sex.MALE)
    me, him = world.person.pk, other.pk
    first = clock.now()
    created, updated = _claims(world, [[me, me, him], [april, april, may], ["inpatient", "pharmacy", "dental"],
                                       [AWKWARD, "薬局", "歯科"], [10, 0, 1], [None, None, 120], [1000, 200, 1200]],
                               ["days", "points", "amount"], when=first)
    assert sorted(created) == [me, me, him] and updated == []
    stored = MedicalClaimMonth.objects.get(kind="inpatient")
    assert stored.institution_name == AWKWARD and stored.points is None and stored.institution_code == ""
    assert stored.office_id == world.office.pk and stored.received_at == first
    # Again, with one value changed (None → 5 counts as a change; None = None does not) and one
    # new key; ``institution_code`` is not among the fields, so it is left as stored.
    MedicalClaimMonth.objects.filter(kind="dental").update(institution_code="123")
    created, updated = _claims(world, [[me, me, him, him], [april, april, may, may],
                                       ["inpatient", "pharmacy", "dental", "outpatient"],
                                       [AWKWARD, "薬局", "歯科", "医院"], [10, 0, 1, 2],
                                       [None, 5, 120, None], [1000, 200, 1200, 300]],
                               ["days", "points", "amount"],
                               within={"office_id": world.office.pk, "month": (april, may)})
    assert (created, updated) == ([him], [me])
    rows = {c.kind: c for c in MedicalClaimMonth.objects.all()}
    assert rows["pharmacy"].points == 5 and rows["pharmacy"].received_at > first
    assert rows["inpatient"].received_at == first and rows["dental"].institution_code == "123"
    assert _claims(world, [[], [], [], [], []], ["amount"]) == ([], [])


def test_upsert_rows_statements_do_not_grow_with_rows(world):
    def statements(n: int) -> int:
        months = [dt.date(2000 + i // 12, i % 12 + 1, 1) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            _claims(world, [[world.person.pk] * n, months, ["outpatient"] * n, [f"医院{n}"] * n, [n] * n],
                    ["amount"])
        return len(ctx.captured_queries)

    assert statements(3) == statements(60)
