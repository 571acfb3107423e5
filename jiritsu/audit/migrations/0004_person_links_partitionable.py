"""Person links refer to their event without a database constraint, so the events table can
be partitioned by month (docs/scaling.md, step 5)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_person_links'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditperson',
            name='event',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='person_links', to='audit.auditevent', verbose_name='監査ログ'),
        ),
    ]
