"""View helpers for role checks. Object-level access lives in each app's ``access.py``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from jiritsu.offices.models import Membership

F = TypeVar("F", bound=Callable[..., HttpResponse])


def require(membership: Membership | None, action: str) -> Membership:
    """Return the membership if its role may perform ``action``; otherwise 403."""
    if membership is None or not membership.can(action):
        raise PermissionDenied("この操作を行う権限がありません。")
    return membership


def action_required(action: str) -> Callable[[F], F]:
    """Decorator: logged in, acting in an office, and the role allows ``action``."""

    def decorator(view: F) -> F:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(getattr(request, "membership", None), action)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
