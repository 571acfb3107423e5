"""Error reports to a Sentry-compatible server (self-hosted Sentry, GlitchTip …) when
``JIRITSU_SENTRY_DSN`` is set. Nothing personal leaves the server: no request body, cookies,
query string, headers other than a few technical ones, local variables, log breadcrumbs or
SQL, and exception messages (which can quote a row's values, e.g. a database constraint
error) are replaced by the exception's type. What is sent: the exception type, the stack
(files, functions, lines), the URL path, the request id, the user id and the office code."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

KEPT_HEADERS = {"User-Agent", "X-Request-Id", "X-Request-ID", "Accept", "Content-Type"}


def scrub(event: Event, hint: Hint | None = None) -> Event:
    """``before_send``: strip personal data from an event, keep what locates the fault."""
    if event.get("request"):
        request: dict[str, Any] = dict(event.get("request") or {})
        event["request"] = {
            "method": request.get("method"),
            "url": (request.get("url") or "").split("?", 1)[0],
            "headers": {k: v for k, v in (request.get("headers") or {}).items()
                        if k in KEPT_HEADERS},
        }
    user: dict[str, Any] = dict(event.get("user") or {})
    event["user"] = {"id": user["id"]} if user.get("id") else {}
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    event["server_name"] = ""
    for exc in (event.get("exception") or {}).get("values", []):
        exc["value"] = f"({exc.get('type', 'Exception')}: message withheld)"
        for frame in (exc.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    if "logentry" in event:
        event["logentry"] = {"message": "(message withheld)"}
    event.pop("message", None)
    return event


def init_error_reporting(dsn: str, *, environment: str = "production",
                         release: str | None = None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(transaction_style="url")],
        send_default_pii=False,
        include_local_variables=False,
        include_source_context=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        before_send=scrub,
        traces_sample_rate=0.0,
        environment=environment,
        release=release,
        default_integrations=True,
    )


def tag_request(request_id: str, user_id: int | None, office_code: str | None) -> None:
    """Tags the current scope with what identifies the request (no personal data)."""
    sentry_sdk.set_tag("request_id", request_id)
    if office_code:
        sentry_sdk.set_tag("office", office_code)
    if user_id:
        sentry_sdk.set_user({"id": str(user_id)})
