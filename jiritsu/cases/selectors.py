"""Read side of the program life cycle, in bounded numbers of queries.

Review due dates are DERIVED here from what is due and what was done — the program's
review interval after the start or the last review (or the date that review set),
a check N months after a discharge outcome, and the planned end of the period. The
date the rule gives is also stored on each active episode (``next_review_on``, kept by
jiritsu.cases.next_review) so that lists of reviews due are indexed range queries;
the reasons shown are always worked out from the inputs themselves.

Size (over 600 lines): the life cycle's reads in sections — review due dates, 決裁, the
program page (board and figures), one episode and a person's programs. The due-date section
(with ``next_review``) is the first a split would take out, then 決裁 (the inbox both the
episodes' and the guidance decisions' requests share).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Rank, RowNumber

from jiritsu.cases.access import (
    office_enrollments,
    sees_office_enrollments,
    visible_enrollments,
    visible_records,
)
from jiritsu.cases.models import (
    STAFF_PRESENT_ORDER,
    ApprovalRequest,
    ApprovalStep,
    Consent,
    ConsentGrant,
    Enrollment,
    EnrollmentEvent,
    GoalAssessment,
    Outcome,
    Plan,
    PlanGoal,
    Review,
)
from jiritsu.cases.results import episode_sorts, participating_q
from jiritsu.cases.terms import consent_in_force, terms
from jiritsu.core import clock
from jiritsu.core.compiled import Compiled
from jiritsu.core.rows import Join, JoinedRows, meta_order
from jiritsu.core.wareki import add_months, fiscal_year_bounds, fiscal_year_of, format_wareki
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import holds_approval_step, is_partner
from jiritsu.people.models import HospitalStay, Household, Person
from jiritsu.programs.models import (
    LedgerEntry,
    OutcomeKind,
    Phase,
    Program,
    ProgramTarget,
    ProgramVersion,
    ScreeningLedger,
)

S = Enrollment.Status


# ---------------------------------------------------------------- review due dates

@dataclass
class DueReview:
    """One active episode's next review: when, why, and how late."""

    enrollment: Enrollment
    due_on: dt.date
    reasons: list[str]
    today: dt.date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)

    @property
    def caseworker(self) -> Any:
        h = self.enrollment.person.household
        return h.caseworker if h is not None else None

    @property
    def caseworker_id(self) -> int | None:
        """None for people outside any household (被保護者以外 registered for a program)."""
        h = self.enrollment.person.household
        return h.caseworker_id if h is not None else None


def due_for(enrollment: Enrollment, today: dt.date) -> DueReview | None:
    """The next review of an active episode read with the rule's inputs (the last review
    and the last discharge: :func:`_due_inputs`)."""
    if enrollment.status != S.ACTIVE or enrollment.started_on is None:
        return None
    due_on, reasons = _due_date(
        terms(enrollment), enrollment.started_on, enrollment.planned_end_on,
        getattr(enrollment, "last_review_on", None), getattr(enrollment, "last_review_next", None),
        getattr(enrollment, "last_discharge_on", None), today)
    return DueReview(enrollment, due_on, reasons(), today)


def _due_date(t: dict[str, Any], started_on: dt.date, planned_end_on: dt.date | None,
              last_on: dt.date | None, last_next: dt.date | None, discharge: dt.date | None,
              today: dt.date) -> tuple[dt.date, Any]:
    """The due date of an active episode's next review, and a function wording why (the
    words are built only for the episodes a page shows)."""
    interval = t["review_interval_months"] or 3
    candidates: list[tuple[dt.date, str, Any]] = []
    if last_on is not None:
        candidates.append((last_next or add_months(last_on, interval), "regular", last_on))
    else:
        candidates.append((add_months(started_on, interval), "first", interval))
    months = t.get("post_discharge_review_months")
    if discharge and months and (last_on is None or last_on <= discharge):
        # Any review after the discharge satisfies the post-discharge check.
        candidates.append((add_months(discharge, months), "discharge", (months, discharge)))
    if planned_end_on and (last_on is None or last_on < planned_end_on):
        candidates.append((planned_end_on, "end", planned_end_on))
    due_on = min(d for d, _, _ in candidates)

    def reasons() -> list[str]:
        worded = [(d, _due_reason(kind, arg)) for d, kind, arg in candidates]
        return ([r for d, r in sorted(worded) if d <= max(due_on, today)] or [worded[0][1]])

    return due_on, reasons


def _due_reason(kind: str, arg: Any) -> str:
    if kind == "regular":
        return f"定期見直し（前回 {format_wareki(arg)}）"
    if kind == "first":
        return f"初回見直し（支援開始から{arg}か月）"
    if kind == "discharge":
        months, discharge = arg
        return f"退院後{months}か月の生活状況確認（退院 {format_wareki(discharge)}）"
    return f"支援期間の終了予定日（{format_wareki(arg)}）"


def _due_queryset(membership: Membership) -> QuerySet[Enrollment]:
    """The active episodes ``membership`` may see in its office (one caseworker's:
    ``_DUE_OF_CASEWORKER`` and ``_DUE_MINE`` below)."""
    return visible_enrollments(membership).filter(status=S.ACTIVE)


# What due_for (terms: the version's snapshot, the program as fallback) and the lists of due
# reviews read of an episode, its program, person, household, caseworker and phase; the
# rest of those rows is not loaded: an office has thousands of active episodes, of which a
# few dozen are due, and whole rows of seven tables cost more to build than to read.
_DUE_FIELDS = (
    "id", "office_id", "person_id", "program_id", "program_version_id", "status", "phase_id",
    "started_on", "planned_end_on",
    "program__id", "program__name", "program__review_interval_months",
    "program__standard_length_months", "program__max_length_months",
    "program__approvals_needed", "program__consent_required",
    "program__post_discharge_review_months", "program__allows_non_recipients",
    "program_version__id", "program_version__snapshot",
    "person__id", "person__name", "person__kana_key", "person__household_id",
    "person__household__id", "person__household__case_number",
    "person__household__caseworker_id", "person__household__caseworker__id",
    "person__household__caseworker__username", "person__household__caseworker__display_name",
    "phase__id", "phase__name",
)
_DUE_JOINS = (Join("program"), Join("program_version"), Join("person"),
              Join("person__household", outer=True),
              Join("person__household__caseworker", outer=True), Join("phase", outer=True))


