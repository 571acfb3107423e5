"""The one door to the caseworker's-day objects: another office's row, someone else's saved
filter and a missing one all answer 404; a role without the action 403."""

from __future__ import annotations

from typing import Any

from jiritsu.casework.models import PlannedVisit, SavedFilter
from jiritsu.offices.access import get_or_404, require
from jiritsu.offices.models import Membership


def get_planned_visit_for_user(membership: Membership | None, pk: Any) -> PlannedVisit:
    m = require(membership, "visit.plan")
    return get_or_404(PlannedVisit.objects.filter(office=m.office)
                      .select_related("household", "caseworker", "record"), pk)


def get_saved_filter_for_user(membership: Membership | None, pk: Any) -> SavedFilter:
    m = require(membership, "worklist.view")
    return get_or_404(SavedFilter.objects.filter(office=m.office, user=m.user), pk)
