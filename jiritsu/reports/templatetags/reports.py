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
           to: Any = "") -> str:
    """The number, linked to its people list when the user may see people."""
    shown = "—" if value is None else value
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
