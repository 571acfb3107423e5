"""Authentication: API tokens (hashed at rest, revocable, last use recorded, office choice)
and the browser session (CSRF on unsafe methods)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client

from jiritsu import testing as t
from jiritsu.api.models import ApiToken
from jiritsu.api.tokens import token_revoke
from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Membership
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_its_sha256(world):
    raw = token_for(world, world.caseworker)
    row = ApiToken.objects.get(user=world.caseworker)
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.token_hash, row.prefix, row.name}
    assert raw.startswith(row.prefix) and len(row.prefix) < len(raw) // 3


def test_token_authenticates_and_records_last_use(world):
    raw = token_for(world, world.caseworker)
    assert ApiToken.objects.get(user=world.caseworker).last_used_at is None
    r = ApiClient(raw).get("people")
    assert r.status_code == 200
    assert r.json()["count"] == 1
    assert ApiToken.objects.get(user=world.caseworker).last_used_at is not None


def test_revoked_token_is_refused(world):
    raw = token_for(world, world.caseworker)
    token_revoke(actor=world.m(world.caseworker), token=ApiToken.objects.get(user=world.caseworker))
    r = ApiClient(raw).get("people")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"


def test_unknown_token_and_no_credentials_are_refused(world):
    r = ApiClient("jrt_not-a-real-token").get("people")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    r = ApiClient(None).get("people")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    assert r.json()["error"]["message"]


def test_inactive_user_token_is_refused(world):
    raw = token_for(world, world.caseworker)
    world.caseworker.is_active = False
    world.caseworker.save()
    assert ApiClient(raw).get("people").status_code == 401


def test_office_header_picks_the_membership_when_there_are_several(world):
    Membership.objects.create(user=world.caseworker, office=world.other_office, role="caseworker")
    raw = token_for(world, world.caseworker)
    r = ApiClient(raw).get("people")
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "office_required", "field": "X-Jiritsu-Office",
        "message": r.json()["error"]["message"]}
    in_a = ApiClient(raw, **{"X-Jiritsu-Office": "A001"}).get("people").json()
    in_b = ApiClient(raw, **{"X-Jiritsu-Office": "B001"}).get("people").json()
    assert [p["id"] for p in in_a["results"]] == [world.person.pk]
    assert [p["id"] for p in in_b["results"]] == [world.other_person.pk]
    r = ApiClient(raw, **{"X-Jiritsu-Office": "Z999"}).get("people")
    assert r.status_code == 403 and r.json()["error"]["field"] == "X-Jiritsu-Office"


def test_token_requests_ignore_the_session_idle_timeout(world, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 0
    raw = token_for(world, world.caseworker)
    c = ApiClient(raw)
    assert c.get("people").status_code == 200
    assert c.get("people").status_code == 200


def test_session_auth_reads_without_csrf_but_writes_need_it(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.caseworker)
    assert client.get("/api/v1/people").status_code == 200
    r = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf_failed"
    client.get("/api/tokens/")  # sets the CSRF cookie
    csrf = client.cookies["jiritsu_csrftoken"].value
    r = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json",
                    headers={"X-CSRFToken": csrf})
    assert r.status_code == 201


def test_tokens_via_api_create_once_and_revoke(world, api_as):
    c = api_as(world.caseworker)
    r = c.post("tokens", {"name": "夜間連携"})
    assert r.status_code == 201
    created = r.json()
    assert created["token"].startswith(created["prefix"])
    listed = c.get("tokens").json()
    assert all("token" not in row for row in listed["results"])
    assert {row["name"] for row in listed["results"]} == {"テスト", "夜間連携"}
    r = c.post(f"tokens/{created['id']}/revoke")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert ApiClient(created["token"]).get("people").status_code == 401
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"apitoken.create", "apitoken.revoke"} <= actions


def test_users_cannot_revoke_each_others_tokens_but_an_admin_can(world, api_as):
    raw = token_for(world, world.caseworker2)
    other = ApiToken.objects.get(user=world.caseworker2)
    r = api_as(world.caseworker).post(f"tokens/{other.pk}/revoke")
    assert r.status_code == 404
    assert ApiClient(raw).get("people").status_code == 200
    r = api_as(world.admin).post(f"tokens/{other.pk}/revoke")
    assert r.status_code == 200
    assert ApiClient(raw).get("people").status_code == 401


def test_admin_of_another_office_cannot_revoke(world, api_as):
    other_admin = t.make_user(world.other_office, "admin", username="admin_b")
    token_for(world, world.caseworker)
    token = ApiToken.objects.get(user=world.caseworker)
    c = ApiClient(token_for(world, other_admin, world.other_office))
    assert c.post(f"tokens/{token.pk}/revoke").status_code == 404


def test_token_screen_shows_secret_once_and_revokes(world):
    client = Client()
    client.force_login(world.caseworker)
    r = client.post("/api/tokens/", {"name": "ハローワーク連携"})
    assert r.status_code == 200
    html = r.content.decode()
    token = ApiToken.objects.get(user=world.caseworker)
    match = re.search(r'id="new-token"[^>]*value="([^"]+)"', html)
    secret = match.group(1) if match else ""
    assert secret.startswith(token.prefix)
    assert hashlib.sha256(secret.encode()).hexdigest() == token.token_hash
    again = client.get("/api/tokens/").content.decode()
    assert secret not in again and token.prefix in again
    r = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_screen_requires_a_name(world):
    client = Client()
    client.force_login(world.caseworker)
    r = client.post("/api/tokens/", {"name": ""})
    assert r.status_code == 422
    assert "このフィールドは必須です" in r.content.decode() or "必須" in r.content.decode()
    assert not ApiToken.objects.exists()


def test_create_api_token_command_prints_a_working_token(world, capsys):
    from django.core.management import call_command

    call_command("create_api_token", "cw_a")
    raw = capsys.readouterr().out.strip()
    assert ApiClient(raw).get("people").status_code == 200


# ---------------------------------------------------------------- expiry


def test_a_token_expires_after_its_last_day_with_a_clear_code(world):
    with t.at_japan_time("2026-06-01 10:00"):
        raw = token_for(world, world.caseworker)
        token = ApiToken.objects.get(user=world.caseworker)
        assert token.expires_on == dt.date(2027, 6, 1)  # the default: 365 days
    with t.at_japan_time("2027-06-01 23:59"):
        assert ApiClient(raw).get("people").status_code == 200
    with t.at_japan_time("2027-06-02 00:00"):
        r = ApiClient(raw).get("people")
        assert r.status_code == 401
        err = r.json()["error"]
        assert err["code"] == "token_expired" and "有効期限" in err["message"]


def test_the_expiry_is_chosen_at_creation_within_the_longest_allowed(world, api_as, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    c = api_as(world.caseworker)
    with t.at_japan_time("2026-06-01 10:00"):
        r = c.post("tokens", {"name": "短期", "expires_on": "2026-06-10"})
        assert r.status_code == 201, r.json()
        assert r.json()["expires_on"] == "2026-06-10" and r.json()["is_active"] is True
        for day in ("2026-06-01", "2026-07-02"):
            r = c.post("tokens", {"name": "だめ", "expires_on": day})
            assert r.status_code == 422 and r.json()["error"]["field"] == "expires_on"
        # the default is capped at the longest allowed
        assert c.post("tokens", {"name": "既定"}).json()["expires_on"] == "2026-07-01"


def test_the_token_screen_shows_the_expiry_and_takes_one(world):
    client = Client()
    client.force_login(world.caseworker)
    with t.at_japan_time("2026-06-01 10:00"):
        r = client.post("/api/tokens/", {"name": "画面から", "expires_on": "2026-09-30"})
        assert r.status_code == 200
        assert ApiToken.objects.get(name="画面から").expires_on == dt.date(2026, 9, 30)
        page = client.get("/api/tokens/").content.decode()
        assert "有効期限" in page and "2026-09-30まで" in page
    with t.at_japan_time("2026-10-01 09:00"):
        assert "期限切れ" in client.get("/api/tokens/").content.decode()
