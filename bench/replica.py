"""A primary and a streaming read replica on this machine, and the smoke run that shows the
replica routing of jiritsu/core/replica.py working and failing over.

    python -m bench.replica up       # two throwaway clusters: primary :5441, replica :5442
    python -m bench.replica smoke    # migrate, then write / read / pause / stop (below)
    python -m bench.replica down     # stop both and delete their directories
    python -m bench.replica ci       # up + smoke + down (what .ci/run calls)

The clusters are made with the server's own tools (initdb, pg_basebackup -R, pg_ctl) as the
``postgres`` user under ``JIRITSU_REPLICA_DIR`` (default /var/tmp/jiritsu-replica), so the
machine's main cluster is not touched. After ``up`` the app runs against them with

    DATABASE_URL=postgres://postgres@127.0.0.1:5441/jiritsu \\
    JIRITSU_REPLICA_URL=postgres://postgres@127.0.0.1:5442/jiritsu python3 dev.py serve

The smoke run, each step checked (exit status 1 and a message on the first failure):
1. a report read by a manager comes from the replica (its queries run there);
2. with the replica's replay paused, the manager freezes the report (a write): their next
   report read goes to the primary and shows the new frozen entry (read-your-writes), while
   another manager who wrote nothing still reads from the replica;
3. replay resumed: once the replica has replayed the write, the manager reads from it again;
4. the replica stopped: the report still answers 200, from the primary.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE = Path(os.environ.get("JIRITSU_REPLICA_DIR", "/var/tmp/jiritsu-replica"))
PRIMARY_PORT = int(os.environ.get("JIRITSU_REPLICA_PRIMARY_PORT", "5441"))
REPLICA_PORT = int(os.environ.get("JIRITSU_REPLICA_PORT", "5442"))
DB = "jiritsu"
PRIMARY_URL = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}"
REPLICA_URL = f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}"


def _bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found under /usr/lib/postgresql (is PostgreSQL installed?)")
    return str(found[-1])


def _as_postgres(*cmd: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *cmd], check=True, stdout=subprocess.DEVNULL)


def _pg_ctl(datadir: Path, action: str, port: int | None = None) -> None:
    args = [_bin("pg_ctl"), "-D", str(datadir), "-w", "-t", "60"]
    if action == "start":
        args += [
            "-l",
            str(datadir.parent / f"{datadir.name}.log"),
            "-o",
            # Throwaway clusters: durability settings off, so migrating them is quick.
            f"-p {port} -k {BASE} -c listen_addresses=127.0.0.1 -c jit=off"
            " -c fsync=off -c full_page_writes=off -c synchronous_commit=off",
        ]
    if action == "stop":
        args += ["-m", "fast"]
    _as_postgres(*args, action)


def up() -> None:
    down(quiet=True)
    BASE.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(BASE, "postgres", "postgres")
    primary, replica = BASE / "primary", BASE / "replica"
    _as_postgres(
        _bin("initdb"),
        "-D",
        str(primary),
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
    )
    _pg_ctl(primary, "start", PRIMARY_PORT)
    _as_postgres(
        _bin("pg_basebackup"),
        "-h",
        "127.0.0.1",
        "-p",
        str(PRIMARY_PORT),
        "-U",
        "postgres",
        "-D",
        str(replica),
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
    )
    _pg_ctl(replica, "start", REPLICA_PORT)
    _as_postgres(
        _bin("psql"),
        "-h",
        "127.0.0.1",
        "-p",
        str(PRIMARY_PORT),
        "-U",
        "postgres",
        "-qc",
        f"CREATE DATABASE {DB}",
    )
    print(
        f"primary 127.0.0.1:{PRIMARY_PORT}, streaming replica 127.0.0.1:{REPLICA_PORT} under {BASE}"
    )


def down(*, quiet: bool = False) -> None:
    for name in ("replica", "primary"):
        datadir = BASE / name
        if (datadir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                _pg_ctl(datadir, "stop")
    if BASE.exists():
        shutil.rmtree(BASE)
    if not quiet:
        print(f"stopped and removed {BASE}")


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": PRIMARY_URL,
        "JIRITSU_REPLICA_URL": REPLICA_URL,
        "JIRITSU_TWO_FACTOR": "off",
        "JIRITSU_STATIC_MANIFEST": "0",
        "JIRITSU_SECURE_COOKIES": "0",
        "DJANGO_SETTINGS_MODULE": "jiritsu.settings",
    }


def smoke() -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"],
        check=True,
        env=_env(),
        cwd=ROOT,
    )
    # The checks run in a fresh interpreter whose settings see both databases.
    subprocess.run(
        [sys.executable, "-m", "bench.replica", "_checks"], check=True, env=_env(), cwd=ROOT
    )


class SmokeFailed(SystemExit):
    pass


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise SmokeFailed(f"replica smoke FAILED: {message}")
    print(f"  ok: {message}")


def _checks() -> None:
    import django

    django.setup()
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from jiritsu.core import clock, replica, wareki
    from jiritsu.offices.models import Membership
    from jiritsu.testing import make_household, make_office, make_person, make_user

    setup_test_environment()
    office = make_office()
    writer = make_user(office, Membership.Role.MANAGER)
    reader = make_user(office, Membership.Role.MANAGER)
    for _ in range(5):
        make_person(office, household=make_household(office))
    fy = wareki.fiscal_year_of(clock.today())
    url = f"/reports/?fy={fy}"

    def caught_up() -> None:
        target = replica.primary_position()
        for _ in range(200):
            with connections["replica"].cursor() as cur:
                cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cur.fetchone()[0]:
                    return
            time.sleep(0.05)
        raise SmokeFailed("the replica did not catch up within 10 s")

    def read(client: Client) -> tuple[Any, int]:
        """The report page and how many of its queries ran on the replica (besides the
        readiness check)."""
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            response = client.get(url)
        return response, max(0, len(on_replica.captured_queries) - 1)

    def replica_sql(sql: str) -> None:
        with connections["replica"].cursor() as cur:
            cur.execute(sql)

    w, r = Client(), Client()
    w.force_login(writer)
    r.force_login(reader)
    caught_up()

    print("1. reads from the replica")
    response, n = read(w)
    _check(
        response.status_code == 200 and n > 0,
        f"the report comes from the replica ({n} queries there)",
    )

    print("2. read-your-writes while the replica is held back")
    replica_sql("SELECT pg_wal_replay_pause()")
    before = len(response.context["history"])
    posted = w.post("/reports/freeze/", {"fy": str(fy), "note": "replica smoke"})
    _check(posted.status_code == 302, "the manager froze the report (a write on the primary)")
    response, n = read(w)
    _check(response.status_code == 200 and n == 0, "the writer's next read goes to the primary")
    _check(
        len(response.context["history"]) == before + 1,
        "and shows the frozen entry the paused replica does not have yet",
    )
    response, n = read(r)
    _check(
        response.status_code == 200 and n > 0,
        "another manager, who wrote nothing, still reads from the replica",
    )
    _check(
        len(response.context["history"]) == before,
        "(and sees the replica's state, without the new entry)",
    )

    print("3. replay resumed")
    replica_sql("SELECT pg_wal_replay_resume()")
    caught_up()
    response, n = read(w)
    _check(
        response.status_code == 200 and n > 0 and len(response.context["history"]) == before + 1,
        "once the write is replayed, the writer reads from the replica again",
    )

    print("4. the replica stopped")
    connections["replica"].close()
    _pg_ctl(BASE / "replica", "stop")
    with CaptureQueriesContext(connections["default"]) as on_primary:
        response = w.get(url)
    _check(
        response.status_code == 200 and len(on_primary.captured_queries) > 5,
        f"the report answers from the primary ({len(on_primary.captured_queries)} queries)",
    )
    started = time.monotonic()
    response = r.get(url)
    _check(
        response.status_code == 200 and time.monotonic() - started < 2,
        "and keeps answering without waiting on the stopped replica",
    )
    print("replica smoke passed")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.replica",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["up", "smoke", "down", "ci", "_checks"])
    command = parser.parse_args(argv).command
    if command == "up":
        up()
    elif command == "smoke":
        smoke()
    elif command == "down":
        down()
    elif command == "_checks":
        _checks()
    else:
        up()
        try:
            smoke()
        finally:
            down()


if __name__ == "__main__":
    main()
