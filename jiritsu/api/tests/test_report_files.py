"""Reports through the API beyond the figures: the people behind a figure, report files,
frozen reports and the 開示請求 export — the same services, access and audit as the screens."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client

from jiritsu.audit.models import AuditEvent
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.tests import conftest as report_fixtures
from jiritsu.reports.tests import factories as f
from jiritsu.reports.tests.conftest import History

pytestmark = pytest.mark.django_db
history = report_fixtures.history  # the reports' known fiscal-year history (fixture)
D = f.D


def test_people_behind_a_figure_equal_the_screens_list_and_are_audited(
        world: Any, history: History, api_as: Any) -> None:
    program = history.employment.pk
    r = api_as(world.caseworker).get("reports/people", {"fiscal_year": 2025,
                                                        "figure": "participants",
                                                        "program_id": program})
    assert r.status_code == 200, r.content
    body = r.json()
    api_ids = [p["id"] for p in body["results"]]
    assert body["label"] == "精神障害者就労支援プログラム 参加者数"
    assert body["count"] == len(api_ids) == 4
    api_event = AuditEvent.objects.get(action="report.people")
    assert api_event.kind == AuditEvent.Kind.VIEW and sorted(api_event.changes["people"]) == sorted(api_ids)

    client = Client()
    client.force_login(world.caseworker)
    res = client.get(f"/reports/people/?fy=2025&figure=participants&program={program}")
    assert res.status_code == 200
    screen_ids = AuditEvent.objects.filter(action="report.people").order_by("-id")[0].changes["people"]
    assert screen_ids == api_ids  # same people, same order
    assert sorted(api_ids) == sorted(history.people[k].pk for k in ("p1", "p2", "p3", "p5"))


def test_people_pages_audit_what_each_page_shows(world: Any, history: History, api_as: Any) -> None:
    c = api_as(world.supervisor)
    first = c.get("reports/people", {"fiscal_year": 2025, "figure": "participants",
                                     "page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    logged = AuditEvent.objects.get(action="report.people").changes["people"]
    assert logged == [p["id"] for p in first["results"]]


def test_people_refusals(world: Any, history: History, api_as: Any) -> None:
    params = {"fiscal_year": 2025, "figure": "participants"}
    assert api_as(world.partner).get("reports/people", params).status_code == 403
    assert api_as(world.support_staff).get("reports/people", params).status_code == 403
    assert api_as(world.admin).get("reports/people", params).status_code == 403
    r = api_as(world.outsider).get("reports/people", params | {"program_id": history.employment.pk})
    assert r.status_code == 404 and r.json()["error"]["field"] == "program_id"
    r = api_as(world.caseworker).get("reports/people", params | {"figure": "nonsense"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "figure"
    r = api_as(world.caseworker).get("reports/people", {"figure": "ended", "start": "2025-04-01"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "end"
    r = api_as(world.caseworker).get("reports/people", {"figure": "ended", "start": "2025-04-01",
                                                        "end": "2024-04-01"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "end"
    assert not AuditEvent.objects.filter(action="report.people").exists()


def test_people_csv_export_and_the_cp932_refusal(world: Any, history: History, api_as: Any) -> None:
    f.enroll(world.person, history.employment, world.caseworker, candidate_on=D(2025, 5, 1),
             started_on=D(2025, 5, 1))
    c = api_as(world.caseworker)
    params = {"fiscal_year": 2025, "figure": "participants", "program_id": history.employment.pk}
    r = c.get("reports/people/export", params | {"encoding": "cp932"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "cp932_unencodable" and err["field"] == "encoding" and "「𠮷」" in err["message"]
    assert not AuditEvent.objects.filter(action="report.people_export").exists()
    r = c.get("reports/people/export", params)
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="people_A001_participants_')
    assert r.content.startswith(b"\xef\xbb\xbf") and "髙橋 𠮷子" in r.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(action="report.people_export")
    assert event.kind == AuditEvent.Kind.EXPORT and world.person.pk in event.changes["people"]


@pytest.mark.parametrize(("fmt", "media", "magic"), [
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
    ("pdf", "application/pdf", b"%PDF"),
])
def test_report_files_with_content_type_and_audit(world: Any, history: History, api_as: Any,
                                                  fmt: str, media: str, magic: bytes) -> None:
    r = api_as(world.caseworker).get(f"reports/export/{fmt}", {"fiscal_year": 2025})
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"] == media and r.content.startswith(magic)
    assert r["Content-Disposition"].startswith('attachment; filename="report_A001_20250401-20260331')
    event = AuditEvent.objects.get(action="report.export")
    assert event.kind == AuditEvent.Kind.EXPORT and event.changes["format"] == fmt


def test_report_csv_in_cp932_and_program_report_files(world: Any, history: History,
                                                      api_as: Any) -> None:
    c = api_as(world.caseworker)
    r = c.get("reports/export/csv", {"fiscal_year": 2025, "encoding": "cp932", "table": "takehara"})
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=Shift_JIS"
    assert "精神障害者就労支援プログラム" in r.content.decode("cp932")
    r = c.get("reports/export/xlsx", {"fiscal_year": 2025, "program_id": history.employment.pk})
    assert r.status_code == 200 and "_E01.xlsx" in r["Content-Disposition"]
    assert api_as(world.outsider).get(
        "reports/export/xlsx", {"program_id": history.employment.pk}).status_code == 404
    assert c.get("reports/export/doc").status_code == 422
    assert api_as(world.partner).get("reports/export/xlsx").status_code == 403
    assert api_as(world.admin).get("reports/export/xlsx").status_code == 403


def test_freeze_list_and_read_with_later_deltas(world: Any, history: History, api_as: Any) -> None:
    assert api_as(world.caseworker).post("reports/frozen", {"fiscal_year": 2025}).status_code == 403
    mgr = api_as(world.manager)
    r = mgr.post("reports/frozen", {"fiscal_year": 2025, "note": "県へ提出"})
    assert r.status_code == 201, r.content
    frozen = r.json()
    assert (frozen["label"], frozen["note"], frozen["frozen_by_id"]) == ("令和7年度", "県へ提出",
                                                                          world.manager.pk)
    assert frozen["deltas"] == [] and frozen["figures"]["totals"]["participants"] >= 1
    assert AuditEvent.objects.filter(action="report.freeze", kind="create").count() == 1

    # A later correction shows as a delta against the submitted figures.
    late = f.person(world.office, f.household(world.office, caseworker=world.caseworker))
    f.enroll(late, history.employment, world.caseworker, candidate_on=D(2025, 6, 1),
             started_on=D(2025, 6, 1))
    detail = api_as(world.caseworker).get(f"reports/frozen/{frozen['id']}").json()
    assert detail["deltas"] and detail["figures"] == frozen["figures"]
    listed = api_as(world.caseworker).get("reports/frozen", {"fiscal_year": 2025}).json()
    assert [x["id"] for x in listed["results"]] == [frozen["id"]]
    assert api_as(world.caseworker).get("reports/frozen", {"fiscal_year": 2024}).json()["count"] == 0

    assert api_as(world.outsider).get(f"reports/frozen/{frozen['id']}").status_code == 404
    assert api_as(world.partner).get("reports/frozen").status_code == 403
    r = mgr.post("reports/frozen", {"fiscal_year": 2025, "note": "x" * 2001})
    assert r.status_code == 422 and r.json()["error"]["field"] == "note"
    assert FrozenReport.objects.count() == 1


def test_disclosure_export_is_for_supervisors_and_audited(world: Any, api_as: Any) -> None:
    r = api_as(world.supervisor).get(f"people/{world.person.pk}/disclosure")
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".json") for n in names)
    event = AuditEvent.objects.get(action="person.disclose")
    assert event.kind == AuditEvent.Kind.EXPORT and event.person_id == world.person.pk
    r = api_as(world.supervisor).get(f"people/{world.person.pk}/disclosure", {"format": "json"})
    assert r.status_code == 200 and r.json()
    assert api_as(world.caseworker).get(f"people/{world.person.pk}/disclosure").status_code == 403
    assert api_as(world.partner).get(f"people/{world.person.pk}/disclosure").status_code == 403
    assert api_as(world.supervisor).get(f"people/{world.other_person.pk}/disclosure").status_code == 404
    r = api_as(world.supervisor).get(f"people/{world.person.pk}/disclosure", {"format": "doc"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "format"
    assert AuditEvent.objects.filter(action="person.disclose").count() == 2
