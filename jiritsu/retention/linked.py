"""Records about people that the case file's foreign keys do not reach (``graph``), and the
rule that deletes each with the file.

- A merge record (``merging.PersonMerge``) names the record kept and the record merged by id:
  it outlives either row by design (an unmerge brings the merged one back). It holds the
  merged record's fields, so it is personal data of the people it names, and it goes when
  none of them is kept any more: the deleted people, and the records merged away before
  (a chain A → B → C is followed to its end).
- A pair checked and kept apart (``merging.NotDuplicate``) goes with either of its two people:
  a pair with a deleted person can never be offered again, and its note may describe them.

``tests/test_coverage.py`` fails for a model that names a person by a bare id and is neither
here nor reviewed as outside the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.db import models
from django.db.models import Q

from jiritsu.merging.models import NotDuplicate, PersonMerge
from jiritsu.people.models import Person

CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    batch = sorted(ids)
    for i in range(0, len(batch), CHUNK):
        yield batch[i:i + CHUNK]


def merges_of(person_ids: set[int]) -> set[int]:
    """The merge records that name only people being deleted or no longer registered."""
    gone = set(person_ids)
    named: dict[int, tuple[int, int]] = {}
    frontier = set(person_ids)
    while frontier:
        new: set[int] = set()
        for chunk in _chunks(frontier):
            for pk, survivor, merged in PersonMerge._base_manager.filter(
                    Q(survivor_id__in=chunk) | Q(merged_id__in=chunk)).values_list(
                    "pk", "survivor_id", "merged_id"):
                if pk not in named:
                    named[pk] = (survivor, merged)
                    new |= {survivor, merged}
        new -= gone
        kept: set[int] = set()
        for chunk in _chunks(new):
            kept |= set(Person._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))
        # A record merged away earlier has no row: its merges belong to the chain.
        frontier = new - kept
        gone |= frontier
    return {pk for pk, (survivor, merged) in named.items() if survivor in gone and merged in gone}


def pairs_of(person_ids: set[int]) -> set[int]:
    """The checked pairs that name a person being deleted."""
    found: set[int] = set()
    for chunk in _chunks(person_ids):
        found |= set(NotDuplicate._base_manager.filter(
            Q(first_id__in=chunk) | Q(second_id__in=chunk)).values_list("pk", flat=True))
    return found


# Model label → the rows of that model to delete with these people's files.
BY_PERSON_ID: dict[str, tuple[type[models.Model], Callable[[set[int]], set[int]]]] = {
    "merging.PersonMerge": (PersonMerge, merges_of),
    "merging.NotDuplicate": (NotDuplicate, pairs_of),
}


def collect(person_ids: set[int]) -> dict[type[models.Model], set[int]]:
    """The rows named by id that go with these people's files, per model (none empty)."""
    out: dict[type[models.Model], set[int]] = {}
    if not person_ids:
        return out
    for model, find in BY_PERSON_ID.values():
        ids = find(person_ids)
        if ids:
            out[model] = ids
    return out
