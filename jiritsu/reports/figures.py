"""An office's figures for a period, computed in the database from the program models.

``office_report`` returns one JSON-serialisable dict (the thing that is shown, exported
and frozen). Every count is a COUNT(DISTINCT person) over a cohort rule from
:mod:`jiritsu.reports.cohorts`; :func:`people_for` returns the people behind any figure
with the very same rule. The number of queries does not depend on how many people,
enrolments or outcomes the office has (see tests/test_performance.py).

Size (over 600 lines): every section of the report (programs, targets, KPIs, caseload,
effects) is computed here from the same cohort rules and period windows; the split would
be one module per section under ``reports/figures/``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Min, Q, QuerySet

from jiritsu.cases.models import ConferenceResult, Enrollment, Outcome
from jiritsu.cases.results import latest_sorts
from jiritsu.cases.selectors import reduced_people, reduction_progress
from jiritsu.core import clock, wareki
from jiritsu.offices.models import Membership, Office, User
from jiritsu.people.models import Household, Person
from jiritsu.programs.models import OutcomeKind, OutcomeType, Program, ProgramTarget
from jiritsu.reports import cohorts as c
from jiritsu.reports import effects as fx
from jiritsu.reports.periods import Period

REASON_LABELS = dict(Enrollment.EndReason.choices)
RESULT_LABELS = dict(ConferenceResult.Result.choices)
KIND_LABELS = dict(OutcomeKind.choices)
DESTINATION_LABELS = dict(Outcome.Destination.choices)
METRIC_LABELS = dict(ProgramTarget.Metric.choices)

# Histogram of days from support start to the first achievement (upper bounds, inclusive).
TIME_BINS: tuple[tuple[int | None, str], ...] = (
    (30, "1か月以内"), (90, "1〜3か月"), (180, "3〜6か月"), (365, "6か月〜1年"), (None, "1年超"),
)

PROGRAM_FIGURES = ("eligible", "participants", "started", "ended", "continuing", "achieved")
FIGURE_LABELS = {
    "eligible": "対象者数", "participants": "参加者数", "started": "開始者数",
    "ended": "終了者数", "continuing": "継続者数", "achieved": "達成者数",
    "outcome": "成果", "destination": "退院先", "transfer": "プログラム間の移行",
    "result": "結果検討会",
    "kpi_able": "就労可能な者", "kpi_participating": "就労支援事業の参加者（分母内）",
    "kpi_emp_participants": "就労支援プログラムの参加者",
    "kpi_work": "就労開始・増収した参加者",
    "kpi_other_households": "「その他の世帯」", "kpi_other_earners": "稼働者のいる「その他の世帯」",
    **fx.EFFECT_FIGURES,
}


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator * 100 / denominator, 1) if denominator else None


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


# ---- eligible (対象者数): a UNION of three sources, counted in SQL ------------------------


def _eligible_counts(office: Office, start: dt.date, end: dt.date,
                     program_id: int | None = None) -> tuple[dict[int, int], int]:
    parts = c.eligible_sources(office, start, end)
    if program_id is not None:
        parts = (parts[0].filter(ledger__program_id=program_id),
                 parts[1].filter(program_id=program_id), parts[2].filter(program_id=program_id))
    sql, params = parts[0].union(parts[1], parts[2]).query.sql_with_params()
    # The union's columns are named after the first SELECT's aliases: p (program), q (person).
    # One statement: the union is built once (a CTE used twice), counted by program and
    # over all programs (each person once).
    with connection.cursor() as cur:
        cur.execute(f"WITH u AS ({sql}) SELECT p, COUNT(DISTINCT q) FROM u GROUP BY p "
                    "UNION ALL SELECT NULL, COUNT(DISTINCT q) FROM u", params)
        rows = cur.fetchall()
    by_program = {int(p): int(n) for p, n in rows if p is not None}
    total = next((int(n) for p, n in rows if p is None), 0)
    return by_program, total


# ---- per-program figures ----------------------------------------------------------------


def _enrollment_counts(start: dt.date, end: dt.date) -> dict[str, Count]:
    return {
        "participants": Count("person", distinct=True, filter=c.active_in(start, end)),
        "started": Count("person", distinct=True, filter=c.started_in(start, end)),
        "ended": Count("person", distinct=True, filter=c.ended_in(start, end)),
        "continuing": Count("person", distinct=True, filter=c.continuing_at(end)),
    }


def _achieved_q() -> Q:
    return Q(outcome_type__counts_as_achievement=True)


def _blank_figures() -> dict[str, Any]:
    return {"eligible": 0, "participants": 0, "started": 0, "ended": 0, "continuing": 0,
            "achieved": 0, "ended_by_reason": {}, "outcomes_by_kind": {}, "destinations": {},
            "results": {},
            "median_days_to_achievement": None, "achievement_days": []}


def _programs(office: Office, program: Program | None) -> list[Program]:
    qs = Program.objects.filter(office=office).order_by("code")
    if program is not None:
        qs = qs.filter(pk=program.pk)
    return list(qs)


def _fill(office: Office, start: dt.date, end: dt.date, programs: list[Program],
          program: Program | None) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """Per-program and office-wide (each person once) figures for [start, end]."""
    per: dict[int, dict[str, Any]] = {p.pk: _blank_figures() for p in programs}
    total = _blank_figures()
    enr = c.enrollments(office)
    out = c.outcomes(office, start, end)
    if program is not None:
        enr = enr.filter(program=program)
        out = out.filter(enrollment__program=program)

    for row in enr.values("program_id").annotate(**_enrollment_counts(start, end)):
        per[row["program_id"]].update({k: row[k] for k in ("participants", "started", "ended",
                                                           "continuing")})
    total.update(enr.aggregate(**_enrollment_counts(start, end)))

    ended = enr.filter(c.ended_in(start, end))
    for row in ended.values("program_id", "end_reason").annotate(n=Count("person", distinct=True)):
        per[row["program_id"]]["ended_by_reason"][row["end_reason"]] = row["n"]
    for row in ended.values("end_reason").annotate(n=Count("person", distinct=True)):
        total["ended_by_reason"][row["end_reason"]] = row["n"]

    # The outcome breakdowns — achievers, outcome kinds, discharge destinations, each per
    # program and over all programs (each person once) — in one statement over one scan
    # of the period's outcomes. The row set and the achievement rule are the ORM's
    # (cohorts.outcomes, _achieved_q); only the grouping is written here.
    rows_sql, rows_params = out.values(
        pg=F("enrollment__program_id"), who=F("enrollment__person_id"), kd=F("kind"),
        dest=F("destination"),
        ach=ExpressionWrapper(_achieved_q(), output_field=BooleanField()),
    ).query.sql_with_params()
    discharge = OutcomeKind.DISCHARGE
    with connection.cursor() as cur:
        cur.execute(
            f"WITH o AS ({rows_sql}) "
            "SELECT 'achieved', pg, NULL, COUNT(DISTINCT who) FROM o WHERE ach GROUP BY pg "
            "UNION ALL SELECT 'achieved', NULL, NULL, COUNT(DISTINCT who) FROM o WHERE ach "
            "UNION ALL SELECT 'kind', pg, kd, COUNT(DISTINCT who) FROM o GROUP BY pg, kd "
            "UNION ALL SELECT 'kind', NULL, kd, COUNT(DISTINCT who) FROM o GROUP BY kd "
            "UNION ALL SELECT 'dest', pg, dest, COUNT(DISTINCT who) FROM o WHERE kd = %s "
            "GROUP BY pg, dest "
            "UNION ALL SELECT 'dest', NULL, dest, COUNT(DISTINCT who) FROM o WHERE kd = %s "
            "GROUP BY dest",
            [*rows_params, discharge, discharge])
        breakdown = cur.fetchall()
    for figure, program_id, key, n in breakdown:
        block = total if program_id is None else per[program_id]
        if figure == "achieved":
            block["achieved"] = int(n)
        elif figure == "kind":
            block["outcomes_by_kind"][key] = int(n)
        else:
            block["destinations"][key or "unknown"] = int(n)

    # Days from support start to an episode's first achievement, for episodes whose first
    # achievement falls in the period. One row per such episode (not per person on file).
    firsts = (enr.filter(started_on__isnull=False)
              .annotate(first=Min("outcomes__occurred_on",
                                  filter=Q(outcomes__outcome_type__counts_as_achievement=True)))
              .filter(first__gte=start, first__lte=end)
              .values_list("program_id", "started_on", "first"))
    for program_id, started_on, first in firsts:
        days = max((first - started_on).days, 0)
        per[program_id]["achievement_days"].append(days)
        total["achievement_days"].append(days)
    for figures in [*per.values(), total]:
        figures["achievement_days"].sort()
        figures["median_days_to_achievement"] = _median(figures["achievement_days"])

    # 結果検討会 (就労につながった／つながらなかった): each person's latest sorting whose
    # look-back ends in the period (jiritsu.cases.results, the program page's rule).
    sorts = latest_sorts(office.pk, start, end, program_id=program.pk if program else None)
    for row in (sorts.order_by().values("enrollment__program_id", "result")
                .annotate(n=Count("enrollment__person", distinct=True))):
        if row["enrollment__program_id"] in per:
            per[row["enrollment__program_id"]]["results"][row["result"]] = row["n"]
    for row in (sorts.order_by().values("result")
                .annotate(n=Count("enrollment__person", distinct=True))):
        total["results"][row["result"]] = row["n"]

    eligible, eligible_total = _eligible_counts(office, start, end,
                                                program.pk if program else None)
    for pk, n in eligible.items():
        if pk in per:
            per[pk]["eligible"] = n
    total["eligible"] = eligible_total
    return per, total


# ---- targets ----------------------------------------------------------------------------


def _target_window(target: ProgramTarget, period: Period) -> tuple[dt.date, dt.date] | None:
    start = wareki.fiscal_year_bounds(target.fiscal_year_from)[0]
    end = min(wareki.fiscal_year_bounds(target.fiscal_year_to)[1], period.end)
    return (start, end) if start <= end else None


def _span_label(target: ProgramTarget) -> str:
    first = wareki.format_fiscal_year(target.fiscal_year_from)
    if target.fiscal_year_to == target.fiscal_year_from:
        return first
    return f"{first}〜{wareki.format_fiscal_year(target.fiscal_year_to)}"


def _targets(office: Office, period: Period, program: Program | None) -> list[dict[str, Any]]:
    fy_first, fy_last = period.fiscal_years
    qs = (ProgramTarget.objects.filter(program__office=office, fiscal_year_from__lte=fy_last,
                                       fiscal_year_to__gte=fy_first)
          .select_related("program").order_by("program__code", "fiscal_year_from", "id"))
    if program is not None:
        qs = qs.filter(program=program)
    targets = [(t, w) for t in qs if (w := _target_window(t, period)) is not None]
    enrollment_aggs: dict[str, Count] = {}
    outcome_aggs: dict[str, Count] = {}
    for t, (ws, we) in targets:
        key = f"t{t.pk}"
        if t.metric == ProgramTarget.Metric.PARTICIPANTS:
            enrollment_aggs[key] = Count("person", distinct=True,
                                         filter=Q(program_id=t.program_id) & c.active_in(ws, we))
        elif t.metric in (ProgramTarget.Metric.ACHIEVED, ProgramTarget.Metric.OUTCOME):
            q = Q(enrollment__program_id=t.program_id, occurred_on__gte=ws, occurred_on__lte=we)
            if t.metric == ProgramTarget.Metric.OUTCOME and t.outcome_kind:
                q &= Q(kind=t.outcome_kind)
            else:
                q &= _achieved_q()
            outcome_aggs[key] = Count("enrollment__person", distinct=True, filter=q)
    values: dict[str, int] = {}
    if enrollment_aggs:
        values.update(c.enrollments(office).aggregate(**enrollment_aggs))
    if outcome_aggs:
        values.update(Outcome.objects.filter(enrollment__office=office).aggregate(**outcome_aggs))
    eligible_windows: dict[tuple[dt.date, dt.date], dict[int, int]] = {}
    rows = []
    for t, (ws, we) in targets:
        if t.metric == ProgramTarget.Metric.ELIGIBLE:
            # One query per distinct window (targets share windows), never per person.
            if (ws, we) not in eligible_windows:
                eligible_windows[(ws, we)] = _eligible_counts(office, ws, we)[0]
            progress = eligible_windows[(ws, we)].get(t.program_id, 0)
        elif t.metric == ProgramTarget.Metric.REDUCTION:
            # The program page's rule (discharges, stays ended, 保護廃止 of the program's people).
            progress = reduced_people(t.program, ws, we).count()
        else:
            progress = int(values.get(f"t{t.pk}", 0))
        rows.append({
            "id": t.pk, "program_id": t.program_id, "program_code": t.program.code,
            "program_name": t.program.name, "label": t.label, "metric": t.metric,
            "metric_label": METRIC_LABELS.get(t.metric, t.metric),
            "outcome_kind": t.outcome_kind, "value": t.value, "baseline": t.baseline,
            "fiscal_year_from": t.fiscal_year_from, "fiscal_year_to": t.fiscal_year_to,
            "span_label": _span_label(t), "multi_year": t.fiscal_year_to > t.fiscal_year_from,
            "window_start": ws.isoformat(), "window_end": we.isoformat(),
            "progress": progress, "rate": _rate(progress, t.value),
            "remaining": max(t.value - progress, 0), "met": progress >= t.value,
            "against_baseline": reduction_progress(t, progress),
        })
    return rows


# ---- office-wide sections ---------------------------------------------------------------


def kpis(office: Office, period: Period) -> dict[str, Any]:
    start, end = period.start, period.end
    emp_ids = c.employment_participant_ids(office, start, end)
    able = c.able_to_work(office, end)
    # Counted from the episodes themselves (each person once), not by looking every
    # person of the office up in the list of participants.
    # The three row sets are compiled by the ORM (the cohort rules) and counted in one
    # statement: the latest-assessment rule runs once (a CTE read twice is materialised),
    # no id list travels to Python and back, and no id list is nested inside an
    # aggregate's FILTER (which PostgreSQL may evaluate row by row).
    able_sql, able_params = able.order_by().values(k=F("pk")).query.sql_with_params()
    emp_sql, emp_params = emp_ids.values(k=F("person_id")).query.sql_with_params()
    work_sql, work_params = (c.work_outcome_ids(office, start, end)
                             .values(k=F("enrollment__person_id")).query.sql_with_params())
    with connection.cursor() as cur:
        cur.execute(
            f"WITH able AS ({able_sql}), emp AS (SELECT DISTINCT k FROM ({emp_sql}) e0), "
            f"work AS ({work_sql}) "
            "SELECT (SELECT COUNT(*) FROM able), "
            "(SELECT COUNT(*) FROM able WHERE k IN (SELECT k FROM emp)), "
            "(SELECT COUNT(*) FROM emp), "
            "(SELECT COUNT(*) FROM emp WHERE k IN (SELECT k FROM work))",
            [*able_params, *emp_params, *work_params])
        n_able, n_participating, n_emp, n_work = (int(x) for x in cur.fetchone())
    agg = {"emp": n_emp, "work": n_work}
    able_agg = {"able": n_able, "participating": n_participating}
    others = {"n": 0, "earners": 0}
    for part in c.other_households_parts(office, end):
        counts = part.aggregate(n=Count("pk"), earners=Count("pk", filter=c.has_earner()))
        others["n"] += counts["n"]
        others["earners"] += counts["earners"]
    return {
        "participation": {"label": "事業参加率", "numerator": able_agg["participating"],
                          "denominator": able_agg["able"],
                          "rate": _rate(able_agg["participating"], able_agg["able"]),
                          "numerator_figure": "kpi_participating",
                          "denominator_figure": "kpi_able", "national_target": 65.0},
        "employment": {"label": "就労・増収率", "numerator": agg["work"], "denominator": agg["emp"],
                       "rate": _rate(agg["work"], agg["emp"]),
                       "numerator_figure": "kpi_work",
                       "denominator_figure": "kpi_emp_participants", "national_target": 50.0},
        "other_households": {"label": "「その他の世帯」就労率", "numerator": others["earners"],
                             "denominator": others["n"], "rate": _rate(others["earners"], others["n"]),
                             "numerator_figure": "kpi_other_earners",
                             "denominator_figure": "kpi_other_households",
                             "national_target": 45.0},
    }


def caseload(office: Office, period: Period) -> dict[str, Any]:
    """Open cases (世帯) per caseworker at the period end against 社会福祉法16条's standard."""
    counts: dict[int | None, int] = dict(Household.objects.filter(office=office).filter(c.household_open_at(period.end))
                  .order_by().values("caseworker_id").annotate(n=Count("pk"))
                  .values_list("caseworker_id", "n"))
    caseworker_ids = set(Membership.objects.filter(
        office=office, role=Membership.Role.CASEWORKER, is_active=True).values_list("user_id", flat=True))
    ids = caseworker_ids | {k for k in counts if k is not None}
    # Names only (a large office has a thousand caseworkers: no model instances, and the ids
    # as one array parameter rather than a thousand quoted IN values).
    users = {pk: display or username for pk, display, username in
             User.objects.filter(pk__any=sorted(ids)).values_list("pk", "display_name", "username")}
    standard = office.standard_caseload
    rows: list[dict[str, Any]] = [
        {"user_id": uid, "name": users[uid], "households": counts.get(uid, 0),
         "standard": standard, "over": counts.get(uid, 0) > standard,
         "excess": max(counts.get(uid, 0) - standard, 0),
         "ratio": _rate(counts.get(uid, 0), standard)} for uid in ids if uid in users]
    rows.sort(key=lambda r: (-r["households"], r["name"]))
    staffed = [r for r in rows if r["user_id"] in caseworker_ids]
    open_total = sum(counts.values())
    return {"standard": standard, "office_kind": office.get_kind_display(), "rows": rows,
            "unassigned": counts.get(None, 0), "open_households": open_total,
            "caseworkers": len(staffed),
            "average": round(open_total / len(staffed), 1) if staffed else None,
            "over_count": sum(1 for r in rows if r["over"]),
            "needed_caseworkers": -(-open_total // standard) if standard else 0}


def _transfers(office: Office, period: Period, names: dict[int, str],
               program: Program | None) -> list[dict[str, Any]]:
    """Moves between programs in the period: episodes opened by a transfer (移行元 → 移行先),
    and 移行 outcomes (``moved_to_program``) recorded without one — the outcome chart counts
    those too, so both charts tell the same moves (the destination is then the outcome's
    name: a support outside the office's program catalogue, or a transfer not yet entered)."""
    qs = c.enrollments(office).filter(moved_from__isnull=False, candidate_on__gte=period.start,
                                      candidate_on__lte=period.end)
    if program is not None:
        qs = qs.filter(Q(program=program) | Q(moved_from__program=program))
    rows = (qs.values("moved_from__program_id", "program_id")
            .annotate(n=Count("person", distinct=True)).order_by("-n"))
    out = [{"from_id": r["moved_from__program_id"], "to_id": r["program_id"],
            "from": names.get(r["moved_from__program_id"], ""), "to": names.get(r["program_id"], ""),
            "n": r["n"]} for r in rows]
    outcomes = (c.outcomes(office, period.start, period.end)
                .filter(outcome_type__kind=OutcomeKind.MOVED_TO_PROGRAM,
                        enrollment__moved_to__isnull=True))
    if program is not None:
        outcomes = outcomes.filter(enrollment__program=program)
    for r in (outcomes.values("enrollment__program_id", "outcome_type__name")
              .annotate(n=Count("enrollment__person", distinct=True))):
        out.append({"from_id": r["enrollment__program_id"], "to_id": None,
                    "from": names.get(r["enrollment__program_id"], ""),
                    "to": f"{r['outcome_type__name']}（移行先の参加登録なし）", "n": r["n"]})
    return sorted(out, key=lambda t: -t["n"])


def _monthly(office: Office, period: Period, program: Program | None) -> list[dict[str, Any]]:
    """Participants and achievers per calendar month: one query per table, one
    COUNT(DISTINCT CASE …) column per month (the ORM would spend longer compiling it)."""
    months = period.months()
    if not months:
        return []
    part_cols, ach_cols, part_params, ach_params = [], [], [], []
    for i, (s, e) in enumerate(months):
        part_cols.append(f"COUNT(DISTINCT CASE WHEN e.started_on <= %s AND (e.ended_on IS NULL "
                         f"OR e.ended_on >= %s) THEN e.person_id END) AS m{i}")
        part_params += [e, s]
        ach_cols.append(f"COUNT(DISTINCT CASE WHEN o.occurred_on >= %s AND o.occurred_on <= %s "
                        f"THEN e.person_id END) AS m{i}")
        ach_params += [s, e]
    where_program = " AND e.program_id = %s" if program is not None else ""
    extra = [program.pk] if program is not None else []
    enrollment = Enrollment._meta.db_table
    outcome = Outcome._meta.db_table
    outcome_type = OutcomeType._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join(part_cols)} FROM {enrollment} e WHERE e.office_id = %s "
            "AND e.started_on IS NOT NULL AND e.started_on <= %s "
            f"AND (e.ended_on IS NULL OR e.ended_on >= %s){where_program}",
            [*part_params, office.pk, period.end, period.start, *extra])
        part = cur.fetchone()
        cur.execute(
            f"SELECT {', '.join(ach_cols)} FROM {outcome} o "
            f"JOIN {enrollment} e ON e.id = o.enrollment_id "
            f"JOIN {outcome_type} t ON t.id = o.outcome_type_id "
            "WHERE e.office_id = %s AND t.counts_as_achievement = %s "
            f"AND o.occurred_on >= %s AND o.occurred_on <= %s{where_program}",
            [*ach_params, office.pk, True, period.start, period.end, *extra])
        ach = cur.fetchone()
    today = clock.today()
    # Months that have not begun yet are left empty rather than showing open episodes
    # carried forward (the current fiscal year's later months).
    return [{"month": s.strftime("%Y-%m"), "label": f"{s.month}月",
             "wareki": wareki.format_wareki_month(s), "start": s.isoformat(), "end": e.isoformat(),
             "future": s > today,
             "participants": 0 if s > today else int(part[i] or 0),
             "achieved": 0 if s > today else int(ach[i] or 0)}
            for i, (s, e) in enumerate(months)]


