"""Nothing a person reads shows a code: each role's main pages and the office's exports
are scanned for ASCII identifiers (snake_case codes such as ``employment_start``),
Django's default labels (``Consent object (1)``) and raw dicts or lists of a program.

The words come from ``core.labels`` and the models' labels; this scan is what keeps a new
screen or export from slipping a code through.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook

from jiritsu.web.tests.data import build_caseload

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"(?<![\w./:@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])")
DEFAULT_STR = re.compile(r"\b[A-Z][A-Za-z]+ object \(\d+\)")
RAW_DICT = re.compile(r"\{'[a-z_]+': |\{\"[a-z_]+\": |\['[a-z_]+'")
ROLES = ["caseworker", "supervisor", "manager", "support_staff", "partner", "admin"]


class _Text(HTMLParser):
    """The text a person reads: no tags, no scripts or styles, no attribute values
    except those read aloud or shown (``alt``, ``title``, ``placeholder``, ``aria-label``).
    ``<code>`` holds what is typed as it is (a log-in id, an API path) and is left out."""

    SHOWN_ATTRS = {"alt", "title", "placeholder", "aria-label"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code", "pre", "textarea"}:
            self._skip += 1
        for name, value in attrs:
            if name in self.SHOWN_ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code", "pre", "textarea"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def codes_in(text: str) -> list[str]:
    found = SNAKE.findall(text) + DEFAULT_STR.findall(text) + RAW_DICT.findall(text)
    return sorted(set(found))


def test_the_scan_finds_what_it_is_for() -> None:
    page = ("<p>成果：employment_start</p><p>Consent object (1)</p><p>{'op': 'and'}</p>"
            "<script>var a_b = 1;</script><a href='/x_y/'>戻る</a><p>令和8年4月1日</p>")
    assert codes_in(visible_text(page)) == ["Consent object (1)", "employment_start",
                                            "{'op': "]


@pytest.fixture
def caseload(world: Any) -> Any:
    built = build_caseload(world.office, caseworker=world.caseworker,
                           support=world.support_staff, partner_user=world.partner,
                           partner=world.partner_org, households=6)
    program = built.active[0].program
    program.code = "ueda_employment"  # the demo's kind of code: it must not reach a reader
    program.save(update_fields=["code"])
    return built


def _user(world: Any, role: str) -> Any:
    return {"caseworker": world.caseworker, "supervisor": world.supervisor,
            "manager": world.manager, "support_staff": world.support_staff,
            "partner": world.partner, "admin": world.admin}[role]


MENU = re.compile(r'<nav aria-label="メインメニュー">(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_main_pages_show_no_codes(client: Any, world: Any, caseload: Any,
                                             role: str) -> None:
    client.force_login(_user(world, role))
    home = client.get("/").content.decode()
    menu = MENU.search(home)
    assert menu is not None
    pages = ["/", *HREF.findall(menu.group(1))]
    active = caseload.active[0]
    if role != "partner":
        pages += [f"/people/{active.person_id}/", f"/programs/{active.program_id}/",
                  f"/programs/enrollments/{active.pk}/"]
    if role in {"supervisor", "manager"}:
        pages += ["/programs/approvals/", "/audit/"]
    found: dict[str, list[str]] = {}
    for path in dict.fromkeys(pages):
        resp = client.get(path)
        if resp.status_code in (403, 404):
            continue
        assert resp.status_code == 200, (path, resp.status_code)
        codes = codes_in(visible_text(resp.content.decode()))
        if codes:
            found[path] = codes
    assert found == {}


def test_the_reports_exports_show_no_codes(client: Any, world: Any, caseload: Any) -> None:
    client.force_login(world.supervisor)
    found: dict[str, list[str]] = {}
    for fmt in ("csv", "xlsx", "pdf"):
        resp = client.get(f"/reports/export/{fmt}/")
        assert resp.status_code == 200, fmt
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        if fmt == "csv":
            text = body.decode("utf-8-sig", errors="replace")
            rows = list(csv.reader(io.StringIO(text)))
            text = "\n".join(",".join(r) for r in rows)
        elif fmt == "xlsx":
            book = load_workbook(io.BytesIO(body), read_only=True)
            text = "\n".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                             for c in row if c is not None)
        else:
            out = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True,
                                 check=True)
            text = out.stdout.decode()
        codes = codes_in(text)
        if codes:
            found[fmt] = codes
    assert found == {}
