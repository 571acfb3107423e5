"""Template filters for program screens."""

from __future__ import annotations

from django import template

from jiritsu.cases.models import Enrollment
from jiritsu.cases.services.approval_requests import KIND_LABELS
from jiritsu.cases.services.enrollments import ACTION_LABELS

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """Japanese name of an EnrollmentEvent action (select → 選定)."""
    return ACTION_LABELS.get(action, action)


@register.filter
def status_label(status: str) -> str:
    return dict(Enrollment.Status.choices).get(status, status)


@register.filter
def approval_kind(kind: str) -> str:
    """Japanese name of a 決裁 kind (extend → 期間延長)."""
    return KIND_LABELS.get(kind, kind)
