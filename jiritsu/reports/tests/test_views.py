"""Report screens through the test client: roles, isolation, audit of people lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jiritsu.audit.models import AuditEvent
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.tests.conftest import History


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_report_page_shows_figures_and_charts(client: Client, world: Any, history: History) -> None:
    login(client, world.caseworker)
    res = client.get("/reports/?fy=2025")
    assert res.status_code == 200
    html = res.content.decode()
    assert "令和7年度 実施状況" in html
    assert "精神障害者就労支援プログラム" in html and "平成18年9月" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 4
    assert "<title id=" in html and "<desc id=" in html
    assert "/reports/people/?fy=2025&amp;figure=participants" in html
    assert '<a href="/reports/">報告</a>' in html


@pytest.mark.parametrize("role", ["support_staff", "partner", "admin"])
def test_roles_without_report_view_are_refused(client: Client, world: Any, history: History,
                                               role: str) -> None:
    login(client, getattr(world, role))
    assert client.get("/reports/?fy=2025").status_code == 403
    assert client.get("/reports/people/?fy=2025&figure=participants").status_code == 403
    assert client.get("/reports/export/xlsx/?fy=2025").status_code == 403


def test_other_offices_program_is_not_found(client: Client, world: Any, history: History) -> None:
    login(client, world.outsider)
    assert client.get(f"/reports/programs/{history.employment.pk}/?fy=2025").status_code == 404
    res = client.get(f"/reports/people/?fy=2025&figure=participants&program={history.employment.pk}")
    assert res.status_code == 404
    # The other office's own report does not contain this office's people or programs.
    html = client.get("/reports/?fy=2025").content.decode()
    assert "精神障害者就労支援プログラム" not in html


def test_people_behind_a_figure_are_listed_and_audited(client: Client, world: Any,
                                                       history: History) -> None:
    login(client, world.caseworker)
    url = f"/reports/people/?fy=2025&figure=participants&program={history.employment.pk}"
    res = client.get(url)
    assert res.status_code == 200
    html = res.content.decode()
    for key in ("p1", "p2", "p3", "p5"):
        assert history.people[key].name in html
    assert history.people["p4"].name + "<" not in html
    event = AuditEvent.objects.get(action="report.people")
    assert event.kind == AuditEvent.Kind.VIEW
    assert sorted(event.changes["people"]) == sorted(history.people[k].pk for k in ("p1", "p2", "p3", "p5"))


def test_freeze_is_for_managers(client: Client, world: Any, history: History) -> None:
    login(client, world.caseworker)
    assert client.post("/reports/freeze/", {"fy": "2025"}).status_code == 403
    client.logout()
    login(client, world.manager)
    res = client.post("/reports/freeze/", {"fy": "2025", "note": "県へ提出"})
    assert res.status_code == 302
    frozen = FrozenReport.objects.get()
    assert (frozen.label, frozen.frozen_by, frozen.note) == ("令和7年度", world.manager, "県へ提出")
    assert AuditEvent.objects.filter(action="report.freeze", kind="create").count() == 1
    res = client.get("/reports/?fy=2025")
    assert "確定後に変わった数値はありません" in res.content.decode()
    assert client.get(f"/reports/frozen/{frozen.pk}/").status_code == 200
    client.logout()
    login(client, world.outsider)
    assert client.get(f"/reports/frozen/{frozen.pk}/").status_code == 404


def test_bad_period_is_explained(client: Client, world: Any, history: History) -> None:
    login(client, world.caseworker)
    res = client.get("/reports/?start=R7.13.1&end=R8.3.31")
    assert res.status_code == 422
    assert "存在しない日付" in res.content.decode()
