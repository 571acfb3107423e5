"""Backups: a backup of an office restores with every row; a lost or changed row, a damaged
dump or a missing attached file makes the check fail and says which table.

PostgreSQL only (pg_dump, pg_restore and a scratch database); each test makes one backup and
restores it at most once (a few seconds each)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tarfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jiritsu import testing as t
from jiritsu.documents import services as documents
from jiritsu.documents.access import Target
from jiritsu.documents.testing import pdf_bytes
from jiritsu.operations.backup import manifests
from jiritsu.people.models import Person

ON_POSTGRES = connection.vendor == "postgresql"
HAS_TOOLS = bool(shutil.which("pg_dump") and shutil.which("pg_restore"))
needs_postgres = pytest.mark.skipif(
    not (ON_POSTGRES and HAS_TOOLS),
    reason="backups are PostgreSQL's (pg_dump/pg_restore, a scratch database); this run uses "
           "SQLite (CI runs these tests again on PostgreSQL)" if not ON_POSTGRES else
           "pg_dump/pg_restore are not installed (Debian: postgresql-client)")


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def office_with_a_file(world: Any, _audit_flushable: None, settings: Any,
                       tmp_path_factory: Any) -> Any:
    """The test offices committed (pg_dump sees only committed rows), with an attached file,
    in storage folders of their own (other tests' files stay out of the archive's count)."""
    folder = tmp_path_factory.mktemp("backup-storage")
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder / "attachments")}}}
    settings.MEDIA_ROOT = str(folder / "media")
    documents.attachment_add(
        actor=world.m(world.caseworker), person=world.person,
        target=Target("person", world.person), data=pdf_bytes(), original_name="意見書.pdf",
        document_type="doctor_opinion", document_date=dt.date(2026, 4, 1))
    return world


def _manifest(folder: Path) -> tuple[Path, dict[str, Any]]:
    path = manifests(folder)[-1]
    return path, json.loads(path.read_text(encoding="utf-8"))


@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("office_with_a_file")
def test_a_backup_restores_with_every_row_and_file(tmp_path: Path) -> None:
    made = _run("backup", "--dir", str(tmp_path))
    assert "バックアップを作りました" in made
    manifest_path, manifest = _manifest(tmp_path)
    assert manifest["tables"]["people_person"]["rows"] == Person.objects.count() == 2
    assert manifest["tables"]["offices_office"]["rows"] == 2
    assert manifest["files"]["members"] == 1
    assert (tmp_path / manifest["dump"]["file"]).stat().st_mode & 0o077 == 0  # personal data

    out = _run("check_backup", str(manifest_path), "--live")
    assert "正常です" in out
    assert f"{len(manifest['tables'])}テーブル" in out
    assert f"{sum(t['rows'] for t in manifest['tables'].values()):,}行" in out
    # The scratch database is gone.
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s",
                    [f"{connection.settings_dict['NAME'][:30]}_check_%"])
        assert cur.fetchone()[0] == 0


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_lost_or_changed_row_or_file_fails_the_check_and_names_the_table(
        office_with_a_file: Any, tmp_path: Path) -> None:
    world = office_with_a_file
    spare = t.make_partner(world.office, name="後で消える関係機関")
    _run("backup", "--dir", str(tmp_path))
    manifest_path, manifest = _manifest(tmp_path)

    # A damaged dump is refused before anything is restored.
    dump = tmp_path / manifest["dump"]["file"]
    good = dump.read_bytes()
    dump.write_bytes(good[:-10] + bytes(10))
    with pytest.raises(CommandError, match="1件の相違"):
        _run("check_backup", str(dump))
    dump.write_bytes(good)

    # After the backup: one row deleted, one changed in the live database; the manifest
    # claims a row the dump does not hold; an attached file is gone from the files archive.
    spare.delete()
    Person.objects.filter(pk=world.person.pk).update(name="書き換え 太郎")
    manifest["tables"]["offices_office"]["rows"] += 1
    archive = tmp_path / manifest["files"]["file"]
    with tarfile.open(archive, "w:gz"):
        pass  # an empty archive
    manifest["files"].update(sha256=hashlib.sha256(archive.read_bytes()).hexdigest(),
                             members=0, content_bytes=0)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    out = StringIO()
    with pytest.raises(CommandError, match="4件の相違"):
        call_command("check_backup", str(manifest_path), "--live", stdout=out)
    lines = out.getvalue().splitlines()
    assert any("offices_office: 行数が違います（バックアップ時 3行、復元したデータベース 2行。1行足りません）"
               in line for line in lines), lines
    assert any("offices_partnerorganisation: 行数が違います（現在のデータベース" in line
               and "1行多くあります" in line for line in lines), lines
    assert any("people_person: 行数は同じ（2行）ですが、行の内容が現在のデータベースと違います"
               in line for line in lines), lines
    assert any("添付書類 1件のファイルがファイルのバックアップにない" in line for line in lines), lines
    assert not any(world.person.name in line for line in lines)  # no personal data in the report


@pytest.mark.skipif(ON_POSTGRES, reason="the refusal on SQLite")
def test_on_sqlite_the_backup_command_says_it_needs_postgresql(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="PostgreSQL のデータベースでだけ"):
        _run("backup", "--dir", str(tmp_path))


def test_the_backup_jobs_exist_only_with_a_backup_folder(settings: Any, tmp_path: Path) -> None:
    from jiritsu.operations.jobs import registry

    settings.BACKUP_DIR = None
    assert not {"backup", "check_backup"} & set(registry())
    settings.BACKUP_DIR = tmp_path
    jobs = registry()
    assert jobs["backup"].command == "backup"
    assert jobs["check_backup"].args == ("--latest",)
