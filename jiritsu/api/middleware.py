"""API request plumbing: bearer-token authentication and Idempotency-Key replay.

Sits after Django's AuthenticationMiddleware and before the idle time-out and office
middleware. A token request acts as the token's user in one of the user's offices
(``X-Jiritsu-Office: <office code>`` when there are several); OfficeMiddleware then
enters that office's scope exactly as for a browser session. Token requests are not
subject to the session idle time-out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from jiritsu.api.errors import error_response
from jiritsu.api.http import ApiRequest
from jiritsu.api.models import IdempotencyRecord
from jiritsu.api.tokens import authenticate_token
from jiritsu.core import clock
from jiritsu.core.http import API_PREFIX, NUL
from jiritsu.offices.models import Membership, User
from jiritsu.offices.permissions import acts_without_office

OFFICE_HEADER = "X-Jiritsu-Office"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
PURGE_EVERY_SECONDS = 600
_last_purge: float | None = None  # monotonic time of this process's last opportunistic purge


def purge_idempotency_records() -> int:
    """Delete the Idempotency-Key records older than the retention
    (``IDEMPOTENCY_RETENTION_HOURS``); their keys may then be used afresh. Returns how many."""
    cutoff = clock.now() - dt.timedelta(hours=settings.IDEMPOTENCY_RETENTION_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _maybe_purge() -> None:
    """Purge now and then while serving (at most every ``PURGE_EVERY_SECONDS`` per process),
    so that the table stays small even where ``purge_idempotency_keys`` is not scheduled."""
    global _last_purge
    moment = time.monotonic()
    if _last_purge is None or moment - _last_purge >= PURGE_EVERY_SECONDS:
        _last_purge = moment
        purge_idempotency_records()


def _bearer(request: HttpRequest) -> str | None:
    value = request.headers.get("Authorization", "")
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def _choose_membership(request: HttpRequest, user: User) -> Membership | HttpResponse | None:
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("office", "partner", "user")
        .order_by("office__code")
    )
    wanted = request.headers.get(OFFICE_HEADER, "").strip()
    if wanted:
        for m in memberships:
            if m.office.code == wanted:
                return m
        return error_response(403, "forbidden", "指定された事務所に所属していません。",
                              field=OFFICE_HEADER)
    if not memberships:
        if acts_without_office(user):
            # A statistician or an installation administrator: office-less; only the
            # operations of its installation role answer (national roll-up, offices).
            return None
        return error_response(403, "no_office")
    if len(memberships) > 1:
        return error_response(400, "office_required", field=OFFICE_HEADER)
    return memberships[0]


NUL_MESSAGE = "使用できない文字（NUL文字）が含まれています。"


def _nul_paths(value: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Dotted names (``rows.1.name``) of every string in parsed JSON holding a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield ".".join(path) or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            if NUL in name:
                yield ".".join((*path, name.replace(NUL, ""))) or "body"
            else:
                yield from _nul_paths(item, (*path, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nul_paths(item, (*path, str(i)))


def nul_fields(request: HttpRequest) -> list[str]:
    """Inputs holding U+0000, which PostgreSQL text cannot store (a 500 if it reached a
    query): the path, query-string parameters, a JSON body, the Idempotency-Key."""
    found: list[str] = []
    if NUL in request.path_info:
        found.append("path")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            found.append(key.replace(NUL, ""))
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.content_type == (
            "multipart/form-data"):
        # A file upload (attachments): the files are bytes and may hold NULs; the text
        # fields beside them may not.
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                found.append(key.replace(NUL, ""))
    elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
        body = request.body
        # Cheap test first: a NUL in JSON text is the escape \u0000 (or, invalid, a raw byte).
        if b"\\u0000" in body or b"\x00" in body:
            try:
                found += list(_nul_paths(json.loads(body)))
            except ValueError:
                if b"\x00" in body:
                    found.append("body")
    if NUL in request.headers.get(IDEMPOTENCY_HEADER, ""):
        found.append(IDEMPOTENCY_HEADER)
    return found


def _nul_refusal(fields: list[str]) -> HttpResponse:
    details = [{"field": f, "code": "null_character", "message": NUL_MESSAGE} for f in fields]
    return error_response(422, "validation_error", NUL_MESSAGE if len(fields) == 1 else None,
                          field=fields[0], details=details)


def too_large(request: HttpRequest) -> bool:
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (JSON, or a multipart upload): answered 413
    in the API's error shape before anything reads it (Django would answer an HTML 400);
    attachments are limited lower, per file (settings.ATTACHMENT_MAX_BYTES)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is not None and length > limit


def _shaped(response: HttpResponse) -> HttpResponse:
    """Ninja answers a wrong method with an empty 405; give it the API's error shape."""
    if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
        shaped = error_response(405, "method_not_allowed")
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
    return response


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: ApiRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if too_large(request):
            return error_response(413, "payload_too_large")
        raw = _bearer(request)
        if raw is not None:
            token, refusal = authenticate_token(raw)
            if token is None:
                return error_response(401, refusal)
            chosen = _choose_membership(request, token.user)
            if isinstance(chosen, HttpResponse):
                return chosen
            request.user = token.user
            request.api_token_auth = True
            request.api_token = token
            request.membership = chosen
        if request.user.is_authenticated:  # anonymous requests get their 401 first
            try:
                bad = nul_fields(request)
            except RequestDataTooBig:
                return error_response(413, "payload_too_large")
            if bad:
                return _nul_refusal(bad)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        user = request.user  # signed in means a User (session or token)
        if request.method == "POST" and key is not None and isinstance(user, User):
            return _shaped(self._idempotent(request, user, key.strip()))
        return _shaped(self.get_response(request))

    def _idempotent(self, request: ApiRequest, user: User, key: str) -> HttpResponse:
        if not key or len(key) > MAX_KEY_LENGTH:
            return error_response(422, "validation_error",
                                  "Idempotency-Key は1〜200文字で指定してください。",
                                  field=IDEMPOTENCY_HEADER)
        office = getattr(getattr(request, "membership", None), "office_id", "")
        digest = hashlib.sha256()
        for part in (request.method or "", request.get_full_path(), str(office)):
            digest.update(part.encode("utf-8") + b"\0")
        digest.update(request.body)
        request_hash = digest.hexdigest()
        _maybe_purge()
        now = clock.now()
        stored = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if stored is not None and (
                stored.created_at < now - dt.timedelta(hours=settings.IDEMPOTENCY_RETENTION_HOURS)
                or stored.response_status == 0
                and stored.created_at < now - dt.timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)):
            # Past its retention, or a reservation whose request never finished (its process
            # died): the key is free again. Deleting by status and time keeps a concurrent
            # retry from freeing a reservation that was just renewed.
            IdempotencyRecord.objects.filter(pk=stored.pk, response_status=stored.response_status,
                                             created_at=stored.created_at).delete()
            stored = None
        if stored is not None:
            if stored.request_hash != request_hash:
                return error_response(409, "idempotency_conflict", field=IDEMPOTENCY_HEADER)
            if stored.response_status == 0:
                return error_response(409, "idempotency_conflict",
                                      "同じIdempotency-Keyのリクエストを処理中です。", field=IDEMPOTENCY_HEADER)
            response = HttpResponse(bytes(stored.response_body), status=stored.response_status,
                                    content_type="application/json")
            response["Idempotent-Replayed"] = "true"
            return response
        # Reserve the key first so that a concurrent retry cannot run the operation twice.
        try:
            with transaction.atomic():
                reserved = IdempotencyRecord.objects.create(
                    user=user, key=key, request_hash=request_hash, response_status=0,
                    response_body=b"")
        except IntegrityError:
            return error_response(409, "idempotency_conflict",
                                  "同じIdempotency-Keyのリクエストを処理中です。", field=IDEMPOTENCY_HEADER)
        try:
            response = self.get_response(request)
        except BaseException:
            # The request crashed: release the key so that a retry runs. (A process killed
            # outright cannot release it; its reservation lapses after the lease, above.)
            IdempotencyRecord.objects.filter(pk=reserved.pk).delete()
            raise
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=reserved.pk).update(
                response_status=response.status_code, response_body=response.content)
        else:
            # Failures are not remembered: the client may correct and retry with the same key.
            IdempotencyRecord.objects.filter(pk=reserved.pk).delete()
        return response
