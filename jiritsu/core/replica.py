"""Reads from a PostgreSQL streaming replica, when one is configured (``JIRITSU_REPLICA_URL``).

Only the heavy reads that tolerate being a moment behind go there: the office and program
reports, their exports and lists of people, and the national roll-up. A view opts in with
``@replica_reads`` (or ``with reading_replica(request):`` inside an API operation); every
other read and every write goes to the primary (``default``).

Before a request reads from the replica, three things are checked, once per request:

1. **It is up and streaming.** A connection error marks it down for ``DOWN_SECONDS`` in this
   process (so a stopped replica costs one failed connect, not one per request); a replica
   whose WAL receiver is not streaming (cut off from the primary) or whose replay backlog is
   over ``JIRITSU_REPLICA_MAX_LAG_BYTES`` is not used.
2. **It has replayed the user's own writes** (read-your-writes). After a request that may
   write (POST/PUT/PATCH/DELETE) by a signed-in user, ``ReplicaWatermarkMiddleware`` keeps the
   primary's WAL position in the user's session (or, for API tokens, in the cache); the
   replica is used for that user only once its replay position has passed it.
3. Otherwise the request reads from the primary: the page is the same, only slower.

Without ``JIRITSU_REPLICA_URL`` nothing here does anything: the router answers ``None`` and
Django uses ``default``. The set-up that was run and measured is in docs/scaling.md
(``python -m bench.replica``).
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

REPLICA = "replica"
WATERMARK_KEY = "_replica_lsn"
DOWN_SECONDS = 10.0
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("replica_alias", default=None)
_down_until = 0.0

P = ParamSpec("P")
R = TypeVar("R")


def configured() -> bool:
    return REPLICA in settings.DATABASES


def _max_lag_bytes() -> int:
    return int(getattr(settings, "REPLICA_MAX_LAG_BYTES", 16 * 1024 * 1024))


class ReplicaRouter:
    """Reads go where the current request chose (``reading_replica``); all else to default."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _alias.get()

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA


def _watermark_cache_key(user_id: int) -> str:
    return f"replica:lsn:{user_id}"


def user_watermark(request: HttpRequest) -> str | None:
    """The primary's WAL position after this user's last write, if one is kept."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        value = session.get(WATERMARK_KEY)
        if value:
            return str(value)
    value = cache.get(_watermark_cache_key(user.pk))
    return str(value) if value else None


def replica_ready(watermark: str | None) -> bool:
    """Whether the replica may serve a read now: up, streaming, little backlog, and past the
    user's watermark. Any database error marks it down for ``DOWN_SECONDS``."""
    global _down_until
    if not configured() or time.monotonic() < _down_until:
        return False
    conn = connections[REPLICA]
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_is_in_recovery(),"
                " COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver LIMIT 1), false),"
                " COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0),"
                " CASE WHEN %s::text IS NULL THEN true"
                "      ELSE pg_last_wal_replay_lsn() >= %s::pg_lsn END",
                [watermark, watermark],
            )
            in_recovery, streaming, backlog, past_watermark = cur.fetchone()
    except DatabaseError as exc:
        _down_until = time.monotonic() + DOWN_SECONDS
        log.warning("replica unavailable, reading from the primary for %ss: %s", DOWN_SECONDS, exc)
        with suppress(DatabaseError):
            conn.close()
        return False
    return bool(in_recovery and streaming and backlog <= _max_lag_bytes() and past_watermark)


@contextmanager
def reading_replica(request: HttpRequest) -> Iterator[str]:
    """Within the block, reads of this request go to the replica if it is ready for this user,
    else to the primary. Yields the alias chosen."""
    alias = REPLICA if replica_ready(user_watermark(request)) else "default"
    token = _alias.set(alias if alias == REPLICA else None)
    try:
        yield alias
    finally:
        _alias.reset(token)


def replica_reads(view: Callable[P, R]) -> Callable[P, R]:
    """Decorator for a view whose reads may come from the replica (see ``reading_replica``)."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request = args[0]
        assert isinstance(request, HttpRequest)
        with reading_replica(request):
            return view(*args, **kwargs)

    wrapper.__dict__["reads_replica"] = True  # found by tests through the decorator chain
    return wrapper


def primary_position() -> str:
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_insert_lsn()::text")
        return str(cur.fetchone()[0])


class ReplicaWatermarkMiddleware:
    """After a request that may have written, keep the primary's WAL position for its user so
    that their next replica reads wait for the replica to have replayed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if configured() and request.method in UNSAFE_METHODS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                position = primary_position()
                session = getattr(request, "session", None)
                if session is not None and session.session_key:
                    session[WATERMARK_KEY] = position
                timeout = int(getattr(settings, "REPLICA_WATERMARK_SECONDS", 300))
                cache.set(_watermark_cache_key(user.pk), position, timeout)
        return response
