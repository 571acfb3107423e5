"""API tokens expire. Existing tokens get an expiry a full default validity
(settings.API_TOKEN_DAYS) after this migration, so that integrations have time to rotate."""


from django.db import migrations, models


def give_existing_tokens_an_expiry(apps, schema_editor):
    from jiritsu.api.tokens import expiry

    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=expiry(None))


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_tokens_and_idempotency"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="有効期限"),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
    ]
