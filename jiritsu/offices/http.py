"""The request a view sees: typed attributes set by the middleware.

Two types, before and behind the door:

* :class:`AttachedRequest` is what the middleware attaches to every request: the acting
  ``membership`` and its ``office``, ``None`` when nobody is signed in or the account acts in
  no office. The middleware and the doors (``action_required``, the API's ``acting``) read it,
  and API operations take a subclass of it (``jiritsu.api.http.ApiRequest``), so mypy refuses
  an operation that uses the membership without going through the door.
* :class:`OfficeRequest` is a request behind ``action_required``: both are set.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from jiritsu.offices.models import Membership, Office


class AttachedRequest(HttpRequest):
    """Any request after the office middleware (screens and API alike).

    Never instantiated: it only types what the middleware attaches to Django's request.
    ``OfficeMiddleware`` (``jiritsu.offices.middleware``) sets ``membership`` and ``office``
    from the session (``None`` when there is none), the API token middleware from the token.
    ``active_memberships`` is set once the session's memberships were read.
    ``htmx`` comes from django-htmx's middleware.
    """

    membership: Membership | None
    office: Office | None
    active_memberships: list[Membership]
    htmx: HtmxDetails


class OfficeRequest(AttachedRequest):
    """A request to a screen that acts in an office.

    Screens take it behind ``action_required``, which refuses a request without a
    membership, so inside a view both ``membership`` and ``office`` are set.
    """

    membership: Membership
    office: Office
