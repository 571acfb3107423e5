"""Guidance documents take the office's one running 文書番号 (offices.DocumentCounter) instead
of a counter of their own, so a form and a notice never share a number. The office's counter for
the current fiscal year starts after the numbers already given: the forms' (FormIssue) and the
guidance counter's. The guidance prefix and counter fields go."""

from django.db import migrations
from django.db.models import Max

from jiritsu.core import clock, wareki


def carry_numbers(apps, schema_editor):
    counter_model = apps.get_model("offices", "DocumentCounter")
    settings_model = apps.get_model("guidance", "GuidanceSettings")
    issue_model = apps.get_model("documents", "FormIssue")
    fy = wareki.fiscal_year_of(clock.today())
    for row in (issue_model._base_manager.values("office_id", "fiscal_year")
                .annotate(last=Max("number"))):
        counter, _ = counter_model.objects.get_or_create(
            office_id=row["office_id"], fiscal_year=row["fiscal_year"])
        counter.last_number = max(counter.last_number, row["last"] or 0)
        counter.save()
    for s in settings_model._base_manager.filter(next_document_number__gt=1):
        counter, _ = counter_model.objects.get_or_create(office_id=s.office_id, fiscal_year=fy)
        counter.last_number = max(counter.last_number, s.next_document_number - 1)
        counter.save()


class Migration(migrations.Migration):

    dependencies = [
        ("guidance", "0004_decision_approval_request"),
        ("offices", "0005_documentcounter"),
        ("documents", "0001_attachments_and_form_issues"),
    ]

    operations = [
        migrations.RunPython(carry_numbers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="guidancesettings", name="document_prefix"),
        migrations.RemoveField(model_name="guidancesettings", name="next_document_number"),
    ]
