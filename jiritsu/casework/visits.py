"""When is a household's next home visit due — the one rule (docs/architecture.md, "Rules
with one home"), used by the caseworker home's 訪問予定超過 flag, the visit plan, the
supervisor's view against the grades, the work lists and the morning digest.

- **By grade.** The last home visit (経過記録 of kind 家庭訪問) plus the grade's interval:
  the office's own months for the grade (:class:`GradeInterval`), or else the grade's
  ``visits_per_year`` read as months (12 → 1, 4 → 3, 2 → 6 …).
- **By event.** A program start, a discharge from hospital or an outcome recorded after the
  last visit asks for a visit within the office's ``event_visit_days``.
- **Never visited.** A household with no home visit on record is due from the start of its
  assistance (so it is overdue at once) and is flagged 「訪問記録なし」.

The earliest of these is the due date; a household is overdue when that date is before today.
A planned visit does not move the due date: it shows when the caseworker means to go.
Everything is read for a whole caseload in a fixed number of statements written once per
process: the households' people (unless the caller has them), their last visits, their events,
the office's settings when there are events, the planned visits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jiritsu.cases.models import ActivityRecord, Enrollment, Outcome
from jiritsu.casework.models import CaseworkSettings, GradeInterval, PlannedVisit
from jiritsu.core import clock
from jiritsu.core.rows import JoinedRows, PlainRows, Statement
from jiritsu.core.wareki import add_months
from jiritsu.offices.models import Membership, Office
from jiritsu.offices.permissions import role_has_own_caseload
from jiritsu.people.models import HospitalStay, Household, Person, VisitGrade

REASON_LABELS = {
    "grade": "訪問格付けによる定期訪問",
    "never": "訪問記録なし",
    "program_start": "プログラム開始後の訪問",
    "discharge": "退院後の訪問",
    "outcome": "成果の記録後の訪問",
}


@dataclass
class VisitDue:
    household_id: int
    due_on: dt.date | None  # None: no grade, no event, and a visit on record
    reason: str  # a key of REASON_LABELS ("" when nothing is due)
    last_visit: dt.date | None
    planned_on: dt.date | None = None
    planned_id: int | None = None
    today: dt.date | None = None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.today is not None and self.due_on < self.today

    @property
    def never_visited(self) -> bool:
        return self.last_visit is None

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, "")


# The rule's reads of a caseload, written once per process (core.rows): every caller of the
# rule reads through them. Each names the office as the office's scope would; the people are
# the office's people of the households, and the records and events are theirs.
_PEOPLE = PlainRows(Person, ("id", "household"), key="household", where="{office} = %s")
_LAST_VISITS = Statement(
    {"r": ActivityRecord},
    "SELECT {r.person}, MAX({r.occurred_at}) FROM {r} "
    "WHERE {r.office} = %s AND {r.kind} = %s AND {r.person} {ids} GROUP BY {r.person}",
    columns=(None, "r.occurred_at"))
# Program starts, discharges and outcomes of the people since a day.
_EVENTS = Statement(
    {"e": Enrollment, "s": HospitalStay, "o": Outcome},
    "SELECT {e.person}, {e.started_on}, 'program_start' FROM {e} "
    "WHERE {e.office} = %s AND {e.person} {ids} AND {e.started_on} >= %s "
    "UNION ALL "
    "SELECT {s.person}, {s.discharged_on}, 'discharge' FROM {s} "
    "WHERE {s.person} {ids} AND {s.discharged_on} >= %s "
    "UNION ALL "
    "SELECT {e.person}, {o.occurred_on}, 'outcome' FROM {o} "
    "INNER JOIN {e} ON {e.pk} = {o.enrollment} "
    "WHERE {e.office} = %s AND {e.person} {ids} AND {o.occurred_on} >= %s",
    columns=(None, "e.started_on", None))
_SETTINGS = JoinedRows(CaseworkSettings, (), where="{m}.office_id = %s")  # one row an office
_PLANNED = PlainRows(PlannedVisit, ("id", "household", "planned_on"), key="household",
                     where="{office} = %s AND {record} IS NULL AND {cancelled_on} IS NULL")


def casework_settings(office: Office) -> CaseworkSettings:
    """The office's settings: its row, or the defaults (unsaved) until it chooses. Reading
    never writes."""
    found = _SETTINGS.fetch([office.pk], known={"office": office})
    return found[0] if found else CaseworkSettings(office=office)


def interval_months(grade: VisitGrade | None) -> int | None:
    """Months between home visits for ``grade``: the office's choice, else visits a year.
    Callers select ``visit_grade__interval`` with the household (no query here)."""
    if grade is None:
        return None
    try:
        return grade.interval.interval_months
    except GradeInterval.DoesNotExist:
        pass
    if not grade.visits_per_year:
        return None
    return max(1, round(12 / grade.visits_per_year))


def grade_intervals(office: Office) -> dict[int, int]:
    return dict(GradeInterval.objects.filter(office=office)
                .values_list("grade_id", "interval_months"))


def household_people(office: Office, household_ids: Sequence[int]) -> dict[int, int]:
    """The office's people of these households: person id → household id (one statement)."""
    return dict(_PEOPLE.fetch(household_ids, [office.pk]))


