"""The national roll-up is an installation role's action (``User.installation_role``), no
longer the Django permission ``reports.view_national_rollup``: every account that held the
permission (directly or through a group) becomes a statistician, and the permission goes."""

from typing import Any

from django.db import migrations

APP_LABEL, CODENAME = "reports", "view_national_rollup"


def carry_over(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("offices", "User")
    perms = Permission.objects.filter(content_type__app_label=APP_LABEL, codename=CODENAME)
    holders = (User.objects.filter(user_permissions__in=perms)
               | User.objects.filter(groups__permissions__in=perms))
    User.objects.filter(pk__in=holders.values("pk")).update(installation_role="statistician")
    perms.delete()


def carry_back(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    User = apps.get_model("offices", "User")
    content_type, _ = ContentType.objects.get_or_create(app_label=APP_LABEL, model="frozenreport")
    perm, _ = Permission.objects.get_or_create(content_type=content_type, codename=CODENAME,
                                               defaults={"name": "全国集計を閲覧できる"})
    for user in User.objects.filter(installation_role="statistician"):
        user.user_permissions.add(perm)


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("offices", "0003_user_installation_role"),
        ("reports", "0002_national_rollup_permission"),
    ]

    operations = [
        migrations.RunPython(carry_over, carry_back),
        migrations.AlterModelOptions(
            name="frozenreport",
            options={"ordering": ["-frozen_at", "-id"]},
        ),
    ]
