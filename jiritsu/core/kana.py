"""Search keys for Japanese names — the one rule every name and furigana search uses.

Names are stored exactly as entered (髙, 﨑, 𠮷, variation sequences are never
touched). Only the *search key* is normalised, the same way for the name and for its
furigana and for what is typed into a search box:

- NFKC: full-width ↔ half-width (「ﾔﾏﾀﾞ」「ＹＡＭＡＤＡ」) and compatibility forms;
- variation selectors dropped (IVS U+E0100–E01EF, U+FE00–FE0F): 「葛󠄀城」 is found as 「葛城」;
- variant kanji folded to the everyday form (髙→高, 﨑→崎, 𠮷→吉 …, ``VARIANTS``);
- katakana → hiragana, small kana → large;
- spaces (half- and full-width) and long-vowel marks removed, so 「小林　修平」「小林 修平」
  「小林修平」 and 「ヤマダ タロウ」「やまだたろう」「ﾔﾏﾀﾞﾀﾛｳ」 each give one key;
- latin letters lower-cased.

Addresses get the same folding plus the address words (丁目・番地・番・号・の), so
「みなと市本町１丁目２番３号」 and 「みなと市本町1-2-3」 give one key (``address_key``; used to
compare two people's addresses when looking for the same person registered twice).

A stored key is recomputed whenever the name or furigana changes (``Person.save`` and the
bulk paths); a change to this rule needs a data migration that recomputes the stored keys
(people/migrations/0005_person_name_key.py is the example).
"""

from __future__ import annotations

import unicodedata

_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_DROP = {" ", "\u3000", "ー", "-", "・", "‐", "－", "ｰ", "\u200b"}

# Variant (異体字) → everyday form, for kanji that occur in family and given names and
# that a caseworker types in the everyday form. Only search keys use this table.
VARIANTS: dict[str, str] = {
    "髙": "高", "﨑": "崎", "嵜": "崎", "碕": "崎", "𠮷": "吉", "邊": "辺", "邉": "辺",
    "濵": "浜", "濱": "浜", "齋": "斎", "齊": "斉", "櫻": "桜", "澤": "沢", "國": "国",
    "廣": "広", "眞": "真", "藏": "蔵", "槇": "槙", "嶋": "島", "嶌": "島", "冨": "富",
    "德": "徳", "惠": "恵", "榮": "栄", "瀨": "瀬", "曻": "昇", "﨔": "欅", "淸": "清",
    "靜": "静", "彌": "弥", "與": "与", "鐵": "鉄", "關": "関", "實": "実", "壽": "寿",
    "兒": "児", "舘": "館", "穗": "穂", "禮": "礼", "淵": "渕", "峯": "峰", "舩": "船",
    "檜": "桧", "驒": "騨", "逹": "達", "桒": "桑",
}
_VARIANTS = str.maketrans(VARIANTS)


def _is_variation_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def to_hiragana(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0x30A1 <= code <= 0x30F6:  # katakana → hiragana
            out.append(chr(code - 0x60))
        else:
            out.append(ch)
    return "".join(out)


def search_key(text: str | None) -> str:
    """The search key of a name, a furigana or a search query (see the module docstring)."""
    if not text:
        return ""
    s = "".join(ch for ch in text if not _is_variation_selector(ord(ch)))
    s = unicodedata.normalize("NFKC", s).translate(_VARIANTS)
    s = to_hiragana(s).translate(_SMALL).lower()
    return "".join(ch for ch in s if ch not in _DROP and not ch.isspace())


def is_kana(text: str) -> bool:
    """True when ``text`` is only kana, long marks and spaces (a valid furigana)."""
    s = unicodedata.normalize("NFKC", text or "")
    for ch in s:
        if ch in _DROP:
            continue
        code = ord(ch)
        if not (0x3041 <= code <= 0x309F or 0x30A0 <= code <= 0x30FF):
            return False
    return bool(s.strip())


_ADDRESS_WORDS = ("丁目", "番地", "番", "号", "の")


def address_key(text: str | None) -> str:
    """The key of an address: :func:`search_key` with the address words dropped, so that
    「１丁目２番３号」, 「1-2-3」 and 「1の2の3」 compare equal."""
    s = search_key(text)
    for word in _ADDRESS_WORDS:
        s = s.replace(word, "")
    return s
