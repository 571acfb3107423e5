"""The amounts' owners checked by set instead of by foreign-key constraints.

``AssistanceMonth.household`` and ``MedicalClaimMonth.person`` lose their database
constraints: PostgreSQL checks a foreign key row by row (one lookup and one row lock of the
household or person per inserted row, queued until COMMIT), a quarter of the time of a year's
import of a large office (docs/performance.md, "Amounts"). What the constraint guaranteed is
kept by triggers (AMOUNT_OWNERS below, one pair per table):

* **each statement's rows** (INSERT, COPY, UPDATE) are checked at the end of the statement
  against their owner in one join over the statement's rows (a transition table): the owner
  must exist *in the row's own office* (stronger than the constraint, which did not look at
  the office), and every owner found is locked ``FOR KEY SHARE`` — the lock the constraint's
  check took row by row — so it cannot be deleted (or its id changed) until the writer
  commits. A missing owner raises ``foreign_key_violation`` (Django: ``IntegrityError``) as
  the constraint did, only at the statement rather than at COMMIT;
* **an owner deleted** (or its id changed) while amounts still point at it is refused at
  COMMIT (unless the key is there again), per deleted row — a deferred constraint trigger, as
  the constraint's own trigger on the referenced table was (Django's constraints are
  DEFERRABLE INITIALLY DEFERRED, and the retention deletion relies on the check at COMMIT). The check reads with a new snapshot, so
  under READ COMMITTED (the project's isolation) it sees amounts committed by a writer the
  deletion waited for.

On SQLite (development and tests: one writer at a time) the rows are checked one by one as
they are written (the same rule, the owner in the row's office); a deletion is not checked
there, as Django's test flush deletes tables in any order and SQLite cannot defer a trigger.
"""

from django.db import migrations, models
import django.db.models.deletion

# (table, key column, owner table)
AMOUNT_OWNERS = [
    ("people_assistancemonth", "household_id", "people_household"),
    ("people_medicalclaimmonth", "person_id", "people_person"),
]

PG_FORWARD = """
CREATE OR REPLACE FUNCTION {table}_owner_check() RETURNS trigger LANGUAGE plpgsql
-- The statement's distinct owners and the hash of the join fit in memory (a month of a large
-- office: about 120,000 owners, 10 MB); the default 4 MB would spill them to disk.
SET work_mem = '64MB' AS $$
DECLARE
    wanted bigint;
    held bigint;
    missing text;
BEGIN
    WITH w AS MATERIALIZED (SELECT DISTINCT {key}, office_id FROM new_rows)
    SELECT (SELECT count(*) FROM w),
           (SELECT count(*) FROM (SELECT 1 FROM {owner} AS o
                                  JOIN w ON o.id = w.{key} AND o.office_id = w.office_id
                                  FOR KEY SHARE OF o) AS locked)
    INTO wanted, held;
    IF held < wanted THEN
        SELECT string_agg(format('(%s, %s)', m.{key}, m.office_id), ', ') INTO missing FROM (
            SELECT DISTINCT n.{key}, n.office_id FROM new_rows AS n
            WHERE NOT EXISTS (SELECT 1 FROM {owner} AS o
                              WHERE o.id = n.{key} AND o.office_id = n.office_id)
            ORDER BY 1, 2 LIMIT 5) AS m;
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = 'insert or update on table "{table}" violates its owner check ({key} in {owner} of the same office)',
            DETAIL = format('%s of %s ({key}, office_id) not found, e.g. %s.', wanted - held, wanted, missing);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_owner_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_owner_check();
CREATE TRIGGER {table}_owner_update AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_owner_check();

CREATE OR REPLACE FUNCTION {table}_owner_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    -- The key is there again (e.g. a merge undone restores the person with its id): the rows
    -- pointing at it are fine, as the constraint's NO ACTION check also found.
    IF EXISTS (SELECT 1 FROM {owner} WHERE id = OLD.id) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM {table} WHERE {key} = OLD.id) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = 'update or delete on table "{owner}" leaves rows of "{table}" without their owner',
            DETAIL = format('Key (id)=(%s) is still referenced from table "{table}".', OLD.id);
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER {table}_owner_kept AFTER DELETE OR UPDATE OF id ON {owner}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {table}_owner_kept();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS {table}_owner_kept ON {owner};
DROP FUNCTION IF EXISTS {table}_owner_kept();
DROP TRIGGER IF EXISTS {table}_owner_update ON {table};
DROP TRIGGER IF EXISTS {table}_owner_insert ON {table};
DROP FUNCTION IF EXISTS {table}_owner_check();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER {table}_owner_{event} BEFORE {what} ON {table}
       WHEN NOT EXISTS (SELECT 1 FROM {owner} WHERE id = NEW.{key} AND office_id = NEW.office_id)
       BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {table}.{key} not in {owner} of the office'); END;""",
]


def _sqlite(table: str, key: str, owner: str) -> list[str]:
    return [SQLITE_FORWARD[0].format(table=table, key=key, owner=owner, event=event, what=what)
            for event, what in (("insert", "INSERT"), ("update", f"UPDATE OF {key}, office_id"))]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, key, owner in AMOUNT_OWNERS:
        if vendor == "postgresql":
            schema_editor.execute(PG_FORWARD.format(table=table, key=key, owner=owner), params=None)
        elif vendor == "sqlite":
            for sql in _sqlite(table, key, owner):
                schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, key, owner in AMOUNT_OWNERS:
        if vendor == "postgresql":
            schema_editor.execute(PG_BACKWARD.format(table=table, key=key, owner=owner), params=None)
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_owner_{event};")


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0010_assistance_month_ended_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assistancemonth",
            name="household",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="assistance_months", to="people.household"),
        ),
        migrations.AlterField(
            model_name="medicalclaimmonth",
            name="person",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="medical_claims", to="people.person"),
        ),
        # After the constraints are gone: SQLite remakes a table to drop a constraint, and its
        # triggers go with the old table (a later migration that remakes either table must
        # create them again).
        migrations.RunPython(forward, backward),
    ]
