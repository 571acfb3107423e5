"""What the programs changed, in yen and hospital days (効果), from the amounts the main
生活保護 system sends (``people.AssistanceMonth``, ``people.MedicalClaimMonth``).

One module for the screen, the exports, the frozen report and the API; the rules are written
out in docs/reports.md (「効果」). Every figure is a fixed number of statements whatever the
office's size: the cohort is chosen and ranked in SQL (window functions), the amounts are
joined month by month through the ``(household, month)`` and ``(person, month, …)`` keys and
summed per person in the database; Python only adds up the per-household rows and clips
windows to the months the data covers.

Months are first days (``2025-04-01``). ``M(d)`` is the month of a day; ``M(d) + k`` is
``k`` months later.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import DateField, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncMonth

from jiritsu.cases.models import Enrollment, Outcome
from jiritsu.core import wareki
from jiritsu.offices.models import Office
from jiritsu.people.amounts import assistance_by_household, first_of_month, medical_by_person
from jiritsu.people.models import (
    PAID_FIELDS,
    AssistanceMonth,
    Household,
    MedicalClaimKind,
    MedicalClaimMonth,
    Person,
)
from jiritsu.programs.models import OutcomeKind, OutcomeType, Program
from jiritsu.reports import cohorts as c
from jiritsu.reports.periods import Period

#: Outcomes that count as 就労・増収 (the same two kinds as the 就労・増収率 KPI).
WORK_KINDS = c.WORK_OUTCOME_KINDS
#: A program is a health or discharge program when it counts one of these outcomes.
HEALTH_KINDS = (OutcomeKind.DISCHARGE, OutcomeKind.HEALTH_IMPROVED)
#: 効果額 is summed over this many months after the achievement month.
EFFECT_MONTHS = 12
#: Medical windows before the start and after the discharge or end.
MEDICAL_WINDOWS = (6, 12)
#: The chart's months relative to the start month.
CHART_MONTHS = tuple(range(-6, EFFECT_MONTHS + 1))
SERIES_LABELS = {"earned": "就労収入認定額", "paid": "保護費（支給額計）", "medical": "医療費"}

EFFECT_FIGURES = {
    "effect_work": "就労・増収者数",
    "effect_income": "就労収入の増加（算定世帯）",
    "effect_amount": "効果額（算定世帯）",
    "effect_closed": "就労による保護廃止",
    "effect_medical": "医療費・入院日数（比較対象者）",
}


# ---- months -----------------------------------------------------------------------------


def shift(day: dt.date, months: int) -> dt.date:
    """``M(day) + months``."""
    return wareki.add_months(first_of_month(day), months)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many months from ``first`` to ``last`` inclusive (0 when last < first)."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def _shift_sql(expr: str, months: int) -> str:
    """SQL for ``M(expr) + months`` as a date comparable with a stored month."""
    if connection.vendor == "postgresql":
        return f"(date_trunc('month', {expr}) + interval '1 month' * ({int(months)}))::date"
    return f"date({expr}, 'start of month', '{int(months):+d} months')"


def _paid_sql(alias: str) -> str:
    return "(" + " + ".join(f"{alias}.{f}" for f in PAID_FIELDS.values()) + ")"


@dataclass(frozen=True)
class Horizon:
    """The months the received amounts cover for an office (None: nothing received)."""

    assistance_first: dt.date | None
    assistance_last: dt.date | None
    medical_first: dt.date | None
    medical_last: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        def label(d: dt.date | None) -> str:
            return wareki.format_wareki_month(d) if d else ""

        return {"assistance_first": _iso(self.assistance_first),
                "assistance_last": _iso(self.assistance_last),
                "medical_first": _iso(self.medical_first), "medical_last": _iso(self.medical_last),
                "assistance_label": (f"{label(self.assistance_first)}〜{label(self.assistance_last)}"
                                     if self.assistance_last else "未受信"),
                "medical_label": (f"{label(self.medical_first)}〜{label(self.medical_last)}"
                                  if self.medical_last else "未受信")}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def horizon(office: Office) -> Horizon:
    """First and last month received, for assistance and for medical claims (one statement)."""
    am, mc = AssistanceMonth._meta.db_table, MedicalClaimMonth._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT MIN(month) FROM {am} WHERE office_id = %s), "
                    f"(SELECT MAX(month) FROM {am} WHERE office_id = %s), "
                    f"(SELECT MIN(month) FROM {mc} WHERE office_id = %s), "
                    f"(SELECT MAX(month) FROM {mc} WHERE office_id = %s)",
                    [office.pk] * 4)
        row = cur.fetchone()
    return Horizon(*(_as_date(v) for v in row))


def health_program_ids(office: Office, program: Program | None = None) -> set[int]:
    """Programs that count a discharge or a health improvement (健康・退院のプログラム)."""
    qs = OutcomeType._base_manager.filter(program__office=office, kind__in=HEALTH_KINDS).order_by()
    if program is not None:
        qs = qs.filter(program=program)
    return set(qs.values_list("program_id", flat=True).distinct())


# ---- 就労・増収: earned income and 効果額 ----------------------------------------------------


@dataclass(frozen=True)
class WorkRow:
    """One household's first 就労・増収 in the period (per program; ``program_id`` None =
    the office, each household once)."""

    program_id: int | None
    household_id: int
    person_id: int
    achieved_on: dt.date
    earned_before: int | None  # 就労収入認定額, month before the achievement (paid month)
    paid_before: int | None  # 支給額計, the same month
    earned_after: int | None  # the month after the achievement (paid month)
    paid_12: int  # sum paid over M(a)+1 … min(M(a)+12, last month received)
    paid_to_end: int  # sum paid over M(a)+1 … min(M(period end), last month received)


def _work_rows(office: Office, period: Period, program: Program | None,
               last: dt.date | None) -> list[WorkRow]:
    if last is None:
        return []
    enrollment, outcome = Enrollment._meta.db_table, Outcome._meta.db_table
    person, am = Person._meta.db_table, AssistanceMonth._meta.db_table
    program_sql = " AND e.program_id = %s" if program is not None else ""
    end_month = first_of_month(period.end)
    # The months are computed once per household and date (``w``), and a household counted
    # for a program and for the office total on the same date is joined to its months once.
    sql = f"""
