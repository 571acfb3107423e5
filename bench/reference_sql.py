"""Hand-written SQL that gives the same answers as Jiritsu's reports, for the ratios.

Each query is what a competent developer would write directly against the tables for
the same figure, with the same cohort rules (docs/reports.md). Portable between
PostgreSQL and SQLite (window functions instead of DISTINCT ON). ``{office}`` is replaced
by an office filter, or by TRUE for every office.
"""

from __future__ import annotations

KPI_SQL = """
WITH latest AS (
  SELECT person_id, has_capacity, usage FROM (
    SELECT a.person_id, a.has_capacity, a.usage,
           ROW_NUMBER() OVER (PARTITION BY a.person_id ORDER BY a.assessed_on DESC, a.id DESC) AS rn
    FROM people_workcapacityassessment a
    WHERE {office_a} AND a.assessed_on <= %(end)s) z WHERE rn = 1),
able AS (
  SELECT p.id FROM people_person p JOIN people_household h ON h.id = p.household_id
  JOIN latest l ON l.person_id = p.id
  WHERE {office_p} AND l.has_capacity AND l.usage = 'not_fully_used'
    AND (h.assistance_started_on IS NULL OR h.assistance_started_on <= %(end)s)
    AND (h.assistance_ended_on IS NULL OR h.assistance_ended_on > %(end)s)),
emp AS (
  SELECT DISTINCT e.person_id FROM programs_enrollment e
  JOIN programs_program pr ON pr.id = e.program_id
  WHERE {office_e} AND (pr.kind = 'economic' OR pr.legal_basis = 'art55_7')
    AND e.started_on IS NOT NULL AND e.started_on <= %(end)s
    AND (e.ended_on IS NULL OR e.ended_on >= %(start)s)),
work AS (
  SELECT DISTINCT e.person_id FROM programs_outcome o
  JOIN programs_enrollment e ON e.id = o.enrollment_id
  JOIN programs_program pr ON pr.id = e.program_id
  WHERE {office_e} AND (pr.kind = 'economic' OR pr.legal_basis = 'art55_7')
    AND o.kind IN ('employment_start', 'income_increase')
    AND o.occurred_on >= %(start)s AND o.occurred_on <= %(end)s),
tc AS (
  SELECT household_id, household_type FROM (
    SELECT c.household_id, c.household_type,
           ROW_NUMBER() OVER (PARTITION BY c.household_id ORDER BY c.valid_from DESC, c.id DESC) AS rn
    FROM people_householdtypechange c JOIN people_household h ON h.id = c.household_id
    WHERE {office_h} AND c.valid_from <= %(end)s) z WHERE rn = 1),
oth AS (
  SELECT h.id FROM people_household h LEFT JOIN tc ON tc.household_id = h.id
  WHERE {office_h} AND COALESCE(tc.household_type, h.household_type) = 'other'
    AND (h.assistance_started_on IS NULL OR h.assistance_started_on <= %(end)s)
    AND (h.assistance_ended_on IS NULL OR h.assistance_ended_on > %(end)s))
SELECT (SELECT COUNT(*) FROM able),
       (SELECT COUNT(*) FROM able WHERE id IN (SELECT person_id FROM emp)),
       (SELECT COUNT(*) FROM emp),
       (SELECT COUNT(*) FROM emp WHERE person_id IN (SELECT person_id FROM work)),
       (SELECT COUNT(*) FROM oth),
       (SELECT COUNT(*) FROM oth WHERE id IN (
          SELECT p.household_id FROM people_person p WHERE {office_p}
            AND (p.earned_income > 0
                 OR p.employment_status IN ('full_time', 'part_time', 'self_employed'))))
"""

CASELOAD_SQL = """
SELECT h.caseworker_id, COUNT(*) FROM people_household h
WHERE {office_h}
  AND (h.assistance_started_on IS NULL OR h.assistance_started_on <= %(end)s)
  AND (h.assistance_ended_on IS NULL OR h.assistance_ended_on > %(end)s)
GROUP BY h.caseworker_id
"""

