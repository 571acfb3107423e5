"""Names are kept exactly as entered (髙, 﨑, 𠮷, 𩸽, variation sequences); search ignores kana form."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse

from jiritsu.cases import person_file as selectors
from jiritsu.core.cp932 import unencodable_chars
from jiritsu.core.kana import search_key
from jiritsu.people.models import Person

pytestmark = pytest.mark.django_db

NAMES = ["髙橋 一郎", "山﨑 花子", "𠮷田 太郎", "𩸽野 次郎", "葛\U000E0100城 三郎", "辻\U000E0101 四郎"]


@pytest.mark.parametrize("name", NAMES)
def test_name_round_trips_through_the_edit_form_unchanged(client, world, name):
    person = world.person
    client.force_login(world.caseworker)
    data = {"name": name, "kana": "タカハシ イチロウ", "birth_date": "S55.5.1", "sex": "male",
            "relationship": "head", "employment_status": "not_working", "earned_income": "0",
            "version": person.version}
    resp = client.post(reverse("people:person_edit", args=[person.pk]), data)
    assert resp.status_code == 302
    person.refresh_from_db()
    assert person.name == name
    assert len(person.name) == len(name)  # no code point added, dropped or normalised
    page = client.get(reverse("people:person", args=[person.pk])).content.decode()
    assert name in page


def test_kana_search_ignores_hiragana_katakana_and_width(world):
    m = world.m(world.caseworker)
    for q in ("たかはし", "タカハシ", "ﾀｶﾊｼ", "たかはし　よしこ"):
        assert world.person in selectors.search_people(m, q), q


def test_cp932_check_names_what_cannot_be_carried():
    assert unencodable_chars("髙橋 山﨑") == []  # inside cp932 (IBM/NEC extensions)
    assert unencodable_chars("𠮷田 𩸽") == ["𠮷", "𩸽"]
    assert unencodable_chars("葛\U000E0100") == ["\U000E0100"]


def test_name_stored_verbatim_by_the_orm(world):
    for name in NAMES:
        p = Person.objects.create(office=world.office, name=name, kana="てすと",
                                  birth_date="1990-01-01", sex="male")
        p.refresh_from_db()
        assert p.name == name


def test_search_finds_any_part_of_a_name_by_case_number_in_furigana_order(world):
    """The rules behind the indexed search: a part of the furigana or of the name (one, two,
    three or more characters), the exact case number; results in furigana order; never
    another office's people."""
    m = world.m(world.caseworker)
    hh = world.household
    extra = [Person.objects.create(office=world.office, household=hh, name=n, kana=k,
                                   birth_date="1980-01-01", sex="female", member_number=i)
             for i, (n, k) in enumerate([("安藤 良子", "あんどう よしこ"),
                                         ("和田 佳子", "わだ よしこ")], start=2)]
    found = selectors.search_people(m, "よしこ")  # the middle of the furigana
    assert found == sorted([world.person, *extra], key=lambda p: (p.kana_key, p.pk))
    assert selectors.search_people(m, "よ") == found  # one character
    assert selectors.search_people(m, "𠮷子") == [world.person]  # part of the name
    assert selectors.search_people(m, "佳") == [extra[1]]
    assert set(selectors.search_people(m, hh.case_number)) == {world.person, *extra}
    assert selectors.search_people(m, "べっし") == []  # the other office's person
    assert selectors.search_people(m, "たなかさん") == []


def test_a_search_of_three_characters_or_more_is_planned_for_memory_in_one_process(world):
    """PostgreSQL: the trigram search's statement runs right after its own planner settings
    (SET LOCAL, in the statement's own transaction); a shorter search keeps the database's
    (docs/performance.md, "Seventh round"). SQLite has no planner settings: none is sent.
    The people found are the same either way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m = world.m(world.caseworker)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.search_people(m, "たかはし")
    assert found == [world.person]
    sqls = [q["sql"] for q in queries.captured_queries]
    settings_sent = [i for i, sql in enumerate(sqls) if "random_page_cost" in sql]
    if connection.vendor == "postgresql":
        assert len(settings_sent) == 1
        assert "people_person" in sqls[settings_sent[0] + 1]  # the search itself, right after
    else:
        assert settings_sent == []
    with CaptureQueriesContext(connection) as queries:
        assert selectors.search_people(m, "たか") == [world.person]
    assert not any("random_page_cost" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(("stored", "typed"), [
    ("小林 修平", "小林　修平"),  # the full-width space of a Japanese keyboard
    ("小林 修平", "小林修平"),  # no space at all
    ("小林　修平", "小林 修平"),
    ("山﨑 花子", "山崎"), ("髙橋 一郎", "高橋一郎"), ("𠮷田 太郎", "吉田"),
    ("葛\U000E0100城 三郎", "葛城"),  # a variation selector (IVS) in the stored name
    ("葛城 三郎", "葛\U000E0100城"),  # … or in what is typed
    ("辻\uFE00 四郎", "辻四郎"),
    ("ｽﾐｽ ｼﾞｮﾝ", "スミス"), ("ＡＢＣ 花子", "abc"),
])
def test_name_search_folds_width_spaces_and_variant_kanji(world, stored, typed):
    m = world.m(world.caseworker)
    person = Person.objects.create(office=world.office, household=world.household, name=stored,
                                   kana="てすと はなこ", birth_date="1990-01-01", sex="female",
                                   member_number=9)
    assert person in selectors.search_people(m, typed)
    person.refresh_from_db()
    assert person.name == stored  # stored as entered, only the key is folded


@pytest.mark.parametrize("typed", ["こばやし　しゅうへい", "コバヤシシュウヘイ", "ｺﾊﾞﾔｼ ｼｭｳﾍｲ"])
def test_kana_search_folds_the_same_way(world, typed):
    m = world.m(world.caseworker)
    person = Person.objects.create(office=world.office, household=world.household,
                                   name="小林 修平", kana="こばやし しゅうへい",
                                   birth_date="1990-01-01", sex="male", member_number=9)
    assert person in selectors.search_people(m, typed)


def test_search_page_and_api_use_the_same_rule(client, world):
    Person.objects.create(office=world.office, household=world.household, name="山﨑 花子",
                          kana="やまさき はなこ", birth_date="1990-01-01", sex="female",
                          member_number=9)
    client.force_login(world.caseworker)
    page = client.get(reverse("search"), {"q": "山崎　花子"}).content.decode()
    assert "山﨑 花子" in page


def test_the_data_migration_recomputes_stored_keys(world):
    from django.apps import apps

    migration = importlib.import_module("jiritsu.people.migrations.0005_person_name_key")
    Person.objects.filter(pk=world.person.pk).update(name_key="", kana_key="stale")
    migration.recompute_keys(apps, None)
    world.person.refresh_from_db()
    assert world.person.name_key == search_key(world.person.name) != ""
    assert world.person.kana_key == search_key(world.person.kana)