WITH ach AS (
  SELECT e.program_id AS p, pe.household_id AS h, e.person_id AS q, o.occurred_on AS d
  FROM {outcome} o JOIN {enrollment} e ON e.id = o.enrollment_id
  JOIN {person} pe ON pe.id = e.person_id
  WHERE e.office_id = %s AND o.kind IN (%s, %s) AND o.occurred_on >= %s AND o.occurred_on <= %s
    AND pe.household_id IS NOT NULL{program_sql}
), ranked AS (
  SELECT p, h, q, d, ROW_NUMBER() OVER (PARTITION BY p, h ORDER BY d, q) AS rn FROM ach
  UNION ALL
  SELECT NULL, h, q, d, ROW_NUMBER() OVER (PARTITION BY h ORDER BY d, q) AS rn FROM ach
), firsts AS (SELECT p, h, q, d FROM ranked WHERE rn = 1),
w AS (SELECT DISTINCT h, d, {_shift_sql("d", -1)} AS prev, {_shift_sql("d", 1)} AS next,
        {_shift_sql("d", EFFECT_MONTHS)} AS last12 FROM firsts),
t AS (
  SELECT w.h, w.d, b.earned_income_recognised AS e0, {_paid_sql("b")} AS p0,
    MAX(CASE WHEN a.month = w.next AND a.status = %s THEN a.earned_income_recognised END) AS e1,
    COALESCE(SUM(CASE WHEN a.month <= w.last12 AND a.status = %s THEN {_paid_sql("a")} ELSE 0 END),
             0) AS p12,
    COALESCE(SUM(CASE WHEN a.month <= %s AND a.status = %s THEN {_paid_sql("a")} ELSE 0 END), 0)
      AS pfy
  FROM w
  LEFT JOIN {am} b ON b.household_id = w.h AND b.month = w.prev AND b.status = %s
  LEFT JOIN {am} a ON a.household_id = w.h AND a.month >= w.next AND a.month <= %s
    AND (a.month <= w.last12 OR a.month <= %s)
  GROUP BY w.h, w.d, b.earned_income_recognised, {_paid_sql("b")}
)
SELECT f.p, f.h, f.q, f.d, t.e0, t.p0, t.e1, t.p12, t.pfy
FROM firsts f JOIN t ON t.h = f.h AND t.d = f.d
"""
    paid = AssistanceMonth.Status.PAID
    params: list[Any] = [office.pk, *WORK_KINDS, period.start, period.end]
    if program is not None:
        params.append(program.pk)
    # paid(m) is what a month with status 支給 paid: a month stopped or ended (停止・廃止)
    # counts as nothing paid, whatever amounts its row carries.
    params += [paid, paid, end_month, paid, paid, last, end_month]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return [WorkRow(p, h, q, _as_date(d), e0, p0, e1, int(p12), int(pfy))  # type: ignore[arg-type]
            for p, h, q, d, e0, p0, e1, p12, pfy in rows]


def _work_summary(rows: Iterable[WorkRow], period: Period, last: dt.date | None
                  ) -> dict[str, Any]:
    """The money figures of one program (or the office) from its household rows."""
    income_n = income_sum = amount_n = effect_12 = effect_fy = months_12 = months_fy = 0
    end_month = first_of_month(period.end)
    for r in rows:
        if r.earned_before is not None and r.earned_after is not None:
            income_n += 1
            income_sum += r.earned_after - r.earned_before
        if r.paid_before is None or last is None:
            continue
        amount_n += 1
        first = shift(r.achieved_on, 1)
        n12 = months_between(first, min(shift(r.achieved_on, EFFECT_MONTHS), last))
        nfy = months_between(first, min(end_month, last))
        months_12 += n12
        months_fy += nfy
        effect_12 += n12 * r.paid_before - r.paid_12
        effect_fy += nfy * r.paid_before - r.paid_to_end
    return {"income_households": income_n, "income_increase": income_sum,
            "income_increase_average": round(income_sum / income_n) if income_n else None,
            "amount_households": amount_n, "effect_12": effect_12, "effect_to_end": effect_fy,
            "effect_months_12": months_12, "effect_months_to_end": months_fy}


# ---- 医療費・入院日数 ------------------------------------------------------------------------


@dataclass(frozen=True)
class MedicalRow:
    program_id: int | None
    person_id: int
    started_on: dt.date
    anchor: dt.date  # the discharge (first in the period), else the end of the episode
    cost: dict[str, int]  # before6, before12, after6, after12
    days: dict[str, int]  # inpatient days, same keys


def _medical_rows(office: Office, period: Period, program_ids: set[int]) -> list[MedicalRow]:
    if not program_ids:
        return []
    enrollment, outcome = Enrollment._meta.db_table, Outcome._meta.db_table
    mc = MedicalClaimMonth._meta.db_table
    ids = sorted(program_ids)
    marks = ", ".join(["%s"] * len(ids))
    # Window bounds are computed once per compared person (columns of ``w``), so the claims
    # are compared with plain dates; a person compared for a program and for the office
    # total with the same episode is joined to their claims once, and the row says for which
    # (``total``, ``ps`` the programs) rather than being joined back to ``f`` (a join the
    # planner, misled by the CTEs' estimates, made a nested loop over every pair).
    widest = max(MEDICAL_WINDOWS)
    bounds = {f"b{n}": _shift_sql("s", -n) for n in MEDICAL_WINDOWS}
    bounds |= {"b1": _shift_sql("s", -1), "a1": _shift_sql("a", 1)}
    bounds |= {f"a{n}": _shift_sql("a", n) for n in MEDICAL_WINDOWS}
    windows = {f"before{n}": (f"w.b{n}", "w.b1") for n in MEDICAL_WINDOWS}
    windows |= {f"after{n}": ("w.a1", f"w.a{n}") for n in MEDICAL_WINDOWS}
    inpatient = MedicalClaimKind.INPATIENT.value
    cols = []
    for key, (lo, hi) in windows.items():
        cols.append(f"COALESCE(SUM(CASE WHEN m.month >= {lo} AND m.month <= {hi} "
                    f"THEN m.amount ELSE 0 END), 0) AS c_{key}")
        cols.append(f"COALESCE(SUM(CASE WHEN m.month >= {lo} AND m.month <= {hi} "
                    f"AND m.kind = '{inpatient}' THEN m.days ELSE 0 END), 0) AS d_{key}")
    sums = ", ".join(f"t.c_{k}, t.d_{k}" for k in windows)
    programs = ("string_agg(p::text, ',')" if connection.vendor == "postgresql"
                else "group_concat(p, ',')")  # the non-null programs, comma-separated
    sql = f"""
