"""The second factor (an authenticator app's TOTP codes, with recovery codes), the sessions
a user holds, and the office's sign-in policy. Every change is audited."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiritsu.api.tokens import token_revoke, tokens_visible_to
from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, ValidationFailed
from jiritsu.offices.middleware import SESSION_LAST_SEEN_KEY
from jiritsu.offices.models import Membership, Office, User
from jiritsu.signin.models import SignInPolicy, UserSession
from jiritsu.signin.oidc import IDP_SECOND_FACTOR_KEY, sso_configured
from jiritsu.signin.policy import enforced, second_factor_required

# The session says what the signed-in browser still owes: "verify" (enter a code from the
# app or a recovery code) or "setup" (register an app first). Absent: nothing owed.
SESSION_PENDING_KEY = "jiritsu_second_factor"
VERIFY, SETUP = "verify", "setup"

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
TOTP_NAME = "認証アプリ"
RECOVERY_NAME = "回復コード"


# ---------------------------------------------------------------- signals

def on_login(sender: Any, request: HttpRequest | None = None, user: User | None = None,
             **kwargs: Any) -> None:
    """After the password: note the session and what the second factor still needs."""
    if request is None or user is None or not hasattr(request, "session"):
        return
    session: SessionBase = request.session
    if enforced() and not session.get(IDP_SECOND_FACTOR_KEY):
        if has_second_factor(user):
            session[SESSION_PENDING_KEY] = VERIFY
        elif second_factor_required(user):
            session[SESSION_PENDING_KEY] = SETUP
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "started_at": clock.now(), "ended_at": None, "end_reason": "",
                  "ip_address": _ip(request),
                  "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]})


def on_logout(sender: Any, request: HttpRequest | None = None, user: User | None = None,
              **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(
            ended_at=clock.now(), end_reason="ログアウト")


def _ip(request: HttpRequest) -> str | None:
    try:
        return get_client_ip_address(request) or None
    except (ValueError, TypeError):
        return None


def pending(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    return str(session.get(SESSION_PENDING_KEY, "")) if session is not None else ""


# ---------------------------------------------------------------- devices

def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def draft_totp(user: User) -> TOTPDevice:
    """The app being registered: one unconfirmed device per user, kept across page loads so
    that the QR code shown stays the one the app scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def normalise_code(raw: str) -> str:
    """What the user typed, as the devices compare it: full-width digits and letters made
    half-width, spaces and hyphens dropped, lower case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if ch.isalnum()).lower()


def _office(request: HttpRequest) -> Office | None:
    """The office the browser acts in (``OfficeMiddleware``'s choice), for the audit row."""
    return getattr(request, "office", None)


@dataclass(frozen=True)
class Setup:
    recovery_codes: list[str]


@transaction.atomic
def confirm_totp(request: HttpRequest, user: User, code: str) -> Setup:
    """Register the draft app once it shows a correct code; new recovery codes are made and
    returned (shown once). The browser is then signed in with its second factor."""
    device = draft_totp(user)
    if not _verify(device, normalise_code(code)):
        raise ValidationFailed("認証アプリに表示されている6桁の数字を入力してください。"
                               "（数字が合いません。端末の時刻が正しいかも確かめてください。）",
                               field="code", code="second_factor_wrong")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _signed_in_with(request, device)
    record(actor=user, office=_office(request), action="second_factor.setup",
           kind=AuditEvent.Kind.CREATE, target=user)
    return Setup(recovery_codes=codes)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
             for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@transaction.atomic
def renew_recovery_codes(user: User, *, office: Office | None) -> list[str]:
    codes = _new_recovery_codes(user)
    record(actor=user, office=office, action="second_factor.renew_codes",
           kind=AuditEvent.Kind.UPDATE, target=user)
    return codes


def _verify(device: Any, code: str) -> bool:
    if not code:
        return False
    return bool(device.verify_token(code))


class LockedOut(Exception):
    """Too many wrong codes: the same lock-out as wrong passwords (django-axes)."""


def verify(request: HttpRequest, user: User, code: str) -> None:
    """Check a code from the app or an unused recovery code; on success the browser's
    session no longer owes anything. A wrong code counts as a failed sign-in for the
    lock-out (django-axes), exactly like a wrong password."""
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        raise LockedOut
    normal = normalise_code(code)
    device: Any = None
    totp = confirmed_totp(user)
    if totp is not None and normal.isdigit() and _verify(totp, normal):
        device = totp
    elif not normal.isdigit():
        static = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if static is not None and _verify(static, normal):
            device = static
    if device is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            raise LockedOut
        raise ValidationFailed("コードが正しくありません。認証アプリの6桁の数字か、"
                               "回復コードを入力してください。", field="code",
                               code="second_factor_wrong")
    _signed_in_with(request, device)
    record(actor=user, office=_office(request), action="login.second_factor",
           kind=AuditEvent.Kind.LOGIN, target=user,
           note="回復コードを使用" if isinstance(device, StaticDevice) else "")


def _signed_in_with(request: HttpRequest, device: Any) -> None:
    session = request.session
    old_key = session.session_key
    session.pop(SESSION_PENDING_KEY, None)
    session.cycle_key()  # a new session id once the second factor is given
    if old_key and old_key != session.session_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=session.session_key)
    django_otp.login(request, device)


