"""What each role's home page shows, computed from the records in a fixed number of queries.

Nothing here is stored: what is due, overdue, pending or new is derived from what
happened (enrolments, reviews, records, consents, approvals) every time the page is
drawn, so the lists can never drift from the records. Each list is capped
(``LIST_LIMIT``) and carries its full count, so a large office never draws thousands
of rows and the query count never grows with the data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
)

from jiritsu.activities import selectors as activity_selectors
from jiritsu.activities.selectors import FollowUp
from jiritsu.cases import selectors as program_selectors
from jiritsu.cases.access import caseload as caseload_of
from jiritsu.cases.access import caseload_person_ids, visible_people
from jiritsu.cases.models import ActivityRecord, ApprovalRequest, Consent, Enrollment
from jiritsu.cases.selectors import DueReview
from jiritsu.casework import confirm, visits
from jiritsu.core.rows import Join, JoinedRows, PlainRows
from jiritsu.guidance.models import GuidanceCase
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import role_has_own_caseload
from jiritsu.people import evidence
from jiritsu.people.evidence import DueEvidence
from jiritsu.people.models import HospitalStay, Household, Person
from jiritsu.web.new_records import People, records_from_others, records_from_others_of

LIST_LIMIT = 50
FLAG_LABELS: dict[str, tuple[str, str]] = {
    # code: (label, badge css class)
    "in_hospital": ("入院中", "warn"),
    "long_psych": ("精神科長期入院", "err"),
    "on_program": ("プログラム参加中", "ok"),
    "consent_pending": ("同意待ち", "warn"),
    "review_overdue": ("見直し期限超過", "err"),
    "review_due": ("7日以内に見直し", "warn"),
    "new_case": ("新規・未検討", "info"),
    "visit_overdue": ("訪問予定超過", "warn"),
    "guidance_open": ("指導指示 進行中", "err"),
}



DUE_WINDOW_DAYS = 7


def week_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The coming seven days, today included: what is due "this week" on any weekday."""
    return today, today + dt.timedelta(days=DUE_WINDOW_DAYS - 1)


# --- the set of people a home page is about ------------------------------------------------

def scope_people(membership: Membership, *, caseworker: User | None = None,
                 person_ids: list[int] | None = None) -> QuerySet[Person]:
    """People whose households this membership looks after (or the chosen caseworker's);
    ``person_ids`` from :func:`jiritsu.cases.access.caseload_person_ids` when the caller has
    read them."""
    if person_ids is None:
        person_ids = caseload_person_ids(membership, caseworker=caseworker)
    if person_ids is not None:
        return visible_people(membership).filter(pk__any=person_ids)
    return visible_people(membership).filter(
        household__isnull=False, household__assistance_ended_on__isnull=True
    )


# --- reviews due (derived) -----------------------------------------------------------------


def reviews_due(membership: Membership, *, today: dt.date, until: dt.date,
                caseworker: User | None = None) -> list[DueReview]:
    """Reviews due by ``until`` and overdue, as the program life cycle derives them
    (interval, last review's next date, one month after discharge, planned end): one
    query. A caseworker's own episodes (and those they lead); the office for supervisors
    and managers, or one ``caseworker``'s when they pick one."""
    within = (until - today).days + 1
    if caseworker is not None:
        data = program_selectors.reviews_due(membership, today=today, within_days=within,
                                             mine_only=False, caseworker=caseworker)
    else:
        data = program_selectors.reviews_due(membership, today=today, within_days=within)
    return data["overdue"] + data["due_soon"]


def follow_ups_due(membership: Membership, people: People, *, today: dt.date,
                   until: dt.date) -> list[FollowUp]:
    """退院後の確認 not done yet and due by ``until`` for ``people`` — the rule and its rows
    are the 支援活動 list's (:func:`jiritsu.activities.selectors.discharge_follow_ups`)."""
    return [f for f in activity_selectors.discharge_follow_ups(membership.office, today=today,
                                                               people=people)
            if f.done_on is None and (f.needs_consultation or f.due_on <= until)]


def evidence_due(people: People, *, today: dt.date, until: dt.date) -> list[DueEvidence]:
    """医療要否意見書 and other medical evidence falling due by ``until`` for ``people`` — the
    rule is the evidence's own (:func:`jiritsu.people.evidence.evidence_due`)."""
    return evidence.evidence_due(people, today=today, until=until)


# --- lists ---------------------------------------------------------------------------------