WITH anchored AS (
  SELECT e.program_id AS p, e.person_id AS q, e.started_on AS s,
    COALESCE((SELECT MIN(o.occurred_on) FROM {outcome} o WHERE o.enrollment_id = e.id
              AND o.kind = %s AND o.occurred_on >= %s AND o.occurred_on <= %s),
             CASE WHEN e.status = %s AND e.ended_on >= %s AND e.ended_on <= %s
                  THEN e.ended_on END) AS a
  FROM {enrollment} e
  WHERE e.office_id = %s AND e.started_on IS NOT NULL AND e.program_id IN ({marks})
), ranked AS (
  SELECT p, q, s, a, ROW_NUMBER() OVER (PARTITION BY p, q ORDER BY a, s) AS rn
  FROM anchored WHERE a IS NOT NULL
  UNION ALL
  SELECT NULL, q, s, a, ROW_NUMBER() OVER (PARTITION BY q ORDER BY a, s) AS rn
  FROM anchored WHERE a IS NOT NULL
), f AS (SELECT p, q, s, a FROM ranked WHERE rn = 1),
w AS (SELECT q, s, a, MAX(CASE WHEN p IS NULL THEN 1 ELSE 0 END) AS total, {programs} AS ps,
        {", ".join(f"{v} AS {k}" for k, v in bounds.items())} FROM f GROUP BY q, s, a),
