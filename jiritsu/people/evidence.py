"""医学的な根拠 (medical evidence): how long each kind stays valid in an office, and which
ones fall due. The one home of both rules — the person part's service fills the default
due date from :func:`validity_months`, the caseworker's home and work list read
:func:`evidence_due`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from jiritsu.core.rows import Join, JoinedRows
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


# The due list's one statement, written once per process (it is read on every caseworker
# home): the evidence of the people given whose next one is due by a day, that no newer
# evidence of the same kind for the same person replaced ("newer": a later date, or the same
# date recorded later), with the person, household and caseworker, earliest first.
_TABLE = MedicalEvidence._meta.db_table
_DUE = JoinedRows(
    MedicalEvidence,
    [Join("person"), Join("person__household", outer=True),
     Join("person__household__caseworker", outer=True)],
    where=("{m}.person_id {ids} AND {m}.next_due_on IS NOT NULL AND {m}.next_due_on <= %s "
           f"AND NOT EXISTS (SELECT 1 FROM {_TABLE} newer "
           "WHERE newer.person_id = {m}.person_id AND newer.kind = {m}.kind "
           "AND (newer.issued_on > {m}.issued_on "
           "OR (newer.issued_on = {m}.issued_on AND newer.id > {m}.id)))"),
    order_by="{m}.next_due_on, {j0}.kana_key, {m}.id")


def evidence_due(people: Iterable[int] | QuerySet[Person], *, today: dt.date,
                 until: dt.date) -> list[DueEvidence]:
    """Opinions and other evidence of ``people`` (ids, or a queryset whose ids are read
    first) falling due by ``until`` (overdue ones included), earliest first — one
    statement."""
    ids = (list(people.values_list("pk", flat=True)) if isinstance(people, QuerySet)
           else list(people))
    if not ids:
        return []
    rows = _DUE.fetch(lambda c: [ids, c.ops.adapt_datefield_value(until)])
    return [DueEvidence(e, today) for e in rows]
