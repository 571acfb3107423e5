"""The request a view sees inside the office: typed attributes set by the middleware."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from jiritsu.offices.models import Membership, Office


class OfficeRequest(HttpRequest):
    """A request to a view or API operation that acts in an office.

    Never instantiated: it only types what the middleware attaches to Django's request.
    ``OfficeMiddleware`` (``jiritsu.offices.middleware``) sets ``membership`` and ``office``
    from the session, the API token middleware from the token; views reach them only behind
    ``action_required`` (screens) or ``acting`` (API), which refuse a request without a
    membership, so inside a view both are set. ``htmx`` comes from django-htmx's middleware.
    """

    membership: Membership
    office: Office
    active_memberships: list[Membership]
    htmx: HtmxDetails