def _due_inputs() -> dict[str, tuple[str, Any]]:
    """The rule's inputs besides the episode's own columns, as correlated subqueries: the
    latest review's date and the date it set (latest by date, then by id), the latest
    discharge. What ``compute_next_reviews`` reads grouped for thousands of episodes
    (``_last_review_and_discharge``; tested equal)."""
    review, outcome = Review._meta.db_table, Outcome._meta.db_table
    latest = (f"FROM {review} r WHERE r.enrollment_id = {{m}}.id "
              "ORDER BY r.reviewed_on DESC, r.id DESC LIMIT 1")
    assert OutcomeKind.DISCHARGE.value.isidentifier()
    return {
        "last_review_on": (f"SELECT r.reviewed_on {latest}", DateField()),
        "last_review_next": (f"SELECT r.next_due_on {latest}", DateField()),
        "last_discharge_on": (f"SELECT MAX(o.occurred_on) FROM {outcome} o WHERE "
                              f"o.enrollment_id = {{m}}.id AND o.kind = "
                              f"'{OutcomeKind.DISCHARGE.value}'", DateField()),
    }


def _with_due_inputs(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """``qs`` with the rule's inputs of :func:`_due_inputs` annotated (for a list of
    episodes that is read as a queryset: the episode page, a person's programs)."""
    table = Enrollment._meta.db_table
    return qs.annotate(**{name: RawSQL(sql.format(m=table), (), output_field=output)
                          for name, (sql, output) in _due_inputs().items()})


def _due_rows(where: str, ids_from: str = "") -> JoinedRows[Enrollment]:
    """Active episodes with what :func:`due_for` and the lists of due reviews read (the
    columns of ``_DUE_FIELDS``, the rule's inputs): one statement written once per process,
    in the episodes' own order."""
    return JoinedRows(Enrollment, _DUE_JOINS, where=where, order_by=meta_order(Enrollment),
                      only=_DUE_FIELDS, annotations=_due_inputs(), ids_from=ids_from)


# The listed episodes of ``_dues`` (found by their stored date), by id.
_DUE_LISTED = _due_rows("{m}.id {ids}")

# One caseworker's episodes due by a date, found by the stored date (``next_review_on``, as
# ``_due_by``; tested equal) in the office (``access.sees_office_enrollments``): those of the
# caseworker's households, and for "mine" those the user leads too. The candidates come from
# index-driven halves — household.caseworker_id → people → their episodes, lead_staff_id —
# and a UNION, worked out before the joins (``ids_from``): an OR of the two made PostgreSQL
# filter every episode of the office instead.
_OF_HOUSEHOLDS = (
    f"SELECT e.id FROM {Enrollment._meta.db_table} e "
    f"INNER JOIN {Person._meta.db_table} p ON p.id = e.person_id "
    f"INNER JOIN {Household._meta.db_table} h ON h.id = p.household_id "
    "WHERE h.caseworker_id = %s")
_DUE_BY_STORED_DATE = ("{m}.office_id = %s AND {m}.status = %s AND {m}.started_on IS NOT NULL "
                       "AND {m}.next_review_on <= %s")
_DUE_OF_CASEWORKER = _due_rows(_DUE_BY_STORED_DATE, _OF_HOUSEHOLDS)
_DUE_MINE = _due_rows(_DUE_BY_STORED_DATE, f"{_OF_HOUSEHOLDS} UNION SELECT e.id FROM "
                      f"{Enrollment._meta.db_table} e WHERE e.lead_staff_id = %s")


def compute_next_reviews(qs: QuerySet[Enrollment]) -> dict[int, dt.date]:
    """The due date of the next review of every active, started episode of ``qs`` (the
    rule of :func:`_due_date`), by episode: five queries whatever the number of episodes.
    Worked out from plain values (no model instances); the last review and discharge of
    every episode come from two grouped queries. What ``Enrollment.next_review_on``
    stores (jiritsu.cases.next_review)."""
    active = qs.filter(status=S.ACTIVE, started_on__isnull=False).order_by()
    rows = list(active.values_list(
        "pk", "started_on", "planned_end_on", "program_id", "program_version_id",
        *(f"program__{k}" for k in _DUE_TERMS)))
    if not rows:
        return {}
    last_review, last_discharge = _last_review_and_discharge(active)
    term_cache = _due_terms(active, rows)
    out: dict[int, dt.date] = {}
    today = clock.today()  # only used to word reasons, which are not built here
    for pk, started_on, planned_end_on, program_id, version_id, *_terms in rows:
        last_on, last_next = last_review.get(pk, (None, None))
        out[pk] = _due_date(term_cache[(program_id, version_id)], started_on, planned_end_on,
                            last_on, last_next, last_discharge.get(pk), today)[0]
    return out


def _due_by(qs: QuerySet[Enrollment], cutoff: dt.date | None) -> QuerySet[Enrollment]:
    """The active episodes of ``qs`` whose stored next review falls by ``cutoff`` (or any
    time; ``_due_cutoff`` keeps anything overdue in even when the horizon is before today)."""
    due = qs.filter(status=S.ACTIVE, started_on__isnull=False, next_review_on__isnull=False)
    if cutoff is not None:
        due = due.filter(next_review_on__lte=cutoff)
    return due


def _due_order(due: QuerySet[Enrollment], *more: str) -> QuerySet[Any]:
    """The ids of due episodes (and ``more`` columns), soonest first: the lists' order."""
    return due.order_by("next_review_on", "person__kana_key", "pk").values_list("pk", *more)


def _due_cutoff(today: dt.date, horizon: dt.date) -> dt.date:
    """The last stored due date listed: the horizon, and anything overdue even when the
    horizon is before today."""
    return max(horizon, today - dt.timedelta(days=1))


def _dues(qs: QuerySet[Enrollment], today: dt.date, horizon: dt.date | None, *,
          limit: int | None = None) -> tuple[list[DueReview], int]:
    """Due reviews of the active episodes in ``qs`` (by ``horizon``, or all), the ``limit``
    soonest of them (or all) and how many there are: at most three queries whatever the
    number of episodes (two when none is due).

    An office has thousands of active episodes of which a few hundred are due: they are
    found by the stored due date (``next_review_on``, an index on office and date), and
    only the episodes that are listed are read as objects, with the rule's inputs, to word
    the reasons (``_DUE_LISTED``).
    """
    due = _due_by(qs, _due_cutoff(today, horizon) if horizon is not None else None)
    ordered = _due_order(due)
    listed = [pk for pk, in (ordered[:limit] if limit is not None else ordered)]
    total = len(listed) if limit is None or len(listed) < limit else due.count()
    return _listed_dues(listed, today), total


def _listed_dues(listed: list[int], today: dt.date) -> list[DueReview]:
    """The listed episodes' due reviews, in the list's order: read with the rule's inputs
    (``_DUE_LISTED``, one statement) and their dates and reasons worked out (``due_for``)."""
    by_pk = {e.pk: e for e in (_DUE_LISTED.fetch([listed]) if listed else [])}
    return [d for pk in listed if pk in by_pk and (d := due_for(by_pk[pk], today)) is not None]


# The terms a due date depends on (``services.enrollments.terms`` reads these from the
# episode's version snapshot, with the live program as fallback).
_DUE_TERMS = ("review_interval_months", "post_discharge_review_months")


@dataclass
class OfficeDues:
    """An office's reviews due: the soonest few, how many, and counts per caseworker."""

    items: list[DueReview]
    total: int
    overdue: int
    by_caseworker: dict[int | None, tuple[int, int]]  # caseworker → (overdue, due soon)


def office_dues(membership: Membership, *, today: dt.date, until: dt.date,
                limit: int) -> OfficeDues:
    """Reviews due by ``until`` and overdue across what ``membership`` may see in its
    office: the ``limit`` soonest as :class:`DueReview` (with reasons), the totals, and one
    grouped count per caseworker — from the stored due dates, so the cost is the listed
    few, not the office's hundreds of due episodes as objects."""
    qs = _due_queryset(membership)
    items, total = _dues(qs, today, until, limit=limit)
    due = _due_by(qs, _due_cutoff(today, until))
    by_cw: dict[int | None, tuple[int, int]] = {}
    for cw, late, n in (due.order_by().values_list("person__household__caseworker")
                        .annotate(late=Count("pk", filter=Q(next_review_on__lt=today)),
                                  n=Count("pk"))):
        by_cw[cw] = (late, n - late)
    return OfficeDues(items, total, sum(late for late, _ in by_cw.values()), by_cw)


def _dues_of_caseworker(membership: Membership, today: dt.date, horizon: dt.date, *,
                        caseworker_id: int, lead_id: int | None) -> list[DueReview]:
    """Due reviews (by ``horizon``, and overdue) of the episodes of one caseworker's
    households and of those ``lead_id`` leads, as the office's lists find them (the stored
    date): one statement, what is due only, with the rule's inputs."""
    def params(connection: Any) -> list[Any]:
        return [caseworker_id, *([lead_id] if lead_id is not None else []),
                membership.office_id, S.ACTIVE,
                connection.ops.adapt_datefield_value(_due_cutoff(today, horizon))]

    rows = (_DUE_MINE if lead_id is not None else _DUE_OF_CASEWORKER).fetch(params)
    if rows and not sees_office_enrollments(membership):
        visible = set(visible_enrollments(membership).filter(pk__any=[e.pk for e in rows])
                      .values_list("pk", flat=True))
        rows = [e for e in rows if e.pk in visible]
    return [d for e in rows if (d := due_for(e, today)) is not None]


def _due_terms(episodes: QuerySet[Enrollment], rows: list[tuple[Any, ...]]
               ) -> dict[tuple[int, int | None], dict[str, Any]]:
    """The due-date terms of each (program, version) pair of ``rows``, whose last values
    are the program's own ``_DUE_TERMS``: one query for the versions' snapshots."""
    snapshots = dict(ProgramVersion.objects.filter(
        pk__in=episodes.values("program_version_id")).values_list("id", "snapshot"))
    out: dict[tuple[int, int | None], dict[str, Any]] = {}
    for row in rows:
        key = (row[3], row[4])
        if key not in out:
            snap = snapshots.get(row[4]) or {}
            out[key] = {k: snap.get(k, v) for k, v in zip(_DUE_TERMS, row[5:], strict=True)}
    return out


def _last_review_and_discharge(qs: QuerySet[Enrollment]
                               ) -> tuple[dict[int, tuple[Any, Any]], dict[int, dt.date]]:
    """Each active episode's latest review (date, next date it set) and latest discharge,
    as two grouped queries over the episodes of ``qs`` (a window function picks the latest
    review: it runs on SQLite as on PostgreSQL)."""
    episodes = qs.values("pk")
    latest = (Review.objects.filter(enrollment__in=episodes)
              .annotate(rank=Window(RowNumber(), partition_by=[F("enrollment_id")],
                                    order_by=[F("reviewed_on").desc(), F("id").desc()]))
              .filter(rank=1).order_by()
              .values_list("enrollment_id", "reviewed_on", "next_due_on"))
    discharges = (Outcome.objects.filter(enrollment__in=episodes, kind=OutcomeKind.DISCHARGE)
                  .order_by().values("enrollment_id").annotate(last=Max("occurred_on"))
                  .values_list("enrollment_id", "last"))
    return ({e: (on, nxt) for e, on, nxt in latest}, dict(discharges))


def reviews_due(membership: Membership, *, today: dt.date | None = None, within_days: int = 7,
                mine_only: bool | None = None,
                caseworker: User | None = None) -> dict[str, list[DueReview]]:
    """{"overdue": [...], "due_soon": [...]} — a caseworker's own caseload (and episodes they
    lead); supervisors and managers office-wide unless ``mine_only``, or the episodes of
    one ``caseworker``'s households."""
    today = today or clock.today()
    if mine_only is None:
        mine_only = not membership.can("caseload.team")
    horizon = today + dt.timedelta(days=within_days - 1)
    out: dict[str, list[DueReview]] = {"overdue": [], "due_soon": []}
    # Both found by the stored due date: one caseworker's in one statement written once per
    # process; the office's thousands by their ids first (``_dues``).
    if mine_only or caseworker is not None:
        dues = _dues_of_caseworker(
            membership, today, horizon,
            caseworker_id=caseworker.pk if caseworker is not None else membership.user_id,
            lead_id=membership.user_id if mine_only else None)
    else:
        dues = _dues(_due_queryset(membership), today, horizon)[0]
    for due in dues:
        out["overdue" if due.overdue else "due_soon"].append(due)
    for items in out.values():
        items.sort(key=lambda d: (d.due_on, d.enrollment.person.kana_key))
    return out


def reviews_due_by_caseworker(membership: Membership, *, today: dt.date | None = None,
                              within_days: int = 7) -> list[dict[str, Any]]:
    """Office-wide due/overdue grouped by caseworker, for supervisors and managers."""
    data = reviews_due(membership, today=today, within_days=within_days, mine_only=False)
    groups: OrderedDict[Any, dict[str, Any]] = OrderedDict()
    for key in ("overdue", "due_soon"):
        for d in data[key]:
            cw = d.caseworker
            g = groups.setdefault(getattr(cw, "pk", None),
                                  {"caseworker": cw, "overdue": [], "due_soon": []})
            g[key].append(d)
    return sorted(groups.values(), key=lambda g: (-len(g["overdue"]), str(g["caseworker"] or "")))


# ---------------------------------------------------------------- approvals

def approvals_waiting(membership: Membership) -> list[ApprovalRequest]:
    """決裁待ち at this membership's step (never its own requests)."""
    if not membership.can("approval.decide"):
        return []
    rows = (ApprovalRequest.objects.filter(office=membership.office,
                                           status=ApprovalRequest.Status.PENDING)
            .exclude(requested_by=membership.user)
            .select_related("enrollment", "enrollment__person", "enrollment__program",
                            "person", "requested_by", "conference")
            .order_by("created_at", "id"))
    return [r for r in rows if r.current_step < len(r.steps)
            and holds_approval_step(membership, r.steps[r.current_step])]


def approvals_mine(membership: Membership, *, limit: int = 20) -> list[ApprovalRequest]:
    """Requests this user made: pending ones and recent returns (差戻し) with comments."""
    return list(
        ApprovalRequest.objects.filter(office=membership.office, requested_by=membership.user)
        .select_related("enrollment", "enrollment__person", "enrollment__program", "person")
        .prefetch_related(Prefetch("decisions", queryset=ApprovalStep.objects.select_related(
            "decided_by")))
        .order_by("-created_at")[:limit])


# ---------------------------------------------------------------- program page

# Cards per column of the program board (longest waiting first) and the number of
# episodes per page of a column's own list, where the rest of a column is. A column of
# twenty cards fits a screen; a board of several hundred cards is neither readable nor
# cheap to build (docs/performance.md).
BOARD_COLUMN_LIMIT = 20
COLUMN_PAGE_SIZE = 50


@dataclass
class BoardColumn:
    key: str
    label: str
    enrollments: list[Enrollment] = field(default_factory=list)
    total: int = 0

    @property
    def count(self) -> int:
        return self.total

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.enrollments), 0)

    @property
    def order_label(self) -> str:
        return BOARD_ORDER_LABELS[_column_status(self.key)]


