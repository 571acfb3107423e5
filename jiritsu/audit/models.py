"""The audit log: append-only, outlives what it describes.

Rows carry copies of ids and labels rather than foreign keys, so deleting a person,
an office or a user can never cascade into the log. The application refuses to
update or delete rows; on PostgreSQL a trigger refuses it in the database as well
(migration 0002).

A read or export that carries many people (the people behind a report figure, a CSV or
Excel file of them, a household change that concerns every member) writes one
:class:`AuditEvent` and one :class:`AuditPerson` link per person, in the same
transaction, so each person's history and 開示 export show it. The links are append-only
like the events (migration 0003).

When two records of one person are merged (名寄せ), a :class:`PersonAlias` row says so: the
merged person's events are then found from the surviving person (``selectors.about_person``)
without any event being rewritten.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jiritsu.core import labels


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit rows cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows cannot be deleted")


class AuditEvent(models.Model):
    """One thing someone did or looked at. Never changed, never deleted."""

    class Kind(models.TextChoices):
        CREATE = "create", "作成"
        UPDATE = "update", "変更"
        DELETE = "delete", "削除"
        VIEW = "view", "閲覧"
        EXPORT = "export", "出力"
        TRANSITION = "transition", "状態変更"
        LOGIN = "login", "ログイン"
        IMPORT = "import", "取込"
        OTHER = "other", "その他"

    created_at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    office_id = models.BigIntegerField("事務所ID", null=True, db_index=True)
    office_label = models.CharField("事務所", max_length=100, blank=True)
    actor_id = models.BigIntegerField("職員ID", null=True, db_index=True)
    actor_label = models.CharField("職員", max_length=150, blank=True)
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    action = models.CharField("操作", max_length=80)
    target_type = models.CharField("対象種別", max_length=80, blank=True)
    target_id = models.CharField("対象ID", max_length=64, blank=True)
    target_label = models.CharField("対象", max_length=200, blank=True)
    person_id = models.BigIntegerField("本人ID", null=True, db_index=True)
    person_label = models.CharField("本人", max_length=200, blank=True)
    changes = models.JSONField("変更内容", default=dict, blank=True)
    note = models.TextField("備考", blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office_id", "created_at"], name="audit_office_time"),
            models.Index(fields=["person_id", "created_at"], name="audit_person_time"),
            models.Index(fields=["actor_id", "created_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows cannot be deleted")


def action_label(event: AuditEvent) -> str:
    """What happened, in Japanese (``core.labels``, the one table of action labels)."""
    return labels.action_label(event.action)


def format_label(event: AuditEvent) -> str:
    """The file format of an export (``CSV（UTF-8）``), empty for anything else."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    fmt = changes.get("format")
    if event.kind != AuditEvent.Kind.EXPORT or not isinstance(fmt, str) or not fmt:
        return ""
    label = labels.CODES.get(fmt, fmt)
    encoding = changes.get("encoding")
    if fmt == "csv" and isinstance(encoding, str) and encoding:
        label = f"{label}（{labels.CODES.get(encoding, encoding)}）"
    return label


class AuditPersonQuerySet(models.QuerySet["AuditPerson"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit rows cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows cannot be deleted")


class AuditPerson(models.Model):
    """One person an audit event carried (a list, an export, a household change).

    Copies of ids, no foreign key to the person: the link outlives the person's record.
    Never changed, never deleted."""

    # No database constraint: the log can be partitioned by month (docs/scaling.md, step 5),
    # whose primary key then includes created_at. The link is written with its event.
    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="person_links",
                              db_index=False, db_constraint=False, verbose_name="監査ログ")
    person_id = models.BigIntegerField("本人ID")
    office_id = models.BigIntegerField("事務所ID", null=True)

    objects = AuditPersonQuerySet.as_manager()

    class Meta:
        verbose_name = "監査ログの対象者"
        verbose_name_plural = "監査ログの対象者"
        indexes = [models.Index(fields=["person_id", "office_id", "event"],
                                name="audit_person_link")]

    def __str__(self) -> str:
        return f"監査ログ {self.event_id} の対象者 {self.person_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows cannot be deleted")


class PersonAliasQuerySet(models.QuerySet["PersonAlias"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit rows cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows cannot be deleted")


class PersonAlias(models.Model):
    """The audit trail of a person whose file was merged into another's (名寄せ).

    From this row on, the events of ``person_id`` belong to the history of ``into_id`` as well
    (the events themselves are never rewritten). An unmerge appends a row for the same
    ``person_id`` with ``into_id`` empty: the latest row of a person decides. Copies of ids, no
    foreign keys; never changed, never deleted."""

    created_at = models.DateTimeField("日時", auto_now_add=True)
    office_id = models.BigIntegerField("事務所ID")
    person_id = models.BigIntegerField("統合された本人ID")
    into_id = models.BigIntegerField("統合先の本人ID", null=True)
    merge_id = models.BigIntegerField("統合の記録ID")

    objects = PersonAliasQuerySet.as_manager()

    class Meta:
        verbose_name = "監査ログの本人IDの統合"
        verbose_name_plural = "監査ログの本人IDの統合"
        indexes = [models.Index(fields=["office_id", "id"], name="audit_alias_office")]

    def __str__(self) -> str:
        return f"本人ID {self.person_id} → {self.into_id or '（取消し）'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows cannot be deleted")
