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


# The effects section's counts (docs/reports.md「効果」): 就労・増収者数 and 就労による保護廃止
# per program and over all programs, each person once. ``{start_month}`` is the month of
# the episode's start (vendor SQL, see :func:`effects_sql`). The money figures (効果額,
# medical before/after) are checked against hand-computed amounts by the replay test
# (jiritsu/reports/tests/test_effects.py); here they are timed as part of the report.
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


def effects_sql(vendor: str) -> str:
    month = ("date_trunc('month', e.started_on)::date" if vendor == "postgresql"
             else "date(e.started_on, 'start of month')")
    return EFFECT_COUNTS_SQL.replace("{start_month}", month)

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
