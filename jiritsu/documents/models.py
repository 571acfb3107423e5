"""添付書類: scanned documents and photos kept in a person's file.

The bytes live outside the database, in the ``attachments`` storage (Django's storage API:
the file system by default, an S3-compatible store as an option, settings.STORAGES); the row
keeps the storage name, SHA-256, size and the type read from the bytes. An attachment belongs
to a person and, optionally, to one of their records: an episode, a 経過記録, a consent or a
guidance step. Deleting is a recorded act with a reason; the bytes stay until the retention
period allows them to go (``purge_after``, ``manage.py purge_attachments``).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from jiritsu.cases.models import ActivityRecord, Consent, DataCategory, Enrollment
from jiritsu.core import clock, wareki
from jiritsu.guidance.models import GuidanceStep
from jiritsu.offices.models import Office
from jiritsu.people.models import Person

User = settings.AUTH_USER_MODEL


class DocumentType(models.TextChoices):
    CONSENT = "consent", "同意書"
    MEDICAL_NEED_OPINION = "medical_need_opinion", "医療要否意見書"
    DOCTOR_OPINION = "doctor_opinion", "主治医意見書"
    CONDITION_SURVEY = "condition_survey", "病状調査回答"
    RESUME = "resume", "履歴書"
    EMPLOYMENT_CONTRACT = "employment_contract", "雇用契約書"
    OTHER = "other", "その他"


# The consent's data category each document type falls under: a partner sees an attachment
# only where the person's consent gives it that category (docs/forms.md, Attachments).
TYPE_CATEGORY: dict[str, str] = {
    DocumentType.CONSENT: DataCategory.BASIC,
    DocumentType.MEDICAL_NEED_OPINION: DataCategory.HEALTH,
    DocumentType.DOCTOR_OPINION: DataCategory.HEALTH,
    DocumentType.CONDITION_SURVEY: DataCategory.HEALTH,
    DocumentType.RESUME: DataCategory.EMPLOYMENT,
    DocumentType.EMPLOYMENT_CONTRACT: DataCategory.EMPLOYMENT,
    DocumentType.OTHER: DataCategory.RECORDS,
}


# The document most often attached where it is attached, pre-selected by the 「書類を添付」
# links of the screens (the user may choose another): by what it belongs to, and for a
# 経過記録 by the record's kind. Anything else: その他.
SUGGESTED_TYPES: dict[str, str] = {
    "consent": DocumentType.CONSENT,
    "record:accompany_hospital": DocumentType.DOCTOR_OPINION,
    "record:accompany_interview": DocumentType.RESUME,
    "record:accompany_hello_work": DocumentType.RESUME,
    "guidance_step": DocumentType.OTHER,
}


def suggested_type(target: str, kind: str = "") -> str:
    """The document type a link to attach to ``target`` (of ``kind``) pre-selects."""
    return (SUGGESTED_TYPES.get(f"{target}:{kind}") or SUGGESTED_TYPES.get(target)
            or DocumentType.OTHER)


class Attachment(models.Model):
    """添付書類: one stored file, what it is, and what it belongs to."""

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="attachments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attachments",
                               verbose_name="対象者")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="attachments", verbose_name="参加")
    record = models.ForeignKey(ActivityRecord, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="attachments", verbose_name="経過記録")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="attachments", verbose_name="同意")
    guidance_step = models.ForeignKey(GuidanceStep, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="attachments",
                                      verbose_name="指導指示の経過")
    document_type = models.CharField("書類の種類", max_length=30, choices=DocumentType.choices)
    category = models.CharField("情報の区分", max_length=20, choices=DataCategory.choices)
    document_date = models.DateField("書類の日付")
    note = models.TextField("備考", blank=True)
    original_name = models.CharField("元のファイル名", max_length=255)
    content_type = models.CharField("形式", max_length=40, choices=ContentType.choices)
    size = models.PositiveBigIntegerField("大きさ（バイト）")
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField("保存名", max_length=255, unique=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登録者")
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)
    deleted_at = models.DateTimeField("削除日時", null=True, blank=True)
    deleted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="削除者")
    deleted_reason = models.TextField("削除の理由", blank=True)
    purge_after = models.DateField("保存期間の満了日", null=True, blank=True)
    purged_at = models.DateTimeField("ファイル消去日時", null=True, blank=True)

    objects: ClassVar[models.Manager[Attachment]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "添付書類"
        ordering = ["-document_date", "-id"]
        indexes = [models.Index(fields=["person", "office"], name="attachment_person_office")]
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | ~Q(deleted_reason=""),
                name="attachment_deleted_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()}（{wareki.format_wareki(self.document_date)}）"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_image(self) -> bool:
        return self.content_type in (self.ContentType.JPEG, self.ContentType.PNG)

    @property
    def target_label(self) -> str:
        """What the attachment belongs to, as people call it."""
        for obj in (self.guidance_step, self.consent, self.record, self.enrollment):
            if obj is not None:
                return str(obj)
        return "本人の書類"

    def retained_until(self) -> dt.date:
        """The last day the bytes must be kept: the office's retention period for case
        records (``Office.record_retention_years``), counted from the day it was attached."""
        day = clock.japan_date(self.uploaded_at) if self.uploaded_at else clock.today()
        years = self.office.record_retention_years
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + years, day=28)


class FormIssue(models.Model):
    """帳票の発行: the 文書番号 given to an outgoing form for one record (a reprint keeps it)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="form_issues")
    form_key = models.CharField("帳票", max_length=40)
    object_id = models.PositiveBigIntegerField("対象のID")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("番号")
    document_number = models.CharField("文書番号", max_length=80)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="発行者")
    issued_at = models.DateTimeField("発行日時", auto_now_add=True)

    objects: ClassVar[models.Manager[FormIssue]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "帳票の発行"
        constraints = [
            models.UniqueConstraint(fields=["office", "form_key", "object_id"],
                                    name="form_issue_once_per_record"),
            models.UniqueConstraint(fields=["office", "fiscal_year", "number"],
                                    name="form_issue_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document_number}"
