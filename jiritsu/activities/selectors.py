"""Reads for the seed programs' features. What is due is derived here, never stored.

Size (over 600 lines): every seed program feature's read (training, sessions, referrals,
receiving places, new cases, follow-ups after discharge, the yearly cycle, the task
overview) shares the office and period helpers here. The split would be one module per
feature family (``selectors/training.py``, ``selectors/discharge.py``, ``selectors/tasks.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from jiritsu.activities import catalog
from jiritsu.activities.models import (
    ReceivingRequest,
    SeriesExpense,
    SessionAttendance,
    SessionSeries,
    StaffTraining,
    StaffTrainingAttendance,
    TrainingDay,
    TrainingEmployer,
    TrainingPlacement,
)
from jiritsu.cases.models import ActivityRecord, Enrollment, Outcome, PlanCommitment
from jiritsu.core import clock, wareki
from jiritsu.core.rows import Join, JoinedRows, PlainRows, meta_order
from jiritsu.core.wareki import add_months, fiscal_year_bounds, format_wareki
from jiritsu.offices.models import Membership, Office, PartnerOrganisation
from jiritsu.offices.permissions import role_has_own_caseload
from jiritsu.people.models import HospitalStay, Household, MedicalEvidence, Person
from jiritsu.programs import screening
from jiritsu.programs.models import LedgerEntry, Nomination, OutcomeKind, Program, ScreeningLedger


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], _month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


# --- workplace training ---------------------------------------------------------

@dataclass
class TrainingMonth:
    month: dt.date
    days: int
    hours: Decimal
    days_left: int


def training_months(placement: TrainingPlacement) -> list[TrainingMonth]:
    """Days and hours per month of a placement (one query)."""
    rows: dict[dt.date, tuple[int, Decimal]] = {}
    for day, hours in TrainingDay.objects.filter(placement=placement).values_list("day", "hours"):
        m = _month_start(day)
        d, h = rows.get(m, (0, Decimal(0)))
        rows[m] = (d + 1, h + hours)
    last = min(placement.ended_on or placement.ends_on, placement.ends_on)
    return [TrainingMonth(m, rows.get(m, (0, Decimal(0)))[0], rows.get(m, (0, Decimal(0)))[1],
                          20 - rows.get(m, (0, Decimal(0)))[0])
            for m in _months(placement.starts_on, last)]


def placements_for(office: Office) -> Any:
    return (TrainingPlacement.objects.filter(office=office)
            .select_related("enrollment__person", "enrollment__program", "employer__partner")
            .annotate(day_count=Count("days"), hour_total=Sum("days__hours")))


# --- group sessions -------------------------------------------------------------

def series_overview(office: Office) -> Any:
    spent = SeriesExpense.objects.filter(series=OuterRef("pk")).values("series").annotate(
        s=Sum("amount_yen")).values("s")
    from django.db.models import Subquery

    return (SessionSeries.objects.filter(office=office).select_related("program")
            .annotate(session_count=Count("sessions", distinct=True),
                      joined=Count("recruits", filter=Q(recruits__status="joined"), distinct=True),
                      invited=Count("recruits", distinct=True),
                      spent=Subquery(spent)))


@dataclass
class SeriesDetail:
    series: SessionSeries
    sessions: list[Any]
    attendance: dict[int, list[int]]  # session id → present person ids
    recruits: list[Any]
    expenses: list[Any]
    spent: int
    remaining: int
    volunteers: list[Any]
    absent: dict[int, list[int]] = field(default_factory=dict)  # session id → absent ids


def series_detail(series: SessionSeries) -> SeriesDetail:
    sessions = list(series.sessions.prefetch_related("volunteers").annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True))))
    attendance: dict[int, list[int]] = {}
    absent: dict[int, list[int]] = {}
    for sid, pid, present in SessionAttendance.objects.filter(
            session__series=series).values_list("session_id", "person_id", "present"):
        (attendance if present else absent).setdefault(sid, []).append(pid)
    expenses = list(series.expenses.all())
    spent = sum(e.amount_yen for e in expenses)
    return SeriesDetail(series, sessions, attendance,
                        list(series.recruits.select_related("person__household")),
                        expenses, spent, series.budget_yen - spent,
                        list(series.volunteers.all()), absent)


# --- job-search commitments -------------------------------------------------------

@dataclass
class CommitmentMonth:
    month: dt.date
    required: int
    handed_in: int
    complete: bool

    @property
    def shortfall(self) -> int:
        return max(self.required - self.handed_in, 0)


@dataclass
class JobSearchStatus:
    required_per_month: int
    months: list[CommitmentMonth] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return sum(m.shortfall for m in self.months if m.complete)

    @property
    def short_months(self) -> list[CommitmentMonth]:
        return [m for m in self.months if m.complete and m.shortfall]


def job_search_status(enrollment: Enrollment, until: dt.date) -> JobSearchStatus | None:
    """求職活動状況報告書: handed in per month against what the current plan set.

    Months are counted from the plan's agreement (or the start) to ``until``; a month is
    complete when it ended before ``until``. None when the plan sets no such commitment.
    """
    plan = enrollment.plans.order_by("-number").first()
    if plan is None:
        return None
    per_month = 0
    for c in plan.commitments.filter(kind=PlanCommitment.Kind.JOB_SEARCH_REPORT):
        per_month += c.quantity * (4 if c.per == PlanCommitment.Per.WEEK else
                                   1 if c.per == PlanCommitment.Per.MONTH else 0)
    if per_month == 0:
        return None
    start = plan.agreed_on or enrollment.started_on or enrollment.candidate_on
    counts: dict[dt.date, int] = {}
    for when in ActivityRecord.objects.filter(
            person_id=enrollment.person_id, kind=ActivityRecord.Kind.JOB_SEARCH_REPORT,
            occurred_at__date__gte=_month_start(start),
            occurred_at__date__lte=until).values_list("occurred_at", flat=True):
        m = _month_start(clock.japan_date(when))
        counts[m] = counts.get(m, 0) + 1
    status = JobSearchStatus(per_month)
    for m in _months(start, until):
        status.months.append(CommitmentMonth(m, per_month, counts.get(m, 0),
                                             add_months(m, 1) <= until))
    return status


# --- measurements (福井) ---------------------------------------------------------

@dataclass
class Chart:
    width: int
    height: int
    lines: list[dict[str, Any]]
    x_labels: list[dict[str, Any]]
    y_labels: list[dict[str, Any]]
    empty: bool


def measurements(person: Person) -> list[ActivityRecord]:
    return list(ActivityRecord.objects.filter(person=person).filter(
        Q(systolic_bp__isnull=False) | Q(weight_kg__isnull=False)).order_by("occurred_at")
        .only("occurred_at", "time_known", "systolic_bp", "diastolic_bp", "weight_kg"))


def line_chart(points: list[tuple[dt.date, dict[str, Any]]],
               series: list[tuple[str, str, str]], *, unit: str,
               width: int = 640, height: int = 220) -> Chart:
    """Server-rendered SVG geometry: ``series`` is (key, label, css class)."""
    left, right, top, bottom = 48, 36, 12, 32
    values = [v for _, vals in points for k, _, _ in series
              if (v := vals.get(k)) is not None]
    if not points or not values:
        return Chart(width, height, [], [], [], True)
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.1, 2)
    lo, hi = lo - pad, hi + pad
    d0, d1 = points[0][0], points[-1][0]
    span = max((d1 - d0).days, 1)

    def x(d: dt.date) -> float:
        return left + (width - left - right) * ((d - d0).days / span if d1 != d0 else 0.5)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - lo) / (hi - lo))

    lines = []
    for key, label, css in series:
        pts = [(x(d), y(v)) for d, vals in points if (v := vals.get(key)) is not None]
        lines.append({"label": label, "css": css,
                      "points": " ".join(f"{a:.1f},{b:.1f}" for a, b in pts),
                      "dots": [{"x": round(a, 1), "y": round(b, 1)} for a, b in pts]})
    return Chart(width, height, lines, _date_labels([d for d, _ in points], x),
                 _value_labels(lo, hi, y, unit), False)


def _date_labels(days: list[dt.date], x: Any, *, char: float = 7.5) -> list[dict[str, Any]]:
    """Dates along the bottom, each once (one label per day, none touching the previous);
    the year (和暦) on the first label and where it changes."""
    out: list[dict[str, Any]] = []
    last_x, last_w, last_year = 0.0, 0.0, ""
    for d in sorted(set(days)):
        pos = x(d)
        era, n = wareki.era_of(d)
        year = f"{era.name}{'元' if n == 1 else n}年"
        text = f"{d.month}/{d.day}" if year == last_year else f"{year}{d.month}/{d.day}"
        width = sum(2 if ord(ch) > 0x7F else 1 for ch in text) * char
        if out and pos - last_x < (last_w + width) / 2 + 6:
            continue
        out.append({"x": round(pos, 1), "text": text})
        last_x, last_w, last_year = pos, width, year
    return out


def _value_labels(lo: float, hi: float, y: Any, unit: str) -> list[dict[str, Any]]:
    """Five values up the side, each once (a narrow range gets decimals, not repeats)."""
    texts = {f"{v:.{0 if hi - lo >= 8 else 1}f}{unit}": v
             for v in (lo + (hi - lo) * i / 4 for i in range(5))}
    return [{"y": round(y(v), 1), "text": text} for text, v in texts.items()]


def measurement_charts(person: Person) -> tuple[Chart, Chart, list[ActivityRecord]]:
    rows = measurements(person)
    bp = [(clock.japan_date(r.occurred_at), {"sys": r.systolic_bp, "dia": r.diastolic_bp}) for r in rows
          if r.systolic_bp is not None]
    wt = [(clock.japan_date(r.occurred_at), {"kg": float(r.weight_kg)}) for r in rows
          if r.weight_kg is not None]
    return (line_chart(bp, [("sys", "最高血圧", "line-sys"), ("dia", "最低血圧", "line-dia")],
                       unit=""),
            line_chart(wt, [("kg", "体重", "line-weight")], unit="kg"), rows)


# --- partner directory by area (和歌山) ---------------------------------------------

def partners_by_area(office: Office, kind: str = PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE
                     ) -> list[tuple[str, list[PartnerOrganisation]]]:
    """Area → organisations serving it (an organisation with several areas appears under each)."""
    by_area: dict[str, list[PartnerOrganisation]] = {}
    for p in PartnerOrganisation.objects.filter(office=office, kind=kind, is_active=True):
        for area in p.areas or ["（担当圏域未設定）"]:
            by_area.setdefault(area, []).append(p)
    return sorted(by_area.items())


def _serving(person: Person, kind: str) -> list[PartnerOrganisation]:
    """The office's active organisations of ``kind`` whose areas include the person's
    household district (or appear in the address)."""
    hh = person.household
    if hh is None:
        return []
    keys = [k for k in (hh.district, hh.address) if k]
    out = []
    for p in PartnerOrganisation.objects.filter(office_id=person.office_id, kind=kind,
                                                is_active=True):
        if any(area and any(area == k or area in k for k in keys) for area in p.areas or []):
            out.append(p)
    return out


def suggest_centres(person: Person) -> list[PartnerOrganisation]:
    """Where to consult about the person (和歌山): the 地域生活支援センター serving the
    household's area, or — when no centre serves it, as in 有田・日高 in the seed — the
    保健所 of that area. Each row's ``kind`` tells which of the two it is."""
    K = PartnerOrganisation.Kind
    return (_serving(person, K.LIFE_SUPPORT_CENTRE)
            or _serving(person, K.HEALTH_CENTRE))


