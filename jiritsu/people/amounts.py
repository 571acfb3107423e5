"""Assistance and medical amounts (保護費・医療扶助) received from the main 生活保護 system.

The data (models in :mod:`jiritsu.people.models`):

- :class:`~jiritsu.people.models.AssistanceMonth` — per **household** per month: 最低生活費
  ``minimum_living_cost``, 収入認定額 ``earned_income_recognised`` (就労収入) and
  ``other_income_recognised`` (その他), 支給額 by 扶助の種類 ``paid_living`` … ``paid_funeral``
  (:data:`~jiritsu.people.models.PAID_FIELDS`; 医療・介護 are 現物給付 but carry their cost),
  ``status`` 支給 / 停止 / 廃止 with ``status_reason`` (the 廃止理由 list).
- :class:`~jiritsu.people.models.MedicalClaimMonth` — per **person** per month from the
  レセプト summaries: ``kind`` 入院 / 入院外 / 調剤 / 歯科, ``institution_name`` (part of the key),
  ``days``, ``points``, ``amount`` (yen; points × 10 when only points are given).

Conventions: a month is a ``datetime.date`` on the first of the month
(:func:`first_of_month`; the tables' check constraints refuse any other day); money is integer
yen. A person's assistance is their household's: :func:`person_months` pairs the two.

Writing: the caseload import's pipeline (:mod:`jiritsu.people.importing`: files at
/people/import/, the API's bulk upserts) — all or nothing, errors by row and column,
idempotent. Reading: this module. Both kinds of row are 要配慮個人情報: callers reach them
through a person or household the actor may see (``cases.access``), audit the view, and
never show them to partners (``offices.permissions``: action ``amounts.view``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from jiritsu.core.rows import PlainRows
from jiritsu.core.wareki import add_months
from jiritsu.people.models import (
    PAID_FIELDS,
    AssistanceKind,
    AssistanceMonth,
    Household,
    MedicalClaimKind,
    MedicalClaimMonth,
    Person,
)

POINT_YEN = 10  # 1 点 = 10 円 (診療報酬点数表)


def first_of_month(day: dt.date) -> dt.date:
    """The month of ``day``, as its first day."""
    return day.replace(day=1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last`` (inclusive), as first days."""
    out: list[dt.date] = []
    month = first_of_month(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


@dataclass
class MedicalTotals:
    """One person's medical assistance in one month, all claims added up."""

    amount: int = 0
    days: int = 0
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (amount, days)

    @property
    def inpatient_days(self) -> int:
        """入院日数."""
        return self.by_kind.get(MedicalClaimKind.INPATIENT, (0, 0))[1]

    @property
    def inpatient_amount(self) -> int:
        return self.by_kind.get(MedicalClaimKind.INPATIENT, (0, 0))[0]


# Written once per process (jiritsu.core.rows): a person's page reads them on every view, where
# building the two querysets cost several times the database's answer. No office scope here:
# the ids come from a household or person the caller already read in its office, and an
# amount row is always in its household's or person's office (the owner check of migration
# people/0011; households and people never change office — a 移管 registers new ones).
_ASSISTANCE_FIELDS = [f.name for f in AssistanceMonth._meta.concrete_fields]
_ASSISTANCE = PlainRows(AssistanceMonth, _ASSISTANCE_FIELDS, key="household",
                        where="{month} >= %s AND {month} <= %s")
_CLAIMS = PlainRows(MedicalClaimMonth, ["person", "month", "kind", "amount", "days"],
                    key="person", where="{month} >= %s AND {month} <= %s")
_ASSISTANCE_ATTNAMES = [f.attname for f in AssistanceMonth._meta.concrete_fields]


def assistance_by_household(household_ids: Iterable[int], first: dt.date,
                            last: dt.date) -> dict[int, dict[dt.date, AssistanceMonth]]:
    """household id → month → its :class:`AssistanceMonth`, for months ``first``..``last``.

    One query per 1,000 households. The households must be ones the caller may see."""
    ids = sorted(set(household_ids))
    out: dict[int, dict[dt.date, AssistanceMonth]] = defaultdict(dict)
    for i in range(0, len(ids), 1000):
        for values in _ASSISTANCE.fetch(ids[i:i + 1000], [first_of_month(first), last]):
            row = AssistanceMonth.from_db("default", _ASSISTANCE_ATTNAMES, list(values))
            out[row.household_id][row.month] = row
    return dict(out)


def medical_by_person(person_ids: Iterable[int], first: dt.date,
                      last: dt.date) -> dict[int, dict[dt.date, MedicalTotals]]:
    """person id → month → :class:`MedicalTotals`, for months ``first``..``last``: the
    claims of a person, month and kind added up (one query per 1,000 people). The people
    must be ones the caller may see."""
    ids = sorted(set(person_ids))
    out: dict[int, dict[dt.date, MedicalTotals]] = defaultdict(dict)
    for i in range(0, len(ids), 1000):
        sums: dict[tuple[int, dt.date, str], list[int]] = {}
        for person_id, month, kind, amount, days in _CLAIMS.fetch(
                ids[i:i + 1000], [first_of_month(first), last]):
            both = sums.setdefault((person_id, month, kind), [0, 0])
            both[0] += amount or 0
            both[1] += days or 0
        for (person_id, month, kind), (amount, days) in sorted(sums.items()):
            totals = out[person_id].setdefault(month, MedicalTotals())
            totals.amount += amount
            totals.days += days
            totals.by_kind[kind] = (amount, days)
    return dict(out)


@dataclass(frozen=True)
class PersonMonth:
    """One row of a person's monthly amounts: the household's assistance and their own medical."""

    month: dt.date
    assistance: AssistanceMonth | None
    medical: MedicalTotals

    @property
    def paid_by_kind(self) -> dict[str, int]:
        if self.assistance is None:
            return {}
        return {kind: getattr(self.assistance, f) for kind, f in PAID_FIELDS.items()}

    @property
    def paid_lines(self) -> list[tuple[str, int]]:
        """The kinds paid that month, as (short label 生活・住宅 …, yen), for a compact table."""
        return [(str(AssistanceKind(kind).label).removesuffix("扶助"), yen)
                for kind, yen in self.paid_by_kind.items() if yen]

    @property
    def medical_lines(self) -> list[tuple[str, int, int]]:
        """(入院・入院外・調剤・歯科, yen, days) of the kinds claimed that month, in that order."""
        return [(str(kind.label), *self.medical.by_kind[kind.value]) for kind in MedicalClaimKind
                if kind.value in self.medical.by_kind]


def person_months(person: Person, *, last: dt.date, months: int = 24) -> list[PersonMonth]:
    """The person's last ``months`` months up to ``last`` (newest first) that hold any amount.

    Two queries. Call inside the office's scope, for a person the actor may see."""
    last = first_of_month(last)
    first = add_months(last, -(months - 1))
    assistance = (assistance_by_household([person.household_id], first, last).get(person.household_id, {})
                  if person.household_id else {})
    medical = medical_by_person([person.pk], first, last).get(person.pk, {})
    return [PersonMonth(m, assistance.get(m), medical.get(m, MedicalTotals()))
            for m in reversed(month_range(first, last)) if m in assistance or m in medical]


def household_months(household: Household, *, last: dt.date, months: int = 24) -> list[PersonMonth]:
    """The household's last ``months`` months (newest first) that hold any amount: its
    assistance, and the medical claims of all its members added up. Three queries."""
    last = first_of_month(last)
    first = add_months(last, -(months - 1))
    assistance = assistance_by_household([household.pk], first, last).get(household.pk, {})
    members = list(Person.objects.filter(household=household).values_list("id", flat=True))
    medical: dict[dt.date, MedicalTotals] = {}
    for by_month in medical_by_person(members, first, last).values():
        for month, one in by_month.items():
            total = medical.setdefault(month, MedicalTotals())
            total.amount += one.amount
            total.days += one.days
            for kind, (amount, days) in one.by_kind.items():
                before = total.by_kind.get(kind, (0, 0))
                total.by_kind[kind] = (before[0] + amount, before[1] + days)
    return [PersonMonth(m, assistance.get(m), medical.get(m, MedicalTotals()))
            for m in reversed(month_range(first, last)) if m in assistance or m in medical]
