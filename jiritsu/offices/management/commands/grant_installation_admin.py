"""manage.py grant_installation_admin <username> [--revoke]: who may create offices and keep
every office's settings (設置管理者, /installation/offices/)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiritsu.audit.log import record
from jiritsu.offices.models import User
from jiritsu.offices.permissions import grant_installation_admin


class Command(BaseCommand):
    help = "設置管理者（事務所の作成と全事務所の設定: /installation/offices/）を設定します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="権限を取り消す")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"利用者 {options['username']} は存在しません。") from None
        before = user.installation_role
        grant_installation_admin(user, grant=not options["revoke"])
        record(actor=None, office=None, target=user,
               action="installation_admin.revoke" if options["revoke"] else "installation_admin.grant",
               before={"installation_role": before},
               after={"installation_role": user.installation_role},
               note="manage.py grant_installation_admin")
        self.stdout.write(f"{user.username}: 設置管理者の権限を"
                          f"{'取り消しました' if options['revoke'] else '付与しました'}。")
