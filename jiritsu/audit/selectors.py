"""Reads of the audit log: one office's events, filtered by person, staff member and date."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from jiritsu.audit.models import AuditEvent


def office_events(office_id: int, *, person_id: int | None = None, actor_id: int | None = None,
                  date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> QuerySet[AuditEvent]:
    """Newest first. Dates are the local (Asia/Tokyo) day of the event, both inclusive."""
    qs = AuditEvent.objects.filter(office_id=office_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if date_from is not None:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-created_at", "-id")
