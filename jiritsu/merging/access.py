"""The one door to merge records and to a pair of people to compare (``person.merge``).

The role is checked from the permission table before any row is read (403); another
office's merge or person answers 404 like a missing one. Partners never hold the action, so
no candidate is ever shown to them."""

from __future__ import annotations

from django.db.models import QuerySet

from jiritsu.cases.access import get_person_for_user
from jiritsu.merging.models import PersonMerge
from jiritsu.offices.access import get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person


def visible_merges(membership: Membership | None) -> QuerySet[PersonMerge]:
    m = require(membership, "person.merge")
    return PersonMerge.objects.filter(office=m.office).select_related("merged_by", "undone_by")


def get_merge_for_user(membership: Membership | None, pk: int) -> PersonMerge:
    return get_or_404(visible_merges(membership), pk)


def get_pair_for_user(membership: Membership | None, first_pk: int,
                      second_pk: int) -> tuple[Person, Person]:
    """Two people of the office, for comparing and merging."""
    m = require(membership, "person.merge")
    return get_person_for_user(m, first_pk), get_person_for_user(m, second_pk)
