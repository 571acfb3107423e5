"""The one door for request code (screens and API) to a person and everything about them:
households, people and their parts, the partner rule, consents, conferences, nominations,
approvals, enrolments (episodes) and records.

Another office's row and a missing one both raise Http404; a role without the action gets
403 before any row is read (``offices/access.py`` has the convention). A partner sees only
people referred to its organisation with an unwithdrawn consent that names it
(:func:`partner_people`); every other partner-facing list (episodes, records, Hello Work
referrals) is limited through it. Reads of a person's file are audited by the caller
(views/API) via :func:`log_view`. The catalogue (programs, ledgers) has its own door,
``jiritsu.programs.access``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import (
    ActivityRecord,
    ApprovalRequest,
    Conference,
    Consent,
    ConsentGrant,
    Enrollment,
)
from jiritsu.core.rows import Join, JoinedRows
from jiritsu.offices.access import deny, get_or_404, require
from jiritsu.offices.access import deny as _deny
from jiritsu.offices.access import get_or_404 as _get
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import has_own_caseload, is_partner
from jiritsu.people.models import Household, Person
from jiritsu.people.services import PART_KINDS
from jiritsu.programs.models import Nomination

# ---------------------------------------------------------------- people and the partner rule

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
    """People this membership may see at all (before any per-action check): staff who may
    see people, the office's (:func:`sees_office_enrollments`, the one predicate)."""
    if sees_office_enrollments(membership):
        return Person.objects.filter(office=membership.office)
    if is_partner(membership):
        return partner_people(membership)
    return Person.objects.none()


# What a caseload never shows of its people and households (the times of each row's last
# change are a third of the time spent reading them).
_UNSHOWN = ("version", "created_at", "updated_at")
# A caseload: the people of one caseworker's open households, by case number and member,
# each with its household, the household's visit grade and the grade's interval (what the
# caseload table and the visit rule read). Written once per process: the caseworker home
# reads it on every request.
_CASELOAD = JoinedRows(
    Person,
    [Join("household", defer=_UNSHOWN), Join("household__visit_grade", outer=True),
     Join("household__visit_grade__interval", outer=True)],
    defer=(*_UNSHOWN, "note", "employer_name", "school_name", "phone"),
    where=("{m}.office_id = %s AND {j0}.office_id = %s AND {j0}.caseworker_id = %s"
           " AND {j0}.assistance_ended_on IS NULL"),
    order_by="{j0}.case_number, {m}.member_number, {m}.id")


def caseload(membership: Membership, *, caseworker: User | None = None) -> list[Person] | None:
    """The one definition of a caseload: the people of one caseworker's open households (a
    caseworker's own, or the chosen ``caseworker``'s) that ``membership`` may see, by case
    number and member, with household, visit grade and interval read with them; None when
    the page is about the whole office (no caseworker). One statement."""
    if caseworker is not None:
        caseworker_id = caseworker.pk
    elif has_own_caseload(membership):
        caseworker_id = membership.user_id
    else:
        return None
    if not membership.can("person.view"):
        return []
    office = membership.office_id
    people = _CASELOAD.fetch([office, office, caseworker_id])
    if is_partner(membership):  # a partner's people only (partners have no caseload of their own)
        allowed = set(partner_people(membership).filter(pk__in=[p.pk for p in people])
                      .values_list("pk", flat=True))
        people = [p for p in people if p.pk in allowed]
    return people


def caseload_person_ids(membership: Membership, *,
                        caseworker: User | None = None) -> list[int] | None:
    """The ids of :func:`caseload`'s people, in id order; None for the whole office."""
    people = caseload(membership, caseworker=caseworker)
    return None if people is None else sorted(p.pk for p in people)


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


# One person of the office with household and caseworker: what staff see of a person
# (visible_people), read on every person page, so written once per process.
_OFFICE_PERSON = JoinedRows(Person, [Join("household", outer=True),
                                     Join("household__caseworker", outer=True)],
                            where="{m}.id = %s AND {m}.office_id = %s")


def get_person_for_user(membership: Membership | None, pk: int, *, write: bool = False) -> Person:
    require(membership, "person.view")
    assert membership is not None
    if write and not membership.can("person.edit"):
        raise deny()
    if sees_office_enrollments(membership):  # staff: visible_people is the office's people
        try:
            key = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        found = _OFFICE_PERSON.fetch([key, membership.office_id]) if 0 < key < 2**63 else []
        if not found:
            raise Http404
        return found[0]
    return get_or_404(visible_people(membership).select_related("household", "household__caseworker"),
                      pk)


