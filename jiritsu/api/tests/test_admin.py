"""Office administration (staff, partner organisations) and the read-only audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.offices.models import Membership, PartnerOrganisation, User

pytestmark = pytest.mark.django_db
STRONG = "kx7-Rq2p!mZ93w"


def test_admin_lists_creates_and_changes_staff_without_password_hashes(world, api_as):
    c = api_as(world.admin)
    listed = c.get("admin/staff", {"page_size": 200})
    assert listed.status_code == 200, listed.content
    usernames = {s["username"] for s in listed.json()["results"]}
    assert {"cw_a", "mgr_a", "hw_a"} <= usernames and "cw_b" not in usernames
    assert "password" not in listed.content.decode()

    r = c.post("admin/staff", {"username": "cw_new", "display_name": "山本 五郎",
                               "password": STRONG, "role": "caseworker"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["role_label"] and "password" not in created
    assert STRONG not in r.content.decode()
    user = User.objects.get(username="cw_new")
    assert user.check_password(STRONG)
    event = AuditEvent.objects.get(action="membership.create")
    assert STRONG not in str(event.changes) and user.password not in str(event.changes)

    r = c.patch(f"admin/staff/{created['id']}", {"role": "supervisor", "display_name": "山本 吾郎"})
    assert r.status_code == 200, r.content
    assert (r.json()["role"], r.json()["display_name"]) == ("supervisor", "山本 吾郎")
    assert AuditEvent.objects.get(action="membership.update").changes["role"] == ["caseworker",
                                                                                 "supervisor"]
    r = c.patch(f"admin/staff/{created['id']}", {"password": "new-Pass-2026-x"})
    assert r.status_code == 200
    user.refresh_from_db()
    assert user.check_password("new-Pass-2026-x")
    assert c.get(f"admin/staff/{created['id']}").json()["is_active"] is True


def test_staff_refusals_name_the_field(world, api_as):
    c = api_as(world.admin)
    r = c.post("admin/staff", {"username": "weak", "display_name": "弱い", "password": "123",
                               "role": "caseworker"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = c.post("admin/staff", {"username": "cw_a", "display_name": "重複", "password": STRONG,
                               "role": "caseworker"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "username"
    r = c.post("admin/staff", {"username": "hw2", "display_name": "職安", "password": STRONG,
                               "role": "partner"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "partner_id"
    other = PartnerOrganisation.objects.create(office=world.other_office, kind="hello_work",
                                               name="ハローワークＢ")
    r = c.post("admin/staff", {"username": "hw2", "display_name": "職安", "password": STRONG,
                               "role": "partner", "partner_id": other.pk})
    assert r.status_code == 404 and r.json()["error"]["field"] == "partner_id"
    r = c.post("admin/staff", {"username": "ss2", "display_name": "看護", "password": STRONG,
                               "role": "support_staff"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "profession"
    r = c.post("admin/staff", {"username": "bad name", "display_name": "x", "password": STRONG,
                               "role": "caseworker"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "username"
    own = Membership.objects.get(user=world.admin, office=world.office)
    r = c.patch(f"admin/staff/{own.pk}", {"is_active": False})
    assert r.status_code == 422 and r.json()["error"]["field"] == "is_active"
    outsider = Membership.objects.get(user=world.outsider)
    assert c.get(f"admin/staff/{outsider.pk}").status_code == 404
    assert c.patch(f"admin/staff/{outsider.pk}", {"display_name": "x"}).status_code == 404
    assert not User.objects.filter(username__in=["weak", "hw2", "ss2"]).exists()
    for user in (world.manager, world.supervisor, world.caseworker, world.partner):
        assert api_as(user).get("admin/staff").status_code == 403
        assert api_as(user).post("admin/staff", {"username": "z", "display_name": "z",
                                                 "password": STRONG,
                                                 "role": "caseworker"}).status_code == 403


def test_admin_registers_and_changes_partner_organisations(world, api_as):
    c = api_as(world.admin)
    r = c.post("admin/partners", {"kind": "npo", "name": "就労支援センターＡ",
                                  "areas": ["中央地区", " 北地区 "], "capacity": 20})
    assert r.status_code == 201, r.content
    p = r.json()
    assert p["areas"] == ["中央地区", "北地区"] and p["kind_label"]
    assert AuditEvent.objects.filter(action="partner.create").count() == 1
    r = c.patch(f"admin/partners/{p['id']}", {"capacity": None, "is_active": False})
    assert r.status_code == 200 and (r.json()["capacity"], r.json()["is_active"]) == (None, False)
    assert AuditEvent.objects.get(action="partner.update").changes["is_active"] == [True, False]
    r = c.post("admin/partners", {"kind": "npo", "name": "就労支援センターＡ"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"
    names = [x["name"] for x in c.get("admin/partners").json()["results"]]
    assert "ハローワークＡ" in names and "就労支援センターＡ" in names
    assert [x["name"] for x in c.get("admin/partners", {"active": True}).json()["results"]] == [
        "ハローワークＡ"]
    other = PartnerOrganisation.objects.create(office=world.other_office, kind="hello_work",
                                               name="ハローワークＢ")
    assert c.get(f"admin/partners/{other.pk}").status_code == 404
    assert c.patch(f"admin/partners/{other.pk}", {"name": "x"}).status_code == 404
    for user in (world.manager, world.caseworker, world.partner):
        assert api_as(user).get("admin/partners").status_code == 403
        assert api_as(user).post("admin/partners", {"kind": "npo",
                                                    "name": "x"}).status_code == 403


def test_audit_log_is_browsed_with_the_screens_filters_and_cannot_be_changed(world, api_as):
    cw = world.m(world.caseworker)
    record(actor=world.caseworker, office=world.office, action="person.view",
           kind=AuditEvent.Kind.VIEW, target=world.person, person=world.person)
    record(actor=world.supervisor, office=world.office, action="household.update",
           kind=AuditEvent.Kind.UPDATE, target=world.household)
    record(actor=world.outsider, office=world.other_office, action="person.view",
           kind=AuditEvent.Kind.VIEW, target=world.other_person, person=world.other_person)
    assert cw.office == world.office
    sv = api_as(world.supervisor)
    every = sv.get("audit/events").json()
    actions = [e["action"] for e in every["results"]]
    assert "household.update" in actions and "person.view" in actions
    assert all(e["person_id"] != world.other_person.pk for e in every["results"])
    by_person = sv.get("audit/events", {"person_id": world.person.pk}).json()
    assert [e["action"] for e in by_person["results"]] == ["person.view"]
    by_actor = sv.get("audit/events", {"actor_id": world.supervisor.pk}).json()
    assert {e["action"] for e in by_actor["results"]} >= {"household.update"}
    today = clock.today()
    assert sv.get("audit/events", {"date_from": (today + dt.timedelta(days=1)).isoformat()}
                  ).json()["count"] == 0
    assert sv.get("audit/events", {"date_to": today.isoformat()}).json()["count"] == every["count"]
    r = sv.get("audit/events", {"date_from": "2025-13-01"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "date_from"
    # The same rows as the screen for the same filter.
    client = Client()
    client.force_login(world.supervisor)
    assert client.get(f"/audit/?person={world.person.pk}").status_code == 200

    for user in (world.manager, world.admin):
        assert api_as(user).get("audit/events").status_code == 200
    for user in (world.caseworker, world.support_staff, world.partner):
        assert api_as(user).get("audit/events").status_code == 403

    # No operation changes or deletes an event.
    event_id = every["results"][0]["id"]
    count = AuditEvent.objects.count()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(sv, method)("audit/events").status_code == 405
        assert getattr(sv, method)(f"audit/events/{event_id}").status_code in (404, 405)
    assert AuditEvent.objects.count() == count
    doc = Client().get("/api/v1/openapi.json").json()["paths"]
    audit_paths = {p: ops for p, ops in doc.items() if "/audit" in p}
    assert audit_paths and all(set(ops) == {"get"} for ops in audit_paths.values())
