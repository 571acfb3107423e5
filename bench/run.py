"""Benchmark cases, run inside one Django process against one database.

Normally started by ``python -m bench`` (one child process per database size); can be
run directly: ``python -m bench.run --database-url URL --size large``.

Every case times Jiritsu's real code path — services, selectors, views through Django's
test Client with a logged-in user, API endpoints, gunicorn for the load test — never a
copy of its logic. Where one hand-written SQL query gives the same answer, it runs in
the same loop (interleaved) and the answer is checked to be the same.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.processes import children
from bench.timing import Result, Skip
from jiritsu.core import clock


@dataclass
class Context:
    size: str
    repeat: int
    locust_seconds: int
    locust_users: int
    think_seconds: float
    workers: int
    import_rows: int
    office: Any
    caseworker: Any
    supervisor: Any
    manager: Any
    people: list[int]

    def client(self, user: Any) -> Any:
        from django.test import Client

        c = Client()
        c.force_login(user)
        return c


def build_context(args: argparse.Namespace) -> Context:
    from django.db import connection
    from django_scopes import scopes_disabled

    from jiritsu.offices.models import Membership, Office, User

    with scopes_disabled(), connection.cursor() as cur:
        cur.execute(
            "SELECT office_id FROM people_household GROUP BY office_id ORDER BY COUNT(*) DESC, "
            "office_id LIMIT 1")
        row = cur.fetchone()
        if row is None:
            raise SystemExit("no households in this database: generate data first "
                             "(python -m bench.generate)")
        office = Office.objects.get(pk=row[0])
        cur.execute(
            "SELECT h.caseworker_id FROM people_household h JOIN offices_membership m "
            "ON m.user_id = h.caseworker_id AND m.office_id = h.office_id "
            "AND m.role = 'caseworker' AND m.is_active "
            "WHERE h.office_id = %s AND h.assistance_ended_on IS NULL "
            "GROUP BY h.caseworker_id ORDER BY COUNT(*) DESC, h.caseworker_id LIMIT 1",
            [office.pk])
        caseworker = User.objects.get(pk=cur.fetchone()[0])

        def first(role: str) -> Any:
            m = (Membership.objects.filter(office=office, role=role, is_active=True)
                 .select_related("user").order_by("id").first())
            if m is None:
                raise SystemExit(f"office {office.code} has no {role}")
            return m.user

        cur.execute(
            "SELECT p.id FROM people_person p JOIN people_household h ON h.id = p.household_id "
            "WHERE h.office_id = %s AND h.caseworker_id = %s ORDER BY p.id",
            [office.pk, caseworker.pk])
        people = [r[0] for r in cur.fetchall()]
        return Context(args.size, args.repeat, args.locust_seconds, args.locust_users,
                       args.think_seconds,
                       args.workers, args.import_rows, office, caseworker, first("supervisor"), first("manager"),
                       people)


# -- helpers ------------------------------------------------------------------------------

def _sql(query: str, params: list[Any]) -> Callable[[], list[tuple[Any, ...]]]:
    from django.db import connection

    def run() -> list[tuple[Any, ...]]:
        with connection.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    return run


def _get(client: Any, url: str, *, expect: int = 200) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url)
        if response.status_code != expect:
            raise AssertionError(f"GET {url} answered {response.status_code}")
        return response

    return run


def _reverse(name: str, *args: Any) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch as exc:
        raise Skip(f"URL {name!r} not there yet") from exc


CASES: list[tuple[str, Callable[[Context, Result], None]]] = []


def case(name: str, target: str = "") -> Callable[[Callable[[Context, Result], None]],
                                                    Callable[[Context, Result], None]]:
    def register(fn: Callable[[Context, Result], None]) -> Callable[[Context, Result], None]:
        fn.target = target  # type: ignore[attr-defined]
        CASES.append((name, fn))
        return fn

    return register


# -- cases --------------------------------------------------------------------------------

@case("caseworker home", "p95 < 100 ms")
def case_home(ctx: Context, r: Result) -> None:
    from django.db import connection

    client = ctx.client(ctx.caseworker)
    query = (
        "SELECT h.id, h.case_number, h.household_type, h.district, u.display_name, v.code, "
        "COUNT(p.id) FROM people_household h "
        "LEFT JOIN offices_user u ON u.id = h.caseworker_id "
        "LEFT JOIN people_visitgrade v ON v.id = h.visit_grade_id "
        "LEFT JOIN people_person p ON p.household_id = h.id "
        "WHERE h.office_id = %s AND h.caseworker_id = %s AND h.assistance_ended_on IS NULL "
        "GROUP BY h.id, u.display_name, v.code ORDER BY h.case_number")
    _, rows = _measure(r, ctx, _get(client, "/"), _sql(query, [ctx.office.pk, ctx.caseworker.pk]))
    r.extra["households_shown"] = len(rows)
    r.note = f"{len(rows)} households on the page; SQL = the caseload query alone"
    del connection


@case("person page", "p95 < 100 ms")
def case_person(ctx: Context, r: Result) -> None:
    client = ctx.client(ctx.caseworker)
    rng = random.Random(7)
    people = rng.sample(ctx.people, k=min(len(ctx.people), 50)) or [0]
    i = iter(range(10**9))

    def one() -> Any:
        pk = people[next(i) % len(people)]
        return _get(client, _reverse("people:person", pk))()

    _measure(r, ctx, one)
    r.note = f"{len(people)} different people of one caseworker, in turn (view is audited)"


@case("program board", "p95 < 100 ms")
def case_board(ctx: Context, r: Result) -> None:
    from django_scopes import scope

    from jiritsu.programs.models import Program

    with scope(office=ctx.office):
        program = Program.objects.filter(office=ctx.office).order_by("code").first()
    if program is None:
        raise Skip("no program in this office")
    url = None
    for name in ("programs:board", "programs:program_board", "programs:detail",
                 "programs:program"):
        try:
            url = _reverse(name, program.pk)
            break
        except Skip:
            continue
    if url is None:
        raise Skip("program board URL not there yet")
    client = ctx.client(ctx.supervisor)
    _measure(r, ctx, _get(client, url))
    r.note = f"{url} ({program.name}), as supervisor"


@case("program board, largest program", "p95 < 100 ms")
def case_board_largest(ctx: Context, r: Result) -> None:
    from django.db.models import Count, Q
    from django_scopes import scope

    from jiritsu.programs.models import Program

    with scope(office=ctx.office):
        program = (Program.objects.filter(office=ctx.office)
                   .annotate(n=Count("enrollments", filter=~Q(enrollments__status="ended")))
                   .order_by("-n", "code").first())
    if program is None:
        raise Skip("no program in this office")
    url = _reverse("programs:detail", program.pk)
    client = ctx.client(ctx.caseworker)
    _measure(r, ctx, _get(client, url))
    r.note = (f"{url} ({program.name}, {program.n:,} episodes not ended, 20 cards per column), "
              f"as caseworker")


@case("CPU per page (app + DB, in process)", "mix <= 20 ms")
def case_cpu_per_page(ctx: Context, r: Result) -> None:
    """The load test's pages one at a time, CPU read from the operating system
    (bench/cpu.py): the frame, person page, caseworker home, program board and search."""
    from bench.cpu import case_cpu

    case_cpu(ctx, r)


@case("throughput per page (wrk)", "frame >= 600 req/s; person, home >= 100 req/s")
def case_wrk_pages(ctx: Context, r: Result) -> None:
    """The frame, person page and caseworker home with wrk against gunicorn (4 workers), with
    the CPU each request cost on the app server, in PostgreSQL and in wrk (bench/cpu.py)."""
    from bench.cpu import case_wrk

    case_wrk(ctx, r)


@case("program list", "p95 < 100 ms")
def case_program_list(ctx: Context, r: Result) -> None:
    client = ctx.client(ctx.supervisor)
    _measure(r, ctx, _get(client, _reverse("programs:list")))


@case("office report (fiscal year)", "p95 < 500 ms")
def case_office_report(ctx: Context, r: Result) -> None:

    from jiritsu.core.wareki import fiscal_year_of

    fy = fiscal_year_of(clock.today())
    client = ctx.client(ctx.manager)
    _measure(r, ctx, _get(client, f"{_reverse('reports:report')}?fy={fy}"))
    r.note = (f"/reports/?fy={fy} as manager: every figure, KPIs, caseload, the effects "
              "section (yen and hospital days), 4 SVG charts")

def _membership(ctx: Context, user: Any) -> Any:
    from jiritsu.offices.models import Membership

    return Membership.objects.select_related("office", "user").get(user=user, office=ctx.office)


def _as_of() -> Any:

    return clock.today()


def _fiscal_year(day: Any) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _rolled_back(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``fn`` in a transaction that is rolled back, so a write can be timed again."""
    from django.db import transaction

    def run() -> Any:
        with transaction.atomic():
            value = fn()
            transaction.set_rollback(True)
        return value

    return run


