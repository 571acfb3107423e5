"""The national roll-up (全国集計): every office's figures for a period, summed.

What a prefecture or the ministry sees of a shared deployment: counts only, never a
person. The figures follow the very same cohort rules as each office's own report
(:mod:`jiritsu.reports.cohorts`), computed set-based over all offices and grouped by
office and program kind in the database — a handful of queries whatever the number of
offices (see tests/test_national.py and the "national roll-up" case in ``bench/``).

A person belongs to one office, so an office's distinct-person count summed over offices
is the national distinct count. Program kinds (経済的自立・日常生活自立・社会生活自立) are
the common vocabulary across offices; program codes and names are each office's own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count
from django_scopes import scopes_disabled

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Office
from jiritsu.people.models import Household
from jiritsu.programs.models import Program
from jiritsu.reports import cohorts as c
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.periods import Period

FIGURES = ("eligible", "participants", "started", "ended", "continuing", "achieved")
KPI_KEYS = ("able", "participating", "emp", "work", "others", "other_earners")
PROGRAM_KINDS = dict(Program.Kind.choices)
OFFICE_KINDS = dict(Office.Kind.choices)
KPI_TARGETS = {"participation": 65.0, "employment": 50.0, "other_households": 45.0}


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator * 100 / denominator, 1) if denominator else None


def _enrollment_counts(start: dt.date, end: dt.date) -> dict[str, Count]:
    return {
        "participants": Count("person", distinct=True, filter=c.active_in(start, end)),
        "started": Count("person", distinct=True, filter=c.started_in(start, end)),
        "ended": Count("person", distinct=True, filter=c.ended_in(start, end)),
        "continuing": Count("person", distinct=True, filter=c.continuing_at(end)),
    }


def _figures_by_office(start: dt.date, end: dt.date) -> tuple[
        dict[tuple[int, str], dict[str, int]], dict[int, dict[str, int]]]:
    """({(office, program kind): figures}, {office: figures with each person once})."""
    by_kind: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    by_office: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    # Every one of the four enrolment figures needs an episode active in the period.
    active = c.enrollments(None).filter(c.active_in(start, end))
    counts = _enrollment_counts(start, end)
    for row in active.values("office_id", "program__kind").annotate(**counts):
        by_kind[(row["office_id"], row["program__kind"])].update(
            {k: row[k] for k in ("participants", "started", "ended", "continuing")})
    for row in active.values("office_id").annotate(**counts):
        by_office[row["office_id"]].update(
            {k: row[k] for k in ("participants", "started", "ended", "continuing")})

    achieved = c.outcomes(None, start, end).filter(outcome_type__counts_as_achievement=True)
    person = "enrollment__person"
    for row in achieved.values("enrollment__office_id", "enrollment__program__kind").annotate(
            n=Count(person, distinct=True)):
        by_kind[(row["enrollment__office_id"], row["enrollment__program__kind"])]["achieved"] = row["n"]
    for row in achieved.values("enrollment__office_id").annotate(n=Count(person, distinct=True)):
        by_office[row["enrollment__office_id"]]["achieved"] = row["n"]

    # 対象者: the union of the three sources (program, person), grouped by the program's
    # office and kind in SQL. Program ids are office-owned, so the join settles both.
    ledger, nominated, enrolled = c.eligible_sources(None, start, end)
    sql, params = ledger.union(nominated, enrolled).query.sql_with_params()
    program = Program._meta.db_table
    # One statement: the union is built once (a CTE used twice) and counted both by
    # (office, program kind) and by office, each person once per group.
    with connection.cursor() as cur:
        cur.execute(f"WITH j AS (SELECT pr.office_id AS o, pr.kind AS k, u.q FROM ({sql}) u "
                    f"JOIN {program} pr ON pr.id = u.p) "
                    "SELECT o, k, COUNT(DISTINCT q) FROM j GROUP BY o, k "
                    "UNION ALL SELECT o, NULL, COUNT(DISTINCT q) FROM j GROUP BY o", params)
        for office_id, kind, n in cur.fetchall():
            if kind is None:
                by_office[int(office_id)]["eligible"] = int(n)
            else:
                by_kind[(int(office_id), kind)]["eligible"] = int(n)
    return by_kind, by_office


def _kpis_by_office(start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """The three KPIs' numerators and denominators per office, by the office report's rules
    (the same row sets as :func:`jiritsu.reports.figures.kpis`, grouped by office)."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KPI_KEYS, 0))

    # As in the office report: each row set once, as (office, person) pairs, and the
    # counts as set operations (see jiritsu.reports.figures.kpis).
    able = set(c.able_to_work(None, end).order_by().values_list("office_id", "pk"))
    emp = set(c.employment_participant_ids(None, start, end).values_list("office_id", "person_id"))
    work = set(c.work_outcome_ids(None, start, end).values_list("enrollment__office_id",
                                                                 "enrollment__person_id"))
    for key, pairs in (("able", able), ("participating", able & emp), ("emp", emp),
                       ("work", emp & work)):
        for office_id, _person in pairs:
            out[office_id][key] += 1
    # Over every office a hash semi-join against the earners' households beats probing
    # each of the ≈230,000 その他 households (the office report's EXISTS): 2.5 s → 1.4 s.
    earners = c.earner_household_ids(None)
    for part in c.other_households_parts(None, end):
        for key, qs in (("others", part), ("other_earners", part.filter(pk__in=earners))):
            for office_id, n in (qs.order_by().values("office_id").annotate(n=Count("pk"))
                                 .values_list("office_id", "n")):
                out[office_id][key] += n
    return out


