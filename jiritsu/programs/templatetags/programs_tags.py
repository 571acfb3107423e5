"""``{% person_programs_panel person %}``: the programme panel on the person page."""

from __future__ import annotations

from typing import Any

from django import template

from jiritsu.programs import selectors
from jiritsu.programs.access import visible_programs

register = template.Library()


@register.inclusion_tag("programs/_person_programs_panel.html", takes_context=True)
def person_programs_panel(context: Any, person: Any) -> dict[str, Any]:
    membership = context.get("membership")
    if membership is None:
        return {"person": person}
    data = selectors.person_programs(membership, person, record_limit=0)
    can_manage = membership.can("enrollment.manage")
    open_ids = {i["enrollment"].program_id for i in data["program_items"]
                if i["enrollment"].status != "ended"}
    programs = ([p for p in visible_programs(membership).filter(is_active=True).order_by("code")
                 if p.pk not in open_ids] if can_manage else [])
    return {**data, "person": person, "programs": programs, "can_manage": can_manage,
            "can_consent": membership.can("consent.record"),
            "can_record": data["can_record"] and (
                not membership.is_partner or bool(data["program_items"]))}


@register.filter
def action_label(action: str) -> str:
    """Japanese name of an EnrollmentEvent action (select → 選定)."""
    from jiritsu.programs.services.enrollments import ACTION_LABELS

    return ACTION_LABELS.get(action, action)


@register.filter
def status_label(status: str) -> str:
    from jiritsu.programs.models import Enrollment

    return dict(Enrollment.Status.choices).get(status, status)
