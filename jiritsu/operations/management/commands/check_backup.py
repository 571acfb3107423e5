"""manage.py check_backup — restore a backup into a scratch database and compare every table's
row count and checksum with the manifest written at backup time (--live: with the live
database too); check the files archive and the attachments it must hold. Exits non-zero when
anything differs. The scratch database is dropped whatever happens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiritsu.operations.backup import BackupError, check_backup, manifests
from jiritsu.operations.management.commands.backup import backup_folder


class Command(BaseCommand):
    help = ("バックアップを一時データベースに復元し、全テーブルの行数とチェックサムを"
            "目録（--live なら現在のデータベースとも）と比べます。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", nargs="?",
                            help="確認するバックアップ（.dump または .manifest.json）")
        parser.add_argument("--latest", action="store_true",
                            help="保存先のいちばん新しいバックアップを確認する")
        parser.add_argument("--dir", help="保存先のフォルダ（--latest のとき。既定: JIRITSU_BACKUP_DIR）")
        parser.add_argument("--live", action="store_true",
                            help="現在のデータベースとも比べる（バックアップ直後、更新のない時間に）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["backup"]:
            target = Path(options["backup"])
        elif options["latest"]:
            found = manifests(backup_folder(options["dir"]))
            if not found:
                raise CommandError("確認するバックアップがありません。")
            target = found[-1]
        else:
            raise CommandError("確認するバックアップのファイルか --latest を指定してください。")
        try:
            result = check_backup(target, against_live=options["live"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in result.notes:
            self.stdout.write(f"注意: {note}")
        for problem in result.problems:
            self.stdout.write(f"相違: {problem}")
        if not result.ok:
            raise CommandError(f"{target.name}: バックアップの確認で {len(result.problems)}件の"
                               "相違がありました（上の「相違」を見てください）。")
        self.stdout.write(f"{target.name}: 正常です。{result.tables}テーブル、{result.rows:,}行が"
                          f"すべて復元され、目録と一致しました（ファイル {result.files:,}件）。")