def last_home_visits(office: Office, people: Mapping[int, int]) -> dict[int, dt.datetime]:
    """The moment of each household's latest home visit, from the records of its ``people``
    (person id → household id, :func:`household_people`): one statement."""
    out: dict[int, dt.datetime] = {}
    if not people:
        return out
    for pid, last in _LAST_VISITS.fetch([office.pk, ActivityRecord.Kind.HOME_VISIT,
                                         list(people)]):
        hid = people[pid]
        if hid not in out or last > out[hid]:
            out[hid] = last
    return out


def _events(office: Office, people: Mapping[int, int], since: dt.date
            ) -> dict[int, list[tuple[dt.date, str]]]:
    """Program starts, discharges and outcomes of the households' ``people`` since ``since``,
    by household (one statement: a UNION of the three)."""
    out: dict[int, list[tuple[dt.date, str]]] = {}
    ids = list(people)
    for pid, day, why in _EVENTS.fetch([office.pk, ids, since, ids, since, office.pk, ids, since]):
        if day is not None:
            out.setdefault(people[pid], []).append((day, why))
    return out


def visits_due(office: Office, households: Sequence[Household], *, today: dt.date,
               people: Mapping[int, int] | None = None,
               last_visits: dict[int, dt.datetime] | None = None) -> dict[int, VisitDue]:
    """Each household's next visit (households with ``visit_grade`` selected). ``people``
    from :func:`household_people` and ``last_visits`` from :func:`last_home_visits` when the
    caller has read them already (the caseload: its members are the households' people)."""
    ids = [h.pk for h in households]
    if not ids:
        return {}
    if people is None:
        people = household_people(office, ids)
    if last_visits is None:
        last_visits = last_home_visits(office, people)
    lasts = {h: clock.japan_date(v) for h, v in last_visits.items()}
    oldest = min([*lasts.values(), today - dt.timedelta(days=400)])
    events = _events(office, people, oldest) if people else {}
    event_days = casework_settings(office).event_visit_days if events else 0
    planned: dict[int, tuple[dt.date, int]] = {}
    # The earliest open plan of each household (by day, then the order it was made in).
    for pk, hid, day in sorted(_PLANNED.fetch(ids, [office.pk]), key=lambda r: (r[2], r[0])):
        planned.setdefault(hid, (day, pk))
    out: dict[int, VisitDue] = {}
    for hh, hid in zip(households, ids, strict=True):
        last = lasts.get(hid)
        candidates: list[tuple[dt.date, str]] = []
        if last is None:
            candidates.append((hh.assistance_started_on or today, "never"))
        elif (months := interval_months(hh.visit_grade)) is not None:
            candidates.append((add_months(last, months), "grade"))
        for day, why in events.get(hid, ()):
            if last is None or day > last:
                candidates.append((day + dt.timedelta(days=event_days), why))
        due_on, reason = min(candidates) if candidates else (None, "")
        plan = planned.get(hid)
        out[hid] = VisitDue(hid, due_on, reason, last, plan[0] if plan else None,
                            plan[1] if plan else None, today)
    return out


