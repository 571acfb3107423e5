"""The audit log: written with every change, in the same transaction, and never rewritten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.errors import StaleEdit
from jiritsu.people import services
from jiritsu.people.models import Person

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_change_writes_one_row_with_actor_office_target_and_masked_before_after(world):
    m = world.m(world.caseworker)
    services.person_update(actor=m, person=world.person, expected_version=world.person.version,
                           data={"address_number": "A-123", "earned_income": 50000})
    ev = AuditEvent.objects.get(action="person.update")
    assert (ev.actor_id, ev.office_id, ev.person_id) == (world.caseworker.pk, world.office.pk, world.person.pk)
    assert ev.target_type == "people.Person" and ev.target_id == str(world.person.pk)
    assert ev.changes["earned_income"] == [0, 50000]
    assert ev.changes["address_number"] == ["", "＊＊＊"]  # 宛名番号 never in the log


def test_a_refused_change_writes_no_row(world):
    m = world.m(world.caseworker)
    with pytest.raises(StaleEdit):
        services.person_update(actor=m, person=world.person, expected_version=99,
                               data={"earned_income": 1})
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_a_rolled_back_change_takes_its_audit_row_with_it(world):
    m = world.m(world.caseworker)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.person_update(actor=m, person=world.person, expected_version=world.person.version,
                               data={"earned_income": 7})
        raise Boom
    assert not AuditEvent.objects.filter(action="person.update").exists()
    assert Person.objects.get(pk=world.person.pk).earned_income == 0


def test_rows_cannot_be_changed_or_deleted_through_the_orm(world):
    ev = record(actor=world.caseworker, office=world.office, action="x.test")
    ev.action = "tampered"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=ev.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=ev.pk).delete()
    assert AuditEvent.objects.get(pk=ev.pk).action == "x.test"


@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s",
                                 "DELETE FROM audit_auditevent WHERE id = %s"])
def test_database_trigger_refuses_raw_update_and_delete(world, sql):
    ev = record(actor=world.caseworker, office=world.office, action="x.test")
    assert connection.vendor in {"sqlite", "postgresql"}
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [ev.pk])
    assert AuditEvent.objects.get(pk=ev.pk).action == "x.test"


def test_audit_rows_outlive_what_they_describe(world):
    from jiritsu.people.models import Disability

    m = world.m(world.caseworker)
    part = services.part_create(actor=m, person=world.person, kind="disabilities",
                                data={"kind": "physical", "grade": "3級"})
    pk = part.pk
    services.part_delete(actor=m, part=part)
    rows = AuditEvent.objects.filter(target_type="people.Disability", target_id=str(pk))
    assert set(rows.values_list("action", flat=True)) == {"disability.create", "disability.delete"}
    assert not Disability.objects.filter(pk=pk).exists()


def test_viewing_a_person_is_logged(client, world):
    client.force_login(world.support_staff)
    client.get(reverse("people:person", args=[world.person.pk]))
    ev = AuditEvent.objects.get(kind=AuditEvent.Kind.VIEW, person_id=world.person.pk)
    assert ev.actor_id == world.support_staff.pk


@pytest.mark.parametrize("persona", ["supervisor", "manager"])
def test_supervisors_and_managers_filter_the_log_by_person_staff_and_date(client, world, persona):
    record(actor=world.caseworker, office=world.office, action="person.view", kind="view",
           person=world.person, target=world.person)
    record(actor=world.caseworker2, office=world.office, action="household.update", kind="update")
    record(actor=world.outsider, office=world.other_office, action="person.view", kind="view",
           person=world.other_person)
    client.force_login(getattr(world, persona))
    url = reverse("audit:list")
    body = client.get(url, {"person": world.person.pk}).content.decode()
    assert "世帯員・閲覧" in body and "世帯の変更" not in body
    body = client.get(url, {"actor": world.caseworker2.pk}).content.decode()
    assert "世帯の変更" in body and "世帯員・閲覧" not in body
    today = clock.today()
    body = client.get(url, {"from": (today + dt.timedelta(days=1)).isoformat()}).content.decode()
    assert "世帯の変更" not in body
    body = client.get(url, {"from": today.isoformat(), "to": today.isoformat()}).content.decode()
    assert "世帯の変更" in body
    assert "別市 太郎" not in client.get(url).content.decode()  # other office's rows never shown
    assert "読めません" in client.get(url, {"from": "きのう"}).content.decode()


def test_wild_ids_in_the_audit_filters_are_never_an_error(client, world):
    """Digits beyond a database key (an overflow on PostgreSQL) match nothing; ``²`` or
    full-width digits (``str.isdigit`` but not ASCII) are no filter."""
    record(actor=world.caseworker2, office=world.office, action="household.update", kind="update")
    client.force_login(world.supervisor)
    url = reverse("audit:list")
    for raw in ("2147483648", "9" * 30, "9" * 5000):
        resp = client.get(url, {"person": raw, "actor": raw})
        assert resp.status_code == 200 and "世帯の変更" not in resp.content.decode()
    for raw in ("²", "１２", "abc", "-1"):
        resp = client.get(url, {"person": raw, "actor": raw})
        assert resp.status_code == 200 and "世帯の変更" in resp.content.decode()


def test_caseworkers_cannot_see_the_audit_log(client, world):
    client.force_login(world.caseworker)
    assert client.get(reverse("audit:list")).status_code == 403


def test_the_log_reads_in_japanese_names_labels_and_wareki(client, world):
    """Who, did what, to whom, when, what changed — never a code, an id or a raw dict."""
    record(actor=world.caseworker, office=world.office, action="person.update",
           kind="update", target=world.person, person=world.person,
           before={"employment_status": "not_working", "earned_income": 0,
                   "household_id": None},
           after={"employment_status": "part_time", "earned_income": 52000,
                  "household_id": world.household.pk})
    record(actor=world.supervisor, office=world.office, action="report.export", kind="export",
           changes={"format": "csv", "encoding": "cp932", "rows": 12})
    record(actor=world.manager, office=world.office, action="program.update", kind="update",
           changes={"rules": [{}, {"op": "and", "conditions": [
               {"op": "is", "field": "on_assistance", "value": True}]}]})
    client.force_login(world.supervisor)
    body = client.get(reverse("audit:list")).content.decode()
    assert "世帯員・変更" in body and "報告・出力" in body
    assert "就労状況" in body and "就労収入（月額・円）" in body
    assert str(world.household) in body  # a related row by its name, not its id
    assert "（なし）" in body and "令和" in body
    assert "CSV" in body and "Shift_JIS" in body
    assert "プログラム・変更" in body
    for code in ("person.update", "employment_status", "household_id", "None", "c → s",
                 "on_assistance", "conditions"):
        assert code not in body, code


def test_the_log_is_searched_by_person_name_or_kana_and_staff_name(client, world):
    record(actor=world.caseworker, office=world.office, action="person.view", kind="view",
           person=world.person, target=world.person)
    record(actor=world.caseworker2, office=world.office, action="household.update",
           kind="update")
    client.force_login(world.supervisor)
    url = reverse("audit:list")
    for who in ("高橋　吉子", "タカハシ", "たかはし よしこ"):  # world.person is 「髙橋 𠮷子」
        body = client.get(url, {"who": who}).content.decode()
        assert "世帯員・閲覧" in body and "世帯の変更" not in body, who
    staff = str(world.caseworker2)
    body = client.get(url, {"staff": staff.replace(" ", "　")}).content.decode()
    assert "世帯の変更" in body and "世帯員・閲覧" not in body
    assert "該当する記録はありません" in client.get(url, {"who": "存在しない人"}).content.decode()


def test_the_export_is_japanese_filtered_and_itself_audited(client, world):
    record(actor=world.caseworker, office=world.office, action="person.view", kind="view",
           person=world.person, target=world.person)
    record(actor=world.caseworker2, office=world.office, action="household.update",
           kind="update")
    client.force_login(world.supervisor)
    resp = client.get(reverse("audit:export"), {"who": "たかはし"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    text = resp.content.decode("utf-8-sig")
    header, *rows = text.strip().splitlines()
    assert header.startswith("日時,職員,操作,種別,本人")
    assert len(rows) == 1 and "世帯員・閲覧" in rows[0] and "髙橋 𠮷子" in rows[0]
    event = AuditEvent.objects.filter(action="audit.export").get()
    assert event.kind == "export" and event.changes["rows"] == 1
    assert event.actor_id == world.supervisor.pk
    client.force_login(world.caseworker)
    assert client.get(reverse("audit:export")).status_code == 403
