"""Shift_JIS (cp932) export with an honest error instead of silent '?'."""

from __future__ import annotations


def unencodable_chars(text: str) -> list[str]:
    """Characters of ``text`` that cp932 cannot carry (𠮷, 𩸽, IVS selectors …)."""
    bad: list[str] = []
    for ch in text:
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            if ch not in bad:
                bad.append(ch)
    return bad
