"""The refusal convention and the view helpers every access function uses.

One convention everywhere (screens and API):

- not logged in → log-in page (screens) or 401 (API);
- the role lacks the action → 403, decided from the permission table before any row is read;
- another office's row and a missing row → 404, the same answer, so nobody learns what
  another office (or, for a partner, what the office outside its consents) holds.

Object-level access lives in the owning app's ``access.py`` (one function per object type);
they all fetch through :func:`get_or_404` and refuse through :func:`require`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse

from jiritsu.offices.http import AttachedRequest
from jiritsu.offices.models import Membership, PartnerOrganisation

F = TypeVar("F", bound=Callable[..., HttpResponse])
M = TypeVar("M")

DENIED = "この操作を行う権限がありません。"


def deny() -> PermissionDenied:
    return PermissionDenied(DENIED)


def require(membership: Membership | None, action: str) -> Membership:
    """Return the membership if its role may perform ``action``; otherwise 403."""
    if membership is None or not membership.can(action):
        raise deny()
    return membership


def get_or_404(qs: QuerySet[Any], pk: Any) -> Any:
    """The row with this id among ``qs`` (already limited to what the membership may see);
    a missing row, another office's and a malformed id all answer 404."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def action_required(action: str) -> Callable[[F], F]:
    """Decorator: logged in, acting in an office, and the role allows ``action``.

    The action is kept on the view (``view.required_action``) so that the permission
    matrix test can check every route against the table."""

    def decorator(view: F) -> F:
        @login_required
        @wraps(view)
        def wrapper(request: AttachedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.membership, action)
            return view(request, *args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def get_membership_for_user(membership: Membership | None, pk: int) -> Membership:
    """A membership of the acting office (for administration); others 404 like missing."""
    m = require(membership, "user.manage")
    return get_or_404(Membership.objects.select_related("user", "partner")
                      .filter(office=m.office), pk)


def get_partner_for_user(membership: Membership | None, pk: int) -> PartnerOrganisation:
    """A partner organisation of the acting office; another office's 404s like a missing one."""
    m = require(membership, "office.admin")
    return get_or_404(PartnerOrganisation.objects.filter(office=m.office), pk)
