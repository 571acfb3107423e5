"""The server processes the load tests start: gunicorn, PgBouncer, HAProxy, locust.

Each is the real program from the machine (Debian's pgbouncer and haproxy, gunicorn and
locust from the project's lock file), started on free loopback ports with its configuration
in a temporary folder, and stopped again. Used by bench/run.py (load test, pool) and
bench/scaleout.py (pooler, balancer).
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(base: str, path: str = "/login/", *, tries: int = 150) -> None:
    for _ in range(tries):
        try:
            urllib.request.urlopen(base + path, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not answer")


def start_gunicorn(env: dict[str, str], *, workers: int, port: int | None = None
                   ) -> tuple[subprocess.Popen[bytes], str]:
    """A gunicorn server of the app on 127.0.0.1 (waited for until it answers)."""
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "jiritsu.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         "--timeout", "60", "--graceful-timeout", "10"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base)
        # One worker answered; the others may not be forked yet, and a measurement that
        # starts now would leave them out (the load test's app CPU read a third or two
        # thirds of what the workers spent).
        deadline = time.monotonic() + 30
        while len(children(server.pid)) < workers:
            if time.monotonic() > deadline:
                raise AssertionError(f"{workers} gunicorn workers did not start")
            time.sleep(0.05)
    except AssertionError:
        stop(server)
        raise
    return server, base


def children(pid: int) -> list[int]:
    """The pids of a process's children (a gunicorn server's workers), from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def stop(process: subprocess.Popen[bytes], *, timeout: float = 20) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_locust(host: str, env: dict[str, str], *, users: int, seconds: int, spawn_rate: int,
               prefix: str) -> dict[str, dict[str, str]]:
    """Runs bench/locustfile.py against ``host``; the rows of its stats CSV by name."""
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
         "--headless", "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s",
         "--host", host, "--csv", prefix, "--only-summary", "--reset-stats",
         "--stop-timeout", "5", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, check=False, timeout=seconds + 120, stdout=subprocess.DEVNULL)
    with open(prefix + "_stats.csv", encoding="utf-8") as fh:
        return {row["Name"]: row for row in csv.DictReader(fh)}


def locust_failures(prefix: str) -> list[dict[str, str]]:
    try:
        with open(prefix + "_failures.csv", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError:
        return []


def _as_postgres() -> list[str]:
    """PgBouncer refuses to run as root: run it as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextmanager
def pgbouncer(server_port: int, *, pool_size: int = 20) -> Iterator[int]:
    """PgBouncer in transaction mode in front of the PostgreSQL server on 127.0.0.1; every
    database name passes through. Yields its port."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        raise FileNotFoundError("pgbouncer is not installed (apt install pgbouncer)")
    folder = tempfile.mkdtemp(prefix="jiritsu-pgbouncer-")
    port = free_port()
    Path(folder, "users.txt").write_text('"postgres" ""\n"root" ""\n', encoding="utf-8")
    Path(folder, "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={server_port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder}/users.txt\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\nmax_client_conn = 1000\n"
        # Django opens a connection with these; PgBouncer passes them on.
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {folder}/pgbouncer.log\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for name in os.listdir(folder):
            shutil.chown(os.path.join(folder, name), "postgres")
    process = subprocess.Popen([*_as_postgres(), binary, "-q", f"{folder}/pgbouncer.ini"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("pgbouncer did not start")
        yield port
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def haproxy(backends: list[str], *, check_path: str = "/health/live") -> Iterator[str]:
    """HAProxy on a free port balancing round-robin over ``backends`` (``host:port``), with a
    health check every second (a server is out after 2 failed checks; a check may take 5 s
    on a busy machine) and a retry of a refused connection on the other server. Yields its
    base URL."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(binary):
        raise FileNotFoundError("haproxy is not installed (apt install haproxy)")
    folder = tempfile.mkdtemp(prefix="jiritsu-haproxy-")
    port = free_port()
    servers = "".join(f"    server app{i} {b} check\n" for i, b in enumerate(backends, 1))
    config = Path(folder, "haproxy.cfg")
    config.write_text(
        "global\n    maxconn 2000\n"
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n"
        "    timeout server 60s\n    retries 3\n    option redispatch 1\n"
        "frontend web\n"
        f"    bind 127.0.0.1:{port}\n    default_backend app\n"
        "backend app\n    balance roundrobin\n"
        f"    option httpchk GET {check_path}\n"
        "    retry-on conn-failure empty-response response-timeout\n"
        "    timeout check 5s\n"
        "    default-server inter 1s fall 2 rise 2\n" + servers, encoding="utf-8")
    subprocess.run([binary, "-c", "-q", "-f", str(config)], check=True)
    process = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base, check_path)
        yield base
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def environment(**extra: Any) -> dict[str, str]:
    """The environment of a server started for a benchmark (plus ``extra``)."""
    from django.conf import settings

    env = dict(os.environ, JIRITSU_SECURE_COOKIES="0", DJANGO_SETTINGS_MODULE="jiritsu.settings")
    env.update({k: str(v) for k, v in extra.items()})
    # The server refuses the built-in development key: give it this process's key, which also
    # signs the sessions the load plans logged in with.
    env.setdefault("JIRITSU_SECRET_KEY", settings.SECRET_KEY)
    return env
