"""One search rule for names and furigana (core.kana.search_key): a stored key for the name.

The rule now also folds variant kanji and drops variation selectors, so both stored keys
are recomputed from the names and furigana as entered (which stay untouched). On
PostgreSQL the trigram index moves from the raw name to its key (the search matches the
key, ``LIKE '%…%'``).
"""

from django.db import migrations, models

from jiritsu.core.kana import search_key

BATCH = 2000


def recompute_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    Person = apps.get_model("people", "Person")
    manager = Person._base_manager
    changed = []
    for person in manager.only("id", "name", "kana", "kana_key", "name_key").iterator(
            chunk_size=BATCH):
        name_key, kana_key = search_key(person.name), search_key(person.kana)
        if (name_key, kana_key) != (person.name_key, person.kana_key):
            person.name_key, person.kana_key = name_key, kana_key
            changed.append(person)
        if len(changed) >= BATCH:
            manager.bulk_update(changed, ["name_key", "kana_key"])
            changed = []
    if changed:
        manager.bulk_update(changed, ["name_key", "kana_key"])


def trigram_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_name_trgm")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS person_name_key_trgm ON people_person "
                              "USING gin (name_key gin_trgm_ops)")


def trigram_backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_name_key_trgm")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS person_name_trgm ON people_person "
                              "USING gin (name gin_trgm_ops)")


class Migration(migrations.Migration):
    dependencies = [("people", "0004_assessment_office")]
    operations = [
        migrations.AddField(
            model_name="person",
            name="name_key",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(trigram_forward, trigram_backward, elidable=False),
    ]
