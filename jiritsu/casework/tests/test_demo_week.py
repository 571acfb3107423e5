"""Done when (issue 21): from the demo office, a caseworker plans and records a week of
visits, a supervisor confirms them, both see their work lists, and the morning digest
reaches a local SMTP server — all through the screens and the command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from jiritsu.cases.models import ActivityRecord
from jiritsu.casework import confirm
from jiritsu.casework.models import (
    CaseworkSettings,
    Confirmation,
    DigestPreference,
    PlannedVisit,
    SupervisorAssignment,
)
from jiritsu.casework.tests.test_digest import smtp  # noqa: F401 - the SMTP server fixture
from jiritsu.casework.visits import caseload_households
from jiritsu.offices.models import Membership
from jiritsu.people.demo import load_demo

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 12, 7)


def _login(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_week_of_visits_from_the_demo_office(japan_time, smtp):  # noqa: F811
    japan_time("2026-12-07 08:45")
    ctx = load_demo(households=30, log=lambda _s: None)
    office, cw, sv = ctx.office, ctx.staff["cw01"], ctx.staff["sv01"]
    assert office is not None
    households = caseload_households(office, cw.pk)[:5]
    assert len(households) == 5
    cw_client = _login(cw)
    for i, hh in enumerate(households):  # Monday: plan Monday to Friday
        r = cw_client.post("/day/visits/plan/", {
            "household": hh.pk, "planned_on": (MONDAY + dt.timedelta(days=i)).isoformat()})
        assert r.status_code == 302 and not r["Location"].startswith("/login/")
    week = cw_client.get("/day/visits/", {"d": MONDAY.isoformat()}).content.decode()
    assert all(hh.case_number in week for hh in households)
    for i, hh in enumerate(households):  # each day, record that day's visit
        day = MONDAY + dt.timedelta(days=i)
        japan_time(f"{day.isoformat()} 16:30")
        cw_client = _login(cw)  # a new day, a new session (the idle time-out)
        visit = PlannedVisit.objects.get(household=hh)
        r = cw_client.post(f"/day/visits/{visit.pk}/record/", {
            "version": visit.version, "occurred_on": day.isoformat(), "occurred_time": "10:00",
            "text": "定期訪問。生活状況に変化なし。", "duration_minutes": 30})
        assert r.status_code == 302 and r["Location"].startswith("/day/visits/")
    records = ActivityRecord.objects.filter(planned_visit__household__in=households)
    assert records.count() == 5 and {r.kind for r in records} == {"home_visit"}

    sv_client = _login(sv)
    home = sv_client.get("/").content.decode()
    assert "供覧待ちの記録" in home
    waiting = confirm.unread_count(Membership.objects.get(office=office, user=sv))
    assert waiting >= 5
    page = sv_client.get("/day/confirm/").content.decode()
    assert f"未確認 {waiting}件" in page
    sv_client.post("/day/confirm/", {"records": [r.pk for r in records],
                                     "outcome": "confirmed", "comment": ""})
    assert f"未確認 {waiting - 5}件" in sv_client.get("/day/confirm/").content.decode()
    mine = cw_client.get("/day/my-records/").content.decode()
    assert mine.count("確認済み") >= 5 and str(sv) in mine

    assert cw_client.get("/day/worklist/").status_code == 200
    assert sv_client.get("/day/worklist/").status_code == 200
    assert sv_client.get("/day/visits/team/").status_code == 200

    CaseworkSettings.objects.filter(office=office).update(digest_enabled=True)
    for user, address in ((cw, "cw01@example.lg.jp"), (sv, "sv01@example.lg.jp")):
        user.email = address
        user.save()
        DigestPreference.objects.create(office=office, user=user, enabled=True)
    call_command("send_digests")
    assert sorted(to[0] for to, _raw in smtp.messages) == ["cw01@example.lg.jp",
                                                           "sv01@example.lg.jp"]


def test_the_demo_office_has_its_supervisors_assigned_and_older_records_read(japan_time):
    japan_time("2026-12-07 08:45")
    ctx = load_demo(households=200, log=lambda _s: None)
    office = ctx.office
    assigned = dict(SupervisorAssignment.objects.filter(office=office)
                    .values_list("caseworker__username", "supervisor__username"))
    # every caseworker has a reader; in even shares, in order (1000 households: cw01…cw06 → sv01)
    assert sorted(assigned) == sorted(u.username for u in ctx.caseworkers)
    assert sorted(set(assigned.values())) == sorted(n for n in ctx.staff if n.startswith("sv"))
    sv = Membership.objects.get(office=office, user=ctx.staff["sv01"])
    queue = list(confirm.confirm_queue(sv))
    assert queue and all(assigned[r.author.username] == "sv01" for r in queue)
    assert all(r.occurred_at.date() >= dt.date(2026, 11, 29) for r in queue)  # the last week
    seal = Confirmation.objects.filter(office=office).select_related("record").first()
    assert seal is not None and seal.confirmed_at > seal.record.occurred_at