t AS (
  SELECT w.q, w.s, w.a, w.total, w.ps, {", ".join(cols)}
  FROM w LEFT JOIN {mc} m ON m.person_id = w.q
    AND ((m.month >= w.b{widest} AND m.month <= w.b1) OR (m.month >= w.a1 AND m.month <= w.a{widest}))
  GROUP BY w.q, w.s, w.a, w.total, w.ps
)
SELECT t.total, t.ps, t.q, t.s, t.a, {sums} FROM t
"""
    params: list[Any] = [OutcomeKind.DISCHARGE, period.start, period.end,
                         Enrollment.Status.ENDED, period.start, period.end, office.pk, *ids]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    out = []
    keys = list(windows)
    for total, ps, q, s, a, *values in rows:
        cost = {k: int(values[2 * i]) for i, k in enumerate(keys)}
        days = {k: int(values[2 * i + 1]) for i, k in enumerate(keys)}
        owners: list[int | None] = [int(p) for p in str(ps or "").split(",") if p]
        for p in owners + ([None] if total else []):
            out.append(MedicalRow(p, q, _as_date(s), _as_date(a), cost, days))  # type: ignore[arg-type]
    return out


def medical_complete(row: MedicalRow, months: int, h: Horizon) -> bool:
    """Both windows lie inside the months received: the n months before the start month
    and the n months after the discharge/end month."""
    if h.medical_first is None or h.medical_last is None:
        return False
    return (shift(row.started_on, -months) >= h.medical_first
            and shift(row.anchor, months) <= h.medical_last)


def _medical_summary(rows: Iterable[MedicalRow], h: Horizon) -> dict[str, Any]:
    rows = list(rows)
    out: dict[str, Any] = {"medical_people": len(rows)}
    for n in MEDICAL_WINDOWS:
        done = [r for r in rows if medical_complete(r, n, h)]
        before = sum(r.cost[f"before{n}"] for r in done)
        after = sum(r.cost[f"after{n}"] for r in done)
        days_before = sum(r.days[f"before{n}"] for r in done)
        days_after = sum(r.days[f"after{n}"] for r in done)
        out[f"m{n}"] = {"people": len(done), "cost_before": before, "cost_after": after,
                        "cost_change": after - before, "days_before": days_before,
                        "days_after": days_after, "days_avoided": days_before - days_after}
    return out


# ---- 就労による保護廃止 ----------------------------------------------------------------------


def _closed_by_work(office: Office, period: Period, program: Program | None
                    ) -> QuerySet[Enrollment]:
    """Episodes active in the period whose household's assistance ended (廃止) for work in a
    month of the period, on or after the episode's start month."""
    # The office's months ended for work in the period are few (a partial index holds the
    # ended months): they lead, the people of those households and their episodes follow.
    ended = AssistanceMonth._base_manager.filter(
        office=office, status=AssistanceMonth.Status.ENDED, status_reason=Household.EndReason.WORK,
        month__gte=first_of_month(period.start), month__lte=period.end)
    qs = (c.enrollments(office).filter(c.active_in(period.start, period.end))
          .filter(person__household_id__in=ended.values("household_id"))
          .annotate(start_month=TruncMonth("started_on", output_field=DateField()))
          .filter(Exists(ended.filter(household=OuterRef("person__household"),
                                      month__gte=OuterRef("start_month")))))
    return qs.filter(program=program) if program is not None else qs