@transaction.atomic
def remove_second_factor(user: User, *, actor: User, office: Office | None, reason: str = "",
                         own: bool = True) -> None:
    """Take the app and the recovery codes away (the user, or an administrator for a lost
    phone). Where the second factor is required, the next sign-in asks to register again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor=actor, office=office, action="second_factor.remove" if own
           else "second_factor.reset", kind=AuditEvent.Kind.DELETE, target=user, note=reason)


# ---------------------------------------------------------------- sessions

@dataclass(frozen=True)
class OpenSession:
    row: UserSession
    last_seen: Any
    current: bool


def open_sessions(user: User, *, current_key: str | None = None) -> list[OpenSession]:
    """The user's sessions that still sign a browser in (not ended, not expired)."""
    rows = list(UserSession.objects.filter(user=user, ended_at__isnull=True)
                .order_by("-started_at"))
    stores = {s.session_key: s for s in Session.objects.filter(
        session_key__in=[r.session_key for r in rows], expire_date__gt=clock.now())}
    out = []
    for r in rows:
        stored = stores.get(r.session_key)
        if stored is None:
            continue
        seen = stored.get_decoded().get(SESSION_LAST_SEEN_KEY)
        last = clock.to_japan(_from_timestamp(seen)) if seen else None
        out.append(OpenSession(row=r, last_seen=last, current=r.session_key == current_key))
    return out


def _from_timestamp(value: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)


@transaction.atomic
def end_sessions(user: User, *, actor: User, office: Office | None, keys: list[str] | None = None,
                 keep: str | None = None, reason: str) -> int:
    """End the user's sessions (those named by ``keys``, or all) except ``keep``; each
    browser is signed out at its next request."""
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if keys is not None:
        rows = rows.filter(session_key__in=keys)
    if keep:
        rows = rows.exclude(session_key=keep)
    ended = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=ended).delete()
    UserSession.objects.filter(session_key__in=ended).update(ended_at=clock.now(),
                                                             end_reason=reason[:100])
    if ended:
        record(actor=actor, office=office, action="signin_session.end",
               kind=AuditEvent.Kind.UPDATE, target=user, note=reason,
               changes={"count": [None, len(ended)]})
    return len(ended)


@transaction.atomic
def sign_out_everywhere(target: Membership, *, actor: Membership, reason: str) -> tuple[int, int]:
    """The administrator's one act for a lost laptop or a departure: every session of the
    member of staff ends and every API token the administrator may manage is revoked."""
    if not actor.can("user.manage") or target.office_id != actor.office.pk:
        raise Forbidden()
    sessions = end_sessions(target.user, actor=actor.user, office=actor.office,
                            reason=f"管理者が終了：{reason}")
    tokens = list(tokens_visible_to(actor).filter(user=target.user, revoked_at__isnull=True))
    for token in tokens:
        token_revoke(actor=actor, token=token)
    return sessions, len(tokens)


# ---------------------------------------------------------------- the office's policy

@transaction.atomic
def set_policy(*, actor: Membership, two_factor: str,
               password_allowed: bool = True) -> SignInPolicy:
    if not actor.can("office.admin"):
        raise Forbidden()
    if two_factor not in SignInPolicy.TwoFactor.values:
        raise ValidationFailed("二要素認証の範囲を選んでください。", field="two_factor")
    if not password_allowed and not sso_configured():
        raise ValidationFailed("シングルサインオンが設定されていないため、パスワードでのログインは"
                               "止められません。", field="password_allowed")
    policy, _ = SignInPolicy.objects.get_or_create(office=actor.office)
    before = snapshot(policy, ["two_factor", "password_allowed"])
    policy.two_factor = two_factor
    policy.password_allowed = password_allowed
    policy.updated_at = clock.now()
    policy.save()
    after = snapshot(policy, ["two_factor", "password_allowed"])
    if before != after:
        record(actor=actor.user, office=actor.office, action="signin_policy.update",
               kind=AuditEvent.Kind.UPDATE, target=policy, before=before, after=after)
    return policy
