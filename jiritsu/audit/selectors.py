"""Reads of the audit log: one office's events, filtered by person, staff member and date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from jiritsu.audit.models import AuditEvent, AuditPerson


def about_person(person_id: int, office_id: int | None) -> Q:
    """Events of one office about one person: those with the person as their subject and
    those that carried them among others (a list, an export, a household change).

    The linked event ids are read first (one index-only scan of the links), so the
    condition is two indexed lookups ORed together rather than a subquery per event."""
    linked = list(AuditPerson.objects.filter(person_id=person_id, office_id=office_id)
                  .values_list("event_id", flat=True))
    condition = Q(person_id=person_id)
    if linked:
        condition |= Q(pk__in=linked)
    return condition


def office_events(office_id: int, *, person_id: int | None = None, actor_id: int | None = None,
                  date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> QuerySet[AuditEvent]:
    """Newest first. Dates are the local (Asia/Tokyo) day of the event, both inclusive."""
    qs = AuditEvent.objects.filter(office_id=office_id)
    if person_id is not None:
        qs = qs.filter(about_person(person_id, office_id))
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if date_from is not None:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-created_at", "-id")
