"""Guards every service with an acting membership shares: the permission table's check
(:func:`require`, a ``Forbidden`` domain error), another office's row answering like a missing
one (:func:`same_office`), and the audit row written as that membership (:func:`audit`).

Used by the catalogue (``programs.services``) and the case services (``cases.services``); it
lives here, below both, so neither reaches into the other's private modules. (Dates of things
that happened: ``jiritsu.core.clock.not_after_today``.)"""

from __future__ import annotations

from typing import Any

from django.db import models

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import Forbidden, NotFound
from jiritsu.offices.models import Membership


def require(actor: Membership, action: str) -> None:
    """Services re-check the role table so the API and commands cannot skip it."""
    if not actor.can(action):
        raise Forbidden()


def same_office(actor: Membership, *objs: Any) -> None:
    """Another office's row answers like a missing one."""
    for obj in objs:
        if obj is None:
            continue
        office_id = getattr(obj, "office_id", None)
        if office_id is not None and office_id != actor.office_id:
            raise NotFound()


def audit(actor: Membership, action: str, kind: str, target: models.Model, *,
          person: Any = None, before: dict[str, Any] | None = None,
          after: dict[str, Any] | None = None, changes: dict[str, Any] | None = None,
          note: str = "") -> AuditEvent:
    return record(actor=actor.user, office=actor.office, action=action, kind=kind, target=target,
                  person=person, before=before, after=after, changes=changes, note=note)


Kind = AuditEvent.Kind