ROLLUP_SQL = """
WITH e AS (
  SELECT e.office_id, pr.kind AS pk, e.person_id, e.started_on, e.ended_on, e.status
  FROM programs_enrollment e JOIN programs_program pr ON pr.id = e.program_id
  WHERE e.started_on IS NOT NULL AND e.started_on <= %(end)s
    AND (e.ended_on IS NULL OR e.ended_on >= %(start)s)),
fig AS (
  SELECT office_id, pk, COUNT(DISTINCT person_id) AS participants,
    COUNT(DISTINCT CASE WHEN started_on >= %(start)s THEN person_id END) AS started,
    COUNT(DISTINCT CASE WHEN status = 'ended' AND ended_on <= %(end)s THEN person_id END) AS ended,
    COUNT(DISTINCT CASE WHEN ended_on IS NULL OR ended_on > %(end)s THEN person_id END) AS continuing
  FROM e GROUP BY office_id, pk),
ach AS (
  SELECT e.office_id, pr.kind AS pk, COUNT(DISTINCT e.person_id) AS achieved
  FROM programs_outcome o JOIN programs_enrollment e ON e.id = o.enrollment_id
  JOIN programs_outcometype t ON t.id = o.outcome_type_id
  JOIN programs_program pr ON pr.id = e.program_id
  WHERE o.occurred_on >= %(start)s AND o.occurred_on <= %(end)s AND t.counts_as_achievement
  GROUP BY e.office_id, pr.kind),
elig AS (
  SELECT pr.office_id, pr.kind AS pk, COUNT(DISTINCT u.q) AS eligible FROM (
    SELECT l.program_id AS p, le.person_id AS q FROM programs_ledgerentry le
      JOIN programs_screeningledger l ON l.id = le.ledger_id
      WHERE l.as_of >= %(start)s AND l.as_of <= %(end)s
    UNION SELECT program_id, person_id FROM programs_nomination
      WHERE nominated_on >= %(start)s AND nominated_on <= %(end)s
    UNION SELECT program_id, person_id FROM programs_enrollment
      WHERE (candidate_on >= %(start)s AND candidate_on <= %(end)s)
         OR (started_on IS NOT NULL AND started_on <= %(end)s
             AND (ended_on IS NULL OR ended_on >= %(start)s))
  ) u JOIN programs_program pr ON pr.id = u.p GROUP BY pr.office_id, pr.kind),
k AS (SELECT office_id, pk FROM fig UNION SELECT office_id, pk FROM ach
      UNION SELECT office_id, pk FROM elig)
SELECT o.kind, k.pk, COUNT(*), SUM(COALESCE(elig.eligible, 0)),
       SUM(COALESCE(fig.participants, 0)), SUM(COALESCE(fig.started, 0)),
       SUM(COALESCE(fig.ended, 0)), SUM(COALESCE(fig.continuing, 0)),
       SUM(COALESCE(ach.achieved, 0))
FROM k JOIN offices_office o ON o.id = k.office_id
LEFT JOIN fig ON fig.office_id = k.office_id AND fig.pk = k.pk
LEFT JOIN ach ON ach.office_id = k.office_id AND ach.pk = k.pk
LEFT JOIN elig ON elig.office_id = k.office_id AND elig.pk = k.pk
GROUP BY o.kind, k.pk ORDER BY o.kind, k.pk
"""


def for_office(sql: str) -> str:
    return sql.format(office_p="p.office_id = %(office)s", office_e="e.office_id = %(office)s",
                      office_h="h.office_id = %(office)s", office_a="a.office_id = %(office)s")


def for_all_offices(sql: str) -> str:
    return sql.format(office_p="TRUE", office_e="TRUE", office_h="TRUE", office_a="TRUE")


