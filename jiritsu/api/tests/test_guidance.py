"""Guidance cases through the API: the same services and guards as the screens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiritsu.audit.models import AuditEvent
from jiritsu.guidance.models import GuidanceCase

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


def test_case_open_oral_instruction_and_written_instruction(world, api_as):
    cw = api_as(world.caseworker)
    r = cw.post("guidance/cases", {"person_id": world.person.pk, "opened_on": days_ago(60),
                                   "ground": "稼働能力があるにもかかわらず求職活動を行っていない。"})
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["status"] == "open" and case["next_steps"]
    cid = case["id"]

    # The oral instruction needs a supervisor present: the service's guard, with its code.
    r = cw.post(f"guidance/cases/{cid}/oral-instruction",
                {"occurred_on": days_ago(50), "content": "求職登録を行うこと。"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "guidance.supervisor_absent"
    r = cw.post(f"guidance/cases/{cid}/oral-instruction",
                {"occurred_on": days_ago(50), "content": "求職登録を行うこと。",
                 "supervisor_present_id": world.supervisor.pk})
    assert r.status_code == 200, r.content
    assert [s["kind"] for s in r.json()["steps"]] == ["oral_instruction"]

    listed = cw.get("guidance/cases", {"status": "open"}).json()
    assert [c["id"] for c in listed["results"]] == [cid]
    detail = cw.get(f"guidance/cases/{cid}").json()
    assert detail["person_name"] == world.person.name
    assert AuditEvent.objects.filter(action="guidance.case_open").exists()

    r = cw.post(f"guidance/cases/{cid}/close", {"closed_on": days_ago(10),
                                               "note": "就労を開始したため指導の必要がなくなった。"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed"
    assert GuidanceCase.objects.get(pk=cid).closed_reason == "ended"


def test_guidance_is_office_bound_and_role_bound(world, api_as):
    r = api_as(world.outsider).post("guidance/cases", {"person_id": world.person.pk,
                                                       "opened_on": days_ago(5), "ground": "x"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "person_id"
    assert api_as(world.partner).get("guidance/cases").status_code == 403
    assert api_as(world.support_staff).get("guidance/cases").status_code == 403
    assert api_as(world.caseworker).get("guidance/cases/999999").status_code == 404
