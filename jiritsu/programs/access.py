"""The one way request code reaches program rows. Another office's row and a missing one
both raise Http404; a role without the action gets 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from jiritsu.offices.models import Membership
from jiritsu.people.access import visible_people
from jiritsu.programs.models import (
    ActivityRecord,
    ApprovalRequest,
    Conference,
    Consent,
    Enrollment,
    Program,
    ScreeningLedger,
)


def _deny() -> PermissionDenied:
    return PermissionDenied("この操作を行う権限がありません。")


def _get(qs: QuerySet[Any], pk: Any) -> Any:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_programs(membership: Membership) -> QuerySet[Program]:
    if not membership.can("program.view"):
        return Program.objects.none()
    return Program.objects.filter(office=membership.office)


def get_program_for_user(membership: Membership | None, pk: Any, *,
                         write: bool = False) -> Program:
    if membership is None:
        raise Http404
    program = _get(visible_programs(membership), pk)
    if write and not membership.can("program.manage"):
        raise _deny()
    return program


def visible_enrollments(membership: Membership) -> QuerySet[Enrollment]:
    """Staff see the office's episodes; a partner only those referred to it, for people
    whose consent names it."""
    qs = Enrollment.objects.filter(office=membership.office)
    if membership.role == Membership.Role.PARTNER:
        qs = qs.filter(referred_partners=membership.partner_id,
                       person__in=visible_people(membership))
    elif not membership.can("person.view"):
        qs = qs.none()
    return qs


def get_enrollment_for_user(membership: Membership | None, pk: Any, *, write: bool = False,
                            action: str = "enrollment.manage") -> Enrollment:
    if membership is None:
        raise Http404
    enrollment = _get(visible_enrollments(membership).select_related(
        "person", "person__household", "person__household__caseworker", "program",
        "program_version", "phase", "lead_staff", "moved_from__program"), pk)
    if write and not membership.can(action):
        raise _deny()
    return enrollment


def get_conference_for_user(membership: Membership | None, pk: Any) -> Conference:
    if membership is None or not membership.can("conference.manage"):
        if membership is None:
            raise Http404
        raise _deny()
    return _get(Conference.objects.filter(office=membership.office).select_related("program"), pk)


def get_approval_for_user(membership: Membership | None, pk: Any) -> ApprovalRequest:
    if membership is None:
        raise Http404
    qs = ApprovalRequest.objects.filter(office=membership.office)
    if not membership.can("approval.decide"):
        qs = qs.filter(Q(requested_by=membership.user) |
                       Q(enrollment__in=visible_enrollments(membership)))
    return _get(qs.select_related("enrollment", "enrollment__person", "enrollment__program",
                                  "requested_by", "conference"), pk)


def get_ledger_for_user(membership: Membership | None, pk: Any) -> ScreeningLedger:
    if membership is None:
        raise Http404
    if not membership.can("screening.run"):
        raise _deny()
    return _get(ScreeningLedger.objects.filter(office=membership.office)
                .select_related("program", "created_by"), pk)


def get_consent_for_user(membership: Membership | None, pk: Any, *,
                         write: bool = False) -> Consent:
    if membership is None:
        raise Http404
    consent = _get(Consent.objects.filter(office=membership.office,
                                          person__in=visible_people(membership))
                   .select_related("person", "program"), pk)
    if write and not membership.can("consent.record"):
        raise _deny()
    return consent


def get_record_for_user(membership: Membership | None, pk: Any, *,
                        write: bool = False) -> ActivityRecord:
    if membership is None:
        raise Http404
    qs = ActivityRecord.objects.filter(office=membership.office,
                                       person__in=visible_people(membership))
    if membership.role == Membership.Role.PARTNER:
        qs = qs.filter(author_partner=membership.partner_id)
    record = _get(qs.select_related("person", "enrollment"), pk)
    if write and not membership.can("record.write"):
        raise _deny()
    return record
