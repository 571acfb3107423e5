"""manage.py grant_national_rollup <username> [--revoke]: who may see the national roll-up."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiritsu.audit.log import record
from jiritsu.offices.models import User
from jiritsu.offices.permissions import grant_national_rollup


class Command(BaseCommand):
    help = "全国集計（/national/, GET /api/v1/reports/national）を閲覧できる利用者を設定します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="権限を取り消す")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"利用者 {options['username']} は存在しません。") from None
        grant_national_rollup(user, grant=not options["revoke"])
        record(actor=None, office=None, target=user,
               action="national.revoke" if options["revoke"] else "national.grant",
               note="manage.py grant_national_rollup")
        self.stdout.write(f"{user.username}: 全国集計の閲覧権限を"
                          f"{'取り消しました' if options['revoke'] else '付与しました'}。")
