"""Remove the bytes of deleted attachments whose retention period has ended (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from jiritsu.documents.services import attachments_purge


class Command(BaseCommand):
    help = "保存期間が満了した削除済み添付書類のファイルを消去する"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="基準日（YYYY-MM-DD、試験用）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        with scopes_disabled():
            count = attachments_purge(today=today)
        self.stdout.write(f"{count}件のファイルを消去しました。")
