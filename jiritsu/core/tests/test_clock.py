"""Japan's one clock: today is the date in Japan at any hour and in any TZ; nothing else reads
the machine's clock (ruff refuses it)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from jiritsu import testing as t
from jiritsu.core import clock
from jiritsu.core.errors import ValidationFailed

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("moment", "day"), [
    ("2026-04-01 08:45", dt.date(2026, 4, 1)),   # UTC is still 3/31
    ("2026-04-01 00:05", dt.date(2026, 4, 1)),
    ("2026-03-31 23:55", dt.date(2026, 3, 31)),  # UTC is 3/31 too, 14:55
    ("2019-05-01 00:05", dt.date(2019, 5, 1)),
])
def test_today_is_the_date_in_japan(moment: str, day: dt.date) -> None:
    with t.at_japan_time(moment):
        assert clock.today() == day
        assert clock.now().utcoffset() == dt.timedelta(hours=9)
        assert clock.now().strftime("%Y-%m-%d %H:%M") == moment
        clock.not_after_today(dt.datetime.combine(day, dt.time(23, 59), tzinfo=clock.JAPAN),
                              field="on")
        with pytest.raises(ValidationFailed) as exc:
            clock.not_after_today(day + dt.timedelta(days=1), field="on", what="開始日")
        assert (exc.value.code, exc.value.field) == ("future_date", "on")
        assert exc.value.message.startswith("開始日に未来の日付")


def test_stored_moments_are_seen_in_japan_time() -> None:
    utc = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    assert clock.japan_date(utc) == dt.date(2026, 4, 1)
    assert clock.to_japan(dt.datetime(2026, 4, 1, 8, 0)) == dt.datetime(  # noqa: DTZ001
        2026, 4, 1, 8, 0, tzinfo=clock.JAPAN)  # naive is Japan time


@pytest.mark.parametrize("call", ["dt.date.today()", "dt.datetime.now()",
                                  "timezone.now()", "timezone.localdate()"])
def test_ruff_refuses_other_reads_of_the_clock(call: str) -> None:
    source = f"import datetime as dt\nfrom django.utils import timezone\n\nx = {call}\n"
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename",
         "jiritsu/example.py", "-"], input=source, capture_output=True, text=True, cwd=ROOT,
        check=False)
    assert result.returncode == 1
    assert "jiritsu.core.clock" in result.stdout
