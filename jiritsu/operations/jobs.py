"""Scheduled jobs: the registry, running one with its record, and which are late.

Each job is a management command; systemd runs ``manage.py run_job NAME`` from a timer
(deploy/systemd/jiritsu-job@.timer, docs/operations.md). Adding a job is one line in ``JOBS``
(and enabling its timer). A job whose command is not installed (e.g. an app not present) is
left out of the registry rather than failing every night.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db.migrations.recorder import MigrationRecorder

from jiritsu.core import clock
from jiritsu.operations.models import JobRun

SUMMARY_LINES = 20
ERROR_CHARS = 500


@dataclass(frozen=True)
class Job:
    name: str  # the timer's instance name: jiritsu-job@<name>.timer
    title: str  # shown to the administrator
    command: str
    args: tuple[str, ...] = ()
    # How often it runs; a job whose last run started longer ago than this plus the grace is
    # late (missed), which the readiness endpoint reports.
    every: dt.timedelta = dt.timedelta(days=1)
    grace: dt.timedelta = dt.timedelta(hours=6)
    # A setting the job needs (e.g. BACKUP_DIR): without it the job is not registered.
    needs_setting: str = ""


JOBS: tuple[Job, ...] = (
    Job("purge_sessions", "期限切れセッションの削除", "clearsessions"),
    Job("purge_idempotency", "冪等キー記録（API の再送防止）の削除", "purge_idempotency_keys"),
    Job("refresh_due_dates", "見直し予定日の再計算", "check_next_reviews", ("--fix",)),
    Job("retention", "保存年限による整理", "run_retention"),
    Job("send_digests", "リマインダーのまとめ送信", "send_digests"),
    Job("backup", "バックアップ（データベース・保存ファイル・目録）", "backup",
        needs_setting="BACKUP_DIR"),
    Job("check_backup", "バックアップの確認（一時データベースへの復元と照合）", "check_backup",
        ("--latest",), needs_setting="BACKUP_DIR"),
)


def registry() -> dict[str, Job]:
    """The jobs whose command exists in this installation (and whose setting is set), by name."""
    commands = get_commands()
    return {job.name: job for job in JOBS if job.command in commands
            and (not job.needs_setting or getattr(settings, job.needs_setting, None))}


def run_job(job: Job) -> JobRun:
    """Run one job now and record it: a row when it starts (so a hung run is visible), then
    its end, result, the command's last lines of output and, if it failed, the error."""
    run = JobRun.objects.create(job=job.name, started_at=clock.now())
    out = io.StringIO()
    try:
        call_command(job.command, *job.args, stdout=out, stderr=out)
    except BaseException as exc:  # recorded, then raised again
        run.status = JobRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        _finish(run, out)
        raise
    run.status = JobRun.Status.SUCCEEDED
    _finish(run, out)
    return run


def _finish(run: JobRun, out: io.StringIO) -> None:
    run.finished_at = clock.now()
    run.summary = "\n".join(out.getvalue().strip().splitlines()[-SUMMARY_LINES:])
    run.save(update_fields=["status", "error", "finished_at", "summary"])


@dataclass(frozen=True)
class JobState:
    job: Job
    last: JobRun | None
    late: bool

    @property
    def failed(self) -> bool:
        return self.last is not None and self.last.status == JobRun.Status.FAILED

    @property
    def problem(self) -> str:
        """What is wrong, in words that name no data ("" when nothing)."""
        if self.failed:
            return "前回の実行が失敗しました"
        if self.late:
            return "予定どおり実行されていません"
        return ""


def installed_since() -> dt.datetime | None:
    """When the database was set up (its first migration): a job is not late before its first
    interval has passed."""
    first = MigrationRecorder.Migration.objects.order_by("applied").values_list(
        "applied", flat=True).first()
    return first


def job_states() -> list[JobState]:
    """Every registered job with its latest run, and whether it is late."""
    now = clock.now()
    since = installed_since()
    states = []
    for job in registry().values():
        last = JobRun.objects.filter(job=job.name).order_by("-started_at", "-id").first()
        reference = last.started_at if last else since
        late = reference is not None and now - reference > job.every + job.grace
        states.append(JobState(job, last, late))
    return states
