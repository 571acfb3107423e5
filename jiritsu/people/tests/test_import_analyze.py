"""A large caseload load (file or API bulk upsert) refreshes the planner statistics of the
tables it filled, once committed; a small one leaves them to autovacuum."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from jiritsu.core.bulk import ANALYZE_MIN_ROWS, analyze
from jiritsu.people.importing import upsert_caseload
from jiritsu.people.models import Household, Person

pytestmark = pytest.mark.django_db


def _rows(n: int, start: int = 500000) -> list[dict[str, Any]]:
    return [{"case_number": str(start + i), "member_number": "1", "household_type": "その他",
             "name": f"港 太郎{i}", "kana": "みなと たろう", "birth_date": "1950-04-01",
             "sex": "男"} for i in range(n)]


def _reltuples(model: Any) -> float:
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                    [model._meta.db_table])
        return float(cur.fetchone()[0])


def test_a_large_import_analyzes_the_tables_it_filled_after_commit(
        world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as small:
        upsert_caseload(actor=world.m(world.supervisor), rows=_rows(3))
    assert small == []  # a handful of rows: nothing to do
    with django_capture_on_commit_callbacks(execute=False) as large:
        upsert_caseload(actor=world.m(world.supervisor), rows=_rows(ANALYZE_MIN_ROWS, 600000))
    assert len(large) == 1
    if connection.vendor != "postgresql":
        large[0]()  # runs, and does nothing, on SQLite
        return
    before = _reltuples(Person)
    large[0]()
    assert _reltuples(Person) >= ANALYZE_MIN_ROWS > before
    assert _reltuples(Household) >= ANALYZE_MIN_ROWS


def test_analyze_names_the_tables_on_postgresql_only() -> None:
    tables = analyze([Person, Household, Person])
    if connection.vendor == "postgresql":
        assert tables == ["people_household", "people_person"]
    else:
        assert tables == []


def test_steady_loads_leave_a_large_table_to_autovacuum(world: Any) -> None:
    """min_share (the amounts import: a tenth): once the planner knows a table holds many
    rows, a load of a small share of them is left to autovacuum; a larger one is analysed."""
    from jiritsu.core.bulk import analyze_after_commit, insert_many
    from jiritsu.people.models import HouseholdType

    if connection.vendor != "postgresql":
        assert analyze_after_commit({Household: ANALYZE_MIN_ROWS}, min_share=0.1) == [Household]
        return
    households = [Household(office_id=world.office.pk, case_number=f"S{i}", household_type=HouseholdType.OTHER)
                  for i in range(20 * ANALYZE_MIN_ROWS)]
    insert_many(Household, households)
    analyze([Household])
    assert _reltuples(Household) >= 20 * ANALYZE_MIN_ROWS
    assert analyze_after_commit({Household: ANALYZE_MIN_ROWS}, min_share=0.1) == []
    assert analyze_after_commit({Household: 3 * ANALYZE_MIN_ROWS}, min_share=0.1) == [Household]
    assert analyze_after_commit({Household: ANALYZE_MIN_ROWS}) == [Household]
