"""名寄せ: one person registered twice in an office, and the merge of the two records.

A merge keeps what an unmerge needs: the merged person's own fields, which rows moved to the
surviving person (by model and id) and the rows set aside because the survivor already held
the same (both listed in one 台帳, both at one session). People are referred to by id and a
copied label, like the audit log: a merge record outlives either person's row.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from jiritsu.core import clock
from jiritsu.offices.models import Office


class PersonMerge(models.Model):
    """統合: the record ``merged_id`` was merged into ``survivor_id`` (and perhaps undone)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    survivor_id = models.BigIntegerField("残した記録の本人ID")
    survivor_label = models.CharField("残した記録", max_length=200)
    merged_id = models.BigIntegerField("統合した記録の本人ID")
    merged_label = models.CharField("統合した記録", max_length=200)
    reason = models.TextField("統合の理由")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="統合した職員")
    merged_at = models.DateTimeField("統合日時", default=clock.now)
    # The merged person's fields (``audit.log.snapshot``), the moved rows' ids per
    # "app.Model.field", and the set-aside rows' snapshots per "app.Model".
    person_snapshot = models.JSONField("統合前の本人情報", default=dict)
    moved = models.JSONField("移した記録", default=dict)
    set_aside = models.JSONField("重複のため外した記録", default=dict)
    undone_at = models.DateTimeField("取消し日時", null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name="取り消した職員")
    undo_reason = models.TextField("取消しの理由", blank=True)

    objects: ClassVar[models.Manager[PersonMerge]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "記録の統合（名寄せ）"
        verbose_name_plural = "記録の統合（名寄せ）"
        ordering = ["-merged_at", "-id"]
        indexes = [models.Index(fields=["office", "survivor_id"], name="merge_survivor"),
                   models.Index(fields=["office", "merged_id"], name="merge_merged")]

    def __str__(self) -> str:
        return f"{self.merged_label} → {self.survivor_label}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def moved_count(self) -> int:
        return sum(len(ids) for ids in self.moved.values()) + sum(
            len(rows) for rows in self.set_aside.values())

    def summary(self) -> dict[str, Any]:
        return {"moved": {k: len(v) for k, v in self.moved.items()},
                "set_aside": {k: len(v) for k, v in self.set_aside.items()}}


class NotDuplicate(models.Model):
    """別人と確認: two people of the office found alike, checked and kept apart; the pair is
    no longer offered as a candidate."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    first_id = models.BigIntegerField("本人ID（1）")
    second_id = models.BigIntegerField("本人ID（2）")
    note = models.TextField("確認の内容", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="確認した職員")
    recorded_at = models.DateTimeField("確認日時", default=clock.now)

    objects: ClassVar[models.Manager[NotDuplicate]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "別人と確認した組"
        verbose_name_plural = "別人と確認した組"
        constraints = [models.UniqueConstraint(fields=["office", "first_id", "second_id"],
                                               name="not_duplicate_unique")]

    def __str__(self) -> str:
        return f"別人と確認（{self.first_id}・{self.second_id}）"