BOARD_FIELDS = (
    "id", "program_id", "status", "phase_id", "person_id", "candidate_on", "selected_on",
    "started_on", "flagged_no_longer_matching", "person__id", "person__name", "person__kana_key",
    "person__household_id", "person__household__id", "person__household__case_number",
    "person__household__caseworker_id", "person__household__caseworker__id",
    "person__household__caseworker__username", "person__household__caseworker__display_name",
)

# Each column shows first whoever has waited longest in it: candidates by the date they
# became candidates, selected people by the date of selection (still waiting to start),
# participants by the date support started (the longest-running first).
_BOARD_DATE: dict[str, str] = {S.CANDIDATE: "candidate_on", S.SELECTED: "selected_on", S.ACTIVE: "started_on"}
BOARD_ORDER_LABELS: dict[str, str] = {S.CANDIDATE: "候補日の古い順", S.SELECTED: "選定日の古い順",
                                      S.ACTIVE: "支援開始日の古い順"}


def _board_sort_key(date_field: str, e: Enrollment) -> tuple[bool, dt.date, str, int]:
    """A column's order: the column's date (none last), then kana, then id."""
    day: dt.date | None = getattr(e, date_field)
    return (day is None, day or dt.date.min, e.person.kana_key, e.pk)


def _column_status(key: str) -> str:
    return S.ACTIVE if key.startswith("phase-") else key


