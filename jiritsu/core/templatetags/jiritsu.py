"""Template filters: 和暦 dates, fiscal years, yen."""

from __future__ import annotations

import datetime as dt

from django import template

from jiritsu.core import clock, wareki

register = template.Library()


@register.filter
def wareki_date(value: dt.date | dt.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = clock.japan_date(value) if timezone.is_aware(value) else value.date()
    return wareki.format_wareki(value)


@register.filter
def wareki_datetime(value: dt.datetime | None) -> str:
    """A moment as Japan reads it: 令和8年12月4日 13:05 (Japan time, whatever the server's)."""
    if not value:
        return ""
    local = clock.to_japan(value)
    return f"{wareki.format_wareki(local.date())} {local:%H:%M}"


@register.filter
def wareki_month(value: dt.date | None) -> str:
    return wareki.format_wareki_month(value) if value else ""


@register.filter
def fiscal_year(value: int) -> str:
    return wareki.format_fiscal_year(int(value))


@register.filter
def yen(value: int | None) -> str:
    if value is None or value == "":
        return ""
    return f"{int(value):,}円"


@register.filter
def age(birth: dt.date | None) -> str:
    if not birth:
        return ""
    return f"{wareki.age_on(birth, clock.today())}歳"
