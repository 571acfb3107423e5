"""The program editor in a real browser: a manager builds a selection rule from the lists,
the count of matching people follows each change, and the rule is saved; the conference
form shows only the fields the chosen decision takes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jiritsu.programs.models import Program
from jiritsu.programs.testing import make_program
from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import log_in
from jiritsu.web.tests.data import build_caseload

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_builds_a_rule_with_a_live_count(open_page, world):
    build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                   partner_user=world.partner, partner=world.partner_org, households=6)
    program = make_program(world.office)
    w = open_page()
    log_in(w, "mgr_a", PASSWORD)
    w.goto(f"/programs/{program.pk}/edit/")
    page = w.page
    builder = page.locator("fieldset.rule-builder")
    count = builder.locator(".rule-count")
    expect(builder.get_by_role("button", name="表示を更新して人数を数える")).to_be_hidden()
    before = count.inner_text()
    builder.get_by_role("button", name="条件を追加").click()
    row = builder.locator("li.rule-row").last
    row.get_by_label("項目").select_option(label="性別")
    expect(row.get_by_text("当てはまるもの（1つ以上）")).to_be_visible()
    row.get_by_label("女").check()
    expect(count).not_to_have_text(before)
    expect(count).to_contain_text(re.compile(r"該当 \d+人"))
    w.page.set_viewport_size({"width": 1280, "height": 900})
    w.shot("program-editor-rule-1280")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).last.click()
    errors = page.locator(".error, .form-errors").all_inner_texts()
    assert not errors, errors
    program.refresh_from_db()
    assert {"field": "sex", "op": "in", "value": ["female"]} in program.rules["conditions"]
    assert Program.objects.get(pk=program.pk).current_version == 2


def test_conference_form_shows_the_fields_of_the_chosen_decision(open_page, world):
    program = make_program(world.office)
    w = open_page()
    log_in(w, "sv_a", PASSWORD)
    w.goto(f"/programs/conferences/new/?program={program.pk}&people={world.person.pk}")
    box = w.page.locator("fieldset.decision").first
    extend_until = box.get_by_label(re.compile("延長後の終了予定日"))
    expect(extend_until).to_be_hidden()
    box.get_by_label("決定", exact=True).select_option(label="延長")
    expect(extend_until).to_be_visible()
    expect(box.get_by_label(re.compile("終了理由"))).to_be_hidden()
    box.get_by_label("決定", exact=True).select_option(label="終了")
    expect(box.get_by_label(re.compile("終了理由"))).to_be_visible()
    expect(extend_until).to_be_hidden()
