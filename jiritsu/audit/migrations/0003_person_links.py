"""The people an audit event carried (one link per person), append-only like the events:
on PostgreSQL and SQLite the database refuses UPDATE and DELETE (and TRUNCATE) on the
links, as migration 0002 does for the events."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION audit_auditperson_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'audit_auditperson is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditperson_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditperson
    FOR EACH ROW EXECUTE FUNCTION audit_auditperson_append_only();
CREATE TRIGGER audit_auditperson_no_truncate
    BEFORE TRUNCATE ON audit_auditperson
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditperson_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditperson_no_truncate ON audit_auditperson;
DROP TRIGGER IF EXISTS audit_auditperson_no_update_delete ON audit_auditperson;
DROP FUNCTION IF EXISTS audit_auditperson_append_only();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER audit_auditperson_no_update BEFORE UPDATE ON audit_auditperson
       BEGIN SELECT RAISE(ABORT, 'audit_auditperson is append-only'); END;""",
    """CREATE TRIGGER audit_auditperson_no_delete BEFORE DELETE ON audit_auditperson
       BEGIN SELECT RAISE(ABORT, 'audit_auditperson is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditperson_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditperson_no_delete;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_id', models.BigIntegerField(verbose_name='本人ID')),
                ('office_id', models.BigIntegerField(null=True, verbose_name='事務所ID')),
                ('event', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='person_links', to='audit.auditevent', verbose_name='監査ログ')),
            ],
            options={
                'verbose_name': '監査ログの対象者',
                'verbose_name_plural': '監査ログの対象者',
                'indexes': [models.Index(fields=['person_id', 'office_id', 'event'], name='audit_person_link')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
