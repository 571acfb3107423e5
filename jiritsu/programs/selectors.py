"""Read side of the program life cycle, in bounded numbers of queries.

Review due dates are DERIVED here from what is due and what was done — the program's
review interval after the start or the last review (or the date that review set),
a check N months after a discharge outcome, and the planned end of the period —
never stored as a list that could drift.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from jiritsu.core.wareki import add_months, fiscal_year_bounds, fiscal_year_of, format_wareki
from jiritsu.offices.models import Membership, User
from jiritsu.people.models import Person
from jiritsu.programs.access import visible_enrollments
from jiritsu.programs.models import (
    ActivityRecord,
    ApprovalRequest,
    ApprovalStep,
    Consent,
    ConsentGrant,
    Enrollment,
    EnrollmentEvent,
    GoalAssessment,
    Outcome,
    OutcomeKind,
    Plan,
    PlanGoal,
    Program,
    ProgramTarget,
    Review,
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


def _with_due_inputs(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    last_review = Review.objects.filter(enrollment=OuterRef("pk")).order_by("-reviewed_on", "-id")
    last_discharge = Outcome.objects.filter(enrollment=OuterRef("pk"),
                                            kind=OutcomeKind.DISCHARGE).order_by("-occurred_on")
    return qs.annotate(
        last_review_on=Subquery(last_review.values("reviewed_on")[:1]),
        last_review_next=Subquery(last_review.values("next_due_on")[:1]),
        last_discharge_on=Subquery(last_discharge.values("occurred_on")[:1]),
    )


def due_for(enrollment: Enrollment, today: dt.date) -> DueReview | None:
    """The next review of an active episode annotated by :func:`_with_due_inputs`."""
    from jiritsu.programs.services.enrollments import terms

    if enrollment.status != S.ACTIVE or enrollment.started_on is None:
        return None
    t = terms(enrollment)
    interval = t["review_interval_months"] or 3
    last_on = getattr(enrollment, "last_review_on", None)
    candidates: list[tuple[dt.date, str]] = []
    if last_on is not None:
        nxt = getattr(enrollment, "last_review_next", None) or add_months(last_on, interval)
        candidates.append((nxt, f"定期見直し（前回 {format_wareki(last_on)}）"))
    else:
        candidates.append((add_months(enrollment.started_on, interval),
                           f"初回見直し（支援開始から{interval}か月）"))
    discharge = getattr(enrollment, "last_discharge_on", None)
    months = t.get("post_discharge_review_months")
    if discharge and months and (last_on is None or last_on <= discharge):
        # Any review after the discharge satisfies the post-discharge check.
        candidates.append((add_months(discharge, months),
                           f"退院後{months}か月の生活状況確認（退院 {format_wareki(discharge)}）"))
    if enrollment.planned_end_on and (last_on is None or last_on < enrollment.planned_end_on):
        candidates.append((enrollment.planned_end_on,
                           f"支援期間の終了予定日（{format_wareki(enrollment.planned_end_on)}）"))
    due_on = min(d for d, _ in candidates)
    reasons = [r for d, r in sorted(candidates) if d <= max(due_on, today)] or [candidates[0][1]]
    return DueReview(enrollment, due_on, reasons, today)


def _due_queryset(membership: Membership, *, mine_only: bool,
                  caseworker: User | None = None) -> QuerySet[Enrollment]:
    qs = visible_enrollments(membership).filter(status=S.ACTIVE)
    if mine_only or caseworker is not None:
        # The episodes of one caseworker's households (and, for "mine", those the user
        # leads) as a UNION of two index-driven halves: household.caseworker_id → people →
        # their open episodes, and lead_staff_id. An OR of the two made PostgreSQL filter
        # every active episode of the office instead (~100 ms at a large office vs < 1 ms).
        cw = caseworker if caseworker is not None else membership.user
        ids = qs.filter(person__household__caseworker=cw).order_by().values("pk")
        if mine_only:
            ids = ids.union(qs.filter(lead_staff=membership.user).order_by().values("pk"))
        qs = qs.filter(pk__in=ids)
    return qs


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


def _dues(qs: QuerySet[Enrollment], today: dt.date, horizon: dt.date | None) -> list[DueReview]:
    """Due reviews of the active episodes in ``qs`` (by ``horizon``, or all): one query."""
    rows = _with_due_inputs(qs.select_related(
        "program", "program_version", "person__household__caseworker", "phase",
    ).only(*_DUE_FIELDS))
    return [d for e in rows if (d := due_for(e, today)) is not None
            and (horizon is None or d.overdue or d.due_on <= horizon)]


def reviews_due(membership: Membership, *, today: dt.date | None = None, within_days: int = 7,
                mine_only: bool | None = None,
                caseworker: User | None = None) -> dict[str, list[DueReview]]:
    """{"overdue": [...], "due_soon": [...]} — a caseworker's own caseload (and episodes they
    lead); supervisors and managers office-wide unless ``mine_only``, or the episodes of
    one ``caseworker``'s households."""
    today = today or dt.date.today()
    if mine_only is None:
        mine_only = membership.role not in (Membership.Role.SUPERVISOR, Membership.Role.MANAGER)
    horizon = today + dt.timedelta(days=within_days - 1)
    out: dict[str, list[DueReview]] = {"overdue": [], "due_soon": []}
    for due in _dues(_due_queryset(membership, mine_only=mine_only, caseworker=caseworker),
                     today, horizon):
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
                            "requested_by", "conference")
            .order_by("created_at", "id"))
    return [r for r in rows if r.current_step < len(r.steps)
            and r.steps[r.current_step] == membership.role]


