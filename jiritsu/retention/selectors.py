"""Reads: an office's periods, and what is due for deletion — households' case files, the
files of people registered without a household, and 移管 records — with the rows each holds."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.core import clock
from jiritsu.core.wareki import fiscal_year_bounds, fiscal_year_of
from jiritsu.guidance.models import GuidanceCase
from jiritsu.offices.models import Office
from jiritsu.people.models import Household, Person
from jiritsu.retention import graph, linked
from jiritsu.retention.kinds import (
    AUDIT,
    CASE_RECORD,
    DELETED_KINDS,
    HOUSEHOLD_KINDS,
    KINDS,
    TRANSFER,
    kind_of,
)
from jiritsu.retention.models import DeletionBatch, RetentionPeriod
from jiritsu.transfers.models import Transfer, TransferredEpisode


def records_expire_before(today: dt.date, years: int) -> dt.date:
    """Records whose period started (the case closed) before this day have passed a
    retention of ``years``: the period counts whole fiscal years from the April after."""
    first_kept_fy = fiscal_year_of(today) - years
    return fiscal_year_bounds(first_kept_fy)[0]


def periods(office: Office) -> dict[str, int]:
    """The office's period (years) per kind: its own setting, else the kind's default. The
    case records' period is the office's ケース記録の保存年限 (``Office.record_retention_years``,
    also the attachments' 保存期間), so there is one number for it."""
    # The base manager: a 移管 reads the other office's periods too, inside this office's
    # request scope (the office is named here, so nothing else is read).
    own = dict(RetentionPeriod._base_manager.filter(office=office).values_list("kind", "years"))
    out = {code: own.get(code, kind.default_years) for code, kind in KINDS.items()}
    out[CASE_RECORD] = office.record_retention_years
    return out


def household_years(office: Office) -> int:
    """A household's file is deleted as one (its rows refer to each other): it is kept for
    the longest period among the kinds it holds."""
    p = periods(office)
    return max(p[k.code] for k in HOUSEHOLD_KINDS)


def _pending(office: Office, field: str) -> set[int]:
    ids: set[int] = set()
    for batch in DeletionBatch.objects.filter(office=office, status=DeletionBatch.Status.PENDING):
        ids.update(getattr(batch, field))
    return ids


def pending_household_ids(office: Office) -> set[int]:
    return _pending(office, "household_ids")


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.JAPAN)


def _open_people(office: Office) -> Q:
    """People with something still open: an episode not ended, a guidance case not closed, an
    offer of 移管 under discussion."""
    return (Q(pk__in=Enrollment.objects.filter(office=office, status__in=Enrollment.OPEN_STATUSES)
              .values("person_id"))
            | Q(pk__in=GuidanceCase.objects.filter(office=office, status=GuidanceCase.Status.OPEN)
                .values("person_id"))
            | Q(pk__in=Transfer.objects.filter(source_office=office,
                                               status=Transfer.Status.PROPOSED)
                .values("source_person_id")))


def due_households(office: Office, today: dt.date | None = None, *,
                   include_pending: bool = False) -> QuerySet[Household]:
    """Households of this office whose case file has passed its retention: assistance ended
    (保護廃止) before the fiscal year the period reaches back to, and nothing of the file still
    open (an episode not ended, a guidance case not closed — e.g. a program that also takes
    people not on assistance — or an offer of 移管 under discussion). Households already in a
    pending deletion request are left out unless ``include_pending``."""
    before = records_expire_before(today or clock.today(), household_years(office))
    qs = (Household.objects.filter(office=office, assistance_ended_on__lt=before)
          .exclude(pk__in=Person.objects.filter(_open_people(office), office=office,
                                                household__isnull=False)
                   .values("household_id")))
    if not include_pending:
        qs = qs.exclude(pk__in=pending_household_ids(office))
    return qs.order_by("assistance_ended_on", "case_number")


def due_people(office: Office, today: dt.date | None = None, *,
               include_pending: bool = False) -> QuerySet[Person]:
    """People of this office registered without a household (被保護者以外: a child of a study
    session, a program that takes people not on assistance) whose file has passed the same
    period as a household's, counted from their last support: registered, an episode ended,
    a record written, their entry changed — all before the fiscal year the period reaches back
    to — and nothing still open. Annotated with ``last_ended_on`` (their last episode's end)
    for the list. People in a pending request are left out unless ``include_pending``."""
    before = _start_of(records_expire_before(today or clock.today(), household_years(office)))
    ended = Enrollment.objects.filter(person=OuterRef("pk")).order_by().values("person")
    qs = (Person.objects.filter(office=office, household__isnull=True, created_at__lt=before,
                                updated_at__lt=before)
          .exclude(_open_people(office))
          .exclude(pk__in=Enrollment.objects.filter(office=office, ended_on__gte=before.date())
                   .values("person_id"))
          .exclude(pk__in=ActivityRecord.objects.filter(office=office, occurred_at__gte=before)
                   .values("person_id"))
          .annotate(last_ended_on=Subquery(ended.annotate(m=Max("ended_on")).values("m")[:1])))
    if not include_pending:
        qs = qs.exclude(pk__in=_pending(office, "person_ids"))
    return qs.order_by("kana_key", "pk")


