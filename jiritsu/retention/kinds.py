"""The kinds of record with a retention period (保存年限), and which models each one governs.

Every model whose rows hang off a household or a person — found through ``_meta`` by
``graph.reachable_models`` — must be named by exactly one kind here: a new person-linked model
fails ``tests/test_coverage.py`` until it is given a kind (and so a period and a place in the
deletion). A kind's rows are deleted with their household's case file (``graph.collect``);
the household is due when the longest period among the household kinds has passed since
保護廃止 (``selectors.due_households``). The audit log (監査ログ) is a kind of its own: its rows
carry ids and labels, no foreign key, so no deletion reaches them, and its period is longer.

Defaults and their sources: docs/legal.md, "Retention and deletion".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from jiritsu.documents.storage import attachment_storage

CASE_RECORD = "case_record"
PROGRAM = "program"
GUIDANCE = "guidance"
APPROVAL = "approval"
ATTACHMENT = "attachment"
AMOUNTS = "amounts"
AUDIT = "audit"


@dataclass(frozen=True)
class RetentionKind:
    code: str
    label: str
    default_years: int
    start: str  # from when the period counts, in words for the settings screen
    models: frozenset[str]  # model labels (app_label.ModelName) whose rows this kind governs
    with_household: bool = True  # deleted with the household's case file


KINDS: dict[str, RetentionKind] = {k.code: k for k in (
    RetentionKind(
        CASE_RECORD, "ケース記録（世帯・世帯員・訪問・経過記録）", 5, "保護廃止の翌年度から",
        frozenset({
            "people.Household", "people.HouseholdTypeChange", "people.Person",
            "people.Disability", "people.Illness", "people.HospitalStay", "people.WorkHistory",
            "people.Qualification", "people.CareDuty", "people.WorkCapacityAssessment",
            "people.MedicalEvidence",
            "casework.PlannedVisit", "casework.Confirmation", "cases.ActivityRecord",
            "programs.LedgerEntry", "programs.Nomination", "activities.FamilyContact",
            "activities.FamilyRequest",
        })),
    RetentionKind(
        PROGRAM, "自立支援プログラムの記録（参加・同意・計画・評価・成果）", 5, "保護廃止の翌年度から",
        frozenset({
            "cases.Enrollment", "cases.EnrollmentEvent", "cases.Consent", "cases.ConsentGrant",
            "cases.ConferenceDecision", "cases.ConferenceResult", "cases.Plan", "cases.PlanGoal", "cases.PlanCommitment",
            "cases.Review", "cases.GoalAssessment", "cases.Outcome",
            "activities.HealthTrack", "activities.HelloWorkReferral",
            "activities.HelloWorkInterviewAttendee",
            "activities.ReceivingRequest", "activities.TrainingPlacement",
            "activities.TrainingDay", "activities.TrainingMonthlyStatus",
            "activities.VolunteerPlacement", "activities.Recruitment",
            "activities.SessionAttendance",
        })),
    RetentionKind(
        GUIDANCE, "指導指示・法62条の決定の記録", 5, "保護廃止の翌年度から",
        frozenset({"guidance.GuidanceCase", "guidance.GuidanceStep"})),
    RetentionKind(
        APPROVAL, "決裁の記録（個人に関するもの）", 5, "保護廃止の翌年度から",
        frozenset({"cases.ApprovalRequest", "cases.ApprovalStep"})),
    RetentionKind(
        AMOUNTS, "保護費・医療扶助の月額記録", 5, "保護廃止の翌年度から",
        frozenset({"people.AssistanceMonth", "people.MedicalClaimMonth"})),
    RetentionKind(
        ATTACHMENT, "添付書類（ファイルを含む）", 5, "保護廃止の翌年度から",
        frozenset({"documents.Attachment"})),
    RetentionKind(
        AUDIT, "監査ログ（閲覧・変更・削除の記録）", 10, "記録した日の翌年度から",
        frozenset({"audit.AuditEvent", "audit.AuditPerson", "audit.PersonAlias"}), with_household=False),
)}

# Models that point at a row of a case file but are the office's own records, never part of a
# person's file: the deletion neither follows nor deletes them (a row of theirs that pointed
# at a deleted row would make the deletion fail at commit rather than dangle).
OUTSIDE_THE_FILE = {
    # A deletion batch points at its own 決裁 request, which names no person.
    "retention.DeletionBatch": "the deletion's own record (ids and counts)",
}

HOUSEHOLD_KINDS = tuple(k for k in KINDS.values() if k.with_household)


@dataclass(frozen=True)
class StoredFiles:
    """Where a model keeps bytes outside the database: deleting its rows deletes these too
    (after the transaction commits). ``skip`` names a field that, when set, says the bytes
    are already gone."""

    storage: object
    name_field: str
    skip: str = ""


def _attachments() -> StoredFiles:
    return StoredFiles(attachment_storage(), "storage_name", skip="purged_at")


# Model label → its stored files. A model with a FileField or a storage name that the
# deletion reaches must be listed (tests/test_coverage.py).
FILES = {"documents.Attachment": _attachments}


def kind_of(model: type[models.Model]) -> RetentionKind | None:
    """The kind that governs a model; a many-to-many table follows the model that declares it."""
    owner = model._meta.auto_created or model
    label = owner._meta.label if isinstance(owner, type) else model._meta.label
    return next((k for k in KINDS.values() if label in k.models), None)
