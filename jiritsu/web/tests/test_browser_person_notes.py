"""The person page's lines about a merge and a 移管, the merge record and the person's transfers
page in a real browser, at 1280 and 390 px: no serious or critical axe violation and no
sideways scroll (screenshots in test-artifacts/screenshots/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jiritsu.merging import services as merging
from jiritsu.merging.tests.helpers import duplicate_of
from jiritsu.testing import PASSWORD
from jiritsu.transfers import services as transfers
from jiritsu.web.tests.browser import Watched, log_in
from jiritsu.web.tests.test_browser_a11y import AXE, AXE_RUN, OVERFLOW

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def axe_page(browser: Any, live_server: Any, _audit_flushable: None
             ) -> Iterator[Callable[[int], Watched]]:
    """A watched page of the given width whose context lets the test inject axe (the pages
    themselves keep their Content-Security-Policy)."""
    opened: list[tuple[Any, Watched]] = []

    def _open(width: int) -> Watched:
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo", bypass_csp=True)
        ctx.set_default_timeout(60_000)
        ctx.set_default_navigation_timeout(60_000)
        w = Watched(ctx.new_page(), live_server.url)
        opened.append((ctx, w))
        return w

    yield _open
    for ctx, w in opened:
        ctx.close()
        w.assert_clean()


def _check(w: Any, path: str, width: int, problems: list[str]) -> None:
    resp = w.goto(path)
    assert resp is not None and resp.status == 200, (path, resp and resp.status)
    w.page.wait_for_load_state("load")
    if not w.page.evaluate("() => typeof axe !== 'undefined'"):
        w.page.add_script_tag(path=str(AXE))
    problems += [f"{width}px {path}: {v}" for v in w.page.evaluate(AXE_RUN)]
    problems += [f"{width}px {path}: sideways scroll, {el}" for el in w.page.evaluate(OVERFLOW)]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_lines_and_their_pages_fit_a_phone(axe_page: Callable[[int], Watched], world: Any,
                                               width: int) -> None:
    dup = duplicate_of(world)
    merge = merging.person_merge(actor=world.m(world.supervisor), survivor=world.person,
                                 merged=dup, reason="廃止後の再申請で二重に登録されていたため")
    transfer = transfers.transfer_propose(
        actor=world.m(world.caseworker), person=world.person, target_office=world.other_office,
        reason="moved", moved_on=dt.date(2026, 11, 1), new_address="Ｂ市本町1-1")
    w = axe_page(width)
    log_in(w, "sv_a", PASSWORD)
    problems: list[str] = []
    _check(w, f"/people/{world.person.pk}/", width, problems)
    assert w.page.get_by_text("移管の協議中").is_visible()
    assert w.page.get_by_role("link", name="統合の記録").is_visible()
    assert w.page.get_by_role("link", name="他の事務所へ移管").is_visible()
    w.shot(f"person-notes-{width}", full_page=False)
    _check(w, f"/people/duplicates/history/{merge.pk}/", width, problems)
    w.shot(f"merge-detail-{width}")
    _check(w, f"/transfers/people/{world.person.pk}/", width, problems)
    w.shot(f"transfers-person-{width}")
    _check(w, f"/transfers/{transfer.pk}/", width, problems)
    assert problems == [], "\n".join(problems)
