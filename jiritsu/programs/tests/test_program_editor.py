"""The program editor as forms, through the HTTP client: 選定条件 rows built from the screening
engine's own table, outcome types and targets chosen from Japanese lists, the count of
matching people (with and without JavaScript), errors beside the row."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.programs import screening
from jiritsu.programs.models import Program
from jiritsu.programs.rule_form import RuleForm
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db

BASE = {
    "code": "EMP01", "name": "就労支援プログラム", "kind": "economic", "legal_basis": "art55_7",
    "established_on": "H19.4.1", "review_interval_months": "3", "standard_length_months": "3",
    "max_length_months": "6", "consent_required": "on", "is_active": "on",
    "phases": "準備,1\n求職活動", "menus": "ハローワーク同行",
}


def _formsets(outcomes: tuple[dict[str, str], ...] | list[dict[str, str]] = (),
              targets: tuple[dict[str, str], ...] | list[dict[str, str]] = ()) -> dict[str, str]:
    data = {"outcome-TOTAL_FORMS": str(len(outcomes)), "outcome-INITIAL_FORMS": "0",
            "target-TOTAL_FORMS": str(len(targets)), "target-INITIAL_FORMS": "0"}
    for prefix, rows in (("outcome", outcomes), ("target", targets)):
        for i, row in enumerate(rows):
            data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _visible_text(html: str) -> str:
    """What a person reads: no tags, no attribute values, no scripts."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _people(world: Any) -> None:
    hh = t.make_household(world.office)
    t.make_person(world.office, household=hh, birth_date=dt.date(1990, 1, 1))  # 30s
    t.make_person(world.office, household=hh, birth_date=dt.date(1950, 1, 1))  # 70s
    t.make_person(world.office, household=hh, birth_date=dt.date(1985, 1, 1),
                  sex="female")
    other = t.make_household(world.other_office)
    t.make_person(world.other_office, household=other, birth_date=dt.date(1990, 1, 1))


def test_create_with_rule_rows_outcomes_and_targets(client, world):
    client.force_login(world.manager)
    data = {**BASE, "rule-op": "and",
            "rule-0-field": "age", "rule-0-op": "between", "rule-0-lo": "１５", "rule-0-hi": "64",
            "rule-1-group": "or",
            "rule-1.0-field": "sex", "rule-1.0-op": "in", "rule-1.0-values": ["female"],
            "rule-1.1-field": "hospital_stay", "rule-1.1-op": "is", "rule-1.1-value": "0",
            "rule-2-field": "",  # a row left blank is not a condition
            **_formsets(
                [{"kind": "employment_start", "name": "就労開始", "counts_as_achievement": "on"},
                 {"kind": "income_increase", "name": "増収"}],
                [{"label": "就労開始者", "metric": "outcome", "outcome_kind": "employment_start",
                  "value": "4", "fiscal_year_from": "2025", "fiscal_year_to": "2025"}])}
    resp = client.post(reverse("programs:create"), data)
    assert resp.status_code == 302, _visible_text(resp.content.decode())[:2000]
    program = Program.objects.get(code="EMP01")
    assert program.rules == {"op": "and", "conditions": [
        {"field": "age", "op": "between", "value": [15, 64]},
        {"op": "or", "conditions": [{"field": "sex", "op": "in", "value": ["female"]},
                                    {"field": "hospital_stay", "op": "is", "value": False}]}]}
    assert list(program.outcome_types.values_list("kind", "name", "counts_as_achievement")
                .order_by("id")) == [("employment_start", "就労開始", True),
                                     ("income_increase", "増収", False)]
    assert list(program.targets.values_list("label", "metric", "outcome_kind", "value")) == [
        ("就労開始者", "outcome", "employment_start", 4)]
    body = client.get(reverse("programs:detail", args=[program.pk])).content.decode()
    assert "年齢が15歳以上64歳以下" in body


def test_editor_offers_the_engines_vocabulary_in_japanese(client, world):
    program = make_program(world.office, rules={"op": "and", "conditions": [
        {"field": "age", "op": "between", "value": [15, 64]},
        {"op": "or", "conditions": [{"field": "disability", "op": "any"},
                                    {"field": "district", "op": "in", "value": ["北地区", "南地区"]}]}]},
        outcomes=[("employment_start", "就労開始", True)])
    program.targets.create(label="参加者10人", metric="participants", value=10,
                           fiscal_year_from=2025, fiscal_year_to=2025)
    client.force_login(world.manager)
    html = client.get(reverse("programs:edit", args=[program.pk])).content.decode()
    # Every item of the engine's table is offered, with its Japanese label.
    for key, spec in screening.FIELDS.items():
        assert f'<option value="{key}"' in html and spec.label in html, key
    text = _visible_text(html)
    for code in ("employment_start", "participants", "between", '"field"', "JSON", "age",
                 "outcome_kind", "fiscal_year"):
        assert code not in text, code
    for label in ("就労開始", "参加者数", "令和7年度", "範囲（以上・以下）", "条件のまとまり",
                  "障害", "あり（種類を問わない）"):
        assert label in text, label
    assert 'value="北地区、南地区"' in html
    # Posting the page back unchanged keeps the rule as it was (nested group included).
    form = RuleForm(rules=program.rules)
    assert form.is_valid() and form.rules == screening.validate_rules(program.rules)


