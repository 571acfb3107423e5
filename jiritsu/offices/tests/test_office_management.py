"""Offices and their first administrator: the installation administrator's screens, the
office's own settings screen, and manage.py create_office — validated next to each field,
in one transaction, audited in Japanese."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.core.labels import action_label, changes_lines
from jiritsu.offices import services
from jiritsu.offices.models import Membership, Office, User
from jiritsu.offices.permissions import grant_installation_admin, grant_national_rollup
from jiritsu.testing import PASSWORD

pytestmark = pytest.mark.django_db

NEW_OFFICE = {
    "code": "KITA01", "name": "きた市福祉事務所", "municipality": "きた市", "kind": "city",
    "head_title": "きた市福祉事務所長", "head_name": "北 一郎",
    "document_number_format": "北福第{number}号", "record_retention_years": "5",
    "log_retention_days": "400", "long_stay_months": "12", "admin_username": "kita_admin",
    "admin_display_name": "北 管理", "admin_email": "it@kita.example.lg.jp",
    "admin_password": "a-long-passphrase-42",
}


@pytest.fixture
def it_admin(db: Any) -> User:
    user = User.objects.create_user("it_admin", password=PASSWORD, display_name="情報 政策")
    grant_installation_admin(user)
    return user


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _field_error(html: str, field: str) -> str:
    """The error shown next to ``field`` (its <p class="error" id="id_<field>-error">)."""
    marker = f'id="id_{field}-error" role="alert">'
    assert marker in html, f"no error next to {field}"
    return html.split(marker, 1)[1].split("</p>", 1)[0]


def test_the_installation_administrator_creates_an_office_with_its_first_administrator(
        it_admin: User, world: Any) -> None:
    c = _client(it_admin)
    assert c.get("/")["Location"] == reverse("installation:offices")
    page = c.get(reverse("installation:offices")).content.decode()
    assert "事務所の管理" in page and world.office.code in page and world.other_office.name in page
    assert world.person.name not in page
    response = c.post(reverse("installation:office_new"), NEW_OFFICE)
    assert response.status_code == 302, _field_errors(response)
    office = Office.objects.get(code="KITA01")
    assert (office.head_name, office.document_number_format) == ("北 一郎", "北福第{number}号")
    admin = Membership.objects.get(office=office)
    assert admin.user.username == "kita_admin" and admin.can("user.manage")
    assert admin.user.email == "it@kita.example.lg.jp"
    # The new administrator signs in and sees the empty office's staff list.
    own = Client()
    signed_in = own.post("/login/", {"username": "kita_admin", "password": "a-long-passphrase-42"})
    assert signed_in.status_code == 302
    assert "kita_admin" in own.get(reverse("offices:staff")).content.decode()
    created = AuditEvent.objects.get(action="office.create")
    assert created.actor_id == it_admin.pk and created.office_id == office.pk
    assert action_label(created.action) == "事務所の作成"
    lines = " ".join(str(x) for x in changes_lines(created.changes, target_type=created.target_type))
    assert "文書番号の書式" in lines and "北福第{number}号" in lines
    member = AuditEvent.objects.get(action="membership.create", office_id=office.pk)
    assert "a-long-passphrase-42" not in str(member.changes)


def _field_errors(response: Any) -> str:
    return response.content.decode()[:3000] if response.status_code == 200 else ""


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"code": "DEMO 01"}, "code", "半角の英数字"),
    ({"code": "a001"}, "code", "既に使われています"),  # world's A001, whatever the case
    ({"document_number_format": "福第号"}, "document_number_format", "{number}"),
    ({"record_retention_years": "0"}, "record_retention_years", "1年から100年"),
    ({"log_retention_days": "10"}, "log_retention_days", "30日から3650日"),
    ({"admin_username": "cw_a"}, "admin_username", "既に使われています"),
    ({"admin_password": "short"}, "admin_password", "短すぎます"),
    ({"name": ""}, "name", "必須"),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_created(
        it_admin: User, world: Any, change: dict[str, str], field: str, words: str) -> None:
    response = _client(it_admin).post(reverse("installation:office_new"), NEW_OFFICE | change)
    assert response.status_code == 200
    assert words in _field_error(response.content.decode(), field)
    assert not Office.objects.filter(name="きた市福祉事務所").exists()
    assert not User.objects.filter(username="kita_admin").exists()
    assert not AuditEvent.objects.filter(action="office.create").exists()


def test_the_installation_administrator_edits_any_office_including_its_code(
        it_admin: User, world: Any) -> None:
    c = _client(it_admin)
    url = reverse("installation:office_edit", args=[world.other_office.pk])
    form = c.get(url).content.decode()
    assert 'value="B001"' in form
    data = {"code": "B002", "name": "Ｂ市福祉事務所", "municipality": "Ｂ市", "kind": "town",
            "head_title": "Ｂ市福祉事務所長", "head_name": "", "document_number_format":
            "{year}Ｂ福第{number}号", "record_retention_years": "7", "log_retention_days": "500",
            "long_stay_months": "6"}
    assert c.post(url, data).status_code == 302
    world.other_office.refresh_from_db()
    assert (world.other_office.code, world.other_office.kind) == ("B002", "town")
    assert world.other_office.format_document_number(3, year=8) == "8Ｂ福第3号"
    event = AuditEvent.objects.get(action="office.settings_update")
    assert event.changes["code"] == ["B001", "B002"]
    assert action_label(event.action) == "事務所の設定の変更"
    assert c.get(reverse("installation:office_edit", args=[99999])).status_code == 404


def test_the_office_administrator_edits_its_own_settings_but_not_its_code(world: Any) -> None:
    c = _client(world.admin)
    url = reverse("offices:settings")
    page = c.get(url).content.decode()
    assert world.office.code in page and 'name="code"' not in page
    data = {"name": "Ａ市福祉事務所", "head_title": "Ａ市福祉事務所長", "head_name": "田中 所長",
            "document_number_format": "Ａ福第{number}号", "record_retention_years": "10",
            "log_retention_days": "400", "long_stay_months": "12", "code": "HACK"}
    assert c.post(url, data).status_code == 302
    world.office.refresh_from_db()
    assert (world.office.code, world.office.head_name, world.office.record_retention_years) == (
        "A001", "田中 所長", 10)
    event = AuditEvent.objects.get(action="office.settings_update")
    assert event.actor_id == world.admin.pk
    assert event.changes["head_name"] == ["", "田中 所長"]
    # The rule lives in the service: a direct attempt at the code is refused by name.
    from jiritsu.core.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as refused:
        services.office_update(actor=world.admin, office=world.office, data={"code": "HACK"})
    assert refused.value.field == "code"
    bad = c.post(url, data | {"document_number_format": "{name}{number}"})
    assert "{year} だけです" in _field_error(bad.content.decode(), "document_number_format")


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "manager", "admin", "statistician"])
def test_only_the_installation_administrator_reaches_the_office_screens(world: Any, who: str) -> None:
    if who == "statistician":
        user = User.objects.create_user("stat_x", password=PASSWORD)
        grant_national_rollup(user)
    else:
        user = getattr(world, who)
    c = _client(user)
    for url in (reverse("installation:offices"), reverse("installation:office_new"),
                reverse("installation:office_edit", args=[world.office.pk])):
        assert c.get(url).status_code == 403, url
    assert c.post(reverse("installation:office_new"), NEW_OFFICE).status_code == 403
    assert not Office.objects.filter(code="KITA01").exists()
    own = c.get(reverse("offices:settings")).status_code
    assert own == (200 if who == "admin" else 403)
    anonymous = Client().get(reverse("installation:offices"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_create_office_command_makes_the_office_and_its_administrator(
        db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    call_command("create_office", "--code", "MINAMI", "--name", "みなみ町福祉事務所",
                 "--municipality", "みなみ町", "--kind", "town", "--head-title", "みなみ町長",
                 "--admin-username", "minami_admin", "--admin-name", "南 管理",
                 "--admin-password", "a-long-passphrase-42", stdout=out)
    assert "MINAMI みなみ町福祉事務所 を作成しました" in out.getvalue()
    office = Office.objects.get(code="MINAMI")
    assert office.standard_caseload == 80 and office.head_title == "みなみ町長"
    assert Membership.objects.get(office=office).user.check_password("a-long-passphrase-42")
    event = AuditEvent.objects.get(action="office.create")
    assert event.actor_id is None and event.note == "manage.py create_office"
    with pytest.raises(CommandError, match="--code: この事務所コードは既に使われています"):
        call_command("create_office", "--code", "minami", "--name", "x", "--municipality", "x",
                     "--admin-username", "other", "--admin-name", "x",
                     "--admin-password", "a-long-passphrase-42")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt
    with pytest.raises(CommandError, match="--admin-password"):
        call_command("create_office", "--code", "KITA", "--name", "x", "--municipality", "x",
                     "--admin-username", "kita", "--admin-name", "x")
    assert Office.objects.count() == 1 and not User.objects.filter(username="other").exists()


def test_grant_installation_admin_command_is_audited(db: Any) -> None:
    user = User.objects.create_user("it_b", password=PASSWORD)
    call_command("grant_installation_admin", "it_b", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.installation_role == User.InstallationRole.INSTALLATION_ADMIN
    event = AuditEvent.objects.get(action="installation_admin.grant")
    assert action_label(event.action) == "設置管理者の権限の付与"
    call_command("grant_installation_admin", "it_b", "--revoke", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.installation_role == ""
