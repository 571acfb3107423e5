"""The one clock: Japan's date and time.

Everything in Jiritsu that asks "what day is it?" or "what time is it?" asks here, never the
machine's clock (the standard library's "today" follows the process's ``TZ``; Django's local
date follows the active time zone). Offices work in Japan time whatever the server's ``TZ`` is, so
"today" is the date in ``Asia/Tokyo``. ruff's banned-api rules (pyproject.toml) refuse the
other ways of reading the clock, so a new call site cannot bypass this module.

Tests freeze the moment with ``time-machine`` (see ``jiritsu.testing.at_japan_time``),
which moves ``datetime.now`` for this module as well as Django's own timestamps. ``now()`` does
not need Django's settings, so scripts outside Django (bench) use it too.

``not_after_today`` is the one rule for "has it happened": a service recording something that
happened (a start, an end, a consent, a conference, a record, a review, an outcome, a guidance
step, an imported fact) refuses a date after today in Japan with the code ``future_date``.
Dates that are plans (a planned end, a review due, a deadline) are not checked by it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone as _tz

from jiritsu.core.errors import ValidationFailed
from jiritsu.core.wareki import format_wareki

JAPAN = ZoneInfo("Asia/Tokyo")

FUTURE_DATE = "future_date"


def now() -> dt.datetime:
    """The current moment as an aware datetime in Japan time."""
    return dt.datetime.now(JAPAN)


def today() -> dt.date:
    """Today's date in Japan."""
    return now().date()


def to_japan(value: dt.datetime) -> dt.datetime:
    """An aware datetime seen in Japan time (naive values are taken as Japan time)."""
    if _tz.is_naive(value):
        return value.replace(tzinfo=JAPAN)
    return value.astimezone(JAPAN)


def today_default() -> dt.date:
    """Today's date in Japan, as a model field's ``default=`` callable."""
    return today()


def japan_date(value: dt.datetime) -> dt.date:
    """The Japanese calendar date of a moment."""
    return to_japan(value).date()


def not_after_today(day: dt.date | dt.datetime | None, *, field: str,
                    what: str = "日付") -> None:
    """Refuse a date of something that happened if it is after today in Japan.

    A datetime counts by its Japanese date, so any time of today is accepted: an event
    dated today is never "in the future" on its own day, whatever the hour.
    """
    if day is None:
        return
    if isinstance(day, dt.datetime):
        day = japan_date(day)
    if day > today():
        raise ValidationFailed(
            f"{what}に未来の日付（{format_wareki(day)}）は入力できません。"
            f"本日（{format_wareki(today())}）までの日付を入力してください。",
            code=FUTURE_DATE, field=field)
