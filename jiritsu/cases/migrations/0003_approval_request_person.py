"""A 決裁 request names the person it is about (requests without an episode — a 法62条
decision of the guidance procedure — have no episode to read it from); existing requests get
their episode's person. A request may also be withdrawn (取下げ) by the app that drafted it.
Reversing drops the column (the person is still the episode's)."""

import django.db.models.deletion
from django.db import migrations, models


def person_from_episode(apps, schema_editor):
    ApprovalRequest = apps.get_model("cases", "ApprovalRequest")
    Enrollment = apps.get_model("cases", "Enrollment")
    db = schema_editor.connection.alias
    person_of = dict(Enrollment.objects.using(db).values_list("pk", "person_id"))
    for req in ApprovalRequest.objects.using(db).filter(enrollment__isnull=False,
                                                        person__isnull=True).only("enrollment_id"):
        ApprovalRequest.objects.using(db).filter(pk=req.pk).update(
            person_id=person_of[req.enrollment_id])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_content_types'),
        ('people', '0005_person_name_key'),
    ]

    operations = [
        migrations.AddField(
            model_name='approvalrequest',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='approval_requests', to='people.person', verbose_name='対象者'),
        ),
        migrations.AlterField(
            model_name='approvalrequest',
            name='status',
            field=models.CharField(choices=[('pending', '決裁待ち'), ('approved', '決裁済'), ('rejected', '差戻し'), ('withdrawn', '取下げ')], default='pending', max_length=20, verbose_name='状態'),
        ),
        migrations.RunPython(person_from_episode, migrations.RunPython.noop, elidable=True),
    ]
