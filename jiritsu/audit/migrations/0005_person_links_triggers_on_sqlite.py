"""SQLite rebuilds a table to alter a column (0004), which drops its triggers: put the
append-only triggers of the person links back (PostgreSQL keeps them; nothing to do there)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from importlib import import_module

    links = import_module("jiritsu.audit.migrations.0003_person_links")
    for sql in links.SQLITE_FORWARD:
        schema_editor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_person_links_partitionable")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
