"""和暦, fiscal years and kana search keys: the small modules every screen relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.core import wareki
from jiritsu.core.cp932 import unencodable_chars
from jiritsu.core.kana import is_kana, search_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26", dt.date(2026, 11, 26)),
        ("2026/11/26", dt.date(2026, 11, 26)),
        ("R8.11.26", dt.date(2026, 11, 26)),
        ("r8.11.26", dt.date(2026, 11, 26)),
        ("令和8年11月26日", dt.date(2026, 11, 26)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("平成18年9月1日", dt.date(2006, 9, 1)),
        ("Ｒ８．１１．２６", dt.date(2026, 11, 26)),  # full-width input
        ("S64.1.7", dt.date(1989, 1, 7)),
    ],
)
def test_parse_date_accepts_iso_and_wareki(text, expected):
    assert wareki.parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "2026-02-30", "令和0年1月1日", "H31.5.1", "R1.4.30", "あした"])
def test_parse_date_refuses_with_a_japanese_message(text):
    with pytest.raises(ValueError) as exc:
        wareki.parse_date(text)
    assert any("\u3040" <= ch <= "\u9fff" for ch in str(exc.value))


def test_format_wareki_uses_gannen_and_era_boundaries():
    assert wareki.format_wareki(dt.date(2026, 11, 26)) == "令和8年11月26日"
    assert wareki.format_wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki.format_wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki.format_wareki(dt.date(1989, 1, 8)) == "平成元年1月8日"
    assert wareki.format_wareki_month(dt.date(2006, 9, 1)) == "平成18年9月"
    # Before 明治 there is no era to name: fall back to ISO instead of failing a page.
    assert wareki.format_wareki(dt.date(1800, 1, 2)) == "1800-01-02"


def test_fiscal_year_runs_april_to_march():
    assert wareki.fiscal_year_of(dt.date(2026, 3, 31)) == 2025
    assert wareki.fiscal_year_of(dt.date(2026, 4, 1)) == 2026
    assert wareki.fiscal_year_bounds(2025) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert wareki.format_fiscal_year(2025) == "令和7年度"
    assert wareki.format_fiscal_year(2019) == "平成31年度"
    assert wareki.format_fiscal_year(2020) == "令和2年度"


def test_add_months_clamps_to_month_end_and_age_counts_birthdays():
    assert wareki.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert wareki.add_months(dt.date(2026, 11, 26), 6) == dt.date(2027, 5, 26)
    assert wareki.age_on(dt.date(2012, 11, 27), dt.date(2026, 11, 26)) == 13
    assert wareki.age_on(dt.date(2012, 11, 26), dt.date(2026, 11, 26)) == 14


def test_search_key_ignores_kana_kind_width_and_spaces():
    keys = {search_key(s) for s in ["ヤマダ タロウ", "やまだ　たろう", "ﾔﾏﾀﾞﾀﾛｳ", "やまだたろう"]}
    assert keys == {"やまだたろう"}
    assert search_key("キョウコ") == "きようこ"  # small kana folded
    assert is_kana("たかはし よしこ") and is_kana("タカハシ")
    assert not is_kana("髙橋")


def test_cp932_reports_characters_it_cannot_carry():
    assert unencodable_chars("髙橋 﨑山 ①") == []
    assert unencodable_chars("𠮷田 𩸽 鷗外") == ["𠮷", "𩸽", "鷗"]


def test_search_key_folds_variant_kanji_variation_selectors_and_spaces():
    assert search_key("髙橋　𠮷子") == search_key("高橋吉子") == "高橋吉子"
    assert search_key("山﨑") == search_key("山崎") == search_key("山嵜")
    assert search_key("葛\U000E0100城") == search_key("葛城")  # IVS dropped
    assert search_key("辻\uFE00") == "辻"  # standardized variation selector dropped
    assert search_key("ｽﾐｽ　ｼﾞｮﾝ") == search_key("スミス ジョン") == "すみすじよん"
