"""Which rows belong to a household's case file, found through the models' relations (_meta).

Nothing here names a model: every model (many-to-many tables included) whose foreign key
points at a household, at a person, or at a row that does — transitively — is part of the file.
``collect`` gathers the rows' ids, ``delete`` removes them. The foreign keys between these rows
are mostly PROTECT (nothing of a person's file disappears by accident), so the deletion does
not go through Django's collector: it deletes each model's rows by id inside one transaction,
and the database checks the references at commit (Django declares them DEFERRABLE INITIALLY
DEFERRED on PostgreSQL and SQLite), so a row outside the file that still pointed at a deleted
one would make the whole deletion fail rather than leave a dangling reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.db import models

from jiritsu.people.models import Household
from jiritsu.retention.kinds import OUTSIDE_THE_FILE

CHUNK = 500
Rows = dict[type[models.Model], set[int]]


def _dependents() -> dict[type[models.Model], list[tuple[type[models.Model], models.Field]]]:
    """Target model → the (model, foreign key) pairs that point at it."""
    out: dict[type[models.Model], list[tuple[type[models.Model], models.Field]]] = defaultdict(list)
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in OUTSIDE_THE_FILE:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and (field.many_to_one or field.one_to_one):
                out[field.related_model].append((model, field))  # type: ignore[index]
    return out


def reachable_models(root: type[models.Model] = Household) -> list[type[models.Model]]:
    """Every model whose rows can hang off ``root`` (``root`` first, then breadth first)."""
    dependents = _dependents()
    seen: list[type[models.Model]] = [root]
    queue = [root]
    while queue:
        target = queue.pop(0)
        for model, _field in dependents.get(target, []):
            if model not in seen:
                seen.append(model)
                queue.append(model)
    return seen


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    batch = sorted(ids)
    for i in range(0, len(batch), CHUNK):
        yield batch[i:i + CHUNK]


def collect(household_ids: Iterable[int]) -> Rows:
    """The ids of every row in these households' case files, per model."""
    dependents = _dependents()
    rows: Rows = defaultdict(set)
    rows[Household] = set(household_ids)
    queue: list[tuple[type[models.Model], set[int]]] = [(Household, set(rows[Household]))]
    while queue:
        target, ids = queue.pop(0)
        for model, field in dependents.get(target, []):
            found: set[int] = set()
            for chunk in _chunks(ids):
                found.update(model._base_manager.filter(
                    **{f"{field.attname}__in": chunk}).values_list("pk", flat=True))
            new = found - rows[model]
            if new:
                rows[model] |= new
                queue.append((model, new))
    return {model: ids for model, ids in rows.items() if ids}


def delete(rows: Rows) -> dict[str, int]:
    """Delete the collected rows (call inside a transaction); rows deleted per model label."""
    counts: dict[str, int] = {}
    for model in reversed(list(rows)):  # dependents first, where the order allows
        deleted = 0
        for chunk in _chunks(rows[model]):
            qs = model._base_manager.filter(pk__in=chunk)
            deleted += qs._raw_delete(qs.db)
        counts[model._meta.label] = deleted
    return counts
