"""The content types (and with them the permissions) of the moved case models are renamed
from ``programs`` to ``cases``, so rows that point at them keep working."""

from django.db import migrations

MOVED = [
    "activityrecord", "approvalrequest", "approvalroute", "approvalstep", "conference",
    "conferenceattendee", "conferencedecision", "consent", "consentgrant", "enrollment",
    "enrollmentevent", "goalassessment", "outcome", "plan", "plancommitment", "plangoal",
    "review",
]


def _move(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        # A database migrated fresh may already hold the target row (created after an
        # earlier run): the older row, with its permissions, wins.
        ContentType.objects.using(db).filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move(apps, schema_editor, "programs", "cases")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, "cases", "programs")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0006_case_models_to_cases"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
