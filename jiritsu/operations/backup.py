"""Backups: the database (pg_dump, custom format), a copy of the stored files, and a manifest;
and the check that restores a backup into a scratch database and compares it with the manifest.

A backup is three files with one stem in the backup folder:

* ``<stem>.dump`` — ``pg_dump -Fc`` of the database;
* ``<stem>.files.tar.gz`` — the attachment storage and MEDIA_ROOT (when they are on this
  server's file system; an object store is backed up by its own means);
* ``<stem>.manifest.json`` — what the backup holds: per table the row count and a checksum of
  the rows, the size and SHA-256 of the two files, the files archived.

The manifest is read from the very snapshot pg_dump copies (``pg_export_snapshot`` in a
repeatable-read transaction, ``pg_dump --snapshot``), so a busy server gives a manifest that
matches its dump exactly. ``check`` restores the dump into a new database, reads the same
figures there and names every difference in plain words; the scratch database is dropped
whatever happens. PostgreSQL only: pg_dump and pg_restore of the server's major version (or
newer) must be installed (Debian: postgresql-client).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from psycopg import sql

from jiritsu.core import clock

MANIFEST_FORMAT = "jiritsu-backup"
MANIFEST_VERSION = 1
DUMP_SUFFIX, FILES_SUFFIX, MANIFEST_SUFFIX = ".dump", ".files.tar.gz", ".manifest.json"
STEM_PATTERN = "jiritsu-*"

# Each row's text must come out the same in the live and the restored database, whatever the
# role's or database's own settings say.
_SESSION_SETTINGS = (
    "SET TIME ZONE 'UTC'", "SET datestyle = 'ISO, YMD'", "SET intervalstyle = 'postgres'",
    "SET extra_float_digits = 1", "SET bytea_output = 'hex'",
)


class BackupError(Exception):
    """A backup or check could not be done (a tool missing, a file unreadable …)."""


# ---------------------------------------------------------------- connection and tools

def _params(alias: str = "default") -> dict[str, Any]:
    conn = connections[alias]
    if conn.vendor != "postgresql":
        raise BackupError("バックアップとその確認は PostgreSQL のデータベースでだけ行えます"
                          f"（このデータベースは {conn.vendor} です）。")
    s = conn.settings_dict
    return {"dbname": s["NAME"], "user": s.get("USER") or None,
            "password": s.get("PASSWORD") or None, "host": s.get("HOST") or None,
            "port": str(s["PORT"]) if s.get("PORT") else None}


def _connect(params: dict[str, Any], **kw: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **kw)


def _env(params: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"),
                     ("password", "PGPASSWORD"), ("dbname", "PGDATABASE")):
        if params.get(key):
            env[var] = str(params[key])
    return env


def _tool(name: str, server_version_num: int) -> str:
    """The path of pg_dump/pg_restore, refusing one older than the server (it cannot read a
    newer server's catalogue, or a newer pg_dump's archive)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} が見つかりません。PostgreSQL のクライアント"
                          "（Debian: postgresql-client）を入れてください。")
    found = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.(\d+))?", found.stdout)
    major = int(match.group(1)) if match else 0
    if major < server_version_num // 10000:
        raise BackupError(f"{name} の版（{major}）がデータベースサーバーの版"
                          f"（{server_version_num // 10000}）より古いため使えません。"
                          "サーバーと同じ版のクライアントを入れてください。")
    return path


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise BackupError(f"{what}に失敗しました（終了コード {done.returncode}）:\n{tail}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- what a database holds

def _settle(cur: psycopg.Cursor[Any]) -> None:
    for statement in _SESSION_SETTINGS:
        cur.execute(statement)


def table_figures(cur: psycopg.Cursor[Any]) -> dict[str, dict[str, Any]]:
    """Every table of the database (outside the system schemas): its row count and a checksum
    of its rows that does not depend on their order (the sum of each row's MD5, in two 64-bit
    halves)."""
    _settle(cur)
    cur.execute("SELECT schemaname, tablename FROM pg_catalog.pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
                "AND schemaname NOT LIKE 'pg\\_temp%' ORDER BY schemaname, tablename")
    figures: dict[str, dict[str, Any]] = {}
    for schema, table in cur.fetchall():
        cur.execute(sql.SQL(
            "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0),"
            " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)"
            " FROM (SELECT md5(r::text) AS h FROM {} AS r) AS rows"
        ).format(sql.Identifier(schema, table)))
        row = cur.fetchone()
        assert row is not None
        count, high, low = row
        name = table if schema == "public" else f"{schema}.{table}"
        figures[name] = {"rows": int(count),
                         "checksum": hashlib.sha256(f"{count}:{high}:{low}".encode()).hexdigest()[:32]}
    return figures


def sequence_problems(cur: psycopg.Cursor[Any]) -> list[str]:
    """Identity and serial sequences that would hand out a number an existing row has."""
    cur.execute("""
        SELECT sn.nspname, s.relname, tn.nspname, t.relname, a.attname
        FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
        JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE s.relkind = 'S' ORDER BY t.relname, a.attname""")
    problems = []
    for seq_schema, seq, schema, table, column in cur.fetchall():
        cur.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(
            sql.Identifier(seq_schema, seq)))
        last_value, is_called = cur.fetchone() or (0, False)
        cur.execute(sql.SQL("SELECT max({}) FROM {}").format(
            sql.Identifier(column), sql.Identifier(schema, table)))
        (highest,) = cur.fetchone() or (None,)
        if highest is not None and (last_value < highest or (last_value == highest and not is_called)):
            problems.append(f"{table}.{column}: 次に振る番号（{last_value}）が既にある行の番号"
                            f"（最大 {highest}）と重なります。")
    return problems


