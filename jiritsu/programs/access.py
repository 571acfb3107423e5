"""The one way request code (screens and API) reaches catalogue rows: programs, screening
ledgers and nominations. What happens to a person in a program (consents, conferences,
approvals, episodes, records) is reached through ``jiritsu.cases.access``.

Another office's row and a missing one both raise Http404; a role without the action gets
403 before any row is read (``offices/access.py``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jiritsu.offices.access import deny as _deny
from jiritsu.offices.access import get_or_404 as _get
from jiritsu.offices.access import require
from jiritsu.offices.models import Membership
from jiritsu.people.access import visible_people
from jiritsu.programs.models import Nomination, Program, ScreeningLedger


def visible_programs(membership: Membership) -> QuerySet[Program]:
    if not membership.can("program.view"):
        return Program.objects.none()
    return Program.objects.filter(office=membership.office)


def get_program_for_user(membership: Membership | None, pk: Any, *,
                         write: bool = False) -> Program:
    if membership is None:
        raise Http404
    if write and not membership.can("program.manage"):
        raise _deny()
    return _get(visible_programs(membership), pk)


def visible_nominations(membership: Membership) -> QuerySet[Nomination]:
    if not membership.can("nomination.record"):
        return Nomination.objects.none()
    return Nomination.objects.filter(office=membership.office,
                                     person__in=visible_people(membership))


def get_ledger_for_user(membership: Membership | None, pk: Any) -> ScreeningLedger:
    require(membership, "screening.run")
    assert membership is not None
    return _get(ScreeningLedger.objects.filter(office=membership.office)
                .select_related("program", "created_by"), pk)
