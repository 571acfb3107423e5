"""Reads of the audit log: one office's events, filtered by person, staff member and date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from jiritsu.audit.models import AuditEvent, AuditPerson, PersonAlias


def merged_ids(person_id: int, office_id: int | None) -> list[int]:
    """The ids of the people whose files were merged into ``person_id`` and are still merged
    (a merge of a merge included): their audit history is the person's too."""
    if office_id is None:
        return []
    current: dict[int, int | None] = {}
    for old, into in (PersonAlias.objects.filter(office_id=office_id).order_by("id")
                      .values_list("person_id", "into_id")):
        current[old] = into
    found: list[int] = []
    wanted = {person_id}
    while wanted:
        step = [old for old, into in current.items()
                if into in wanted and old not in found and old != person_id]
        found += step
        wanted = set(step)
    return found


def about_person(person_id: int, office_id: int | None) -> Q:
    """Events of one office about one person: those with the person as their subject and
    those that carried them among others (a list, an export, a household change), and the
    same for every record merged into the person (``merged_ids``).

    The linked event ids are read first (one index-only scan of the links), so the
    condition is two indexed lookups ORed together rather than a subquery per event."""
    ids = [person_id, *merged_ids(person_id, office_id)]
    linked = list(AuditPerson.objects.filter(person_id__in=ids, office_id=office_id)
                  .values_list("event_id", flat=True))
    condition = Q(person_id__in=ids) if len(ids) > 1 else Q(person_id=person_id)
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
