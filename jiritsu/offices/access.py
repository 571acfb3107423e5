"""View helpers for role checks. Object-level access lives in each app's ``access.py``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from jiritsu.offices.models import Membership, PartnerOrganisation

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


def get_membership_for_user(membership: Membership | None, pk: int) -> Membership:
    """A membership of the acting office (for administration); others 404 like missing."""
    from django.http import Http404

    if membership is None:
        raise Http404
    try:
        return Membership.objects.select_related("user", "partner").get(pk=pk, office=membership.office)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_partner_for_user(membership: Membership | None, pk: int) -> PartnerOrganisation:
    """A partner organisation of the acting office; another office's 404s like a missing one."""
    from django.http import Http404

    if membership is None:
        raise Http404
    try:
        return PartnerOrganisation.objects.get(pk=pk, office=membership.office)
    except (PartnerOrganisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
