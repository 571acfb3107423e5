"""Which characters no installed font can draw (they would print as empty boxes).

The forms are set in Noto Serif CJK JP / Noto Sans CJK JP (docs/forms.md, Fonts). Their
character sets are read once from fontconfig; a character outside them is looked up among all
installed fonts through fontconfig (``fc-list :charset=…``), because WeasyPrint falls back to
any installed font that has it. Variation selectors (IVS) and joiners are not drawn
themselves: the base character is what must be covered.
"""

from __future__ import annotations

import functools
import subprocess
import unicodedata
from dataclasses import dataclass

PRIMARY_FAMILIES = ("Noto Serif CJK JP", "Noto Sans CJK JP")


@dataclass(frozen=True)
class MissingGlyph:
    char: str
    context: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"


def _fc(*args: str) -> str:
    try:
        return subprocess.run(["fc-match" if args[0] == "match" else "fc-list", *args[1:]],
                              check=True, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.lru_cache(maxsize=1)
def primary_coverage() -> frozenset[int]:
    """Code points the primary form fonts map, from fontconfig's character sets (hex
    ranges such as ``20-7e a0-103``); empty when fontconfig or the fonts are absent."""
    covered: set[int] = set()
    for family in PRIMARY_FAMILIES:
        for part in _fc("match", "-f", "%{charset}", family).split():
            low, _, high = part.partition("-")
            try:
                covered.update(range(int(low, 16), int(high or low, 16) + 1))
            except ValueError:
                continue
    return frozenset(covered)


@functools.lru_cache(maxsize=4096)
def installed_font_has(code_point: int) -> bool:
    return bool(_fc("list", f":charset={code_point:x}", "file").strip())


def _ignored(ch: str) -> bool:
    cp = ord(ch)
    return (ch.isspace() or cp < 0x20 or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF
            or cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
            or unicodedata.category(ch) in ("Cc", "Cf"))


def missing_glyphs(text: str) -> list[MissingGlyph]:
    """Each character of ``text`` that no installed font draws, once, with where it stands."""
    covered = primary_coverage()
    found: dict[str, MissingGlyph] = {}
    for i, ch in enumerate(text):
        if ch in found or ch.isascii() or _ignored(ch) or ord(ch) in covered:
            continue
        if not installed_font_has(ord(ch)):
            found[ch] = MissingGlyph(ch, text[max(0, i - 8):i + 9].strip())
    return list(found.values())
