"""清洲 in a real browser at desktop (1280 px) and phone (390 px) width: the person's support
page with the route after the first interview and the 阻害要因の解消, and the Hello Work
referral's interview with its attendees chosen from those on file — no serious or critical
axe-core violation, no sideways scroll, a route recorded through the form (screenshots in
test-artifacts/screenshots/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from jiritsu import testing as t
from jiritsu.activities import services
from jiritsu.activities import work_capacity_services as WS
from jiritsu.activities.models import WorkRouteDecision
from jiritsu.activities.tests.helpers import enrol, program_from, routed_to_hello_work
from jiritsu.core import clock
from jiritsu.people.models import WorkCapacityAssessment
from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import Watched, log_in
from jiritsu.web.tests.test_browser_a11y import AXE, AXE_RUN, OVERFLOW

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def axe_page(browser: Any, live_server: Any, _audit_flushable: None) -> Iterator[Any]:
    """A watched page whose context lets the test inject axe (the pages never load it)."""
    contexts: list[Any] = []

    def _open(width: int) -> Watched:
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo", bypass_csp=True)
        ctx.set_default_timeout(30000)
        ctx.set_default_navigation_timeout(60000)
        contexts.append(ctx)
        return Watched(ctx.new_page(), live_server.url)

    yield _open
    for ctx in contexts:
        ctx.close()


def _problems(w: Watched, width: int, what: str) -> list[str]:
    if not w.page.evaluate("() => typeof axe !== 'undefined'"):
        w.page.add_script_tag(path=str(AXE))
    found = [f"{width}px {what}: {v}" for v in w.page.evaluate(AXE_RUN)]
    return found + [f"{width}px {what}: sideways scroll, {el}" for el in w.page.evaluate(OVERFLOW)]


@pytest.fixture
def kiyosu(world: Any) -> dict[str, Any]:
    today = clock.today()
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person, started_on=today - dt.timedelta(days=40))
    WorkCapacityAssessment.objects.create(
        person=world.person, assessed_on=today - dt.timedelta(days=30), has_capacity=True,
        has_will=True, has_place=True, usage="not_fully_used", barriers=["illness", "childcare"])
    WS.work_barrier_add(actor=world.m(world.caseworker), person=world.person, kind="illness",
                        detail="腰痛で通院中（整形外科・月2回）", found_on=today - dt.timedelta(days=30),
                        planned_on=today - dt.timedelta(days=3), enrollment=enrollment)
    other = t.make_person(world.office, household=world.household, name="清洲 次郎", kana="きよす じろう")
    episode = routed_to_hello_work(world, enrol(program, other, started_on=today - dt.timedelta(days=40)),
                                   on=today - dt.timedelta(days=20))
    referral = services.hw_referral_start(actor=world.m(world.caseworker), enrollment=episode,
                                          hello_work=world.partner_org,
                                          consented_on=today - dt.timedelta(days=10))
    for step in ("form_a", "request"):
        services.hw_referral_advance(actor=world.m(world.caseworker), referral=referral,
                                     step=step, on=today - dt.timedelta(days=5),
                                     expected_version=referral.version)
    return {"enrollment": enrollment, "referral": referral}


@pytest.mark.parametrize("width", [1280, 390])
def test_route_barriers_and_attendees_fit_a_phone(axe_page: Any, world: Any, kiyosu: Any,
                                                  width: int) -> None:
    w = axe_page(width)
    log_in(w, "cw_a", PASSWORD)
    w.goto(f"/activities/people/{world.person.pk}/")
    page = w.page
    section = page.locator("#work-route")
    section.wait_for()
    text = section.inner_text()
    assert "一般就労支援" in text and "傷病（腰痛で通院中（整形外科・月2回））" in text
    assert "育児（面接で把握・解消の記録なし）" in text and "未決定" in text
    for summary in ("振り分けを記録する", "就労阻害要因を記録する", "手立てを加える",
                    "状況を判断する", "実施を記録"):
        page.get_by_text(summary, exact=True).first.click()
    barriers = page.locator("#work-barriers").inner_text()
    assert "予定日を過ぎた手立てがあります" in barriers and "主治医同行訪問等" in barriers
    problems = _problems(w, width, "support page")
    w.shot(f"kiyosu-support-{width}")
    if width == 390:
        form = section.locator("form")
        form.get_by_label("振り分け").select_option("hello_work")
        form.get_by_role("button", name="振り分けを記録").click()
        page.wait_for_load_state("domcontentloaded")
        assert "とする理由を入力してください" in page.locator("#work-route").inner_text()
        form = page.locator("#work-route form")
        form.get_by_label("振り分け").select_option("general")
        form.get_by_role("button", name="振り分けを記録").click()
        page.wait_for_load_state("domcontentloaded")
        decision = WorkRouteDecision.objects.get(enrollment=kiyosu["enrollment"])
        assert (decision.route, decision.suggested) == ("general", "general")

    w.goto(f"/activities/referrals/{kiyosu['referral'].pk}/")
    page.get_by_label("手続き").select_option("interview")
    caseworker = page.get_by_label("担当CW")
    caseworker.wait_for()
    # The person's caseworker is filled in; nothing is marked wrong before anything is sent.
    assert caseworker.input_value() == f"m{world.m(world.caseworker).pk}"
    assert page.locator(".error").count() == 0
    problems += _problems(w, width, "referral page")
    w.shot(f"kiyosu-referral-{width}")
    assert problems == [], "\n".join(problems)