def get_person_amounts_for_user(membership: Membership | None, pk: int) -> Person:
    """A person whose assistance and medical amounts (保護費・医療扶助, 要配慮個人情報) this
    membership may see: the office's staff with ``amounts.view`` — never a partner, whatever
    the consent says. The caller audits the view (``log_view(…, what="person.amounts_view")``)."""
    require(membership, "amounts.view")
    return get_person_for_user(membership, pk)


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


# ---------------------------------------------------------------- what happens in a program

def visible_nominations(membership: Membership) -> QuerySet[Nomination]:
    if not membership.can("nomination.record"):
        return Nomination.objects.none()
    return Nomination.objects.filter(office=membership.office,
                                     person__in=visible_people(membership))


def sees_office_enrollments(membership: Membership) -> bool:
    """Whether :func:`visible_enrollments` is every episode of the office
    (:func:`office_enrollments`): staff who may see people. A statement written for the
    office's episodes may stand for it then (``cases.selectors.program_board``)."""
    return not is_partner(membership) and membership.can("person.view")


def office_enrollments(office_id: int) -> QuerySet[Enrollment]:
    """Every episode of the office: what staff see (:func:`sees_office_enrollments`)."""
    return Enrollment.objects.filter(office_id=office_id)


def visible_enrollments(membership: Membership) -> QuerySet[Enrollment]:
    """Staff see the office's episodes; a partner only those referred to it, for people
    whose consent names it."""
    qs = office_enrollments(membership.office_id)
    if is_partner(membership):
        qs = qs.filter(referred_to(membership.partner_id),
                       person__in=visible_people(membership))
    elif not membership.can("person.view"):
        qs = qs.none()
    return qs


def get_enrollment_for_user(membership: Membership | None, pk: Any, *, write: bool = False,
                            action: str = "enrollment.manage") -> Enrollment:
    require(membership, "person.view")
    assert membership is not None
    if write and not membership.can(action):
        raise _deny()
    return _get(visible_enrollments(membership).select_related(
        "person", "person__household", "person__household__caseworker", "program",
        "program_version", "phase", "lead_staff", "moved_from__program"), pk)


def visible_conferences(membership: Membership) -> QuerySet[Conference]:
    if not membership.can("conference.manage"):
        return Conference.objects.none()
    return Conference.objects.filter(office=membership.office)


def get_conference_for_user(membership: Membership | None, pk: Any) -> Conference:
    m = require(membership, "conference.manage")
    return _get(visible_conferences(m).select_related("program"), pk)


def get_approval_for_user(membership: Membership | None, pk: Any) -> ApprovalRequest:
    """An approval request is about a person's episode: staff who may see people."""
    require(membership, "person.view")
    assert membership is not None
    qs = ApprovalRequest.objects.filter(office=membership.office)
    if not membership.can("approval.decide"):
        # A request without an episode (a 法62条 decision) is about its person.
        qs = qs.filter(Q(requested_by=membership.user) |
                       Q(enrollment__in=visible_enrollments(membership)) |
                       Q(enrollment=None, person__in=visible_people(membership)))
    return _get(qs.select_related("enrollment", "enrollment__person", "enrollment__program",
                                  "person", "requested_by", "conference"), pk)


def visible_consents(membership: Membership) -> QuerySet[Consent]:
    """Consents are the office's records about a person: staff who may see the person."""
    if is_partner(membership):
        return Consent.objects.none()
    return Consent.objects.filter(office=membership.office, person__in=visible_people(membership))


def get_consent_for_user(membership: Membership | None, pk: Any, *,
                         write: bool = False) -> Consent:
    require(membership, "person.view")
    assert membership is not None
    if write and not membership.can("consent.record"):
        raise _deny()
    return _get(visible_consents(membership).select_related("person", "program"), pk)


def visible_records(membership: Membership) -> QuerySet[ActivityRecord]:
    """経過記録 of people the membership may see; a partner only its own organisation's."""
    qs = ActivityRecord.objects.filter(office=membership.office,
                                       person__in=visible_people(membership))
    if is_partner(membership):
        qs = qs.filter(author_partner=membership.partner_id)
    return qs


def get_record_for_user(membership: Membership | None, pk: Any, *,
                        write: bool = False) -> ActivityRecord:
    require(membership, "person.view")
    assert membership is not None
    if write and not membership.can("record.write"):
        raise _deny()
    return _get(visible_records(membership).select_related("person", "enrollment"), pk)


def partner_may_record(membership: Membership, person: Any,
                       enrollment: Enrollment | None = None) -> bool:
    """A partner writes records only for a person (and episode) referred to it within
    consent — the same rule as seeing them."""
    qs = visible_enrollments(membership).filter(person=person)
    if enrollment is not None:
        qs = qs.filter(pk=enrollment.pk)
    return qs.exists()