# ---------------------------------------------------------------- stored files

def _file_roots() -> tuple[dict[str, Path], str]:
    """The folders to copy (archive name → folder) and, if the attachments are elsewhere, why
    they are not copied."""
    roots: dict[str, Path] = {}
    note = ""
    attachments = storages["attachments"]
    if isinstance(attachments, FileSystemStorage):
        roots["attachments"] = Path(attachments.location)
    else:
        note = (f"添付書類は {type(attachments).__name__} に保存されているため、このバックアップには"
                "含まれません。保存先（オブジェクトストレージ）側でバックアップしてください。")
    roots["media"] = Path(settings.MEDIA_ROOT)
    return roots, note


def _archive_files(target: Path) -> dict[str, Any]:
    roots, note = _file_roots()
    members, content_bytes = 0, 0
    with tarfile.open(target, "w:gz") as tar:
        for arcname, folder in roots.items():
            if not folder.is_dir():
                continue
            tar.add(folder, arcname=arcname, recursive=False)
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=f"{arcname}/{path.relative_to(folder).as_posix()}",
                            recursive=False)
                    members += 1
                    content_bytes += path.stat().st_size
                elif path.is_dir():
                    tar.add(path, arcname=f"{arcname}/{path.relative_to(folder).as_posix()}",
                            recursive=False)
    return {"file": target.name, "bytes": target.stat().st_size, "sha256": _sha256(target),
            "members": members, "content_bytes": content_bytes, "note": note}


def _archived_files(path: Path) -> dict[str, int]:
    """Regular files in a files archive: name → size."""
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: m.size for m in tar.getmembers() if m.isfile()}


# ---------------------------------------------------------------- making a backup

@dataclasses.dataclass(frozen=True)
class Backup:
    dump: Path
    files: Path | None
    manifest: Path
    tables: int
    rows: int


