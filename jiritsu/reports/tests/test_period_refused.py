"""A report period given backwards is refused with a clear error — never silently replaced
by the whole fiscal year (screen, people list, national roll-up and API)."""

from __future__ import annotations

import pytest
from django.test import Client

from jiritsu.audit.models import AuditEvent
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db
MESSAGE = "期間の終了日（令和8年4月1日）が開始日（令和8年10月1日）より前です。"


def test_backwards_period_is_refused_on_the_report_screens(client: Client, world) -> None:
    client.force_login(world.caseworker)
    resp = client.get("/reports/?start=R8.10.1&end=R8.4.1")
    assert resp.status_code == 422
    page = resp.content.decode()
    assert MESSAGE in page and "数値は表示していません" in page
    assert "対象期間：" not in page and "年度" in page
    assert 'value="R8.10.1"' in page and 'value="R8.4.1"' in page


def test_backwards_period_lists_nobody_and_audits_no_view(client: Client, world) -> None:
    client.force_login(world.supervisor)
    before = AuditEvent.objects.count()
    resp = client.get("/reports/people/?figure=participants&start=2026-10-01&end=2026-04-01")
    assert resp.status_code == 422
    assert MESSAGE in resp.content.decode()
    assert 'name="figure" value="participants"' in resp.content.decode()
    assert AuditEvent.objects.count() == before


def test_backwards_period_is_refused_by_the_api(world) -> None:
    api = ApiClient(token_for(world, world.supervisor))
    r = api.get("reports/office", {"start": "2026-10-01", "end": "2026-04-01"})
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("period_reversed", "end")
    assert error["message"].startswith(MESSAGE)
