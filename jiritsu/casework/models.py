"""The caseworker's day: visit plans, 供覧 (read-and-confirm), saved work-list filters,
in-app notices and the morning e-mail digest.

What is due is never stored here: the next visit, the records waiting to be read and the
work lists are derived from what happened every time they are shown (``visits``,
``selectors``). Stored are only the decisions people make — a visit planned for a day, a
supervisor's confirmation, a saved filter, a notice, an opt-in, a digest sent.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django_scopes import ScopedManager

from jiritsu.cases.models import ActivityRecord
from jiritsu.offices.models import Office, User
from jiritsu.people.models import Household, VisitGrade

# The kinds of 経過記録 the supervisor reads unless the office chooses otherwise.
DEFAULT_CONFIRM_KINDS = ["home_visit", "office_interview", "phone"]


def default_confirm_kinds() -> list[str]:
    return list(DEFAULT_CONFIRM_KINDS)


class CaseworkSettings(models.Model):
    """The office's choices for visit plans, 供覧 and the morning digest (one row per office)."""

    office = models.OneToOneField(Office, on_delete=models.PROTECT,
                                  related_name="casework_settings")
    event_visit_days = models.PositiveSmallIntegerField(
        "出来事の後の訪問期限（日）", default=14,
        help_text="プログラム開始・退院・成果の記録から何日以内に訪問するか")
    confirm_kinds = models.JSONField("供覧する記録の種別", default=default_confirm_kinds,
                                     blank=True)
    # Empty: from the day the office was set up in Jiritsu (older records are not read again).
    confirm_from = models.DateField("供覧の開始日", null=True, blank=True)
    digest_enabled = models.BooleanField("朝のお知らせメールを送る", default=False)
    digest_base_url = models.CharField("メールに載せるURLの先頭", max_length=200, blank=True,
                                       help_text="例: https://jiritsu.example.lg.jp")
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[CaseworkSettings]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "ケースワークの設定"

    def __str__(self) -> str:
        return f"ケースワークの設定（{self.office}）"


class GradeInterval(models.Model):
    """The office's visit interval for one 訪問格付け (months between home visits).
    Without a row the grade's own ``visits_per_year`` decides (12 → 1 month, 4 → 3 …)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    grade = models.OneToOneField(VisitGrade, on_delete=models.CASCADE, related_name="interval")
    interval_months = models.PositiveSmallIntegerField("訪問間隔（月）")

    objects: ClassVar[models.Manager[GradeInterval]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "訪問間隔"

    def __str__(self) -> str:
        return f"訪問間隔（{self.grade}：{self.interval_months}か月）"


class SupervisorAssignment(models.Model):
    """Which 査察指導員 reads a caseworker's records (供覧). A caseworker without a row goes
    to every supervisor of the office."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    caseworker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="ケースワーカー")
    supervisor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="査察指導員")

    objects: ClassVar[models.Manager[SupervisorAssignment]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "供覧先"
        constraints = [models.UniqueConstraint(fields=["office", "caseworker"],
                                               name="supervisor_assignment_one")]

    def __str__(self) -> str:
        return f"供覧先（{self.caseworker} → {self.supervisor}）"


class PlannedVisit(models.Model):
    """訪問計画: a home visit the caseworker plans for a day; recording it makes the 経過記録."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT,
                                  related_name="planned_visits")
    planned_on = models.DateField("訪問予定日")
    caseworker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="訪問者")
    note = models.CharField("メモ", max_length=200, blank=True)
    record = models.OneToOneField(ActivityRecord, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="planned_visit")
    cancelled_on = models.DateField("取りやめ日", null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[PlannedVisit]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "訪問計画"
        ordering = ["planned_on", "id"]
        indexes = [
            models.Index(fields=["caseworker", "planned_on"], name="planned_visit_cw_day"),
            models.Index(fields=["household", "planned_on"], name="planned_visit_household"),
        ]

    def __str__(self) -> str:
        return f"訪問計画（{self.household.case_number}、{self.planned_on:%Y-%m-%d}）"

    @property
    def is_open(self) -> bool:
        return self.record_id is None and self.cancelled_on is None


class Confirmation(models.Model):
    """供覧: a supervisor has read one version of a 経過記録 and confirmed it (確認), or asked
    the author to add something (追記依頼). The record's seal column lists these rows."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "確認"
        ADDITION = "addition", "追記依頼"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(ActivityRecord, on_delete=models.PROTECT,
                               related_name="confirmations")
    record_version = models.PositiveIntegerField("確認した版")
    outcome = models.CharField("結果", max_length=20, choices=Outcome.choices)
    comment = models.TextField("コメント", blank=True)
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="確認者")
    confirmed_at = models.DateTimeField("確認日時", auto_now_add=True)

    objects: ClassVar[models.Manager[Confirmation]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "供覧"
        ordering = ["confirmed_at", "id"]
        indexes = [models.Index(fields=["record", "record_version"], name="confirmation_record")]

    def __str__(self) -> str:
        return f"供覧（{self.get_outcome_display()}）"


class SavedFilter(models.Model):
    """A work-list filter a user saved under a name of their own."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("名前", max_length=50)
    params = models.JSONField("条件", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[SavedFilter]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "保存した絞り込み"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["office", "user", "name"],
                                               name="saved_filter_unique_name")]

    def __str__(self) -> str:
        return f"保存した絞り込み（{self.name}）"


class Notice(models.Model):
    """お知らせ: one line in a user's in-app notice list, linking to where it is dealt with.
    The text names no person (it may reach an e-mail digest as a count)."""

    class Kind(models.TextChoices):
        ADDITION_REQUESTED = "addition_requested", "追記依頼"
        CONFIRMED = "confirmed", "供覧済み"
        DIGEST_FAILED = "digest_failed", "お知らせメールの送信失敗"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("種類", max_length=30, choices=Kind.choices)
    text = models.CharField("内容", max_length=200)
    url = models.CharField("リンク", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)

    objects: ClassVar[models.Manager[Notice]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "お知らせ"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "office", "read_at"], name="notice_user_unread")]

    def __str__(self) -> str:
        return f"お知らせ（{self.get_kind_display()}）"


class DigestPreference(models.Model):
    """A user's opt-in to the morning e-mail digest in one office (sent to ``User.email``)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField("朝のお知らせメールを受け取る", default=False)

    objects: ClassVar[models.Manager[DigestPreference]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "お知らせメールの受信設定"
        constraints = [models.UniqueConstraint(fields=["office", "user"],
                                               name="digest_preference_one")]

    def __str__(self) -> str:
        return f"お知らせメールの受信設定（{self.user}）"


class DigestSend(models.Model):
    """One user's digest for one day: sent, or failed with the attempts and the last error.
    A failed day is retried by the next run; the row keeps the send from being lost silently
    or repeated."""

    class Status(models.TextChoices):
        SENT = "sent", "送信済み"
        FAILED = "failed", "送信失敗"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日付")
    status = models.CharField("状態", max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField("試行回数", default=0)
    last_error = models.TextField("最後のエラー", blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[DigestSend]] = ScopedManager(office="office")

    class Meta:
        verbose_name = "お知らせメールの送信"
        ordering = ["-day", "id"]
        constraints = [models.UniqueConstraint(fields=["office", "user", "day"],
                                               name="digest_send_one_per_day")]

    def __str__(self) -> str:
        return f"お知らせメール（{self.day:%Y-%m-%d}、{self.get_status_display()}）"
