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
