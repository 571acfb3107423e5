"""Reads and exports of many people name each person they carried (one link per person),
so each person's history (audit browser, API) and 開示 export show them; the links are
append-only like the events."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.audit.selectors import office_events
from jiritsu.people import services as people_services
from jiritsu.people.models import Person
from jiritsu.reports import services
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import conftest as report_fixtures
from jiritsu.reports.tests import factories as f
from jiritsu.reports.tests.conftest import History
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db
history = report_fixtures.history
FY2025 = Period.for_fiscal_year(2025)
PARTICIPANTS = ("p1", "p2", "p3", "p5")


def _disclosed_audit_rows(client: Any, person: Person) -> list[dict[str, Any]]:
    res = client.post(f"/reports/disclose/{person.pk}/", {"format": "json"})
    assert res.status_code == 200
    doc = json.loads(res.content)
    return next(s for s in doc["sections"] if s["key"] == "audit")["rows"]


def test_people_export_on_screen_is_in_each_persons_disclosure(client: Any, world: Any,
                                                               history: History) -> None:
    client.force_login(world.supervisor)
    program = history.employment.pk
    res = client.get(f"/reports/people/?fy=2025&figure=participants&program={program}"
                     "&format=csv")
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    res = client.get(f"/reports/people/?fy=2025&figure=participants&program={program}"
                     "&format=xlsx")
    assert res.status_code == 200 and res.content.startswith(b"PK")
    csv_event, xlsx_event = AuditEvent.objects.filter(
        action="report.people_export").order_by("id")
    expected = sorted(history.people[k].pk for k in PARTICIPANTS)
    for event in (csv_event, xlsx_event):
        # One link per person per export, written with the event.
        links = AuditPerson.objects.filter(event=event)
        assert sorted(links.values_list("person_id", flat=True)) == expected
        assert set(links.values_list("office_id", flat=True)) == {world.office.pk}
    for key in PARTICIPANTS:
        rows = _disclosed_audit_rows(client, history.people[key])
        exported = [r for r in rows if r["操作"] == "報告書の対象者一覧として出力"]
        assert [(r["職員"], r["種別"], r["形式"]) for r in exported] == [
            ("高橋 次郎", "出力", "CSV（UTF-8）"), ("高橋 次郎", "出力", "Excel（xlsx）")]
    # Someone not in the figure does not see the export in their disclosure.
    rows = _disclosed_audit_rows(client, history.people["p4"])
    assert not [r for r in rows if r["操作"] == "報告書の対象者一覧として出力"]


def test_drill_down_list_is_in_each_persons_history_on_the_audit_screen(
        client: Any, world: Any, history: History) -> None:
    client.force_login(world.supervisor)
    res = client.get(f"/reports/people/?fy=2025&figure=participants"
                     f"&program={history.employment.pk}")
    assert res.status_code == 200
    event = AuditEvent.objects.get(action="report.people")
    assert event.person_id is None
    p2 = history.people["p2"]
    assert list(office_events(world.office.pk, person_id=p2.pk).filter(
        action="report.people")) == [event]
    page = client.get(f"/audit/?person={p2.pk}").content.decode()
    assert "報告書の対象者一覧として閲覧" in page and "対象者一覧（4人）" in page
    page = client.get(f"/audit/?person={history.people['p4'].pk}").content.decode()
    assert "報告書の対象者一覧として閲覧" not in page


def test_links_stay_in_their_office(world: Any, history: History) -> None:
    """A link names the office of the event: another office filtering by the same id sees
    nothing of it."""
    p1 = history.people["p1"]
    record(actor=world.supervisor, office=world.office, action="report.people",
           kind=AuditEvent.Kind.VIEW, people=[p1, p1, p1.pk])
    assert AuditPerson.objects.filter(person_id=p1.pk).count() == 1  # repeats left out
    assert office_events(world.office.pk, person_id=p1.pk).count() == 1
    assert office_events(world.other_office.pk, person_id=p1.pk).count() == 0


def test_household_update_is_in_every_members_history(world: Any) -> None:
    hh = world.household
    second = f.person(world.office, hh)
    m = world.m(world.caseworker)
    people_services.household_update(actor=m, household=hh, expected_version=hh.version,
                                     data={"district": "港地区"})
    event = AuditEvent.objects.get(action="household.update")
    assert sorted(AuditPerson.objects.filter(event=event).values_list("person_id", flat=True)) \
        == sorted([world.person.pk, second.pk])
    for member in (world.person, second):
        assert office_events(world.office.pk, person_id=member.pk).filter(pk=event.pk).exists()


def test_export_of_a_list_through_the_service_links_and_rolls_back_together(
        world: Any, history: History) -> None:
    m = world.m(world.supervisor)
    listed = [history.people[k] for k in PARTICIPANTS]

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.people_export(actor=m, period=FY2025, figure="participants", people=listed,
                               label="参加者数")
        raise Boom
    assert not AuditPerson.objects.exists()
    out = services.people_export(actor=m, period=FY2025, figure="participants", people=listed,
                                 label="参加者数", fmt="xlsx")
    assert out.filename.endswith(".xlsx")
    assert AuditPerson.objects.count() == len(listed)


def test_links_cannot_be_changed_or_deleted(world: Any) -> None:
    event = record(actor=world.caseworker, office=world.office, action="x.test",
                   people=[world.person])
    link = AuditPerson.objects.get(event=event)
    link.person_id = 999
    with pytest.raises(PermissionError):
        link.save()
    with pytest.raises(PermissionError):
        link.delete()
    with pytest.raises(PermissionError):
        AuditPerson.objects.filter(pk=link.pk).update(person_id=999)
    with pytest.raises(PermissionError):
        AuditPerson.objects.filter(pk=link.pk).delete()
    for sql in ("UPDATE audit_auditperson SET person_id = 999 WHERE id = %s",
                "DELETE FROM audit_auditperson WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [link.pk])
    assert AuditPerson.objects.get(pk=link.pk).person_id == world.person.pk


def test_disclosure_zip_carries_the_linked_rows_in_the_pdf_too(client: Any, world: Any,
                                                                history: History) -> None:
    client.force_login(world.supervisor)
    p1 = history.people["p1"]
    services.people_export(actor=world.m(world.supervisor), period=FY2025,
                           figure="participants", people=[p1], label="参加者数",
                           encoding="cp932")
    res = client.post(f"/reports/disclose/{p1.pk}/", {"format": "zip"})
    zf = zipfile.ZipFile(io.BytesIO(res.content))
    doc = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith(".json"))))
    rows = next(s for s in doc["sections"] if s["key"] == "audit")["rows"]
    assert any(r["形式"] == "CSV（Shift_JIS）" for r in rows)


def test_the_database_triggers_exist_after_all_migrations() -> None:
    """Altering the link table must not lose its triggers (SQLite rebuilds tables)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                        "AND tbl_name = 'audit_auditperson'")
        else:
            cur.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = "
                        "'audit_auditperson'::regclass AND NOT tgisinternal")
        names = {row[0] for row in cur.fetchall()}
    assert len(names) == 2, names