def test_buttons_add_and_remove_rows_and_count_without_javascript(client, world):
    _people(world)
    client.force_login(world.manager)
    data = {**BASE, **_formsets(), "rule-op": "and",
            "rule-0-field": "age", "rule-0-op": "gte", "rule-0-value": "60"}
    # Add a row: nothing is saved, the page comes back with a new empty row and the count.
    resp = client.post(reverse("programs:create"), {**data, "rule_action": "add"})
    html = resp.content.decode()
    assert resp.status_code == 200 and not Program.objects.filter(code="EMP01").exists()
    assert 'name="rule-1-field"' in html
    assert "該当 <strong>1人</strong>" in html  # the 70-year-old; the other office not counted
    # Choosing another item and redrawing shows that item's inputs (性別 → its choices).
    resp = client.post(reverse("programs:create"), {
        **data, "rule-1-field": "sex", "rule-1-op": "", "rule_action": "refresh"})
    html = resp.content.decode()
    assert 'name="rule-1-values" value="female"> 女' in html
    # Remove the first row: the second becomes the first.
    resp = client.post(reverse("programs:create"), {
        **data, "rule-1-field": "sex", "rule-1-op": "in", "rule-1-values": "female",
        "rule_action": "remove:0"})
    html = resp.content.decode()
    assert 'name="rule-0-field"' in html and 'name="rule-1-field"' not in html
    assert '<option value="sex" selected>' in html
    assert re.findall(r"該当 <strong>(\d+)人</strong>", html) == ["2"]  # women: 𠮷子 and one more


def test_errors_are_japanese_and_beside_their_row(client, world):
    program = make_program(world.office)
    client.force_login(world.manager)
    data = {**BASE, **_formsets(), "version": program.version, "code": program.code,
            "rule-op": "and",
            "rule-0-field": "age", "rule-0-op": "between", "rule-0-lo": "64", "rule-0-hi": "15",
            "rule-1-field": "earned_income", "rule-1-op": "gte", "rule-1-value": "たくさん",
            "rule-2-field": "sex", "rule-2-op": "in"}
    resp = client.post(reverse("programs:edit", args=[program.pk]), data)
    html = resp.content.decode()
    assert resp.status_code == 200
    rows = re.findall(r'<li class="rule-row has-error" id="(rule-\d)">(.*?)</li>', html, re.S)
    by_row = {rid: _visible_text(body) for rid, body in rows}
    assert "下限が上限より大きくなっています。" in by_row["rule-0"]
    assert "整数で入力してください。" in by_row["rule-1"]
    program.refresh_from_db()
    assert program.current_version == 1 and not program.rules
    # With the numbers fixed, the engine's own check speaks for the third row.
    data.update({"rule-0-lo": "15", "rule-0-hi": "64", "rule-1-value": "50000"})
    html = client.post(reverse("programs:edit", args=[program.pk]), data).content.decode()
    again = dict(re.findall(r'<li class="rule-row has-error" id="(rule-\d)">(.*?)</li>', html,
                            re.S))
    assert list(again) == ["rule-2"] and "1つ以上の値を指定してください。" in again["rule-2"]
    # A target with an outcome metric but no outcome kind: a Japanese message by that field.
    data.update({"rule-2-values": "male", **_formsets(targets=[
        {"label": "就労", "metric": "outcome", "value": "3", "fiscal_year_from": "2025",
         "fiscal_year_to": "2024"}])})
    text = _visible_text(client.post(reverse("programs:edit", args=[program.pk]),
                                     data).content.decode())
    assert "成果の種類を選んでください" in text and "終了年度は開始年度以降にしてください" in text
    program.refresh_from_db()
    assert program.current_version == 1


def test_live_count_endpoint(client, world):
    _people(world)
    client.force_login(world.manager)
    url = reverse("programs:rule_count")
    body = client.post(url, {"rule-op": "and", "rule-0-field": "age", "rule-0-op": "lte",
                             "rule-0-value": "40"}).json()
    assert body["ok"] and body["count"] == 1 and body["population"] == 4  # the world has one more
    assert body["summary"] == "年齢が40歳以下"
    either = client.post(url, {"rule-op": "or", "rule-0-field": "age", "rule-0-op": "lte",
                               "rule-0-value": "40", "rule-1-field": "sex", "rule-1-op": "in",
                               "rule-1-values": "female"}).json()
    assert either["count"] == 3, either  # the 30s, the woman, and the world's 髙橋 𠮷子
    bad = client.post(url, {"rule-0-field": "age", "rule-0-op": "lte", "rule-0-value": ""}).json()
    assert not bad["ok"] and bad["errors"] == ["年齢：数値を入力してください。"]
    # The rows redrawn for the script: the same markup as the page.
    rows = client.post(reverse("programs:rule_rows"), {"rule-0-field": "age",
                                                       "rule_action": "add"}).content.decode()
    assert 'name="rule-1-field"' in rows and 'name="rule-0-lo"' in rows
    client.force_login(world.caseworker)
    assert client.post(url, {}).status_code == 403


