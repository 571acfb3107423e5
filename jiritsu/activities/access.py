"""Object access for activities screens: another office's row and a missing row are both 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from jiritsu.activities.models import HelloWorkReferral, SessionSeries, TrainingPlacement
from jiritsu.offices.models import Membership
from jiritsu.people.access import get_person_for_user
from jiritsu.people.models import Person
from jiritsu.programs.models import Enrollment


def _get(qs: Any, pk: Any) -> Any:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _check(membership: Membership | None, action: str) -> Membership:
    if membership is None or membership.is_partner:
        raise Http404
    if not membership.can(action):
        raise PermissionDenied("この操作を行う権限がありません。")
    return membership


def require_staff(membership: Membership | None, action: str) -> Membership:
    """Office-wide lists (training placements, group sessions, the task list) name people
    across the whole office: for the office's staff only. A partner organisation reaches
    only what is referred to it, so these are refused to partners (403)."""
    if membership is None:
        raise Http404
    if membership.is_partner or not membership.can(action):
        raise PermissionDenied("この操作を行う権限がありません。")
    return membership


def get_person_support_for_user(membership: Membership | None, pk: Any) -> Person:
    """A person's support details (health tracks, family, receiving places, referrals):
    the office's staff only; a partner gets 404 as for any person it cannot open."""
    if membership is None or membership.is_partner:
        raise Http404
    return get_person_for_user(membership, pk)


def get_placement_for_user(membership: Membership | None, pk: Any, *,
                           write: bool = False) -> TrainingPlacement:
    m = _check(membership, "program.view")
    placement = _get(TrainingPlacement.objects.filter(office=m.office).select_related(
        "enrollment__person__household", "enrollment__program", "employer__partner",
        "extended_by"), pk)
    if write and not m.can("record.write"):
        raise PermissionDenied("この操作を行う権限がありません。")
    return placement


def get_series_for_user(membership: Membership | None, pk: Any, *,
                        write: bool = False) -> SessionSeries:
    m = _check(membership, "program.view")
    series = _get(SessionSeries.objects.filter(office=m.office).select_related("program", "host"),
                  pk)
    if write and not m.can("record.write"):
        raise PermissionDenied("この操作を行う権限がありません。")
    return series


def visible_referrals(membership: Membership) -> QuerySet[HelloWorkReferral]:
    """The office's referrals for staff who may view programs; for a Hello Work's own staff
    (partner role) only the referrals sent to that Hello Work."""
    qs = HelloWorkReferral.objects.filter(office=membership.office).select_related(
        "enrollment__person__household", "enrollment__program", "hello_work")
    if membership.is_partner:
        return qs.filter(hello_work=membership.partner)
    if not membership.can("program.view"):
        return qs.none()
    return qs


def get_referral_for_user(membership: Membership | None, pk: Any, *,
                          write: bool = False) -> HelloWorkReferral:
    """Staff of the office, and the Hello Work the referral went to (its result comes back)."""
    if membership is None:
        raise Http404
    if not membership.is_partner and not membership.can("program.view"):
        raise PermissionDenied("この操作を行う権限がありません。")
    referral = _get(visible_referrals(membership), pk)
    if write and not (membership.can("enrollment.manage") or membership.is_partner):
        raise PermissionDenied("この操作を行う権限がありません。")
    return referral


def get_enrollment_for_user(membership: Membership | None, pk: Any, *,
                            write: bool = False) -> Enrollment:
    m = _check(membership, "program.view")
    enrollment = _get(Enrollment.objects.filter(office=m.office).select_related(
        "person__household", "program"), pk)
    if write and not m.can("enrollment.manage"):
        raise PermissionDenied("この操作を行う権限がありません。")
    return enrollment
