"""Deleting case files past their retention: listed, requested, decided in the one 決裁, then
deleted with their attachments' bytes, leaving a tombstone; nothing else changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.storage import storages

from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.cases.models import ActivityRecord, ApprovalRequest, Consent, Enrollment
from jiritsu.cases.services import approval_decide
from jiritsu.core.errors import Forbidden, ValidationFailed
from jiritsu.documents.models import Attachment
from jiritsu.people.models import Household, Illness, Person
from jiritsu.reports.models import FrozenReport
from jiritsu.retention import selectors, services
from jiritsu.retention.models import DeletionBatch
from jiritsu.retention.tests.conftest import CaseFile, Files
from jiritsu.transfers.models import Transfer


def exists(f: CaseFile) -> bool:
    return Household.objects.filter(pk=f.household.pk).exists()


def stored(f: CaseFile) -> bool:
    return storages["attachments"].exists(f.attachment.storage_name)


def req(batch: DeletionBatch) -> ApprovalRequest:
    """The batch's 決裁 request, as it is now."""
    assert batch.approval is not None
    return batch.approval


def test_only_households_past_their_retention_are_due(files: Files, world: Any) -> None:
    due = list(selectors.due_households(world.office))
    assert due == [files.due.household]  # not the one closed in FY2022, not the other office's
    summary = selectors.due_summary(world.office)
    assert summary.per_kind["case_record"] >= 4  # household, two people, an illness …
    assert summary.per_kind["attachment"] == 1
    assert summary.per_kind["program"] >= 2


def test_an_open_episode_keeps_the_household(files: Files, world: Any) -> None:
    Enrollment.objects.filter(pk=files.due.enrollment.pk).update(
        status="active", end_reason="", ended_on=None)
    assert list(selectors.due_households(world.office)) == []


