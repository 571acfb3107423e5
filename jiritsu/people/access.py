"""The one way request code reaches households and people, and the one partner rule.

Another office's record and a missing one answer the same (404); a role without the action
gets 403 (``offices/access.py`` has the convention). A partner sees only people referred to
its organisation with an unwithdrawn consent that names it (:func:`partner_people`); every
other partner-facing list (episodes, records, Hello Work referrals) is limited through it.
Reads of a person's file are audited by the caller (views/API) via ``log_view``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ConsentGrant, Enrollment
from jiritsu.offices.access import deny, get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import is_partner
from jiritsu.people.models import Household, Person
from jiritsu.people.services import PART_KINDS


def referred_to(partner_id: int | None) -> Q:
    """An enrolment counts as referred to a partner organisation when the enrolment names it
    (紹介先) or a Hello Work referral (支援要請) of the enrolment went to it. The one rule for
    "referred", used wherever referral matters (filter ``Enrollment`` with it)."""
    referred_by_hw = Enrollment.objects.filter(hw_referrals__hello_work=partner_id).values("pk")
    return Q(referred_partners=partner_id) | Q(pk__in=referred_by_hw)


def consented_person_ids(partner_id: int | None) -> QuerySet[Any]:
    """Ids of people with a consent in force (not withdrawn) whose grant names the partner."""
    return ConsentGrant.objects.filter(partner=partner_id,
                                       consent__withdrawn_on__isnull=True).values("consent__person_id")


def partner_people(membership: Membership) -> QuerySet[Person]:
    """The partner rule, decided here only: referral ∩ unwithdrawn consent. The data
    categories of the consent then limit what of the person is shown
    (:func:`partner_categories`). Withdrawing the consent ends access at once."""
    pid = membership.partner_id
    referred = Enrollment.objects.filter(referred_to(pid), office=membership.office)
    return Person.objects.filter(office=membership.office, pk__in=consented_person_ids(pid)
                                 ).filter(pk__in=referred.values("person_id"))


def visible_people(membership: Membership) -> QuerySet[Person]:
    """People this membership may see at all (before any per-action check)."""
    if is_partner(membership):
        return partner_people(membership)
    if not membership.can("person.view"):
        return Person.objects.none()
    return Person.objects.filter(office=membership.office)


def visible_households(membership: Membership) -> QuerySet[Household]:
    if not membership.can("household.view"):
        return Household.objects.none()
    return Household.objects.filter(office=membership.office)


def partner_categories(membership: Membership, person: Person) -> set[str]:
    """Data categories a partner may see for this person (union over valid consents)."""
    cats: set[str] = set()
    for grant in ConsentGrant.objects.filter(
        consent__person=person, consent__withdrawn_on__isnull=True, partner=membership.partner
    ):
        cats.update(grant.categories)
    return cats


def get_person_for_user(membership: Membership | None, pk: int, *, write: bool = False) -> Person:
    require(membership, "person.view")
    assert membership is not None
    if write and not membership.can("person.edit"):
        raise deny()
    return get_or_404(visible_people(membership).select_related("household", "household__caseworker"),
                      pk)


def get_household_for_user(
    membership: Membership | None, pk: int, *, write: bool = False
) -> Household:
    require(membership, "household.view")
    assert membership is not None
    if write and not membership.can("household.edit"):
        raise deny()
    return get_or_404(visible_households(membership), pk)


def log_view(membership: Membership, person: Person, *, what: str = "person.view") -> None:
    """Every read of a person's record is in the audit log."""
    record(actor=membership.user, office=membership.office, action=what,
           kind=AuditEvent.Kind.VIEW, target=person, person=person)


def log_list(membership: Membership, people: list[Person], *, what: str,
             note: str = "") -> None:
    """A list of people shown (search results, an API page): one audit row naming each person
    listed through its person links, so each finds the list in their own history and 開示.
    An empty list is not a read of anyone and writes nothing."""
    if not people:
        return
    record(actor=membership.user, office=membership.office, action=what,
           kind=AuditEvent.Kind.VIEW, changes={"count": len(people)}, note=note[:200],
           people=people)


def get_part_for_user(membership: Membership | None, kind: str, pk: int, *,
                      write: bool = False) -> Any:
    """A person part (disability, illness, stay …) of a person this membership may see."""
    require(membership, "person.view")
    assert membership is not None
    if kind not in PART_KINDS:
        raise Http404
    if write and not membership.can("person.edit"):
        raise deny()
    model: Any = PART_KINDS[kind].model
    return get_or_404(model.objects.select_related("person")
                      .filter(person__in=visible_people(membership)), pk)
