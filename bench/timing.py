"""Timing primitives shared by the benchmark cases."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Skip(Exception):
    """The feature a case times is not there (yet): print the reason, do not fail."""


@dataclass
class Result:
    case: str
    size: str
    n: int = 0
    samples: list[float] = field(default_factory=list)  # milliseconds
    sql_samples: list[float] = field(default_factory=list)
    target: str = ""
    note: str = ""
    skipped: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    p95_fixed: float | None = None  # when the p95 comes from elsewhere (locust)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        if self.p95_fixed is not None:
            return self.p95_fixed
        return percentile(self.samples, 95) if self.samples else None

    @property
    def sql_median(self) -> float | None:
        return statistics.median(self.sql_samples) if self.sql_samples else None

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.sql_median:
            return None
        return self.median / self.sql_median

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case, "size": self.size, "n": self.n, "median_ms": self.median,
            "p95_ms": self.p95, "sql_median_ms": self.sql_median, "ratio": self.ratio,
            "target": self.target, "note": self.note, "skipped": self.skipped,
            "extra": self.extra,
        }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (the value below which ``pct`` % of samples fall)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000.0, value


def measure(result: Result, fn: Callable[[], Any], sql: Callable[[], Any] | None = None, *,
            repeat: int, warmup: int = 1) -> tuple[Any, Any]:
    """Run ``fn`` (and ``sql``, interleaved, so both see the same machine load) ``repeat``
    times after ``warmup`` untimed runs; return the last values of each."""
    value = sql_value = None
    for _ in range(warmup):
        value = fn()
        if sql is not None:
            sql_value = sql()
    for _ in range(repeat):
        ms, value = clock(fn)
        result.samples.append(ms)
        if sql is not None:
            ms, sql_value = clock(sql)
            result.sql_samples.append(ms)
    result.n = repeat
    return value, sql_value