def caseload_households(office: Office, caseworker_id: int | None) -> list[Household]:
    """A caseworker's open households with their grades (one query); ``None``: the open
    households of every caseworker of the office (a supervisor's whole team)."""
    qs = Household.objects.filter(office=office, assistance_ended_on__isnull=True)
    qs = (qs.filter(caseworker_id=caseworker_id) if caseworker_id is not None
          else qs.filter(caseworker__isnull=False))
    return list(qs.select_related("visit_grade__interval").order_by("case_number", "id"))


def head_of(household_ids: Sequence[int]) -> dict[int, Person]:
    """Each household's head (or first member): whom the visit's record is about."""
    out: dict[int, Person] = {}
    for p in (Person.objects.filter(household_id__any=list(household_ids))
              .order_by("household_id", "member_number", "id")):
        hid = p.household_id
        if hid is None:
            continue
        current = out.get(hid)
        if current is None or (p.relationship == Person.Relationship.HEAD
                               and current.relationship != Person.Relationship.HEAD):
            out[hid] = p
    return out


def planned_between(office: Office, caseworker_id: int | None, start: dt.date, end: dt.date
                    ) -> list[PlannedVisit]:
    """A caseworker's planned (and recorded) visits between two days, for the calendar;
    ``None``: every caseworker's."""
    qs = PlannedVisit.objects.filter(office=office, planned_on__range=(start, end),
                                     cancelled_on__isnull=True)
    if caseworker_id is not None:
        qs = qs.filter(caseworker_id=caseworker_id)
    return list(qs.select_related("household").order_by("planned_on", "id"))


@dataclass
class GradeRow:
    """One caseworker's households against the grades (the supervisor's view)."""

    caseworker_id: int
    name: str
    households: int = 0
    by_grade: dict[str, int] | None = None
    overdue: int = 0
    never: int = 0
    planned_week: int = 0
    planned_later: int = 0


def team_caseworkers(office: Office) -> list[tuple[int, str]]:
    """The office's active caseworkers (user id, name), in the order the team view lists them."""
    roles = [r for r in Membership.Role.values if role_has_own_caseload(r)]
    return [(u, d or n) for u, d, n in Membership.objects.filter(
        office=office, role__in=roles, is_active=True).order_by(
        "user__display_name", "user__username").values_list(
        "user_id", "user__display_name", "user__username")]


def team_plan(office: Office, caseworkers: list[tuple[int, str]], *, today: dt.date
              ) -> list[GradeRow]:
    """Each caseworker's households by grade, overdue visits, households never visited and
    visits planned — the visit rule over the caseworkers' households (seven queries)."""
    ids = [c for c, _n in caseworkers]
    households = list(Household.objects.filter(office=office, caseworker_id__in=ids,
                                               assistance_ended_on__isnull=True)
                      .select_related("visit_grade__interval").order_by("id"))
    dues = visits_due(office, households, today=today)
    rows = {c: GradeRow(c, n, by_grade={}) for c, n in caseworkers}
    week_end = today + dt.timedelta(days=6)
    for hh in households:
        row = rows.get(hh.caseworker_id) if hh.caseworker_id is not None else None
        if row is None or row.by_grade is None:
            continue
        row.households += 1
        code = hh.visit_grade.code if hh.visit_grade else "―"
        row.by_grade[code] = row.by_grade.get(code, 0) + 1
        d = dues[hh.pk]
        row.overdue += d.overdue
        row.never += d.never_visited
        if d.planned_on is not None:
            if d.planned_on <= week_end:
                row.planned_week += 1
            else:
                row.planned_later += 1
    return list(rows.values())
