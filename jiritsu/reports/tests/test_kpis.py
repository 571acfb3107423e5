"""The three national KPIs and the caseworker load, by the definitions in docs/reports.md."""

from __future__ import annotations

from typing import Any

from jiritsu import testing as t
from jiritsu.offices.models import Office
from jiritsu.people.models import HouseholdType, HouseholdTypeChange, Person
from jiritsu.programs.models import OutcomeKind, Program
from jiritsu.reports import figures
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import factories as f

D = f.D
FY2025 = Period.for_fiscal_year(2025)
NOT_FULLY, FULLY, NONE = "not_fully_used", "fully_used", "no_capacity"


def test_kpis_for_fiscal_year_2025(db: Any) -> None:
    office = t.make_office()
    cw = t.make_user(office, "caseworker")
    emp = f.make_program(office, code="E", kind=Program.Kind.ECONOMIC)
    art55 = f.make_program(office, code="L", kind=Program.Kind.SOCIAL_LIFE,
                           legal_basis=Program.LegalBasis.ART55_7)
    daily = f.make_program(office, code="H", kind=Program.Kind.DAILY_LIFE)
    hh = f.household(office, household_type=HouseholdType.DISABLED)
    closed = f.household(office, household_type=HouseholdType.DISABLED,
                         assistance_ended_on=D(2025, 12, 31), end_reason="work")
    a = {k: f.person(office, closed if k == "a5" else hh) for k in
         ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8")}
    f.assess(a["a1"], D(2025, 5, 1))
    f.assess(a["a2"], D(2024, 11, 1))
    f.assess(a["a3"], D(2024, 11, 1))
    f.assess(a["a3"], D(2025, 7, 1), usage=FULLY)       # already making full use
    f.assess(a["a4"], D(2025, 4, 1))
    f.assess(a["a4"], D(2025, 10, 1), usage=NONE, has_capacity=False)  # lost capacity
    f.assess(a["a5"], D(2025, 4, 1))                    # case closed
    f.assess(a["a6"], D(2026, 5, 1))                    # assessed after the period
    f.assess(a["a7"], D(2025, 4, 1))
    e1 = f.enroll(a["a1"], emp, cw, candidate_on=D(2025, 6, 1), started_on=D(2025, 6, 1))
    f.outcome(e1, OutcomeKind.EMPLOYMENT_START, D(2025, 8, 1), cw)
    f.enroll(a["a3"], emp, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 5, 1))
    f.enroll(a["a7"], daily, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 5, 1))
    e8 = f.enroll(a["a8"], art55, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 5, 1))
    f.outcome(e8, OutcomeKind.SOCIAL_PARTICIPATION, D(2025, 9, 1), cw)

    # その他の世帯 at 2026-03-31: h1 (earner), h2, h6 (other by its history then).
    h1 = f.household(office)
    f.person(office, h1, employment_status=Person.EmploymentStatus.PART_TIME, earned_income=60000)
    h2 = f.household(office)
    f.person(office, h2)
    h3 = f.household(office, household_type=HouseholdType.ELDERLY)
    f.person(office, h3, earned_income=30000)
    h4 = f.household(office, assistance_ended_on=D(2026, 1, 31))
    f.person(office, h4, employment_status=Person.EmploymentStatus.FULL_TIME)
    h5 = f.household(office)  # "other" now, but "sick" until 2026-04-01
    HouseholdTypeChange.objects.create(household=h5, household_type="sick", valid_from=D(2020, 4, 1))
    HouseholdTypeChange.objects.create(household=h5, household_type="other", valid_from=D(2026, 4, 1))
    f.person(office, h5, earned_income=10000)
    h6 = f.household(office, household_type=HouseholdType.ELDERLY)
    HouseholdTypeChange.objects.create(household=h6, household_type="other", valid_from=D(2025, 1, 1))
    HouseholdTypeChange.objects.create(household=h6, household_type="elderly", valid_from=D(2026, 5, 1))
    f.person(office, h6)

    kpis = figures.kpis(office, FY2025)
    p, e, o = kpis["participation"], kpis["employment"], kpis["other_households"]
    assert (p["numerator"], p["denominator"], p["rate"]) == (1, 3, 33.3)   # a1 / a1 a2 a7
    assert (e["numerator"], e["denominator"], e["rate"]) == (1, 3, 33.3)   # a1 / a1 a3 a8
    assert (o["numerator"], o["denominator"], o["rate"]) == (1, 3, 33.3)   # h1 / h1 h2 h6

    able = set(figures.people_for(office, FY2025, "kpi_able").values_list("pk", flat=True))
    assert able == {a["a1"].pk, a["a2"].pk, a["a7"].pk}
    work = set(figures.people_for(office, FY2025, "kpi_work").values_list("pk", flat=True))
    assert work == {a["a1"].pk}
    households = set(figures.people_for(office, FY2025, "kpi_other_households")
                     .values_list("household_id", flat=True))
    assert households == {h1.pk, h2.pk, h6.pk}


def test_kpi_rates_are_empty_not_zero_without_a_denominator(db: Any) -> None:
    office = t.make_office()
    kpis = figures.kpis(office, FY2025)
    assert [k["rate"] for k in kpis.values()] == [None, None, None]


def test_caseworker_load_against_the_prefecture_standard(db: Any) -> None:
    office = t.make_office(kind=Office.Kind.PREFECTURE)
    busy = t.make_user(office, "caseworker", display_name="多忙 一郎")
    calm = t.make_user(office, "caseworker", display_name="余裕 花子")
    idle = t.make_user(office, "caseworker", display_name="新任 次郎")
    for i in range(66):
        f.household(office, caseworker=busy, case_number=f"B{i:03d}")
    for i in range(65):
        f.household(office, caseworker=calm, case_number=f"C{i:03d}")
    f.household(office, caseworker=calm, case_number="C-closed", assistance_ended_on=D(2026, 2, 1))
    f.household(office, case_number="U001")
    load = figures.caseload(office, FY2025)
    assert load["standard"] == 65
    rows = {r["name"]: (r["households"], r["over"]) for r in load["rows"]}
    assert rows == {"多忙 一郎": (66, True), "余裕 花子": (65, False), "新任 次郎": (0, False)}
    assert (load["open_households"], load["unassigned"], load["caseworkers"]) == (132, 1, 3)
    assert load["over_count"] == 1
    assert load["needed_caseworkers"] == 3  # ceil(132 / 65)
    assert idle.pk in {r["user_id"] for r in load["rows"]}


def test_city_standard_is_80(db: Any) -> None:
    assert figures.caseload(t.make_office(kind=Office.Kind.CITY), FY2025)["standard"] == 80