def consents_pending(people: QuerySet[Person]) -> QuerySet[Enrollment]:
    """同意待ち: the life cycle's rule (:func:`jiritsu.cases.selectors.consents_pending`)."""
    return program_selectors.consents_pending(people)


def new_cases(membership: Membership, people: QuerySet[Person], *,
              today: dt.date) -> QuerySet[Person]:
    """新規・未検討 for at least one program that asks for new cases to be considered at
    once, among ``people`` — the rule is the 支援活動 list's
    (:func:`jiritsu.activities.selectors.new_cases_not_considered`)."""
    return (
        people.filter(activity_selectors.new_cases_any_program(membership.office, today=today))
        .select_related("household", "household__caseworker")
        .order_by("-household__assistance_started_on", "household__case_number", "member_number")
    )


def approvals_waiting(membership: Membership) -> list[ApprovalRequest]:
    """Pending 決裁 at this membership's step (the life cycle's rule: never one's own)."""
    return program_selectors.approvals_waiting(membership)


# --- caseload with flags -------------------------------------------------------------------


@dataclass
class CaseloadRow:
    household: Household
    last_visit: dt.datetime | None = None
    members: list[Person] = field(default_factory=list)
    flags: list[tuple[str, str, str, str]] = field(default_factory=list)  # code, label, css, who


@dataclass
class CaseloadView:
    rows: list[CaseloadRow]
    counts: dict[str, int]
    consents_pending: list[Enrollment]
    new_cases: list[Person]


def _newest_assistance_first(p: Person) -> tuple[int, str, int]:
    """New cases: the latest start of assistance first, then case number and member."""
    hh = p.household
    started = hh.assistance_started_on if hh is not None else None
    return (-(started.toordinal() if started else 0), hh.case_number if hh is not None else "",
            p.member_number)


# The caseload's small reads of its people's ids, written once per process (core.rows): the
# open hospital stays, the consents in force and the open 法27条 guidance cases.
_OPEN_STAYS = PlainRows(HospitalStay, ("person", "psychiatric", "admitted_on"), key="person",
                        where="{discharged_on} IS NULL AND {admitted_on} <= %s")
_GIVEN_CONSENTS = PlainRows(Consent, ("person", "program"), key="person",
                            where="{withdrawn_on} IS NULL")
_OPEN_GUIDANCE = PlainRows(GuidanceCase, ("person",), key="person",
                           where="{status} = %s")
# Every episode of the caseload's people with its program (for 参加中 and 同意待ち).
_EPISODES = JoinedRows(Enrollment, [Join("program")], where="{m}.person_id {ids}",
                       order_by="{m}.candidate_on, {m}.id")