def approvals_mine(membership: Membership, *, limit: int = 20) -> list[ApprovalRequest]:
    """Requests this user made: pending ones and recent returns (差戻し) with comments."""
    return list(
        ApprovalRequest.objects.filter(office=membership.office, requested_by=membership.user)
        .select_related("enrollment", "enrollment__person", "enrollment__program")
        .prefetch_related(Prefetch("decisions", queryset=ApprovalStep.objects.select_related(
            "decided_by")))
        .order_by("-created_at")[:limit])


# ---------------------------------------------------------------- program page

@dataclass
class BoardColumn:
    key: str
    label: str
    enrollments: list[Enrollment] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.enrollments)


BOARD_FIELDS = (
    "id", "program_id", "status", "phase_id", "person_id", "started_on",
    "flagged_no_longer_matching", "person__id", "person__name", "person__kana_key",
    "person__household_id", "person__household__id", "person__household__caseworker_id",
    "person__household__caseworker__id", "person__household__caseworker__username",
    "person__household__caseworker__display_name",
)


def program_board(program: Program) -> list[BoardColumn]:
    """Open episodes by state and, when active, by phase. Two queries."""
    phases = list(program.phases.order_by("order", "id"))
    columns: OrderedDict[str, BoardColumn] = OrderedDict()
    columns["candidate"] = BoardColumn("candidate", "候補")
    columns["selected"] = BoardColumn("selected", "選定")
    for p in phases:
        columns[f"phase-{p.pk}"] = BoardColumn(f"phase-{p.pk}", f"参加中：{p.name}")
    columns["active"] = BoardColumn("active", "参加中" if not phases else "参加中（段階未設定）")
    # Only the columns the board draws: a large program has hundreds of open episodes, and
    # whole rows of five tables (timestamps, JSON) cost more to turn into objects than to read.
    rows = (Enrollment.objects.filter(program=program, status__in=Enrollment.OPEN_STATUSES)
            .select_related("person", "person__household", "person__household__caseworker")
            .only(*BOARD_FIELDS)
            .order_by("person__kana_key", "id"))
    for e in rows:
        if e.status == S.ACTIVE and e.phase_id and f"phase-{e.phase_id}" in columns:
            columns[f"phase-{e.phase_id}"].enrollments.append(e)
        else:
            columns[e.status].enrollments.append(e)
    if phases and not columns["active"].enrollments:
        del columns["active"]
    return list(columns.values())


def ended_counts(program: Program, fy: int) -> list[dict[str, Any]]:
    start, end = fiscal_year_bounds(fy)
    labels = dict(Enrollment.EndReason.choices)
    rows = (Enrollment.objects.filter(program=program, status=S.ENDED,
                                      ended_on__range=(start, end))
            .values("end_reason").annotate(n=Count("id")).order_by("end_reason"))
    return [{"reason": labels.get(r["end_reason"], r["end_reason"]), "count": r["n"]}
            for r in rows]


def _participants(program: Program, start: dt.date, end: dt.date) -> int:
    return (Enrollment.objects.filter(program=program, started_on__isnull=False,
                                      started_on__lte=end)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
            .values("person").distinct().count())


def _achieved(program: Program, start: dt.date, end: dt.date) -> int:
    by_outcome = Outcome.objects.filter(enrollment__program=program,
                                        outcome_type__counts_as_achievement=True,
                                        occurred_on__range=(start, end)).values("enrollment")
    return (Enrollment.objects.filter(program=program)
            .filter(Q(pk__in=by_outcome) | Q(end_reason=Enrollment.EndReason.ACHIEVED,
                                             ended_on__range=(start, end)))
            .values("person").distinct().count())


