"""The one way request code reaches households and people.

Another office's record and a missing one answer the same (404). A partner sees
only people referred to its organisation with an unwithdrawn consent that names it.
Reads of a person's file are audited by the caller (views/API) via ``log_view``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Membership
from jiritsu.people.models import Household, Person


def visible_people(membership: Membership) -> QuerySet[Person]:
    """People this membership may see at all (before any per-action check)."""
    qs = Person.objects.filter(office=membership.office)
    if membership.role == Membership.Role.PARTNER:
        qs = qs.filter(
            consents__grants__partner=membership.partner,
            consents__withdrawn_on__isnull=True,
        ).distinct()
    elif not membership.can("person.view"):
        qs = qs.none()
    return qs


def visible_households(membership: Membership) -> QuerySet[Household]:
    if not membership.can("household.view"):
        return Household.objects.none()
    return Household.objects.filter(office=membership.office)


def partner_categories(membership: Membership, person: Person) -> set[str]:
    """Data categories a partner may see for this person (union over valid consents)."""
    from jiritsu.programs.models import ConsentGrant

    cats: set[str] = set()
    for grant in ConsentGrant.objects.filter(
        consent__person=person, consent__withdrawn_on__isnull=True, partner=membership.partner
    ):
        cats.update(grant.categories)
    return cats


def get_person_for_user(membership: Membership | None, pk: int, *, write: bool = False) -> Person:
    if membership is None:
        raise Http404
    try:
        person = visible_people(membership).select_related("household", "household__caseworker").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not membership.can("person.edit"):
        raise PermissionDenied("この操作を行う権限がありません。")
    return person


def get_household_for_user(
    membership: Membership | None, pk: int, *, write: bool = False
) -> Household:
    if membership is None:
        raise Http404
    try:
        household = visible_households(membership).get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not membership.can("household.edit"):
        raise PermissionDenied("この操作を行う権限がありません。")
    return household


def log_view(membership: Membership, person: Person, *, what: str = "person.view") -> None:
    """Every read of a person's record is in the audit log."""
    record(actor=membership.user, office=membership.office, action=what,
           kind=AuditEvent.Kind.VIEW, target=person, person=person)


def get_part_for_user(membership: Membership | None, kind: str, pk: int, *,
                      write: bool = False) -> Any:
    """A person part (disability, illness, stay …) of a person this membership may see."""
    from jiritsu.people.services import PART_KINDS

    if membership is None or kind not in PART_KINDS:
        raise Http404
    model: Any = PART_KINDS[kind].model
    try:
        part = model.objects.select_related("person").get(
            pk=pk, person__in=visible_people(membership))
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not membership.can("person.edit"):
        raise PermissionDenied("この操作を行う権限がありません。")
    return part