# --- receiving places (尼崎): the one rule for a facility's places taken ----------------

def _holds_place() -> Q:
    """受入れ枠: a place at a facility is taken by an accepted request whose episode is
    still open. Jiritsu records no move-out, so the episode's end is the only recorded end
    of the placement; counting every acceptance ever would fill a facility for good."""
    return Q(status=ReceivingRequest.Status.ACCEPTED,
             enrollment__status__in=Enrollment.OPEN_STATUSES)


def facility_occupied(facility: PartnerOrganisation) -> int:
    """Places the office holds at ``facility`` (what accepting one more is checked against)."""
    return ReceivingRequest.objects.filter(_holds_place(), facility=facility).count()


def receiving_requests_with_occupancy(qs: QuerySet[ReceivingRequest]) -> QuerySet[ReceivingRequest]:
    """``qs`` with ``occupied``: the places taken at each request's facility, by the same
    rule as :func:`facility_occupied` (the person's support page and the API show it)."""
    taken = (ReceivingRequest.objects.filter(_holds_place(), facility=OuterRef("facility"))
             .order_by().values("facility").annotate(n=Count("pk")).values("n"))
    return qs.annotate(occupied=Coalesce(Subquery(taken, output_field=IntegerField()), 0))


# --- triggers ---------------------------------------------------------------------

