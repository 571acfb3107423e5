"""決裁ルート, approvals (mine and detail), numeric targets and saved ledgers through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services
from jiritsu.cases.models import ApprovalRoute
from jiritsu.cases.testing import make_consent
from jiritsu.programs.models import ProgramTarget, ProgramVersion
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


def test_approval_route_read_and_set_by_managers(world, api_as):
    r = api_as(world.caseworker).get("approvals/route")
    assert r.status_code == 200 and r.json()["steps"] == ["supervisor", "manager"]
    mgr = api_as(world.manager)
    r = mgr.put("approvals/route", {"name": "課長のみ", "steps": ["manager"]})
    assert r.status_code == 200, r.content
    assert r.json() == {"name": "課長のみ", "steps": ["manager"]}
    assert services.route_steps(world.office) == ["manager"]
    event = AuditEvent.objects.get(action="approval_route.set")
    assert event.changes["steps"][1] == ["manager"]
    # Other offices keep their own route; roles without program.manage are refused.
    assert api_as(world.outsider).get("approvals/route").json()["steps"] == ["supervisor", "manager"]
    for user in (world.caseworker, world.supervisor, world.partner):
        assert api_as(user).put("approvals/route", {"steps": ["manager"]}).status_code == 403
    r = mgr.put("approvals/route", {"steps": ["caseworker"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "steps.0"
    r = mgr.put("approvals/route", {"steps": []})
    assert r.status_code == 422 and r.json()["error"]["field"] == "steps"
    assert ApprovalRoute.objects.filter(office=world.office).count() == 1


def test_my_approvals_and_an_approvals_detail_with_decisions(world, api_as):
    program = make_program(world.office, approvals_needed=["extend"], standard_length_months=6,
                           max_length_months=12)
    make_consent(world.person, program, recorded_by=world.caseworker, given_on=D(2025, 1, 1))
    cw = api_as(world.caseworker)
    eid = cw.post("enrollments", {"person_id": world.person.pk, "program_id": program.pk,
                                  "on": "2025-04-01"}).json()["id"]
    started = cw.post(f"enrollments/{eid}/start", {"on": "2025-04-01"}).json()
    aid = cw.post(f"enrollments/{eid}/extend", {
        "on": "2025-09-01", "until": "2026-01-31",
        "version": started["enrollment"]["version"]}).json()["approval"]["id"]
    mine = cw.get("approvals/mine").json()
    assert [a["id"] for a in mine["results"]] == [aid] and mine["results"][0]["can_decide"] is False
    sv = api_as(world.supervisor)
    assert sv.get(f"approvals/{aid}").json()["can_decide"] is True
    r = sv.post(f"approvals/{aid}/decide", {"approve": False, "comment": "期間の根拠を追記のこと"})
    assert r.status_code == 200, r.content
    detail = cw.get(f"approvals/{aid}").json()
    assert detail["status"] == "rejected"
    assert [(d["role"], d["approved"], d["comment"]) for d in detail["decisions"]] == [
        ("supervisor", False, "期間の根拠を追記のこと")]
    assert detail["decisions"][0]["decided_by_name"] == str(world.supervisor)
    assert api_as(world.outsider).get(f"approvals/{aid}").status_code == 404
    assert api_as(world.partner).get(f"approvals/{aid}").status_code == 404
    assert api_as(world.admin).get("approvals/mine").json()["count"] == 0


def test_targets_read_and_replace_through_the_catalogue_service(world, api_as):
    program = make_program(world.office)
    c = api_as(world.manager)
    body = c.get(f"programs/{program.pk}/targets").json()
    assert body["targets"] == []
    r = c.put(f"programs/{program.pk}/targets", {"version": body["version"], "targets": [
        {"label": "参加者10人", "metric": "participants", "value": 10,
         "fiscal_year_from": 2025, "fiscal_year_to": 2025},
        {"label": "退院可能者を5人減らす", "metric": "reduction", "value": 5, "baseline": 6,
         "fiscal_year_from": 2023, "fiscal_year_to": 2026}]})
    assert r.status_code == 200, r.content
    out = r.json()
    assert [t["label"] for t in out["targets"]] == ["退院可能者を5人減らす", "参加者10人"]
    assert out["targets"][1]["metric_label"] == "参加者数"
    assert AuditEvent.objects.filter(action="program.update").count() == 1
    assert ProgramVersion.objects.filter(program=program).count() >= 1
    kept = out["targets"][1]["id"]
    r = c.put(f"programs/{program.pk}/targets", {"version": out["version"], "targets": [
        {"id": kept, "label": "参加者12人", "metric": "participants", "value": 12,
         "fiscal_year_from": 2025, "fiscal_year_to": 2025}]})
    assert r.status_code == 200, r.content
    assert [(t["id"], t["value"]) for t in r.json()["targets"]] == [(kept, 12)]
    assert ProgramTarget.objects.filter(program=program).count() == 1
    # Refusals: stale version, years in the wrong order (the service's check), roles, offices.
    r = c.put(f"programs/{program.pk}/targets", {"version": out["version"], "targets": []})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_edit"
    version = r2 = c.get(f"programs/{program.pk}/targets").json()["version"]
    r2 = c.put(f"programs/{program.pk}/targets", {"version": version, "targets": [
        {"label": "x", "metric": "achieved", "value": 1, "fiscal_year_from": 2026,
         "fiscal_year_to": 2025}]})
    assert r2.status_code == 422 and r2.json()["error"]["field"] == "targets"
    r2 = c.put(f"programs/{program.pk}/targets", {"version": version, "targets": [
        {"label": "x", "metric": "nonsense", "value": 1, "fiscal_year_from": 2025,
         "fiscal_year_to": 2025}]})
    assert r2.status_code == 422 and r2.json()["error"]["field"] == "targets.0.metric"
    assert api_as(world.caseworker).put(f"programs/{program.pk}/targets",
                                        {"version": version, "targets": []}).status_code == 403
    assert api_as(world.caseworker).get(f"programs/{program.pk}/targets").status_code == 200
    assert api_as(world.outsider).get(f"programs/{program.pk}/targets").status_code == 404


def test_saved_ledgers_are_listed(world, api_as):
    program = make_program(world.office)
    c = api_as(world.caseworker)
    r = c.post(f"programs/{program.pk}/ledgers", {"as_of": "2025-04-01", "title": "4月"})
    assert r.status_code == 201, r.content
    listed = c.get(f"programs/{program.pk}/ledgers").json()
    assert [(g["title"], g["id"]) for g in listed["results"]] == [("4月", r.json()["id"])]
    assert api_as(world.outsider).get(f"programs/{program.pk}/ledgers").status_code == 404
    assert api_as(world.partner).get(f"programs/{program.pk}/ledgers").status_code == 403


def test_a_consent_answers_with_each_grants_partner_name(world, api_as):
    """The outputs are read from the records by their schemas (computed fields by resolvers)."""
    cw = api_as(world.caseworker)
    r = cw.post("consents", {"person_id": world.person.pk, "given_on": "2025-04-01",
                             "form": "written", "grants": [
                                 {"partner_id": world.partner_org.pk, "categories": ["basic"]}]})
    assert r.status_code == 201, r.content
    assert r.json()["grants"] == [{"partner_id": world.partner_org.pk,
                                   "partner_name": "ハローワークＡ", "categories": ["basic"]}]
    listed = cw.get("consents", {"person_id": world.person.pk}).json()["results"]
    assert listed[0]["grants"][0]["partner_name"] == "ハローワークＡ"
