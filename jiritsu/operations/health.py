"""Liveness and readiness for a load balancer or a monitoring server: no session, no personal
data — each check answers "OK" or a short sentence naming what is wrong, never a row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from asgiref.sync import sync_to_async
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from jiritsu.operations.jobs import job_states

# The checks run on the request's thread (sync_to_async with thread_sensitive), so they use
# the request's database connection, not one opened by a thread of their own.


@dataclasses.dataclass
class Database(HealthCheck):
    """The database answers a query."""

    timeout = dt.timedelta(seconds=5)

    async def run(self) -> None:
        await sync_to_async(self._check)()

    def _check(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:
            raise ServiceUnavailable("データベースに接続できません") from exc


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code is applied (an upgrade forgot `migrate`)."""

    async def run(self) -> None:
        await sync_to_async(self._check)()

    def _check(self) -> None:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise ServiceUnavailable(f"未適用のマイグレーションが{len(plan)}件あります")


@dataclasses.dataclass
class StorageWritable(HealthCheck):
    """The storage for uploaded files takes a file and gives it back."""

    async def run(self) -> None:
        await sync_to_async(self._check)()

    def _check(self) -> None:
        storage = storages["default"]
        content = uuid.uuid4().bytes
        name = None
        try:
            name = storage.save(f"health-check/{uuid.uuid4().hex}.bin", ContentFile(content))
            with storage.open(name) as f:
                if f.read() != content:
                    raise ServiceUnavailable("保存領域に書いた内容を読み戻せません")
        except ServiceUnavailable:
            raise
        except Exception as exc:
            raise ServiceUnavailable("保存領域に書き込めません") from exc
        finally:
            if name is not None and storage.exists(name):
                storage.delete(name)


@dataclasses.dataclass
class ScheduledJobs(HealthCheck):
    """Every scheduled job ran on time and its last run succeeded."""

    async def run(self) -> None:
        await sync_to_async(self._check)()

    def _check(self) -> None:
        problems = [f"{s.job.name}: {s.problem}" for s in job_states() if s.problem]
        if problems:
            raise ServiceUnavailable("定期処理: " + "、".join(problems))


READINESS_CHECKS = [Database, Migrations, StorageWritable, ScheduledJobs]