_FEATURE_PROGRAMS: dict[str, tuple[JoinedRows[Program], list[str]]] = {}


def programs_with_feature(office: Office, feature: str) -> list[Program]:
    """The office's active programs made from a template with ``feature``, in the programs'
    order: on the caseworker home's path, so one statement written once per process for each
    feature (as ``Program.objects.filter(office=…, is_active=True, template_code__in=…)``)."""
    found = _FEATURE_PROGRAMS.get(feature)
    if found is None:
        codes = [t.code for t in (*catalog.TEMPLATES, *catalog.COMPANIONS)
                 if feature in t.features]
        found = _FEATURE_PROGRAMS[feature] = (JoinedRows(
            Program, [], where="{m}.office_id = %s AND {m}.is_active AND {m}.template_code IN ("
            + ", ".join(["%s"] * len(codes)) + ")",
            order_by=meta_order(Program, constant=("office",))), codes)
    rows, codes = found
    if not codes:
        return []
    return rows.fetch([office.pk, *codes], {"office": office})


# 新規開始ケース: assistance started this recently (善通寺: new cases are considered at once).
NEW_CASE_DAYS = 90


def new_case_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The days on which a case's assistance must have started to be new on ``today``."""
    return today - dt.timedelta(days=NEW_CASE_DAYS), today


def new_case_households(today: dt.date, *, prefix: str = "household__") -> Q:
    """The household part of 新規・未検討 (:func:`new_cases_not_considered`) as a filter:
    assistance started within :func:`new_case_window` and not ended. ``prefix`` reaches the
    household from the model filtered (``""``: households themselves)."""
    since, until = new_case_window(today)
    return Q(**{f"{prefix}assistance_started_on__gte": since,
                f"{prefix}assistance_started_on__lte": until,
                f"{prefix}assistance_ended_on__isnull": True})


def is_new_case_household(household: Household | None, today: dt.date) -> bool:
    """:func:`new_case_households` for one household in hand (the same window): a person
    whose household fails it is 新規・未検討 for no program, so :func:`new_case_ids` need
    not be asked about them."""
    if household is None or household.assistance_ended_on is not None:
        return False
    since, until = new_case_window(today)
    started = household.assistance_started_on
    return started is not None and since <= started <= until