EMP_SQL = """
SELECT p.id FROM people_person p JOIN people_household h ON h.id = p.household_id
WHERE p.office_id = %(office)s
  AND (h.assistance_started_on IS NULL OR h.assistance_started_on <= %(as_of)s)
  AND (h.assistance_ended_on IS NULL OR h.assistance_ended_on > %(as_of)s)
  AND p.birth_date <= %(born_by)s AND p.birth_date > %(born_after)s
  AND h.household_type IN ('other', 'single_mother', 'sick')
  AND p.employment_status IN ('not_working', 'job_seeking')
  AND (SELECT a.has_capacity FROM people_workcapacityassessment a
       WHERE a.person_id = p.id AND a.assessed_on <= %(as_of)s
       ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1)
ORDER BY p.id
"""


@case("screening one program (preview)", "< 1 s")
def case_screening(ctx: Context, r: Result) -> None:
    try:
        from jiritsu.programs import screening
    except ImportError as exc:
        raise Skip("screening (jiritsu.programs.screening) not there yet") from exc
    from django_scopes import scope

    from jiritsu.core.wareki import add_months
    from jiritsu.programs.models import Program

    as_of = _as_of()
    with scope(office=ctx.office):
        program = Program.objects.get(office=ctx.office, code="EMP")
        params = {"office": ctx.office.pk, "as_of": as_of,
                  "born_by": add_months(as_of, -12 * 15), "born_after": add_months(as_of, -12 * 65)}
        # What the screening page does: counts for everyone, reasons for one page of 50.
        preview, rows = _measure(r, ctx, lambda: screening.preview(program, as_of, limit=50),
                                 _sql(EMP_SQL, params), repeat=min(ctx.repeat, 5))
        ours = sorted(screening.matching(program, as_of).values_list("pk", flat=True))
    theirs = [row[0] for row in rows]
    same = ours == theirs and preview.total == len(theirs)
    r.extra = {"matched": preview.total, "population": preview.population, "same_answer": same,
               "shown": len(preview.candidates)}
    r.note = (f"{program.name}: {preview.total:,} of {preview.population:,} people match, "
              f"first {len(preview.candidates)} with reasons (the page); SQL = the matching ids "
              f"only; same answer: {'yes' if same else 'NO'}")


@case("screening one program (count)", "< 1 s")
def case_screening_count(ctx: Context, r: Result) -> None:
    try:
        from jiritsu.programs import screening
    except ImportError as exc:
        raise Skip("screening (jiritsu.programs.screening) not there yet") from exc
    from django_scopes import scope

    from jiritsu.programs.models import Program

    as_of = _as_of()
    with scope(office=ctx.office):
        program = Program.objects.get(office=ctx.office, code="DIS")
        n, _ = _measure(r, ctx, lambda: screening.matching(program, as_of).count())
    r.note = f"{program.name}: matching(...).count() = {n:,}"


REPORT_SQL = """
WITH e AS (SELECT * FROM programs_enrollment WHERE office_id = %(office)s),
fig AS (
  SELECT program_id,
    COUNT(DISTINCT person_id) FILTER (WHERE started_on IS NOT NULL AND started_on <= %(end)s
        AND (ended_on IS NULL OR ended_on >= %(start)s)) AS participants,
    COUNT(DISTINCT person_id) FILTER (WHERE started_on BETWEEN %(start)s AND %(end)s) AS started,
    COUNT(DISTINCT person_id) FILTER (WHERE status = 'ended' AND started_on IS NOT NULL
        AND ended_on BETWEEN %(start)s AND %(end)s) AS ended,
    COUNT(DISTINCT person_id) FILTER (WHERE started_on IS NOT NULL AND started_on <= %(end)s
        AND (ended_on IS NULL OR ended_on > %(end)s)) AS continuing
  FROM e GROUP BY program_id),
ach AS (
  SELECT e.program_id, COUNT(DISTINCT e.person_id) AS achieved
  FROM programs_outcome o JOIN e ON e.id = o.enrollment_id
  JOIN programs_outcometype t ON t.id = o.outcome_type_id
  WHERE o.occurred_on BETWEEN %(start)s AND %(end)s AND t.counts_as_achievement
  GROUP BY e.program_id),
elig AS (
  SELECT p, COUNT(DISTINCT q) AS eligible FROM (
    SELECT l.program_id AS p, le.person_id AS q FROM programs_ledgerentry le
      JOIN programs_screeningledger l ON l.id = le.ledger_id
      WHERE l.office_id = %(office)s AND l.as_of BETWEEN %(start)s AND %(end)s
    UNION SELECT program_id, person_id FROM programs_nomination
      WHERE office_id = %(office)s AND nominated_on BETWEEN %(start)s AND %(end)s
    UNION SELECT program_id, person_id FROM e
      WHERE candidate_on BETWEEN %(start)s AND %(end)s
         OR (started_on IS NOT NULL AND started_on <= %(end)s
             AND (ended_on IS NULL OR ended_on >= %(start)s))
  ) u GROUP BY p)
SELECT pr.id, COALESCE(elig.eligible, 0), COALESCE(fig.participants, 0),
       COALESCE(fig.started, 0), COALESCE(fig.ended, 0), COALESCE(fig.continuing, 0),
       COALESCE(ach.achieved, 0)
FROM programs_program pr
LEFT JOIN fig ON fig.program_id = pr.id LEFT JOIN ach ON ach.program_id = pr.id
LEFT JOIN elig ON elig.p = pr.id
WHERE pr.office_id = %(office)s ORDER BY pr.code
"""
REPORT_FIGURES = ("eligible", "participants", "started", "ended", "continuing", "achieved")


