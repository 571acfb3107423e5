#!/usr/bin/env python3
"""Jiritsu developer entry point. Needs only python3 (with venv) and the package registries.

    python3 dev.py serve   # venv + install + migrate SQLite under var/ + demo office + serve :8000
    python3 dev.py test    # the whole suite (ruff, mypy, import contracts, migrations check, pytest); DATABASE_URL picks the DB
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".jiritsu-installed"


def run(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode


def ensure_venv() -> None:
    if not PY.exists():
        print("Creating virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    run(PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "uv==0.13.9")
    # The package registry can drop a connection now and then: try again before giving up.
    for attempt in range(1, 4):
        if run(PY, "-m", "uv", "pip", "install", "-q", "--python", PY, "-r", LOCK,
               check=attempt == 3) == 0:
            break
        print(f"Install failed (attempt {attempt} of 3); retrying …", flush=True)
        time.sleep(5 * attempt)
    STAMP.write_text(digest)


def django_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")
    env.update(extra)
    return env


def secret_key() -> str:
    """JIRITSU_SECRET_KEY, or one generated once and kept in var/secret_key (the server does
    not start with the built-in development key)."""
    if os.environ.get("JIRITSU_SECRET_KEY"):
        return os.environ["JIRITSU_SECRET_KEY"]
    path = Path(os.environ.get("JIRITSU_VAR_DIR", ROOT / "var")) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def serve() -> None:
    ensure_venv()
    # The development server reads static/ as it is (no collectstatic; a server runs it).
    # The demo office's log-ins work with the password alone unless JIRITSU_TWO_FACTOR=on is
    # given (then managers and administrators register an authenticator app at their first
    # sign-in, as in an office; docs/signin.md). A server of an office always asks.
    env = django_env(JIRITSU_SECURE_COOKIES="0", JIRITSU_SECRET_KEY=secret_key(),
                     JIRITSU_STATIC_MANIFEST="0",
                     JIRITSU_TWO_FACTOR=os.environ.get("JIRITSU_TWO_FACTOR", "off"))
    run(PY, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    run(PY, "manage.py", "load_demo", "--if-missing", env=env)
    if env["JIRITSU_TWO_FACTOR"] == "off":
        print("\n二要素認証はデモのため停止しています（JIRITSU_TWO_FACTOR=on python3 dev.py serve で有効）。",
              flush=True)
    print("\nJiritsu: http://127.0.0.1:8000/  (Ctrl+C で終了)\n", flush=True)
    os.execve(str(PY), [str(PY), "manage.py", "runserver", "127.0.0.1:8000", "--noreload"], env)


def test(args: list[str]) -> None:
    ensure_venv()
    env = django_env(JIRITSU_SECURE_COOKIES="0", DJANGO_ALLOW_ASYNC_UNSAFE="true")
    run(PY, "-m", "ruff", "check", "jiritsu", "bench", "conftest.py", "dev.py", env=env)
    run(PY, "-m", "mypy", "--cache-dir", ROOT / "var" / "mypy_cache", "jiritsu", env=env)
    run(VENV / "bin" / "lint-imports", env=env)  # the import contracts in pyproject.toml
    run(PY, "manage.py", "makemigrations", "--check", "--dry-run", "-v", "0", env=env)
    # Two workers by default (the CI machines have two cores); JIRITSU_TEST_WORKERS=0 runs
    # everything in one process (easier to debug).
    workers = os.environ.get("JIRITSU_TEST_WORKERS", "2")
    parallel = ["-n", workers] if workers not in {"", "0", "1"} else []
    run(PY, "-m", "pytest", "-q", "--create-db", *parallel, *args, env=env)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "serve":
        serve()
    else:
        try:
            test(sys.argv[2:])
        except subprocess.CalledProcessError as exc:
            sys.exit(exc.returncode or 1)


if __name__ == "__main__":
    main()