def _histogram(days: list[int]) -> list[dict[str, Any]]:
    bins = []
    low = 0
    for upper, label in TIME_BINS:
        n = sum(1 for d in days if d >= low and (upper is None or d <= upper))
        bins.append({"label": label, "from": low, "to": upper, "n": n})
        low = (upper or 0) + 1
    return bins


def _named(mapping: dict[str, int], labels: dict[str, str]) -> list[dict[str, Any]]:
    order = list(labels)
    return [{"key": k, "label": labels.get(k, "不明"), "n": n}
            for k, n in sorted(mapping.items(), key=lambda kv: (order.index(kv[0])
                                                               if kv[0] in order else 99))]


def office_report(office: Office, period: Period, program: Program | None = None) -> dict[str, Any]:
    """Everything on the report page, in one JSON-serialisable dict."""
    programs = _programs(office, program)
    per, total = _fill(office, period.start, period.end, programs, program)
    targets = _targets(office, period, program)
    names = {p.pk: p.name for p in (programs if program is None else
                                     Program.objects.filter(office=office))}
    effects = fx.office_effects(office, period, programs, program)
    program_rows = []
    for p in programs:
        f = per[p.pk]
        program_rows.append({
            "id": p.pk, "code": p.code, "name": p.name, "kind": p.kind,
            "kind_label": p.get_kind_display(), "legal_basis": p.legal_basis,
            "is_employment": p.is_employment,
            "is_active": p.is_active,
            "established_on": p.established_on.isoformat(),
            "established_label": wareki.format_wareki_month(p.established_on),
            **{k: f[k] for k in PROGRAM_FIGURES},
            "ended_by_reason": _named(f["ended_by_reason"], REASON_LABELS),
            "outcomes_by_kind": _named(f["outcomes_by_kind"], KIND_LABELS),
            "destinations": _named(f["destinations"], DESTINATION_LABELS),
            "results": _named(f["results"], RESULT_LABELS),
            "median_days_to_achievement": f["median_days_to_achievement"],
            "targets": [t for t in targets if t["program_id"] == p.pk],
            "effects": effects["programs"][p.pk],
        })
    report: dict[str, Any] = {
        "office": {"id": office.pk, "code": office.code, "name": office.name,
                   "municipality": office.municipality},
        "period": period.as_dict(),
        "program_id": program.pk if program else None,
        "programs": program_rows,
        "totals": {
            **{k: total[k] for k in PROGRAM_FIGURES},
            "ended_by_reason": _named(total["ended_by_reason"], REASON_LABELS),
            "outcomes_by_kind": _named(total["outcomes_by_kind"], KIND_LABELS),
            "destinations": _named(total["destinations"], DESTINATION_LABELS),
            "results": _named(total["results"], RESULT_LABELS),
            "median_days_to_achievement": total["median_days_to_achievement"],
            "effects": effects["totals"],
        },
        "effects_horizon": effects["horizon"],
        "targets": targets,
        "transfers": _transfers(office, period, names, program),
        "monthly": _monthly(office, period, program),
        "time_to_achievement": _histogram(total["achievement_days"]),
    }
    if program is None:
        report["kpis"] = kpis(office, period)
        report["caseload"] = caseload(office, period)
    else:
        report["effects_series"] = fx.program_series(office, program, period)
    return report