def caseload(membership: Membership, members: list[Person], *, today: dt.date,
             due: list[DueReview], flag: str = "") -> CaseloadView:
    """One caseworker's households with each member's flags (``members`` from
    :func:`jiritsu.cases.access.caseload`), in a few simple queries.

    A caseload is about a hundred households, so its people, stays, enrolments and
    consents are read as plain rows and the flags worked out in Python: cheaper than
    one query with a dozen correlated subqueries, and the same count at any size.
    """
    overdue_ids = {d.enrollment.person_id for d in due if d.overdue}
    due_ids = {d.enrollment.person_id for d in due if not d.overdue}
    ids = [p.pk for p in members]
    by_id = {p.pk: p for p in members}
    stays: dict[int, bool] = {}  # person → long psychiatric stay?
    long_from = membership.office.long_stay_since(today)  # the office's 長期入院
    for pid, psychiatric, admitted in _OPEN_STAYS.fetch(ids, [today]):
        stays[pid] = stays.get(pid, False) or (psychiatric and admitted <= long_from)
    enrolments = _EPISODES.fetch([ids]) if ids else []
    consents = set(_GIVEN_CONSENTS.fetch(ids))
    # 新規・未検討 by the 支援活動 list's rule, asked only of the people whose case is new
    # enough (two queries: the programs, then the rule; none when no case is new).
    new_ids = activity_selectors.new_case_ids(
        membership.office,
        [p.pk for p in members if activity_selectors.is_new_case_household(p.household, today)],
        today=today)
    # The caseload's members are its households' people: the visit rule reads their records.
    households = list({p.household_id: p.household for p in members
                       if p.household is not None}.values())
    people = {p.pk: p.household_id for p in members if p.household_id is not None}
    last_visits = visits.last_home_visits(membership.office, people)
    visit_dues = visits.visits_due(membership.office, households, today=today, people=people,
                                   last_visits=last_visits)
    guidance_open = {pid for (pid,) in _OPEN_GUIDANCE.fetch(ids, [GuidanceCase.Status.OPEN])}
    active: set[int] = set()
    pending: list[Enrollment] = []
    for e in enrolments:
        if e.status == "active":
            active.add(e.person_id)
        elif (e.status in ("candidate", "selected") and e.program.consent_required
              and (e.person_id, e.program_id) not in consents
              and (e.person_id, None) not in consents):
            e.person = by_id[e.person_id]
            pending.append(e)
    pending_ids = {e.person_id for e in pending}
    new: list[Person] = []
    rows: dict[int, CaseloadRow] = {}
    for p in members:
        hh = p.household
        if hh is None:  # a caseload is made of households; nobody here is without one
            continue
        row = rows.get(hh.pk)
        if row is None:
            row = rows[hh.pk] = CaseloadRow(hh, last_visits.get(hh.pk))
            if visit_dues[hh.pk].overdue:
                row.flags.append(("visit_overdue", *FLAG_LABELS["visit_overdue"], ""))
        row.members.append(p)
        codes = []
        if p.pk in stays:
            codes.append("long_psych" if stays[p.pk] else "in_hospital")
        if p.pk in active:
            codes.append("on_program")
        if p.pk in pending_ids:
            codes.append("consent_pending")
        if p.pk in new_ids:
            codes.append("new_case")
            new.append(p)
        if p.pk in guidance_open:
            codes.append("guidance_open")
        if p.pk in overdue_ids:
            codes.append("review_overdue")
        elif p.pk in due_ids:
            codes.append("review_due")
        who = p.name if p.relationship != Person.Relationship.HEAD else ""
        for c in codes:
            label, css = FLAG_LABELS[c]
            row.flags.append((c, label, css, who))
    out = list(rows.values())
    counts: dict[str, int] = defaultdict(int)
    for row in out:
        for c in {f[0] for f in row.flags}:
            counts[c] += 1
    if flag:
        out = [r for r in out if any(f[0] == flag for f in r.flags)]
    new.sort(key=_newest_assistance_first)
    return CaseloadView(out, dict(counts), pending, new)


# --- team view (supervisor / manager) ------------------------------------------------------

# Caseworkers per page of the team table: a large office has a thousand of them.
TEAM_PAGE_SIZE = 50


@dataclass
class TeamRow:
    caseworker: User | None
    households: int = 0
    people: int = 0
    in_hospital: int = 0
    long_psych: int = 0
    on_program: int = 0
    consent_pending: int = 0
    new_case: int = 0
    review_overdue: int = 0
    review_due: int = 0
    records_new: int = 0


@dataclass
class TeamPage:
    rows: list[TeamRow]
    page: int
    pages: int
    total: int
    first: int
    last: int