def test_search_results_and_the_api_people_list_are_in_each_listed_persons_history(
        client: Any, world: Any) -> None:
    """A list of names is a read of each person on it: the search screen and GET /people
    write one event naming everyone listed; a search that finds nobody writes nothing."""
    client.force_login(world.caseworker)
    assert client.get("/search/", {"q": "たかはし"}).status_code == 200
    event = AuditEvent.objects.get(action="person.search")
    assert list(AuditPerson.objects.filter(event=event)
                .values_list("person_id", flat=True)) == [world.person.pk]
    assert "たかはし" in event.note
    client.get("/search/", {"q": "べっし"})  # the other office's person: not found, not logged
    assert AuditEvent.objects.filter(action="person.search").count() == 1

    res = ApiClient(token_for(world, world.caseworker)).get("people")
    assert res.status_code == 200
    api_event = AuditEvent.objects.get(action="person.list")
    assert world.person.pk in set(AuditPerson.objects.filter(event=api_event)
                                  .values_list("person_id", flat=True))
    rows = _disclosed_audit_rows_as(client, world, world.person)
    assert {"検索結果の一覧として閲覧", "世帯員の一覧として閲覧（API）"} <= {r["操作"] for r in rows}


def _disclosed_audit_rows_as(client: Any, world: Any, person: Person) -> list[dict[str, Any]]:
    client.force_login(world.supervisor)
    return _disclosed_audit_rows(client, person)