# ---- the people behind a figure ---------------------------------------------------------


def people_for(office: Office, period: Period, figure: str, *, program_id: int | None = None,
               key: str = "", to_program_id: int | None = None) -> QuerySet[Person]:
    """The people a figure counts, by the same rule as the count. ``key`` narrows a
    breakdown figure: an end reason (ended), an outcome kind (outcome) or a destination."""
    start, end = period.start, period.end
    enr = c.enrollments(office)
    out = c.outcomes(office, start, end)
    if program_id is not None:
        enr, out = enr.filter(program_id=program_id), out.filter(enrollment__program_id=program_id)
    people = Person.objects.filter(office=office)
    ids: QuerySet[Any]
    if figure == "participants":
        ids = enr.filter(c.active_in(start, end)).values("person_id")
    elif figure == "started":
        ids = enr.filter(c.started_in(start, end)).values("person_id")
    elif figure == "ended":
        qs = enr.filter(c.ended_in(start, end))
        ids = (qs.filter(end_reason=key) if key else qs).values("person_id")
    elif figure == "continuing":
        ids = enr.filter(c.continuing_at(end)).values("person_id")
    elif figure == "achieved":
        ids = out.filter(_achieved_q()).values("enrollment__person_id")
    elif figure == "outcome":
        ids = out.filter(kind=key).values("enrollment__person_id")
    elif figure == "destination":
        ids = (out.filter(kind=OutcomeKind.DISCHARGE, destination="" if key == "unknown" else key)
               .values("enrollment__person_id"))
    elif figure == "result":
        sorts = latest_sorts(office.pk, start, end, program_id=program_id)
        ids = (sorts.filter(result=key) if key else sorts).values("enrollment__person_id")
    elif figure == "eligible":
        ledger, nominated, enrolled = c.eligible_sources(office, start, end)
        if program_id is not None:
            ledger, nominated, enrolled = (ledger.filter(ledger__program_id=program_id),
                                           nominated.filter(program_id=program_id),
                                           enrolled.filter(program_id=program_id))
        return people.filter(Q(pk__in=ledger.values("person_id"))
                             | Q(pk__in=nominated.values("person_id"))
                             | Q(pk__in=enrolled.values("person_id")))
    elif figure == "transfer":
        moves = c.enrollments(office).filter(moved_from__isnull=False, candidate_on__gte=start,
                                             candidate_on__lte=end)
        # Both ends name a program; a move from or to no program matches nobody.
        ids = (moves.filter(moved_from__program_id=program_id, program_id=to_program_id)
               if program_id is not None and to_program_id is not None
               else moves.none()).values("person_id")
    elif figure in fx.EFFECT_FIGURES:
        return people.filter(pk__in=fx.effect_people_ids(office, period, figure, program_id, key))
    elif figure == "kpi_able":
        return c.able_to_work(office, end)
    elif figure == "kpi_participating":
        return c.able_to_work(office, end).filter(
            pk__in=c.employment_participant_ids(office, start, end))
    elif figure == "kpi_emp_participants":
        ids = c.employment_participant_ids(office, start, end)
    elif figure == "kpi_work":
        return people.filter(pk__in=c.employment_participant_ids(office, start, end)).filter(
            pk__in=c.work_outcome_ids(office, start, end))
    elif figure == "kpi_other_households":
        return people.filter(household__in=c.other_households(office, end).values("pk"))
    elif figure == "kpi_other_earners":
        return people.filter(household__in=c.other_households_with_earner(office, end).values("pk"))
    else:
        raise KeyError(figure)
    return people.filter(pk__in=ids)