def test_api_counts_a_draft_rule_with_the_same_check(client, world):
    _people(world)
    api = t.ApiClient(t.token_for(world, world.manager))
    rules = {"op": "and", "conditions": [{"field": "age", "op": "lte", "value": 40}]}
    body = api.post("programs/rules/count", {"rules": rules}).json()
    assert (body["count"], body["population"], body["rules_text"]) == (1, 4, ["年齢が40歳以下"])
    # The screen's endpoint says the same for the same rule.
    client.force_login(world.manager)
    screen = client.post(reverse("programs:rule_count"), {
        "rule-0-field": "age", "rule-0-op": "lte", "rule-0-value": "40"}).json()
    assert (screen["count"], screen["population"]) == (body["count"], body["population"])
    # One check: the engine's message, with its stable code and the row it concerns.
    bad = api.post("programs/rules/count", {"rules": {"op": "and", "conditions": [
        {"field": "age", "op": "between", "value": [64, 15]}]}})
    err = bad.json()["error"]
    assert bad.status_code == 422 and err["code"] == "invalid_rules"
    assert "下限が上限より大きくなっています。" in err["message"] and err["details"][0]["at"] == [0]


class _FormData(HTMLParser):
    """What a browser would post for the page's program form, untouched (buttons aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox"
                                              else "")))
        elif tag == "select":
            self._select, self._first, self._chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.data.append((self._select, a.get("value", "")))
                self._chosen = True
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.append((self._textarea or "", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if not self._chosen:
                self.data.append((self._select, self._first or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, text: str) -> None:
        if self._textarea and self.data and self.data[-1][0] == self._textarea:
            self.data[-1] = (self._textarea, self.data[-1][1] + text)


def test_the_page_posted_back_unchanged_saves_without_a_new_version(client, world):
    rules = {"op": "and", "conditions": [
        {"field": "age", "op": "between", "value": [15, 64]},
        {"op": "or", "conditions": [{"field": "care_duty", "op": "is", "value": False},
                                    {"field": "capacity.usage", "op": "not_in",
                                     "value": ["fully_used"]}]}]}
    program = make_program(world.office, rules=rules, description="一行目\n二行目",
                           outcomes=[("employment_start", "就労開始", True)])
    client.force_login(world.manager)
    url = reverse("programs:edit", args=[program.pk])
    form_html = client.get(url).content.decode().split('class="card program-form"', 1)[1]
    parser = _FormData()
    parser.feed(form_html.split("</form>", 1)[0])
    data = QueryDict(mutable=True)
    for name, value in parser.data:
        # A browser posts a textarea's line breaks as CRLF.
        data.appendlist(name, value.lstrip("\n").replace("\n", "\r\n")
                        if name in ("description", "phases") else value)
    resp = client.post(url, data)
    assert resp.status_code == 302, _visible_text(resp.content.decode())[-1500:]
    program.refresh_from_db()
    assert program.rules == rules
    assert program.current_version == 1  # nothing changed, so no new version


def test_professions_are_chosen_from_the_japanese_list(client, world):
    """関与する職種: checkboxes of the staff professions, stored as their codes; a name typed
    before the list existed is matched; the API refuses a value outside the list."""
    program = make_program(world.office, professions=["employment_support", "保健師"])
    client.force_login(world.manager)
    html = client.get(reverse("programs:edit", args=[program.pk])).content.decode()
    checked = re.findall(r'<input type="checkbox" name="professions" value="([a-z_]+)"[^>]*checked', html)
    assert sorted(checked) == ["employment_support", "public_health_nurse"]
    assert "就労支援員" in _visible_text(html) and "employment_support" not in _visible_text(html)

    data = {**BASE, "code": program.code, "version": str(program.version), "rule-op": "and",
            "professions": ["psw", "dietitian"], **_formsets()}
    resp = client.post(reverse("programs:edit", args=[program.pk]), data)
    assert resp.status_code == 302, _visible_text(resp.content.decode())[:1500]
    program.refresh_from_db()
    assert program.professions == ["psw", "dietitian"]

    from jiritsu.core.errors import ValidationFailed
    from jiritsu.programs.services.catalogue import program_update

    with pytest.raises(ValidationFailed) as exc:
        program_update(actor=world.m(world.manager), program=program,
                       expected_version=program.version, data={"professions": ["wizard"]})
    assert exc.value.field == "professions"
