"""Attaching, reading and deleting documents (添付書類). Every read and change is audited.

A refused file stores nothing: the size, the type (read from the bytes) and the office's
quota are checked before the file is written, and the row, the audit event and the file go
together (the file is written last inside the transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.errors import ValidationFailed
from jiritsu.documents.access import Target
from jiritsu.documents.models import TYPE_CATEGORY, Attachment, DocumentType
from jiritsu.documents.sniffing import EXTENSIONS, sniff
from jiritsu.documents.storage import attachment_storage
from jiritsu.offices.models import Membership, Office
from jiritsu.people.models import Person

MAX_NOTE = 2000


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}MB" if n >= 1024 * 1024 else f"{n}バイト"


def office_usage(office: Office) -> int:
    """Bytes the office's attachments take in storage (deleted but not yet purged count)."""
    total = Attachment.objects.filter(office=office, purged_at__isnull=True).aggregate(
        n=Sum("size"))["n"]
    return int(total or 0)


def read_upload(upload: IO[bytes], *, size: int | None) -> bytes:
    """The uploaded bytes, refusing a file over the per-file limit before reading it all."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationFailed(f"ファイルが大きすぎます（1ファイル{_megabytes(limit)}まで）。",
                               code="attachment_too_large", field="file")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(f"ファイルが大きすぎます（1ファイル{_megabytes(limit)}まで）。",
                               code="attachment_too_large", field="file")
    return data


@transaction.atomic
def attachment_add(*, actor: Membership, person: Person, target: Target, data: bytes,
                   original_name: str, document_type: str, document_date: dt.date,
                   note: str = "") -> Attachment:
    """Keep one document in the person's file. The caller resolved ``target`` through
    ``documents.access.resolve_target`` (which checked the role and the record)."""
    if person.office_id != actor.office_id:
        raise ValidationFailed("対象が見つかりません。", code="not_found")
    if document_type not in DocumentType.values:
        raise ValidationFailed("書類の種類を選んでください。", field="document_type")
    clock.not_after_today(document_date, field="document_date", what="書類の日付")
    if len(note) > MAX_NOTE:
        raise ValidationFailed(f"備考は{MAX_NOTE}文字以内で入力してください。", field="note")
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationFailed(
            f"ファイルが大きすぎます（1ファイル{_megabytes(settings.ATTACHMENT_MAX_BYTES)}まで）。",
            code="attachment_too_large", field="file")
    content_type = sniff(data)
    quota = settings.ATTACHMENT_OFFICE_QUOTA_BYTES
    if office_usage(actor.office) + len(data) > quota:
        raise ValidationFailed(
            f"事務所の添付書類の保存容量（{_megabytes(quota)}）を超えるため保存できません。"
            "システム管理者に連絡してください。", code="attachment_quota", field="file")
    name = (original_name or "").replace("\x00", "").strip()[-200:] or "添付書類"
    storage_name = f"{actor.office.code}/{person.pk}/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
    attachment = Attachment.objects.create(
        office=actor.office, person=person, document_type=document_type,
        category=TYPE_CATEGORY[document_type], document_date=document_date, note=note,
        original_name=name, content_type=content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), storage_name=storage_name,
        uploaded_by=actor.user, **target.fields())
    record(actor=actor.user, office=actor.office, action="attachment.add",
           kind=AuditEvent.Kind.CREATE, target=attachment, person=person,
           changes={"document_type": document_type, "content_type": content_type,
                    "size": len(data), "sha256": attachment.sha256, "attached_to": target.kind})
    saved = attachment_storage().save(storage_name, ContentFile(data))
    if saved != storage_name:  # the storage chose another name: keep the one it used
        attachment.storage_name = saved
        attachment.save(update_fields=["storage_name"])
    return attachment


def attachment_read(*, actor: Membership, attachment: Attachment) -> bytes:
    """The stored bytes, checked against the recorded checksum; audited as a read."""
    if attachment.purged_at is not None or attachment.is_deleted:
        raise ValidationFailed("この添付書類は削除されています。", code="attachment_deleted")
    with attachment_storage().open(attachment.storage_name, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise ValidationFailed("保存されたファイルが登録時と一致しません（破損の可能性）。"
                               "システム管理者に連絡してください。", code="attachment_corrupt")
    with transaction.atomic():
        record(actor=actor.user, office=actor.office, action="attachment.download",
               kind=AuditEvent.Kind.VIEW, target=attachment, person=attachment.person,
               note=attachment.original_name[:200])
    return data


@transaction.atomic
def attachment_delete(*, actor: Membership, attachment: Attachment, reason: str) -> Attachment:
    """Delete with a reason. The row stays (the file's history); the bytes go now only if
    the retention period has passed, otherwise on ``purge_after`` (manage.py purge_attachments)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("削除の理由を入力してください。", field="reason")
    if len(reason) > MAX_NOTE:
        raise ValidationFailed(f"削除の理由は{MAX_NOTE}文字以内で入力してください。", field="reason")
    if attachment.is_deleted:
        raise ValidationFailed("この添付書類はすでに削除されています。", code="attachment_deleted")
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    attachment.deleted_at = clock.now()
    attachment.deleted_by = actor.user
    attachment.deleted_reason = reason
    attachment.purge_after = attachment.retained_until()
    fields = ["deleted_at", "deleted_by", "deleted_reason", "purge_after"]
    purge_now = attachment.purge_after < clock.today()
    if purge_now:
        attachment.purged_at = clock.now()
        fields.append("purged_at")
    attachment.save(update_fields=fields)
    record(actor=actor.user, office=actor.office, action="attachment.delete",
           kind=AuditEvent.Kind.DELETE, target=attachment, person=attachment.person,
           changes={"reason": reason, "purge_after": attachment.purge_after.isoformat(),
                    "bytes_removed": purge_now})
    if purge_now:
        transaction.on_commit(lambda: attachment_storage().delete(attachment.storage_name))
    return attachment


def attachments_purge(*, today: dt.date | None = None) -> int:
    """Remove the bytes of deleted attachments whose retention period has ended."""
    today = today or clock.today()
    count = 0
    due = Attachment.objects.filter(deleted_at__isnull=False, purged_at__isnull=True,
                                    purge_after__lt=today).select_related("office", "person")
    for attachment in due:
        with transaction.atomic():
            attachment.purged_at = clock.now()
            attachment.save(update_fields=["purged_at"])
            record(actor=None, office=attachment.office, action="attachment.purge",
                   kind=AuditEvent.Kind.DELETE, target=attachment, person=attachment.person,
                   note="保存期間の満了によりファイルを消去")
        attachment_storage().delete(attachment.storage_name)
        count += 1
    return count