def test_due_households_are_deleted_only_after_the_final_approval(
        files: Files, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    frozen_before = FrozenReport.objects.get(pk=files.frozen.pk).figures
    person_ids = [p.pk for p in files.due.people]
    audit_about_person = AuditEvent.objects.filter(person_id=person_ids[0]).count()
    assert audit_about_person > 0
    batch = services.deletion_request(actor=world.m(world.admin), note="令和8年度の整理")
    assert batch.household_ids == [files.due.household.pk]
    assert req(batch).kind == "retention_delete" and req(batch).steps == [
        "supervisor", "manager"]

    # A caseworker cannot decide it; nothing is deleted while it waits.
    with pytest.raises(Forbidden):
        approval_decide(actor=world.m(world.caseworker), request=req(batch), approve=True)
    approval_decide(actor=world.m(world.supervisor), request=req(batch), approve=True)
    assert exists(files.due) and stored(files.due)

    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(actor=world.m(world.manager), request=req(batch), approve=True)
    batch.refresh_from_db()
    assert batch.status == DeletionBatch.Status.DONE

    # The case file is gone: household, people, parts, episode, record, consent, attachment …
    assert not exists(files.due)
    assert not Person.objects.filter(pk__in=person_ids).exists()
    assert not Illness.objects.filter(person_id__in=person_ids).exists()
    assert not Enrollment.objects.filter(pk=files.due.enrollment.pk).exists()
    assert not ActivityRecord.objects.filter(pk=files.due.record.pk).exists()
    assert not Consent.objects.filter(person_id__in=person_ids).exists()
    assert not Attachment.objects.filter(pk=files.due.attachment.pk).exists()
    # … and the attachment's bytes with it.
    assert not stored(files.due)

    # Everyone else's is untouched: the household closed later, the other office's.
    assert exists(files.kept) and stored(files.kept)
    assert exists(files.other_office) and stored(files.other_office)
    assert Person.objects.filter(pk=files.other_office.people[0].pk).exists()

    # The frozen fiscal-year report stays exactly as submitted.
    assert FrozenReport.objects.get(pk=files.frozen.pk).figures == frozen_before

    # The audit log keeps its rows about the person, and a tombstone says what went.
    assert AuditEvent.objects.filter(person_id=person_ids[0]).count() == audit_about_person
    tomb = AuditEvent.objects.get(action="retention.delete")
    assert tomb.kind == AuditEvent.Kind.DELETE and tomb.office_id == world.office.pk
    assert tomb.changes["households"] == [files.due.household.pk]
    assert sorted(tomb.changes["people"]) == sorted(person_ids)
    assert tomb.changes["files"] == 1 and tomb.changes["rows"]["attachment"] == 1
    assert tomb.changes["case_number_hashes"] == [
        services.case_number_hash(world.office.code, "200001")]
    written = json.dumps([tomb.changes, tomb.target_label, tomb.person_label, tomb.note],
                         ensure_ascii=False)
    for personal in ("削除 対象", "200001", "訪問"):
        assert personal not in written
    # Each deleted person finds the tombstone in their own history (by id).
    assert set(AuditPerson.objects.filter(event_id=tomb.pk).values_list("person_id", flat=True)
               ) == set(person_ids)
    # Nothing is due any more.
    assert list(selectors.due_households(world.office)) == []


def test_a_returned_request_deletes_nothing(files: Files, world: Any) -> None:
    batch = services.deletion_request(actor=world.m(world.admin))
    approval_decide(actor=world.m(world.supervisor), request=req(batch), approve=False,
                    comment="確認が済んでいません")
    batch.refresh_from_db()
    assert batch.status == DeletionBatch.Status.REJECTED
    assert exists(files.due) and stored(files.due)
    assert not AuditEvent.objects.filter(action="retention.delete").exists()
    assert AuditEvent.objects.filter(action="retention.return").exists()
    # Returned, the households are due again for a new request.
    assert list(selectors.due_households(world.office)) == [files.due.household]


def test_a_pending_request_holds_its_households_and_a_second_finds_none(
        files: Files, world: Any) -> None:
    services.deletion_request(actor=world.m(world.supervisor))
    with pytest.raises(ValidationFailed) as refused:
        services.deletion_request(actor=world.m(world.admin))
    assert refused.value.code == "retention.nothing_due"


def test_a_household_reopened_before_approval_is_skipped(files: Files, world: Any) -> None:
    batch = services.deletion_request(actor=world.m(world.supervisor))
    assert req(batch).steps == ["manager"]  # the supervisor's own step is left out
    Household.objects.filter(pk=files.due.household.pk).update(assistance_ended_on=None)
    approval_decide(actor=world.m(world.manager), request=req(batch), approve=True)
    batch.refresh_from_db()
    assert batch.status == DeletionBatch.Status.DONE
    assert batch.result["skipped"] == [files.due.household.pk]
    assert exists(files.due)


@pytest.mark.parametrize("role", ["caseworker", "support_staff", "partner"])
def test_only_supervisors_managers_and_administrators_request(files: Files, world: Any,
                                                              role: str) -> None:
    user = {"caseworker": world.caseworker, "support_staff": world.support_staff,
            "partner": world.partner}[role]
    with pytest.raises(Forbidden):
        services.deletion_request(actor=world.m(user))
    assert not DeletionBatch.objects.exists()


def test_periods_per_office_and_kind(files: Files, world: Any) -> None:
    admin = world.m(world.admin)
    services.periods_set(actor=admin, values={"guidance": 8, "audit": 12})
    assert selectors.periods(world.office)["guidance"] == 8
    assert selectors.periods(world.other_office)["guidance"] == 5  # the other office's default
    # The longest household kind decides: closed in FY2019, kept 8 years → not due in FY2026.
    assert list(selectors.due_households(world.office)) == []
    assert AuditEvent.objects.filter(action="retention.periods_update").exists()
    # The case records' period is the office's ケース記録の保存年限 (one number).
    services.periods_set(actor=admin, values={"case_record": 7})
    world.office.refresh_from_db()
    assert world.office.record_retention_years == 7
    with pytest.raises(ValidationFailed) as short:
        services.periods_set(actor=admin, values={"audit": 6})
    assert short.value.code == "retention.audit_too_short"
    with pytest.raises(ValidationFailed) as bad:
        services.periods_set(actor=admin, values={"program": 0})
    assert bad.value.field == "program"
    with pytest.raises(Forbidden):
        services.periods_set(actor=world.m(world.supervisor), values={"program": 6})


def test_a_transfer_to_another_office_outlives_the_senders_deletion(
        files: Files, world: Any) -> None:
    """The receiving office's 移管 stays; only its link to the deleted person is cleared."""
    head = files.due.people[0]
    transfer = Transfer.objects.create(
        source_office=world.office, source_label=world.office.name, source_person=head,
        source_case_number="200001", target_office=world.other_office,
        person_name=head.name, person_kana=head.kana, birth_date=head.birth_date,
        reason=Transfer.Reason.MOVED, proposed_by=world.caseworker,
        status=Transfer.Status.DECLINED, decline_reason="管轄外")
    batch = services.deletion_request(actor=world.m(world.supervisor))
    approval_decide(actor=world.m(world.manager), request=req(batch), approve=True)
    transfer.refresh_from_db()
    assert transfer.source_person_id is None
    assert not Person.objects.filter(pk=head.pk).exists()
