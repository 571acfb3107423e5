"""Report template helpers: a figure as a link to the people behind it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def figure(context: Any, value: Any, name: str, program_id: Any = "", key: str = "",
           to: Any = "", text: Any = None) -> str:
    """The number, linked to its people list when the user may see people. ``text`` is
    shown instead of the number (a yen amount whose people are ``value`` many)."""
    shown = "—" if value is None else value if text is None else text
    if not context.get("can_people") or not value:
        return format_html("{}", shown)
    params = {**context["period_query"], "figure": name}
    if program_id:
        params["program"] = program_id
    if key:
        params["key"] = key
    if to:
        params["to"] = to
    url = f"{reverse('reports:people')}?{urlencode(params)}"
    return format_html('<a href="{}" class="fig">{}</a>', url, shown)


@register.filter
def rate(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}％"


@register.filter
def days(value: Any) -> str:
    return "—" if value is None else f"{value:g}日"


@register.filter
def signed(value: Any) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"{value}"


@register.filter
def yen(value: Any) -> str:
    """An amount in yen with thousands separators; None → "—"."""
    return "—" if value is None else f"{int(value):,}円"


@register.filter
def signed_yen(value: Any) -> str:
    """A change in yen: +1,000円 / −1,000円."""
    if value is None:
        return "—"
    return f"+{int(value):,}円" if value > 0 else f"−{abs(int(value)):,}円" if value < 0 else "0円"


@register.filter
def split_list(value: str) -> list[str]:
    return value.split(",")


@register.filter
def window(effects: Any, months: str) -> Any:
    """The medical comparison over ``months`` (6 or 12) of an effects dict."""
    return effects.get(f"m{months}") if isinstance(effects, dict) else None
