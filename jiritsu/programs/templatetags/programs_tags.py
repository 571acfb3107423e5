"""Template filters for program screens."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """Japanese name of an EnrollmentEvent action (select → 選定)."""
    from jiritsu.programs.services.enrollments import ACTION_LABELS

    return ACTION_LABELS.get(action, action)


@register.filter
def status_label(status: str) -> str:
    from jiritsu.programs.models import Enrollment

    return dict(Enrollment.Status.choices).get(status, status)