# The rest of what the office report shows, for one office: breakdowns (per program and
# over all programs, each person once), the 対象者 total, days to the first achievement,
# transfers between programs, and the monthly series. With REPORT_SQL, KPI_SQL and
# CASELOAD_SQL this is every figure of jiritsu.reports.figures.office_report.
BREAKDOWN_SQL = """
WITH o AS (
  SELECT e.program_id, e.person_id, o.kind,
         COALESCE(NULLIF(o.destination, ''), 'unknown') AS dest, t.counts_as_achievement AS ach
  FROM programs_outcome o JOIN programs_enrollment e ON e.id = o.enrollment_id
  JOIN programs_outcometype t ON t.id = o.outcome_type_id
  WHERE e.office_id = %(office)s AND o.occurred_on >= %(start)s AND o.occurred_on <= %(end)s),
en AS (
  SELECT program_id, person_id, end_reason FROM programs_enrollment
  WHERE office_id = %(office)s AND status = 'ended' AND started_on IS NOT NULL
    AND ended_on >= %(start)s AND ended_on <= %(end)s)
SELECT 'ended', program_id, end_reason, COUNT(DISTINCT person_id) FROM en GROUP BY program_id, end_reason
UNION ALL SELECT 'ended', NULL, end_reason, COUNT(DISTINCT person_id) FROM en GROUP BY end_reason
UNION ALL SELECT 'kind', program_id, kind, COUNT(DISTINCT person_id) FROM o GROUP BY program_id, kind
UNION ALL SELECT 'kind', NULL, kind, COUNT(DISTINCT person_id) FROM o GROUP BY kind
UNION ALL SELECT 'dest', program_id, dest, COUNT(DISTINCT person_id) FROM o
  WHERE kind = 'discharge' GROUP BY program_id, dest
UNION ALL SELECT 'dest', NULL, dest, COUNT(DISTINCT person_id) FROM o WHERE kind = 'discharge' GROUP BY dest
UNION ALL SELECT 'achieved', NULL, NULL, COUNT(DISTINCT person_id) FROM o WHERE ach
"""

ELIGIBLE_TOTAL_SQL = """
SELECT COUNT(DISTINCT q) FROM (
  SELECT le.person_id AS q FROM programs_ledgerentry le
    JOIN programs_screeningledger l ON l.id = le.ledger_id
    WHERE l.office_id = %(office)s AND l.as_of >= %(start)s AND l.as_of <= %(end)s
  UNION SELECT person_id FROM programs_nomination
    WHERE office_id = %(office)s AND nominated_on >= %(start)s AND nominated_on <= %(end)s
  UNION SELECT person_id FROM programs_enrollment
    WHERE office_id = %(office)s AND ((candidate_on >= %(start)s AND candidate_on <= %(end)s)
       OR (started_on IS NOT NULL AND started_on <= %(end)s
           AND (ended_on IS NULL OR ended_on >= %(start)s)))) u
"""

FIRST_ACHIEVEMENT_SQL = """
SELECT e.program_id, e.started_on, MIN(o.occurred_on) AS first
FROM programs_enrollment e JOIN programs_outcome o ON o.enrollment_id = e.id
JOIN programs_outcometype t ON t.id = o.outcome_type_id
WHERE e.office_id = %(office)s AND e.started_on IS NOT NULL AND t.counts_as_achievement
GROUP BY e.id, e.program_id, e.started_on
HAVING MIN(o.occurred_on) >= %(start)s AND MIN(o.occurred_on) <= %(end)s
"""

TRANSFERS_SQL = """
SELECT m.program_id, e.program_id, COUNT(DISTINCT e.person_id)
FROM programs_enrollment e JOIN programs_enrollment m ON m.id = e.moved_from_id
WHERE e.office_id = %(office)s AND e.candidate_on >= %(start)s AND e.candidate_on <= %(end)s
GROUP BY m.program_id, e.program_id
"""


def monthly_sql(months: list[tuple[object, object]]) -> tuple[str, str, list[object], list[object]]:
    """Participants and achievers per month (one statement each), as a developer would write
    it: one COUNT(DISTINCT CASE …) column per month."""
    part, ach, part_params, ach_params = [], [], [], []
    for i, (s, e) in enumerate(months):
        part.append(f"COUNT(DISTINCT CASE WHEN e.started_on <= %s AND (e.ended_on IS NULL "
                    f"OR e.ended_on >= %s) THEN e.person_id END) AS m{i}")
        part_params += [e, s]
        ach.append(f"COUNT(DISTINCT CASE WHEN o.occurred_on >= %s AND o.occurred_on <= %s "
                   f"THEN e.person_id END) AS m{i}")
        ach_params += [s, e]
    part_sql = (f"SELECT {', '.join(part)} FROM programs_enrollment e WHERE e.office_id = %s "
                "AND e.started_on IS NOT NULL AND e.started_on <= %s "
                "AND (e.ended_on IS NULL OR e.ended_on >= %s)")
    ach_sql = (f"SELECT {', '.join(ach)} FROM programs_outcome o "
               "JOIN programs_enrollment e ON e.id = o.enrollment_id "
               "JOIN programs_outcometype t ON t.id = o.outcome_type_id "
               "WHERE e.office_id = %s AND t.counts_as_achievement "
               "AND o.occurred_on >= %s AND o.occurred_on <= %s")
    return part_sql, ach_sql, part_params, ach_params


