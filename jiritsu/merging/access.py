"""The one door to merge records and to a pair of people to compare (``person.merge``).

The role is checked from the permission table before any row is read (403); another
office's merge or person answers 404 like a missing one. Partners never hold the action, so
no candidate is ever shown to them.

That a record took part in a merge is shown on the person page to the office's staff who reach
the person (:func:`merges_about`); the merge record itself — the merged record's fields, what
moved — stays behind ``person.merge``, and reading it is audited (:func:`log_merge_view`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.access import get_person_for_user
from jiritsu.merging.models import PersonMerge
from jiritsu.offices.access import get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import is_partner
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


def merges_about(membership: Membership, person: Person) -> list[PersonMerge]:
    """The merges ``person``'s record took part in — as the record kept, or as a record an
    unmerge brought back — oldest first, for the line on the person page. The office's staff
    who reach the person (``cases.access``, by the caller) see that it happened; partners
    never, and another office's person has none here."""
    if is_partner(membership) or person.office_id != membership.office_id:
        return []
    return list(PersonMerge.objects.filter(office=membership.office)
                .filter(Q(survivor_id=person.pk) | Q(merged_id=person.pk))
                .select_related("merged_by", "undone_by").order_by("merged_at", "id"))


def log_merge_view(membership: Membership, merge: PersonMerge) -> None:
    """Reading a merge record (screen or API) is reading about both records it names: one
    ``person.merge_view`` row about the kept record, linked to the merged one."""
    survivor = Person.objects.filter(pk=merge.survivor_id, office=membership.office).first()
    record(actor=membership.user, office=membership.office, action="person.merge_view",
           kind=AuditEvent.Kind.VIEW, target=merge, person=survivor,
           people=[merge.survivor_id, merge.merged_id])
