"""manage.py backup — the nightly backup: the database (pg_dump, custom format), the stored
files and a manifest of every table's rows, into JIRITSU_BACKUP_DIR (or --dir); older backups
beyond --keep are deleted. docs/operations.md, "Backups"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiritsu.operations.backup import BackupError, make_backup, prune


def backup_folder(given: str | None) -> Path:
    folder = given or settings.BACKUP_DIR
    if not folder:
        raise CommandError("バックアップの保存先がありません。--dir を指定するか、"
                           "JIRITSU_BACKUP_DIR を設定してください。")
    return Path(folder)


class Command(BaseCommand):
    help = ("データベース（pg_dump のカスタム形式）と保存ファイルをバックアップし、"
            "全テーブルの行数とチェックサムの目録を書きます。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="保存先のフォルダ（既定: JIRITSU_BACKUP_DIR）")
        parser.add_argument("--keep", type=int, default=None,
                            help="残す世代数（既定: JIRITSU_BACKUP_KEEP。0 なら削除しない）")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = backup_folder(options["dir"])
        try:
            made = make_backup(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"バックアップを作りました: {made.dump.name}（{made.tables}テーブル、"
                          f"{made.rows:,}行）、{made.files.name if made.files else 'ファイルなし'}、"
                          f"目録 {made.manifest.name}")
        keep = settings.BACKUP_KEEP if options["keep"] is None else options["keep"]
        removed = prune(folder, keep)
        if removed:
            self.stdout.write(f"古いバックアップを削除しました（{keep}世代を残す）: {', '.join(removed)}")