_PHASES = JoinedRows(Phase, [], where="{m}.program_id = %s",
                     order_by=meta_order(Phase, constant=("program",)))


def program_phases(program: Program) -> list[Phase]:
    """The program's phases in their order (``Meta.ordering``, then id): one statement,
    written once per process."""
    return _PHASES.fetch([program.pk], {"program": program})


def board_columns(program: Program, phases: list[Phase] | None = None
                  ) -> OrderedDict[str, BoardColumn]:
    """The board's columns, empty: candidates, selected, one per phase, then participants
    without a (current) phase. One query (the phases), none when ``phases`` (those of
    :func:`program_phases`) are given."""
    if phases is None:
        phases = program_phases(program)
    columns: OrderedDict[str, BoardColumn] = OrderedDict()
    columns["candidate"] = BoardColumn("candidate", "候補")
    columns["selected"] = BoardColumn("selected", "選定")
    for p in phases:
        columns[f"phase-{p.pk}"] = BoardColumn(f"phase-{p.pk}", f"参加中：{p.name}")
    columns["active"] = BoardColumn("active", "参加中" if not phases else "参加中（段階未設定）")
    return columns


def _column_key(columns: OrderedDict[str, BoardColumn], status: str, phase_id: int | None) -> str:
    if status == S.ACTIVE and phase_id and f"phase-{phase_id}" in columns:
        return f"phase-{phase_id}"
    return status


