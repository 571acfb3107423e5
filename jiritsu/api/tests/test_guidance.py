"""Guidance cases through the API: the same services and guards as the screens."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.guidance.models import GuidanceCase

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> str:
    return (clock.today() - dt.timedelta(days=n)).isoformat()


def test_case_open_oral_instruction_and_written_instruction(world, api_as):
    cw = api_as(world.caseworker)
    r = cw.post("guidance/cases", {"person_id": world.person.pk, "opened_on": days_ago(60),
                                   "ground_category": "work_capacity",
                                   "ground": "稼働能力があるにもかかわらず求職活動を行っていない。"})
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["ground_category_label"] == "稼働能力の活用（勤労・求職活動）"
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
                                                       "opened_on": days_ago(5), "ground_category": "assets",
                                                       "ground": "x"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "person_id"
    assert api_as(world.partner).get("guidance/cases").status_code == 403
    assert api_as(world.support_staff).get("guidance/cases").status_code == 403
    assert api_as(world.caseworker).get("guidance/cases/999999").status_code == 404


def test_document_pdf_download_is_audited_and_refusals_keep_their_codes(world, api_as):
    from jiritsu.guidance.tests.helpers import Walker

    walk = Walker(world, required=1)
    walk.oral()
    walk.conference("instruction")
    written = walk.written()
    cw = api_as(world.caseworker)
    r = cw.get(f"guidance/steps/{written.pk}/document")
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert r["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    event = AuditEvent.objects.get(action="guidance.document_export")
    assert event.kind == AuditEvent.Kind.EXPORT and event.person_id == world.person.pk
    oral = walk.case.steps.get(kind="oral_instruction")
    r = cw.get(f"guidance/steps/{oral.pk}/document")
    assert r.status_code == 409 and r.json()["error"]["code"] == "guidance.no_document"
    assert api_as(world.outsider).get(f"guidance/steps/{written.pk}/document").status_code == 404
    assert api_as(world.partner).get(f"guidance/steps/{written.pk}/document").status_code == 403
    assert api_as(world.support_staff).get(f"guidance/steps/{written.pk}/document").status_code == 403
    assert AuditEvent.objects.filter(action="guidance.document_export").count() == 1


def test_settings_read_and_update_for_managers_and_admins(world, api_as):
    mgr = api_as(world.manager)
    r = mgr.get("guidance/settings")
    assert r.status_code == 200, r.content
    s = r.json()
    assert s["required_written_instructions"] == 1 and s["appeal_period_months"] == 3
    r = mgr.patch("guidance/settings", {"version": s["version"], "required_written_instructions": 2,
                                        "appeal_authority": "愛知県知事"})
    assert r.status_code == 200, r.content
    assert r.json()["required_written_instructions"] == 2 and r.json()["version"] == s["version"] + 1
    event = AuditEvent.objects.get(action="guidance.settings_update")
    assert event.changes["required_written_instructions"] == [1, 2]
    # The law's floors are the service's refusals, with their code and field.
    r = mgr.patch("guidance/settings", {"version": s["version"] + 1, "appeal_period_months": 2})
    assert r.status_code == 422
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
        "guidance.settings_invalid", "appeal_period_months")
    r = mgr.patch("guidance/settings", {"version": s["version"], "min_notice_days": 10})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_edit"
    r = api_as(world.admin).patch("guidance/settings", {"version": s["version"] + 1,
                                                        "min_notice_days": 10})
    assert r.status_code == 200 and r.json()["min_notice_days"] == 10
    for user in (world.caseworker, world.supervisor, world.partner, world.support_staff):
        assert api_as(user).get("guidance/settings").status_code == 403
        assert api_as(user).patch("guidance/settings", {"version": 1}).status_code == 403
    # Each office has its own settings.
    assert api_as(world.outsider).get("guidance/settings").status_code == 403
    r = mgr.patch("guidance/settings", {"version": 1, "appeal_authority": "x" * 101})
    assert r.status_code == 422 and r.json()["error"]["field"] == "appeal_authority"
