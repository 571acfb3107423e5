"""Names are kept exactly as entered (髙, 﨑, 𠮷, 𩸽, variation sequences); search ignores kana form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiritsu.core.cp932 import unencodable_chars
from jiritsu.people import selectors
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