def make_backup(folder: Path, *, alias: str = "default") -> Backup:
    """Dump the database, copy the stored files and write the manifest into ``folder``."""
    params = _params(alias)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"jiritsu-{clock.now():%Y%m%d-%H%M%S}"
    dump, files, manifest = (folder / f"{stem}{suffix}"
                             for suffix in (DUMP_SUFFIX, FILES_SUFFIX, MANIFEST_SUFFIX))
    with _connect(params) as conn, conn.cursor() as cur:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        cur.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')::int,"
                    " current_setting('server_version')")
        row = cur.fetchone()
        assert row is not None
        snapshot, version_num, version = row
        pg_dump = _tool("pg_dump", version_num)
        partial = dump.with_name(dump.name + ".part")
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"],
             _env(params), "pg_dump（データベースのバックアップ）")
        tables = table_figures(cur)
        conn.rollback()
    partial.chmod(0o600)  # it holds every person's data
    partial.rename(dump)
    files_part = files.with_name(files.name + ".part")
    files_part.touch(mode=0o600)
    files_info = _archive_files(files_part)
    files_part.rename(files)
    files_info["file"] = files.name
    body = {
        "format": MANIFEST_FORMAT, "version": MANIFEST_VERSION,
        "created_at": clock.now().isoformat(timespec="seconds"),
        "database": params["dbname"], "server_version": version,
        "dump": {"file": dump.name, "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
        "files": files_info, "tables": tables,
    }
    manifest.touch(mode=0o600)
    manifest.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return Backup(dump, files, manifest, len(tables), sum(t["rows"] for t in tables.values()))


def manifests(folder: Path) -> list[Path]:
    """The manifests in a backup folder, oldest first (the stem carries the time)."""
    return sorted(folder.glob(f"{STEM_PATTERN}{MANIFEST_SUFFIX}"))


def prune(folder: Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` backups (the three files of each)."""
    removed = []
    for manifest in manifests(folder)[:-keep] if keep > 0 else []:
        stem = manifest.name.removesuffix(MANIFEST_SUFFIX)
        for suffix in (DUMP_SUFFIX, FILES_SUFFIX, MANIFEST_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                (folder / f"{stem}{suffix}").unlink()
        removed.append(stem)
    return removed


# ---------------------------------------------------------------- checking a backup

@dataclasses.dataclass
class CheckResult:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(path: Path) -> dict[str, Any]:
    if path.name.endswith(DUMP_SUFFIX):
        path = path.with_name(path.name.removesuffix(DUMP_SUFFIX) + MANIFEST_SUFFIX)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"目録（{path.name}）が見つかりません。") from None
    except ValueError:
        raise BackupError(f"目録（{path.name}）が読めません（壊れています）。") from None
    if body.get("format") != MANIFEST_FORMAT or body.get("version") != MANIFEST_VERSION:
        raise BackupError(f"{path.name} は Jiritsu のバックアップの目録ではありません。")
    body["_folder"] = str(path.parent)
    return body


def compare_tables(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]],
                   *, expected_label: str, actual_label: str) -> list[str]:
    """Every difference between two sets of table figures, one sentence each."""
    problems = []
    for name in sorted(expected.keys() | actual.keys()):
        want, got = expected.get(name), actual.get(name)
        if got is None:
            assert want is not None
            problems.append(f"{name}: {expected_label}にある表が{actual_label}にありません"
                            f"（{want['rows']:,}行）。")
        elif want is None:
            problems.append(f"{name}: {actual_label}に{expected_label}にない表があります"
                            f"（{got['rows']:,}行）。")
        elif want["rows"] != got["rows"]:
            gap = want["rows"] - got["rows"]
            how = f"{gap:,}行足りません" if gap > 0 else f"{-gap:,}行多くあります"
            problems.append(f"{name}: 行数が違います（{expected_label} {want['rows']:,}行、"
                            f"{actual_label} {got['rows']:,}行。{how}）。")
        elif want["checksum"] != got["checksum"]:
            problems.append(f"{name}: 行数は同じ（{got['rows']:,}行）ですが、行の内容が"
                            f"{expected_label}と違います。")
    return problems


def _attachment_problems(cur: psycopg.Cursor[Any], archived: dict[str, int]) -> list[str]:
    """Attachments the restored database names whose file is not in the files archive."""
    model = apps.get_model("documents", "Attachment") if apps.is_installed(
        "jiritsu.documents") else None
    if model is None:
        return []
    cur.execute(sql.SQL("SELECT storage_name, size FROM {} WHERE purged_at IS NULL").format(
        sql.Identifier(model._meta.db_table)))
    missing = [name for name, size in cur.fetchall()
               if archived.get(f"attachments/{name}") != size]
    if not missing:
        return []
    return [f"添付書類 {len(missing):,}件のファイルがファイルのバックアップにないか、大きさが違います"
            f"（例: {missing[0]}）。"]


@contextlib.contextmanager
def scratch_database(params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A new, empty database beside the live one, dropped on the way out."""
    name = f"{str(params['dbname'])[:30]}_check_{secrets.token_hex(4)}"
    with _connect(params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield {**params, "dbname": name}
    finally:
        with _connect(params, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def check_backup(manifest_path: Path, *, against_live: bool = False,
                 alias: str = "default") -> CheckResult:
    """Restore the backup into a scratch database and compare it with its manifest (and, with
    ``against_live``, with the live database as it is now)."""
    params = _params(alias)
    manifest = read_manifest(manifest_path)
    folder = Path(manifest["_folder"])
    result = CheckResult()
    dump = folder / manifest["dump"]["file"]
    if not dump.is_file():
        raise BackupError(f"データベースのバックアップ（{dump.name}）が見つかりません。")
    if _sha256(dump) != manifest["dump"]["sha256"]:
        result.problems.append(f"{dump.name}: ファイルが目録の記録と違います（壊れているか、"
                               "書き換えられています）。復元は試みませんでした。")
        return result

    archived: dict[str, int] | None = None
    files = manifest.get("files") or {}
    if files.get("note"):
        result.notes.append(files["note"])
    if files.get("file"):
        archive = folder / files["file"]
        if not archive.is_file():
            result.problems.append(f"{archive.name}: ファイルのバックアップが見つかりません。")
        elif _sha256(archive) != files["sha256"]:
            result.problems.append(f"{archive.name}: ファイルのバックアップが目録の記録と違います"
                                   "（壊れているか、書き換えられています）。")
        else:
            archived = _archived_files(archive)
            result.files = len(archived)
            if (len(archived), sum(archived.values())) != (files["members"], files["content_bytes"]):
                result.problems.append(
                    f"{archive.name}: ファイルの数か大きさが目録と違います（目録 {files['members']:,}件、"
                    f"中身 {len(archived):,}件）。")

    with _connect(params) as live, live.cursor() as cur:
        cur.execute("SELECT current_setting('server_version_num')::int")
        (version_num,) = cur.fetchone() or (0,)
        pg_restore = _tool("pg_restore", version_num)
        live_tables = table_figures(cur) if against_live else None
        live.rollback()

    with scratch_database(params) as scratch:
        _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
              f"--dbname={scratch['dbname']}", str(dump)], _env(scratch),
             "pg_restore（復元）")
        with _connect(scratch) as conn, conn.cursor() as cur:
            restored = table_figures(cur)
            result.problems += sequence_problems(cur)
            if archived is not None:
                result.problems += _attachment_problems(cur, archived)
    result.tables = len(restored)
    result.rows = sum(t["rows"] for t in restored.values())
    result.problems += compare_tables(manifest["tables"], restored,
                                      expected_label="バックアップ時", actual_label="復元したデータベース")
    if live_tables is not None:
        result.problems += compare_tables(live_tables, restored,
                                          expected_label="現在のデータベース",
                                          actual_label="復元したデータベース")
    return result