def program_figures(program: Program, *, today: dt.date | None = None) -> dict[str, Any]:
    """This fiscal year's participants and achievers, and each target against its actual
    (multi-year targets count from the first year of the range up to today)."""
    today = today or dt.date.today()
    fy = fiscal_year_of(today)
    start, end = fiscal_year_bounds(fy)
    targets = []
    for t in program.targets.all():
        t_start = fiscal_year_bounds(t.fiscal_year_from)[0]
        t_end = min(fiscal_year_bounds(t.fiscal_year_to)[1], today)
        actual = _target_actual(program, t, t_start, t_end)
        targets.append({"target": t, "actual": actual,
                        "current": t.fiscal_year_from <= fy <= t.fiscal_year_to,
                        "met": actual is not None and actual >= t.value})
    return {
        "fiscal_year": fy,
        "participants": _participants(program, start, end),
        "achieved": _achieved(program, start, end),
        "ended": ended_counts(program, fy),
        "targets": targets,
    }


def _target_actual(program: Program, t: ProgramTarget, start: dt.date,
                   end: dt.date) -> int | None:
    M = ProgramTarget.Metric
    if t.metric == M.PARTICIPANTS:
        return _participants(program, start, end)
    if t.metric == M.ACHIEVED:
        return _achieved(program, start, end)
    if t.metric in (M.OUTCOME, M.REDUCTION):
        # Reduction targets (竹原: long-term inpatients down by 5) count discharges.
        kind = t.outcome_kind or (OutcomeKind.DISCHARGE if t.metric == M.REDUCTION else "")
        qs = Outcome.objects.filter(enrollment__program=program, occurred_on__range=(start, end))
        if kind:
            qs = qs.filter(kind=kind)
        return qs.values("enrollment__person").distinct().count()
    if t.metric == M.ELIGIBLE:
        ledger = ScreeningLedger.objects.filter(program=program).order_by("-as_of", "-id").first()
        return ledger.entries.count() if ledger else None
    return None


def program_reviews_due(program: Program, membership: Membership, *,
                        today: dt.date | None = None) -> list[DueReview]:
    """The program page's reviews due within 30 days (and overdue)."""
    today = today or dt.date.today()
    qs = visible_enrollments(membership).filter(program=program, status=S.ACTIVE)
    return sorted(_dues(qs, today, today + dt.timedelta(days=30)), key=lambda d: d.due_on)


# ---------------------------------------------------------------- one episode

def enrollment_detail(enrollment: Enrollment, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the enrolment page shows, in a fixed number of queries."""
    from jiritsu.programs.services.enrollments import consent_in_force, terms

    today = today or dt.date.today()
    events = list(enrollment.events.select_related("conference", "approval", "actor", "phase")
                  .order_by("occurred_on", "id"))
    plans = list(enrollment.plans.select_related("created_by").prefetch_related(
        Prefetch("goals", queryset=PlanGoal.objects.select_related("carried_from")
                 .prefetch_related(Prefetch("assessments", queryset=GoalAssessment.objects
                                            .select_related("review")))),
        "commitments").order_by("-number"))
    records = list(enrollment.records.select_related("author", "author_partner")
                   .prefetch_related("staff_present", "partners_present")
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
    }


# ---------------------------------------------------------------- a person's programs

def person_programs(membership: Membership, person: Person, *,
                    today: dt.date | None = None, record_limit: int = 20) -> dict[str, Any]:
    """The 「プログラム」 section of the person page: episodes (current first) with their
    next review, consents, and recent records by anyone (caseworker, support staff,
    partners). Partners see only episodes referred to them and their own records."""
    today = today or dt.date.today()
    enrollments = list(_with_due_inputs(
        visible_enrollments(membership).filter(person=person)
        .select_related("program", "program_version", "phase", "lead_staff",
                        "moved_from__program", "person", "person__household"))
        .order_by("-candidate_on", "-id"))
    items = [{"enrollment": e, "due": due_for(e, today)} for e in enrollments]
    items.sort(key=lambda i: (i["enrollment"].status == S.ENDED, -i["enrollment"].candidate_on.toordinal()))
    consents: list[Consent] = []
    if membership.role != Membership.Role.PARTNER:
        consents = list(Consent.objects.filter(person=person).select_related("program")
                        .prefetch_related(Prefetch("grants", queryset=ConsentGrant.objects
                                                   .select_related("partner")))
                        .order_by("-given_on", "-id"))
    records_qs = ActivityRecord.objects.filter(person=person)
    if membership.role == Membership.Role.PARTNER:
        records_qs = records_qs.filter(author_partner=membership.partner_id)
    records = list(records_qs.select_related("author", "author_partner", "enrollment__program")
                   .prefetch_related("staff_present", "partners_present")
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
