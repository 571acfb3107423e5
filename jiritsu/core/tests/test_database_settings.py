"""PostgreSQL connections: pooled, and no per-connection settings sent by the app (so that
PgBouncer in transaction mode can stand in between)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection


def test_the_app_sends_no_startup_options() -> None:
    options = connection.settings_dict.get("OPTIONS", {})
    assert "options" not in options  # e.g. "-c jit=off", which PgBouncer refuses


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: pool and "
                    "database-level settings; SQLite has neither")
def test_postgresql_connections_are_pooled_and_settings_live_on_the_database(db: Any) -> None:
    assert connection.settings_dict["OPTIONS"]["pool"]["max_size"] >= 1
    assert getattr(connection, "pool", None) is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0")
        row = cursor.fetchone()
    assert row is not None
    assert {"jit=off", "TimeZone=UTC"} <= set(row[0])


def _settings_with(env: dict[str, str]) -> dict[str, Any]:
    """DATABASES as settings.py builds it from ``env`` (in a fresh interpreter)."""
    import json
    import os
    import subprocess
    import sys

    code = ("import json, jiritsu.settings as s; "
            "print(json.dumps({k: {**v, 'OPTIONS': {o: repr(x) for o, x in v.get('OPTIONS', {}).items()}}"
            " for k, v in s.DATABASES.items()}, default=str))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **env})
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_behind_pgbouncer_nothing_outlives_a_transaction() -> None:
    url = "postgres://postgres@127.0.0.1:6432/jiritsu"
    direct = _settings_with({"DATABASE_URL": url})["default"]
    assert "pool" in direct["OPTIONS"] and not direct.get("DISABLE_SERVER_SIDE_CURSORS")
    assert direct["OPTIONS"]["prepare_threshold"] == "5"  # the statements of core.rows
    unprepared = _settings_with({"DATABASE_URL": url, "JIRITSU_PREPARED_STATEMENTS": "0"})
    assert "prepare_threshold" not in unprepared["default"]["OPTIONS"]  # Django's default: off
    unpooled = _settings_with({"DATABASE_URL": url, "JIRITSU_DB_POOL": "0"})["default"]
    assert "pool" not in unpooled["OPTIONS"] and unpooled["OPTIONS"]["prepare_threshold"] == "5"
    bounced = _settings_with({"DATABASE_URL": url, "JIRITSU_PGBOUNCER": "1"})["default"]
    assert "pool" not in bounced["OPTIONS"]
    assert bounced["OPTIONS"]["prepare_threshold"] == "None"  # even with the statements'
    assert bounced["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert bounced["CONN_MAX_AGE"] == 60


def test_a_replica_is_a_second_database_that_tests_mirror() -> None:
    dbs = _settings_with({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/jiritsu",
                          "JIRITSU_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/jiritsu"})
    assert dbs["replica"]["PORT"] == 5433 and dbs["replica"]["TEST"] == {"MIRROR": "default"}
    assert dbs["replica"]["OPTIONS"]["connect_timeout"] == "2"
    assert "replica" not in _settings_with({"DATABASE_URL": "sqlite:///x.sqlite3"})
