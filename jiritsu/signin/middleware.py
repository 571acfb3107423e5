"""Until the second factor is given, a signed-in browser reaches only the pages that take it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from jiritsu.api.errors import error_response
from jiritsu.signin.policy import enforced
from jiritsu.signin.services import SETUP, pending

# Reachable with a second factor still owed: the pages that take it, signing out, and what
# needs no session at all.
_OPEN_PREFIXES = ("/signin/verify/", "/signin/setup/", "/logout/", "/login/", "/static/",
                  "/health/", "/metrics")


class SecondFactorMiddleware:
    """Sits after the idle time-out and the API's token check: a token request never owes a
    second factor (the token was made in a browser that gave one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        owed = pending(request) if request.user.is_authenticated and enforced() else ""
        if not owed or getattr(request, "api_token_auth", False) or request.path.startswith(
                _OPEN_PREFIXES):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return error_response(401, "second_factor_required",
                                  "二要素認証を済ませてからご利用ください。")
        page = "signin:setup" if owed == SETUP else "signin:verify"
        target = redirect(page)
        if request.method == "GET" and request.path != "/":
            target["Location"] += f"?next={quote(request.get_full_path())}"
        return target
