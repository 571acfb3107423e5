"""医学的な根拠 (medical evidence): how long each kind stays valid in an office, and which
ones fall due. The one home of both rules — the person part's service fills the default
due date from :func:`validity_months`, the caseworker's home and work list read
:func:`evidence_due`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from jiritsu.core.wareki import add_months
from jiritsu.offices.models import Office
from jiritsu.people.models import (
    DEFAULT_VALIDITY_MONTHS,
    EvidenceValidity,
    MedicalEvidence,
    Person,
)

Kind = MedicalEvidence.Kind


def validity_table(office: Office) -> dict[str, int]:
    """Months of validity per kind in ``office`` (0: no due date): the office's rows over the
    defaults."""
    table = {k: DEFAULT_VALIDITY_MONTHS.get(k, 0) for k in Kind.values}
    table.update(EvidenceValidity.objects.filter(office=office).values_list("kind", "months"))
    return table


def validity_months(office: Office, kind: str) -> int:
    return validity_table(office).get(kind, 0)


def default_due_on(office: Office, kind: str, issued_on: dt.date | None) -> dt.date | None:
    """When the next one of ``kind`` is due after one dated ``issued_on`` (None: never)."""
    months = validity_months(office, kind)
    if not months or issued_on is None:
        return None
    return add_months(issued_on, months)


@dataclass
class DueEvidence:
    """One piece of evidence whose next one is due (not yet replaced by a newer one)."""

    evidence: MedicalEvidence
    today: dt.date

    @property
    def person(self) -> Person:
        return self.evidence.person

    @property
    def due_on(self) -> dt.date:
        assert self.evidence.next_due_on is not None
        return self.evidence.next_due_on

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def label(self) -> str:
        return f"{self.evidence.get_kind_display()}の更新"


def due_rows(people: Iterable[int] | QuerySet[Person], *,
             until: dt.date) -> QuerySet[MedicalEvidence]:
    """The query behind :func:`evidence_due`: evidence of ``people`` (ids or a queryset) due
    by ``until`` that no newer evidence of the same kind for the same person replaced."""
    newer = MedicalEvidence.objects.filter(person=OuterRef("person"), kind=OuterRef("kind")).filter(
        Q(issued_on__gt=OuterRef("issued_on"))
        | Q(issued_on=OuterRef("issued_on"), id__gt=OuterRef("id")))
    return (MedicalEvidence.objects.filter(person__in=people, next_due_on__isnull=False,
                                           next_due_on__lte=until)
            .exclude(Exists(newer)))


def evidence_due(people: Iterable[int] | QuerySet[Person], *, today: dt.date,
                 until: dt.date) -> list[DueEvidence]:
    """Opinions and other evidence falling due by ``until`` (overdue ones included), earliest
    first — one query."""
    rows = (due_rows(people, until=until)
            .select_related("person", "person__household", "person__household__caseworker")
            .order_by("next_due_on", "person__kana_key", "id"))
    return [DueEvidence(e, today) for e in rows]