def transfer_expire_before(office: Office, today: dt.date) -> dt.date:
    return records_expire_before(today, periods(office)[TRANSFER])


def due_transfers(office: Office, leaving: QuerySet[Person] | None = None,
                  today: dt.date | None = None, *, include_pending: bool = False
                  ) -> list[Transfer]:
    """移管 records this office is a party to that may go: decided (accepted, declined or
    withdrawn) before the fiscal year the transfer period reaches back to in *every* office of
    the installation it belongs to, and no person of either office still kept — each link
    empty (that office deleted its person, or never had one) or to a person in ``leaving``
    (the people whose files are being deleted with it). Both offices' periods must have
    passed: the row is both offices' record, and the hand-over document is the receiving
    office's."""
    today = today or clock.today()
    before = transfer_expire_before(office, today)
    source_gone, target_gone = Q(source_person__isnull=True), Q(target_person__isnull=True)
    if leaving is not None:
        source_gone |= Q(source_person__in=leaving)
        target_gone |= Q(target_person__in=leaving)
    qs = (Transfer.objects.filter(Q(source_office=office) | Q(target_office=office))
          .exclude(status=Transfer.Status.PROPOSED).filter(source_gone).filter(target_gone)
          .filter(Q(decided_on__lt=before)
                  | Q(decided_on__isnull=True, proposed_at__lt=_start_of(before)))
          .select_related("source_office", "target_office").order_by("decided_on", "pk"))
    if not include_pending:
        qs = qs.exclude(pk__in=_pending(office, "transfer_ids"))
    cutoffs: dict[int, dt.date] = {office.pk: before}
    out = []
    for t in qs:
        day = t.decided_on or clock.japan_date(t.proposed_at)
        parties = [o for o in (t.source_office, t.target_office) if o is not None]
        for o in parties:
            if o.pk not in cutoffs:
                cutoffs[o.pk] = transfer_expire_before(o, today)
        if all(day < cutoffs[o.pk] for o in parties):
            out.append(t)
    return out


def file_rows(household_ids: Iterable[int], person_ids: Iterable[int] = (),
              transfer_ids: Iterable[int] = ()) -> graph.Rows:
    """Every row a deletion removes: the households' and people's case files (``graph``),
    the records that name those people by id (``linked``), and the 移管 records with the
    episodes they list."""
    rows = graph.collect(household_ids, person_ids)
    for model, ids in linked.collect(rows.get(Person, set())).items():
        rows[model] = ids
    transfers = set(transfer_ids)
    if transfers:
        rows[Transfer] = transfers
        episodes = set(TransferredEpisode.objects.filter(transfer__in=transfers)
                       .values_list("pk", flat=True))
        if episodes:
            rows[TransferredEpisode] = episodes
    return rows


def rows_per_kind(rows: graph.Rows) -> dict[str, int]:
    """Collected rows counted per kind (every kind a deletion removes listed, 0 when none)."""
    counts: Counter[str] = Counter()
    for model, ids in rows.items():
        kind = kind_of(model)
        counts[kind.code if kind else "?"] += len(ids)
    return {k.code: counts.get(k.code, 0) for k in DELETED_KINDS}


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
    people: Sequence[Person] = ()  # registered without a household
    transfers: Sequence[Transfer] = ()
    transfers_expire_before: dt.date | None = None

    @property
    def kind_counts(self) -> list[KindCount]:
        return [KindCount(code, KINDS[code].label, n) for code, n in self.per_kind.items()]

    @property
    def nothing(self) -> bool:
        return not (self.households or self.people or self.transfers)


def due_summary(office: Office, today: dt.date | None = None) -> DueSummary:
    today = today or clock.today()
    households_qs = due_households(office, today)
    people_qs = due_people(office, today)
    households = list(households_qs.select_related("caseworker")
                      .annotate(member_count=Count("members")))
    people = list(people_qs)
    leaving = Person.objects.filter(Q(household__in=households_qs.values("pk"))
                                    | Q(pk__in=people_qs.values("pk")))
    transfers = due_transfers(office, leaving, today)
    rows = (file_rows([h.pk for h in households], [p.pk for p in people],
                      [t.pk for t in transfers])
            if households or people or transfers else {})
    audit_before = records_expire_before(today, periods(office)[AUDIT])
    audit_rows = AuditEvent.objects.filter(
        office_id=office.pk, created_at__lt=_start_of(audit_before)).count()
    years = household_years(office)
    return DueSummary(households, rows_per_kind(rows), audit_rows,
                      records_expire_before(today, years), years, people, transfers,
                      transfer_expire_before(office, today))