def _report_fn() -> tuple[Callable[..., Any], Any]:
    try:
        from jiritsu.reports.figures import office_report
        from jiritsu.reports.periods import Period
    except ImportError as exc:
        raise Skip("office report (jiritsu.reports.figures) not there yet") from exc
    return office_report, Period


def _sqls(*queries: tuple[str, dict[str, Any]]) -> Callable[[], list[list[tuple[Any, ...]]]]:
    """Several hand-written queries run one after the other: their answers, in order."""
    runs = [_sql(q, p) for q, p in queries]  # type: ignore[arg-type]

    def run() -> list[list[tuple[Any, ...]]]:
        return [r() for r in runs]

    return run


def _kpi_tuple(kpis: dict[str, Any]) -> tuple[int, ...]:
    return (kpis["participation"]["denominator"], kpis["participation"]["numerator"],
            kpis["employment"]["denominator"], kpis["employment"]["numerator"],
            kpis["other_households"]["denominator"], kpis["other_households"]["numerator"])


@case("office report, fiscal year", "< 500 ms, <= 1.5x SQL")
def case_report(ctx: Context, r: Result) -> None:
    import statistics

    from django.db import connection
    from django_scopes import scope

    from bench import reference_sql as ref

    office_report, period_cls = _report_fn()
    fy = _fiscal_year(_as_of()) - 1  # the last complete fiscal year
    period = period_cls.for_fiscal_year(fy)
    params = {"office": ctx.office.pk, "start": period.start, "end": period.end,
              "start_month": period.start.replace(day=1), "end_month": period.end.replace(day=1)}
    months = period.months()
    part_sql, ach_sql, part_params, ach_params = ref.monthly_sql(months)
    sql = _sqls((REPORT_SQL, params), (ref.for_office(ref.KPI_SQL), params),
                (ref.for_office(ref.CASELOAD_SQL), params), (ref.BREAKDOWN_SQL, params),
                (ref.ELIGIBLE_TOTAL_SQL, params), (ref.FIRST_ACHIEVEMENT_SQL, params),
                (ref.TRANSFERS_SQL, params),
                (part_sql, [*part_params, ctx.office.pk, period.end, period.start]),  # type: ignore[arg-type]
                (ach_sql, [*ach_params, ctx.office.pk, period.start, period.end]),  # type: ignore[arg-type]
                *((q, params) for q in ref.effects_sql(connection.vendor)))
    with scope(office=ctx.office):
        report, answers = _measure(r, ctx, lambda: office_report(ctx.office, period), sql,
                                   repeat=min(ctx.repeat, 10))
    (rows, kpi_rows, caseload_rows, breakdown, eligible_total, firsts, transfers, part,
     ach, *effect_answers) = answers
    checks: dict[str, bool] = {}
    ours = [(p["id"], *(p[k] for k in REPORT_FIGURES)) for p in report["programs"]]
    checks["program table"] = ours == [tuple(row) for row in rows]
    checks["KPIs"] = _kpi_tuple(report["kpis"]) == tuple(int(x) for x in kpi_rows[0])
    caseload = {row["user_id"]: row["households"] for row in report["caseload"]["rows"]
                if row["households"]}
    if report["caseload"]["unassigned"]:
        caseload[None] = report["caseload"]["unassigned"]
    checks["caseload"] = caseload == {cw: int(n) for cw, n in caseload_rows}
    # Breakdowns: {(figure, program or None, key): n}.
    theirs = {(f, pid, k): int(n) for f, pid, k, n in breakdown}
    mine: dict[tuple[Any, Any, Any], int] = {("achieved", None, None): report["totals"]["achieved"]}
    for pid, block in [*((p["id"], p) for p in report["programs"]), (None, report["totals"])]:
        for figure, key in (("ended", "ended_by_reason"), ("kind", "outcomes_by_kind"),
                            ("dest", "destinations")):
            for item in block[key]:
                mine[(figure, pid, item["key"])] = item["n"]
    checks["breakdowns"] = mine == theirs
    checks["対象者 total"] = report["totals"]["eligible"] == int(eligible_total[0][0])
    days: dict[Any, list[int]] = {}
    for pid, started, first in firsts:
        d = max((_as_date(first) - _as_date(started)).days, 0)
        days.setdefault(pid, []).append(d)
        days.setdefault(None, []).append(d)

    def med(values: list[int]) -> float | None:
        return float(statistics.median(values)) if values else None

    checks["days to achievement"] = all(
        p["median_days_to_achievement"] == med(days.get(p["id"], [])) for p in report["programs"]
    ) and report["totals"]["median_days_to_achievement"] == med(days.get(None, []))
    checks["transfers"] = sorted((t["from_id"], t["to_id"], t["n"]) for t in report["transfers"]) \
        == sorted((int(a), int(b), int(n)) for a, b, n in transfers)
    checks["monthly"] = [(m["participants"], m["achieved"]) for m in report["monthly"]] == [
        (int(a or 0), int(b or 0)) for a, b in zip(part[0], ach[0], strict=True)]
    blocks = [*((p["id"], p["effects"]) for p in report["programs"]),
              (None, report["totals"]["effects"])]
    checks["effects (every figure)"] = effects_figures(blocks) == reference_effects(*effect_answers)
    same = all(checks.values())
    fx = report["totals"]["effects"]
    r.extra = {"fiscal_year": fy, "same_answer": same, "checks": checks, "programs": ours,
               "kpis": _kpi_tuple(report["kpis"]),
               "effects": {k: fx[k] for k in ("work", "amount_households", "effect_12",
                                              "effect_to_end", "closed_by_work",
                                              "medical_people")},
               "effects_horizon": report["effects_horizon"]}
    wrong = ", ".join(k for k, ok in checks.items() if not ok)
    r.note = (f"FY{fy}, {len(ours)} programs, effects of {fx['work']} 就労・増収 "
              f"({fx['amount_households']} households, 効果額 {fx['effect_12']:,} yen) and "
              f"{fx['medical_people']} medical comparisons; SQL = every figure of the report in 12 "
              f"hand-written queries (program table, KPIs, caseload, breakdowns, 対象者 total, days to "
              f"achievement, transfers, monthly series, and the effects: counts, money, medical); "
              f"same answer: "
              f"{'yes' if same else 'NO (' + wrong + ')'}")


