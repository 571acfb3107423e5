"""``__any``: the same rows as ``__in`` for a literal id list, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from jiritsu import testing as t
from jiritsu.people.models import Household, Person

pytestmark = pytest.mark.django_db


def test_any_matches_in_for_fields_and_relations(world):
    hh = t.make_household(world.office, caseworker=world.caseworker, case_number="200001")
    people = [t.make_person(world.office, household=hh, member_number=i) for i in range(1, 4)]
    ids = [people[0].pk, people[2].pk, world.other_person.pk, 99_999_999]
    assert (sorted(Person.objects.filter(pk__any=ids).values_list("pk", flat=True))
            == sorted(Person.objects.filter(pk__in=ids).values_list("pk", flat=True)))
    hh_ids = [hh.pk, world.household.pk]
    assert (set(Person.objects.filter(household_id__any=hh_ids).values_list("pk", flat=True))
            == set(Person.objects.filter(household__in=hh_ids).values_list("pk", flat=True)))
    assert Person.objects.filter(household__any=hh_ids).count() == 4
    assert list(Person.objects.filter(pk__any=[])) == []
    assert Household.objects.filter(pk__any=[hh.pk]).get() == hh
