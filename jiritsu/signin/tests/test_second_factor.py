"""Signing in with a second factor (TOTP and recovery codes), the lock-out and idle time-out
on the second step, the office's policy, and the sessions a user and an administrator see."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiritsu.api.models import ApiToken
from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Membership
from jiritsu.signin.models import SignInPolicy, UserSession
from jiritsu.testing import PASSWORD, ApiClient, make_office, make_user, membership_of

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def _second_factor_on(settings: Any) -> None:
    settings.JIRITSU_TWO_FACTOR = "on"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lock-out below is axes' (as for passwords)


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _login(user: Any, client: Client | None = None) -> tuple[Client, Any]:
    client = client or Client()
    resp = client.post("/login/", {"username": user.username, "password": PASSWORD})
    return client, resp


def _set_up(client: Client, user: Any) -> list[str]:
    client.get("/signin/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    resp = client.post("/signin/setup/", {"code": _code(device)})
    assert resp.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", resp.content.decode())


def test_a_manager_registers_an_app_before_reaching_any_page():
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    client, resp = _login(manager)
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/signin/setup/")
    assert client.get("/programs/")["Location"].startswith("/signin/setup/?next=/programs/")
    page = client.get("/signin/setup/").content.decode()
    assert "<svg" in page and "キー：" in page
    assert "メインメニュー" not in page  # nothing of the office until the app is registered
    # A wrong number: the message next to the field, and nothing registered.
    wrong = client.post("/signin/setup/", {"code": "000000"}).content.decode()
    assert "6桁の数字" in wrong and 'class="error"' in wrong
    assert not TOTPDevice.objects.filter(user=manager, confirmed=True).exists()
    codes = _set_up(client, manager)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.get(action="second_factor.setup", actor_id=manager.pk).office_id == office.pk


def test_the_next_sign_in_asks_for_a_code_and_returns_where_it_was_going():
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    client, _ = _login(manager)
    _set_up(client, manager)
    client.post("/logout/")

    client, _ = _login(manager)
    going = client.get("/programs/")
    assert going["Location"] == "/signin/verify/?next=/programs/"
    device = TOTPDevice.objects.get(user=manager, confirmed=True)
    # Full-width digits, as a Japanese keyboard may type them, are the same code.
    code = _code(device, steps_ahead=1).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    done = client.post("/signin/verify/", {"code": code, "next": "/programs/"})
    assert done.status_code == 302 and done["Location"] == "/programs/"
    assert client.get("/programs/").status_code == 200
    assert AuditEvent.objects.get(action="login.second_factor", actor_id=manager.pk).office_id == office.pk


def test_a_recovery_code_works_once():
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    client, _ = _login(manager)
    codes = _set_up(client, manager)
    client.post("/logout/")

    client, _ = _login(manager)
    assert client.post("/signin/verify/", {"code": codes[3].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")

    client, _ = _login(manager)
    again = client.post("/signin/verify/", {"code": codes[3]})
    assert again.status_code == 200 and "コードが正しくありません" in again.content.decode()
    assert client.get("/")["Location"].startswith("/signin/verify/")


def test_wrong_codes_lock_the_account_like_wrong_passwords(settings: Any):
    settings.AXES_FAILURE_LIMIT = 3
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    client, _ = _login(manager)
    _set_up(client, manager)
    client.post("/logout/")

    client, _ = _login(manager)
    for _ in range(2):
        assert client.post("/signin/verify/", {"code": "123456"}).status_code == 200
    locked = client.post("/signin/verify/", {"code": "123456"})
    assert locked.status_code == 429 and "ロック" in locked.content.decode()
    # Signed out, and the password alone no longer lets the account in.
    assert client.get("/")["Location"].startswith("/login/")
    _, again = _login(manager)
    assert again.status_code == 429 and "ロック" in again.content.decode()


def test_the_idle_time_out_applies_while_the_code_is_owed(settings: Any):
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    client, _ = _login(manager)
    _set_up(client, manager)
    client.post("/logout/")
    client, _ = _login(manager)
    session = client.session
    session["jiritsu_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    resp = client.get("/signin/verify/")
    assert resp.status_code == 302 and "timeout=1" in resp["Location"]


def test_caseworkers_follow_the_offices_policy():
    office = make_office()
    admin = make_user(office, Role.ADMIN)
    caseworker = make_user(office, Role.CASEWORKER)
    client, _ = _login(caseworker)
    assert client.get("/").status_code == 200  # optional by default
    client.post("/logout/")

    admin_client, _ = _login(admin)
    _set_up(admin_client, admin)
    # A caseworker may not change it; the administrator may.
    assert client.get("/signin/policy/").status_code == 302  # signed out: log-in page
    cw_client, _ = _login(caseworker)
    assert cw_client.get("/signin/policy/").status_code == 403
    resp = admin_client.post("/signin/policy/", {"two_factor": "everyone",
                                                  "password_allowed": "on"})
    assert resp.status_code == 302
    assert SignInPolicy.objects.get(office=office).two_factor == "everyone"
    event = AuditEvent.objects.get(action="signin_policy.update")
    assert event.changes == {"two_factor": ["managers", "everyone"]}
    bad = admin_client.post("/signin/policy/", {"two_factor": "nobody", "password_allowed": "on"})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()

    client, _ = _login(caseworker)
    assert client.get("/")["Location"].startswith("/signin/setup/")


def test_a_caseworker_may_add_and_remove_the_app_but_a_manager_may_not_remove_it():
    office = make_office()
    caseworker = make_user(office, Role.CASEWORKER)
    manager = make_user(office, Role.MANAGER)
    client, _ = _login(caseworker)
    _set_up(client, caseworker)
    assert "登録済み" in client.get("/signin/").content.decode()
    client.post("/signin/remove/")
    assert not TOTPDevice.objects.filter(user=caseworker).exists()

    mclient, _ = _login(manager)
    _set_up(mclient, manager)
    page = mclient.get("/signin/").content.decode()
    assert "二要素認証を解除" not in page
    mclient.post("/signin/remove/")
    assert TOTPDevice.objects.filter(user=manager, confirmed=True).exists()


def test_the_api_refuses_a_session_that_owes_a_code_but_not_a_token():
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    client, _ = _login(manager)
    resp = client.get("/api/v1/programs")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "second_factor_required"
    from jiritsu.api.tokens import token_create

    raw = token_create(actor=membership_of(manager, office), name="連携")[1]
    assert ApiClient(raw).get("programs").status_code == 200


def test_a_user_ends_another_of_their_sessions():
    office = make_office()
    caseworker = make_user(office, Role.CASEWORKER)
    phone, _ = _login(caseworker)
    desk, _ = _login(caseworker)
    page = desk.get("/signin/").content.decode()
    assert page.count("<tr><td>令和") == 2 and "この端末" in page
    desk.post("/signin/sessions/end/", {"session": "others"})
    assert phone.get("/")["Location"].startswith("/login/")
    assert desk.get("/").status_code == 200
    ended = UserSession.objects.get(session_key=phone.session.session_key) \
        if phone.session.session_key else None
    assert ended is None or ended.ended_at is not None
    assert AuditEvent.objects.filter(action="signin_session.end", actor_id=caseworker.pk).exists()


def test_an_administrator_ends_every_session_and_token_of_a_member_of_staff():
    office, other = make_office(), make_office()
    admin = make_user(office, Role.ADMIN)
    other_admin = make_user(other, Role.ADMIN)
    caseworker = make_user(office, Role.CASEWORKER)
    from jiritsu.api.tokens import token_create

    raw = token_create(actor=membership_of(caseworker, office), name="連携")[1]
    cw_client, _ = _login(caseworker)
    target = membership_of(caseworker, office)

    admin_client, _ = _login(admin)
    _set_up(admin_client, admin)
    page = admin_client.get(f"/signin/staff/{target.pk}/").content.decode()
    assert "ログイン中のセッション</dt><dd>1件" in page and "有効なAPIトークン</dt><dd>1件" in page
    missing_reason = admin_client.post(f"/signin/staff/{target.pk}/", {"do": "end", "reason": ""})
    assert missing_reason.status_code == 200 and cw_client.get("/").status_code == 200
    admin_client.post(f"/signin/staff/{target.pk}/", {"do": "end", "reason": "端末の紛失"})
    assert cw_client.get("/")["Location"].startswith("/login/")
    assert ApiToken.objects.get(user=caseworker).revoked_at is not None
    assert ApiClient(raw).get("programs").status_code == 401

    # Another office's administrator: the same answer as a member who does not exist.
    oc, _ = _login(other_admin)
    _set_up(oc, other_admin)
    assert oc.get(f"/signin/staff/{target.pk}/").status_code == 404
    assert oc.get("/signin/staff/999999/").status_code == 404
    # A caseworker has no such screen.
    cw_client, _ = _login(caseworker)
    assert cw_client.get(f"/signin/staff/{target.pk}/").status_code == 403


def test_an_administrator_resets_a_lost_phone():
    office = make_office()
    admin = make_user(office, Role.ADMIN)
    manager = make_user(office, Role.MANAGER)
    mclient, _ = _login(manager)
    _set_up(mclient, manager)
    admin_client, _ = _login(admin)
    _set_up(admin_client, admin)
    target = membership_of(manager, office)
    admin_client.post(f"/signin/staff/{target.pk}/", {"do": "reset", "reason": "端末の紛失"})
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert mclient.get("/")["Location"].startswith("/login/")
    mclient, _ = _login(manager)
    assert mclient.get("/")["Location"].startswith("/signin/setup/")
    event = AuditEvent.objects.get(action="second_factor.reset")
    assert event.actor_id == admin.pk and event.note == "端末の紛失"


def test_switched_off_for_the_installation_nothing_is_asked(settings: Any):
    settings.JIRITSU_TWO_FACTOR = "off"
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    client, _ = _login(manager)
    assert client.get("/").status_code == 200
