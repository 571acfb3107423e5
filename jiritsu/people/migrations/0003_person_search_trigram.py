"""Trigram (pg_trgm) indexes for the person search on PostgreSQL.

The search matches any part of a name or its furigana (``LIKE '%…%'``), which a btree
cannot serve: at 134,000 people in one office the search walked the whole office (0.7 s).
GIN trigram indexes answer it from the index. pg_trgm is a contrib extension shipped with
PostgreSQL; creating it needs a role allowed to (the DBA in production, docs/scaling.md).
SQLite has no such index and scans (one office's people, which is small there).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_name_trgm ON people_person USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_kana_trgm ON people_person USING gin (kana_key gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS person_kana_trgm",
    "DROP INDEX IF EXISTS person_name_trgm",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_part_versions")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
