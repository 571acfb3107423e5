"""The one door to merge records and to a pair of people to compare (``person.merge``).

The role is checked from the permission table before any row is read (403); another
office's merge or person answers 404 like a missing one. Partners never hold the action, so
no candidate is ever shown to them.

That a record took part in a merge is shown on the person page to the office's staff who reach
the person (:func:`merges_about`); the merge record itself — the merged record's fields, what
moved — stays behind ``person.merge``, and reading it is audited (:func:`log_merge_view`)."""

from __future__ import annotations

from django.db.models import QuerySet

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.access import get_person_for_user
from jiritsu.core.rows import Join, JoinedRows
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


# The person page's merges, read on every view of a person: a statement written once per
# process (jiritsu.core.rows), the rows of the queryset it replaced (tested equal).
_ABOUT = JoinedRows(PersonMerge, [Join("merged_by"), Join("undone_by", outer=True)],
                    where="{m}.office_id = %s AND ({m}.survivor_id = %s OR {m}.merged_id = %s)",
                    order_by="{m}.merged_at, {m}.id")


def merges_about(membership: Membership, person: Person) -> list[PersonMerge]:
    """The merges ``person``'s record took part in — as the record kept, or as a record an
    unmerge brought back — oldest first, for the line on the person page. The office's staff
    who reach the person (``cases.access``, by the caller) see that it happened; partners
    never, and another office's person has none here."""
    if is_partner(membership) or person.office_id != membership.office_id:
        return []
    return _ABOUT.fetch([membership.office_id, person.pk, person.pk])


def log_merge_view(membership: Membership, merge: PersonMerge) -> None:
    """Reading a merge record (screen or API) is reading about both records it names: one
    ``person.merge_view`` row about the kept record, linked to the merged one."""
    survivor = Person.objects.filter(pk=merge.survivor_id, office=membership.office).first()
    record(actor=membership.user, office=membership.office, action="person.merge_view",
           kind=AuditEvent.Kind.VIEW, target=merge, person=survivor,
           people=[merge.survivor_id, merge.merged_id])
