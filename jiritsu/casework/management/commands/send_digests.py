"""Send the morning e-mail digest (counts and links only) to everyone who opted in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from jiritsu.casework.digest import send_digests
from jiritsu.offices.models import Office


class Command(BaseCommand):
    help = "朝のお知らせメールを送る（失敗した送信は再試行し、記録する）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--office", help="事務所コード（省略時は全事務所）")
        parser.add_argument("--day", help="日付 YYYY-MM-DD（省略時は今日）")

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            offices = None
            if options.get("office"):
                offices = list(Office.objects.filter(code=options["office"]))
                if not offices:
                    raise CommandError(f"事務所コード {options['office']} がありません。")
        day = dt.date.fromisoformat(options["day"]) if options.get("day") else None
        run = send_digests(today=day, offices=offices)
        self.stdout.write(f"sent={run.sent} failed={run.failed} skipped={run.skipped}")
        if run.failed:
            raise CommandError(f"{run.failed}件の送信に失敗しました（次の実行で再送します）。")
