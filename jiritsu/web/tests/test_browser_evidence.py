"""Medical evidence in a real browser: the caseworker's home lists the 医療要否意見書 falling
due, the line opens the form for the new one, and the person page shows the evidence — at
desktop (1280 px) and phone (390 px) width, without sideways scrolling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jiritsu.core import clock
from jiritsu.core.wareki import add_months
from jiritsu.people.models import MedicalEvidence
from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import SCREENSHOTS, log_in
from jiritsu.web.tests.test_browser_a11y import OVERFLOW

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evidence(world: Any) -> MedicalEvidence:
    today = clock.today()
    issued = add_months(today, -6) + dt.timedelta(days=3)
    opinion = MedicalEvidence.objects.create(
        person=world.person, kind="opinion", issued_on=issued, issuer="みなと病院 山田医師",
        care_setting="outpatient", hospitalisation="not_required", work="limited",
        work_limits="軽作業のみ、1日4時間まで", next_due_on=add_months(issued, 6),
        recorded_by=world.caseworker)
    MedicalEvidence.objects.create(
        person=world.person, kind="consultation", issued_on=issued + dt.timedelta(days=10),
        issuer="嘱託医 佐々木", question="就労の可否と制限", work="limited",
        work_limits="軽作業のみ", finding="通院を続けながら短時間の就労は可能", based_on=opinion)
    MedicalEvidence.objects.create(person=world.person, kind="receipt", issuer="みなと病院",
                                   issued_on=today - dt.timedelta(days=20),
                                   finding="月2回の通院と服薬")
    return opinion


@pytest.mark.parametrize("width", [1280, 390])
def test_home_due_list_and_person_page_section(open_page: Any, world: Any, evidence: Any,
                                               width: int) -> None:
    w = open_page(width=width)
    page = w.page
    # The first page of a session waits for the live server to warm up on a busy machine.
    page.set_default_timeout(20000)
    page.set_default_navigation_timeout(40000)
    log_in(w, "cw_a", PASSWORD)
    section = page.locator("#evidence-due")
    section.wait_for()
    assert "医療要否意見書の更新" in section.inner_text()
    assert world.person.name in section.inner_text()
    assert page.evaluate(OVERFLOW) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / f"evidence-home-{width}.png"))

    section.get_by_role("link", name="医療要否意見書の更新").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("select[name=kind]").input_value() == "opinion"
    assert page.locator("input[name=issuer]").input_value() == "みなと病院 山田医師"
    assert page.evaluate(OVERFLOW) == []
    w.shot(f"evidence-form-{width}")

    w.goto(f"/people/{world.person.pk}/")
    body = page.locator("#health")
    text = body.inner_text()
    for words in ("医療要否意見書", "嘱託医協議", "就労可（制限あり）", "制限：軽作業のみ、1日4時間まで",
                  "通院を続けながら短時間の就労は可能", "レセプト"):
        assert words in text
    assert "limited" not in text and "not_required" not in text
    assert page.evaluate(OVERFLOW) == []
    body.screenshot(path=str(SCREENSHOTS / f"evidence-person-{width}.png"))