# ---- the report section -----------------------------------------------------------------


def _blank() -> dict[str, Any]:
    return {"work": 0, "closed_by_work": 0, **_work_summary([], Period(dt.date.min, dt.date.min),
                                                             None),
            **_medical_summary([], Horizon(None, None, None, None)), "is_health": False}


def office_effects(office: Office, period: Period, programs: list[Program],
                   program: Program | None = None) -> dict[str, Any]:
    """The effects section: {"horizon", "programs": {id: figures}, "totals": figures}."""
    h = horizon(office)
    health = health_program_ids(office, program)
    per: dict[int, dict[str, Any]] = {p.pk: _blank() for p in programs}
    totals = _blank()
    for pid in health:
        if pid in per:
            per[pid]["is_health"] = True
    totals["is_health"] = bool(health)

    # Both counts are small (people with a 就労・増収 or an end for work in the year): the
    # distinct (program, person) pairs are fetched once and counted here, per program and
    # once per person over all programs.
    out = c.outcomes(office, period.start, period.end).filter(kind__in=WORK_KINDS)
    if program is not None:
        out = out.filter(enrollment__program=program)
    for key, pairs in (
            ("work", out.values_list("enrollment__program_id", "enrollment__person_id")),
            ("closed_by_work", _closed_by_work(office, period, program)
             .values_list("program_id", "person_id"))):
        seen = set(pairs.distinct())
        for pid, _person in seen:
            if pid in per:
                per[pid][key] += 1
        totals[key] = len({person for _pid, person in seen})

    by_program: dict[int | None, list[WorkRow]] = defaultdict(list)
    for r in _work_rows(office, period, program, h.assistance_last):
        by_program[r.program_id].append(r)
    for wpid, work_rows in by_program.items():
        target = totals if wpid is None else per.get(wpid)
        if target is not None:
            target.update(_work_summary(work_rows, period, h.assistance_last))

    medical: dict[int | None, list[MedicalRow]] = defaultdict(list)
    for m in _medical_rows(office, period, health):
        medical[m.program_id].append(m)
    for mpid, mrows in medical.items():
        target = totals if mpid is None else per.get(mpid)
        if target is not None:
            target.update(_medical_summary(mrows, h))
    return {"horizon": h.as_dict(), "programs": per, "totals": totals}


