"""Work-capacity assessments carry their person's office (for the KPI denominator)."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE people_workcapacityassessment a SET office_id = p.office_id "
            "FROM people_person p WHERE p.id = a.person_id")
    else:
        schema_editor.execute(
            "UPDATE people_workcapacityassessment SET office_id = (SELECT p.office_id FROM "
            "people_person p WHERE p.id = people_workcapacityassessment.person_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("offices", "0001_initial"),
        ("people", "0003_person_search_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="workcapacityassessment",
            name="office",
            field=models.ForeignKey(editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="offices.office"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="workcapacityassessment",
            name="office",
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="offices.office"),
        ),
        migrations.AddIndex(
            model_name="workcapacityassessment",
            index=models.Index(fields=["office", "assessed_on"], name="assessment_office_date"),
        ),
    ]
