"""The national roll-up: equal to the sum of every office's own report, counts only,
reachable only by the statistician's installation role, on screen and through the API, audited."""

from __future__ import annotations

from importlib import import_module
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from jiritsu.api.tokens import office_less_token_create
from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Office, User
from jiritsu.offices.permissions import grant_national_rollup, may_view_national
from jiritsu.programs.models import OutcomeKind, Program
from jiritsu.reports.figures import office_report
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.national import national_rollup
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import factories as f
from jiritsu.testing import ApiClient, token_for

D = f.D
FIGURES = ("eligible", "participants", "started", "ended", "continuing", "achieved")


def _second_office_history(world: Any) -> None:
    """A smaller history in the other office (a prefecture office)."""
    office = world.other_office
    office.kind = Office.Kind.PREFECTURE
    office.save()
    cw = world.outsider
    emp = f.make_program(office, code="E01", name="就労支援プログラム", kind=Program.Kind.ECONOMIC)
    hh = f.household(office, caseworker=cw)
    a, b, c = (f.person(office, hh) for _ in range(3))
    e = f.enroll(a, emp, cw, candidate_on=D(2025, 4, 1), started_on=D(2025, 4, 1))
    f.outcome(e, OutcomeKind.EMPLOYMENT_START, D(2025, 7, 1), cw, employer="県内商店")
    f.enroll(b, emp, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 5, 1),
             ended_on=D(2025, 12, 1), end_reason="suspended")
    f.nominate(emp, c, D(2025, 6, 1), cw)
    for p in (a, b, c):
        f.assess(p, D(2025, 4, 1))


@pytest.fixture
def statistician(db: Any) -> User:
    user = User.objects.create_user("tokei_t", password="pw-national-2026",
                                    display_name="全国集計 担当")
    grant_national_rollup(user)
    return User.objects.get(pk=user.pk)


def _kpi_tuple(k: dict[str, Any]) -> tuple[int, ...]:
    return (k["participation"]["numerator"], k["participation"]["denominator"],
            k["employment"]["numerator"], k["employment"]["denominator"],
            k["other_households"]["numerator"], k["other_households"]["denominator"])


def test_rollup_equals_the_sum_of_each_offices_report(world: Any, history: Any) -> None:
    _second_office_history(world)
    for p in list(history.people.values())[:4]:
        f.assess(p, D(2025, 4, 1))
    period = Period.for_fiscal_year(2025)
    data = national_rollup(fiscal_year=2025)
    rows = {r["office_id"]: r for r in data["office_rows"]}
    summed = dict.fromkeys(FIGURES, 0)
    for office in (world.office, world.other_office):
        with scope(office=office):
            report = office_report(office, period)
        row = rows[office.pk]
        assert {k: row[k] for k in FIGURES} == {k: report["totals"][k] for k in FIGURES}
        k = row["kpi"]
        assert (k["participating"], k["able"], k["work"], k["emp"], k["other_earners"],
                k["others"]) == _kpi_tuple(report["kpis"])
        for key in FIGURES:
            summed[key] += report["totals"][key]
    assert data["totals"] == summed
    assert data["totals"]["participants"] > 0 and data["totals"]["achieved"] > 0
    # By program kind, the per-office per-kind counts add up across offices.
    econ = next(r for r in data["by_program_kind"] if r["program_kind"] == "economic")
    assert econ["offices"] == 2
    with scope(office=world.office):
        emp_a = office_report(world.office, period, history.employment)["totals"]["participants"]
    assert econ["participants"] == emp_a + 2
    # Office kinds: one city, one prefecture; the filter narrows to one.
    assert [r["office_kind"] for r in data["by_office_kind"]] == ["city", "prefecture"]
    only_pref = national_rollup(fiscal_year=2025, office_kind="prefecture")
    assert [r["office_id"] for r in only_pref["office_rows"]] == [world.other_office.pk]
    assert only_pref["totals"]["participants"] == 2
    # Counts only: no person's name or id anywhere in the roll-up.
    text = repr(data)
    for p in history.people.values():
        assert p.name not in text


def test_rollup_query_count_does_not_grow_with_offices(world: Any, history: Any) -> None:
    with CaptureQueriesContext(connection) as one:
        national_rollup(fiscal_year=2025)
    _second_office_history(world)
    for i in range(3):
        office = Office.objects.create(code=f"X{i:03d}", name=f"追加{i}", municipality="追加")
        f.make_program(office, code="E01", name="就労", kind=Program.Kind.ECONOMIC)
    with CaptureQueriesContext(connection) as many:
        data = national_rollup(fiscal_year=2025)
    assert data["offices"]["total"] == 5
    assert len(many.captured_queries) == len(one.captured_queries)


