"""The retention screens in a real browser at 1280 and 390 px: the administrator's list and
periods, the supervisor's request, the manager's approval, the result (screenshots in
test-artifacts/screenshots/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jiritsu.core import clock
from jiritsu.people.models import Household
from jiritsu.retention.selectors import records_expire_before
from jiritsu.retention.tests.conftest import build_files
from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def patient(open_page: Any, width: int) -> Any:
    """A page that waits longer than the harness's 8 s (a shared, busy test machine)."""
    w = open_page(width=width, height=900)
    w.page.set_default_timeout(60_000)
    return w


def test_retention_from_the_list_to_the_deletion(open_page: Any, world: Any) -> None:
    before = records_expire_before(clock.today(), 5)
    files = build_files(world, before - dt.timedelta(days=300), before + dt.timedelta(days=400))
    for width in (1280, 390):
        w = patient(open_page, width)
        log_in(w, "admin_a", PASSWORD)
        w.goto("/manage/retention/")
        assert w.page.get_by_role("heading", name="保存年限と削除").is_visible()
        assert w.page.get_by_text("200001").first.is_visible()
        w.shot(f"retention-list-admin-{width}")

    w = patient(open_page, 390)
    log_in(w, "sv_a", PASSWORD)
    w.goto("/manage/retention/")
    w.page.get_by_label("起案の理由・確認したこと").fill("年度当初の整理。対象世帯の廃止日を確認しました。")
    w.page.get_by_role("button", name="削除を起案して決裁に回す").click()
    w.page.wait_for_load_state("domcontentloaded")
    assert w.page.get_by_text("決裁待ち").first.is_visible()
    w.shot("retention-request-390")

    for width in (1280, 390):
        m = patient(open_page, width)
        log_in(m, "mgr_a", PASSWORD)
        m.goto("/programs/approvals/")
        m.page.get_by_role("link", name="保存年限による削除（1世帯）").click()
        m.page.wait_for_load_state("domcontentloaded")
        m.shot(f"retention-approval-{width}")
    m.page.get_by_label("承認").check()
    m.page.get_by_role("button", name="決裁を記録").click()
    m.page.wait_for_load_state("domcontentloaded")
    assert not Household.objects.filter(pk=files.due.household.pk).exists()
    w.page.reload()
    assert w.page.get_by_text("削除済み").first.is_visible()
    w.shot("retention-done-390")
    r = patient(open_page, 1280)
    log_in(r, "sv_a", PASSWORD)
    r.goto(w.page.url.removeprefix(w.base_url))
    r.shot("retention-done-1280")
