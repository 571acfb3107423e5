"""Liveness and readiness: polled without a session, answering nothing personal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from jiritsu.core import clock
from jiritsu.operations.jobs import registry
from jiritsu.operations.models import JobRun


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _ready(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/ready")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    return response.status_code, json.loads(response.content)


def _record_runs(status: str = JobRun.Status.SUCCEEDED) -> None:
    now = clock.now()
    for name in registry():
        JobRun.objects.create(job=name, started_at=now, finished_at=now, status=status)


def test_liveness_answers_without_session_or_database(client: Client) -> None:
    # No database fixture: any query would raise.
    response = client.get("/health/live")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_readiness_passes_on_a_healthy_installation_and_names_each_check(world: Any) -> None:
    _record_runs()
    status, body = _ready(Client())
    assert status == 200, body
    assert body == {"status": "ok", "checks": {"Database": "OK", "Migrations": "OK",
                                               "StorageWritable": "OK", "ScheduledJobs": "OK"}}


def test_a_failed_job_run_makes_the_installation_unready_without_saying_more(world: Any) -> None:
    _record_runs()
    now = clock.now()
    JobRun.objects.create(job="retention", started_at=now, finished_at=now,
                          status=JobRun.Status.FAILED, error=f"ValueError: {world.person.name}")
    status, body = _ready(Client())
    assert status == 503
    assert body["checks"]["ScheduledJobs"] == "定期処理: retention: 前回の実行が失敗しました"
    assert body["checks"]["Database"] == "OK"
    assert world.person.name not in json.dumps(body, ensure_ascii=False)


def test_a_missed_job_shows_once_its_interval_and_grace_have_passed(world: Any,
                                                                     japan_time: Any) -> None:
    _record_runs()
    traveller = japan_time(clock.to_japan(clock.now()).strftime("%Y-%m-%d %H:%M"))
    traveller.shift(60 * 60 * 29)  # a day and five hours: within the grace
    assert _ready(Client())[0] == 200
    traveller.shift(60 * 60 * 2)  # past a day and six hours: every daily job is late
    status, body = _ready(Client())
    assert status == 503
    assert "purge_sessions: 予定どおり実行されていません" in body["checks"]["ScheduledJobs"]


def test_storage_that_cannot_be_written_makes_the_installation_unready(
        world: Any, settings: Any, tmp_path: Path) -> None:
    _record_runs()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    status, body = _ready(Client())
    assert status == 503
    assert body["checks"]["StorageWritable"] == "保存領域に書き込めません"
