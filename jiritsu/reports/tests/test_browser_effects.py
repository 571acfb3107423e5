"""The effects section and charts in a browser, at 1280 px and 390 px: no console errors,
no sideways scroll of the page, screenshots in test-artifacts/screenshots/ to look at."""

from __future__ import annotations

from typing import Any

from jiritsu.reports.tests.effects_history import build
from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import log_in

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_effects_section_and_charts_at_both_widths(open_page: Any, world: Any) -> None:
    amounts = build(world)
    for width in (1280, 390):
        w = open_page(width=width)
        w.page.set_default_timeout(60_000)  # a shared, busy machine
        w.page.set_default_navigation_timeout(60_000)
        log_in(w, world.manager.username, PASSWORD)
        w.goto("/reports/?fy=2025")
        w.page.locator("#effects").scroll_into_view_if_needed()
        assert w.page.locator("#effects").is_visible()
        assert w.page.evaluate(PAGE_OVERFLOW) <= 0
        w.page.locator("#effects").screenshot(path=str(_path(f"effects-office-{width}")))
        w.goto(f"/reports/programs/{amounts.health.pk}/?fy=2025")
        assert w.page.evaluate(PAGE_OVERFLOW) <= 0
        w.page.locator("#effects").screenshot(path=str(_path(f"effects-program-{width}")))
        w.goto(f"/people/{amounts.people['p2'].pk}/")
        w.page.locator("#effects svg").first.wait_for()
        assert w.page.evaluate(PAGE_OVERFLOW) <= 0
        w.page.locator("#effects").screenshot(path=str(_path(f"effects-person-{width}")))


def _path(name: str) -> Any:
    from jiritsu.web.tests.browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
