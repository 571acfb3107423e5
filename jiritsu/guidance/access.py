"""The one way request code (screens and API) reaches guidance cases and their steps.

Another office's case and a missing one both answer 404; a role without ``guidance.manage``
gets 403 (the same convention as every other access function, ``offices/access.py``).
"""

from __future__ import annotations

from django.db.models import QuerySet

from jiritsu.guidance.models import GuidanceCase, GuidanceStep
from jiritsu.offices.access import get_or_404, require
from jiritsu.offices.models import Membership


def visible_cases(membership: Membership) -> QuerySet[GuidanceCase]:
    if not membership.can("guidance.manage"):
        return GuidanceCase.objects.none()
    return GuidanceCase.objects.filter(office=membership.office)


def get_case_for_user(membership: Membership | None, pk: int) -> GuidanceCase:
    m = require(membership, "guidance.manage")
    return get_or_404(visible_cases(m).select_related(
        "person", "person__household", "person__household__caseworker", "office"), pk)


def get_step_for_user(membership: Membership | None, pk: int) -> GuidanceStep:
    m = require(membership, "guidance.manage")
    return get_or_404(GuidanceStep.objects.filter(case__in=visible_cases(m)).select_related(
        "case", "case__person", "case__person__household",
        "case__person__household__caseworker", "case__office"), pk)


def require_settings_access(membership: Membership | None) -> Membership:
    """The office's guidance settings: managers and the office's system administrator
    (``guidance.settings``); everyone else 403."""
    return require(membership, "guidance.settings")
