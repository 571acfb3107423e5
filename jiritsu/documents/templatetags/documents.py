"""The print menu (帳票) and 「書類を添付」 links on the screens where each record lives."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from jiritsu.documents.access import TARGET_ACTIONS
from jiritsu.documents.catalogue import FORMS, enrollment_forms
from jiritsu.documents.models import suggested_type

register = template.Library()


@register.inclusion_tag("documents/_print_menu.html", takes_context=True)
def print_menu(context: dict[str, Any], target: str, obj: Any, *keys: str) -> dict[str, Any]:
    """Links to the forms printed from ``obj`` (an episode, referral, consent …, or the id of
    a record), for staff who may print (``form.print``). ``keys`` limit the menu to some
    forms."""
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
               else reverse(name, args=[getattr(obj, "pk", obj)]))
        links.append((spec.title, url))
    return {"links": links}


@register.inclusion_tag("documents/_attach_link.html", takes_context=True)
def attach_link(context: dict[str, Any], target: str, pk: Any, person_id: int, kind: str = "",
                label: str = "書類を添付") -> dict[str, Any]:
    """「書類を添付」 on the screen of a record (``target`` record, guidance_step, consent or
    enrollment; ``pk`` its id; ``kind`` a 経過記録's kind): the upload form with the record
    chosen as 添付先 and the usual document type pre-selected (``suggested_type``), for staff
    whose role may attach to it; back to this screen afterwards."""
    membership = context.get("membership")
    if (membership is None or not pk or target not in TARGET_ACTIONS
            or not membership.can(TARGET_ACTIONS[target])):
        return {"url": ""}
    request = context.get("request")
    query = {"target": f"{target}:{pk}", "type": suggested_type(target, kind)}
    if request is not None:
        query["next"] = request.get_full_path()
    return {"url": f"{reverse('documents:upload', args=[person_id])}?{urlencode(query)}",
            "label": label}


@register.filter
def may(membership: Any, action: str) -> bool:
    """``{% if membership|may:"consent.record" %}``: the permission table, in a template."""
    return bool(membership is not None and membership.can(action))