# ---- the people behind an effect figure -------------------------------------------------


def effect_people_ids(office: Office, period: Period, figure: str, program_id: int | None,
                      key: str = "") -> list[int] | QuerySet[Any]:
    """The ids a figure counts, by the same statements as the figure."""
    program = Program._base_manager.get(pk=program_id, office=office) if program_id else None
    if figure == "effect_work":
        out = c.outcomes(office, period.start, period.end).filter(kind__in=WORK_KINDS)
        if program is not None:
            out = out.filter(enrollment__program=program)
        return out.values("enrollment__person_id")
    if figure == "effect_closed":
        return _closed_by_work(office, period, program).values("person_id")
    h = horizon(office)
    if figure in ("effect_income", "effect_amount"):
        rows = [r for r in _work_rows(office, period, program, h.assistance_last)
                if r.program_id == program_id]
        if figure == "effect_income":
            return [r.person_id for r in rows
                    if r.earned_before is not None and r.earned_after is not None]
        return [r.person_id for r in rows if r.paid_before is not None]
    if figure == "effect_medical":
        health = health_program_ids(office, program)
        mrows = [m for m in _medical_rows(office, period, health) if m.program_id == program_id]
        if key in ("6", "12"):
            mrows = [m for m in mrows if medical_complete(m, int(key), h)]
        return [m.person_id for m in mrows]
    raise KeyError(figure)


# ---- charts: income, assistance and medical cost around the start -----------------------


def _series_sql(h: Horizon, program: Program, period: Period) -> tuple[str, list[Any]]:
    enrollment, person = Enrollment._meta.db_table, Person._meta.db_table
    am, mc = AssistanceMonth._meta.db_table, MedicalClaimMonth._meta.db_table
    ks = " UNION ALL ".join(f"SELECT {k} AS k" for k in CHART_MONTHS)
    shift_k = ("(date_trunc('month', ep.s) + interval '1 month' * ks.k)::date"
               if connection.vendor == "postgresql"
               else "date(ep.s, 'start of month', (CASE WHEN ks.k >= 0 THEN '+' ELSE '' END) "
                    "|| ks.k || ' months')")
    sql = f"""
WITH ep AS (
  SELECT e.person_id AS q, pe.household_id AS h, MIN(e.started_on) AS s
  FROM {enrollment} e JOIN {person} pe ON pe.id = e.person_id
  WHERE e.office_id = %s AND e.program_id = %s AND e.started_on IS NOT NULL
    AND e.started_on <= %s AND (e.ended_on IS NULL OR e.ended_on >= %s)
  GROUP BY e.person_id, pe.household_id
), ks AS ({ks}),
grid AS (SELECT ep.q, ep.h, ks.k, {shift_k} AS m FROM ep CROSS JOIN ks),
med AS (
  SELECT person_id, month, SUM(amount) AS amount FROM {mc}
  WHERE office_id = %s AND person_id IN (SELECT q FROM ep) GROUP BY person_id, month
), vals AS (
  SELECT 'earned' AS series, g.k, a.earned_income_recognised AS v FROM grid g
    JOIN {am} a ON a.household_id = g.h AND a.month = g.m AND a.status = %s
  UNION ALL
  SELECT 'paid', g.k, COALESCE({_paid_sql("a")}, 0) FROM grid g
    LEFT JOIN {am} a ON a.household_id = g.h AND a.month = g.m
    WHERE g.h IS NOT NULL AND g.m >= %s AND g.m <= %s
  UNION ALL
  SELECT 'medical', g.k, COALESCE(md.amount, 0) FROM grid g
    LEFT JOIN med md ON md.person_id = g.q AND md.month = g.m
    WHERE g.m >= %s AND g.m <= %s
), ranked AS (
  SELECT series, k, v, ROW_NUMBER() OVER (PARTITION BY series, k ORDER BY v) AS rn,
         COUNT(*) OVER (PARTITION BY series, k) AS n FROM vals
)
SELECT series, k, MAX(n),
  AVG(CASE WHEN rn = (n + 1) / 2 OR rn = (n + 2) / 2 THEN v END),
  MIN(CASE WHEN rn = (n + 3) / 4 THEN v END),
  MIN(CASE WHEN rn = (3 * n + 3) / 4 THEN v END)
FROM ranked GROUP BY series, k
"""
    far = dt.date(1, 1, 1)
    params = [program.office_id, program.pk, period.end, period.start, program.office_id,
              AssistanceMonth.Status.PAID, h.assistance_first or far, h.assistance_last or far,
              h.medical_first or far, h.medical_last or far]
    return sql, params


