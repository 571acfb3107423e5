"""Object access for the report screens. Another office's row and a missing one: 404."""

from __future__ import annotations

from django.http import Http404

from jiritsu.offices.models import Membership
from jiritsu.programs.models import Program
from jiritsu.reports.models import FrozenReport


def get_program_for_report(membership: Membership, pk: int | str) -> Program:
    try:
        return Program.objects.get(office=membership.office, pk=int(pk))
    except (Program.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_frozen_for_user(membership: Membership, pk: int) -> FrozenReport:
    try:
        return FrozenReport.objects.select_related("frozen_by").get(office=membership.office, pk=pk)
    except (FrozenReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_people(membership: Membership) -> bool:
    """Figures open to their people only for staff who may see people's files."""
    return membership.can("person.view") and membership.role != Membership.Role.PARTNER
