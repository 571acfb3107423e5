"""保護費・医療扶助 through the API: the nightly bulk upserts (all or nothing, idempotent, the
office's own cases only) and a person's months (audited, never for partners)."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.people.models import AssistanceMonth, MedicalClaimMonth

pytestmark = pytest.mark.django_db

ASSISTANCE = [
    {"case_number": "100001", "month": "2025-04", "minimum_living_cost": 132000,
     "earned_income_recognised": 40000, "paid_living": 55000, "paid_housing": 37000},
    {"case_number": "100001", "month": "R7.5", "paid_living": 20000, "status": "ended",
     "status_reason": "work"},
]
MEDICAL = [
    {"case_number": "100001", "member_number": 1, "month": "2025-04", "kind": "inpatient",
     "institution_name": "みなと中央病院", "days": 20, "points": 45000},
    {"case_number": "100001", "member_number": 1, "month": "2025-05", "kind": "調剤",
     "institution_name": "みなと薬局", "days": 1, "amount": 3800},
]


def test_bulk_upserts_create_then_repeat_without_writing(world, api_as):
    c = api_as(world.supervisor)
    r = c.post("assistance/bulk-upsert", {"rows": ASSISTANCE})
    assert r.status_code == 200, r.content
    assert (r.json()["created"], r.json()["unchanged"]) == (2, 0)
    r = c.post("assistance/bulk-upsert", {"rows": ASSISTANCE})
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 0, 2)
    assert AssistanceMonth.objects.get(month=dt.date(2025, 5, 1)).status_reason == "work"
    r = c.post("medical-claims/bulk-upsert", {"rows": MEDICAL})
    assert r.status_code == 200 and r.json()["created"] == 2
    r = c.post("medical-claims/bulk-upsert", {"rows": [{**MEDICAL[0], "days": 21}, MEDICAL[1]]})
    assert (r.json()["updated"], r.json()["unchanged"]) == (1, 1)
    assert MedicalClaimMonth.objects.get(kind="inpatient").amount == 450_000
    assert AuditEvent.objects.filter(action="medical.import").count() == 2


def test_bulk_upsert_errors_are_all_or_nothing_with_codes(world, api_as):
    t.make_household(world.other_office, case_number="900001")
    c = api_as(world.supervisor)
    rows = [ASSISTANCE[0], {"case_number": "900001", "month": "2025-04"},
            {"case_number": "100001", "month": "2025-06", "status": "stopped"},
            {"case_number": "100001", "month": "someday"}]
    r = c.post("assistance/bulk-upsert", {"rows": rows})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "import_invalid"
    assert {(d["row"], d["field"]) for d in err["details"]} == {
        (2, "case_number"), (3, "status_reason"), (4, "month")}
    assert not AssistanceMonth.objects.exists()
    r = c.post("medical-claims/bulk-upsert", {"rows": [{**MEDICAL[0], "days": 40}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert r.json()["error"]["details"][0]["field"] == "rows.0.days"
    # Another office's staff find nothing of this office: its case number is theirs or nothing.
    assert api_as(world.caseworker).post("assistance/bulk-upsert", {"rows": ASSISTANCE}).status_code == 403


def test_person_amounts_are_audited_and_never_for_partners(world, api_as):
    api_as(world.supervisor).post("assistance/bulk-upsert", {"rows": ASSISTANCE})
    api_as(world.supervisor).post("medical-claims/bulk-upsert", {"rows": MEDICAL})
    r = api_as(world.caseworker).get(f"people/{world.person.pk}/amounts", {"months": 60})
    assert r.status_code == 200, r.content
    months = r.json()
    assert [m["month"] for m in months] == ["2025-05-01", "2025-04-01"]
    may, april = months
    assert april["paid_total"] == 92_000 and april["paid"]["housing"] == 37_000
    assert april["medical_by_kind"]["inpatient"] == {"amount": 450_000, "days": 20}
    assert april["inpatient_days"] == 20 and may["status_label"] == "廃止"
    assert AuditEvent.objects.filter(action="person.amounts_view", person_id=world.person.pk).count() == 1
    assert api_as(world.partner).get(f"people/{world.person.pk}/amounts").status_code == 403
    assert api_as(world.outsider).get(f"people/{world.person.pk}/amounts").status_code == 404