def new_case_programs(office: Office) -> list[Program]:
    """The office's active programs that ask for new cases to be considered at once."""
    return programs_with_feature(office, "new_case_trigger")


def _considered_for(program: Program) -> Q:
    """Someone has considered the person for ``program``: an episode, a nomination, a
    ledger entry, or the "considered" mark left by :func:`services.new_case_considered`."""
    return (Exists(Enrollment.objects.filter(person=OuterRef("pk"), program=program))
            | Exists(Nomination.objects.filter(person=OuterRef("pk"), program=program))
            | Exists(LedgerEntry.objects.filter(person=OuterRef("pk"), ledger__program=program))
            | Exists(ActivityRecord.objects.filter(
                person=OuterRef("pk"), data__program=program.pk,
                data__trigger__in=["new_case_considered", "after_discharge_considered"])))


def new_cases_not_considered(office: Office, program: Program, *, today: dt.date,
                             caseworker: Any = None) -> QuerySet[Person]:
    """新規・未検討, the one rule: people in a case whose assistance started in the last
    :data:`NEW_CASE_DAYS` days (and has not ended) whom ``program``'s own selection rule
    takes today — its ages included, so a program that says age does not matter lists
    every age — and whom nobody has considered for ``program`` yet. The 支援活動 task
    list, the home pages and the API all read this. Derived on every read."""
    qs = (screening.matching(program, today)
          .filter(new_case_households(today), office=office)
          .exclude(_considered_for(program))
          .select_related("household", "household__caseworker")
          .order_by("household__assistance_started_on", "id"))
    if caseworker is not None:
        qs = qs.filter(household__caseworker=caseworker)
    return qs


def new_cases_any_program(office: Office, *, today: dt.date) -> Q:
    """A person who is 新規・未検討 for at least one of :func:`new_case_programs` (the home
    pages' flag); matches nobody when the office runs no such program."""
    q = Q(pk__in=[])
    for program in new_case_programs(office):
        q |= Q(pk__in=new_cases_not_considered(office, program, today=today)
               .order_by().values("pk"))
    return q


def new_case_ids(office: Office, people: list[int], *, today: dt.date) -> set[int]:
    """Which of ``people`` (ids, e.g. a caseload's) are 新規・未検討 for at least one of
    :func:`new_case_programs` — the rule of :func:`new_cases_not_considered`, asked of these
    people only: one query (a UNION over the programs), none when the office runs no such
    program. Cheaper to build than filtering people by :func:`new_cases_any_program`. A
    caller holding the people's households asks only about those that pass
    :func:`is_new_case_household` (a caseload has few or none: then no query at all)."""
    if not people:
        return set()
    parts = [new_cases_not_considered(office, program, today=today).filter(pk__any=people)
             .order_by().values_list("pk", flat=True)
             for program in new_case_programs(office)]
    if not parts:
        return set()
    return set(parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0])


# 居宅生活: a discharge to one's own home (竹原: 「居宅生活に移行する支援対象者」).
HOME_DESTINATIONS = (Outcome.Destination.HOME, Outcome.Destination.APARTMENT)


@dataclass
class CompanionPrompt:
    """Someone discharged home from a program that runs beside companion programs, and the
    companions nobody has considered them for yet."""

    outcome: Outcome
    companions: list[Program]

    @property
    def person(self) -> Person:
        return self.outcome.enrollment.person


def companion_programs(office: Office) -> dict[int, list[Program]]:
    """The office's active companion programs (竹原's 在宅生活支援・就労支援) by the id of
    the program they accompany (made from the template they name in ``companion_of``)."""
    programs = list(Program.objects.filter(office=office, is_active=True))
    by_template = {p.template_code: p for p in programs if p.template_code}
    out: dict[int, list[Program]] = {}
    for p in programs:
        template = catalog.get_template(p.template_code) if p.template_code else None
        if template is not None and template.companion_of in by_template:
            out.setdefault(by_template[template.companion_of].pk, []).append(p)
    return out


def companions_to_consider(office: Office, *, today: dt.date, caseworker: Any = None
                           ) -> list[CompanionPrompt]:
    """退院後の移行の検討, the one rule (竹原: 「居宅生活に移行する支援対象者に対しては，
    『精神障害者在宅支援プログラム』『精神障害者就労支援プログラム』への移行を検討する」):
    a 退院 outcome to a home of one's own (自宅・アパート) in a program with companion
    programs, listing each companion the person has not been considered for — no episode,
    nomination or ledger entry in it and no "considered" record. Discharges to a group home,
    a facility or another hospital are not prompted. Derived on every read."""
    companions = companion_programs(office)
    if not companions:
        return []
    outcomes = list(Outcome.objects.filter(
        enrollment__office=office, kind=OutcomeKind.DISCHARGE, occurred_on__lte=today,
        destination__in=HOME_DESTINATIONS, enrollment__program_id__in=list(companions))
        .select_related("enrollment__person__household", "enrollment__program")
        .order_by("-occurred_on", "-id"))
    if caseworker is not None:
        outcomes = [o for o in outcomes
                    if o.enrollment.person.household is not None
                    and o.enrollment.person.household.caseworker_id == caseworker.pk]
    people = {o.enrollment.person_id for o in outcomes}
    considered = {c.pk: set(Person.objects.filter(pk__in=people).filter(_considered_for(c))
                            .values_list("pk", flat=True))
                  for cs in companions.values() for c in cs}
    out, seen = [], set()
    for o in outcomes:
        key = (o.enrollment.person_id, o.enrollment.program_id)
        if key in seen:
            continue
        seen.add(key)
        left = [c for c in companions[o.enrollment.program_id]
                if o.enrollment.person_id not in considered[c.pk]]
        if left:
            out.append(CompanionPrompt(o, left))
    return out


