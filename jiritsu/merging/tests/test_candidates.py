"""Who is offered as a possible duplicate, and who never is."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.core.kana import address_key, search_key
from jiritsu.merging import services
from jiritsu.merging.candidates import compare, office_candidates, one_apart
from jiritsu.people.models import Person

pytestmark = pytest.mark.django_db

BORN = dt.date(1980, 5, 1)


@pytest.mark.parametrize(("a", "b"), [
    ("髙橋 𠮷子", "高橋吉子"), ("山﨑　花子", "山崎 花子"), ("ﾔﾏﾀﾞ ﾀﾛｳ", "やまだたろう"),
    ("ＹＡＭＡＤＡ", "yamada"), ("ヤマダ　タロウ", "やまだ たろう"), ("渡邊 一郎", "渡辺一郎"),
])
def test_names_fold_to_one_key(a, b):
    assert search_key(a) == search_key(b)


def test_addresses_fold_with_the_address_words():
    assert address_key("みなと市本町１丁目２番３号") == address_key("みなと市本町1-2-3")
    assert address_key("みなと市本町1の2の3") == address_key("みなと市本町 1-2-3")
    assert address_key("みなと市本町1-2-3") != address_key("みなと市本町1-2-4")


def test_one_apart():
    assert one_apart("やまだたろう", "やまだたろ")
    assert one_apart("やまだたろう", "やまだだろう")
    assert not one_apart("やまだたろう", "やまだたろう")
    assert not one_apart("やまだたろう", "やまもとたろう")


def _p(world, name, kana, *, born=BORN, office=None, sex=Person.Sex.FEMALE, household=None):
    return t.make_person(office or world.office, household=household, name=name, kana=kana,
                         birth_date=born, sex=sex)


def test_variant_kanji_width_space_and_kana_forms_are_one_candidate(world):
    # world.person is 髙橋 𠮷子 (たかはし よしこ), born 1980-05-01.
    dup = _p(world, "高橋　吉子", "ﾀｶﾊｼ ﾖｼｺ")
    found = office_candidates(world.office)
    assert [c.ids for c in found] == [(world.person.pk, dup.pk)]
    reasons = found[0].reasons
    assert "氏名が一致（異体字・全角半角・空白の違いのみ）" in reasons
    assert "ふりがなが一致（カタカナ・ひらがな・全角半角・空白の違いのみ）" in reasons
    assert "生年月日が一致" in reasons


def test_a_typo_in_the_kana_is_a_candidate_and_so_is_a_non_recipient(world):
    child = _p(world, "髙橋𠮷子", "たかはし よしこう")  # no household: 学習支援の参加者
    c = compare(world.person, child)
    assert c is not None
    assert "ふりがなが1文字違い（入力の誤りの可能性）" in c.reasons
    assert "一方は被保護者以外として登録" in c.reasons


def test_people_who_are_never_candidates(world):
    _p(world, "髙橋 𠮷子", "たかはし よしこ", born=dt.date(1980, 5, 2))  # another birthday
    _p(world, "髙橋 𠮷子", "たかはし よしこ", office=world.other_office)  # another office
    _p(world, "髙橋 次子", "たかはし つぎこ")  # twin: same day, another name
    _p(world, "佐藤 花子", "さとう はなこ")
    assert office_candidates(world.office) == []
    assert office_candidates(world.other_office) == []


def test_a_pair_checked_and_kept_apart_is_no_longer_offered(world):
    dup = _p(world, "高橋 吉子", "たかはし よしこ")
    assert len(office_candidates(world.office)) == 1
    services.duplicate_dismiss(actor=world.m(world.supervisor), first=dup, second=world.person,
                               note="住所と家族構成が異なり別人")
    assert office_candidates(world.office) == []


def test_address_and_sex_change_the_score(world):
    world.household.address = "本町１丁目２番３号"
    world.household.save(update_fields=["address"])
    hh = t.make_household(world.office, address="本町1-2-3")
    same_place = _p(world, "高橋 吉子", "たかはし よしこ", household=hh)
    other_sex = _p(world, "高橋 吉子", "たかはし よしこ", sex=Person.Sex.MALE)
    a, b = compare(world.person, same_place), compare(world.person, other_sex)
    assert a is not None and b is not None
    assert "住所が一致" in a.reasons and "性別が異なる" in b.reasons
    assert a.score > b.score
