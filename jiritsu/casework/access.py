"""The one door to the caseworker's-day objects: another office's row, someone else's saved
filter and a missing one all answer 404; a role without the action 403."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jiritsu.casework.models import PlannedVisit, SavedFilter
from jiritsu.offices.access import get_or_404, require
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import has_own_caseload, role_has_own_caseload


def get_planned_visit_for_user(membership: Membership | None, pk: Any) -> PlannedVisit:
    m = require(membership, "visit.plan")
    return get_or_404(PlannedVisit.objects.filter(office=m.office)
                      .select_related("household", "caseworker", "record"), pk)


def get_saved_filter_for_user(membership: Membership | None, pk: Any) -> SavedFilter:
    m = require(membership, "worklist.view")
    return get_or_404(SavedFilter.objects.filter(office=m.office, user=m.user), pk)


def plan_caseworker(membership: Membership | None, caseworker_id: int | None) -> User | None:
    """Whose visit plan: a caseworker's own (naming anyone else is 404); a supervisor or
    manager names a caseworker of the office (not one of the office's caseworkers: 404), or
    none for the whole team (``None``)."""
    m = require(membership, "visit.plan")
    if has_own_caseload(m):
        if caseworker_id is not None and caseworker_id != m.user_id:
            raise Http404
        return m.user
    if caseworker_id is None:
        return None
    roles = [r for r in Membership.Role.values if role_has_own_caseload(r)]
    cw = (Membership.objects.filter(office=m.office, user_id=caseworker_id, role__in=roles)
          .select_related("user").first())
    if cw is None:
        raise Http404
    return cw.user
