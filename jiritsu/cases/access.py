"""The one way request code (screens and API) reaches case rows: consents, conferences,
approvals, enrolments (episodes) and records.

Another office's row and a missing one both raise Http404; a role without the action gets
403 before any row is read (``offices/access.py``). Partners reach episodes and records only
through ``people.access.partner_people`` and ``people.access.referred_to``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jiritsu.cases.models import (
    ActivityRecord,
    ApprovalRequest,
    Conference,
    Consent,
    Enrollment,
)
from jiritsu.offices.access import deny as _deny
from jiritsu.offices.access import get_or_404 as _get
from jiritsu.offices.access import require
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import is_partner
from jiritsu.people.access import referred_to, visible_people


def visible_enrollments(membership: Membership) -> QuerySet[Enrollment]:
    """Staff see the office's episodes; a partner only those referred to it, for people
    whose consent names it."""
    qs = Enrollment.objects.filter(office=membership.office)
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
        qs = qs.filter(Q(requested_by=membership.user) |
                       Q(enrollment__in=visible_enrollments(membership)))
    return _get(qs.select_related("enrollment", "enrollment__person", "enrollment__program",
                                  "requested_by", "conference"), pk)


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
