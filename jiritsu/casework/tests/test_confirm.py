"""供覧: a caseworker's records go to the supervisor, who confirms them one by one or a page
at a time, or asks for an addition; the record shows who confirmed it and when."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiritsu.cases.models import ActivityRecord
from jiritsu.cases.services import record_update
from jiritsu.casework import confirm, services
from jiritsu.casework.models import Confirmation, Notice, SupervisorAssignment
from jiritsu.casework.visits import casework_settings
from jiritsu.core import clock

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _record(world, kind="home_visit", author=None, days_ago=0):
    return ActivityRecord.objects.create(
        office=world.office, person=world.person, kind=kind, text="訪問した。",
        occurred_at=clock.now() - dt.timedelta(days=days_ago),
        author=author or world.caseworker)


def test_records_wait_for_the_supervisor_and_the_home_counts_them(world):
    casework_settings(world.office)
    _record(world)
    _record(world, kind="seminar")  # not a kind the office confirms
    _record(world, author=world.support_staff)  # not a caseworker's record
    _record(world, days_ago=30)  # before the office's start date
    sv = world.m(world.supervisor)
    assert confirm.unread_count(sv) == 1
    html = _client(world.supervisor).get("/").content.decode()
    assert "供覧待ちの記録" in html


def test_a_page_at_a_time_then_the_seal_column_shows_who_and_when(world):
    records = [_record(world) for _ in range(3)]
    c = _client(world.supervisor)
    page = c.get("/day/confirm/")
    assert page.status_code == 200 and "未確認 3件" in page.content.decode()
    r = c.post("/day/confirm/", {"records": [r.pk for r in records], "outcome": "confirmed",
                                 "comment": ""})
    assert r.status_code == 302
    assert confirm.unread_count(world.m(world.supervisor)) == 0
    mine = _client(world.caseworker).get("/day/my-records/").content.decode()
    assert "確認済み" in mine and str(world.supervisor) in mine
    seal = c.get(f"/day/confirm/{records[0].pk}/").content.decode()
    assert "供覧欄" in seal and str(world.supervisor) in seal and "第1版" in seal


def test_an_addition_request_goes_to_the_author_and_the_corrected_record_comes_back(world):
    rec = _record(world)
    c = _client(world.supervisor)
    refused = c.post(f"/day/confirm/{rec.pk}/", {"outcome": "addition", "comment": ""})
    assert "追記を依頼する内容を入力してください。" in refused.content.decode()
    assert not Confirmation.objects.exists()
    c.post(f"/day/confirm/{rec.pk}/", {"outcome": "addition", "comment": "服薬状況を追記してください"})
    cw = world.m(world.caseworker)
    assert list(confirm.additions_requested(cw)) == [rec]
    assert Notice.objects.get(user=world.caseworker).kind == "addition_requested"
    notices = _client(world.caseworker).get("/day/notices/").content.decode()
    assert "経過記録に追記の依頼があります。" in notices
    record_update(actor=cw, record=rec, expected_version=rec.version,
                  values={"text": "訪問した。服薬は守れている。"})
    assert confirm.unread_count(world.m(world.supervisor)) == 1
    assert list(confirm.additions_requested(cw)) == []


def test_a_supervisor_reads_only_the_caseworkers_assigned_to_them(world):
    from jiritsu import testing as t

    sv2 = t.make_user(world.office, "supervisor", username="sv2_a")
    SupervisorAssignment.objects.create(office=world.office, caseworker=world.caseworker,
                                        supervisor=sv2)
    rec = _record(world)
    assert confirm.unread_count(world.m(world.supervisor)) == 0
    assert confirm.unread_count(world.m(sv2)) == 1
    with pytest.raises(Exception) as exc:
        services.records_confirm(actor=world.m(world.supervisor), records=[rec],
                                 outcome="confirmed")
    assert getattr(exc.value, "code", "") == "confirm.not_waiting"


def test_the_office_decides_which_kinds_need_confirming(world):
    casework_settings(world.office)
    _record(world, kind="phone")
    mgr = world.m(world.manager)
    conf = casework_settings(world.office)
    r = _client(world.manager).post("/day/settings/", {
        "form": "settings", "version": conf.version, "event_visit_days": 10,
        "confirm_kinds": ["home_visit"], "confirm_from": "",
        "digest_base_url": ""})
    assert r.status_code == 302
    assert casework_settings(world.office).confirm_kinds == ["home_visit"]
    assert confirm.unread_count(mgr) == 0


def test_a_caseworker_cannot_confirm(world):
    rec = _record(world)
    assert _client(world.caseworker).post(f"/day/confirm/{rec.pk}/",
                                          {"outcome": "confirmed"}).status_code == 403


def test_the_person_page_shows_each_records_seal_column(world):
    from jiritsu.testing import ApiClient, token_for

    confirmed, waiting = _record(world), _record(world)
    services.records_confirm(actor=world.m(world.supervisor), records=[confirmed],
                             outcome="confirmed", comment="了解")
    page = _client(world.caseworker).get(f"/people/{world.person.pk}/").content.decode()
    assert 'aria-label="供覧欄"' in page and str(world.supervisor) in page and "了解" in page
    assert "供覧待ち" in page
    assert f"/day/confirm/{waiting.pk}/" not in page  # the caseworker does not confirm
    sv_page = _client(world.supervisor).get(f"/people/{world.person.pk}/").content.decode()
    assert f"/day/confirm/{waiting.pk}/" in sv_page
    api = ApiClient(token_for(world, world.caseworker))
    entries = api.get(f"people/{world.person.pk}/timeline", {"kind": "record"}).json()["entries"]
    assert {e["record_id"]: e["seal_state"] for e in entries} == {
        confirmed.pk: "confirmed", waiting.pk: "waiting"}
