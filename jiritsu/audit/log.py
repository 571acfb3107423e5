"""Writing the audit log. Call inside the same transaction as the change it records."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.db import models

from jiritsu.audit.models import AuditEvent, AuditPerson, PersonAlias
from jiritsu.core.bulk import insert_columns, insert_rows
from jiritsu.core.rows import InsertRow

# The one INSERT of record(), written once per process: every page view appends a row, and
# building the ORM's insert query each time cost more than the database's work.
_INSERT_EVENT = InsertRow(AuditEvent)

# Field names whose values never appear in the log, only the fact that they changed.
SENSITIVE_FIELDS: frozenset[str] = frozenset(
    {"address_number", "password", "token", "token_hash", "phone", "address"}
)
MASK = "＊＊＊"


_SCALARS = frozenset({str, int, bool, float, type(None)})
_NOT_DIFFED = frozenset({"version", "updated_at"})


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Plain dict of a model's concrete field values (FKs as ids)."""
    names = list(fields) if fields is not None else [
        f.attname for f in obj._meta.concrete_fields
    ]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """{field: [old, new]} for changed fields, sensitive values masked."""
    before = before or {}
    after = after or {}
    out: dict[str, Any] = {}
    for key in sorted(before.keys() | after.keys()):
        if key in _NOT_DIFFED:
            continue
        old, new = before.get(key), after.get(key)
        if type(old) not in _SCALARS:
            old = _plain(old)
        if type(new) not in _SCALARS:
            new = _plain(new)
        if old == new:
            continue
        if key in SENSITIVE_FIELDS:
            out[key] = [MASK if old not in (None, "") else old, MASK if new not in (None, "") else new]
        else:
            out[key] = [old, new]
    return out


def _label(obj: Any) -> str:
    return str(obj)[:200] if obj is not None else ""


def record(
    *,
    actor: Any,
    office: Any,
    action: str,
    kind: str = AuditEvent.Kind.OTHER,
    target: models.Model | None = None,
    person: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    people: Iterable[Any] = (),
) -> AuditEvent:
    """Append one audit row. ``person`` is the data subject, when there is one.

    ``people`` (persons or their ids) are everyone else the event carried — a list shown,
    a file exported, a household's members: one :class:`AuditPerson` link each, written
    with the row, so each of them finds the event in their own history."""
    if changes is None:
        changes = diff(before, after) if (before is not None or after is not None) else {}
    event = AuditEvent(
        office_id=getattr(office, "pk", None),
        office_label=_label(office)[:100],
        actor_id=getattr(actor, "pk", None),
        actor_label=_label(actor)[:150],
        kind=kind,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=_label(target),
        person_id=getattr(person, "pk", None),
        person_label=_label(person),
        changes=dict(changes),
        note=note,
    )
    _INSERT_EVENT.insert(event)
    link_people(event, people)
    return event


def link_people(event: AuditEvent, people: Iterable[Any]) -> int:
    """Name each of ``people`` (persons or ids) in ``event``: one link per person, the
    event's own person and repeats left out. Returns the number of links written."""
    ids = list(dict.fromkeys(p if isinstance(p, int) else getattr(p, "pk", None) for p in people))
    ids = [pk for pk in ids if pk is not None and pk != event.person_id]
    if ids:
        insert_columns(AuditPerson, ("event_id", "person_id", "office_id"),
                       [[event.pk] * len(ids), ids, [event.office_id] * len(ids)])
    return len(ids)


class Entry(NamedTuple):
    """One row for :func:`record_many` (the per-row columns of :func:`record`)."""

    action: str
    kind: str
    target: models.Model | None = None
    person: Any = None
    changes: Mapping[str, Any] = {}


_MANY_FIELDS = ("office_id", "office_label", "actor_id", "actor_label", "kind", "action",
                "target_type", "target_id", "target_label", "person_id", "person_label",
                "changes", "note")


def record_many(*, actor: Any, office: Any, entries: Iterable[Entry], note: str = "") -> int:
    """Append many audit rows in one write (``COPY`` on PostgreSQL), each as
    :func:`record` would write it with the same ``actor``, ``office`` and ``note``.
    For imports and other batch operations. Returns the number of rows written."""
    office_id, office_label = getattr(office, "pk", None), _label(office)[:100]
    actor_id, actor_label = getattr(actor, "pk", None), _label(actor)[:150]
    rows = [
        (office_id, office_label, actor_id, actor_label, e.kind, e.action,
         e.target._meta.label if e.target is not None else "",
         str(e.target.pk) if e.target is not None and e.target.pk is not None else "",
         _label(e.target), getattr(e.person, "pk", None), _label(e.person), dict(e.changes), note)
        for e in entries
    ]
    insert_rows(AuditEvent, _MANY_FIELDS, rows)
    return len(rows)


def alias_person(*, office_id: int, person_id: int, into_id: int | None, merge_id: int) -> None:
    """Record that ``person_id``'s audit history now belongs to ``into_id`` (a merge), or no
    longer does (``into_id=None``, an unmerge). Call in the merge's transaction."""
    PersonAlias.objects.create(office_id=office_id, person_id=person_id, into_id=into_id,
                               merge_id=merge_id)