def test_screen_for_the_statistician_and_nobody_else(world: Any, history: Any,
                                                     statistician: User) -> None:
    c = Client()
    c.force_login(statistician)
    home = c.get("/")
    assert home.status_code == 302 and home["Location"] == "/national/"
    page = c.get("/national/?fy=2025")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<a href="/national/">全国集計</a>' in html  # the menu entry
    assert "全国集計" in html and world.office.name in html and world.other_office.name in html
    assert "事業参加率" in html
    assert AuditEvent.objects.filter(action="national.view", actor_id=statistician.pk).count() == 1
    csv = c.get("/national/?fy=2025&format=csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff事務所コード".encode())
    assert world.office.code in csv.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="national.export", kind="export").count() == 1
    # A bad year: the message, not an error page.
    bad = c.get("/national/?fy=abc")
    assert bad.status_code == 422 and "年度は西暦の4桁" in bad.content.decode()
    assert "数値は表示していません" in bad.content.decode()

    for user in (world.manager, world.caseworker, world.admin):
        other = Client()
        other.force_login(user)
        assert other.get("/national/").status_code == 403
        assert '<a href="/national/">' not in other.get("/").content.decode()
    assert Client().get("/national/").status_code == 302  # to the log-in page


def test_api_for_the_statistician_only(world: Any, history: Any, statistician: User) -> None:
    _, raw = office_less_token_create(user=statistician, name="統計連携")
    api = ApiClient(raw)
    r = api.get("reports/national", {"fiscal_year": 2025})
    assert r.status_code == 200, r.content
    body = r.json()
    assert {row["code"] for row in body["office_rows"]} == {"A001", "B001"}
    assert body["totals"]["participants"] == national_rollup(fiscal_year=2025)["totals"]["participants"]
    assert AuditEvent.objects.filter(action="national.view", actor_id=statistician.pk).exists()
    # The statistician's token reaches nothing office-owned.
    assert api.get("people").status_code == 403
    bad = api.get("reports/national", {"office_kind": "village"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "office_kind"
    # Office staff, even managers, are refused.
    r = ApiClient(token_for(world, world.manager)).get("reports/national")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_grant_and_revoke_on_the_command_line(world: Any) -> None:
    user = User.objects.create_user("stat2", password="x-very-long-pass-2026")
    out = StringIO()
    call_command("grant_national_rollup", "stat2", stdout=out)
    assert "付与" in out.getvalue()
    assert may_view_national(User.objects.get(pk=user.pk))
    assert User.objects.get(pk=user.pk).installation_role == "statistician"
    tok = StringIO()
    call_command("create_api_token", "stat2", stdout=tok)
    assert tok.getvalue().startswith("jrt_")
    call_command("grant_national_rollup", "stat2", "--revoke", stdout=StringIO())
    assert not may_view_national(User.objects.get(pk=user.pk))
    assert AuditEvent.objects.filter(action__in=["national.grant", "national.revoke"]).count() == 2


def test_holders_of_the_former_django_permission_become_statisticians(world: Any) -> None:
    """Migration reports/0003 carries every holder of ``reports.view_national_rollup``
    (directly or through a group) over to the installation role, then drops the permission."""
    migration = import_module("jiritsu.reports.migrations.0003_national_rollup_as_installation_role")
    perm = Permission.objects.create(content_type=ContentType.objects.get_for_model(FrozenReport),
                                     codename="view_national_rollup", name="全国集計を閲覧できる")
    direct = User.objects.create_user("stat_direct", password="x-very-long-pass-2026")
    direct.user_permissions.add(perm)
    via_group = User.objects.create_user("stat_group", password="x-very-long-pass-2026")
    group = Group.objects.create(name="統計担当")
    group.permissions.add(perm)
    via_group.groups.add(group)
    neither = User.objects.create_user("not_stat", password="x-very-long-pass-2026")

    migration.carry_over(apps, None)

    assert may_view_national(User.objects.get(pk=direct.pk))
    assert may_view_national(User.objects.get(pk=via_group.pk))
    assert not may_view_national(User.objects.get(pk=neither.pk))
    assert not may_view_national(User.objects.get(pk=world.manager.pk))
    assert not Permission.objects.filter(codename="view_national_rollup").exists()
