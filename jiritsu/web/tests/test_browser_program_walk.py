"""One person through a program, on screens, as a new caseworker would do it.

Log in → find the person by kana → screen the program → register as candidate →
record consent → conference decision (support starts) → plan → home-visit record →
review → outcome; then the person page shows all of it on one timeline.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jiritsu.core import clock
from jiritsu.core.wareki import format_wareki
from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import log_in
from jiritsu.web.tests.data import make_program

pytestmark = pytest.mark.django_db(transaction=True)


def _wareki_short(day):
    """R8.11.27 — the way people type a 和暦 date."""
    text = format_wareki(day)  # 令和8年11月27日
    m = re.match(r"令和(\d+|元)年(\d+)月(\d+)日", text)
    assert m is not None
    year = "1" if m.group(1) == "元" else m.group(1)
    return f"R{year}.{m.group(2)}.{m.group(3)}"


def _submit(page, name):
    """Press a form's button and wait for the answer before doing anything else."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


@pytest.fixture
def program(world):
    p = make_program(world.office, "EMP", "就労支援プログラム", consent_required=True)
    p.rules = {"op": "and", "conditions": [{"field": "age", "op": "between", "value": [15, 64]}]}
    p.save(update_fields=["rules"])
    p.partners.add(world.partner_org)
    return p


def test_caseworker_takes_a_person_from_screening_to_an_outcome(open_page, world, program):
    today = clock.today()
    w = open_page()
    page = w.page
    log_in(w, "cw_a", PASSWORD)

    # find the person by kana (katakana typed, hiragana stored)
    page.locator("#global-q").fill("タカハシ")
    page.locator(".dropdown-item", has_text="髙橋 𠮷子").click()
    page.get_by_role("heading", name=re.compile("髙橋 𠮷子")).wait_for()

    # screening: run the program's rules and see why the person matches
    w.goto(f"/programs/{program.pk}/screening/")
    page.get_by_label("基準日").first.fill(_wareki_short(today))
    page.get_by_role("button", name="条件で抽出").click()
    row = page.locator("tr", has_text="髙橋 𠮷子")
    expect(row).to_contain_text("年齢")
    w.shot("11-screening")
    row.get_by_role("link", name="候補に登録").click()
    _submit(page, re.compile("登録"))
    expect(page.locator(".status")).to_contain_text("候補")

    # consent, with what the partner may receive
    page.get_by_role("link", name="同意を記録").first.click()
    page.get_by_label("同意日").fill(_wareki_short(today))
    page.get_by_label("書面").check()
    page.get_by_label("支援記録").check()
    w.shot("12-consent")
    _submit(page, re.compile("記録|保存"))

    # conference: the decision takes effect on save
    w.goto(f"/programs/conferences/new/?program={program.pk}&people={world.person.pk}")
    page.get_by_label("開催日").fill(_wareki_short(today))
    page.get_by_label("件名").fill("就労支援検討会")
    decision = page.locator("fieldset.decision", has_text="髙橋 𠮷子")
    decision.get_by_label("決定").select_option(label="支援開始")
    decision.get_by_label("理由", exact=True).fill("本人の意欲が高く、ハローワークへの同行から始める。")
    w.shot("13-conference")
    _submit(page, "会議を保存して決定を反映")
    page.get_by_role("heading", name="就労支援検討会").wait_for()
    page.get_by_role("link", name="髙橋 𠮷子").click()
    expect(page.locator(".status")).to_contain_text("参加中")

    # plan
    page.get_by_role("link", name="計画を作成").click()
    page.get_by_label("本人同意日").fill(_wareki_short(today))
    page.get_by_label("支援方針").fill("週1回ハローワークに同行する。")
    page.get_by_label("目標1", exact=True).fill("3か月以内に週3日の就労")
    _submit(page, re.compile("保存|作成"))
    expect(page.get_by_role("heading", name=re.compile("計画"))).to_contain_text("第1版")

    # a home-visit record
    page.get_by_role("link", name="経過記録を書く").click()
    page.get_by_label("日付").fill(_wareki_short(today))
    page.get_by_label("種別").select_option(label="家庭訪問")
    page.get_by_label("内容").fill("自宅を訪問。求人票を一緒に確認した。")
    w.shot("14-record")
    _submit(page, re.compile("保存|記録"))

    # a review
    w.goto(f"/people/{world.person.pk}/")
    page.get_by_role("link", name=re.compile("就労支援プログラム（参加中）")).click()
    page.get_by_role("link", name="見直しを記録").click()
    page.get_by_label("実施日").fill(_wareki_short(today))
    page.get_by_label("評価").fill("求職活動は順調。")
    page.get_by_label("判断＊", exact=True).select_option(label="継続")
    _submit(page, re.compile("保存|記録"))

    # an outcome
    page.get_by_role("link", name="成果を記録").click()
    page.get_by_label("成果の種類").select_option(label="就労開始")
    page.get_by_label("日付").fill(today.isoformat())
    page.get_by_label("就労先").fill("スーパーみなと")
    page.get_by_label("月収（円）").fill("80000")
    page.get_by_role("button", name=re.compile("保存|記録")).click()
    # a missing field is explained in Japanese beside it, and nothing is lost
    expect(page.locator(".error", has_text="職種")).to_be_visible()
    w.shot("15-outcome-error")
    expect(page.get_by_label("就労先")).to_have_value("スーパーみなと")
    page.get_by_label("職種").fill("品出し")
    _submit(page, re.compile("保存|記録"))
    expect(page.locator("body")).to_contain_text("スーパーみなと")
    w.shot("16-enrollment")

    # the person page tells the whole story on one timeline
    w.goto(f"/people/{world.person.pk}/")
    timeline = page.locator("#timeline-body")
    for kind in ("経過記録", "見直し", "検討会の決定", "同意", "計画", "成果", "参加状況"):
        expect(timeline.locator(".tl-kind", has_text=kind).first).to_be_visible()
    w.shot("17-person-after-walk")

    # and the home page knows about the consent and the programme
    w.goto("/")
    expect(page.locator("#caseload")).to_contain_text("プログラム参加中")
