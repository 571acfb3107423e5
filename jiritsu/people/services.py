"""Writes to households and people: guard → change → audit row, in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.core.kana import search_key
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.models import Membership
from jiritsu.people.models import Household, HouseholdTypeChange, Person


@transaction.atomic
def person_update(*, actor: Membership, person: Person, expected_version: int,
                  data: dict[str, Any]) -> Person:
    """Change a person's profile fields. ``data`` maps field name → new value."""
    fields = [f for f in data if f not in {"id", "office", "office_id", "version", "kana_key"}]
    before = snapshot(person, fields)
    for f in fields:
        setattr(person, f, data[f])
    person.kana_key = search_key(person.kana)
    save_versioned(person, expected_version, [*fields, "kana_key"])
    record(actor=actor.user, office=actor.office, action="person.update",
           kind=AuditEvent.Kind.UPDATE, target=person, person=person,
           before=before, after=snapshot(person, fields))
    return person


@transaction.atomic
def household_update(*, actor: Membership, household: Household, expected_version: int,
                     data: dict[str, Any], type_changed_on: Any = None) -> Household:
    """Change a household. A new household type is kept in its history."""
    fields = [f for f in data if f not in {"id", "office", "office_id", "version"}]
    before = snapshot(household, fields)
    old_type = household.household_type
    for f in fields:
        setattr(household, f, data[f])
    save_versioned(household, expected_version, fields)
    if household.household_type != old_type:
        HouseholdTypeChange.objects.create(
            household=household, household_type=household.household_type,
            valid_from=type_changed_on or dt.date.today(),
        )
    record(actor=actor.user, office=actor.office, action="household.update",
           kind=AuditEvent.Kind.UPDATE, target=household,
           before=before, after=snapshot(household, fields))
    return household
