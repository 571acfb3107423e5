"""manage.py create_office — a new office (福祉事務所) with its first system administrator, in
one transaction, audited; the password is asked for when not given (docs/operations.md)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiritsu.core.errors import DomainError
from jiritsu.offices import services
from jiritsu.offices.models import Office

FIELD_OPTIONS = {  # service field → option
    "code": "--code", "name": "--name", "municipality": "--municipality", "kind": "--kind",
    "head_title": "--head-title", "head_name": "--head-name",
    "document_number_format": "--document-number-format",
    "record_retention_years": "--record-retention-years",
    "log_retention_days": "--log-retention-days",
    "admin_username": "--admin-username", "admin_display_name": "--admin-name",
    "admin_email": "--admin-email", "admin_password": "--admin-password",
}


class Command(BaseCommand):
    help = "福祉事務所とその最初のシステム管理者を作成します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="事務所コード（半角英数字・-・_、2〜20文字）")
        parser.add_argument("--name", required=True, help="名称（例: みなと市福祉事務所）")
        parser.add_argument("--municipality", required=True, help="自治体（例: みなと市）")
        parser.add_argument("--kind", default=Office.Kind.CITY, choices=Office.Kind.values,
                            help="種別（city=市、prefecture=都道府県、town=町村）")
        parser.add_argument("--head-title", default="福祉事務所長", help="所長の職名")
        parser.add_argument("--head-name", default="", help="所長の氏名")
        parser.add_argument("--document-number-format", default="福第{number}号",
                            help="文書番号の書式（{number} が番号、{year} が和暦の年度）")
        parser.add_argument("--record-retention-years", type=int, default=5,
                            help="ケース記録の保存年限（年）")
        parser.add_argument("--log-retention-days", type=int, default=400,
                            help="運用記録の保存期間（日）")
        parser.add_argument("--admin-username", required=True, help="最初のシステム管理者のユーザー名")
        parser.add_argument("--admin-name", required=True, help="最初のシステム管理者の氏名")
        parser.add_argument("--admin-email", default="", help="最初のシステム管理者のメールアドレス")
        parser.add_argument("--admin-password", default=None,
                            help="初期パスワード（省略すると入力を求めます。履歴に残るため省略を推奨）")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["admin_password"]
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError("--admin-password を指定するか、端末から実行してパスワードを"
                                   "入力してください。")
            password = getpass.getpass("管理者の初期パスワード: ")
            if password != getpass.getpass("もう一度: "):
                raise CommandError("パスワードが一致しません。")
        data = {field: options[field] for field in (
            "code", "name", "municipality", "kind", "head_title", "head_name",
            "document_number_format", "record_retention_years", "log_retention_days")}
        try:
            membership = services.office_create(
                actor=None, data=data, admin_username=options["admin_username"],
                admin_display_name=options["admin_name"], admin_email=options["admin_email"],
                admin_password=password)
        except DomainError as exc:
            where = FIELD_OPTIONS.get(exc.field or "", "")
            raise CommandError(f"{where}: {exc.message}" if where else exc.message) from exc
        office = membership.office
        self.stdout.write(f"{office.code} {office.name} を作成しました。システム管理者 "
                          f"{membership.user.username} でログインし、職員を登録してください。")
