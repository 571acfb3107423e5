"""Smaller rooms: a module over 600 lines says at its top why it is one module (or what its
split would be), in a paragraph of its docstring starting ``Size (over 600 lines):``."""

from __future__ import annotations

import ast
from pathlib import Path

import jiritsu

LIMIT = 600
ROOT = Path(jiritsu.__file__).parent


def test_every_long_module_gives_its_reason_at_the_top() -> None:
    unexplained = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= LIMIT:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if "Size (over 600 lines):" not in doc:
            unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not unexplained, "modules over 600 lines without a reason at the top: " + ", ".join(unexplained)
