"""Search keys for Japanese names.

Names are stored exactly as entered (髙, 﨑, 𠮷, variation sequences are never
touched). Only the *search key* is normalised: NFKC (full/half width), katakana →
hiragana, small kana → large, long-vowel marks and spaces removed, so that
「ヤマダ タロウ」「やまだたろう」「ﾔﾏﾀﾞﾀﾛｳ」 all find the same person.
"""

from __future__ import annotations

import unicodedata

_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_DROP = {" ", "\u3000", "ー", "-", "・", "‐", "－", "ｰ"}


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
    """Key for kana-insensitive matching; also lower-cases latin letters."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = to_hiragana(s).translate(_SMALL).lower()
    return "".join(ch for ch in s if ch not in _DROP)


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
