"""The one way request code reaches guidance cases and their steps.

Another office's case and a missing one both answer 404; a role without
``guidance.manage`` gets 403 from the view decorator before this is reached.
"""

from __future__ import annotations

from django.http import Http404

from jiritsu.guidance.models import GuidanceCase, GuidanceStep
from jiritsu.offices.models import Membership


def get_case_for_user(membership: Membership | None, pk: int) -> GuidanceCase:
    if membership is None or not membership.can("guidance.manage"):
        raise Http404
    try:
        return (GuidanceCase.objects.filter(office=membership.office)
                .select_related("person", "person__household", "person__household__caseworker",
                                "office")
                .get(pk=pk))
    except (GuidanceCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_step_for_user(membership: Membership | None, pk: int) -> GuidanceStep:
    if membership is None or not membership.can("guidance.manage"):
        raise Http404
    try:
        return (GuidanceStep.objects.filter(case__office=membership.office)
                .select_related("case", "case__person", "case__person__household",
                                "case__person__household__caseworker", "case__office")
                .get(pk=pk))
    except (GuidanceStep.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require_settings_access(membership: Membership | None) -> Membership:
    """The office's guidance settings: managers (guidance.approve) and the office's
    system administrator (office.admin); everyone else 403."""
    from django.core.exceptions import PermissionDenied

    if membership is None or not (membership.can("guidance.approve")
                                  or membership.can("office.admin")):
        raise PermissionDenied("この操作を行う権限がありません。")
    return membership