def program_series(office: Office, program: Program, period: Period) -> dict[str, Any]:
    """Median and quartiles (P25–P75) per month relative to the start, over the program's
    participants in the period (each person's first start among those episodes)."""
    h = horizon(office)
    sql, params = _series_sql(h, program, period)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    series: dict[str, list[dict[str, Any]]] = {
        s: [{"k": k, "n": 0, "median": None, "p25": None, "p75": None} for k in CHART_MONTHS]
        for s in SERIES_LABELS}
    index = {k: i for i, k in enumerate(CHART_MONTHS)}
    for name, k, n, median, p25, p75 in rows:
        series[name][index[int(k)]] = {
            "k": int(k), "n": int(n), "median": None if median is None else round(float(median)),
            "p25": None if p25 is None else int(p25), "p75": None if p75 is None else int(p75)}
    return {"months": list(CHART_MONTHS), "series": series, "horizon": h.as_dict()}


def person_series(person: Person) -> list[dict[str, Any]]:
    """For each started episode of a person (the latest three): earned income, assistance
    paid and medical cost per month from 6 months before the start month to 12 months after.
    Call inside the office's scope, for a person the actor may see (amounts.view)."""
    episodes = list(Enrollment.objects.filter(person=person, started_on__isnull=False)
                    .select_related("program").order_by("-started_on")[:3])
    starts = [e.started_on for e in episodes if e.started_on is not None]
    if not starts:
        return []
    lo, hi = shift(min(starts), CHART_MONTHS[0]), shift(max(starts), CHART_MONTHS[-1])
    assistance = (assistance_by_household([person.household_id], lo, hi)
                  .get(person.household_id, {}) if person.household_id else {})
    medical = medical_by_person([person.pk], lo, hi).get(person.pk, {})
    h = horizon(person.office)
    out = []
    for e in episodes:
        assert e.started_on is not None
        rows = []
        for k in CHART_MONTHS:
            m = shift(e.started_on, k)
            a = assistance.get(m)
            in_assistance = (h.assistance_first is not None and h.assistance_last is not None
                             and h.assistance_first <= m <= h.assistance_last)
            in_medical = (h.medical_first is not None and h.medical_last is not None
                          and h.medical_first <= m <= h.medical_last)
            totals = medical.get(m)
            rows.append({
                "k": k, "month": m.isoformat(), "label": wareki.format_wareki_month(m),
                "earned": a.earned_income_recognised if a and a.status == a.Status.PAID else None,
                "paid": (a.paid_total if a else 0) if in_assistance else None,
                "status": a.get_status_display() if a else ("" if in_assistance else "未受信"),
                "medical": (totals.amount if totals else 0) if in_medical else None,
                "inpatient_days": (totals.inpatient_days if totals else 0) if in_medical else None})
        out.append({"enrollment_id": e.pk, "program": e.program.name,
                    "started_on": e.started_on.isoformat(),
                    "started_label": wareki.format_wareki(e.started_on), "months": rows})
    return out
