"""Writes: an office's retention periods, requesting a deletion (削除の決裁) and carrying it out.

The deletion is a kind of the one 決裁 mechanism (``cases.ApprovalRequest``, kind
``retention_delete``): a supervisor or administrator requests it for what is due on the day —
the households (``selectors.due_households``), the people registered without a household
(``due_people``) and the 移管 records (``due_transfers``) — it waits in the 決裁 inbox on the
office's route, and its final approval deletes them in that approval's transaction — every row
``selectors.file_rows`` finds, then each attachment's bytes once the transaction has committed
— and appends the tombstone (``retention.delete``) to the audit log, and to the other office's
log for a 移管 it shared (``retention.transfer_deleted``). A return (差戻し) deletes nothing. Frozen fiscal-year reports (``reports.FrozenReport``) are not part of any case file
and stay as they were; the audit log keeps its rows (docs/legal.md).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ApprovalRequest
from jiritsu.cases.services.approval_requests import (
    ApprovalKind,
    approval_request_create,
    register_kind,
    route_for,
)
from jiritsu.core import clock
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.guards import audit, require
from jiritsu.offices.models import Membership
from jiritsu.offices.services import RECORD_RETENTION_YEARS, office_update
from jiritsu.people.models import Household, Person
from jiritsu.retention import graph
from jiritsu.retention.kinds import AUDIT, CASE_RECORD, DELETED_KINDS, FILES, KINDS
from jiritsu.retention.models import DeletionBatch, RetentionPeriod
from jiritsu.retention.selectors import (
    DueSummary,
    due_households,
    due_people,
    due_summary,
    due_transfers,
    file_rows,
    periods,
    rows_per_kind,
)
from jiritsu.transfers.models import Transfer

APPROVAL_KIND = "retention_delete"
Kind = AuditEvent.Kind


# ---------------------------------------------------------------- reading, audited

def due_list(*, actor: Membership) -> DueSummary:
    """What is due for deletion, for the screen and the API. The list names households (case
    numbers) and people: reading it is a read of each of their people (one audit row,
    linked)."""
    require(actor, "retention.view")
    summary = due_summary(actor.office)
    people = list(Person.objects.filter(household__in=summary.households)
                  .values_list("pk", flat=True)) + [p.pk for p in summary.people]
    record(actor=actor.user, office=actor.office, action="retention.due_view", kind=Kind.VIEW,
           people=people, changes={"households": len(summary.households),
                                   "people": len(summary.people),
                                   "transfers": len(summary.transfers)})
    return summary


def batch_viewed(*, actor: Membership, batch: DeletionBatch
                 ) -> tuple[list[Household], list[Person], list[Transfer]]:
    """A deletion batch's households, people and 移管 records that still exist (read,
    audited like the list)."""
    households = list(Household.objects.filter(pk__in=batch.household_ids)
                      .order_by("assistance_ended_on", "case_number"))
    alone = list(Person.objects.filter(pk__in=batch.person_ids, household__isnull=True)
                 .order_by("kana_key", "pk"))
    transfers = list(Transfer.objects.filter(pk__in=batch.transfer_ids)
                     .select_related("target_office").order_by("decided_on", "pk"))
    people = list(Person.objects.filter(household__in=households).values_list("pk", flat=True))
    record(actor=actor.user, office=actor.office, action="retention.batch_view", kind=Kind.VIEW,
           target=batch, people=people + [p.pk for p in alone])
    return households, alone, transfers


# ---------------------------------------------------------------- periods

@transaction.atomic
def periods_set(*, actor: Membership, values: dict[str, Any]) -> dict[str, int]:
    """Set the office's periods (years) for the kinds in ``values``. Each is 1–100 years (the
    office's case-record rule), and the audit log is kept at least as long as any case file."""
    require(actor, "office.settings")
    before = periods(actor.office)
    low, high = RECORD_RETENTION_YEARS
    new = dict(before)
    for code, value in values.items():
        if code not in KINDS:
            raise ValidationFailed("記録の種類が正しくありません。", field=code, code="retention.unknown_kind")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(f"{KINDS[code].label}の保存年限を数字で入力してください。", field=code)
        if not low <= value <= high:
            raise ValidationFailed(f"保存年限は{low}年から{high}年の間で入力してください。", field=code,
                                   code="retention.period_invalid")
        new[code] = value
    longest = max(new[k.code] for k in DELETED_KINDS)
    if new[AUDIT] < longest:
        raise ValidationFailed(
            f"監査ログの保存年限は、ケース記録などの最も長い保存年限（{longest}年）以上にしてください。"
            "削除の記録（監査ログ）は、削除した記録より長く残す必要があります。",
            field=AUDIT, code="retention.audit_too_short")
    if new[CASE_RECORD] != before[CASE_RECORD]:
        office_update(actor=actor.user, office=actor.office,
                      data={"record_retention_years": new[CASE_RECORD]})
        actor.office.refresh_from_db(fields=["record_retention_years"])
    for code, years in new.items():
        if code != CASE_RECORD and years != before[code]:
            RetentionPeriod.objects.update_or_create(office=actor.office, kind=code,
                                                     defaults={"years": years})
    if new != before:
        audit(actor, "retention.periods_update", Kind.UPDATE, actor.office,
              before={k: before[k] for k in new if new[k] != before[k]},
              after={k: new[k] for k in new if new[k] != before[k]})
    return new