# The effects section (docs/reports.md「効果」), every figure it computes, per program and over
# all programs (program NULL), in three statements written for PostgreSQL. Date arithmetic is
# spelt by :class:`_Months` so that the same statements run on SQLite (the demo bench).
#
# 1. Counts: 就労・増収者数 and 就労による保護廃止, each person once.
EFFECT_COUNTS_SQL = """
WITH w AS (
  SELECT e.program_id, e.person_id FROM programs_outcome o
  JOIN programs_enrollment e ON e.id = o.enrollment_id
  WHERE e.office_id = %(office)s AND o.kind IN ('employment_start', 'income_increase')
    AND o.occurred_on >= %(start)s AND o.occurred_on <= %(end)s),
c AS (
  SELECT e.program_id, e.person_id FROM programs_enrollment e
  JOIN people_person p ON p.id = e.person_id
  JOIN people_assistancemonth a ON a.household_id = p.household_id
  WHERE e.office_id = %(office)s AND e.started_on IS NOT NULL AND e.started_on <= %(end)s
    AND (e.ended_on IS NULL OR e.ended_on >= %(start)s)
    AND a.status = 'ended' AND a.status_reason = 'work'
    AND a.month >= %(start_month)s AND a.month <= %(end)s AND a.month >= {start_month})
SELECT 'work', program_id, COUNT(DISTINCT person_id) FROM w GROUP BY program_id
UNION ALL SELECT 'work', NULL, COUNT(DISTINCT person_id) FROM w
UNION ALL SELECT 'closed', program_id, COUNT(DISTINCT person_id) FROM c GROUP BY program_id
UNION ALL SELECT 'closed', NULL, COUNT(DISTINCT person_id) FROM c
"""

_PAID_TOTAL = ("{a}.paid_living + {a}.paid_housing + {a}.paid_education + {a}.paid_medical"
               " + {a}.paid_care + {a}.paid_childbirth + {a}.paid_occupation + {a}.paid_funeral")


class _Months:
    """Month arithmetic in PostgreSQL's words, or SQLite's for the same thing."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def of(self, x: str) -> str:  # the first day of x's month
        return f"date_trunc('month', {x})::date" if self.pg else f"date({x}, 'start of month')"

    def plus(self, x: str, n: int) -> str:  # x (a first day) + n months
        return f"({x} + interval '{n} months')::date" if self.pg else f"date({x}, '{n:+d} months')"

    def number(self, x: str) -> str:  # months since year 0, to count months by subtraction
        if self.pg:
            return f"(EXTRACT(YEAR FROM {x})::int * 12 + EXTRACT(MONTH FROM {x})::int)"
        return f"(CAST(substr({x}, 1, 4) AS integer) * 12 + CAST(substr({x}, 6, 2) AS integer))"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"min({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"max({a}, {b})"


def effect_money_sql(vendor: str) -> str:
    """2. Money, per household: its first 就労・増収 in the period (per program, and over all
    programs), the baseline month before (paid), the month after, and what was paid in the
    twelve months after and up to the fiscal year's end, within the months received. Each
    household's months are read once (one range of the ``(household, month)`` key) whether it
    counts for one program, several or only the office. Rows of (program, 収入増の世帯,
    収入増の月額計, 効果額の世帯, 効果額12か月, 効果額年度末まで, months summed 12, months summed
    to the end)."""
    m = _Months(vendor)
    paid = _PAID_TOTAL.format(a="a")
    return f"""
WITH received AS (
  SELECT MAX(month) AS last_month FROM people_assistancemonth WHERE office_id = %(office)s),