def _column_filter(columns: OrderedDict[str, BoardColumn], key: str) -> Q:
    """The episodes of one column, as a filter (the inverse of :func:`_column_key`)."""
    if key.startswith("phase-"):
        return Q(status=S.ACTIVE, phase_id=int(key.removeprefix("phase-")))
    if key == "active":
        phase_ids = [int(k.removeprefix("phase-")) for k in columns if k.startswith("phase-")]
        return Q(status=S.ACTIVE) & (Q(phase__isnull=True) | ~Q(phase_id__in=phase_ids))
    return Q(status=key)


def _board_order() -> list[Any]:
    date = Case(*(When(status=st, then=F(col)) for st, col in _BOARD_DATE.items()),
                output_field=DateField())
    return [date.asc(nulls_last=True), F("person__kana_key").asc(), F("id").asc()]


def _ranked_cards(episodes: QuerySet[Enrollment], program_id: int, limit: int
                  ) -> QuerySet[Any]:
    """The board's rule: the open episodes of each (state, phase) partition that can be among
    its first ``limit`` in the column's order (:func:`_board_order`), each with its
    partition's count, as (id, count). Ranked by the column's date alone — an episode is
    among the first ``limit`` only if fewer than ``limit`` come before it by date, so those
    ranked ``limit`` or better by date (ties included) hold them —, on the episodes alone:
    the people (for the kana that orders a date's episodes) are read for those kept, not for
    every open episode of a large program. :func:`program_board` orders them fully and cuts."""
    partition = [F("status"), F("phase_id")]
    by_date = _board_order()[:1]
    return (episodes.filter(program_id=program_id, status__in=Enrollment.OPEN_STATUSES)
            .order_by()
            .annotate(rank=Window(Rank(), partition_by=partition, order_by=by_date),
                      partition_total=Window(Count("pk"), partition_by=partition))
            .filter(rank__lte=limit).values_list("pk", "partition_total"))


def _board_cards(source: Compiled) -> JoinedRows[Enrollment]:
    """The cards :func:`_ranked_cards` chooses with their people, households and caseworkers
    (the household and caseworker joined to the few cards kept, not to every open episode),
    reading the fields a card shows (``BOARD_FIELDS``, as a column's own pages do)."""
    return JoinedRows(Enrollment, [Join("person"), Join("person__household", outer=True),
                                   Join("person__household__caseworker", outer=True)],
                      source=source, annotations={"partition_total": "{r}.{c1}"},
                      only=BOARD_FIELDS)


# Staff see every episode of the office: the board's statement compiled once per process.
_OFFICE_BOARD = _board_cards(Compiled(
    Enrollment, lambda office_id, program_id, limit: [
        _ranked_cards(office_enrollments(office_id), program_id, limit)],
    office_id=-917_000_001, program_id=-917_000_002, limit=-917_000_003))


def program_board(program: Program, membership: Membership, *,
                  limit: int | None = None,
                  phases: list[Phase] | None = None) -> list[BoardColumn]:
    """Open episodes by state and, when active, by phase: each column's count and its
    first ``limit`` cards (longest waiting first), in one statement (two without the
    program's ``phases``, as :func:`program_phases` reads them).

    The episodes are those ``membership`` may see (``visible_enrollments``): for staff, the
    office's, by a statement compiled once per process. A large program has thousands of
    open episodes: a board of thousands of cards is unusable, and building them costs
    seconds; the rest of a column is on :func:`board_column_page`.
    """
    limit = limit or BOARD_COLUMN_LIMIT
    columns = board_columns(program, phases)
    if sees_office_enrollments(membership):
        cards = _OFFICE_BOARD.fetch(source={"office_id": program.office_id,
                                            "program_id": program.pk, "limit": limit})
    else:
        visible = visible_enrollments(membership)
        try:
            cards = _board_cards(Compiled(
                Enrollment, lambda: [_ranked_cards(visible, program.pk, limit)])).fetch(source={})
        except EmptyResultSet:  # a role that sees no episode: its queryset matches nothing
            cards = []
    counted = set()
    for e in cards:
        # The "active" column may gather several partitions (phases no longer on the
        # program), so it is cut to ``limit`` again below.
        col = columns[_column_key(columns, e.status, e.phase_id)]
        col.enrollments.append(e)
        if (e.status, e.phase_id) not in counted:
            counted.add((e.status, e.phase_id))
            col.total += vars(e)["partition_total"]  # set by the statement
    for col in columns.values():
        status = _column_status(col.key)
        col.enrollments.sort(key=partial(_board_sort_key, _BOARD_DATE[status]))
        del col.enrollments[limit:]
    if len(columns) > 3 and not columns["active"].total:
        del columns["active"]
    return list(columns.values())


