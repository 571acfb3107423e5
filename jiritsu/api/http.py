"""The request an API operation takes: what the middleware attaches, typed."""

from __future__ import annotations

from jiritsu.api.models import ApiToken
from jiritsu.offices.http import AttachedRequest


class ApiRequest(AttachedRequest):
    """A request to an API operation.

    Never instantiated: it only types what the middleware attaches. ``membership`` may be
    ``None`` (signed in without an office), so an operation reaches the acting membership only
    through ``jiritsu.api.common.acting(request, action)``, which refuses with 403 and gives
    back a ``Membership``; mypy refuses ``request.membership.office`` anywhere else.
    A request signed with a bearer token also carries ``api_token`` (the token the API
    middleware checked) and ``api_token_auth`` (true, so the session's CSRF check and idle
    time-out are skipped).
    """

    api_token: ApiToken
    api_token_auth: bool
