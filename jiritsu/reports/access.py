"""Object access for the report screens and API. Another office's row and a missing one: 404;
a role without the action: 403."""

from __future__ import annotations

from jiritsu.offices.access import get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.programs.access import get_program_for_user
from jiritsu.programs.models import Program
from jiritsu.reports.models import FrozenReport


def get_program_for_report(membership: Membership, pk: int | str) -> Program:
    """A program's figures: the same door as the program itself (``programs.access``)."""
    require(membership, "report.view")
    return get_program_for_user(membership, pk)


def get_frozen_for_user(membership: Membership, pk: int) -> FrozenReport:
    m = require(membership, "report.view")
    return get_or_404(FrozenReport.objects.select_related("frozen_by").filter(office=m.office), pk)


def can_see_people(membership: Membership) -> bool:
    """Figures open to their people only for staff who may see people's files."""
    return membership.can("report.people")
