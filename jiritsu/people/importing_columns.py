"""Rows read column by column, for imports of many rows of few distinct values.

The amounts import (:mod:`jiritsu.people.importing_amounts`) receives hundreds of thousands of
rows a call — a month of an office's 保護費 or レセプト summaries — whose cells repeat: the month,
the status, the kind, most amounts. :class:`_Table` holds a call's rows as columns and applies
each rule of the caseload import (:mod:`jiritsu.people.importing`: ``_yen``, ``_choice`` …)
once per distinct cell, giving its errors to every row holding that cell — the same messages,
by row and column, at a cost that grows with the distinct values rather than with the cells.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, Final

from jiritsu.people.importing import Column, _RowErrors

#: A cell of a column the row does not have (the field stays as stored; a new row takes 0).
_ABSENT: Final[Any] = object()


def _lookup(column: list[Any], convert: Callable[[Any, Any], Any],
            distinct: set[Any] | None = None) -> tuple[list[Any], list[Any]]:
    """``convert(key, cell)`` once per distinct cell of ``column``: the converted column and
    each cell's key (the cell; (type, cell) where ``True`` and ``1`` must be told apart; the
    row's index where a cell cannot be hashed)."""
    try:
        if distinct is None:
            distinct = set(column)
    except TypeError:  # a caller's list or dict in a cell: one by one
        keys: list[Any] = list(range(len(column)))
        return [convert(i, v) for i, v in enumerate(column)], keys
    if (0 in distinct or 1 in distinct) and bool in set(map(type, column)):
        keys = [(type(v), v) for v in column]
        table = {k: convert(k, k[1]) for k in set(keys)}
    else:
        keys = column
        table = {v: convert(v, v) for v in distinct}
    return list(map(table.__getitem__, keys)), keys


class _Table:
    """One call's rows column by column: line numbers, each column's cells (:data:`_ABSENT`
    where a row lacks the column), the rows found bad so far and every error.

    A rule is checked once per distinct cell (a month, a status, an amount repeats across an
    office's rows) by the same functions as the caseload import's rows, and its errors go to
    every row holding that cell: the same messages, by row and column, at a cost that grows
    with the distinct values rather than with the cells."""

    def __init__(self, rows: list[dict[str, Any]], columns: Mapping[str, Column],
                 headers: Mapping[str, str]) -> None:
        self.errors = _RowErrors(columns)
        self.size = len(rows)
        self.bad: set[int] = set()
        self.failed: dict[str, set[int]] = {}  # column → rows whose cell broke a rule
        self.cells: dict[str, list[Any]] = {}
        shapes: dict[tuple[str, ...], Sequence[int]] = {}
        if len(set(map(tuple, rows))) == 1:  # the usual case: every row has the same keys
            shapes[tuple(rows[0])] = range(self.size)
        else:
            indexes: dict[tuple[str, ...], list[int]] = {}
            for i, raw in enumerate(rows):
                indexes.setdefault(tuple(raw), []).append(i)
            shapes.update(indexes)
        # Line numbers: a file's rows carry theirs (``_row``); others are numbered from 1.
        self.numbers = (list(range(1, self.size + 1)) if not any("_row" in shape for shape in shapes)
                        else [int(raw.get("_row") or n) for n, raw in enumerate(rows, start=1)])
        #: the columns of each shape of row (the same keys), with its rows
        self.shapes: list[tuple[frozenset[str], Sequence[int]]] = []
        for shape, at in shapes.items():
            names: dict[str, str] = {}
            for name in shape:
                if name != "_row":
                    names[headers.get(name) or name] = name
            for key in names:
                if key not in columns:
                    for i in at:
                        self.errors.add(self.numbers[i], key, f"「{key}」は取り込みできない項目です。")
            known = {key: name for key, name in names.items() if key in columns}
            self.shapes.append((frozenset(known), at))
            for key, name in known.items():
                if len(shapes) == 1:
                    self.cells[key] = list(map(itemgetter(name), rows))
                else:
                    column = self.cells.setdefault(key, [_ABSENT] * self.size)
                    for i in at:
                        column[i] = rows[i][name]
        self.distinct: dict[str, set[Any]] = {}
        for key, column in self.cells.items():
            # A NUL character cannot be stored (PostgreSQL refuses it in text): name the cell.
            distinct: Iterable[Any] = column
            with contextlib.suppress(TypeError):  # a caller's list or dict in a cell
                distinct = self.distinct[key] = set(column)
            if "\x00" in "".join([v for v in distinct if type(v) is str]):
                self.distinct.pop(key, None)
                for i, v in enumerate(column):
                    if type(v) is str and "\x00" in v:
                        self.errors.add(self.numbers[i], key, "使用できない制御文字（NUL）が含まれています。"
                                                              "元のファイルを確認して保存し直してください。")
                        column[i] = v.replace("\x00", "")
                        self.failed.setdefault(key, set()).add(i)

    def has(self, key: str) -> bool:
        return key in self.cells

    def convert(self, key: str, rule: Callable[[Any, _RowErrors], Any], *,
                required: bool = False) -> list[Any]:
        """``rule(cell, errors)`` over the column (a required column a row lacks is ``None``;
        an optional one stays :data:`_ABSENT`); the rule's errors go to each row holding
        the cell, and make those rows bad."""
        column = self.cells.get(key) or [_ABSENT] * self.size
        failed: dict[Any, list[dict[str, object]]] = {}
        scratch = _RowErrors(self.errors.columns)

        def check(key: Any, cell: Any) -> Any:
            if cell is _ABSENT and not required:
                return _ABSENT
            value = rule(None if cell is _ABSENT else cell, scratch)
            if scratch.items:
                failed[key] = scratch.items
                scratch.items = []
            return value

        values, keys = _lookup(column, check, self.distinct.get(key))
        if failed:
            rows = self.failed.setdefault(key, set())
            for i, k in enumerate(keys):
                found = failed.get(k)
                if found:
                    self.bad.add(i)
                    rows.add(i)
                    self.errors.items += [{**e, "row": self.numbers[i]} for e in found]
        return values

    def fail(self, i: int, key: str, message: str) -> None:
        self.errors.add(self.numbers[i], key, message)
        self.bad.add(i)

    def good(self) -> Iterable[int]:
        return range(self.size) if not self.bad else (i for i in range(self.size) if i not in self.bad)

    def groups(self, optional: Sequence[str]) -> list[tuple[list[str], list[int] | None]]:
        """The rows by the ``optional`` columns they have (a column absent from a row leaves
        its field as stored): [(columns, row indexes, or None for every row)]."""
        if len(self.shapes) == 1:
            return [([k for k in optional if k in self.shapes[0][0]], None)]
        out: dict[tuple[str, ...], list[int]] = {}
        for keys, at in self.shapes:
            out.setdefault(tuple(k for k in optional if k in keys), []).extend(at)
        return [(list(k), sorted(at)) for k, at in out.items()]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Without the cyclic garbage collector: a call builds columns of hundreds of thousands of
    small objects that hold no cycles, and the collector would walk them again and again
    (about a sixth of the time of a month's import). Reference counting frees them as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
