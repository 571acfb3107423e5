"""Each role's main pages in a real browser, at desktop (1280 px) and phone (390 px) width:
axe-core (vendored, static/vendor/axe-core) finds no serious or critical violation, and no
page scrolls sideways.

One browser for the session, one log-in per role (the viewport changes, the session
stays). axe is injected by the test only (the context bypasses the Content-Security-
Policy for that injection); the pages themselves never load it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import SCREENSHOTS, Watched, log_in
from jiritsu.web.tests.data import build_caseload

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[3] / "static" / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
ROLES = ["cw_a", "sv_a", "mgr_a", "ss_a", "hw_a", "admin_a"]
# Pages beyond the main menu that each role reaches from it (filled in from the world).
EXTRA: dict[str, list[str]] = {
    "cw_a": ["/people/{person}/", "/programs/{program}/", "/search/?q=たかはし", "/signin/",
             "/programs/{program}/results/", "/programs/{program}/results/new/"],
    "sv_a": ["/programs/approvals/", "/people/{person}/"],
    "mgr_a": ["/programs/approvals/", "/programs/{program}/edit/", "/signin/setup/"],
    "ss_a": ["/people/{person}/", "/programs/{program}/results/"],
    "hw_a": [],
    "admin_a": ["/programs/{program}/edit/", "/signin/policy/"],
}
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  // the widest elements that stick out (for the failure message), scrolling boxes excepted
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
      let scroller = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { scroller = true; break; }
      }
      if (!scroller) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
        ' right=' + Math.round(r.right));
    }
    if (out.length >= 5) break;
  }
  return out.length ? out : ['scrollWidth ' + document.documentElement.scrollWidth];
}"""


@pytest.fixture
def caseload(world: Any) -> Any:
    return build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                          partner_user=world.partner, partner=world.partner_org, households=8)


@pytest.fixture
def checked_page(browser: Any, live_server: Any, _audit_flushable: None) -> Iterator[Watched]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP",
                              timezone_id="Asia/Tokyo", bypass_csp=True)
    ctx.set_default_timeout(20000)
    ctx.set_default_navigation_timeout(40000)
    w = Watched(ctx.new_page(), live_server.url)
    yield w
    ctx.close()
    w.assert_clean()


def _pages(w: Watched, username: str, caseload: Any) -> list[str]:
    menu = w.page.locator("header nav a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    person = caseload.active[0].person_id
    program = caseload.active[0].program_id
    extra = [p.format(person=person, program=program) for p in EXTRA[username]]
    return list(dict.fromkeys([*menu, *extra]))


@pytest.mark.parametrize("username", ROLES)
def test_main_pages_are_accessible_and_fit_a_phone(checked_page: Watched, world: Any,
                                                   caseload: Any, username: str) -> None:
    w = checked_page
    log_in(w, username, PASSWORD)
    pages = _pages(w, username, caseload)
    assert len(pages) >= 1
    problems: list[str] = []
    for width in WIDTHS:
        w.page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            resp = w.goto(path)
            assert resp is not None and resp.status == 200, (path, resp and resp.status)
            w.page.wait_for_load_state("load")
            if not w.page.evaluate("() => typeof axe !== 'undefined'"):
                w.page.add_script_tag(path=str(AXE))
            for v in w.page.evaluate(AXE_RUN):
                problems.append(f"{width}px {path}: {v}")
            for el in w.page.evaluate(OVERFLOW):
                problems.append(f"{width}px {path}: sideways scroll, {el}")
        if width == 390:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            w.goto(pages[0])
            w.page.screenshot(path=str(SCREENSHOTS / f"a11y-{username}-home-390.png"))
    assert problems == [], "\n".join(problems)
