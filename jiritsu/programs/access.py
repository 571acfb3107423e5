"""The one way request code (screens and API) reaches catalogue rows: programs and screening
ledgers. What happens to a person in a program (consents, conferences,
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
from jiritsu.programs.models import Program, ScreeningLedger


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


def get_ledger_for_user(membership: Membership | None, pk: Any) -> ScreeningLedger:
    require(membership, "screening.run")
    assert membership is not None
    return _get(ScreeningLedger.objects.filter(office=membership.office)
                .select_related("program", "created_by"), pk)
