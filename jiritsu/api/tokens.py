"""Issuing, revoking and checking API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from jiritsu.api.models import ApiToken
from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, ValidationFailed
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import acts_without_office

TOKEN_PREFIX = "jrt_"
INVALID = "invalid_token"
EXPIRED = "token_expired"
DISPLAY_PREFIX_LENGTH = 12
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def expiry(expires_on: dt.date | None) -> dt.datetime:
    """When a token chosen to last through ``expires_on`` (a day in Japan; default: today plus
    ``API_TOKEN_DAYS``) stops working: the start of the next day in Japan. At most
    ``API_TOKEN_MAX_DAYS`` ahead; a day before tomorrow is refused."""
    today = clock.today()
    longest = settings.API_TOKEN_MAX_DAYS
    if expires_on is None:
        expires_on = today + dt.timedelta(days=min(settings.API_TOKEN_DAYS, longest))
    if expires_on <= today:
        raise ValidationFailed("有効期限は明日以降の日付を入力してください。", field="expires_on")
    if expires_on > today + dt.timedelta(days=longest):
        raise ValidationFailed(f"有効期限は今日から{longest}日以内の日付を入力してください。",
                               field="expires_on")
    return dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time(0), tzinfo=clock.JAPAN)


def _may_manage(actor: Membership, token_user: User) -> bool:
    """The token's own user, or an office admin for a user of the same office."""
    if token_user.pk == actor.user_id:
        return actor.can("apitoken.manage")
    return actor.can("user.manage") and Membership.objects.filter(
        user=token_user, office=actor.office
    ).exists()


def tokens_visible_to(actor: Membership) -> QuerySet[ApiToken]:
    """Own tokens; an admin also sees the tokens of the office's users."""
    qs = ApiToken.objects.select_related("user")
    if actor.can("user.manage"):
        return qs.filter(user__memberships__office=actor.office).distinct()
    return qs.filter(user_id=actor.user_id)


@transaction.atomic
def token_create(*, actor: Membership, name: str, user: User | None = None,
                 expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user`` (default: the actor), usable through ``expires_on`` (see
    ``expiry``). Returns the row and the secret, shown once."""
    user = user or actor.user
    if not _may_manage(actor, user):
        raise Forbidden()
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("名前を入力してください。", field="name")
    if len(name) > 100:
        raise ValidationFailed("名前は100文字以内で入力してください。", field="name")
    expires_at = expiry(expires_on)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:DISPLAY_PREFIX_LENGTH],
                                    token_hash=hash_token(raw), created_by=actor.user,
                                    expires_at=expires_at)
    record(actor=actor.user, office=actor.office, action="apitoken.create",
           kind=AuditEvent.Kind.CREATE, target=token,
           note=f"利用者: {user.username}、有効期限: {token.expires_on.isoformat()}まで")
    return token, raw


@transaction.atomic
def office_less_token_create(*, user: User, name: str,
                             expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """A token for a user without an office whose installation role allows it (統計担当: the
    national roll-up; 設置管理者: offices and their settings). Issued on the command line by
    an operator; the token reaches only what that role may do."""
    if not acts_without_office(user):
        raise Forbidden()
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("名前は1〜100文字で入力してください。", field="name")
    expires_at = expiry(expires_on)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:DISPLAY_PREFIX_LENGTH],
                                    token_hash=hash_token(raw), created_by=None,
                                    expires_at=expires_at)
    record(actor=None, office=None, action="apitoken.create", kind=AuditEvent.Kind.CREATE,
           target=token, note=f"利用者: {user.username}（全国集計）")
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Membership, token: ApiToken) -> ApiToken:
    if not _may_manage(actor, token.user):
        raise Forbidden()
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.revoked_by = actor.user
        token.save(update_fields=["revoked_at", "revoked_by"])
        record(actor=actor.user, office=actor.office, action="apitoken.revoke",
               kind=AuditEvent.Kind.UPDATE, target=token, note=f"利用者: {token.user.username}")
    return token


def authenticate_token(raw: str) -> tuple[ApiToken | None, str]:
    """``(token, "")`` for the active token with this secret (its user active), recording its
    use; else ``(None, code)``: ``token_expired`` past its expiry, ``invalid_token`` otherwise."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None, INVALID
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None, INVALID
    now = clock.now()
    if token.expires_at <= now:
        return None, EXPIRED
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, ""
