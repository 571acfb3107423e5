"""Reads for the report screens: the report, its frozen version and the differences."""

from __future__ import annotations

from typing import Any

from jiritsu.offices.models import Office
from jiritsu.programs.models import Program
from jiritsu.reports import figures
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.periods import Period


def latest_frozen(office: Office, period: Period) -> FrozenReport | None:
    return (FrozenReport.objects.filter(office=office, period_start=period.start,
                                        period_end=period.end)
            .select_related("frozen_by").order_by("-frozen_at", "-id").first())


def report_with_delta(office: Office, period: Period, program: Program | None = None
                      ) -> dict[str, Any]:
    """The current report, the latest frozen version of the period and what changed since."""
    report = figures.office_report(office, period, program)
    frozen = latest_frozen(office, period) if program is None else None
    return {"report": report, "frozen": frozen,
            "deltas": figures.deltas(frozen.figures, report) if frozen else []}


def frozen_history(office: Office, period: Period) -> list[FrozenReport]:
    return list(FrozenReport.objects.filter(office=office, period_start=period.start,
                                            period_end=period.end)
                .select_related("frozen_by").order_by("-frozen_at", "-id")
                .defer("figures"))
