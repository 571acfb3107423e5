"""Request plumbing: idle time-out, the active office membership, and the tenant scope."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_scopes import scope, scopes_disabled

from jiritsu.core.rows import Join, JoinedRows
from jiritsu.offices.http import AttachedRequest
from jiritsu.offices.models import Membership, User

SESSION_OFFICE_KEY = "jiritsu_office_id"
SESSION_LAST_SEEN_KEY = "jiritsu_last_seen"
LAST_SEEN_RESOLUTION_SECONDS = 60


def note_login_as_activity(sender: object, request: HttpRequest | None = None,
                           **kwargs: object) -> None:
    """Logging in is activity: the idle clock starts with the session, so the first page
    after it is not a session write of its own (connected in OfficesConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LAST_SEEN_KEY] = time.time()


class IdleTimeoutMiddleware:
    """Log out a session that has been idle longer than SESSION_IDLE_TIMEOUT_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session") and not getattr(
            request, "api_token_auth", False
        ):
            now = time.time()
            last = request.session.get(SESSION_LAST_SEEN_KEY)
            if last is not None and now - float(last) > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{settings.LOGIN_URL and '/login/'}?timeout=1")
            # Written at most once a minute: every write is an UPDATE of the session row,
            # and the time-out (30 minutes) needs no finer resolution.
            if last is None or now - float(last) >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)


# The user's active memberships with their offices and partner organisations, in office
# code order: ``Membership.objects.filter(user=user, is_active=True).select_related("office",
# "partner").order_by("office__code")``, written once per process (read on every request).
ACTIVE_MEMBERSHIPS = JoinedRows(
    Membership, [Join("office"), Join("partner", outer=True)],
    where="{m}.user_id = %s AND {m}.is_active", order_by="{j0}.code, {m}.id")


def active_membership(request: AttachedRequest) -> Membership | None:
    """The membership the user is acting in: the one chosen in the session, else the first."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = ACTIVE_MEMBERSHIPS.fetch([user.pk])
    # Kept for the office switcher (context processor), which would read them again.
    request.active_memberships = memberships
    if not memberships:
        return None
    chosen = request.session.get(SESSION_OFFICE_KEY) if hasattr(request, "session") else None
    found = next((m for m in memberships if m.office_id == chosen), memberships[0])
    # The user row the request already holds (the lazy object is evaluated by now): saves
    # reading it again wherever membership.user is used (audit rows, "mine" filters).
    real_user = getattr(user, "_wrapped", user)
    if isinstance(real_user, User) and real_user.pk == found.user_id:
        found.user = real_user
    return found


class OfficeMiddleware:
    """Attach ``request.membership``/``request.office`` and run the view inside the office scope.

    Office-owned models use a scoped manager (django-scopes): a query that runs
    outside a scope raises instead of silently returning every office's rows.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: AttachedRequest) -> HttpResponse:
        membership = getattr(request, "membership", None) or active_membership(request)
        request.membership = membership
        request.office = membership.office if membership else None
        if membership is None:
            # Anonymous or office-less: nothing office-owned is reachable.
            with scope(office=None):
                return self.get_response(request)
        with scope(office=membership.office):
            return self.get_response(request)


__all__ = ["IdleTimeoutMiddleware", "OfficeMiddleware", "active_membership", "scopes_disabled"]


NO_STORE = "no-store, private"


class PrivateResponseMiddleware:
    """Every answer to a signed-in request (a session or an API token) may carry personal
    data — person pages, API JSON, PDF/CSV/xlsx downloads — so none of them is kept by a
    browser or a proxy cache: ``Cache-Control: no-store, private``, replacing any other
    caching directive. Answers to anonymous requests (the login page, static files) are
    left alone. Sits outside the API middleware so that it sees the token's user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = NO_STORE
        return response
