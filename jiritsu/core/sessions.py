"""The session store: Django's database sessions, with the read that every signed-in request
makes written once per process (jiritsu.core.rows) instead of built as a queryset each time.
Everything else — writes, expiry, keys, the stored format — is Django's ``db`` backend's, so
existing sessions stay valid and ``manage.py clearsessions`` works as before.

``SESSION_ENGINE = "jiritsu.core.sessions"`` (settings)."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session

from jiritsu.core import clock
from jiritsu.core.rows import JoinedRows

# Session.objects.get(session_key=…, expire_date__gt=now), as Django's store reads it.
_UNEXPIRED = JoinedRows(Session, [], where="{m}.session_key = %s AND {m}.expire_date > %s")


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key, now = self.session_key, clock.now()
        found = _UNEXPIRED.fetch(lambda c: [key, c.ops.adapt_datetimefield_value(now)])
        if not found:
            self._session_key = None
            return None
        return found[0]