# ---------------------------------------------------------------- requesting a deletion

@transaction.atomic
def deletion_request(*, actor: Membership, note: str = "") -> DeletionBatch:
    """Ask for the deletion of everything due today, through the office's 決裁: the
    households' case files, the files of people without a household, the 移管 records."""
    require(actor, "retention.request")
    if len(note) > 2000:
        raise ValidationFailed("起案の理由は2000文字以内で入力してください。", field="note")
    today = clock.today()
    office = actor.office
    households_qs, people_qs = due_households(office, today), due_people(office, today)
    ids = list(households_qs.values_list("pk", flat=True))
    person_ids = list(people_qs.values_list("pk", flat=True))
    leaving = Person.objects.filter(Q(household__in=households_qs.values("pk"))
                                    | Q(pk__in=people_qs.values("pk")))
    transfer_ids = [t.pk for t in due_transfers(office, leaving, today)]
    if not (ids or person_ids or transfer_ids):
        raise ValidationFailed("保存年限を過ぎた記録はありません。", field="note",
                               code="retention.nothing_due")
    counts = rows_per_kind(file_rows(ids, person_ids, transfer_ids))
    batch = DeletionBatch.objects.create(office=office, due_on=today, household_ids=ids,
                                         person_ids=person_ids, transfer_ids=transfer_ids,
                                         note=note.strip(), requested_by=actor.user,
                                         result={"planned": counts})
    batch.approval = approval_request_create(
        actor=actor, enrollment=None, kind=APPROVAL_KIND,
        subject=f"保存年限による削除（{batch.size_label}）",
        payload={"batch_id": batch.pk, "households": len(ids), "people": len(person_ids),
                 "transfers": len(transfer_ids), "note": note.strip()},
        steps=route_for(actor, APPROVAL_KIND))
    batch.save(update_fields=["approval"])
    audit(actor, "retention.request", Kind.CREATE, batch,
          changes={"households": len(ids), "people": len(person_ids),
                   "transfers": len(transfer_ids), "rows": counts,
                   "due_on": today.isoformat()})
    return batch


def _batch_of(request: ApprovalRequest) -> DeletionBatch:
    return DeletionBatch.objects.select_for_update().get(approval=request)


