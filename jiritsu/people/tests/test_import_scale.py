"""Caseload import at scale: statements per import do not grow with the rows, and the
batch audit rows are those of the per-row contract (one per created/changed person and
changed household, each pointing at the summary row)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiritsu.audit.log import MASK
from jiritsu.audit.models import AuditEvent
from jiritsu.people.importing import upsert_caseload
from jiritsu.people.models import Disability, HospitalStay, Illness, Person

pytestmark = pytest.mark.django_db


def _rows(n: int, prefix: str, *, changed: bool = False) -> list[dict[str, Any]]:
    """``n`` people in households of two, with every kind of part on some rows."""
    rows = []
    for i in range(n):
        row: dict[str, Any] = {
            "case_number": f"{prefix}{i // 2:04d}", "member_number": str(i % 2 + 1),
            "name": f"港 {'花子' if i % 2 else '太郎'}{i}", "kana": "みなと たろう",
            "birth_date": "S60.6.1", "sex": "女" if i % 2 else "男",
            "employment_status": "求職中" if changed and i % 4 == 0 else "未就労",
            "address_number": f"A{i:05d}",
            "disabilities": "身体3級;精神2級" if i % 3 == 0 else "",
            "illnesses": ("うつ病（精神）" if changed else "高血圧症") if i % 2 == 0 else "",
            "admitted_on": "2025-01-10" if i % 5 == 0 else "",
            "hospital_name": ("丘の上病院" if changed else "港の丘病院") if i % 5 == 0 else "",
            "psychiatric_ward": "はい" if i % 10 == 0 else "",
        }
        if i % 2 == 0:
            row |= {"household_type": "高齢者", "caseworker": "cw_a", "assistance_started_on": "R6.4.1",
                    "district": "北地区" if changed and i % 4 == 0 else "港地区",
                    "address": "みなと市中央1-2-3"}
        rows.append(row)
    return rows


def _import(world: Any, rows: list[dict[str, Any]]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = upsert_caseload(actor=world.m(world.supervisor), rows=rows)
    return len(ctx.captured_queries), result


def test_statements_do_not_grow_with_rows(world):
    # 40 rows: on SQLite Django splits an INSERT at 999 parameters (about 49 people); on
    # PostgreSQL the writes are COPY and the count stays the same up to the 500-key
    # chunks of the lookups.
    small_new, small = _import(world, _rows(10, "S"))
    large_new, large = _import(world, _rows(40, "L"))
    assert (small.people_created, large.people_created) == (10, 40)
    assert small_new == large_new
    small_again, small = _import(world, _rows(10, "S", changed=True))
    large_again, large = _import(world, _rows(40, "L", changed=True))
    assert small.people_updated and large.people_updated and large.households_updated
    assert small_again == large_again
    # Nothing read lazily row by row afterwards either: unchanged re-import is as cheap.
    large_same, large = _import(world, _rows(40, "L", changed=True))
    assert large.people_unchanged == 40 and large_same <= large_again


def test_batch_audit_rows_follow_the_per_row_contract(world):
    _, first = _import(world, _rows(12, "A"))
    created = AuditEvent.objects.filter(action="person.import_create")
    assert created.count() == 12
    assert set(created.values_list("note", flat=True)) == {f"caseload.import #{first.audit_event_id}"}
    taro = Person.objects.get(household__case_number="A0000", member_number=1)
    ev = created.get(person_id=taro.pk)
    assert ev.target_type == "people.Person" and ev.target_id == str(taro.pk)
    assert ev.target_label == ev.person_label == taro.name
    assert ev.kind == AuditEvent.Kind.CREATE and ev.actor_id == world.supervisor.pk
    assert ev.actor_label == str(world.supervisor) and ev.office_id == world.office.pk
    assert ev.changes["address_number"] == [None, MASK]
    assert ev.changes["name"] == [None, taro.name]
    assert ev.changes["disabilities"] == [[], ["physical3級", "mental2級"]]
    assert ev.changes["hospital_stay"] == [None, "2025-01-10 港の丘病院"]
    assert Disability.objects.filter(person=taro).count() == 2

    _, second = _import(world, _rows(12, "A", changed=True))
    updated = AuditEvent.objects.filter(action="person.import_update",
                                        note=f"caseload.import #{second.audit_event_id}")
    # Fields changed on rows 0, 4, 8 (employment); parts only on 2, 6, 10 (illnesses) and
    # 5 (hospital): one audit row per person either way, as before.
    assert second.people_updated == 3
    assert updated.count() == 7
    ev = updated.get(person_id=taro.pk)
    assert ev.changes["employment_status"] == ["not_working", "job_seeking"]
    assert ev.changes["illnesses"] == [["高血圧症"], ["うつ病"]]
    assert ev.changes["hospital_stay"] == ["", "2025-01-10 丘の上病院"]
    assert Illness.objects.get(person=taro).is_psychiatric
    assert HospitalStay.objects.get(person=taro).hospital_name == "丘の上病院"
    households = AuditEvent.objects.filter(action="household.import_update",
                                           note=f"caseload.import #{second.audit_event_id}")
    assert households.count() == second.households_updated == 3  # A0000, A0002, A0004
    assert households.get(target_label="ケースA0000").changes == {"district": ["港地区", "北地区"]}
    assert AuditEvent.objects.filter(action="caseload.import").count() == 2
