"""Medical evidence through the API: list and create for an integration, stable error codes,
another office's person and roles without the right kept out."""

from __future__ import annotations

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.people.models import MedicalEvidence

pytestmark = pytest.mark.django_db

TODAY = "2026-06-10 09:00"



def test_api_create_list_update_with_codes(api_as, japan_time, world):
    japan_time(TODAY)
    c = api_as(world.caseworker)
    path = f"people/{world.person.pk}/evidence"
    r = c.post(path, {"kind": "opinion", "issued_on": "2026-01-05", "issuer": "こころ病院",
                      "hospitalisation": "not_required", "work": "possible"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["next_due_on"] == "2026-07-05" and body["recorded_by_id"] == world.caseworker.pk
    r2 = c.post(path, {"kind": "consultation", "issued_on": "2026-02-01",
                       "based_on_id": body["id"], "question": "就労の可否",
                       "work": "limited", "work_limits": "軽作業"})
    assert r2.status_code == 201 and r2.json()["based_on_id"] == body["id"]
    future = c.post(path, {"kind": "receipt", "issued_on": "2026-06-11"})
    assert future.status_code == 422 and future.json()["error"]["code"] == "future_date"
    wrong = c.post(path, {"kind": "consultation", "issued_on": "2026-02-01",
                          "based_on_id": 999999})
    assert wrong.json()["error"]["code"] == "evidence.based_on"
    listed = c.get(path)
    assert listed.status_code == 200
    assert [x["kind"] for x in listed.json()] == ["consultation", "opinion"]
    assert AuditEvent.objects.filter(action="medical_evidence.list",
                                     person_id=world.person.pk).count() == 1
    patch = c.patch(f"{path}/{body['id']}", {"version": 1, "next_due_on": None})
    assert patch.status_code == 200 and patch.json()["next_due_on"] is None


def test_api_keeps_other_offices_and_roles_out(api_as, world):
    assert api_as(world.caseworker).get(
        f"people/{world.other_person.pk}/evidence").status_code == 404
    r = api_as(world.caseworker).post(f"people/{world.other_person.pk}/evidence",
                                      {"kind": "opinion", "issued_on": "2025-01-05"})
    assert r.status_code == 404
    r = api_as(world.support_staff).post(f"people/{world.person.pk}/evidence",
                                         {"kind": "opinion", "issued_on": "2025-01-05"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert api_as(world.partner).get(f"people/{world.person.pk}/evidence").status_code == 404
    assert not MedicalEvidence.objects.exists()
