"""Cells of the files people open in a spreadsheet (CSV and Excel): safe to open.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
taken by Excel and LibreOffice for a formula (``=HYPERLINK(…)``, ``+SUM(…)``, DDE). Every
CSV and xlsx file the system writes goes through :func:`safe_cell`, which prefixes such
text with an apostrophe (the OWASP "CSV injection" rule), so the cell shows the text as
entered and never runs. Numbers (``int``, ``float``, ``Decimal``) stay numbers, negative
ones included; dates and empty cells are left alone. Imports do not pass through here:
what was entered is stored as entered and neutralised only on the way out.

Writers: :func:`csv_writer` (a ``csv.writer`` whose rows are made safe) and
:func:`append_row` (``Worksheet.append`` with safe cells).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV or xlsx cell: formula-like text gets a leading
    apostrophe; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


class SafeCsvWriter:
    """``csv.writer`` that neutralises formula-like text in every row it writes."""

    def __init__(self, out: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable, **kwargs: Any) -> SafeCsvWriter:
    """The only CSV writer for files that leave the system (``lineterminator`` etc. as
    for ``csv.writer``)."""
    return SafeCsvWriter(out, **kwargs)


def append_row(ws: Any, row: Iterable[Any]) -> None:
    """Append ``row`` to an openpyxl worksheet with formula-like text neutralised (openpyxl
    would otherwise store text starting with ``=`` as a formula)."""
    ws.append(safe_row(row))
