"""Files that are safe to open: formula-like names entered through the caseload import are
kept as entered, and come out neutralised in every CSV and xlsx export (screen and API);
the API export is in each exported person's 開示 export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.core.spreadsheet import safe_cell, safe_row
from jiritsu.people.models import Person
from jiritsu.people.tests.test_import import HEADER
from jiritsu.reports.tests import conftest as report_fixtures
from jiritsu.reports.tests import factories as f
from jiritsu.reports.tests.conftest import History

pytestmark = pytest.mark.django_db
history = report_fixtures.history
D = f.D

# (Tab and carriage return are covered by test_the_rule: the import trims cells.)
NAMES = ['=HYPERLINK("http://x","クリック")', "+SUM(1+1) 花子", "-2+3 太郎", "@SUM(A1) 次郎"]


def _import(client: Client) -> list[Person]:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for i, name in enumerate(NAMES, start=1):
        w.writerow(["300001", str(i), "その他" if i == 1 else "", "港地区" if i == 1 else "",
                    "cw_a" if i == 1 else "", "R6.4.1" if i == 1 else "", name, "てすと",
                    "1980-01-01", "男", "", "", "", "", "", "", "", "", ""])
    upload = SimpleUploadedFile("caseload.csv", buf.getvalue().encode("utf-8"),
                                content_type="text/csv")
    res = client.post(reverse("people:import"), {"file": upload})
    assert res.status_code == 302, res.content.decode()[:2000]
    people = list(Person.objects.filter(household__case_number="300001").order_by("member_number"))
    assert [p.name for p in people] == NAMES  # the import keeps the text as entered
    return people


def _enroll(people: list[Person], history: History, world: Any) -> None:
    for p in people:
        f.enroll(p, history.employment, world.caseworker, candidate_on=D(2025, 5, 1),
                 started_on=D(2025, 5, 1))


def _csv_names(content: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return [r[2] for r in rows[1:]]


def _xlsx_cells(content: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    assert ws is not None
    return [c for row in ws.iter_rows(min_row=4) for c in row]


def _assert_neutralised(names: list[str]) -> None:
    expected = {"'" + n for n in NAMES}
    assert expected <= set(names), names
    assert not [n for n in names if n and n[0] in "=+-@\t\r"]


def test_formula_like_names_are_neutralised_in_csv_and_xlsx_on_screen_and_api(
        world: Any, history: History, api_as: Any) -> None:
    client = Client()
    client.force_login(world.supervisor)
    people = _import(client)
    _enroll(people, history, world)
    query = f"fy=2025&figure=participants&program={history.employment.pk}"

    screen_csv = client.get(f"/reports/people/?{query}&format=csv")
    assert screen_csv.status_code == 200
    _assert_neutralised(_csv_names(screen_csv.content))
    screen_xlsx = client.get(f"/reports/people/?{query}&format=xlsx")
    assert screen_xlsx.status_code == 200
    cells = _xlsx_cells(screen_xlsx.content)
    _assert_neutralised([c.value for c in cells if c.column == 3])
    assert not [c for c in cells if c.data_type == "f"]  # no cell is a formula
    # Numbers stay numbers (the member number column).
    assert {c.value for c in cells if c.column == 2} >= {1, 2, 3}

    api = api_as(world.supervisor)
    params = {"fiscal_year": 2025, "figure": "participants", "program_id": history.employment.pk}
    r = api.get("reports/people/export", params)
    assert r.status_code == 200
    _assert_neutralised(_csv_names(r.content))
    r = api.get("reports/people/export", params | {"format": "xlsx"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    _assert_neutralised([c.value for c in _xlsx_cells(r.content) if c.column == 3])

    # The API export is in each exported person's history and 開示 export.
    event = AuditEvent.objects.filter(action="report.people_export").latest("id")
    linked = set(AuditPerson.objects.filter(event=event).values_list("person_id", flat=True))
    assert {p.pk for p in people} <= linked
    res = client.post(f"/reports/disclose/{people[0].pk}/", {"format": "json"})
    rows = next(s for s in json.loads(res.content)["sections"] if s["key"] == "audit")["rows"]
    assert [r["形式"] for r in rows if r["操作"] == "報告書の対象者一覧として出力"] == [
        "CSV（UTF-8）", "Excel（xlsx）", "CSV（UTF-8）", "Excel（xlsx）"]
    events = api.get("audit/events", {"person_id": people[0].pk}).json()["results"]
    assert [e["action"] for e in events].count("report.people_export") == 4


def test_report_files_go_through_the_same_rule(world: Any, history: History,
                                               api_as: Any) -> None:
    """A program name that looks like a formula in the report's xlsx and CSV."""
    history.employment.name = "=1+1 就労支援"
    history.employment.save()
    api = api_as(world.supervisor)
    r = api.get("reports/export/xlsx", {"fiscal_year": 2025})
    wb = load_workbook(io.BytesIO(r.content))
    names = [row[0] for row in wb["プログラム別"].iter_rows(min_row=4, values_only=True)]
    assert "'=1+1 就労支援" in names
    r = api.get("reports/export/csv", {"fiscal_year": 2025, "table": "programs"})
    assert "'=1+1 就労支援" in r.content.decode("utf-8-sig")


def test_the_rule() -> None:
    assert safe_row(["=1", "+1", "-1", "@x", "\tx", "\rx", "a=1", "", None, -3, -2.5, 0]) == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=1", "", None, -3, -2.5, 0]
    from decimal import Decimal

    assert safe_cell(Decimal("-1.5")) == Decimal("-1.5")