ach AS (
  SELECT e.program_id, p.household_id, e.person_id, o.occurred_on
  FROM programs_outcome o JOIN programs_enrollment e ON e.id = o.enrollment_id
  JOIN people_person p ON p.id = e.person_id
  WHERE e.office_id = %(office)s AND o.kind IN ('employment_start', 'income_increase')
    AND o.occurred_on >= %(start)s AND o.occurred_on <= %(end)s AND p.household_id IS NOT NULL),
firsts AS (
  SELECT program_id, household_id, {m.of("occurred_on")} AS m0 FROM (
    SELECT program_id, household_id, occurred_on, ROW_NUMBER() OVER (
      PARTITION BY program_id, household_id ORDER BY occurred_on, person_id) AS rn FROM ach) f
  WHERE rn = 1
  UNION ALL
  SELECT NULL, household_id, {m.of("occurred_on")} FROM (
    SELECT household_id, occurred_on, ROW_NUMBER() OVER (
      PARTITION BY household_id ORDER BY occurred_on, person_id) AS rn FROM ach) f
  WHERE rn = 1),
x AS (  -- each household and month once, with the bounds of its windows
  SELECT DISTINCT f.household_id, f.m0, {m.plus("f.m0", -1)} AS m_before,
    {m.plus("f.m0", 1)} AS m_after, {m.least(m.plus("f.m0", 12), "r.last_month")} AS m12,
    {m.least("%(end_month)s", "r.last_month")} AS m_end,
    {m.number("f.m0")} AS n0, {m.number("r.last_month")} AS n_last,
    {m.number("%(end_month)s")} AS n_end
  FROM firsts f CROSS JOIN received r),
hh AS (
  SELECT x.household_id, x.m0,
    {m.greatest(m.least("x.n0 + 12", "x.n_last") + " - x.n0", "0")} AS n12,
    {m.greatest(m.least("x.n_end", "x.n_last") + " - x.n0", "0")} AS nfy,
    MAX(CASE WHEN a.month = x.m_before AND a.status = 'paid' THEN a.earned_income_recognised END)
      AS earned_before,
    MAX(CASE WHEN a.month = x.m_after AND a.status = 'paid' THEN a.earned_income_recognised END)
      AS earned_after,
    MAX(CASE WHEN a.month = x.m_before AND a.status = 'paid' THEN {paid} END) AS paid_before,
    SUM(CASE WHEN a.month > x.m0 AND a.month <= x.m12 AND a.status = 'paid' THEN {paid} ELSE 0 END)
      AS paid_12,
    SUM(CASE WHEN a.month > x.m0 AND a.month <= x.m_end AND a.status = 'paid' THEN {paid} ELSE 0 END)
      AS paid_fy
  FROM x LEFT JOIN people_assistancemonth a ON a.household_id = x.household_id
    AND a.month >= x.m_before AND a.month <= {m.greatest("x.m12", "x.m_end")}
  GROUP BY x.household_id, x.m0, x.n0, x.n_last, x.n_end)
SELECT f.program_id,
  COUNT(earned_after - earned_before), COALESCE(SUM(earned_after - earned_before), 0),
  COUNT(paid_before), COALESCE(SUM(n12 * paid_before - paid_12), 0),
  COALESCE(SUM(nfy * paid_before - paid_fy), 0),
  COALESCE(SUM(CASE WHEN paid_before IS NOT NULL THEN n12 END), 0),
  COALESCE(SUM(CASE WHEN paid_before IS NOT NULL THEN nfy END), 0)
