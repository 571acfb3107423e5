"""Every model that holds personal data linked to a household or person has a retention kind.

The deletion finds a case file's rows through the models' relations (``graph``), so a new
model with a foreign key to a person, a household or anything of theirs is deleted with the
file — but it must also be given a kind here (``kinds.KINDS``), which decides its period and
how it is counted and shown. These tests fail until it is; they fail too for a model that
points at a person without a foreign key (a bare id the deletion cannot follow) and for
stored bytes the deletion would leave behind.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from jiritsu.people.models import Household, Person
from jiritsu.retention import graph
from jiritsu.retention.kinds import FILES, KINDS, kind_of
from jiritsu.retention.linked import BY_PERSON_ID

# Models that name a person or household by a bare id or text, reviewed one by one: the
# reason each is not part of the case file.
NOT_IN_THE_FILE = {
    # The audit log is append-only and outlives the file: its own kind and period (AUDIT).
    "audit.AuditEvent": "audit log (kind audit)",
    "audit.AuditPerson": "audit log (kind audit)",
    "audit.PersonAlias": "audit log (kind audit): a merged record's id, append-only",
    # A printed form's number: the form key and the id of what was printed, no personal data.
    "documents.FormIssue": "document number register: ids only",
    # Deletion batches keep ids and counts only (kinds.OUTSIDE_THE_FILE).
    "retention.DeletionBatch": "ids and counts only",
}
# Field names that refer to a person or household without a foreign key.
SUSPECT = ("person_id", "household_id", "people", "person_ids", "household_ids", "object_id",
           "case_number", "subject_id", "survivor_id", "merged_id", "first_id", "second_id",
           "into_id")


def test_every_model_of_a_case_file_has_a_retention_kind() -> None:
    reachable = graph.reachable_models(Household)
    assert Person in reachable
    missing = sorted(m._meta.label for m in reachable if kind_of(m) is None)
    assert missing == [], (
        "models linked to a household or person without a retention kind — add each to a "
        f"kind in jiritsu/retention/kinds.py (and docs/legal.md): {missing}")


def test_every_kind_names_existing_models_reached_by_the_deletion() -> None:
    reachable = {m._meta.label for m in graph.reachable_models(Household)}
    for kind in KINDS.values():
        for label in kind.models:
            apps.get_model(label)  # raises for a model that no longer exists
            if kind.with_household:
                assert label in reachable or label in BY_PERSON_ID, (
                    f"{label} ({kind.code}) is reached neither from a household nor by id")


def test_records_naming_people_by_id_have_a_kind() -> None:
    for label, (model, _find) in BY_PERSON_ID.items():
        assert model._meta.label == label
        kind = kind_of(model)
        assert kind is not None and kind.with_household, label


def test_rows_that_outlive_a_case_file_have_a_rule_of_their_own() -> None:
    """A SET_NULL key into a case file (a 移管's people) keeps its row when the file goes:
    that row needs its own kind, or it would be kept for ever."""
    found = graph.outliving_links()
    assert ("transfers.Transfer", "source_person") in {(m._meta.label, f) for m, f in found}
    missing = sorted(f"{m._meta.label}.{f}" for m, f in found if kind_of(m) is None)
    assert missing == [], f"rows outliving a case file without a retention kind: {missing}"


def test_stored_bytes_of_a_case_file_are_deleted_too() -> None:
    for model in graph.reachable_models(Household):
        has_file = any(isinstance(f, models.FileField) or f.name == "storage_name"
                       for f in model._meta.concrete_fields)
        if has_file:
            assert model._meta.label in FILES, (
                f"{model._meta.label} keeps bytes in a storage: name them in kinds.FILES")


def test_no_model_names_a_person_without_a_foreign_key() -> None:
    reachable = set(graph.reachable_models(Household))
    suspects = []
    for model in apps.get_models():
        if (model in reachable or model._meta.label in NOT_IN_THE_FILE
                or model._meta.label in BY_PERSON_ID):
            continue
        for field in model._meta.concrete_fields:
            if not field.is_relation and field.name in SUSPECT:
                suspects.append(f"{model._meta.label}.{field.name}")
    assert suspects == [], (
        "fields that refer to a person or household without a foreign key: make them a "
        f"foreign key (so the deletion reaches them) or add the model to NOT_IN_THE_FILE: {suspects}")
