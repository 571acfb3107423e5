"""The kinds of record with a retention period (保存年限), and which models each one governs.

Every model whose rows hang off a household or a person — found through ``_meta`` by
``graph.reachable_models`` — must be named by exactly one kind here: a new person-linked model
fails ``tests/test_coverage.py`` until it is given a kind (and so a period and a place in the
deletion). A kind's rows are deleted with their household's case file (``graph.collect``);
the household is due when the longest period among the household kinds has passed since
保護廃止 (``selectors.due_households``). A person registered without a household (被保護者以外)
is a case file of their own, due when the same period has passed since their last support
(``selectors.due_people``).

Three kinds are not reached through the file's foreign keys:

- the merge records (``MERGE``: ``merging.PersonMerge`` with the merged record's fields, and
  the pairs checked and kept apart, ``merging.NotDuplicate``) name people by id, since they
  outlive either row by design; they are deleted with the file of the people they name
  (``linked.BY_PERSON_ID``), so they are household kinds like the rest;
- a 移管 (``TRANSFER``) belongs to two offices and refers to each office's person by a link
  that outlives it; it is deleted once no office of the installation keeps its person and its
  own period has passed in every office it belongs to (``selectors.due_transfers``);
- the audit log (監査ログ) carries ids and labels, no foreign key, so no deletion reaches it,
  and its period is longer.

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
MERGE = "merge"
TRANSFER = "transfer"
AUDIT = "audit"

# From when a case file's kinds count: 保護廃止, or for a person without a household the end
# of their last support (``selectors.due_people``).
FROM_CLOSE = "保護廃止（被保護者以外の方は最後の支援）の翌年度から"


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
        CASE_RECORD, "ケース記録（世帯・世帯員・訪問・経過記録）", 5, FROM_CLOSE,
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
        PROGRAM, "自立支援プログラムの記録（参加・同意・計画・評価・成果）", 5, FROM_CLOSE,
        frozenset({
            "cases.Enrollment", "cases.EnrollmentEvent", "cases.Consent", "cases.ConsentGrant",
            "cases.ConferenceDecision", "cases.ConferenceResult", "cases.Plan", "cases.PlanGoal", "cases.PlanCommitment",
            "cases.Review", "cases.GoalAssessment", "cases.Outcome",
            "activities.HealthTrack", "activities.HelloWorkReferral",
            "activities.HelloWorkInterviewAttendee", "activities.WorkRouteDecision",
            "activities.WorkBarrier", "activities.WorkBarrierStep",
            "activities.ReceivingRequest", "activities.TrainingPlacement",
            "activities.TrainingDay", "activities.TrainingMonthlyStatus",
            "activities.VolunteerPlacement", "activities.Recruitment",
            "activities.SessionAttendance",
        })),
    RetentionKind(
        GUIDANCE, "指導指示・法62条の決定の記録", 5, FROM_CLOSE,
        frozenset({"guidance.GuidanceCase", "guidance.GuidanceStep"})),
    RetentionKind(
        APPROVAL, "決裁の記録（個人に関するもの）", 5, FROM_CLOSE,
        frozenset({"cases.ApprovalRequest", "cases.ApprovalStep"})),
    RetentionKind(
        AMOUNTS, "保護費・医療扶助の月額記録", 5, FROM_CLOSE,
        frozenset({"people.AssistanceMonth", "people.MedicalClaimMonth"})),
    RetentionKind(
        ATTACHMENT, "添付書類（ファイルを含む）", 5, FROM_CLOSE,
        frozenset({"documents.Attachment"})),
    RetentionKind(
        MERGE, "記録の統合（名寄せ）の記録（統合前の本人情報を含む）・別人と確認した組", 5, FROM_CLOSE,
        frozenset({"merging.PersonMerge", "merging.NotDuplicate"})),
    RetentionKind(
        TRANSFER, "移管の記録（引継ぎ書類を含む）", 5,
        "移管の決定（受入れ・受入れ不可・取下げ）の翌年度から。両方の事務所で本人の記録がなくなってから",
        frozenset({"transfers.Transfer", "transfers.TransferredEpisode"}), with_household=False),
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
# The kinds a deletion removes rows of (all but the audit log).
DELETED_KINDS = tuple(k for k in KINDS.values() if k.code != AUDIT)


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