def case_number_hash(office_code: str, case_number: str) -> str:
    """A keyed hash of the case number for the tombstone: it lets the office confirm that a
    given case was deleted without the log keeping the number itself."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{office_code}:{case_number}".encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- carrying it out

def deletion_approved(actor: Membership, request: ApprovalRequest) -> None:
    """The final approval: delete what is still due (a household whose assistance restarted,
    a person or household with an episode opened since the request, a 移管 whose person the
    other office still keeps, is skipped), remove the files' bytes after commit, and leave the
    tombstone — in the other office's log too for a 移管 it shared."""
    batch = _batch_of(request)
    if batch.status != DeletionBatch.Status.PENDING:
        raise IllegalTransition("この削除は既に処理されています。", code="retention.batch_closed")
    office, today = batch.office, clock.today()
    still_due = set(due_households(office, today, include_pending=True)
                    .filter(pk__in=batch.household_ids).values_list("pk", flat=True))
    people_due = set(due_people(office, today, include_pending=True)
                     .filter(pk__in=batch.person_ids).values_list("pk", flat=True))
    leaving = Person.objects.filter(Q(household__in=still_due) | Q(pk__in=people_due))
    transfers = [t for t in due_transfers(office, leaving, today, include_pending=True)
                 if t.pk in set(batch.transfer_ids)]
    transfers_due = {t.pk for t in transfers}
    skipped = sorted(set(batch.household_ids) - still_due)
    skipped_people = sorted(set(batch.person_ids) - people_due)
    skipped_transfers = sorted(set(batch.transfer_ids) - transfers_due)
    hashes = [case_number_hash(office.code, n) for n in Household.objects.filter(
        pk__in=still_due).order_by("pk").values_list("case_number", flat=True)]
    rows = file_rows(still_due, people_due, transfers_due)
    person_ids = sorted(rows.get(Person, set()))
    names = _stored_files(rows)
    per_model = graph.delete(rows)

    def remove_bytes() -> None:
        for storage, name in names:
            storage.delete(name)  # type: ignore[attr-defined]

    transaction.on_commit(remove_bytes)
    batch.status = DeletionBatch.Status.DONE
    batch.done_at = clock.now()
    batch.result = {**batch.result, "deleted": rows_per_kind(rows), "models": per_model,
                    "households": sorted(still_due), "people": sorted(people_due),
                    "transfers": sorted(transfers_due), "skipped": skipped,
                    "skipped_people": skipped_people, "skipped_transfers": skipped_transfers,
                    "files": len(names)}
    batch.save(update_fields=["status", "done_at", "result"])
    # The tombstone: what was deleted, in ids, counts and keyed hashes — no name, no case
    # number, no address. Each deleted person's id links it, so their history shows it.
    record(actor=actor.user, office=office, action="retention.delete", kind=Kind.DELETE,
           target=batch, people=person_ids,
           changes={"approval_id": request.pk, "due_on": batch.due_on.isoformat(),
                    "households": sorted(still_due), "case_number_hashes": hashes,
                    "people": person_ids, "people_without_household": sorted(people_due),
                    "transfers": sorted(transfers_due), "rows": batch.result["deleted"],
                    "models": per_model, "files": len(names), "skipped": skipped,
                    "skipped_people": skipped_people, "skipped_transfers": skipped_transfers})
    # A 移管 was the other office's record too: its own log says it went, and why.
    for t in transfers:
        other = t.target_office if t.source_office_id == office.pk else t.source_office
        if other is not None and other.pk != office.pk:
            record(actor=actor.user, office=other, action="retention.transfer_deleted",
                   kind=Kind.DELETE, changes={"transfer_id": t.pk, "by_office": office.code,
                                              "approval_id": request.pk},
                   note=f"{office.name}の保存年限による削除（両方の事務所の保存年限の経過後）")


def _stored_files(rows: graph.Rows) -> list[tuple[object, str]]:
    out: list[tuple[object, str]] = []
    for model, ids in rows.items():
        spec = FILES.get(model._meta.label)
        if spec is None:
            continue
        files = spec()
        qs = model._base_manager.filter(pk__in=ids)
        if files.skip:
            qs = qs.filter(**{f"{files.skip}__isnull": True})
        out += [(files.storage, name) for name in qs.values_list(files.name_field, flat=True)]
    return out


def deletion_returned(actor: Membership, request: ApprovalRequest, comment: str) -> None:
    """差戻し: nothing is deleted; the batch is closed with the approver's comment."""
    batch = _batch_of(request)
    batch.status = DeletionBatch.Status.REJECTED
    batch.result = {**batch.result, "returned": comment}
    batch.save(update_fields=["status", "result"])
    audit(actor, "retention.return", Kind.TRANSITION, batch, note=comment)


def deletion_context(request: ApprovalRequest) -> dict[str, Any]:
    """What the approver reads: how many households, people and 移管 records, rows of each
    kind, the periods."""
    batch = DeletionBatch.objects.select_related("office").get(approval=request)
    planned = batch.result.get("planned", {})
    p = periods(batch.office)
    asked = [("対象", "", batch.size_label), ("判定日", "", format_wareki(batch.due_on))]
    asked += [(KINDS[code].label, "", f"{planned.get(code, 0)}件を削除")
              for code in planned if code in KINDS]
    lines = [f"{k.label}：{p[k.code]}年（{k.start}）" for k in KINDS.values()]
    lines.append("世帯の記録は互いに参照し合うため、最も長い保存年限を過ぎた世帯をまとめて削除します。"
                 "世帯のない方（被保護者以外）は、最後の支援から同じ年限を数えます。")
    lines.append("移管の記録は、両方の事務所の保存年限を過ぎ、どちらの事務所にも本人の記録がなくなってから削除します。")
    lines.append("確定済みの年度報告の数値と監査ログは削除されません。")
    return {"asked": asked, "justification": batch.note, "rule_title": "保存年限（事務所の設定）",
            "rule": {"lines": lines},
            "source": {"url": reverse("retention:batch", args=[batch.pk]),
                       "label": f"削除の対象（{batch.size_label}の一覧）"}}


def register() -> None:
    register_kind(APPROVAL_KIND, ApprovalKind(
        label="保存年限による削除", approved=deletion_approved, returned=deletion_returned,
        context=deletion_context))
