"""A small Playwright harness for the browser tests: Debian's Chromium, one per session.

Every page a test opens is watched: a console error (a Content-Security-Policy
violation included) or an uncaught exception fails the test. Screenshots go to
test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # next to one unless told it is safe (test set-up only; dev.py test sets it too).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page whose console errors and page errors are collected."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def shot(self, name: str, *, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    def assert_clean(self) -> None:
        # A 404 page is expected in some tests; its console message is not a fault.
        errors = [e for e in self.errors if "status of 404" not in e]
        assert not errors, f"console errors: {errors}"


def _audit_triggers(enable: bool) -> None:
    """Switch the audit log's append-only triggers (test database only).

    A live-server test runs outside a transaction, so its rows are removed by a flush
    afterwards — which the audit log's triggers rightly refuse. The browser tests turn
    them off just for that flush and back on when their module ends.
    """
    import importlib

    from django.db import connection

    migrations = [importlib.import_module(f"jiritsu.audit.migrations.{name}")
                  for name in ("0002_append_only_trigger", "0003_person_links",
                               "0006_person_alias")]
    with connection.cursor() as cur:
        for table in ("audit_auditevent", "audit_auditperson", "audit_personalias"):
            if connection.vendor == "postgresql":
                cur.execute(f"ALTER TABLE {table} {'ENABLE' if enable else 'DISABLE'} "
                            "TRIGGER USER")
        for migration in migrations:
            if connection.vendor == "sqlite":
                for sql in (migration.SQLITE_FORWARD if enable else migration.SQLITE_BACKWARD):
                    cur.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


@pytest.fixture(scope="module")
def _audit_triggers_back_on(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _audit_triggers(True)


@pytest.fixture
def _audit_flushable(_audit_triggers_back_on: None, transactional_db: Any) -> Iterator[None]:
    yield
    _audit_triggers(False)


@pytest.fixture
def open_page(browser: Any, live_server: Any, _audit_flushable: None) -> Iterator[Any]:
    """``open_page(width=1280, height=900)`` → a fresh, isolated, watched page."""
    contexts: list[Any] = []
    pages: list[Watched] = []

    def _open(*, width: int = 1280, height: int = 900) -> Watched:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo")
        ctx.set_default_timeout(8000)
        contexts.append(ctx)
        w = Watched(ctx.new_page(), live_server.url)
        pages.append(w)
        return w

    yield _open
    for ctx in contexts:
        ctx.close()
    for w in pages:
        w.assert_clean()


def log_in(w: Watched, username: str, password: str) -> None:
    """Through the real log-in form, as a person would."""
    w.goto("/login/")
    w.page.get_by_label("ユーザー名").fill(username)
    w.page.get_by_label("パスワード").fill(password)
    w.page.get_by_role("button", name="ログイン").click()
    w.page.wait_for_load_state("domcontentloaded")