def figure_label(figure: str, key: str = "") -> str:
    label = FIGURE_LABELS.get(figure, figure)
    extra = (REASON_LABELS.get(key) if figure == "ended" else KIND_LABELS.get(key)
             if figure == "outcome" else RESULT_LABELS.get(key, "")
             if figure == "result" else DESTINATION_LABELS.get(key, "不明")
             if figure == "destination" else f"{key}か月の比較がそろった方"
             if figure == "effect_medical" and key in ("6", "12") else "") if key else ""
    return f"{label}（{extra}）" if extra else label


# ---- frozen reports: figure-by-figure differences ---------------------------------------

EFFECT_FLAT = (
    ("work", "就労・増収者数"), ("income_increase", "就労収入認定額の増加（月額計）"),
    ("effect_12", "効果額（12か月）"), ("effect_to_end", "効果額（年度末まで）"),
    ("closed_by_work", "就労による保護廃止"),
    ("m6.cost_change", "医療費の増減（6か月）"), ("m12.cost_change", "医療費の増減（12か月）"),
    ("m6.days_avoided", "減った入院日数（6か月）"), ("m12.days_avoided", "減った入院日数（12か月）"),
)


def flatten(report: dict[str, Any]) -> dict[str, tuple[str, float | int | None]]:
    """{stable key: (Japanese label, value)} for every number a report shows."""
    flat: dict[str, tuple[str, float | int | None]] = {}

    def add(prefix: str, label: str, figures: dict[str, Any]) -> None:
        for k in PROGRAM_FIGURES:
            flat[f"{prefix}.{k}"] = (f"{label} {FIGURE_LABELS[k]}", figures.get(k))
        for section, title in (("ended_by_reason", "終了理由"), ("outcomes_by_kind", "成果"),
                               ("destinations", "退院先"), ("results", "結果検討会")):
            for item in figures.get(section, []):
                flat[f"{prefix}.{section}.{item['key']}"] = (
                    f"{label} {title}「{item['label']}」", item["n"])
        flat[f"{prefix}.median_days_to_achievement"] = (
            f"{label} 達成までの日数（中央値）", figures.get("median_days_to_achievement"))
        effects = figures.get("effects")
        if effects:
            for path, title in EFFECT_FLAT:
                value: Any = effects
                for part in path.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
                flat[f"{prefix}.effects.{path}"] = (f"{label} {title}", value)

    add("totals", "全体", report.get("totals", {}))
    for p in report.get("programs", []):
        add(f"programs.{p['code']}", p["name"], p)
    for t in report.get("targets", []):
        flat[f"targets.{t['id']}.progress"] = (f"{t['program_name']} 目標「{t['label']}」実績",
                                               t["progress"])
    for key, kpi in (report.get("kpis") or {}).items():
        flat[f"kpis.{key}.numerator"] = (f"{kpi['label']} 分子", kpi["numerator"])
        flat[f"kpis.{key}.denominator"] = (f"{kpi['label']} 分母", kpi["denominator"])
        flat[f"kpis.{key}.rate"] = (f"{kpi['label']}（％）", kpi["rate"])
    return flat


def deltas(frozen: dict[str, Any], current: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure whose value differs between the frozen and the current report. A report
    frozen before the effects section existed is not compared on it (it did not submit it)."""
    before, after = flatten(frozen), flatten(current)
    had_effects = any(".effects." in k for k in before)
    rows = []
    for key in [*before, *(k for k in after if k not in before
                           and (had_effects or ".effects." not in k))]:
        label, old = before.get(key, (after.get(key, ("", None))[0], None))
        new = after.get(key, (label, None))[1]
        if (old or 0) != (new or 0):
            diff = round((new or 0) - (old or 0), 1)
            rows.append({"key": key, "label": label, "frozen": old, "current": new,
                         "delta": int(diff) if float(diff).is_integer() else diff})
    return rows


__all__ = ["Period", "caseload", "deltas", "figure_label", "flatten", "kpis", "office_report",
           "people_for"]