def _kpi_block(totals: dict[str, int]) -> dict[str, Any]:
    return {
        "participation": {"label": "事業参加率", "numerator": totals["participating"],
                          "denominator": totals["able"],
                          "rate": _rate(totals["participating"], totals["able"]),
                          "national_target": KPI_TARGETS["participation"]},
        "employment": {"label": "就労・増収率", "numerator": totals["work"],
                       "denominator": totals["emp"], "rate": _rate(totals["work"], totals["emp"]),
                       "national_target": KPI_TARGETS["employment"]},
        "other_households": {"label": "「その他の世帯」就労率", "numerator": totals["other_earners"],
                             "denominator": totals["others"],
                             "rate": _rate(totals["other_earners"], totals["others"]),
                             "national_target": KPI_TARGETS["other_households"]},
    }


def _sum(rows: list[dict[str, int]], keys: tuple[str, ...]) -> dict[str, int]:
    return {k: sum(r.get(k, 0) for r in rows) for k in keys}


def national_rollup(*, fiscal_year: int | None = None, period: Period | None = None,
                    office_kind: str = "") -> dict[str, Any]:
    """Every office's figures for the period, summed by office kind and program kind, with
    the national KPIs and one row per office. ``office_kind`` narrows to 市・都道府県・町村."""
    if period is None:
        if fiscal_year is None:
            raise ValueError("fiscal_year or period is required")
        period = Period.for_fiscal_year(fiscal_year)
    start, end = period.start, period.end
    with scopes_disabled():
        offices = list(Office.objects.order_by("code").values("id", "code", "name", "kind",
                                                              "municipality"))
        if office_kind:
            offices = [o for o in offices if o["kind"] == office_kind]
        wanted = {o["id"] for o in offices}
        by_kind, by_office = _figures_by_office(start, end)
        kpi = _kpis_by_office(start, end)
        submitted = set(FrozenReport.objects.filter(period_start=start, period_end=end)
                        .values_list("office_id", flat=True))
        programs = defaultdict(int)
        for row in Program.objects.values("office_id").annotate(n=Count("pk")):
            programs[row["office_id"]] = row["n"]
        open_households = dict(
            Household.objects.filter(c.household_open_at(end)).values("office_id")
            .annotate(n=Count("pk")).values_list("office_id", "n"))

    kind_of = {o["id"]: o["kind"] for o in offices}
    grid: dict[tuple[str, str], dict[str, Any]] = {}
    for (office_id, program_kind), figures in by_kind.items():
        if office_id not in wanted:
            continue
        cell = grid.setdefault((kind_of[office_id], program_kind),
                               {**dict.fromkeys(FIGURES, 0), "offices": 0})
        cell["offices"] += 1
        for k in FIGURES:
            cell[k] += figures[k]
    order_o, order_p = list(OFFICE_KINDS), list(PROGRAM_KINDS)
    by_kind_rows = [
        {"office_kind": ok, "office_kind_label": OFFICE_KINDS.get(ok, ok), "program_kind": pk,
         "program_kind_label": PROGRAM_KINDS.get(pk, pk), **cell}
        for (ok, pk), cell in sorted(grid.items(), key=lambda kv: (
            order_o.index(kv[0][0]) if kv[0][0] in order_o else 9,
            order_p.index(kv[0][1]) if kv[0][1] in order_p else 9))]
    by_program_kind = []
    for pk in order_p:
        cells = [r for r in by_kind_rows if r["program_kind"] == pk]
        if cells:
            by_program_kind.append({"program_kind": pk, "program_kind_label": PROGRAM_KINDS[pk],
                                    "offices": sum(r["offices"] for r in cells),
                                    **_sum(cells, FIGURES)})

    office_rows = []
    for o in offices:
        figs = by_office.get(o["id"], dict.fromkeys(FIGURES, 0))
        kpis = kpi.get(o["id"], dict.fromkeys(KPI_KEYS, 0))
        office_rows.append({
            "office_id": o["id"], "code": o["code"], "name": o["name"],
            "municipality": o["municipality"], "kind": o["kind"],
            "kind_label": OFFICE_KINDS.get(o["kind"], o["kind"]),
            "programs": programs.get(o["id"], 0), "open_households": open_households.get(o["id"], 0),
            "submitted": o["id"] in submitted,
            **{name: figs[name] for name in FIGURES},
            "kpi": {key: kpis[key] for key in KPI_KEYS},
            "participation_rate": _rate(kpis["participating"], kpis["able"]),
            "employment_rate": _rate(kpis["work"], kpis["emp"]),
            "other_households_rate": _rate(kpis["other_earners"], kpis["others"]),
        })
    totals = _sum(office_rows, FIGURES)
    kpi_totals = _sum([r["kpi"] for r in office_rows], KPI_KEYS)
    by_office_kind = []
    for ok in order_o:
        rows = [r for r in office_rows if r["kind"] == ok]
        if rows:
            kt = _sum([r["kpi"] for r in rows], KPI_KEYS)
            by_office_kind.append({
                "office_kind": ok, "office_kind_label": OFFICE_KINDS[ok], "offices": len(rows),
                "submitted": sum(1 for r in rows if r["submitted"]),
                "open_households": sum(r["open_households"] for r in rows),
                **_sum(rows, FIGURES),
                "participation_rate": _rate(kt["participating"], kt["able"]),
                "employment_rate": _rate(kt["work"], kt["emp"]),
                "other_households_rate": _rate(kt["other_earners"], kt["others"]),
            })
    return {
        "period": period.as_dict(),
        "office_kind": office_kind,
        "offices": {"total": len(office_rows),
                    "with_programs": sum(1 for r in office_rows if r["programs"]),
                    "submitted": sum(1 for r in office_rows if r["submitted"]),
                    "open_households": sum(r["open_households"] for r in office_rows)},
        "totals": totals,
        "kpis": _kpi_block(kpi_totals),
        "by_office_kind": by_office_kind,
        "by_program_kind": by_program_kind,
        "by_kind": by_kind_rows,
        "office_rows": office_rows,
    }


def log_national_rollup(*, actor: Any, period: Period, office_kind: str = "",
                        export: bool = False, via: str = "screen") -> None:
    """Opening or exporting the roll-up is audited (no person in it, no office of its own)."""
    record(actor=actor, office=None, action="national.export" if export else "national.view",
           kind=AuditEvent.Kind.EXPORT if export else AuditEvent.Kind.VIEW,
           changes={"period": [period.start.isoformat(), period.end.isoformat()],
                    "office_kind": office_kind, "via": via})


__all__ = ["FIGURES", "log_national_rollup", "national_rollup"]
