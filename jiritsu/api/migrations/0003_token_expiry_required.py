from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_token_expiry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(help_text="この日時以降は使えません（401 token_expired）", verbose_name="有効期限"),
        ),
    ]
