"""manage.py check_next_reviews [--fix] [--office CODE]: compare every stored next review date
(Enrollment.next_review_on) with the rule; exit 1 when any differs and --fix was not given."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from jiritsu.cases.models import Enrollment
from jiritsu.cases.next_review import mismatches, refresh_all


class Command(BaseCommand):
    help = "支援の見直し予定日（保存値）を規則による計算と照合します。--fix で修正します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="異なるものを計算値に直す")
        parser.add_argument("--office", default="", help="事務所コード（省略時は全事務所）")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = Enrollment._base_manager.all()
        if options["office"]:
            qs = qs.filter(office__code=options["office"])
        wrong = mismatches(qs)
        for pk, stored, computed in wrong[:50]:
            self.stdout.write(f"enrollment {pk}: 保存値 {stored or '―'} / 計算値 {computed or '―'}")
        if not wrong:
            self.stdout.write("見直し予定日はすべて規則どおりです。")
            return
        if options["fix"]:
            with transaction.atomic():
                n = refresh_all(qs)
            self.stdout.write(f"{n}件の見直し予定日を直しました。")
            return
        raise CommandError(f"{len(wrong)}件の見直し予定日が規則と異なります（--fix で修正）。")
