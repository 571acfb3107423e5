"""Template filters: 和暦 dates, fiscal years, yen; the frame's links and main menu."""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from jiritsu.core import clock, wareki

register = template.Library()

# Every page draws the same frame: a dozen links and a menu that depends on the role alone.
# Reversing a URL costs ≈ 20 µs and the menu's tests as much again, on every request, so
# both are worked out once per process (per URL configuration and script prefix, which a
# deployment does not change while it runs) and kept here.
_links: dict[tuple[object, str, str], str] = {}
_menus: dict[tuple[object, str, str, bool], SafeString] = {}


@register.simple_tag
def link(name: str) -> str:
    """``{% url name %}`` of a URL without arguments, reversed once per process."""
    key = (get_urlconf(), get_script_prefix(), name)
    found = _links.get(key)
    if found is None:
        found = _links[key] = reverse(name)
    return found


@register.simple_tag
def main_menu(role: str, may_manage_offices: bool) -> SafeString:
    """The main menu of a member of an office (``includes/menu.html``), drawn once per
    process for each role: it is made of links and the role, never of anyone's data."""
    key = (get_urlconf(), get_script_prefix(), str(role), bool(may_manage_offices))
    found = _menus.get(key)
    if found is None:
        found = _menus[key] = mark_safe(render_to_string(
            "includes/menu.html", {"role": str(role),
                                   "may_manage_offices": bool(may_manage_offices)}))
    return found


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
