"""PostgreSQL: the per-connection settings the app relies on, stored on the database.

Settings on the database apply to every new connection without the app sending them (no
``options`` startup parameter, no ``SET`` at connect), so a pooler such as PgBouncer in
transaction mode can hand any server connection to any request:

* ``timezone = 'UTC'``: Django works in UTC and would otherwise send ``SET TIME ZONE`` on
  every new connection whose server default differs.
* ``jit = off``: PostgreSQL's JIT compiler cost ~0.8 s on the office report's correlated
  subqueries and gains nothing for short queries (docs/performance.md).

Only the database's owner (or a superuser) may do this; another role gets a notice and the
statements to give the database administrator (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DATABASE_SETTINGS = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'UTC');
    EXECUTE format('ALTER DATABASE %I SET jit TO off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'Jiritsu: run ALTER DATABASE % SET timezone TO ''UTC'' and ALTER DATABASE % SET jit TO off as its owner', current_database(), current_database();
END
$$;
"""


def set_database_settings(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DATABASE_SETTINGS)  # no parameters: the % are format()'s


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []
    operations = [migrations.RunPython(set_database_settings, migrations.RunPython.noop,
                                       elidable=False)]
