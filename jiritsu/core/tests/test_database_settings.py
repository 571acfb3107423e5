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
