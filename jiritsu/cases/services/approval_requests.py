"""決裁 routes and requests: decisions a program marks as needing approval wait here. The
transition services (enrollments, outcomes, reviews) create requests; ``approvals`` decides
them and carries out the approved effect."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import ApprovalRequest, ApprovalRoute, Conference, Enrollment
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import holds_approval_step
from jiritsu.programs.services._common import Kind, audit, require

DEFAULT_STEPS = ["supervisor", "manager"]
KIND_LABELS = {"extend": "期間延長", "end": "支援終了", "achieve": "達成の記録"}
ROLE_LABELS = dict(Membership.Role.choices)


def route_steps(office: Any) -> list[str]:
    """The office's default route (e.g. ["supervisor", "manager"]); 査察指導員 → 課長 if none."""
    route = ApprovalRoute.objects.filter(office=office, is_default=True).order_by("id").first()
    steps = list(route.steps) if route and route.steps else list(DEFAULT_STEPS)
    return steps


@transaction.atomic
def approval_route_set(*, actor: Membership, name: str, steps: list[str]) -> ApprovalRoute:
    """Set the office's default 決裁ルート (ordered roles)."""
    require(actor, "program.manage")
    valid = {"supervisor", "manager"}
    if not steps or any(s not in valid for s in steps):
        raise ValidationFailed("決裁者には査察指導員（supervisor）・課長（manager）を順に指定してください。",
                               field="steps")
    route = ApprovalRoute.objects.filter(office=actor.office, is_default=True).first()
    before = snapshot(route, ["name", "steps"]) if route else None
    if route is None:
        route = ApprovalRoute.objects.create(office=actor.office, name=name, steps=steps)
    else:
        route.name, route.steps = name, steps
        route.save(update_fields=["name", "steps"])
    audit(actor, "approval_route.set", Kind.UPDATE, route, before=before,
          after=snapshot(route, ["name", "steps"]))
    return route


def approval_request_create(*, actor: Membership, enrollment: Enrollment | None, kind: str,
                            subject: str, payload: dict[str, Any],
                            conference: Conference | None = None) -> ApprovalRequest:
    """Called by the services whose effect needs 決裁 (inside their transaction)."""
    if enrollment is not None and ApprovalRequest.objects.filter(
            enrollment=enrollment, kind=kind, status=ApprovalRequest.Status.PENDING).exists():
        raise IllegalTransition(
            f"この参加には決裁待ちの「{KIND_LABELS.get(kind, kind)}」が既にあります。決裁が終わるまでお待ちください。",
            code="approval_pending", field="action")
    req = ApprovalRequest.objects.create(
        office=actor.office, enrollment=enrollment, kind=kind, subject=subject[:200],
        payload=payload, steps=route_steps(actor.office), current_step=0,
        requested_by=actor.user, conference=conference)
    audit(actor, "approval.request", Kind.CREATE, req,
          person=enrollment.person if enrollment else None,
          after=snapshot(req, ["kind", "subject", "payload", "steps"]))
    return req


def can_decide(membership: Membership, req: ApprovalRequest) -> bool:
    return (membership.can("approval.decide") and req.status == ApprovalRequest.Status.PENDING
            and req.current_step < len(req.steps)
            and holds_approval_step(membership, req.steps[req.current_step])
            and req.requested_by_id != membership.user_id)
