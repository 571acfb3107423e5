"""POST /api/v1/households/bulk-upsert: the nightly sync from the main system."""

from __future__ import annotations

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.people.models import Household, Person

pytestmark = pytest.mark.django_db


def _row(case: str, member: int, **kw):
    row = {"case_number": case, "member_number": member, "household_type": "elderly",
           "name": f"港 太郎{member}", "kana": "みなと たろう", "birth_date": "1950-04-01",
           "sex": "male"}
    row.update(kw)
    return row


def test_bulk_upsert_creates_then_updates_without_duplicates(world, api_as):
    c = api_as(world.supervisor)
    rows = [_row("200001", 1, district="北地区", caseworker="cw_a"),
            _row("200001", 2, name="港 花子", sex="female", relationship="spouse"),
            _row("200002", 1, household_type="single_mother", birth_date="S60.6.1", sex="female")]
    r = c.post("households/bulk-upsert", {"rows": rows})
    assert r.status_code == 200, r.content
    assert r.json()["households_created"] == 2 and r.json()["people_created"] == 3
    hh = Household.objects.get(office=world.office, case_number="200001")
    assert hh.caseworker == world.caseworker and hh.district == "北地区"
    rows[0]["earned_income"] = 30000
    r = c.post("households/bulk-upsert", {"rows": rows})
    assert r.json()["people_updated"] == 1 and r.json()["people_unchanged"] == 2
    assert r.json()["people_created"] == 0
    assert Person.objects.filter(household__case_number="200001").count() == 2
    assert Person.objects.get(household=hh, member_number=1).earned_income == 30000
    assert AuditEvent.objects.filter(action="caseload.import").count() == 2


def test_bulk_upsert_is_all_or_nothing_with_per_record_errors(world, api_as):
    c = api_as(world.supervisor)
    rows = [_row("300001", 1), _row("300002", 1, birth_date="not a date"),
            _row("300003", 1, sex="unknown")]
    r = c.post("households/bulk-upsert", {"rows": rows})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "import_invalid" and err["message"]
    by_row = {(d["row"], d["field"]) for d in err["details"]}
    assert (2, "birth_date") in by_row and (3, "sex") in by_row
    assert all(d["message"] for d in err["details"])
    assert not Household.objects.filter(case_number__startswith="3000").exists()


def test_bulk_upsert_schema_errors_name_the_row_and_field(world, api_as):
    r = api_as(world.supervisor).post("households/bulk-upsert",
                                      {"rows": [_row("1", 1), {"case_number": "2"}]})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_error"
    assert err["details"][0]["field"] == "rows.1.member_number"


def test_bulk_upsert_needs_the_import_role_and_stays_in_the_office(world, api_as):
    assert api_as(world.caseworker).post("households/bulk-upsert",
                                         {"rows": [_row("1", 1)]}).status_code == 403
    r = api_as(world.outsider).post("households/bulk-upsert", {"rows": [_row("100001", 1)]})
    assert r.status_code == 403
    api_as(world.supervisor).post("households/bulk-upsert", {"rows": [_row("100001", 2)]})
    assert Household.objects.filter(case_number="100001").count() == 2  # one per office
    assert Person.objects.filter(household=world.household).count() == 2


def test_bulk_upsert_nul_character_is_a_row_error(world, api_as):
    r = api_as(world.supervisor).post("households/bulk-upsert",
                                      {"rows": [_row("400001", 1, name="港\u0000太郎")]})
    assert r.status_code == 422, r.content
    err = r.json()["error"]
    # Refused by the API schema, or by the import's own row check: never a server error.
    assert err["code"] in {"validation_error", "import_invalid"}
    assert "name" in str(err["details"][0]["field"])