FROM firsts f JOIN hh ON hh.household_id = f.household_id AND hh.m0 = f.m0
GROUP BY f.program_id
"""


EFFECT_MONEY_FIGURES = ("income_households", "income_increase", "amount_households",
                        "effect_12", "effect_to_end", "effect_months_12", "effect_months_to_end")


def effect_medical_sql(vendor: str) -> str:
    """3. Medical cost and hospital days, 6 and 12 months before the start and after the
    discharge (or the end), for the episodes of health and discharge programs anchored in the
    period: per program and person the episode with the earliest anchor, and per person over
    those programs. Each compared (person, start, anchor) reads its claims once (one range of
    the ``(person, month, …)`` key per window). Rows of (program, compared people, then for 6
    and for 12 months: people whose windows were all received, cost before, cost after, days
    before, days after)."""
    m = _Months(vendor)
    sums = []
    for n in (6, 12):
        before, after = f"m.month >= w.s{n} AND m.month < w.s", f"m.month > w.a AND m.month <= w.a{n}"
        for name, window in (("cost_before", before), ("cost_after", after)):
            sums.append(f"COALESCE(SUM(CASE WHEN {window} THEN m.amount END), 0) AS {name}{n}")
        for name, window in (("days_before", before), ("days_after", after)):
            sums.append(f"COALESCE(SUM(CASE WHEN {window} AND m.kind = 'inpatient' "
                        f"THEN m.days END), 0) AS {name}{n}")
    totals = []
    for n in (6, 12):  # done: both windows lie inside the months received
        sums.append(f"CASE WHEN w.s{n} >= w.first_month AND w.a{n} <= w.last_month "
                    f"THEN 1 ELSE 0 END AS done{n}")
        totals.append(f"SUM(t.done{n})")
        totals += [f"SUM(t.done{n} * t.{k}{n})"
                   for k in ("cost_before", "cost_after", "days_before", "days_after")]
    return f"""
WITH received AS (
  SELECT MIN(month) AS first_month, MAX(month) AS last_month FROM people_medicalclaimmonth
  WHERE office_id = %(office)s),
health AS (
  SELECT DISTINCT t.program_id FROM programs_outcometype t
  JOIN programs_program pr ON pr.id = t.program_id
  WHERE pr.office_id = %(office)s AND t.kind IN ('discharge', 'health_improved')),
anchored AS (
  SELECT e.program_id, e.person_id, e.started_on,
    COALESCE((SELECT MIN(o.occurred_on) FROM programs_outcome o WHERE o.enrollment_id = e.id
                AND o.kind = 'discharge' AND o.occurred_on >= %(start)s AND o.occurred_on <= %(end)s),
             CASE WHEN e.status = 'ended' AND e.ended_on >= %(start)s AND e.ended_on <= %(end)s
                  THEN e.ended_on END) AS anchor
  FROM programs_enrollment e JOIN health ON health.program_id = e.program_id
  WHERE e.office_id = %(office)s AND e.started_on IS NOT NULL),
compared AS (
  SELECT program_id, person_id, started_on, anchor FROM (
    SELECT program_id, person_id, started_on, anchor, ROW_NUMBER() OVER (
      PARTITION BY program_id, person_id ORDER BY anchor, started_on) AS rn
    FROM anchored WHERE anchor IS NOT NULL) c WHERE rn = 1
  UNION ALL
  SELECT NULL, person_id, started_on, anchor FROM (
    SELECT person_id, started_on, anchor, ROW_NUMBER() OVER (
      PARTITION BY person_id ORDER BY anchor, started_on) AS rn
    FROM anchored WHERE anchor IS NOT NULL) c WHERE rn = 1),
w AS (  -- each compared person and pair of months once, with the bounds of the windows
  SELECT DISTINCT c.person_id, c.started_on, c.anchor, r.first_month, r.last_month,
    {m.of("c.started_on")} AS s, {m.of("c.anchor")} AS a,
    {m.plus(m.of("c.started_on"), -6)} AS s6, {m.plus(m.of("c.started_on"), -12)} AS s12,
    {m.plus(m.of("c.anchor"), 6)} AS a6, {m.plus(m.of("c.anchor"), 12)} AS a12
  FROM compared c CROSS JOIN received r),
t AS (
  SELECT w.person_id, w.started_on, w.anchor, {", ".join(sums)}
  FROM w LEFT JOIN people_medicalclaimmonth m ON m.person_id = w.person_id
    AND ((m.month >= w.s12 AND m.month < w.s) OR (m.month > w.a AND m.month <= w.a12))
  GROUP BY w.person_id, w.started_on, w.anchor, w.first_month, w.last_month, w.s, w.a, w.s6,
    w.s12, w.a6, w.a12)
