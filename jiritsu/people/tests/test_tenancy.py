"""Tenancy: office-owned rows are reachable only inside an office scope, and only that office's."""

from __future__ import annotations

import pytest
from django.http import Http404
from django_scopes import ScopeError, scope, scopes_disabled

from jiritsu.cases.access import get_household_for_user, get_part_for_user, get_person_for_user
from jiritsu.people.models import (
    CareDuty,
    Disability,
    HospitalStay,
    Household,
    HouseholdTypeChange,
    Illness,
    Person,
    Qualification,
    VisitGrade,
    WorkCapacityAssessment,
    WorkHistory,
)

pytestmark = pytest.mark.django_db

SCOPED = [Household, HouseholdTypeChange, Person, VisitGrade, Disability, Illness, HospitalStay,
          WorkHistory, Qualification, CareDuty, WorkCapacityAssessment]


@pytest.fixture
def enforced(world):
    """Leave the test-wide ``scopes_disabled`` so that scopes are enforced again."""
    with scope():
        yield world


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_unscoped_query_fails_loudly(enforced, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_inside_a_scope_only_that_offices_rows_are_seen(enforced):
    world = enforced
    with scope(office=world.office):
        people = set(Person.objects.values_list("pk", flat=True))
        households = set(Household.objects.values_list("pk", flat=True))
    assert world.person.pk in people and world.other_person.pk not in people
    assert world.household.pk in households and world.other_person.household_id not in households


def test_access_functions_answer_another_offices_rows_like_missing_ones(world):
    with scopes_disabled():
        part = Illness.objects.create(person=world.other_person, name="高血圧症")
    m = world.m(world.manager)
    for call in (
        lambda: get_person_for_user(m, world.other_person.pk),
        lambda: get_person_for_user(m, 10**9),
        lambda: get_household_for_user(m, world.other_person.household_id),
        lambda: get_household_for_user(m, 10**9),
        lambda: get_part_for_user(m, "illnesses", part.pk),
        lambda: get_part_for_user(m, "illnesses", 10**9),
        lambda: get_part_for_user(m, "no-such-kind", part.pk),
    ):
        with pytest.raises(Http404):
            call()
    assert get_person_for_user(m, world.person.pk) == world.person
