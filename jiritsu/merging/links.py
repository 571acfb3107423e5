"""What points at a person, found from the model registry, and what a merge does with it.

Every foreign key to :class:`~jiritsu.people.models.Person` is moved by a merge, whatever app
it belongs to: the relations are read from ``Person._meta.related_objects``, so a record type
added later follows without a change here. Rows that hang off those rows (an episode's plans,
a step of a guidance case) follow with their parent.

A unique constraint that includes the person is the one thing a merge cannot decide
generically: both records may hold a row the constraint allows only once. Each such
constraint is named in :data:`CONSTRAINTS` with what the merge does:

- ``SET_ASIDE``: the survivor's row stays and the merged person's duplicate is set aside
  (kept inside the merge record and put back by an unmerge) — both listed in one 台帳, both
  invited to or present at one session, one month's medical claim imported for both;
- ``REFUSE``: the merge is refused until staff end one of the two — two open episodes of one
  program, two open guidance cases, two hand-overs (移管) under discussion: which one continues
  is a casework decision.

A relation this module cannot handle (a unique constraint not in the table, a one-to-one or
many-to-many relation, a set-aside row that other rows point at) is reported by
:func:`problems`; a merge refuses to run while there is one, and
``merging/tests/test_links.py`` fails, so a new person-linked model is decided before it lands.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from jiritsu.people.models import Person

SET_ASIDE, REFUSE = "set_aside", "refuse"

CONSTRAINTS: dict[str, str] = {
    "ledger_entry_unique": SET_ASIDE,
    "recruitment_unique": SET_ASIDE,
    "session_attendance_unique": SET_ASIDE,
    # One claim of a month, kind and institution on both records is one claim imported twice
    # (the receipt summary names the person): counted once, for the record kept.
    "medical_claim_month_unique": SET_ASIDE,
    "enrollment_one_open_per_program": REFUSE,
    "guidance_one_open_case_per_person": REFUSE,
    # Two hand-overs to other offices under discussion at once: one is withdrawn or decided first.
    "transfer_one_pending_per_person": REFUSE,
}


@dataclass(frozen=True)
class Unique:
    """A unique constraint that includes the person: the other fields, its condition, and
    what a merge does when both people hold a row it covers."""

    name: str
    others: tuple[str, ...]
    condition: models.Q | None
    policy: str


@dataclass(frozen=True)
class Link:
    """One foreign key to the person."""

    model: type[models.Model]
    field: str
    uniques: tuple[Unique, ...]

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    def rows(self, person_id: int) -> models.QuerySet[models.Model]:
        # The base manager: a merge moves rows of one office, already checked, and runs
        # the same way inside and outside a request's office scope.
        return self.model._base_manager.filter(**{f"{self.field}_id": person_id})


def _inspect() -> tuple[list[Link], list[str]]:
    links: list[Link] = []
    problems: list[str] = []
    for rel in Person._meta.related_objects:
        model, field = rel.related_model, rel.field
        if isinstance(model, str):  # "self": a person pointing at a person
            problems.append(f"people.Person.{field.name}: a person pointing at a person")
            continue
        where = f"{model._meta.label}.{field.name}"
        if rel.many_to_many or rel.one_to_one:
            problems.append(f"{where}: a one-to-one or many-to-many relation to the person")
            continue
        uniques = []
        if any(field.name in together for together in model._meta.unique_together):
            problems.append(f"{where}: unique_together with the person (use a named constraint)")
        for c in model._meta.constraints:
            if not isinstance(c, models.UniqueConstraint) or field.name not in c.fields:
                continue
            policy = CONSTRAINTS.get(c.name)
            if policy is None:
                problems.append(f"{where}: unique constraint {c.name} is not in merging.links")
                continue
            if policy == SET_ASIDE and (model._meta.related_objects or model._meta.many_to_many):
                problems.append(f"{where}: {c.name} sets rows aside, but other rows point at them")
            uniques.append(Unique(c.name, tuple(f for f in c.fields if f != field.name),
                                  c.condition, policy))
        links.append(Link(model, field.name, tuple(uniques)))
    return links, problems


def problems() -> list[str]:
    """Relations to the person that a merge does not know how to handle (empty when none)."""
    return _inspect()[1]


def person_links() -> list[Link]:
    """Every foreign key to the person; refuses while a relation is not handled."""
    links, found = _inspect()
    if found:
        raise ImproperlyConfigured("person merge: " + "; ".join(found))
    return links


def link_for(key: str) -> Link:
    """The link a merge record names (``app.Model.field``)."""
    for link in person_links():
        if link.key == key:
            return link
    raise ImproperlyConfigured(f"person merge: no relation {key}")
