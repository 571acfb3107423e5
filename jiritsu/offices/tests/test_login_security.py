"""Log-in and HTTP safety: argon2, lock-out, idle time-out, CSRF, CSP and security headers."""

from __future__ import annotations

import importlib
import time

import pytest
from django.test import Client
from django.urls import reverse

from jiritsu.offices.middleware import SESSION_LAST_SEEN_KEY
from jiritsu.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _settings_module(monkeypatch, **env):
    """The settings module as evaluated with this environment (then restored)."""
    import jiritsu.settings as mod

    for k in ("JIRITSU_DEBUG", "JIRITSU_SECURE_COOKIES", "JIRITSU_IDLE_TIMEOUT_MINUTES",
              "JIRITSU_FAST_HASHER"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    try:
        return {k: getattr(importlib.reload(mod), k) for k in dir(mod) if k.isupper()}
    finally:
        monkeypatch.undo()
        importlib.reload(mod)


def test_argon2_is_the_password_hasher(monkeypatch):
    conf = _settings_module(monkeypatch)
    assert conf["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_defaults_use_secure_cookies_and_30_minute_idle_timeout(monkeypatch):
    conf = _settings_module(monkeypatch)
    assert conf["DEBUG"] is False
    assert conf["SESSION_COOKIE_SECURE"] and conf["CSRF_COOKIE_SECURE"]
    assert conf["SESSION_COOKIE_HTTPONLY"]
    assert conf["SESSION_IDLE_TIMEOUT_SECONDS"] == 30 * 60
    assert _settings_module(monkeypatch, JIRITSU_IDLE_TIMEOUT_MINUTES="10")[
        "SESSION_IDLE_TIMEOUT_SECONDS"] == 600


def test_lock_out_after_five_failed_log_ins(client, world):
    url = reverse("login")
    for _ in range(5):
        resp = client.post(url, {"username": "cw_a", "password": "wrong-password"})
    resp = client.post(url, {"username": "cw_a", "password": PASSWORD})
    assert resp.status_code == 429
    assert "ロック" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_log_in_before_the_limit(client, world):
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "cw_a", "password": "wrong-password"})
    resp = client.post(url, {"username": "cw_a", "password": PASSWORD})
    assert resp.status_code == 302 and client.session["_auth_user_id"] == str(world.caseworker.pk)


def test_idle_session_is_logged_out(client, world, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    client.force_login(world.caseworker)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = time.time() - 61
    session.save()
    resp = client.get(reverse("home"))
    assert resp.status_code == 302 and "timeout=1" in resp["Location"]
    assert client.get(reverse("home")).status_code == 302  # really logged out


def test_activity_is_noted_at_most_once_a_minute_and_keeps_the_session_alive(client, world,
                                                                             settings):
    """Each page view is not a session write; a view more than a minute after the last
    noted one moves the idle clock, so steady use never times out."""
    from django.contrib.sessions.models import Session

    settings.SESSION_IDLE_TIMEOUT_SECONDS = 300
    client.force_login(world.caseworker)
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    first = client.session[SESSION_LAST_SEEN_KEY]
    stored = Session.objects.get(session_key=key).expire_date
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SESSION_LAST_SEEN_KEY] == first  # not rewritten within the minute
    assert Session.objects.get(session_key=key).expire_date == stored
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = time.time() - 250  # quiet for over four minutes
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SESSION_LAST_SEEN_KEY] > time.time() - 5  # noted again
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = time.time() - 290
    session.save()
    assert client.get(reverse("home")).status_code == 200  # 290 s < 300 s: still in


def test_csrf_is_enforced_on_posts(world):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.caseworker)
    resp = csrf_client.post(reverse("people:person_edit", args=[world.person.pk]), {"name": "x"})
    assert resp.status_code == 403


def test_content_security_policy_and_security_headers(client, world):
    client.force_login(world.caseworker)
    resp = client.get(reverse("people:person", args=[world.person.pk]))
    csp = resp["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Referrer-Policy"] == "same-origin"
    assert resp["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_style():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style\b", text) \
                or re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
