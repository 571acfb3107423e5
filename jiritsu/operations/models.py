"""The record of scheduled jobs (one row per run), read by the administrator's screen, the
readiness endpoint and the metrics."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """定期処理の実行記録: one run of a scheduled job (``manage.py run_job NAME``).

    Installation-wide (jobs work across offices), so not office-scoped. ``summary`` is the
    command's own last lines of output (counts, never people); ``error`` the exception's type
    and message, cut short."""

    class Status(models.TextChoices):
        RUNNING = "running", "実行中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失敗"

    job = models.CharField("処理", max_length=50)
    started_at = models.DateTimeField("開始")
    finished_at = models.DateTimeField("終了", null=True, blank=True)
    status = models.CharField("結果", max_length=20, choices=Status.choices, default=Status.RUNNING)
    summary = models.TextField("出力", blank=True)
    error = models.TextField("エラー", blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
