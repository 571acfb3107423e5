"""The synthetic data generator and the benchmark table (the full runs are not in the suite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Count

from bench.__main__ import table
from bench.generate import generate, school_age
from bench.timing import Result, percentile
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.core.kana import search_key
from jiritsu.offices.models import Membership
from jiritsu.people.models import HospitalStay, Household, Person

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    return generate(size="demo", seed=3, as_of=AS_OF, households=400, progress=False)


def test_demo_caseload_follows_the_published_shapes(demo: dict[str, Any]) -> None:
    households = Household.objects.count()
    people = Person.objects.count()
    assert households == 400
    assert 1.1 <= people / households <= 1.35
    shares = dict(Household.objects.values_list("household_type").annotate(n=Count("id")))
    assert 0.45 <= shares["elderly"] / households <= 0.65
    assert 0.15 <= (shares["disabled"] + shares["sick"]) / households <= 0.35
    elderly_people = Person.objects.filter(birth_date__lte=dt.date(1961, 11, 26)).count()
    assert elderly_people / people > 0.45
    assert Person.objects.exclude(employment_status__in=["not_working", "retired", "student",
                                                         "job_seeking"]).exists()


def test_every_household_has_a_head_and_search_keys_match_the_furigana(demo: Any) -> None:
    assert not Household.objects.exclude(members__member_number=1).exists()
    for name, kana, key in Person.objects.values_list("name", "kana", "kana_key")[:200]:
        assert name and key == search_key(kana)


def test_third_year_junior_high_pupils_are_of_the_right_cohort(demo: Any) -> None:
    for birth in Person.objects.filter(school_grade="j3").values_list("birth_date", flat=True):
        assert school_age(birth, 2026) == 14
        assert dt.date(2011, 4, 2) <= birth <= dt.date(2012, 4, 1)


def test_psychiatric_inpatients_include_long_stays_and_have_a_mental_condition(demo: Any) -> None:
    current = HospitalStay.objects.filter(psychiatric=True, discharged_on__isnull=True)
    assert current.filter(admitted_on__lte=AS_OF - dt.timedelta(days=180)).exists()
    for stay in current.select_related("person"):
        person = stay.person
        assert person.illnesses.filter(is_psychiatric=True).exists() or \
            person.disabilities.filter(kind="mental").exists()


def test_enrolment_histories_have_records_and_staff_of_every_role(demo: Any) -> None:
    assert Enrollment.objects.filter(status="active").exists()
    assert Enrollment.objects.filter(status="ended", end_reason="achieved").exists()
    assert ActivityRecord.objects.count() > Enrollment.objects.count()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"caseworker", "supervisor", "manager", "admin", "support_staff", "partner"}


def test_every_active_episode_has_its_next_review_date_stored(demo: Any) -> None:
    from jiritsu.cases.next_review import mismatches

    active = Enrollment._base_manager.filter(status="active")
    assert active.exists() and not active.filter(next_review_on__isnull=True).exists()
    assert mismatches() == []


def test_a_generated_caseworker_can_open_home_and_a_person(demo: Any, client: Any) -> None:
    household = Household.objects.filter(caseworker__isnull=False).first()
    client.force_login(household.caseworker)
    assert client.get("/").status_code == 200
    person = household.members.first()
    assert client.get(f"/people/{person.pk}/").status_code == 200


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == 95.0
    assert percentile([3.0], 95) == 3.0
    assert percentile([1.0, 2.0], 50) == 1.0


def test_table_shows_skipped_cases_with_their_reason() -> None:
    ok = Result(case="person page", size="large", n=3, samples=[10.0, 20.0, 30.0],
                sql_samples=[5.0, 5.0, 5.0])
    skipped = Result(case="import", size="large", skipped=True, note="not there yet")
    text = table([ok.as_dict(), skipped.as_dict()])
    assert "4.00×" in text
    assert "SKIPPED: not there yet" in text


def test_the_first_office_has_a_year_of_amounts_matching_its_claims(demo: Any) -> None:
    from django.db.models import Sum

    from jiritsu.people.models import AssistanceMonth, MedicalClaimMonth

    months = sorted(set(AssistanceMonth.objects.values_list("month", flat=True)))
    assert len(months) == 12 and all(m.day == 1 for m in months)
    assert AssistanceMonth.objects.values("household").distinct().count() >= 350
    paid = AssistanceMonth.objects.aggregate(s=Sum("paid_medical"))["s"]
    assert paid == MedicalClaimMonth.objects.aggregate(s=Sum("amount"))["s"] > 0


def test_cpu_per_page_times_every_page_of_the_mix(demo: Any) -> None:
    import argparse

    from bench.cpu import MIX, PageCost, measure_pages, mix, plan, table
    from bench.run import build_context

    ctx = build_context(argparse.Namespace(
        size="demo", repeat=2, locust_seconds=0, locust_users=0, think_seconds=0.0,
        workers=0, import_rows=0))
    costs = measure_pages(plan(ctx), repeat=2, warmup=1)
    assert set(costs) == {"frame", *MIX}
    assert all(c.n == 2 and c.queries > 0 and min(c.app_ms) > 0 for c in costs.values())
    assert "| mix (home 3 : person 5 : board 2 : search 1) |" in table(costs)
    # The mix weighs each page's mean as the load test does.
    fixed = {k: PageCost(k, "/", app_ms=[float(ms)], db_ms_total=1.0)
             for k, ms in {"home": 30, "person": 10, "board": 20, "search": 5}.items()}
    assert mix(fixed) == ((3 * 30 + 5 * 10 + 2 * 20 + 5) / 11, 1.0)
