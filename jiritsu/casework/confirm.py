"""供覧 (read-and-confirm), the reads: which records wait for whom.

A 経過記録 waits to be read when a caseworker wrote it, its kind is one the office has
chosen, it happened on or after the office's start date, and no supervisor has read its
current version. A correction makes a new version, so a record corrected after a 追記依頼
comes back to the supervisor. A caseworker's records go to the supervisor assigned to them
(:class:`SupervisorAssignment`), or to every supervisor when none is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from jiritsu.cases.models import ActivityRecord
from jiritsu.cases.timeline import Entry
from jiritsu.casework.models import Confirmation, SupervisorAssignment
from jiritsu.casework.visits import casework_settings
from jiritsu.core import clock
from jiritsu.offices.models import Membership, Office
from jiritsu.offices.permissions import role_has_own_caseload


def _caseworkers(office: Office) -> QuerySet[Membership]:
    roles = [r for r in Membership.Role.values if role_has_own_caseload(r)]
    return Membership.objects.filter(office=office, role__in=roles, is_active=True)


def office_caseworkers(office: Office) -> list[int]:
    """The users with an active caseworker membership in the office."""
    return list(_caseworkers(office).values_list("user_id", flat=True))


def read_by(membership: Membership) -> Q:
    """Records of the caseworkers this supervisor reads: those assigned to them and those
    assigned to nobody (subqueries, no query of their own)."""
    office = membership.office
    elsewhere = (SupervisorAssignment.objects.filter(office=office)
                 .exclude(supervisor=membership.user).values("caseworker_id"))
    return (Q(author_id__in=_caseworkers(office).values("user_id"))
            & ~Q(author_id__in=elsewhere))


def _read_current() -> Exists:
    return Exists(Confirmation.objects.filter(record=OuterRef("pk"),
                                              record_version=OuterRef("version")))


def confirmable(office: Office) -> Q:
    """Records of the kinds the office confirms, from its start date."""
    settings = casework_settings(office)
    start = settings.confirm_from or clock.japan_date(office.created_at)
    since = dt.datetime.combine(start, dt.time(0), tzinfo=clock.JAPAN)
    return Q(office=office, kind__in=list(settings.confirm_kinds or []),
             occurred_at__gte=since)


def confirm_queue(membership: Membership) -> QuerySet[ActivityRecord]:
    """The records waiting for this supervisor, oldest first."""
    return (ActivityRecord.objects.filter(confirmable(membership.office), read_by(membership))
            .exclude(_read_current())
            .select_related("person", "person__household", "author")
            .order_by("occurred_at", "id"))


def unread_count(membership: Membership) -> int:
    if not membership.can("record.confirm"):
        return 0
    return (ActivityRecord.objects.filter(confirmable(membership.office), read_by(membership))
            .exclude(_read_current()).count())


def is_waiting(membership: Membership, record: ActivityRecord) -> bool:
    return confirm_queue(membership).filter(pk=record.pk).exists()


def additions_requested(membership: Membership) -> QuerySet[ActivityRecord]:
    """The author's records whose current version a supervisor asked to add to."""
    asked = Confirmation.objects.filter(record=OuterRef("pk"), record_version=F("record__version"),
                                        outcome=Confirmation.Outcome.ADDITION)
    return (ActivityRecord.objects.filter(office=membership.office, author=membership.user)
            .filter(Exists(asked)).select_related("person").order_by("occurred_at", "id"))


def seals(record: ActivityRecord) -> list[Confirmation]:
    """The record's seal column: who read which version, when, with what comment."""
    return list(Confirmation.objects.filter(record=record).select_related("confirmed_by")
                .order_by("confirmed_at", "id"))


@dataclass
class SealedRecord:
    record: ActivityRecord
    seals: list[Confirmation]

    @property
    def state(self) -> str:
        """confirmed, addition (of the current version) or waiting."""
        current = [c for c in self.seals if c.record_version == self.record.version]
        return current[-1].outcome if current else "waiting"


def my_records(membership: Membership, *, limit: int = 100) -> list[SealedRecord]:
    """The author's recent records of confirmable kinds with their seals (two queries)."""
    records = list(ActivityRecord.objects.filter(confirmable(membership.office),
                                                 author=membership.user)
                   .select_related("person").order_by("-occurred_at", "-id")[:limit])
    by_record: dict[int, list[Confirmation]] = {}
    for c in (Confirmation.objects.filter(record_id__in=[r.pk for r in records])
              .select_related("confirmed_by").order_by("confirmed_at", "id")):
        by_record.setdefault(c.record_id, []).append(c)
    return [SealedRecord(r, by_record.get(r.pk, [])) for r in records]


def seal_timeline(membership: Membership, entries: list[Entry]) -> None:
    """The seal column on the person's timeline: each record entry's seals, and whether its
    current version waits for a supervisor (three queries for the whole page: the seals, the
    office's settings, which of the records are read)."""
    ids = [e.record_id for e in entries if e.record_id is not None]
    by_record: dict[int, list[Confirmation]] = {}
    for c in (Confirmation.objects.filter(record_id__in=ids).select_related("confirmed_by")
              .order_by("confirmed_at", "id")):
        by_record.setdefault(c.record_id, []).append(c)
    office = membership.office
    read = set(ActivityRecord.objects.filter(
        confirmable(office), pk__in=ids,
        author_id__in=_caseworkers(office).values("user_id")).values_list("pk", flat=True))
    for e in entries:
        if e.record_id is None:
            continue
        e.seals = by_record.get(e.record_id, [])
        current = [c for c in e.seals if c.record_version == e.record_version]
        if current:
            e.seal_state = current[-1].outcome
        elif e.record_id in read:
            e.seal_state = "waiting"