def team_summary(membership: Membership, people: QuerySet[Person], *, today: dt.date,
                 due: dict[int | None, tuple[int, int]], new_records: list[ActivityRecord],
                 consents_by_cw: dict[int | None, int], new_by_cw: dict[int | None, int],
                 page: int = 1) -> TeamPage:
    """Counts per caseworker, one page of caseworkers (by name) at a time.

    The rows are the office's active caseworkers (from memberships) and whoever else still
    has open households; households, people, hospital stays and active enrolments are
    counted in one grouped query for the caseworkers on the page only, starting from their
    households, so the cost is a page's ~5,000 households however large the office.
    Consents, new cases and records are counted from the lists the page reads anyway,
    reviews due from one grouped count (``due``). Four queries.
    """
    office = membership.office
    open_households = Household.objects.filter(office=office, assistance_ended_on__isnull=True)
    # Who has a row: the office's active caseworkers, and anyone else (a former caseworker,
    # a supervisor, nobody) who still has open households. Listing them from memberships
    # avoids grouping the office's hundred thousand households just to find the names.
    members = list(Membership.objects.filter(office=office).order_by()
                   .values_list("user_id", "role", "is_active", "user__display_name",
                                "user__username"))
    names: dict[int | None, str] = {u: d or n for u, _r, _a, d, n in members}
    keys: set[int | None] = {u for u, r, a, _d, _n in members
                             if a and role_has_own_caseload(r)}
    others = [u for u in names if u not in keys]
    # Two halves, each on the (office_id, caseworker_id) index (an OR of them walks the
    # office's households).
    keys.update(open_households.filter(caseworker__in=others).order_by()
                .values_list("caseworker", flat=True)
                .union(open_households.filter(caseworker__isnull=True).order_by()
                       .values_list("caseworker", flat=True)))
    order = sorted(keys, key=lambda k: (k is None, names.get(k, ""), k or 0))
    total = len(order)
    pages = max(1, -(-total // TEAM_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = order[(page - 1) * TEAM_PAGE_SIZE: page * TEAM_PAGE_SIZE]
    users = {u.pk: u for u in User.objects.filter(pk__in=[k for k in shown if k is not None])}
    rows = {k: TeamRow(users.get(k) if k is not None else None,
                       consent_pending=consents_by_cw.get(k, 0), new_case=new_by_cw.get(k, 0))
            for k in shown}
    # The page's households drive the counts: people through people_person(household_id),
    # stays and enrolments through their person_id (never a walk over the office's people).
    cw = "household__caseworker"
    in_page = Q(caseworker__in=[k for k in shown if k is not None])
    if None in rows:
        in_page |= Q(caseworker__isnull=True)
    page_households = open_households.filter(in_page)
    long_from = office.long_stay_since(today)  # the office's 長期入院
    stays = HospitalStay.objects.filter(person=OuterRef("pk"), discharged_on__isnull=True,
                                        admitted_on__lte=today)
    for cw_id, n_households, n_people, n_hospital, n_long, n_program in (
            people.filter(household__in=page_households.values("pk")).order_by()
            .values_list(cw)
            .annotate(h=Count("household", distinct=True), n=Count("pk"),
                      hosp=Count("pk", filter=Exists(stays)),
                      long=Count("pk", filter=Exists(stays.filter(
                          psychiatric=True, admitted_on__lte=long_from))),
                      prog=Count("pk", filter=Exists(Enrollment.objects.filter(
                          person=OuterRef("pk"), status="active"))))):
        if (r := rows.get(cw_id)) is not None:
            r.households, r.people = n_households, n_people
            r.in_hospital, r.long_psych, r.on_program = n_hospital - n_long, n_long, n_program
    for cw_id, (late, soon) in due.items():
        if (r := rows.get(cw_id)) is not None:
            r.review_overdue, r.review_due = late, soon
    for rec in new_records:
        key = rec.person.household.caseworker_id if rec.person.household else None
        if (r := rows.get(key)) is not None:
            r.records_new += 1
    first = (page - 1) * TEAM_PAGE_SIZE
    return TeamPage([rows[k] for k in shown], page, pages, total,
                    first + 1 if shown else 0, first + len(shown))


# --- support staff and partners ------------------------------------------------------------


def supported_people(membership: Membership) -> QuerySet[Person]:
    """People a support staff member leads an enrolment for or has written records about."""
    user = membership.user
    ids = set(Enrollment.objects.filter(lead_staff=user).values_list("person_id", flat=True))
    ids |= set(ActivityRecord.objects.filter(author=user).order_by()
               .values_list("person_id", flat=True).distinct())
    return visible_people(membership).filter(pk__in=sorted(ids))


def people_with_programs(people: QuerySet[Person], *, partner_id: int | None = None
                         ) -> list[Person]:
    """People with their enrolments (open first) and last record date, in two queries."""
    from django.db.models import Prefetch

    enrolments = Enrollment.objects.select_related("program", "phase", "lead_staff").order_by(
        "ended_on", "-started_on", "-candidate_on")
    if partner_id is not None:
        enrolments = enrolments.filter(referred_partners=partner_id)
    return list(
        people.annotate(last_record_at=Max("records__occurred_at"))
        .select_related("household", "household__caseworker")
        .prefetch_related(Prefetch("enrollments", queryset=enrolments, to_attr="programs"))
        .order_by("kana_key", "id")[: LIST_LIMIT * 4]
    )


# --- the page ------------------------------------------------------------------------------


def _capped(items: Any) -> dict[str, Any]:
    items = list(items)
    return {"items": items[:LIST_LIMIT], "total": len(items)}


def _capped_qs(qs: QuerySet[Any]) -> dict[str, Any]:
    items = list(qs[: LIST_LIMIT + 1])
    total = len(items) if len(items) <= LIST_LIMIT else qs.count()
    return {"items": items[:LIST_LIMIT], "total": total}


def _due_counts(due: list[DueReview]) -> dict[str, int]:
    overdue = sum(1 for d in due if d.overdue)
    return {"overdue_count": overdue, "due_count": len(due) - overdue}


def caseworker_home(membership: Membership, *, today: dt.date, flag: str = "",
                    caseworker: User | None = None) -> dict[str, Any]:
    """A caseworker's morning: caseload, what is due, who waits for consent, what is new."""
    # The caseload's people are read once, with their households; the lists below ask
    # about their ids. (This page is always one caseworker's: a caseworker's own, or the one
    # a supervisor picked.)
    members = caseload_of(membership, caseworker=caseworker) or []
    listed = sorted(p.pk for p in members)
    week_start, week_end = week_bounds(today)
    due = reviews_due(membership, today=today, until=week_end, caseworker=caseworker)
    view = caseload(membership, members, today=today, due=due, flag=flag)
    reader = caseworker or membership.user
    return {
        "today": today, "week_start": week_start, "week_end": week_end,
        "caseload": view.rows, "flag": flag,
        "flag_filters": [(code, label, view.counts.get(code, 0))
                         for code, (label, _css) in FLAG_LABELS.items()],
        **_due_counts(due),
        "reviews": _capped(due),
        "follow_ups": _capped(follow_ups_due(membership, listed, today=today, until=week_end)),
        "evidence_due": _capped(evidence_due(listed, today=today, until=week_end)),
        "consents": _capped(view.consents_pending),
        "new_cases": _capped(view.new_cases),
        "new_records": records_from_others_of(listed, reader=reader, limit=LIST_LIMIT),
        "shown_caseworker": caseworker,
    }


def team_home(membership: Membership, *, today: dt.date, page: int = 1) -> dict[str, Any]:
    """Supervisor / manager: the same lists across the office, by caseworker, plus 決裁."""
    people = scope_people(membership)
    week_start, week_end = week_bounds(today)
    # The office's due reviews from their stored dates: the first LIST_LIMIT as objects,
    # the totals and a count per caseworker grouped in the database.
    due = program_selectors.office_dues(membership, today=today, until=week_end,
                                        limit=LIST_LIMIT)
    new_records = list(records_from_others(people, reader=None)[: LIST_LIMIT * 4])
    consents, consents_by_cw = _capped_by_caseworker(
        consents_pending(people), "person__household__caseworker", distinct="person_id")
    new, new_by_cw = _capped_by_caseworker(new_cases(membership, people, today=today),
                                           "household__caseworker")
    return {
        "today": today, "week_start": week_start, "week_end": week_end,
        "team": team_summary(membership, people, today=today, due=due.by_caseworker,
                             new_records=new_records, consents_by_cw=consents_by_cw,
                             new_by_cw=new_by_cw, page=page),
        "overdue_count": due.overdue, "due_count": due.total - due.overdue,
        "approvals": approvals_waiting(membership),
        "confirm_unread": confirm.unread_count(membership),
        "reviews": {"items": due.items, "total": due.total},
        "follow_ups": _capped(follow_ups_due(membership, people, today=today, until=week_end)),
        "consents": consents,
        "new_cases": new,
        "new_records": _capped(new_records),
    }


def _capped_by_caseworker(qs: QuerySet[Any], cw: str, *, distinct: str = ""
                          ) -> tuple[dict[str, Any], dict[int | None, int]]:
    """A capped list with its total and a count per caseworker, in two queries: the keys
    of every row in the list's order (a few thousand at most), then the first
    ``LIST_LIMIT`` rows as objects. ``distinct`` counts a column's distinct values per
    caseworker instead of rows (people rather than their enrolments)."""
    keys = list(qs.values_list("pk", cw, *((distinct,) if distinct else ())))
    seen: dict[int | None, set[Any]] = defaultdict(set)
    for k in keys:
        seen[k[1]].add(k[2] if distinct else k[0])
    first = [k[0] for k in keys[:LIST_LIMIT]]
    by_pk = {o.pk: o for o in qs.filter(pk__in=first or [0])}
    items = [by_pk[pk] for pk in first if pk in by_pk]
    return ({"items": items, "total": len(keys)},
            {k: len(v) for k, v in seen.items()})


def support_home(membership: Membership, *, today: dt.date) -> dict[str, Any]:
    people = supported_people(membership)
    week_start, week_end = week_bounds(today)
    return {
        "today": today, "week_start": week_start, "week_end": week_end,
        "people": people_with_programs(people),
        "reviews": _capped(reviews_due(membership, today=today, until=week_end)),
        "new_records": _capped_qs(records_from_others(people, reader=membership.user)),
    }


def partner_home(membership: Membership, *, today: dt.date) -> dict[str, Any]:
    return {"today": today,
            "people": people_with_programs(visible_people(membership),
                                           partner_id=membership.partner_id)}
