"""Reads for the guidance screens, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from jiritsu.core import clock
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep
from jiritsu.guidance.rules import NextStep, Track
from jiritsu.offices.models import Office


@dataclass
class BoardRow:
    case: GuidanceCase
    track: Track
    next: NextStep | None
    last: GuidanceStep | None

    @property
    def overdue(self) -> bool:

        return bool(self.next and self.next.due_on and self.next.due_on < clock.today())


def _steps() -> Prefetch:
    return Prefetch("steps", queryset=GuidanceStep.objects.order_by("occurred_on", "id"))


def open_cases_board(office: Office, settings: GuidanceSettings) -> list[BoardRow]:
    """Every open guidance case of the office with its next lawful step and that step's date."""
    cases = (GuidanceCase.objects.filter(office=office, status=GuidanceCase.Status.OPEN)
             .select_related("person", "person__household", "person__household__caseworker")
             .prefetch_related(_steps()))
    rows = []
    for case in cases:
        track = Track(case, list(case.steps.all()), settings)
        rows.append(BoardRow(case, track, track.primary_next(), track.latest_step))
    far = dt.date.max
    rows.sort(key=lambda r: (r.next.due_on or far if r.next else far, r.case.opened_on))
    return rows


def person_cases(person_id: int, office: Office) -> list[GuidanceCase]:
    return list(GuidanceCase.objects.filter(office=office, person_id=person_id)
                .order_by("-opened_on", "-id"))