@dataclass
class FollowUp:
    """退院後の確認, the one rule (五條: 退院後1か月を目処に生活状況を確認し、不穏状態等の症状が
    見られるときは、退院前の主治医と今後の治療について協議): a discharge outcome recorded on an
    episode of a program that sets ``post_discharge_review_months``; due that many months
    after the discharge. Only a home visit or an office interview that says how the person
    lives (``ActivityRecord.life_check``) written from :data:`FOLLOW_UP_EARLY_DAYS` days
    before the due date is the check — any other record leaves it open. 「安定」 closes it;
    「不安定」 opens the next step, consulting the doctor of the hospital the person left,
    which a record marked 「退院前の主治医と協議」 written on or after that visit closes (or a
    later visit that finds the person settled). Overdue: not checked by the due date, or
    the consultation still to be held."""

    enrollment: Enrollment
    discharged_on: dt.date
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool
    months: int = 1
    checked_on: dt.date | None = None
    settled: bool | None = None
    consulted_on: dt.date | None = None
    hospital_name: str = ""

    @property
    def person(self) -> Person:
        return self.enrollment.person

    @property
    def kind(self) -> str:
        return f"退院後{self.months}か月の確認"

    @property
    def detail(self) -> str:
        return f"{self.enrollment.program.name}：{format_wareki(self.discharged_on)}に退院"

    @property
    def needs_consultation(self) -> bool:
        """The check found the person unsettled and the doctor has not been consulted yet."""
        return self.settled is False and self.consulted_on is None

    @property
    def state(self) -> str:
        if self.settled:
            return "settled"
        if self.consulted_on is not None:
            return "consulted"
        if self.settled is False:
            return "consult"
        return "overdue" if self.overdue else "open"

    @property
    def state_label(self) -> str:
        return {"settled": "確認済（生活は安定）", "consulted": "主治医と協議済",
                "consult": "生活が不安定：退院前の主治医と協議が必要",
                "overdue": "確認の期限超過", "open": "未確認"}[self.state]

    @property
    def step_label(self) -> str:
        """What the caseworker does next (the home page and the task list say it)."""
        if self.needs_consultation:
            doctor = f"（{self.hospital_name}）" if self.hospital_name else ""
            return f"退院前の主治医{doctor}と今後の治療を協議"
        return "退院後の生活状況の確認（家庭訪問・来所面接）"


# A record this many days before the due date already counts as the check.
FOLLOW_UP_EARLY_DAYS = 14


def _follow_up_state(checks: list[tuple[dt.date, str]], window_start: dt.date
                     ) -> tuple[dt.date | None, bool | None, dt.date | None]:
    """(checked_on, settled, consulted_on) from a person's life-check records in date order:
    the first settled visit ends it; an unsettled one waits for the consultation."""
    checked_on: dt.date | None = None
    settled: bool | None = None
    for day, what in checks:
        if day < window_start:
            continue
        if what == ActivityRecord.LifeCheck.SETTLED:
            return day, True, None
        if what == ActivityRecord.LifeCheck.UNSETTLED and checked_on is None:
            checked_on, settled = day, False
        elif what == ActivityRecord.LifeCheck.DOCTOR_CONSULTED and checked_on is not None:
            return checked_on, False, day
    return checked_on, settled, None


# 退院後の確認's reads, statements written once per process (the caseworker home asks them
# on every request): the discharge outcomes of programs that follow discharges up, with the
# episode, person, household, caseworker and program — the office's, one caseworker's
# households' or a list of people's —, the records that say how people live, and the
# hospital stays that ended.
# (The program's office named too: PostgreSQL starts from the programs that set follow-ups,
# and without it read the country's programs.)
_FOLLOWED_UP = ("{j0}.office_id = %s AND {j4}.office_id = %s AND {m}.kind = %s"
                " AND {j4}.post_discharge_review_months > 0")
_OF_CASEWORKER = " AND {j2}.caseworker_id = %s"
_OF_PEOPLE = " AND {j0}.person_id {ids}"
_DISCHARGES = {
    extra: JoinedRows(Outcome, [Join("enrollment"), Join("enrollment__person"),
                                Join("enrollment__person__household", outer=True),
                                Join("enrollment__person__household__caseworker", outer=True),
                                Join("enrollment__program")],
                      where=_FOLLOWED_UP + extra, order_by="{m}.occurred_on, {m}.id")
    for extra in ("", _OF_CASEWORKER, _OF_PEOPLE)}
