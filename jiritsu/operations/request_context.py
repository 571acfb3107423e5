"""Per-request context for logs and error pages: a request id, the user id, the office code.

The request id comes from the reverse proxy (``X-Request-ID``, nginx's ``$request_id``) when
it looks like one, otherwise it is made here; it is sent back in the ``X-Request-ID`` header
and printed on error pages, so that a caseworker can quote it and the administrator find the
request in the logs. Only ids and codes are bound — never names or other personal data.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import sentry_sdk
import structlog
from django.http import HttpRequest, HttpResponse

from jiritsu.operations.errors import tag_request

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = structlog.get_logger("jiritsu.request")


def request_id_of(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))


class RequestIdMiddleware:
    """First in the chain: gives the request its id, logs one line when it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            # The path only: a query string may carry search words (names).
            log.info("request", method=request.method, path=request.path,
                     status=response.status_code,
                     duration_ms=round((time.perf_counter() - started) * 1000, 1))
            return response
        finally:
            structlog.contextvars.clear_contextvars()


class LogContextMiddleware:
    """After the office middleware: binds the user id and the acting office's code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        office = getattr(request, "office", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        office_code = office.code if office is not None else None
        structlog.contextvars.bind_contextvars(user_id=user_id, office=office_code)
        if sentry_sdk.is_initialized():
            tag_request(request_id_of(request), user_id, office_code)
        return self.get_response(request)


def request_context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``request_id`` for error pages."""
    return {"request_id": request_id_of(request)}