SELECT c.program_id, COUNT(*), {", ".join(totals)}
FROM compared c
JOIN t ON t.person_id = c.person_id AND t.started_on = c.started_on AND t.anchor = c.anchor
GROUP BY c.program_id
"""


EFFECT_MEDICAL_FIGURES = ("medical_people", *(f"m{n}.{k}" for n in (6, 12) for k in (
    "people", "cost_before", "cost_after", "days_before", "days_after")))


def effects_sql(vendor: str) -> tuple[str, str, str]:
    """The three statements: counts, money, medical."""
    counts = EFFECT_COUNTS_SQL.replace("{start_month}", _Months(vendor).of("e.started_on"))
    return counts, effect_money_sql(vendor), effect_medical_sql(vendor)

# A month of amounts as a hand-written nightly load would write it (PostgreSQL): the rows
# COPYed into a temporary table, then one upsert per table that leaves equal rows alone. No
# checks, no error report, no audit: the floor the import is measured against.
_PAID = ("minimum_living_cost", "earned_income_recognised", "other_income_recognised",
         "paid_living", "paid_housing", "paid_education", "paid_medical", "paid_care",
         "paid_childbirth", "paid_occupation", "paid_funeral")
AMOUNT_ASSISTANCE_VALUES = (*_PAID, "status", "status_reason")
AMOUNT_ASSISTANCE_TEMP = ("CREATE TEMPORARY TABLE _ref_assistance (case_number varchar(30), month date, "
                          + ", ".join(f"{c} integer" for c in _PAID)
                          + ", status varchar(10), status_reason varchar(20)) ON COMMIT DROP")
AMOUNT_ASSISTANCE_SQL = f"""
INSERT INTO people_assistancemonth AS t (office_id, household_id, month, {", ".join(AMOUNT_ASSISTANCE_VALUES)},
  received_at)
SELECT h.office_id, h.id, s.month, {", ".join(f"s.{c}" for c in AMOUNT_ASSISTANCE_VALUES)}, now()
FROM _ref_assistance s JOIN people_household h ON h.office_id = %(office)s AND h.case_number = s.case_number
ON CONFLICT (household_id, month) DO UPDATE SET
  {", ".join(f"{c} = EXCLUDED.{c}" for c in AMOUNT_ASSISTANCE_VALUES)}, received_at = EXCLUDED.received_at
WHERE ({", ".join(f"t.{c}" for c in AMOUNT_ASSISTANCE_VALUES)})
  IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in AMOUNT_ASSISTANCE_VALUES)})
"""
AMOUNT_MEDICAL_TEMP = ("CREATE TEMPORARY TABLE _ref_medical (case_number varchar(30), member_number integer, "
                       "month date, kind varchar(12), institution_name varchar(200), days integer, "
                       "amount integer) ON COMMIT DROP")
AMOUNT_MEDICAL_SQL = """
INSERT INTO people_medicalclaimmonth AS t (office_id, person_id, month, kind, institution_name,
  institution_code, days, points, amount, received_at)
SELECT h.office_id, p.id, s.month, s.kind, s.institution_name, '', s.days, NULL, s.amount, now()
FROM _ref_medical s JOIN people_household h ON h.office_id = %(office)s AND h.case_number = s.case_number
JOIN people_person p ON p.household_id = h.id AND p.member_number = s.member_number
ON CONFLICT (person_id, month, kind, institution_name) DO UPDATE SET
  days = EXCLUDED.days, amount = EXCLUDED.amount, received_at = EXCLUDED.received_at
WHERE (t.days, t.amount) IS DISTINCT FROM (EXCLUDED.days, EXCLUDED.amount)
"""
# What both must leave in the tables (the office's amounts, every value column).
AMOUNT_STATE_SQL = f"""
SELECT (SELECT COUNT(*) FROM people_assistancemonth WHERE office_id = %(office)s),
  (SELECT SUM({" + ".join(_PAID)}) FROM people_assistancemonth WHERE office_id = %(office)s),
  (SELECT SUM(hashtext(household_id || month::text || status || status_reason))
     FROM people_assistancemonth WHERE office_id = %(office)s),
  (SELECT COUNT(*) FROM people_medicalclaimmonth WHERE office_id = %(office)s),
  (SELECT SUM(amount + days) FROM people_medicalclaimmonth WHERE office_id = %(office)s),
  (SELECT SUM(hashtext(person_id || month::text || kind || institution_name))
     FROM people_medicalclaimmonth WHERE office_id = %(office)s)
"""
