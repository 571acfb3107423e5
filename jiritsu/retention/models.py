"""保存年限 per office and kind of record, and the deletion batches (削除の決裁) made from them.

``RetentionPeriod`` holds an office's own period for a kind (``kinds.KINDS``); a kind without
a row uses its default. ``DeletionBatch`` is one request to delete the case files that were
due on a day: it goes through the one 決裁 mechanism (``cases.ApprovalRequest``, kind
``retention_delete``) and is carried out on its final approval. A batch holds ids only — no
name, address or case number — so it may outlive what it deleted.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from jiritsu.cases.models import ApprovalRequest
from jiritsu.offices.models import Office


class RetentionPeriod(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("記録の種類", max_length=30)
    years = models.PositiveSmallIntegerField("保存年限（年）")
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[RetentionPeriod]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "保存年限"
        constraints = [
            models.UniqueConstraint(fields=["office", "kind"], name="retention_period_unique"),
            models.CheckConstraint(condition=models.Q(years__gte=1),
                                   name="retention_period_at_least_one_year"),
        ]

    def __str__(self) -> str:
        return f"保存年限（{self.kind}: {self.years}年）"


class DeletionBatch(models.Model):
    """削除の決裁: the households whose case files were due on ``due_on`` — with the people
    registered without a household and the 移管 records due that day — deleted as one on the
    request's final approval."""

    class Status(models.TextChoices):
        PENDING = "pending", "決裁待ち"
        DONE = "done", "削除済み"
        REJECTED = "rejected", "差戻し（削除しない）"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    approval = models.OneToOneField(ApprovalRequest, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="retention_batch")
    status = models.CharField("状態", max_length=20, choices=Status.choices,
                              default=Status.PENDING)
    due_on = models.DateField("判定日")
    household_ids = models.JSONField("対象世帯（ID）", default=list)
    # People registered without a household whose own file was due, and 移管 records due.
    person_ids = models.JSONField("対象の被保護者以外の方（ID）", default=list)
    transfer_ids = models.JSONField("対象の移管の記録（ID）", default=list)
    note = models.TextField("起案の理由", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="起案者")
    requested_at = models.DateTimeField("起案日時", auto_now_add=True)
    done_at = models.DateTimeField("削除日時", null=True, blank=True)
    # What was deleted: rows per kind and per model, files removed, households skipped
    # because they were no longer due when the request was approved. Counts and ids only.
    result = models.JSONField("削除の結果", default=dict)

    objects: ClassVar[models.Manager[DeletionBatch]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "削除の決裁"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"保存年限による削除 第{self.pk}号（{self.size_label}）"

    @property
    def size_label(self) -> str:
        """「3世帯、1人、2件の移管」: what the batch covers, the parts that are not empty."""
        parts = [f"{len(self.household_ids)}世帯" if self.household_ids else "",
                 f"{len(self.person_ids)}人" if self.person_ids else "",
                 f"{len(self.transfer_ids)}件の移管" if self.transfer_ids else ""]
        return "、".join(p for p in parts if p) or "0世帯"