def effects_figures(blocks: list[tuple[int | None, dict[str, Any]]]) -> dict[tuple[Any, str], int]:
    """{(program or None, figure): value} of the report's effects sections, zeros left out
    (the figures the hand-written effects statements compute; the rest are arithmetic on
    them: averages, changes, days avoided)."""
    from bench import reference_sql as ref

    out: dict[tuple[Any, str], int] = {}
    for pid, fx in blocks:
        for figure in ("work", "closed_by_work", *ref.EFFECT_MONEY_FIGURES,
                       *ref.EFFECT_MEDICAL_FIGURES):
            value: Any = fx
            for part in figure.split("."):
                value = value[part]
            if value:
                out[(pid, figure)] = int(value)
    return out


def reference_effects(counts: list[tuple[Any, ...]], money: list[tuple[Any, ...]],
                      medical: list[tuple[Any, ...]]) -> dict[tuple[Any, str], int]:
    """The same dict from the rows of the three hand-written effects statements."""
    from bench import reference_sql as ref

    out: dict[tuple[Any, str], int] = {}
    for figure, pid, n in counts:
        if n:
            out[(pid, "work" if figure == "work" else "closed_by_work")] = int(n)
    for rows, names in ((money, ref.EFFECT_MONEY_FIGURES), (medical, ref.EFFECT_MEDICAL_FIGURES)):
        for pid, *values in rows:
            for figure, value in zip(names, values, strict=True):
                if value:
                    out[(pid, figure)] = int(value)
    return out


def _as_date(value: Any) -> Any:
    import datetime as dt

    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@case("national roll-up", "< 5 s")
def case_rollup(ctx: Context, r: Result) -> None:
    from django.db import connection

    from bench.reference_sql import KPI_SQL, ROLLUP_SQL, for_all_offices

    try:
        from jiritsu.reports.national import national_rollup
    except ImportError as exc:
        raise Skip("national roll-up (jiritsu.reports.national) not there yet") from exc
    fy = _fiscal_year(_as_of()) - 1
    start, end = (f"{fy}-04-01", f"{fy + 1}-03-31")
    params = {"start": start, "end": end}
    sql = _sqls((ROLLUP_SQL, params), (for_all_offices(KPI_SQL), params))
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM offices_office")
        offices = cur.fetchone()[0]
    repeat = max(3, min(ctx.repeat, 5))
    data, (rows, kpi_rows) = _measure(r, ctx, lambda: national_rollup(fiscal_year=fy), sql,
                                      repeat=repeat)
    ours = sorted((c["office_kind"], c["program_kind"], c["offices"], *(c[k] for k in REPORT_FIGURES))
                  for c in data["by_kind"])
    theirs = sorted(tuple(x if isinstance(x, str) else int(x) for x in row) for row in rows)
    same = ours == theirs and _kpi_tuple(data["kpis"]) == tuple(int(x) for x in kpi_rows[0])
    r.extra = {"fiscal_year": fy, "same_answer": same, "totals": data["totals"]}
    r.note = (f"{offices:,} offices, FY{fy}: figures by office kind × program kind, national "
              f"KPIs and one row per office; SQL = the same grid and KPIs, 2 queries; "
              f"same answer: {'yes' if same else 'NO'}")


IMPORT_HEADER = ("ケース番号", "世帯員番号", "世帯類型", "地区", "地区担当員", "保護開始日",
                 "氏名", "ふりがな", "生年月日", "性別", "続柄", "就労状況")


def _import_csv(ctx: Context, *, existing: bool) -> bytes:
    """``ctx.import_rows`` person rows: new cases, or (existing=True) the office's first
    people with a changed district and employment status (a nightly re-import)."""
    import csv
    import io

    from django.db import connection

    from bench.names import FAMILY, FEMALE, MALE

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(IMPORT_HEADER)
    rng = random.Random(11)
    if existing:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT h.case_number, p.member_number, h.household_type, u.username, "
                "p.name, p.kana, p.birth_date, p.sex FROM people_person p "
                "JOIN people_household h ON h.id = p.household_id "
                "LEFT JOIN offices_user u ON u.id = h.caseworker_id "
                "WHERE h.office_id = %s ORDER BY h.case_number, p.member_number LIMIT %s",
                [ctx.office.pk, ctx.import_rows])
            rows = cur.fetchall()
        types = {"elderly": "高齢者", "single_mother": "母子", "disabled": "障害者",
                 "sick": "傷病者", "other": "その他"}
        for case_no, num, htype, cw, name, kana, birth, sex in rows:
            w.writerow([case_no, num, types[htype], "再編地区", cw or "", "", name, kana,
                        birth.isoformat(), "男" if sex == "male" else "女",
                        "世帯主" if num == 1 else "子", "求職中"])
        return out.getvalue().encode("utf-8-sig")
    cw = ctx.caseworker.username
    for i in range(ctx.import_rows):
        fam, fam_kana = rng.choice(FAMILY)
        male = rng.random() < 0.5
        giv, giv_kana = rng.choice(MALE if male else FEMALE)
        w.writerow([f"IMP{i // 2:06d}", i % 2 + 1, "その他", "中央地区", cw, "2025-04-01",
                    f"{fam} {giv}", f"{fam_kana} {giv_kana}",
                    f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "男" if male else "女", "世帯主" if i % 2 == 0 else "配偶者", "未就労"])
    return out.getvalue().encode("utf-8-sig")


def _import_case(ctx: Context, r: Result, *, existing: bool) -> None:
    try:
        from jiritsu.people.importing import read_table, upsert_caseload
    except ImportError as exc:
        raise Skip("caseload import (jiritsu.people.importing) not there yet") from exc
    data = _import_csv(ctx, existing=existing)
    actor = _membership(ctx, ctx.supervisor)

    def run() -> Any:
        return upsert_caseload(actor=actor, rows=read_table(data, "caseload.csv"))

    from bench.timing import measure

    quick = ctx.repeat < 5
    result, _ = measure(r, _rolled_back(run), repeat=1 if quick else 3, warmup=0 if quick else 1)
    r.extra = {"result": result.as_dict() if hasattr(result, "as_dict") else str(result),
               "bytes": len(data)}
    rows = data.count(b"\n") - 1
    r.note = (f"{rows:,}-row CSV ({len(data) // 1024} KiB, UTF-8 BOM): parse + validate + "
              f"upsert + audit, rolled back after each run; {r.extra['result']}")