_LIFE_CHECKS = PlainRows(ActivityRecord, ("person", "occurred_at", "kind", "life_check", "id"),
                         key="person", where="{life_check} > '' AND {occurred_at} >= %s")
_ENDED_STAYS = PlainRows(HospitalStay, ("person", "discharged_on", "hospital_name", "psychiatric",
                                        "id"), key="person", where="{discharged_on} IS NOT NULL")


def discharge_follow_ups(office: Office, *, today: dt.date, caseworker: Any = None,
                         people: QuerySet[Person] | list[int] | None = None
                         ) -> list[FollowUp]:
    """Every 退院後の確認 of the office (one ``caseworker``'s households, or ``people``: ids,
    or a queryset), open ones first then by due date, in three statements: the discharge
    outcomes, the records that say how the people live since the earliest check window
    opened, and the hospital stays the discharges ended (whose doctor is consulted) — the
    last two only when there are outcomes; a queryset of people adds one to keep the
    outcomes of its people."""
    params: list[Any] = [office.pk, office.pk, OutcomeKind.DISCHARGE.value]
    cw_id = getattr(caseworker, "pk", caseworker)
    if isinstance(people, list):
        outcomes = _DISCHARGES[_OF_PEOPLE].fetch([*params, people]) if people else []
        if cw_id is not None:
            outcomes = [o for o in outcomes if o.enrollment.person.household is not None
                        and o.enrollment.person.household.caseworker_id == cw_id]
    elif cw_id is not None:
        outcomes = _DISCHARGES[_OF_CASEWORKER].fetch([*params, cw_id])
    else:
        outcomes = _DISCHARGES[""].fetch(params)
    if isinstance(people, QuerySet) and outcomes:
        kept = set(people.filter(pk__in={o.enrollment.person_id for o in outcomes})
                   .values_list("pk", flat=True))
        outcomes = [o for o in outcomes if o.enrollment.person_id in kept]
    rows = []
    for o in outcomes:
        months = o.enrollment.program.post_discharge_review_months or 1
        due = add_months(o.occurred_on, months)
        rows.append((o, months, due, due - dt.timedelta(days=FOLLOW_UP_EARLY_DAYS)))
    checks: dict[int, list[tuple[dt.date, str]]] = {}
    hospitals: dict[tuple[int, dt.date], str] = {}
    if rows:
        person_ids = sorted({r[0].enrollment.person_id for r in rows})
        opens = dt.datetime.combine(min(r[3] for r in rows), dt.time.min, tzinfo=clock.JAPAN)
        connection = connections[router.db_for_read(ActivityRecord) or "default"]
        found = _LIFE_CHECKS.fetch(person_ids, [connection.ops.adapt_datetimefield_value(opens)])
        for pid, when, kind, what, _id in sorted(found, key=lambda r: (r[1], r[4])):
            if what != ActivityRecord.LifeCheck.DOCTOR_CONSULTED and \
                    kind not in ActivityRecord.LIFE_CHECK_KINDS:
                continue
            checks.setdefault(pid, []).append((clock.japan_date(when), what))
        days = {r[0].occurred_on for r in rows}
        for pid, day, name, _psychiatric, _id in sorted(_ENDED_STAYS.fetch(person_ids),
                                                       key=lambda r: (not r[3], r[4])):
            if day in days:
                hospitals.setdefault((pid, day), name)
    out = []
    for o, months, due, window_start in rows:
        pid = o.enrollment.person_id
        checked_on, settled, consulted_on = _follow_up_state(checks.get(pid, []), window_start)
        done = checked_on if settled else consulted_on
        overdue = done is None and (checked_on is not None or due < today)
        out.append(FollowUp(o.enrollment, o.occurred_on, due, done, overdue, months,
                            checked_on, settled, consulted_on,
                            hospitals.get((pid, o.occurred_on), "")))
    out.sort(key=lambda f: (f.done_on is not None, f.due_on, f.enrollment.person_id))
    return out


# --- the yearly cycle (竹原) ---------------------------------------------------------

@dataclass
class CycleTask:
    code: str
    title: str
    opens_on: dt.date
    due_on: dt.date | None  # None: the office has not said which day ends the period
    done: int
    total: int
    state: str  # upcoming / open / due_soon / overdue / done / late / no_due
    done_on: dt.date | None = None  # the ledger: the day it was drawn up

    @property
    def state_label(self) -> str:
        return {"upcoming": "開始前", "open": "実施期間中", "due_soon": "期限間近",
                "overdue": "期限超過", "done": "完了", "late": "期限後に作成",
                "no_due": "期限未設定（事務所の設定で決めてください）"}[self.state]


def _state(today: dt.date, opens: dt.date, due: dt.date | None, done: int, total: int) -> str:
    if total and done >= total:
        return "done"
    if today < opens:
        return "upcoming"
    if due is None:
        return "no_due"
    if today > due:
        return "overdue"
    if (due - today).days <= 14:
        return "due_soon"
    return "open"


# Medical evidence that is one of 竹原's yearly steps (kind → cycle task).
EVIDENCE_CYCLE_TASKS = {MedicalEvidence.Kind.CONDITION_SURVEY: "condition_survey",
                        MedicalEvidence.Kind.CONSULTATION: "doctor_consultation"}


