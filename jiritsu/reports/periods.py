"""Reporting periods: a fiscal year (年度) or any inclusive date range."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jiritsu.core import clock, wareki
from jiritsu.core.errors import ValidationFailed


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    fiscal_year: int | None = None

    @classmethod
    def for_fiscal_year(cls, fy: int) -> Period:
        start, end = wareki.fiscal_year_bounds(fy)
        return cls(start, end, fy)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise ValidationFailed(
                f"期間の終了日（{wareki.format_wareki(end)}）が開始日（{wareki.format_wareki(start)}）"
                "より前です。開始日と終了日を確かめて指定し直してください。",
                code="period_reversed", field="end")
        if (end - start).days > 366 * 5:
            raise ValidationFailed("期間は5年以内で指定してください。", field="end")
        fy = wareki.fiscal_year_of(start)
        if (start, end) == wareki.fiscal_year_bounds(fy):
            return cls(start, end, fy)
        return cls(start, end, None)

    @property
    def label(self) -> str:
        if self.fiscal_year is not None:
            return wareki.format_fiscal_year(self.fiscal_year)
        return f"{wareki.format_wareki(self.start)}〜{wareki.format_wareki(self.end)}"

    @property
    def fiscal_years(self) -> tuple[int, int]:
        return wareki.fiscal_year_of(self.start), wareki.fiscal_year_of(self.end)

    def months(self, limit: int = 36) -> list[tuple[dt.date, dt.date]]:
        """Calendar months overlapping the period, clipped to it (at most ``limit``)."""
        out: list[tuple[dt.date, dt.date]] = []
        first = self.start.replace(day=1)
        while first <= self.end and len(out) < limit:
            nxt = wareki.add_months(first, 1)
            out.append((max(first, self.start), min(nxt - dt.timedelta(days=1), self.end)))
            first = nxt
        return out

    def as_query(self) -> dict[str, str]:
        if self.fiscal_year is not None:
            return {"fy": str(self.fiscal_year)}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "start_wareki": wareki.format_wareki(self.start),
                "end_wareki": wareki.format_wareki(self.end),
                "fiscal_year": self.fiscal_year, "label": self.label}


def period_from_params(params: Mapping[str, Any], *, today: dt.date | None = None) -> Period:
    """``?fy=2025`` or ``?start=…&end=…`` (ISO or 和暦); default: the current fiscal year."""
    get = params.get
    start_raw, end_raw = (get("start") or "").strip(), (get("end") or "").strip()
    if start_raw or end_raw:
        try:
            start = wareki.parse_date(start_raw)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="start") from None
        try:
            end = wareki.parse_date(end_raw)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="end") from None
        return Period.between(start, end)
    fy_raw = (get("fy") or "").strip()
    if fy_raw:
        if not fy_raw.isdigit() or not 1990 <= int(fy_raw) <= 2100:
            raise ValidationFailed("年度は西暦の4桁（例: 2025）で指定してください。", field="fy")
        return Period.for_fiscal_year(int(fy_raw))
    return Period.for_fiscal_year(wareki.fiscal_year_of(today or clock.today()))