@case("import (new cases)", "10,000 rows in seconds")
def case_import_new(ctx: Context, r: Result) -> None:
    _import_case(ctx, r, existing=False)


@case("import (re-import)", "10,000 rows in seconds")
def case_import_update(ctx: Context, r: Result) -> None:
    _import_case(ctx, r, existing=True)


@case("amounts import (a year)", "a year of the office's amounts in seconds (aim < 15 s)")
def case_amounts_year(ctx: Context, r: Result) -> None:
    """A year of 保護費 (household-months) and 医療扶助 (claims) for the whole office, sent as
    the nightly sync sends them — one month per call, rows as the API passes them — through
    ``upsert_assistance`` / ``upsert_medical``: first into empty tables, then the same year
    again (nothing changed). On PostgreSQL the hand-written SQL (``bench.reference_sql``: each
    month COPYed into a temporary table, one ``INSERT … ON CONFLICT DO UPDATE … WHERE … IS
    DISTINCT FROM`` per table; no checks, no audit) loads the same year the same two ways,
    and both leave the office's amounts as they were generated (same answer). Each month ends
    with the foreign-key checks its COMMIT would run (``SET CONSTRAINTS ALL IMMEDIATE``; the
    amounts' owners are checked by set within each statement, people/0011); the
    tables are emptied with TRUNCATE when they hold only this office's amounts (DELETE
    otherwise) and everything is rolled back."""
    import time

    from django.db import connection, transaction
    from django_scopes import scope

    from bench import reference_sql as ref
    from bench.cpu import backend_cpu_seconds
    from jiritsu.people.importing_amounts import (
        ASSISTANCE_VALUES,
        upsert_assistance,
        upsert_medical,
    )
    from jiritsu.people.models import AssistanceMonth, MedicalClaimMonth

    office = ctx.office.pk
    postgres = connection.vendor == "postgresql"
    dbname = str(connection.settings_dict["NAME"])
    with connection.cursor() as cur:
        cur.execute("SELECT h.case_number, a.month, " + ", ".join(f"a.{f}" for f in ASSISTANCE_VALUES)
                    + " FROM people_assistancemonth a JOIN people_household h ON h.id = a.household_id"
                    " WHERE a.office_id = %s ORDER BY a.month", [office])
        assistance = cur.fetchall()
        cur.execute("SELECT h.case_number, p.member_number, c.month, c.kind, c.institution_name, c.days, "
                    "c.amount FROM people_medicalclaimmonth c JOIN people_person p ON p.id = c.person_id "
                    "JOIN people_household h ON h.id = p.household_id WHERE c.office_id = %s "
                    "ORDER BY c.month", [office])
        claims = cur.fetchall()
        cur.execute("SELECT COUNT(DISTINCT office_id) FROM people_assistancemonth")
        only_office = cur.fetchone()[0] == 1
    if not assistance:
        raise Skip("no amounts in this database (generated before bench.generate wrote them)")
    a_months: dict[Any, list[dict[str, Any]]] = {}
    for case_number, month, *values in assistance:
        a_months.setdefault(month, []).append(
            {"case_number": case_number, "month": month.isoformat()[:7],
             **dict(zip(ASSISTANCE_VALUES, values, strict=True))})
    m_months: dict[Any, list[dict[str, Any]]] = {}
    for case_number, member, month, kind, institution, days, amount in claims:
        m_months.setdefault(month, []).append(
            {"case_number": case_number, "member_number": member, "month": month.isoformat()[:7],
             "kind": kind, "institution_name": institution, "days": days, "amount": amount})
    del assistance, claims
    rows = sum(map(len, a_months.values())) + sum(map(len, m_months.values()))
    actor = _membership(ctx, ctx.supervisor)

    def empty() -> None:
        if postgres and only_office:
            with connection.cursor() as cur:
                cur.execute("TRUNCATE people_assistancemonth, people_medicalclaimmonth")
        else:
            AssistanceMonth.objects.filter(office_id=office).delete()
            MedicalClaimMonth.objects.filter(office_id=office).delete()

    def committed() -> None:
        """The deferred foreign-key checks a COMMIT of the month would run."""
        if postgres:
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("SET CONSTRAINTS ALL DEFERRED")

    def state() -> tuple[Any, ...]:
        if not postgres:
            return (AssistanceMonth.objects.filter(office_id=office).count(),
                    MedicalClaimMonth.objects.filter(office_id=office).count())
        with connection.cursor() as cur:
            cur.execute(ref.AMOUNT_STATE_SQL, {"office": office})
            return tuple(cur.fetchone())

    def jiritsu(month: Any) -> int:
        a = upsert_assistance(actor=actor, rows=a_months[month])
        written = a.created + a.updated
        if m_months.get(month):
            m = upsert_medical(actor=actor, rows=m_months[month])
            written += m.created + m.updated
        return written

    def sql(month: Any) -> int:
        written = 0
        with connection.cursor() as cur:
            cur.execute(ref.AMOUNT_ASSISTANCE_TEMP)
            with cur.copy("COPY _ref_assistance FROM STDIN") as copy:
                for row in a_months[month]:
                    copy.write_row([row["case_number"], row["month"] + "-01",
                                    *(row[c] for c in ref.AMOUNT_ASSISTANCE_VALUES)])
            cur.execute(ref.AMOUNT_ASSISTANCE_SQL, {"office": office})
            written += cur.rowcount
            cur.execute("DROP TABLE _ref_assistance")
            cur.execute(ref.AMOUNT_MEDICAL_TEMP)
            with cur.copy("COPY _ref_medical FROM STDIN") as copy:
                for row in m_months.get(month, []):
                    copy.write_row([row["case_number"], row["member_number"], row["month"] + "-01",
                                    row["kind"], row["institution_name"], row["days"], row["amount"]])
            cur.execute(ref.AMOUNT_MEDICAL_SQL, {"office": office})
            written += cur.rowcount
            cur.execute("DROP TABLE _ref_medical")
        return written

    def year(load: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        with transaction.atomic():
            empty()
            for label in ("new", "unchanged"):
                wall = cpu = checks = 0.0
                written = 0
                db_started = backend_cpu_seconds(dbname)
                for month in sorted(a_months):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    n = load(month)
                    loaded = time.perf_counter()
                    committed()
                    checks += time.perf_counter() - loaded
                    wall += time.perf_counter() - started
                    cpu += time.process_time() - cpu_started
                    written += n
                out[label] = {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
                              "db_cpu_seconds": round(backend_cpu_seconds(dbname) - db_started, 2),
                              "fk_check_seconds": round(checks, 2), "written": written}
                if label == "new":
                    out["state"] = state()
            transaction.set_rollback(True)
        return out

    with scope(office=ctx.office), transaction.atomic():
        generated = state()
        ours = year(jiritsu)
        theirs = year(sql) if postgres else None
        transaction.set_rollback(True)
    same = ours["state"] == generated and (theirs is None or theirs["state"] == generated)
    r.samples = [ours["new"]["seconds"] * 1000]
    r.n = 1
    if theirs is not None:
        r.sql_samples = [theirs["new"]["seconds"] * 1000]
    r.extra = {"household_months": sum(map(len, a_months.values())),
               "claims": sum(map(len, m_months.values())), "months": len(a_months),
               "emptied_by": "TRUNCATE" if postgres and only_office else "DELETE",
               "jiritsu": {k: v for k, v in ours.items() if k != "state"},
               "sql": {k: v for k, v in (theirs or {}).items() if k != "state"},
               "same_answer": same}
    ratio_unchanged = (f", SQL {theirs['unchanged']['seconds']:.1f} s "
                       f"({ours['unchanged']['seconds'] / max(theirs['unchanged']['seconds'], 0.001):.2f}×); "
                       f"database CPU ours / SQL: into empty {ours['new']['db_cpu_seconds']:.1f} s / "
                       f"{theirs['new']['db_cpu_seconds']:.1f} s, unchanged {ours['unchanged']['db_cpu_seconds']:.1f} s / "
                       f"{theirs['unchanged']['db_cpu_seconds']:.1f} s"
                       if theirs else "")
    r.note = (f"{len(a_months)} monthly batches, {r.extra['household_months']:,} household-months + "
              f"{r.extra['claims']:,} claims ({rows:,} rows): into empty tables {ours['new']['seconds']:.1f} s "
              f"(CPU {ours['new']['cpu_seconds']:.1f} s, database CPU {ours['new']['db_cpu_seconds']:.1f} s, "
              f"foreign-key checks at the COMMITs {ours['new']['fk_check_seconds']:.1f} s), the same year "
              f"again (unchanged) {ours['unchanged']['seconds']:.1f} s (CPU {ours['unchanged']['cpu_seconds']:.1f} s)"
              f"{ratio_unchanged}; rolled back; same answer: {'yes' if same else 'NO'}")


@case("API bulk upsert (new people)", "10,000 people in seconds")
def case_api_bulk(ctx: Context, r: Result) -> None:
    from django.test import Client

    from bench.names import FAMILY, FEMALE, MALE

    try:
        from jiritsu.api.tokens import token_create
    except ImportError as exc:
        raise Skip("API tokens (jiritsu.api.tokens) not there yet") from exc
    url = "/api/v1/households/bulk-upsert"
    actor = _membership(ctx, ctx.supervisor)
    _, raw = token_create(actor=actor, name="bench")
    rng = random.Random(13)
    rows = []
    for i in range(ctx.import_rows):
        fam, fam_kana = rng.choice(FAMILY)
        male = rng.random() < 0.5
        giv, giv_kana = rng.choice(MALE if male else FEMALE)
        row = {"case_number": f"API{i // 2:06d}", "member_number": i % 2 + 1,
               "name": f"{fam} {giv}", "kana": f"{fam_kana} {giv_kana}",
               "birth_date": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-"
                             f"{rng.randint(1, 28):02d}",
               "sex": "male" if male else "female",
               "relationship": "head" if i % 2 == 0 else "spouse",
               "employment_status": "not_working"}
        if i % 2 == 0:
            row |= {"household_type": "other", "district": "中央地区",
                    "caseworker": ctx.caseworker.username,
                    "assistance_started_on": "2025-04-01"}
        rows.append(row)
    body = json.dumps({"rows": rows}, ensure_ascii=False)
    client = Client()
    # Load the URLconf (every API router and its schemas, about 1-2 s) outside the timing:
    # a worker does it once, at its first request, not per bulk upsert.
    from django.urls import resolve

    resolve(url)

    def post() -> Any:
        response = client.post(url, body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {raw}")
        if response.status_code != 200:
            raise AssertionError(f"POST {url} answered {response.status_code}: "
                                 f"{response.content[:300]!r}")
        return response.json()

    from bench.timing import measure

    quick = ctx.repeat < 5
    result, _ = measure(r, _rolled_back(post), repeat=1 if quick else 3,
                        warmup=0 if quick else 1)
    r.extra = {"result": result, "bytes": len(body.encode())}
    r.note = (f"POST {url}, {len(rows):,} people in one batch ({len(body.encode()) // 1024} "
              f"KiB JSON, token auth), rolled back after each run; {result}")


def _board_urls(ctx: Context) -> list[str]:
    from django_scopes import scope

    from jiritsu.programs.models import Program

    with scope(office=ctx.office):
        pks = list(Program.objects.filter(office=ctx.office).order_by("code")
                   .values_list("pk", flat=True)[:7])
    for name in ("programs:board", "programs:program_board", "programs:detail",
                 "programs:program"):
        try:
            return [_reverse(name, pk) for pk in pks]
        except Skip:
            continue
    return [_reverse("programs:list")]


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu(name: str = "postgres") -> dict[int, float]:
    """CPU seconds of every PostgreSQL server process (or other program ``name``, e.g.
    pgbouncer) on this machine, by pid."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm", encoding="ascii") as fh:
                if fh.read().strip() != name:
                    continue
        except OSError:
            continue
        out[int(entry)] = _cpu_of(int(entry))
    return out


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as fh:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(x) for x in fh.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")



def _session_for(user_id: int) -> str:
    from django.conf import settings
    from django.test import Client

    from jiritsu.offices.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _load_plan(ctx: Context, path: str) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    from bench.names import FAMILY

    with connection.cursor() as cur:
        cur.execute(
            "SELECT u.id, u.username FROM offices_membership m JOIN offices_user u "
            "ON u.id = m.user_id WHERE m.office_id = %s AND m.role = 'caseworker' "
            "AND m.is_active ORDER BY m.id LIMIT %s", [ctx.office.pk, ctx.locust_users])
        accounts = []
        for uid, username in cur.fetchall():
            cur.execute(
                "SELECT p.id FROM people_person p JOIN people_household h "
                "ON h.id = p.household_id WHERE h.office_id = %s AND h.caseworker_id = %s "
                "ORDER BY p.id LIMIT 40", [ctx.office.pk, uid])
            accounts.append({"username": username, "session": _session_for(uid),
                             "people": [reverse("people:person", args=[r[0]])
                                        for r in cur.fetchall()]})
    plan = {"cookie_name": settings.SESSION_COOKIE_NAME, "accounts": accounts, "boards": _board_urls(ctx),
            "search": reverse("search"), "queries": [k for _, k in FAMILY[:20]]}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(plan, fh, ensure_ascii=False)
    return plan


POOL_MODES = {
    # Django's built-in pool (psycopg_pool): the default on PostgreSQL (settings.py).
    "pooled": {"JIRITSU_DB_POOL": "1"},
    # No pool and no persistent connection: every request opens its own connection, as
    # Django does without either (and as the app did before the pool).
    "unpooled": {"JIRITSU_DB_POOL": "0", "JIRITSU_CONN_MAX_AGE": "0"},
}


def _backend_sessions(dbname: str) -> int:
    """Connections ever opened to the database (pg_stat_database.sessions, PostgreSQL 14+)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [dbname])
        row = cur.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


@case("connection pool (pooled vs unpooled)", "reported: pooled faster")
def case_pool(ctx: Context, r: Result) -> None:
    """The cheapest signed-in page (お知らせ: session, membership, one small list) over HTTP
    from gunicorn servers on the same database, one worker each: one with the pool
    (default), one opening a connection per request, and (where pgbouncer is installed) one
    through PgBouncer in transaction mode. Requests alternate between them in blocks, one at
    a time, so all see the same machine; the server connections each opened are read from
    pg_stat_database."""
    import contextlib
    import functools
    import shutil
    import urllib.request

    from django.conf import settings
    from django.db import connection

    from bench.processes import environment, pgbouncer, start_gunicorn, stop
    from bench.timing import clock as timed

    if connection.vendor != "postgresql":
        raise Skip("PostgreSQL only: the pool is PostgreSQL's (SQLite opens a file)")
    page = _reverse("casework:notices")
    cookie = f"{settings.SESSION_COOKIE_NAME}={_session_for(ctx.caseworker.pk)}"
    dbname = connection.settings_dict["NAME"]
    servers: dict[str, tuple[Any, str]] = {}
    with contextlib.ExitStack() as stack:
        modes = dict(POOL_MODES)
        if shutil.which("pgbouncer") or os.path.exists("/usr/sbin/pgbouncer"):
            bouncer = stack.enter_context(pgbouncer(int(connection.settings_dict["PORT"] or 5432)))
            modes["pgbouncer"] = {"JIRITSU_PGBOUNCER": "1", "JIRITSU_DB_POOL": "0",
                                  "DATABASE_URL": _via_port(connection.settings_dict, bouncer)}
        for mode, extra in modes.items():
            servers[mode] = start_gunicorn(environment(**extra), workers=1)
            stack.callback(stop, servers[mode][0])

        def get(base: str) -> None:
            request = urllib.request.Request(base + page, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                if response.status != 200 or response.geturl().endswith("/login/"):
                    raise AssertionError(f"GET {page} answered {response.status}")

        for _mode, (_server, base) in servers.items():
            for _ in range(5):  # warm-up: imports, templates, the pool's first connection
                get(base)
        samples: dict[str, list[float]] = {mode: [] for mode in servers}
        opened = dict.fromkeys(servers, 0)
        block = 10
        blocks = max(2, ctx.repeat * 2 // block)
        for i in range(blocks):
            for mode in (list(servers) if i % 2 == 0 else list(servers)[::-1]):
                base = servers[mode][1]
                before = _backend_sessions(dbname)
                for _ in range(block):
                    ms, _ = timed(functools.partial(get, base))
                    samples[mode].append(ms)
                opened[mode] += _backend_sessions(dbname) - before
    from bench.timing import percentile

    figures = {mode: {"n": len(v), "median_ms": round(sorted(v)[len(v) // 2], 2),
                      "p95_ms": round(percentile(v, 95), 2),
                      "connections_per_request": round(opened[mode] / max(len(v), 1), 2)}
               for mode, v in samples.items()}
    r.samples = samples["pooled"]
    r.n = len(r.samples)
    r.extra = {"page": page, "modes": figures, "gunicorn_workers": 1}
    pooled, unpooled = figures["pooled"], figures["unpooled"]
    r.note = (f"GET {page} (signed in), one request at a time, one gunicorn worker each: pooled "
              f"median {pooled['median_ms']} ms / p95 {pooled['p95_ms']} ms, "
              f"{pooled['connections_per_request']} new connections per request; unpooled "
              f"median {unpooled['median_ms']} ms / p95 {unpooled['p95_ms']} ms, "
              f"{unpooled['connections_per_request']} per request "
              f"(saves {unpooled['median_ms'] - pooled['median_ms']:.1f} ms a request)")
    if "pgbouncer" in figures:
        bouncer = figures["pgbouncer"]
        r.note += (f"; through PgBouncer (transaction mode, no app pool) median "
                   f"{bouncer['median_ms']} ms / p95 {bouncer['p95_ms']} ms, "
                   f"{bouncer['connections_per_request']} new server connections per request")


def _via_port(settings_dict: dict[str, Any], port: int) -> str:
    """The database URL of ``settings_dict`` through another port on 127.0.0.1."""
    user = settings_dict.get("USER") or "postgres"
    return f"postgres://{user}@127.0.0.1:{port}/{settings_dict['NAME']}"


@case("load test (locust)", ">= 300 req/s, no errors")
def case_load(ctx: Context, r: Result) -> None:
    load_test(ctx, r)


def load_test(ctx: Context, r: Result, *, via: str = "", **env_extra: str) -> None:
    """The page mix with locust against gunicorn; ``env_extra`` changes the server's
    environment (e.g. its database behind PgBouncer), ``via`` says so in the note."""
    import tempfile

    from django.db import connection

    from bench.cpu import reaped_cpu_seconds
    from bench.processes import environment, run_locust, start_gunicorn, stop

    if ctx.locust_seconds <= 0:
        raise Skip("load test switched off (--locust-seconds 0)")
    tmp = tempfile.mkdtemp(prefix="jiritsu-bench-")
    plan = _load_plan(ctx, os.path.join(tmp, "plan.json"))
    if not plan["accounts"]:
        raise Skip("no caseworker accounts")
    env = environment(JIRITSU_CONN_MAX_AGE="60", BENCH_PLAN_FILE=plan_path(tmp),
                      BENCH_THINK_SECONDS=str(ctx.think_seconds), **env_extra)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    server, host = start_gunicorn(env, workers=ctx.workers)
    try:
        prefix = os.path.join(tmp, "locust")
        # All users at once for the throughput test; over ten seconds for a capacity test,
        # so that users who pause between pages do not all arrive in the same instant
        # (statistics are reset once every user is running).
        spawn_rate = ctx.locust_users if not ctx.think_seconds else max(1, ctx.locust_users // 10)
        # Where the CPU goes during the test: the app server's workers, PostgreSQL and the
        # load generator (locust, a child of this process), measured from /proc.
        import resource

        workers = children(server.pid)
        app_before = sum(_cpu_of(w) for w in workers)
        db_before = _postgres_cpu()
        reaped_before = reaped_cpu_seconds()  # parallel workers, gone by the end
        pooler_before = _postgres_cpu("pgbouncer")
        gen_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy_before = _machine_busy()
        rows = run_locust(host, env, users=ctx.locust_users, seconds=ctx.locust_seconds,
                          spawn_rate=spawn_rate, prefix=prefix)
        gen_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy = _machine_busy() - busy_before
        app_cpu = sum(_cpu_of(w) for w in workers) - app_before
        db_cpu = (sum(v - db_before.get(pid, 0.0) for pid, v in _postgres_cpu().items())
                  + reaped_cpu_seconds() - reaped_before)
        pooler_cpu = sum(v - pooler_before.get(pid, 0.0)
                         for pid, v in _postgres_cpu("pgbouncer").items())
        gen_cpu = ((gen_after.ru_utime + gen_after.ru_stime)
                   - (gen_before.ru_utime + gen_before.ru_stime))
        workers = children(server.pid)
        rss = [m for m in (_rss_mb(p) for p in workers) if m is not None]
        master_rss = _rss_mb(server.pid)
    finally:
        stop(server)
    agg = rows["Aggregated"]
    count, failures = int(agg["Request Count"]), int(agg["Failure Count"])
    rps = float(agg["Requests/s"])
    r.n = count
    r.samples = [float(agg["50%"])]
    r.extra = {
        "requests_per_second": round(rps, 1), "p95_ms": float(agg["95%"]),
        "failures": failures, "requests": count, "users": ctx.locust_users,
        "seconds": ctx.locust_seconds, "gunicorn_workers": ctx.workers,
        "think_seconds": ctx.think_seconds,
        "pages": {name: {"count": int(row["Request Count"]), "median_ms": float(row["50%"]),
                         "p95_ms": float(row["95%"]), "failures": int(row["Failure Count"])}
                  for name, row in rows.items() if name != "Aggregated"},
        "worker_rss_mb": [round(m, 1) for m in rss],
        # CPU per request (ms, all cores) and, from it, the cores this mix needs at the
        # target rate: the measured basis of scaling.md's capacity plan.
        "cpu_ms_per_request": {k: round(v * 1000 / max(count, 1), 1) for k, v in (
            ("app", app_cpu), ("postgres", db_cpu), ("pgbouncer", pooler_cpu),
            ("load_generator", gen_cpu), ("machine", busy))},
        "cores_for_300_rps": {k: round(v * 300 / max(count, 1), 1) for k, v in (
            ("app", app_cpu), ("postgres", db_cpu))},
        "master_rss_mb": round(master_rss, 1) if master_rss else None,
        "via": via or "direct",
    }
    r.p95_fixed = float(agg["95%"])
    per = r.extra["cpu_ms_per_request"]
    need = r.extra["cores_for_300_rps"]
    pooler_note = f"PgBouncer {per['pgbouncer']} ms, " if per["pgbouncer"] else ""
    r.note = (f"{via + ': ' if via else ''}{rps:,.0f} req/s, {failures} errors of {count:,} requests; "
              f"{ctx.locust_users} users"
              f"{f' pausing ≈ {ctx.think_seconds:g} s between pages' if ctx.think_seconds else ''}, "
              f"{ctx.locust_seconds} s, {ctx.workers} gunicorn workers; "
              f"CPU per request: app {per['app']} ms, PostgreSQL {per['postgres']} ms, "
              f"{pooler_note}"
              f"locust {per['load_generator']} ms; 300 req/s of this mix needs ≈ "
              f"{need['app']} app cores + {need['postgres']} database cores")
    if not via:
        LAST_RSS[:] = rss


LAST_RSS: list[float] = []


@case("load test through PgBouncer", "no errors; CPU per request vs direct")
def case_load_pgbouncer(ctx: Context, r: Result) -> None:
    from bench.scaleout import load_through_pgbouncer

    load_through_pgbouncer(ctx, r)


@case("two app servers behind HAProxy, one stopped", "no errors after the balancer notices")
def case_balancer(ctx: Context, r: Result) -> None:
    from bench.scaleout import balancer_with_one_stopped

    balancer_with_one_stopped(ctx, r)


def plan_path(tmp: str) -> str:
    return os.path.join(tmp, "plan.json")


@case("memory per worker (RSS MB)", "reported")
def case_memory(ctx: Context, r: Result) -> None:
    if not LAST_RSS:
        raise Skip("measured after the load test; the load test did not run")
    r.samples = list(LAST_RSS)
    r.n = len(LAST_RSS)
    r.note = ("resident set size of each gunicorn worker after the load test, MB "
              "(median and max in the ms columns)")


def _measure(r: Result, ctx: Context, fn: Callable[[], Any],
             sql: Callable[[], Any] | None = None, *, repeat: int | None = None) -> Any:
    from bench.timing import measure

    return measure(r, fn, sql, repeat=repeat or ctx.repeat)


# -- driver -------------------------------------------------------------------------------

def run_cases(ctx: Context, only: set[str] | None,
              save: Callable[[list[Result]], None] | None = None) -> list[Result]:
    results: list[Result] = []
    for name, fn in CASES:
        if only and not any(o in name for o in only):
            continue
        r = Result(case=name, size=ctx.size, target=getattr(fn, "target", ""))
        try:
            fn(ctx, r)
        except Skip as exc:
            r.skipped, r.note = True, str(exc)
        except Exception as exc:  # a broken case must not hide the others
            traceback.print_exc()
            r.skipped, r.note = True, f"ERROR {type(exc).__name__}: {exc}"[:300]
        print(f"  {name:<28} {_fmt(r.median)} ms median  {_fmt(r.p95)} ms p95"
              f"{'  — ' + r.note if r.skipped else ''}", file=sys.stderr, flush=True)
        results.append(r)
        if save is not None:
            save(results)  # partial results survive an interrupted run
    return results


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:,.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--size", default="demo")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="comma-separated substrings of case names")
    parser.add_argument("--locust-seconds", type=int, default=30)
    parser.add_argument("--locust-users", type=int, default=50)
    parser.add_argument("--think-seconds", type=float, default=0.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--json", default=None, help="write results as JSON to this file")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")
    os.environ.setdefault("JIRITSU_SECURE_COOKIES", "0")
    # Pages are rendered from static/ as it is (no collectstatic step before a benchmark).
    os.environ.setdefault("JIRITSU_STATIC_MANIFEST", "0")
    # Sessions are opened with force_login for the pages behind sign-in; the second factor
    # (a person at a phone) is not part of what is measured. The gunicorn server started
    # below inherits this environment.
    os.environ.setdefault("JIRITSU_TWO_FACTOR", "off")
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 *settings.PASSWORD_HASHERS]
    ctx = build_context(args)
    only = {o.strip() for o in args.only.split(",") if o.strip()} or None
    def save(results: list[Result]) -> None:
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump([r.as_dict() for r in results], fh, ensure_ascii=False, indent=1)

    results = run_cases(ctx, only, save)
    if not args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
