"""Reads: an office's periods, and which households' case files are due for deletion."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Enrollment
from jiritsu.core import clock
from jiritsu.core.wareki import fiscal_year_bounds, fiscal_year_of
from jiritsu.guidance.models import GuidanceCase
from jiritsu.offices.models import Office
from jiritsu.people.models import Household
from jiritsu.retention import graph
from jiritsu.retention.kinds import AUDIT, CASE_RECORD, HOUSEHOLD_KINDS, KINDS, kind_of
from jiritsu.retention.models import DeletionBatch, RetentionPeriod


def records_expire_before(today: dt.date, years: int) -> dt.date:
    """Records whose period started (the case closed) before this day have passed a
    retention of ``years``: the period counts whole fiscal years from the April after."""
    first_kept_fy = fiscal_year_of(today) - years
    return fiscal_year_bounds(first_kept_fy)[0]


def periods(office: Office) -> dict[str, int]:
    """The office's period (years) per kind: its own setting, else the kind's default. The
    case records' period is the office's ケース記録の保存年限 (``Office.record_retention_years``,
    also the attachments' 保存期間), so there is one number for it."""
    own = dict(RetentionPeriod.objects.filter(office=office).values_list("kind", "years"))
    out = {code: own.get(code, kind.default_years) for code, kind in KINDS.items()}
    out[CASE_RECORD] = office.record_retention_years
    return out


def household_years(office: Office) -> int:
    """A household's file is deleted as one (its rows refer to each other): it is kept for
    the longest period among the kinds it holds."""
    p = periods(office)
    return max(p[k.code] for k in HOUSEHOLD_KINDS)


def pending_household_ids(office: Office) -> set[int]:
    ids: set[int] = set()
    for batch in DeletionBatch.objects.filter(office=office, status=DeletionBatch.Status.PENDING):
        ids.update(batch.household_ids)
    return ids


def due_households(office: Office, today: dt.date | None = None, *,
                   include_pending: bool = False) -> QuerySet[Household]:
    """Households of this office whose case file has passed its retention: assistance ended
    (保護廃止) before the fiscal year the period reaches back to, and nothing of the file still
    open (an episode not ended, a guidance case not closed — e.g. a program that also takes
    people not on assistance). Households already in a pending deletion request are left out
    unless ``include_pending``."""
    before = records_expire_before(today or clock.today(), household_years(office))
    qs = (Household.objects.filter(office=office, assistance_ended_on__lt=before)
          .exclude(pk__in=Enrollment.objects.filter(
              office=office, status__in=Enrollment.OPEN_STATUSES).values("person__household_id"))
          .exclude(pk__in=GuidanceCase.objects.filter(
              office=office, status=GuidanceCase.Status.OPEN).values("person__household_id")))
    if not include_pending:
        qs = qs.exclude(pk__in=pending_household_ids(office))
    return qs.order_by("assistance_ended_on", "case_number")


def rows_per_kind(rows: graph.Rows) -> dict[str, int]:
    """Collected rows counted per kind (every kind listed, 0 when none)."""
    counts: Counter[str] = Counter()
    for model, ids in rows.items():
        kind = kind_of(model)
        counts[kind.code if kind else "?"] += len(ids)
    return {code: counts.get(code, 0) for code, k in KINDS.items() if k.with_household}


@dataclass(frozen=True)
class KindPeriod:
    kind: str
    label: str
    years: int
    default_years: int
    start: str


def period_rows(office: Office) -> list[KindPeriod]:
    """Every kind with the office's period, for the settings screen and the API."""
    current = periods(office)
    return [KindPeriod(k.code, k.label, current[k.code], k.default_years, k.start)
            for k in KINDS.values()]


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class DueSummary:
    households: Sequence[Household]
    per_kind: dict[str, int]
    audit_rows: int  # audit rows past the audit log's own period
    expire_before: dt.date
    household_years: int

    @property
    def kind_counts(self) -> list[KindCount]:
        return [KindCount(code, KINDS[code].label, n) for code, n in self.per_kind.items()]


def due_summary(office: Office, today: dt.date | None = None) -> DueSummary:
    today = today or clock.today()
    households = list(due_households(office, today).select_related("caseworker")
                      .annotate(member_count=Count("members")))
    rows = graph.collect(h.pk for h in households) if households else {}
    audit_before = records_expire_before(today, periods(office)[AUDIT])
    audit_rows = AuditEvent.objects.filter(
        office_id=office.pk,
        created_at__lt=dt.datetime.combine(audit_before, dt.time(), tzinfo=clock.JAPAN)).count()
    years = household_years(office)
    return DueSummary(households, rows_per_kind(rows), audit_rows,
                      records_expire_before(today, years), years)
