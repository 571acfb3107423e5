"""The server lock and the full (development) lock come from one set of pins."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\],]+)==([^\s;]+)", re.M)


def _pins(name: str) -> dict[str, str]:
    return {m[1].lower(): m[2] for m in PIN.finditer((ROOT / name).read_text())}


def test_the_server_installs_exactly_the_versions_development_and_ci_test() -> None:
    full, server = _pins("requirements.lock"), _pins("requirements-server.lock")
    assert server, "requirements-server.lock has no pins"
    assert {name: version for name, version in server.items() if full.get(name) != version} == {}


def test_development_tools_are_not_installed_on_a_server() -> None:
    server = _pins("requirements-server.lock")
    for tool in ("pytest", "playwright", "schemathesis", "locust", "ruff", "mypy",
                 "django-stubs", "import-linter", "time-machine"):
        assert tool not in server
    for needed in ("django", "gunicorn", "psycopg", "psycopg-pool", "whitenoise"):
        assert needed in server
