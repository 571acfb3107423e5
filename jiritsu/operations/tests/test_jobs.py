"""Scheduled jobs: each run recorded with its result, shown to the administrator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client

from jiritsu.core import clock
from jiritsu.operations import jobs
from jiritsu.operations.models import JobRun
from jiritsu.people.models import Household
from jiritsu.retention.selectors import records_expire_before

BROKEN = jobs.Job("broken", "壊れた処理", "check", ("--tag", "no-such-tag"))


def test_a_job_run_is_recorded_with_its_end_result_and_output(db: Any) -> None:
    Session.objects.create(session_key="x" * 32, session_data="",
                           expire_date=clock.now() - dt.timedelta(days=1))
    call_command("run_job", "purge_sessions")
    run = JobRun.objects.get()
    assert run.job == "purge_sessions"
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert not Session.objects.exists()


def test_a_failed_run_is_recorded_with_its_error_and_the_command_fails(
        db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "JOBS", (*jobs.JOBS, BROKEN))
    with pytest.raises(CommandError):
        call_command("run_job", "broken")
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED
    assert run.error.startswith("CommandError: ")
    assert [s.problem for s in jobs.job_states() if s.job.name == "broken"] == [
        "前回の実行が失敗しました"]


def test_an_unknown_job_is_refused(db: Any) -> None:
    with pytest.raises(CommandError, match="ありません"):
        call_command("run_job", "no_such_job")
    assert not JobRun.objects.exists()


def test_the_registry_names_only_jobs_whose_command_is_installed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "JOBS", (*jobs.JOBS, jobs.Job("ghost", "無い処理", "no_such_cmd")))
    names = jobs.registry()
    assert {"purge_sessions", "purge_idempotency", "refresh_due_dates", "retention"} <= set(names)
    assert "ghost" not in names


def test_refreshing_due_dates_and_purging_idempotency_rows_run_as_jobs(db: Any) -> None:
    call_command("run_job", "refresh_due_dates")
    call_command("run_job", "purge_idempotency")
    assert set(JobRun.objects.values_list("job", "status")) == {
        ("refresh_due_dates", "succeeded"), ("purge_idempotency", "succeeded")}


def test_retention_run_deletes_old_operations_records_and_counts_expired_case_records(
        world: Any) -> None:
    today = clock.today()
    old = clock.now() - dt.timedelta(days=world.office.log_retention_days + 1)
    JobRun.objects.create(job="purge_sessions", started_at=old, finished_at=old,
                          status=JobRun.Status.SUCCEEDED)
    before = records_expire_before(today, world.office.record_retention_years)
    Household.objects.filter(pk=world.household.pk).update(
        assistance_ended_on=before - dt.timedelta(days=1))
    call_command("run_job", "retention")
    run = JobRun.objects.get()  # the old one is gone, this run remains
    assert run.status == JobRun.Status.SUCCEEDED
    assert "A001: 保存年限（5年）を過ぎた廃止世帯 1件" in run.summary
    assert "B001: 保存年限（5年）を過ぎた廃止世帯 0件" in run.summary
    assert Household.objects.filter(pk=world.household.pk).exists()  # only through 決裁


def test_retention_counts_whole_fiscal_years_after_the_case_closed() -> None:
    # Closed in FY2019 (2020-03-31): kept through FY2024 with five years; due in FY2025.
    assert records_expire_before(dt.date(2025, 4, 1), 5) == dt.date(2020, 4, 1)
    assert records_expire_before(dt.date(2025, 3, 31), 5) == dt.date(2019, 4, 1)


def test_the_administrator_sees_jobs_and_runs_others_are_refused(world: Any) -> None:
    now = clock.now()
    JobRun.objects.create(job="retention", started_at=now, finished_at=now,
                          status=JobRun.Status.FAILED, error="CommandError: 例")
    client = Client()
    client.force_login(world.admin)
    page = client.get("/manage/jobs/").content.decode()
    assert "保存年限による整理" in page and "前回の実行が失敗しました" in page
    assert "CommandError: 例" in page
    client.force_login(world.caseworker)
    assert client.get("/manage/jobs/").status_code == 403