def yearly_cycle(program: Program, fiscal_year: int, *, today: dt.date) -> dict[str, Any]:
    """竹原's yearly cycle for ``fiscal_year``: 「4月1日現在で精神科病院に入院している被保護者
    について，5月31日までに支援対象者台帳を作成する」 — the ledger as of 1 April, due by 31
    May (drawn up later: 期限後に作成, flagged); condition surveys and doctor consultations
    for everyone on it from 1 June to the day the office names for 「11月31日」
    (``Office.survey_period_ends``; no due date while it has not said); 個人票 for those
    judged eligible by the same day."""
    start, _ = fiscal_year_bounds(fiscal_year)
    ledger_as_of = start
    ledger_due = dt.date(fiscal_year, 5, 31)
    window = (dt.date(fiscal_year, 6, 1), program.office.survey_period_end(fiscal_year))
    ledger = (ScreeningLedger.objects.filter(program=program, as_of=ledger_as_of)
              .order_by("created_at").first())
    entries = list(ledger.entries.select_related("person")) if ledger else []
    people = [e.person for e in entries]
    done: dict[str, set[int]] = {k: set() for k in ("condition_survey", "doctor_consultation",
                                                    "individual_sheet")}
    records_until = (window[1] or dt.date(fiscal_year + 1, 3, 31)) + dt.timedelta(days=120)
    for pid, data in ActivityRecord.objects.filter(
            person__in=people, occurred_at__date__gte=start,
            occurred_at__date__lte=records_until,
            data__program=program.pk).values_list("person_id", "data"):
        task = (data or {}).get("cycle_task")
        if task in done:
            done[task].add(pid)
    # A 病状調査 or 嘱託医協議 recorded as medical evidence (with its result) is the step done.
    for pid, kind in MedicalEvidence.objects.filter(
            person__in=people, kind__in=list(EVIDENCE_CYCLE_TASKS), issued_on__gte=start,
            issued_on__lte=records_until).values_list("person_id", "kind"):
        done[EVIDENCE_CYCLE_TASKS[kind]].add(pid)
    nominated = [e.person_id for e in entries if e.nominated]
    ledger_done = 1 if ledger is not None else 0
    drawn_on = clock.japan_date(ledger.created_at) if ledger is not None else None
    ledger_state = _state(today, ledger_as_of, ledger_due, ledger_done, 1)
    if drawn_on is not None and drawn_on > ledger_due:
        ledger_state = "late"
    tasks = [
        CycleTask("ledger", f"支援対象者台帳（{format_wareki(ledger_as_of)}現在の入院者）の作成",
                  ledger_as_of, ledger_due, ledger_done, 1, ledger_state, drawn_on),
        CycleTask("condition_survey", "病状調査", *window, len(done["condition_survey"]),
                  len(people), _state(today, *window, len(done["condition_survey"]),
                                      len(people) or 1)),
        CycleTask("doctor_consultation", "嘱託医協議（支援対象者としての可否の判断）", *window,
                  len(done["doctor_consultation"]), len(people),
                  _state(today, *window, len(done["doctor_consultation"]), len(people) or 1)),
        CycleTask("individual_sheet", "個人票の作成（支援対象者と判断された者）", *window,
                  len(done["individual_sheet"] & set(nominated)), len(nominated),
                  _state(today, *window, len(done["individual_sheet"] & set(nominated)),
                         len(nominated) or 1)),
    ]
    pending = [{"person": p, "missing": [CYCLE_LABELS[k] for k in ("condition_survey",
                                                                   "doctor_consultation")
                                         if p.pk not in done[k]]}
               for p in people]
    return {"fiscal_year": fiscal_year, "ledger": ledger, "tasks": tasks,
            "pending": [row for row in pending if row["missing"]],
            "survey_period_set": window[1] is not None,
            "reminders": [t for t in tasks if t.state in ("due_soon", "overdue", "late",
                                                          "no_due")],
            # What the page's notice says (a missing due date is said once, below it).
            "notices": [t for t in tasks if t.state in ("due_soon", "overdue", "late")]}


CYCLE_LABELS = {"condition_survey": "病状調査", "doctor_consultation": "嘱託医協議",
                "individual_sheet": "個人票"}


# --- choices the screens offer (and the API looks ids up in) ------------------------

def open_enrollments(person: Person) -> Any:
    """The person's episodes that are not over (the first is the one the support page
    records a health track or a family request against)."""
    return (Enrollment.objects.filter(person=person, status__in=Enrollment.OPEN_STATUSES)
            .select_related("program"))


def training_enrollments(office: Office) -> Any:
    """Episodes that may start workplace training: selected or active, in a program made
    from a template with the workplace-training feature."""
    codes = [t.code for t in catalog.TEMPLATES if "workplace_training" in t.features]
    return (Enrollment.objects.filter(office=office, program__template_code__in=codes,
                                      status__in=["selected", "active"])
            .select_related("person", "program"))


