"""Single sign-on with the municipality's identity provider (OpenID Connect, authorisation
code flow, through mozilla-django-oidc). Accounts are never created here: the provider's user
is mapped to an existing account by the claim the installation names (user name by default,
``JIRITSU_OIDC_USERNAME_CLAIM``). Off unless ``JIRITSU_OIDC_CLIENT_ID`` is set (docs/signin.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from jiritsu.signin.backends import read_user

logger = logging.getLogger(__name__)

# Set in the session when the provider says it checked a second factor itself (its ``amr``
# claim names one): then Jiritsu does not ask for its own code again.
IDP_SECOND_FACTOR_KEY = "jiritsu_idp_second_factor"
_SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fido", "face", "fpt"})


def sso_configured() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class Backend(OIDCAuthenticationBackend):
    """Signs in an existing, active account named by the provider; nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.configured = sso_configured()
        if self.configured:
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def get_user(self, user_id: Any) -> Any:
        """The user of a session this backend signed in, read as the password backend reads
        it, and only while the account is active (the library's own read would keep a
        deactivated account's session signed in)."""
        user = read_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        """A token that fails a check (signature, expiry, nonce, audience, issuer) is a failed
        sign-in, answered with the log-in page's message, and logged."""
        if not self.configured:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            logger.warning("single sign-on refused: %s", exc)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """The library checks the signature, expiry and nonce; the audience and the issuer
        are checked here: a token minted for another application is refused."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("id_token audience mismatch")
        issuer = getattr(settings, "JIRITSU_OIDC_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("id_token issuer mismatch")
        amr = payload.get("amr") or []
        if isinstance(amr, list) and _SECOND_FACTOR_AMR & {str(a).lower() for a in amr}:
            self.request.session[IDP_SECOND_FACTOR_KEY] = True
        return payload

    def _claim(self) -> str:
        return str(getattr(settings, "JIRITSU_OIDC_USERNAME_CLAIM", "preferred_username"))

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get(self._claim()))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        value = str(claims.get(self._claim()) or "")
        if not value:
            return self.UserModel.objects.none()
        field = "email__iexact" if self._claim() == "email" else "username"
        return self.UserModel.objects.filter(**{field: value}, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> Any:
        raise SuspiciousOperation("accounts are made by the office's administrator")


class StartView(OIDCAuthenticationRequestView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if sso_configured():
            super().__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_configured():
            raise Http404
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_configured():
            raise Http404
        return super().get(request)

    @property
    def failure_url(self) -> str:
        return "/login/?sso_failed=1"
