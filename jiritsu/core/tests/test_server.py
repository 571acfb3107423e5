"""The production start: gunicorn with gunicorn.conf.py on loopback, static files collected
by `manage.py collectstatic` (hashed, compressed, cached for a year), the test database."""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _database_url(tmp: Path, env: dict[str, str]) -> str:
    """PostgreSQL: the test database, opened by name. SQLite: the test database lives in
    memory, so the server gets a file of its own, migrated here."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp / 'server.sqlite3'}"
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=ROOT, env={**env, "DATABASE_URL": url}, check=True)
        return url
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def server(django_db_setup: Any, django_db_blocker: Any,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A gunicorn server as docs/operations.md starts it; yields its URL and its log file."""
    tmp_path = tmp_path_factory.mktemp("server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="jiritsu.settings", JIRITSU_VAR_DIR=str(tmp_path / "var"),
        JIRITSU_STATIC_MANIFEST="1", JIRITSU_SECRET_KEY="server-test-" + "k" * 40,
        JIRITSU_SECURE_COOKIES="0", JIRITSU_WORKERS="1",
        JIRITSU_BIND=f"127.0.0.1:{_free_port()}")
    with django_db_blocker.unblock():
        env["DATABASE_URL"] = _database_url(tmp_path, env)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                 "jiritsu.wsgi:application"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        url = f"http://{env['JIRITSU_BIND']}"
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(url + "/login/", timeout=2).read()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise AssertionError(log.read_text()) from None
                    time.sleep(0.2)
            else:
                raise AssertionError("gunicorn did not answer: " + log.read_text())
            yield url, log
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_gunicorn_serves_the_login_page_and_versioned_compressed_static_files(
        server: tuple[str, Path]) -> None:
    url, _ = server
    status, _, body = get(url + "/login/")
    assert status == 200
    page = body.decode()
    assert "ログイン" in page
    # The stylesheet is linked by its hashed name (a new release changes it) …
    found = re.search(r'href="(/static/css/jiritsu\.[0-9a-f]{12}\.css)"', page)
    assert found, page
    status, headers, body = get(url + found.group(1), **{"Accept-Encoding": "gzip"})
    assert status == 200
    # … served compressed and cached by the browser for a year.
    assert headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    assert gzip.decompress(body) == (ROOT / "static" / "css" / "jiritsu.css").read_bytes()
    # The unhashed name is not served by a production server (only hashed copies are kept).
    assert get(url + "/static/css/jiritsu.css")[0] == 404


def test_gunicorn_answers_the_health_endpoints(
        server: tuple[str, Path]) -> None:
    url, log = server
    status, headers, body = get(url + "/health/live")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, headers, body = get(url + "/health/ready", **{"X-Request-ID": "probe-0123456789"})
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"
    assert headers["X-Request-ID"] == "probe-0123456789"
