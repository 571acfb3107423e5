"""Programs created and changed through the API, through the catalogue services."""

from __future__ import annotations

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.programs.models import Program, ProgramVersion
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db

RULES = {"op": "and", "conditions": [{"field": "psychiatric_stay_months", "op": "gte", "value": 3}]}


def _body(**extra):
    return {"code": "P-API", "name": "就労準備支援プログラム", "kind": "economic",
            "established_on": "2026-04-15", "rules": RULES, "approvals_needed": ["extend"],
            "phases": [{"name": "準備"}, {"name": "実践", "standard_months": 6}],
            "menus": [{"name": "面接練習"}],
            "outcome_types": [{"kind": "employment_start", "name": "就労開始", "counts_as_achievement": True}],
            **extra}


def test_manager_creates_and_changes_a_program_with_versions_and_audit(world, api_as):
    c = api_as(world.manager)
    r = c.post("programs", _body(partner_ids=[world.partner_org.pk]))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["established_on"] == "2026-04-01"
    assert [p["name"] for p in body["phases"]] == ["準備", "実践"]
    assert body["rules"]["conditions"][0]["field"] == "psychiatric_stay_months"
    program = Program.objects.get(pk=body["id"])
    assert list(program.partners.all()) == [world.partner_org]
    phase_id = body["phases"][0]["id"]
    r = c.patch(f"programs/{program.pk}", {"version": body["version"], "name": "就労準備支援",
                                           "phases": [{"id": phase_id, "name": "準備期"}]})
    assert r.status_code == 200, r.json()
    assert r.json()["current_version"] == 2
    assert [p["id"] for p in r.json()["phases"]] == [phase_id]
    assert ProgramVersion.objects.filter(program=program).count() == 2
    stale = c.patch(f"programs/{program.pk}", {"version": body["version"], "name": "x"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_edit"
    actions = list(AuditEvent.objects.filter(action__startswith="program.")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["program.create", "program.update"]


def test_bad_rules_and_duplicate_code_are_refused_with_the_services_codes(world, api_as):
    c = api_as(world.manager)
    r = c.post("programs", _body(rules={"op": "xor", "conditions": []}))
    assert r.status_code == 422 and r.json()["error"]["field"] == "rules"
    make_program(world.office, code="P-API")
    r = c.post("programs", _body())
    assert r.status_code == 422 and r.json()["error"]["field"] == "code"


def test_a_caseworker_may_not_manage_programs(world, api_as):
    program = make_program(world.office)
    c = api_as(world.caseworker)
    assert c.post("programs", _body()).status_code == 403
    r = c.patch(f"programs/{program.pk}", {"version": program.version, "name": "x"})
    assert r.status_code == 403
    assert not Program.objects.filter(code="P-API").exists()


def test_another_offices_program_and_partner_answer_404(world, api_as):
    other = make_program(world.other_office)
    c = api_as(world.manager)
    assert c.patch(f"programs/{other.pk}", {"version": other.version, "name": "x"}).status_code == 404
    from jiritsu.offices.models import PartnerOrganisation

    foreign = PartnerOrganisation.objects.create(office=world.other_office, name="他市の機関")
    r = c.post("programs", _body(partner_ids=[foreign.pk]))
    assert r.status_code == 404 and r.json()["error"]["field"] == "partner_ids"
