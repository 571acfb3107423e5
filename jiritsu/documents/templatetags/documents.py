"""The print menu (帳票) on the screens where each form's data lives."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from jiritsu.documents.catalogue import FORMS, enrollment_forms

register = template.Library()


@register.inclusion_tag("documents/_print_menu.html", takes_context=True)
def print_menu(context: dict[str, Any], target: str, obj: Any, *keys: str) -> dict[str, Any]:
    """Links to the forms printed from ``obj`` (an episode, referral, consent …), for staff
    who may print (``form.print``). ``keys`` limit the menu to some forms."""
    membership = context.get("membership")
    if membership is None or not membership.can("form.print") or obj is None:
        return {"links": []}
    specs = (enrollment_forms(obj) if target == "enrollment"
             else [s for s in FORMS.values() if s.target == target])
    links = []
    for spec in specs:
        if keys and spec.key not in keys:
            continue
        name = f"documents:form_{spec.key.replace('-', '_')}"
        url = (f"{reverse(name)}?fiscal_year={obj}" if target == "year"
               else reverse(name, args=[obj.pk]))
        links.append((spec.title, url))
    return {"links": links}


@register.filter
def may(membership: Any, action: str) -> bool:
    """``{% if membership|may:"consent.record" %}``: the permission table, in a template."""
    return bool(membership is not None and membership.can(action))
