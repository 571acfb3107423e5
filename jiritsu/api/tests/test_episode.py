"""A whole program episode driven through the API alone: screening → ledger → consent →
conference decision → plan → records (staff and partner) → reviews → outcome → transfer."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Enrollment
from jiritsu.cases.testing import make_consent, refer
from jiritsu.people.models import HospitalStay
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def programs(world):
    program = make_program(world.office, name="精神障害者退院支援プログラム",
                           phases=["退院前訓練", "退院先の確保・調整", "退院後の生活・就労訓練"],
                           menus=["退院促進", "生活支援", "就労支援"],
                           rules={"op": "and", "conditions": [
                               {"field": "psychiatric_stay_months", "op": "gte", "value": 3}]})
    target = make_program(world.office, name="精神障害者在宅生活支援プログラム",
                          consent_required=False)
    HospitalStay.objects.create(person=world.person, hospital_name="こころ病院",
                                psychiatric=True, admitted_on=D(2024, 7, 1))
    return program, target


def test_whole_episode_through_the_api(world, programs, api_as):
    program, target = programs
    cw = api_as(world.caseworker)
    pid = world.person.pk

    # Programs and screening
    listed = cw.get("programs").json()
    assert {p["name"] for p in listed["results"]} == {program.name, target.name}
    detail = cw.get(f"programs/{program.pk}").json()
    phases = [p["id"] for p in detail["phases"]]
    menus = [m["id"] for m in detail["menus"]]
    preview = cw.get(f"programs/{program.pk}/screening", {"as_of": "2025-04-01"}).json()
    assert [c["person_id"] for c in preview["candidates"]] == [pid]
    assert preview["candidates"][0]["reasons"]
    r = cw.post(f"programs/{program.pk}/ledgers", {"as_of": "2025-04-01", "title": "4月台帳"})
    assert r.status_code == 201, r.content
    assert [e["person_id"] for e in r.json()["entries"]] == [pid]
    assert cw.get(f"ledgers/{r.json()['id']}").json()["title"] == "4月台帳"

    # Consent: Hello Work may receive basic, employment and records
    r = cw.post("consents", {"person_id": pid, "program_id": program.pk, "given_on": "2025-04-10",
                             "form": "written", "grants": [{"partner_id": world.partner_org.pk,
                                                            "categories": ["basic", "employment"]}]})
    assert r.status_code == 201, r.content
    assert r.json()["grants"][0]["categories"] == ["basic", "employment"]

    # Conference decides to start in the first phase
    r = cw.post("conferences", {
        "kind": "network", "held_on": "2025-04-15", "title": "退院支援ネットワーク会議",
        "program_id": program.pk,
        "attendees": [{"user_id": world.caseworker.pk}, {"name": "山本医師", "profession": "主治医"}],
        "decisions": [{"person_id": pid, "decision": "start", "reason": "退院意欲あり",
                       "phase_id": phases[0], "menu_ids": menus[:2]}]})
    assert r.status_code == 201, r.content
    conference = r.json()
    assert len(conference["attendees"]) == 2 and conference["decisions"][0]["decision"] == "start"
    episodes = cw.get("enrollments", {"person_id": pid}).json()
    assert episodes["count"] == 1
    eid = episodes["results"][0]["id"]
    e = cw.get(f"enrollments/{eid}").json()
    assert e["status"] == "active" and e["phase_id"] == phases[0]
    assert e["started_on"] == "2025-04-15" and e["menu_ids"] == sorted(menus[:2])
    assert [ev["action"] for ev in e["events"]] == ["create", "start"]
    assert AuditEvent.objects.filter(action="enrollment.view", person_id=pid,
                                     kind=AuditEvent.Kind.VIEW).exists()  # as the screen

    # Plan
    r = cw.post(f"enrollments/{eid}/plans", {
        "agreed_on": "2025-04-20", "policy": "外泊訓練から始める",
        "goals": [{"text": "外泊訓練を月1回行う", "target_on": "2025-07-31"},
                  {"text": "退院先を決める", "target_on": "2025-09-30"}],
        "commitments": [{"kind": "other", "text": "通院日を守る", "quantity": 2, "per": "month"}],
        "based_on_number": 0})
    assert r.status_code == 201, r.content
    goals = [g["id"] for g in r.json()["goals"]]
    assert r.json()["number"] == 1

    # Records: the caseworker, then Hello Work once the episode is referred to it
    r = cw.post("records", {"person_id": pid, "enrollment_id": eid,
                            "occurred_at": "2025-05-10T10:00:00+09:00", "kind": "home_visit",
                            "text": "病棟で面接。外泊の希望あり。", "duration_minutes": 40,
                            "systolic_bp": 132, "diastolic_bp": 84,
                            "staff_present_ids": [world.support_staff.pk]})
    assert r.status_code == 201, r.content
    version = cw.get(f"enrollments/{eid}").json()["version"]
    r = cw.post(f"enrollments/{eid}/assign", {"version": version,
                                              "referred_partner_ids": [world.partner_org.pk]})
    assert r.status_code == 200, r.content
    hw = api_as(world.partner)
    r = hw.post("records", {"person_id": pid, "enrollment_id": eid,
                            "occurred_at": "2025-06-02T14:00:00+09:00", "kind": "agency_contact",
                            "text": "求人票を3件紹介。"})
    assert r.status_code == 201, r.content
    assert r.json()["author_partner_id"] == world.partner_org.pk
    assert hw.get("records").json()["count"] == 1  # only its own records
    assert cw.get("records", {"enrollment_id": eid}).json()["count"] == 2

    # Review 1 changes the phase
    r = cw.post(f"enrollments/{eid}/reviews", {
        "reviewed_on": "2025-07-15", "evaluation": "外泊2回実施", "decision": "change_phase",
        "phase_id": phases[1], "goal_levels": [{"goal_id": goals[0], "level": "achieved"},
                                               {"goal_id": goals[1], "level": "partly"}]})
    assert r.status_code == 201, r.content
    assert r.json()["enrollment"]["phase_id"] == phases[1]
    assert r.json()["approval"] is None

    # Outcome: discharge to a group home
    discharge = next(o["id"] for o in detail["outcome_types"] if o["kind"] == "discharge")
    r = cw.post(f"enrollments/{eid}/outcomes", {"outcome_type_id": discharge,
                                                "occurred_on": "2025-09-01",
                                                "destination": "group_home"})
    assert r.status_code == 201, r.content
    assert r.json()["applied"] is True and r.json()["outcome"]["destination"] == "group_home"
    assert cw.get(f"enrollments/{eid}/outcomes").json()["count"] == 1

    # Review 2 continues
    r = cw.post(f"enrollments/{eid}/reviews", {"reviewed_on": "2025-10-01",
                                               "evaluation": "GHで安定", "decision": "continue"})
    assert r.status_code == 201, r.content
    assert cw.get(f"enrollments/{eid}/reviews").json()["count"] == 2
    due = cw.get("reviews/due", {"within_days": 366}).json()
    assert set(due) == {"overdue", "due_soon"}

    # Transfer to home-life support
    version = cw.get(f"enrollments/{eid}").json()["version"]
    r = cw.post(f"enrollments/{eid}/transfer", {"on": "2025-10-20", "version": version,
                                                "target_program_id": target.pk,
                                                "note": "在宅生活の支援へ"})
    assert r.status_code == 200, r.content
    ended = cw.get(f"enrollments/{eid}").json()
    assert ended["status"] == "ended" and ended["end_reason"] == "transferred"
    new = Enrollment.objects.get(program=target)
    assert ended["moved_to_id"] == new.pk and new.status == Enrollment.Status.SELECTED

    # Every step is in the audit log, about this person, through the same services
    actions = set(AuditEvent.objects.filter(person_id=pid).values_list("action", flat=True))
    assert {"consent.record", "enrollment.create", "enrollment.start", "plan.create",
            "record.create", "review.create", "enrollment.change_phase", "outcome.record",
            "enrollment.transfer"} <= actions


@pytest.fixture
def active(world, programs, api_as):
    program, _ = programs
    make_consent(world.person, program, recorded_by=world.caseworker, given_on=D(2025, 1, 1))
    c = api_as(world.caseworker)
    r = c.post("enrollments", {"person_id": world.person.pk, "program_id": program.pk,
                               "on": "2025-04-01"})
    assert r.status_code == 201, r.content
    eid = r.json()["id"]
    assert c.post(f"enrollments/{eid}/start", {"on": "2025-04-01"}).status_code == 200
    return eid


def test_illegal_transition_and_stale_version_have_their_codes(world, active, api_as):
    cw = api_as(world.caseworker)
    r = cw.post(f"enrollments/{active}/select", {"on": "2025-05-01"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "illegal_transition"
    assert r.json()["error"]["message"]
    r = cw.post(f"enrollments/{active}/extend", {"on": "2025-05-01", "until": "2025-12-31",
                                                 "version": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_edit"


def test_start_without_consent_is_refused_with_its_code(world, programs, api_as):
    program, _ = programs
    cw = api_as(world.caseworker)
    eid = cw.post("enrollments", {"person_id": world.person.pk, "program_id": program.pk,
                                  "on": "2025-04-01"}).json()["id"]
    r = cw.post(f"enrollments/{eid}/start", {"on": "2025-04-02"})
    assert r.status_code in (409, 422)
    assert r.json()["error"]["code"] == "consent_required"
    assert Enrollment.objects.get(pk=eid).status == Enrollment.Status.CANDIDATE


def test_cross_office_episode_and_references_are_404(world, active, api_as):
    outsider = api_as(world.outsider)
    assert outsider.get(f"enrollments/{active}").status_code == 404
    r = outsider.post(f"enrollments/{active}/end", {"on": "2025-05-01", "reason": "declined"})
    assert r.status_code == 404
    r = outsider.post("consents", {"person_id": world.person.pk, "given_on": "2025-04-01",
                                   "form": "written"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "person_id"
    assert outsider.get("enrollments").json()["count"] == 0


def test_role_refusals_on_the_life_cycle_are_403(world, active, api_as):
    ss = api_as(world.support_staff)
    r = ss.post(f"enrollments/{active}/end", {"on": "2025-05-01", "reason": "declined"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert api_as(world.partner).post("conferences", {"kind": "internal", "held_on": "2025-05-01",
                                                      "title": "x"}).status_code == 403
    assert api_as(world.caseworker).get("approvals").status_code == 403


def test_partner_sees_only_episodes_referred_to_it(world, active, api_as):
    hw = api_as(world.partner)
    assert hw.get("enrollments").json()["count"] == 0
    assert hw.get(f"enrollments/{active}").status_code == 404
    r = hw.post("records", {"person_id": world.person.pk, "occurred_at": "2025-06-02T14:00:00+09:00",
                            "kind": "agency_contact", "text": "連絡"})
    assert r.status_code in (403, 404)


def test_consent_withdrawal_through_the_api(world, programs, api_as):
    program, _ = programs
    cw = api_as(world.caseworker)
    consent = cw.post("consents", {"person_id": world.person.pk, "given_on": "2025-04-10",
                                   "form": "oral", "grants": [{"partner_id": world.partner_org.pk,
                                                               "categories": ["basic"]}]}).json()
    refer(world.person, world.partner_org, program)
    assert api_as(world.partner).get(f"people/{world.person.pk}").status_code == 200
    r = cw.post(f"consents/{consent['id']}/withdraw", {"on": "2025-05-01", "version": 1})
    assert r.status_code == 200, r.content
    assert r.json()["withdrawn_on"] == "2025-05-01"
    assert api_as(world.partner).get(f"people/{world.person.pk}").status_code == 404
    assert cw.get("consents", {"person_id": world.person.pk}).json()["count"] == 1


def test_nominations(world, programs, api_as):
    program, _ = programs
    cw = api_as(world.caseworker)
    r = cw.post("nominations", {"program_id": program.pk, "person_id": world.person.pk,
                                "source": "doctor", "nominated_by": "山本医師",
                                "nominated_on": "2025-03-01"})
    assert r.status_code == 201, r.content
    assert cw.get("nominations", {"program_id": program.pk}).json()["count"] == 1


def test_extension_waits_for_approval_then_applies(world, api_as):
    program = make_program(world.office, approvals_needed=["extend"], standard_length_months=6,
                           max_length_months=12)
    make_consent(world.person, program, recorded_by=world.caseworker, given_on=D(2025, 1, 1))
    cw = api_as(world.caseworker)
    eid = cw.post("enrollments", {"person_id": world.person.pk, "program_id": program.pk,
                                  "on": "2025-04-01"}).json()["id"]
    started = cw.post(f"enrollments/{eid}/start", {"on": "2025-04-01"}).json()
    r = cw.post(f"enrollments/{eid}/extend", {"on": "2025-09-01", "until": "2026-01-31",
                                              "version": started["enrollment"]["version"]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["applied"] is False and body["approval"]["status"] == "pending"
    aid = body["approval"]["id"]
    assert Enrollment.objects.get(pk=eid).planned_end_on != D(2026, 1, 31)
    sv, mgr = api_as(world.supervisor), api_as(world.manager)
    assert [a["id"] for a in sv.get("approvals").json()["results"]] == [aid]
    assert mgr.get("approvals").json()["count"] == 0  # not the manager's turn yet
    assert sv.post(f"approvals/{aid}/decide", {"approve": True}).status_code == 200
    r = mgr.post(f"approvals/{aid}/decide", {"approve": True})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved"
    assert Enrollment.objects.get(pk=eid).planned_end_on == D(2026, 1, 31)
