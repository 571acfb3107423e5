"""Japanese calendar (和暦) and fiscal years (年度, April–March) in one place.

The era table is exact for the dates a welfare office handles. Year 1 of an era is
written 元年. Parsing accepts ISO dates and 和暦 in the forms offices type:
``R8.11.26``, ``令和8年11月26日``, ``令和元年5月1日``, ``H31.4.30``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: dt.date


ERAS: tuple[Era, ...] = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("明治", "M", dt.date(1868, 1, 25)),
)
_BY_NAME = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}


def era_of(day: dt.date) -> tuple[Era, int]:
    for era in ERAS:
        if day >= era.start:
            return era, day.year - era.start.year + 1
    raise ValueError(f"date before 明治: {day}")


def _year_label(n: int) -> str:
    return "元" if n == 1 else str(n)


def format_wareki(day: dt.date | None) -> str:
    """令和8年11月26日 (元年 for year 1)."""
    if day is None:
        return ""
    if day < ERAS[-1].start:
        return day.isoformat()  # before 明治: no era name to give
    era, year = era_of(day)
    return f"{era.name}{_year_label(year)}年{day.month}月{day.day}日"


def format_wareki_month(day: dt.date | None) -> str:
    """令和8年11月."""
    if day is None:
        return ""
    if day < ERAS[-1].start:
        return f"{day.year}年{day.month}月"
    era, year = era_of(day)
    return f"{era.name}{_year_label(year)}年{day.month}月"


def fiscal_year_of(day: dt.date) -> int:
    """Fiscal year (年度) as the western year in which it starts: 2026-03-31 → 2025."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fy: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year ``fy`` (inclusive)."""
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


def format_fiscal_year(fy: int) -> str:
    """令和7年度 for 2025; 平成31年度 for 2019 (the year starts in 平成 on 1 April)."""
    era, year = era_of(dt.date(fy, 4, 1))
    return f"{era.name}{_year_label(year)}年度"


_WAREKI_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<y>元|\d{1,2})\s*[年./\-]\s*"
    r"(?P<m>\d{1,2})\s*[月./\-]\s*(?P<d>\d{1,2})\s*日?$"
)
_ISO_RE = re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$")


def parse_date(text: str) -> dt.date:
    """Parse an ISO or 和暦 date. Raises ValueError with a Japanese message."""
    raw = unicodedata.normalize("NFKC", (text or "").strip()).upper()
    if not raw:
        raise ValueError("日付を入力してください。")
    m = _ISO_RE.match(raw)
    if m:
        try:
            return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            raise ValueError(f"「{text}」は存在しない日付です。") from None
    m = _WAREKI_RE.match(raw)
    if m:
        era = _BY_NAME[m["era"]]
        year = 1 if m["y"] == "元" else int(m["y"])
        try:
            day = dt.date(era.start.year + year - 1, int(m["m"]), int(m["d"]))
        except ValueError:
            raise ValueError(f"「{text}」は存在しない日付です。") from None
        if day < era.start:
            raise ValueError(f"「{text}」は{era.name}の始まり（{format_wareki(era.start)}）より前です。")
        idx = ERAS.index(era)
        if idx > 0 and day >= ERAS[idx - 1].start:
            raise ValueError(f"「{text}」は{ERAS[idx - 1].name}の日付です。")
        return day
    raise ValueError(
        f"「{text}」を日付として読めません。2026-11-26、R8.11.26、令和8年11月26日のように入力してください。"
    )


_ISO_MONTH_RE = re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?$")
_WAREKI_MONTH_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<y>元|\d{1,2})\s*[年./\-]\s*(?P<m>\d{1,2})\s*月?$"
)


def parse_month(text: str) -> dt.date:
    """Parse a month (年月) as its first day: ``2025-04``, ``2025/4``, ``202504``, ``2025年4月``,
    ``R7.4``, ``令和7年4月`` — or a whole date, whose month is taken. Raises ValueError with a
    Japanese message."""
    raw = unicodedata.normalize("NFKC", (text or "").strip()).upper()
    if not raw:
        raise ValueError("年月を入力してください。")
    if len(raw) == 6 and raw.isdigit():
        raw = f"{raw[:4]}-{raw[4:]}"
    m = _ISO_MONTH_RE.match(raw)
    if m and 1 <= int(m["m"]) <= 12:
        return dt.date(int(m["y"]), int(m["m"]), 1)
    m = _WAREKI_MONTH_RE.match(raw)
    if m and 1 <= int(m["m"]) <= 12:
        try:
            day = parse_date(f"{m['era']}{m['y']}年{m['m']}月1日")
        except ValueError:
            # The era started mid-month (令和元年5月: 1 May; 平成元年1月: 8 January).
            try:
                day = parse_date(f"{m['era']}{m['y']}年{m['m']}月28日")
            except ValueError:
                raise ValueError(f"「{text}」はその元号の期間にない年月です。") from None
        return day.replace(day=1)
    try:
        return parse_date(raw).replace(day=1)
    except ValueError:
        raise ValueError(
            f"「{text}」を年月として読めません。2025-04、2025年4月、R7.4、令和7年4月のように入力してください。"
        ) from None


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (1/31 + 1 → 2/28)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
