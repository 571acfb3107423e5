"""A new user's walk through Jiritsu in a real browser (Debian Chromium via Playwright).

Kept few and fast: one browser per session, one walk per role. Each main screen is
saved to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import log_in
from jiritsu.web.tests.data import build_caseload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def caseload(world):
    return build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                          partner_user=world.partner, partner=world.partner_org, households=14)


def test_caseworker_logs_in_finds_a_person_by_kana_and_reads_their_file(open_page, world,
                                                                         caseload):
    w = open_page()
    page = w.page
    log_in(w, "cw_a", PASSWORD)
    assert page.get_by_role("heading", name=re.compile("ホーム")).is_visible()
    assert page.get_by_text("担当世帯（15世帯").is_visible()
    w.shot("01-caseworker-home")

    # "/" jumps to the search box; katakana finds a name entered with hiragana furigana
    page.keyboard.press("/")
    page.keyboard.type("タカハシ ヨシ")
    suggestion = page.locator(".dropdown-item", has_text="髙橋 𠮷子")
    suggestion.wait_for()
    w.shot("02-search-suggestions", full_page=False)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/people/{world.person.pk}/")
    assert page.get_by_role("heading", name=re.compile("髙橋 𠮷子")).is_visible()

    # a person with a history: the timeline and its filters (htmx, no page reload)
    active = caseload.active[0]
    w.goto(f"/people/{active.person_id}/")
    assert page.locator(".tl").count() >= 6
    w.shot("03-person-page")
    page.get_by_label("種類").select_option("record")
    expect(page.locator("#timeline-body .tl-review")).to_have_count(0)
    expect(page.locator("#timeline-body .tl-record")).to_have_count(3)
    page.get_by_label("期間（から）").fill("R2.4.1")
    page.get_by_label("期間（まで）").fill("令和3年3月31日")
    page.get_by_role("button", name="絞り込む").click()
    page.get_by_text("条件に合う記録はありません").wait_for()

    page.get_by_role("link", name="個人票（印刷用）").click()
    page.wait_for_url("**/summary/")
    assert page.get_by_role("heading", name=re.compile("個人票")).is_visible()
    w.shot("04-person-summary")
    page.emulate_media(media="print")
    w.shot("05-person-summary-print")


def test_home_on_a_tablet_during_a_home_visit(open_page, world, caseload):
    w = open_page(width=768, height=1024)
    log_in(w, "cw_a", PASSWORD)
    # the search box and the first tiles are reachable without scrolling sideways
    assert _fits_width(w)
    w.shot("06-caseworker-home-tablet", full_page=False)
    w.goto(f"/people/{caseload.active[0].person_id}/")
    assert _fits_width(w)
    w.shot("07-person-page-tablet", full_page=False)


def test_supervisor_sees_the_team_and_approvals(open_page, world, caseload):
    w = open_page()
    log_in(w, "sv_a", PASSWORD)
    assert w.page.get_by_role("heading", name=re.compile("あなたの決裁待ち")).is_visible()
    w.shot("08-supervisor-home")
    w.page.get_by_role("link", name="佐藤 一郎").click()
    w.page.get_by_role("heading", name=re.compile("佐藤 一郎 さんの担当")).wait_for()


def test_partner_sees_only_referred_people(open_page, world, caseload):
    w = open_page()
    log_in(w, "hw_a", PASSWORD)
    referred = {e.person.name for e in caseload.active}
    rows = w.page.locator("#people tbody tr")
    assert rows.count() == len(referred)
    for name in referred:
        assert w.page.get_by_role("link", name=name).is_visible()
    w.shot("09-partner-home")
    # the search finds nobody outside the referral
    w.page.locator("#global-q").fill("たかはし")
    w.page.locator(".dropdown-panel").wait_for()
    assert w.page.locator(".dropdown-item", has_text="髙橋 𠮷子").count() == 0
    w.goto(f"/people/{world.person.pk}/")
    assert w.page.get_by_role("heading", name="見つかりません").is_visible()


def test_caseworker_of_another_office_gets_not_found_by_url(open_page, world, caseload):
    w = open_page()
    log_in(w, "cw_b", PASSWORD)
    resp = w.goto(f"/people/{caseload.active[0].person_id}/")
    assert resp.status == 404
    assert w.page.get_by_role("heading", name="見つかりません").is_visible()
    w.shot("10-other-office-404")


def _fits_width(w):
    return w.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("username", ["cw_a", "sv_a"])
def test_every_menu_page_renders_without_console_errors(open_page, world, caseload, username):
    """The Content-Security-Policy forbids inline scripts and styles: a page that breaks
    it (or a script error) shows up in the console, which fails this walk."""
    w = open_page()
    log_in(w, username, PASSWORD)
    links = w.page.locator("header nav a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(links) >= 2
    for href in links:
        resp = w.goto(href)
        assert resp.status == 200, href
        w.page.wait_for_load_state("load")
    w.goto(f"/people/{caseload.active[0].person_id}/")
    w.page.wait_for_load_state("load")
    w.assert_clean()