def approved_training_employers(office: Office) -> Any:
    return TrainingEmployer.objects.filter(office=office, is_approved=True,
                                           withdrawn_on__isnull=True).select_related("partner")


def series_programs(office: Office) -> Any:
    """Programs a session series may belong to: active ones with the group-sessions feature
    or a budget."""
    codes = [t.code for t in catalog.TEMPLATES if "group_sessions" in t.features]
    return Program.objects.filter(office=office, is_active=True).filter(
        Q(template_code__in=codes) | Q(budget_yen__isnull=False))


def series_people(series: SessionSeries) -> Any:
    """Who can be marked present: joined recruits and people enrolled in the program."""
    return Person.objects.filter(
        Q(recruitments__series=series, recruitments__status="joined")
        | Q(enrollments__program=series.program, enrollments__status__in=["selected", "active"])
    ).distinct()


def _in_area(series: SessionSeries, qs: QuerySet[Person]) -> QuerySet[Person]:
    """``qs`` narrowed to the series' 募集地域 (its households' districts), if it has one.
    People outside a household (被保護者以外) have no district: they join by registering."""
    return qs.filter(household__district__in=series.districts) if series.districts else qs


def series_eligible(series: SessionSeries, today: dt.date) -> Any:
    """People the program's rules select today, living in the series' 募集地域 (when it
    has one), who have not been invited yet."""
    return (_in_area(series, screening.matching(series.program, today))
            .exclude(recruitments__series=series).distinct())


@dataclass
class SeriesReach:
    """大津's two figures: how many the program's rule takes in the whole office (the seed's
    「市内には、生活保護を受けている中学3年生が53名」) and how many of them live in the
    series' 募集地域 (「その中から南部地域に生活している家庭を対象として募集」)."""

    eligible: int
    in_area: int | None  # None: the series recruits everywhere the rule reaches
    districts: list[str]


def series_reach(series: SessionSeries, today: dt.date) -> SeriesReach:
    matching = screening.matching(series.program, today)
    if not series.districts:
        return SeriesReach(matching.count(), None, [])
    totals = matching.aggregate(all=Count("pk"), area=Count(
        "pk", filter=Q(household__district__in=series.districts)))
    return SeriesReach(totals["all"], totals["area"], list(series.districts))


# --- the derived task list --------------------------------------------------------

# How many people the task list shows per list: new cases per program, and follow-ups
# after discharge (the open ones first, then by due date). The screen and the API alike.
TASK_LIST_LIMIT = 50


@dataclass
class TaskOverview:
    mine: bool
    fiscal_year: int
    new_cases: list[tuple[Program, list[Person]]]
    follow_ups: list[FollowUp]
    cycles: list[tuple[Program, dict[str, Any]]]
    follow_ups_total: int = 0
    companions: list[CompanionPrompt] = field(default_factory=list)


def task_overview(office: Office, *, role: str, user: Any, today: dt.date,
                  fiscal_year: int, everyone: bool = False) -> TaskOverview:
    """What the 支援活動 page lists: a caseworker's own cases unless ``everyone``; new cases
    not yet considered and follow-ups after discharge (at most ``TASK_LIST_LIMIT`` each:
    per program; the open follow-ups first), the yearly cycle."""
    mine = not everyone and role_has_own_caseload(role)
    cw = user if mine else None
    new_cases = [(p, list(new_cases_not_considered(office, p, today=today, caseworker=cw)
                          [:TASK_LIST_LIMIT]))
                 for p in programs_with_feature(office, "new_case_trigger")]
    cycles = [(p, yearly_cycle(p, fiscal_year, today=today))
              for p in programs_with_feature(office, "yearly_cycle")]
    follow_ups = discharge_follow_ups(office, today=today, caseworker=cw)
    companions = companions_to_consider(office, today=today, caseworker=cw)
    return TaskOverview(mine, fiscal_year, new_cases, follow_ups[:TASK_LIST_LIMIT], cycles,
                        follow_ups_total=len(follow_ups), companions=companions[:TASK_LIST_LIMIT])


# --- staff training (甲州・善通寺) --------------------------------------------------------

def staff_trainings(office: Office) -> QuerySet[StaffTraining]:
    """The office's trainings and learning meetings, newest first, with how many attended."""
    return (StaffTraining.objects.filter(office=office).select_related("program")
            .annotate(attendee_count=Count("attendance")).order_by("-held_on", "-id"))


def training_staff(office: Office) -> QuerySet[Membership]:
    """Who may be recorded as attending: the office's active staff memberships."""
    return (Membership.objects.filter(office=office, is_active=True)
            .select_related("user").order_by("role", "user__display_name", "id"))


def trained_staff(office: Office, kind: str = "training") -> list[tuple[Membership, int]]:
    """Each staff member who attended trainings of ``kind`` (養成研修 by default), with how
    many — the office's trained staff (甲州's 12 自立支援員)."""
    counts = dict(StaffTrainingAttendance.objects.filter(
        training__office=office, training__kind=kind, membership__is_active=True)
        .order_by().values_list("membership").annotate(n=Count("pk")))
    members = training_staff(office).filter(pk__in=list(counts))
    return [(m, counts[m.pk]) for m in members]
