"""Offices and their settings in the API: the installation administrator (office-less token)
lists, creates with a first administrator and changes offices; an office's administrator its
own settings; stable error codes with the field; audited like the screens."""

from __future__ import annotations

from typing import Any

import pytest

from jiritsu.api.tokens import office_less_token_create
from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Membership, Office, User
from jiritsu.offices.permissions import grant_installation_admin
from jiritsu.testing import PASSWORD, ApiClient

pytestmark = pytest.mark.django_db
STRONG = "kx7-Rq2p!mZ93w"


@pytest.fixture
def it_api(world: Any) -> ApiClient:
    user = User.objects.create_user("it_api", password=PASSWORD)
    grant_installation_admin(user)
    _token, raw = office_less_token_create(user=user, name="事務所の管理")
    return ApiClient(raw)


def test_the_installation_administrator_creates_lists_and_changes_offices(
        world: Any, it_api: ApiClient) -> None:
    listed = it_api.get("offices")
    assert listed.status_code == 200, listed.content
    rows = {o["code"]: o for o in listed.json()}
    assert set(rows) == {"A001", "B001"} and rows["A001"]["admin_count"] == 1
    created = it_api.post("offices", {
        "code": "KITA01", "name": "きた市福祉事務所", "municipality": "きた市",
        "document_number_format": "北福第{number}号", "admin_username": "kita_admin",
        "admin_display_name": "北 管理", "admin_password": STRONG})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["office"]["code"] == "KITA01" and body["office"]["kind_label"] == "市"
    assert body["admin_username"] == "kita_admin" and STRONG not in created.content.decode()
    office = Office.objects.get(code="KITA01")
    assert Membership.objects.get(office=office).user_id == body["admin_user_id"]
    changed = it_api.patch(f"offices/{office.pk}", {"code": "KITA02", "record_retention_years": 7})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["code"], changed.json()["record_retention_years"]) == ("KITA02", 7)
    assert it_api.get(f"offices/{office.pk}").json()["code"] == "KITA02"
    assert it_api.get("offices/99999").status_code == 404
    assert {e.action for e in AuditEvent.objects.filter(office_id=office.pk)} == {
        "office.create", "membership.create", "office.settings_update"}


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"code": "A001"}, 422, "code"),
    ({"document_number_format": "第号"}, 422, "document_number_format"),
    ({"admin_username": "cw_a"}, 422, "admin_username"),
    ({"admin_password": "short"}, 422, "admin_password"),
    ({"code": "a b"}, 422, "code"),
])
def test_refusals_name_the_field_and_create_nothing(world: Any, it_api: ApiClient,
                                                    change: dict[str, Any], status: int,
                                                    field: str) -> None:
    base = {"code": "KITA01", "name": "きた市福祉事務所", "municipality": "きた市",
            "admin_username": "kita_admin", "admin_display_name": "北 管理",
            "admin_password": STRONG}
    r = it_api.post("offices", base | change)
    assert r.status_code == status, r.content
    error = r.json()["error"]
    fields = {error.get("field")} | {d.get("field") for d in error.get("details", [])}
    assert any(f and f.endswith(field) for f in fields), error
    assert not Office.objects.filter(name="きた市福祉事務所").exists()
    assert not User.objects.filter(username="kita_admin").exists()


def test_the_office_administrator_reads_and_changes_its_own_settings(world: Any, api_as: Any) -> None:
    c = api_as(world.admin)
    assert c.get("office/settings").json()["code"] == "A001"
    r = c.patch("office/settings", {"head_name": "田中 所長", "log_retention_days": 500})
    assert r.status_code == 200, r.content
    assert (r.json()["head_name"], r.json()["log_retention_days"]) == ("田中 所長", 500)
    # The code is not among its settings (an unknown field); other offices are not its business.
    r = c.patch("office/settings", {"code": "HACK"})
    assert r.status_code == 422, r.content
    assert c.get("office/settings").json()["code"] == "A001"
    assert c.get("offices").status_code == 403
    assert c.patch(f"offices/{world.other_office.pk}", {"name": "x"}).status_code == 403
    assert api_as(world.caseworker).get("office/settings").status_code == 403
    event = AuditEvent.objects.get(action="office.settings_update")
    assert event.changes["head_name"] == ["", "田中 所長"]
