"""Office administration: the admin manages staff accounts and partner organisations, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Membership, PartnerOrganisation, User

pytestmark = pytest.mark.django_db


def test_admin_creates_staff_account_with_role_and_profession(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("offices:staff")).status_code == 200
    resp = client.post(reverse("offices:staff_new"), {
        "username": "new_psw", "display_name": "精神 保健", "password": "a-long-passphrase-42",
        "role": "support_staff", "profession": "psw", "partner": ""})
    assert resp.status_code == 302
    user = User.objects.get(username="new_psw")
    assert user.check_password("a-long-passphrase-42")
    m = Membership.objects.get(user=user, office=world.office)
    assert (m.role, m.profession) == ("support_staff", "psw")
    ev = AuditEvent.objects.get(action="membership.create")
    assert ev.changes["password"][1] == "＊＊＊"  # never the password itself
    assert "a-long-passphrase-42" not in str(ev.changes)


def test_partner_role_needs_an_organisation_of_this_office(client, world):
    client.force_login(world.admin)
    other_org = PartnerOrganisation.objects.create(office=world.other_office, kind="npo", name="他市NPO")
    base = {"username": "p1", "display_name": "関係 機関", "password": "a-long-passphrase-42",
            "role": "partner", "profession": ""}
    resp = client.post(reverse("offices:staff_new"), base | {"partner": ""})
    assert "関係機関職員には所属する関係機関を選んでください" in resp.content.decode()
    resp = client.post(reverse("offices:staff_new"), base | {"partner": other_org.pk})
    assert resp.status_code == 200 and not User.objects.filter(username="p1").exists()
    resp = client.post(reverse("offices:staff_new"), base | {"partner": world.partner_org.pk})
    assert resp.status_code == 302


def test_admin_deactivates_a_membership_and_it_loses_access(client, world):
    client.force_login(world.admin)
    m = world.m(world.caseworker2)
    resp = client.post(reverse("offices:staff_edit", args=[m.pk]), {
        "display_name": "鈴木 花子", "role": "caseworker", "profession": "", "partner": ""})
    assert resp.status_code == 302
    m.refresh_from_db()
    assert not m.is_active
    assert AuditEvent.objects.get(action="membership.update").changes["is_active"] == [True, False]
    client.force_login(world.caseworker2)
    assert client.get(reverse("people:person", args=[world.person.pk])).status_code in (403, 404)


def test_admin_cannot_lock_themselves_out(client, world):
    client.force_login(world.admin)
    me = world.m(world.admin)
    resp = client.post(reverse("offices:staff_edit", args=[me.pk]), {
        "display_name": "管理 者", "role": "caseworker", "is_active": "on"})
    assert resp.status_code == 200 and "自分自身" in resp.content.decode()


def test_admin_manages_partner_organisations_with_areas_and_capacity(client, world):
    client.force_login(world.admin)
    resp = client.post(reverse("offices:partner_new"), {
        "kind": "group_home", "name": "グループホームかもめ", "areas": "港地区、南地区",
        "capacity": "10", "is_active": "on"})
    assert resp.status_code == 302
    gh = PartnerOrganisation.objects.get(name="グループホームかもめ")
    assert gh.areas == ["港地区", "南地区"] and gh.capacity == 10 and gh.office == world.office
    resp = client.post(reverse("offices:partner_edit", args=[gh.pk]), {
        "kind": "group_home", "name": "グループホームかもめ", "areas": "港地区", "capacity": "12",
        "is_active": "on"})
    gh.refresh_from_db()
    assert gh.capacity == 12
    assert AuditEvent.objects.get(action="partner.update").changes["capacity"] == [10, 12]


def test_admin_screens_are_for_admins_of_this_office_only(client, world):
    other_org = PartnerOrganisation.objects.create(office=world.other_office, kind="npo", name="他市NPO")
    other_m = world.m(world.outsider, world.other_office)
    client.force_login(world.supervisor)
    assert client.get(reverse("offices:staff")).status_code == 403
    assert client.get(reverse("offices:partners")).status_code == 403
    client.force_login(world.admin)
    assert client.get(reverse("offices:partner_edit", args=[other_org.pk])).status_code == 404
    assert client.get(reverse("offices:staff_edit", args=[other_m.pk])).status_code == 404