def board_column_page(program: Program, episodes: QuerySet[Enrollment], key: str, *,
                      page: int, per_page: int | None = None
                      ) -> tuple[BoardColumn, int, int] | None:
    """One column of the board in full, ``per_page`` episodes at a time, in the board's
    order: (column with that page's episodes and the column's total, page, pages). None
    when the program has no such column."""
    per_page = per_page or COLUMN_PAGE_SIZE
    columns = board_columns(program)
    if key not in columns:
        return None
    col = columns[key]
    qs = episodes.filter(program=program).filter(_column_filter(columns, key))
    col.total = qs.count()
    pages = max(1, -(-col.total // per_page))
    page = min(max(page, 1), pages)
    col.enrollments = list(
        qs.select_related("person", "person__household", "person__household__caseworker")
        .only(*BOARD_FIELDS).order_by(*_board_order())[(page - 1) * per_page: page * per_page])
    return col, page, pages


def _ended(program: Program, start: dt.date, end: dt.date) -> QuerySet[Any]:
    """Episodes of the program ended in [start, end], counted by reason."""
    return (Enrollment.objects.filter(program=program, status=S.ENDED,
                                      ended_on__range=(start, end))
            .values_list("end_reason").annotate(n=Count("id")).order_by("end_reason"))


# Compiled once per process (``core.rows.Compiled``).
_ENDED = Compiled(Enrollment, lambda program_id, start, end: [
    _ended(Program(pk=program_id), start, end)],
    program_id=-917_200_001, start=dt.date(1, 1, 2), end=dt.date(1, 1, 3))


def ended_counts(program: Program, fy: int) -> list[dict[str, Any]]:
    start, end = fiscal_year_bounds(fy)
    labels = dict(Enrollment.EndReason.choices)
    return [{"reason": labels.get(reason, reason), "count": int(n)}
            for reason, n in _ENDED.rows(program_id=program.pk, start=start, end=end)]


def participating_people(program: Program, start: dt.date, end: dt.date) -> QuerySet[Any]:
    """The people who took part in the program in [start, end] (:func:`participating_q`),
    each once."""
    return (Enrollment.objects.filter(program=program).filter(participating_q(start, end))
            .order_by().values("person").distinct())


def achieving_people(program: Program, start: dt.date, end: dt.date) -> QuerySet[Any]:
    """People with an achievement in the period: an achieving outcome, or an episode
    ended as 達成. A UNION of the two (each on its own index), each person once; an OR of
    them made PostgreSQL filter every episode of the program.

    The outcome's type is the program's (``outcome_record`` refuses another program's), so
    the outcomes are found from the program's few achieving types (the outcome type's
    index): with the episode's program alone, PostgreSQL read the year's outcomes of the
    whole country and hashed them against the program's episodes (national size: 15 → 4 ms)."""
    by_outcome = (Outcome.objects.filter(enrollment__program=program,
                                         outcome_type__program=program,
                                         outcome_type__counts_as_achievement=True,
                                         occurred_on__range=(start, end))
                  .order_by().values_list("enrollment__person_id", flat=True))
    by_end = (Enrollment.objects.filter(program=program, end_reason=Enrollment.EndReason.ACHIEVED,
                                        ended_on__range=(start, end))
              .order_by().values_list("person_id", flat=True))
    return by_outcome.union(by_end)


def reduced_people(program: Program, start: dt.date, end: dt.date) -> QuerySet[Person]:
    """対象者の減少, the one rule of a ``reduction`` target (竹原:
    「退院可能精神障害者は6人…目標減少数を5人」): the people the program looks after — an
    episode in it, or an entry on one of its 台帳 — who stopped being counted between
    ``start`` and ``end``: discharged (a 退院 outcome in the program, or a psychiatric stay
    ended other than by a transfer to another hospital — death in hospital included), or
    no longer on assistance (their household's 保護廃止 for any reason: 死亡, 転出, 就労 …).
    A transfer to another hospital, an ending before or after the window, and anyone the
    program never looked after are not reductions. The program page and the reports count
    this same set."""
    in_program = (Exists(Enrollment.objects.filter(person=OuterRef("pk"), program=program))
                  | Exists(LedgerEntry.objects.filter(person=OuterRef("pk"),
                                                      ledger__program=program)))
    discharged = Exists(Outcome.objects.filter(
        enrollment__person=OuterRef("pk"), enrollment__program=program,
        kind=OutcomeKind.DISCHARGE, occurred_on__range=(start, end)))
    stay_ended = Exists(HospitalStay.objects.filter(
        person=OuterRef("pk"), psychiatric=True, discharged_on__range=(start, end)).exclude(
        destination=HospitalStay.Destination.OTHER_HOSPITAL))
    off_assistance = Q(household__assistance_ended_on__range=(start, end))
    return Person.objects.filter(office_id=program.office_id).filter(in_program).filter(
        discharged | stay_ended | off_assistance)


def reduction_progress(t: ProgramTarget, reduced: int | None) -> dict[str, Any] | None:
    """A reduction target against its baseline (基準値): how many are left of the baseline
    after the reductions, and how many the target leaves (竹原: 6 → 1 by FY2011)."""
    if t.metric != ProgramTarget.Metric.REDUCTION or t.baseline is None or reduced is None:
        return None
    return {"baseline": t.baseline, "reduced": reduced,
            "left": max(t.baseline - reduced, 0), "goal_left": max(t.baseline - t.value, 0)}


_PEOPLE: dict[str, Callable[[Program, dt.date, dt.date], QuerySet[Any]]] = {
    ProgramTarget.Metric.PARTICIPANTS: participating_people,
    ProgramTarget.Metric.ACHIEVED: achieving_people}
_PEOPLE_COUNTS: dict[tuple[str, ...], Compiled] = {}


def _people_counts(metrics: tuple[str, ...]) -> Compiled:
    """The counts of :data:`_PEOPLE`'s querysets, one per (metric, period) in this order,
    compiled once per process for each list of metrics (a program's targets ask for a few)."""
    found = _PEOPLE_COUNTS.get(metrics)
    if found is None:
        stand_ins: dict[str, Any] = {"program_id": -917_200_002}
        for i in range(len(metrics)):
            stand_ins[f"start{i}"] = dt.date(1, 1, 1) + dt.timedelta(days=2 * i + 1)
            stand_ins[f"end{i}"] = dt.date(1, 1, 1) + dt.timedelta(days=2 * i + 2)

        def build(program_id: int, **dates: dt.date) -> list[QuerySet[Any]]:
            program = Program(pk=program_id)
            return [_PEOPLE[m](program, dates[f"start{i}"], dates[f"end{i}"])
                    for i, m in enumerate(metrics)]

        found = _PEOPLE_COUNTS[metrics] = Compiled(Enrollment, build, **stand_ins)
    return found


_TARGETS = JoinedRows(ProgramTarget, [], where="{m}.program_id = %s",
                      order_by=meta_order(ProgramTarget, constant=("program",)))


def program_figures(program: Program, *, today: dt.date | None = None) -> dict[str, Any]:
    """This fiscal year's participants and achievers, and each target against its actual
    (multi-year targets count from the first year of the range up to today)."""
    today = today or clock.today()
    fy = fiscal_year_of(today)
    start, end = fiscal_year_bounds(fy)
    # Participants and achievers of one period are counted once, whether the year's
    # figures or a target (or both) ask for them, and every such count in one statement.
    M = ProgramTarget.Metric
    people = _PEOPLE
    program_targets = [(t, fiscal_year_bounds(t.fiscal_year_from)[0],
                        min(fiscal_year_bounds(t.fiscal_year_to)[1], today))
                       for t in _TARGETS.fetch([program.pk], {"program": program})]
    periods = list(dict.fromkeys(
        [(M.PARTICIPANTS, start, end), (M.ACHIEVED, start, end)]
        + [(t.metric, t_start, t_end) for t, t_start, t_end in program_targets
           if t.metric in people]))
    dates = {f"{edge}{i}": day for i, (_m, s, e) in enumerate(periods)
             for edge, day in (("start", s), ("end", e))}
    counts = _people_counts(tuple(m for m, _s, _e in periods)).count(program_id=program.pk,
                                                                      **dates)
    counted = dict(zip(periods, counts, strict=True))
    targets = []
    for t, t_start, t_end in program_targets:
        actual = (counted[(t.metric, t_start, t_end)] if t.metric in people
                  else _target_actual(program, t, t_start, t_end))
        targets.append({"target": t, "actual": actual,
                        "current": t.fiscal_year_from <= fy <= t.fiscal_year_to,
                        "met": actual is not None and actual >= t.value,
                        "against_baseline": reduction_progress(t, actual)})
    return {
        "fiscal_year": fy,
        "participants": counted[(M.PARTICIPANTS, start, end)],
        "achieved": counted[(M.ACHIEVED, start, end)],
        "ended": ended_counts(program, fy),
        "targets": targets,
    }


def _target_actual(program: Program, t: ProgramTarget, start: dt.date,
                   end: dt.date) -> int | None:
    """A target's actual over [start, end], for the metrics other than participants and
    achievers (which :func:`program_figures` counts, all in one statement)."""
    M = ProgramTarget.Metric
    if t.metric == M.REDUCTION:
        return reduced_people(program, start, end).count()
    if t.metric == M.OUTCOME:
        qs = Outcome.objects.filter(enrollment__program=program, occurred_on__range=(start, end))
        if t.outcome_kind:
            qs = qs.filter(kind=t.outcome_kind)
        return qs.values("enrollment__person").distinct().count()
    if t.metric == M.ELIGIBLE:
        ledger = ScreeningLedger.objects.filter(program=program).order_by("-as_of", "-id").first()
        return ledger.entries.count() if ledger else None
    return None


def program_reviews_due(program: Program, membership: Membership, *,
                        today: dt.date | None = None,
                        limit: int | None = None) -> tuple[list[DueReview], int]:
    """The program page's reviews due within 30 days (and overdue): the ``limit`` soonest
    (or all) and how many there are."""
    today = today or clock.today()
    horizon = today + dt.timedelta(days=30)
    if limit is not None and sees_office_enrollments(membership):
        # Staff: the office's episodes, by a statement compiled once per process from the
        # same querysets (the listed ids in the list's order, with how many are due).
        found = _program_due_statement(limit).rows(
            office_id=program.office_id, program_id=program.pk,
            cutoff=_due_cutoff(today, horizon))
        items = _listed_dues([pk for pk, _ in found], today)
        total = found[0][1] if found else 0
    else:
        qs = visible_enrollments(membership).filter(program=program, status=S.ACTIVE)
        items, total = _dues(qs, today, horizon, limit=limit)
    return sorted(items, key=lambda d: (d.due_on, d.enrollment.pk)), total


_PROGRAM_DUE: dict[int, Compiled] = {}


def _program_due_statement(limit: int) -> Compiled:
    """The ``limit`` soonest due of a program's active episodes in an office (``_dues``'s
    order), each row with how many are due in all: compiled once per process and limit."""
    found = _PROGRAM_DUE.get(limit)
    if found is None:
        def build(office_id: int, program_id: int, cutoff: dt.date) -> list[QuerySet[Any]]:
            due = _due_by(office_enrollments(office_id).filter(
                program_id=program_id, status=S.ACTIVE), cutoff)
            return [_due_order(due.annotate(total=Window(Count("pk"))), "total")[:limit]]

        found = _PROGRAM_DUE[limit] = Compiled(
            Enrollment, build, office_id=-917_300_001, program_id=-917_300_002,
            cutoff=dt.date(1, 1, 4))
    return found


# The staff and organisations present at each record, in their one order.
_PRESENT = (Prefetch("staff_present", queryset=User.objects.order_by(*STAFF_PRESENT_ORDER)),
            "partners_present")


# ---------------------------------------------------------------- one episode

def enrollment_detail(enrollment: Enrollment, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the enrolment page shows, in a fixed number of queries."""
    today = today or clock.today()
    events = list(enrollment.events.select_related("conference", "approval", "actor", "phase")
                  .order_by("occurred_on", "id"))
    plans = list(enrollment.plans.select_related("created_by").prefetch_related(
        Prefetch("goals", queryset=PlanGoal.objects.select_related("carried_from")
                 .prefetch_related(Prefetch("assessments", queryset=GoalAssessment.objects
                                            .select_related("review")))),
        "commitments").order_by("-number"))
    records = list(enrollment.records.select_related("author", "author_partner")
                   .prefetch_related(*_PRESENT)
                   .order_by("-occurred_at", "-id"))
    reviews = list(enrollment.reviews.select_related("reviewer", "conference").prefetch_related(
        Prefetch("goal_assessments", queryset=GoalAssessment.objects.select_related("goal")))
        .order_by("-reviewed_on", "-id"))
    outcomes = list(enrollment.outcomes.select_related("outcome_type", "recorded_by")
                    .order_by("-occurred_on", "-id"))
    approvals = list(enrollment.approval_requests.select_related("requested_by").prefetch_related(
        Prefetch("decisions", queryset=ApprovalStep.objects.select_related("decided_by")))
        .order_by("-created_at"))
    due_rows = _with_due_inputs(Enrollment.objects.filter(pk=enrollment.pk).select_related(
        "program", "program_version"))
    due = due_for(due_rows[0], today) if enrollment.status == S.ACTIVE else None
    moved_to = Enrollment.objects.filter(moved_from=enrollment).select_related("program").first()
    consent = consent_in_force(enrollment.person, enrollment.program, today)
    return {
        "enrollment": enrollment, "events": events, "plans": plans,
        "current_plan": plans[0] if plans else None, "records": records, "reviews": reviews,
        "outcomes": outcomes, "approvals": approvals, "due": due, "moved_to": moved_to,
        "consent": consent, "terms": terms(enrollment),
        "phases": list(enrollment.program.phases.order_by("order", "id")),
        "menus": list(enrollment.menus.all()),
        "referred_partners": list(enrollment.referred_partners.all()),
        # 結果検討会: every sorting of the episode, newest first, with what is left after it.
        "result_sorts": episode_sorts([enrollment.pk]).get(enrollment.pk, []),
    }


# ---------------------------------------------------------------- a person's programs

def person_programs(membership: Membership, person: Person, *,
                    today: dt.date | None = None, record_limit: int = 20) -> dict[str, Any]:
    """The 「プログラム」 section of the person page: episodes (current first) with their
    next review, consents, and recent records by anyone (caseworker, support staff,
    partners). Partners see only episodes referred to them and their own records."""
    today = today or clock.today()
    enrollments = list(_with_due_inputs(
        visible_enrollments(membership).filter(person=person)
        .select_related("program", "program_version", "phase", "lead_staff",
                        "moved_from__program", "person", "person__household"))
        .order_by("-candidate_on", "-id"))
    enrollments.sort(key=lambda e: (e.status == S.ENDED, -e.candidate_on.toordinal()))
    items = [{"enrollment": e, "due": due_for(e, today)} for e in enrollments]
    consents: list[Consent] = []
    if not is_partner(membership):
        consents = list(Consent.objects.filter(person=person).select_related("program")
                        .prefetch_related(Prefetch("grants", queryset=ConsentGrant.objects
                                                   .select_related("partner")))
                        .order_by("-given_on", "-id"))
    records = list(visible_records(membership).filter(person=person).select_related("author", "author_partner", "enrollment__program")
                   .prefetch_related(*_PRESENT)
                   .order_by("-occurred_at", "-id")[:record_limit])
    return {"program_items": items, "consents": consents, "records": records,
            "can_manage": membership.can("enrollment.manage"),
            "can_record": membership.can("record.write")}


def latest_events(office: Any, *, limit: int = 20) -> list[EnrollmentEvent]:
    return list(EnrollmentEvent.objects.filter(enrollment__office=office)
                .select_related("enrollment__person", "enrollment__program", "actor")
                .order_by("-created_at", "-id")[:limit])


def plan_versions(enrollment: Enrollment) -> list[Plan]:
    return list(enrollment.plans.prefetch_related("goals", "commitments").order_by("-number"))


# ---------------------------------------------------------------- consents waiting

def consents_pending(people: QuerySet[Person] | list[int]) -> QuerySet[Enrollment]:
    """同意待ち: candidates and selected people in a program that needs consent, with no
    consent in force (for the program or general) — the home page and the work lists.
    ``people``: a queryset, or a literal list of ids (one array parameter)."""
    among = (Q(person__any=people) if isinstance(people, list) else Q(person__in=people))
    return (
        Enrollment.objects.filter(among, status__in=("candidate", "selected"),
                                  program__consent_required=True)
        .exclude(Exists(Consent.objects.filter(
            Q(program=OuterRef("program")) | Q(program__isnull=True),
            person=OuterRef("person"), withdrawn_on__isnull=True)))
        .select_related("person", "person__household", "person__household__caseworker", "program")
        .order_by("candidate_on", "id")
    )
