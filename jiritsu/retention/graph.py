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

from jiritsu.people.models import Household, Person
from jiritsu.retention.kinds import OUTSIDE_THE_FILE

CHUNK = 500
Rows = dict[type[models.Model], set[int]]


Edges = dict[type[models.Model], list[tuple[type[models.Model], models.Field]]]


def _outlives(field: models.Field) -> bool:
    """A foreign key declared SET_NULL says its row outlives what it points at (e.g. a 移管's
    link to the sending office's person, while the receiving office keeps the 移管): the
    deletion clears the link instead of taking the row into the file."""
    return getattr(field.remote_field, "on_delete", None) is models.SET_NULL


def _dependents(*, outliving: bool = False) -> Edges:
    """Target model → the (model, foreign key) pairs that point at it: the keys that make a
    row part of what they point at, or (``outliving``) those that only refer to it."""
    out: Edges = defaultdict(list)
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in OUTSIDE_THE_FILE:
            continue
        for field in model._meta.concrete_fields:
            if (field.is_relation and (field.many_to_one or field.one_to_one)
                    and _outlives(field) == outliving):
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


def outliving_links(root: type[models.Model] = Household) -> list[tuple[type[models.Model], str]]:
    """(model, field) of every SET_NULL key that points into a case file from outside it:
    rows that outlive the file they refer to (a 移管's people). Each such model needs its own
    retention rule (``tests/test_coverage.py``)."""
    inside = set(reachable_models(root))
    return sorted({(model, field.name) for target, pairs in _dependents(outliving=True).items()
                   if target in inside for model, field in pairs if model not in inside},
                  key=lambda p: (p[0]._meta.label, p[1]))


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    batch = sorted(ids)
    for i in range(0, len(batch), CHUNK):
        yield batch[i:i + CHUNK]


def collect(household_ids: Iterable[int], person_ids: Iterable[int] = ()) -> Rows:
    """The ids of every row in these households' case files, and in the files of these people
    registered without a household, per model."""
    dependents = _dependents()
    rows: Rows = defaultdict(set)
    rows[Household] = set(household_ids)
    rows[Person] = set(person_ids)
    queue: list[tuple[type[models.Model], set[int]]] = [(Household, set(rows[Household])),
                                                        (Person, set(rows[Person]))]
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


def clear_links(rows: Rows) -> dict[str, int]:
    """Set to NULL the SET_NULL keys of rows outside the file that point into it; rows
    changed per ``model.field``."""
    counts: dict[str, int] = {}
    outliving = _dependents(outliving=True)
    for target, ids in rows.items():
        for model, field in outliving.get(target, []):
            changed = 0
            for chunk in _chunks(ids):
                changed += model._base_manager.filter(
                    **{f"{field.attname}__in": chunk}).update(**{field.attname: None})
            if changed:
                counts[f"{model._meta.label}.{field.name}"] = changed
    return counts


def delete(rows: Rows) -> dict[str, int]:
    """Delete the collected rows (call inside a transaction), after clearing the links that
    outlive them; rows deleted per model label."""
    clear_links(rows)
    counts: dict[str, int] = {}
    for model in reversed(list(rows)):  # dependents first, where the order allows
        deleted = 0
        for chunk in _chunks(rows[model]):
            qs = model._base_manager.filter(pk__in=chunk)
            deleted += qs._raw_delete(qs.db)
        counts[model._meta.label] = deleted
    return counts
