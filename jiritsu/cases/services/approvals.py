"""決裁: decisions a program marks as needing approval wait here; the effect applies
only on the final step, through the same transition services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import (
    ApprovalRequest,
    ApprovalRoute,
    ApprovalStep,
    Conference,
    Enrollment,
)
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, IllegalTransition, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import holds_approval_step
from jiritsu.programs.models import OutcomeType
from jiritsu.programs.services._common import Kind, audit, require, same_office

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


@transaction.atomic
def approval_decide(*, actor: Membership, request: ApprovalRequest, approve: bool,
                    comment: str = "", expected_version: int | None = None) -> ApprovalRequest:
    """Record one step. Rejection (差戻し) goes back to the requester with the comment;
    the last approval applies the decision."""
    require(actor, "approval.decide")
    same_office(actor, request)
    if request.status != ApprovalRequest.Status.PENDING:
        raise IllegalTransition("この案件は既に決裁が終わっています。", code="approval_closed")
    role = request.steps[request.current_step]
    if not holds_approval_step(actor, role):
        raise Forbidden(f"この案件は{ROLE_LABELS.get(role, role)}の決裁待ちです。")
    if request.requested_by_id == actor.user_id:
        raise Forbidden("自分が起案した案件は決裁できません。")
    if not approve and not comment.strip():
        raise ValidationFailed("差戻しの理由をコメントに入力してください。", field="comment")
    before = snapshot(request, ["status", "current_step"])
    ApprovalStep.objects.create(request=request, step_no=request.current_step, role=role,
                                decided_by=actor.user, approved=approve, comment=comment)
    fields = ["current_step", "status"]
    if not approve:
        request.status = ApprovalRequest.Status.REJECTED
        request.resolved_at = clock.now()
        fields.append("resolved_at")
    elif request.current_step + 1 >= len(request.steps):
        request.current_step += 1
        request.status = ApprovalRequest.Status.APPROVED
        request.resolved_at = clock.now()
        fields.append("resolved_at")
    else:
        request.current_step += 1
    save_versioned(request, request.version if expected_version is None else expected_version,
                   fields)
    audit(actor, "approval.approve" if approve else "approval.reject", Kind.TRANSITION, request,
          person=request.enrollment.person if request.enrollment else None,
          before=before, after=snapshot(request, ["status", "current_step"]), note=comment)
    if request.status == ApprovalRequest.Status.APPROVED:
        _apply_effect(actor, request)
    return request


def _apply_effect(actor: Membership, request: ApprovalRequest) -> None:
    """Carry out the approved decision as the final approver, citing the approval."""
    # Inside the function: the services import each other (enrollments ↔ approvals ↔ outcomes,
    # reviews → enrollments); the loop is listed as open work in docs/architecture.md.
    from jiritsu.cases.services.enrollments import enrollment_end, enrollment_extend
    from jiritsu.cases.services.outcomes import outcome_record

    p = request.payload
    if request.enrollment_id is None:
        raise Enrollment.DoesNotExist("an approval to carry out names its episode")
    enrollment = Enrollment.objects.select_related(
        "program", "program_version", "person", "person__household").get(pk=request.enrollment_id)
    on = dt.date.fromisoformat(p["on"])
    conference = request.conference
    if request.kind == "extend":
        enrollment_extend(actor=actor, enrollment=enrollment, until=dt.date.fromisoformat(p["until"]),
                          on=on, conference=conference, note=p.get("note", ""), approval=request)
    elif request.kind == "end":
        enrollment_end(actor=actor, enrollment=enrollment, reason=p["reason"], on=on,
                       conference=conference, note=p.get("note", ""), approval=request)
    elif request.kind == "achieve":
        outcome_record(actor=actor, enrollment=enrollment,
                       outcome_type=OutcomeType.objects.get(pk=p["outcome_type_id"]),
                       occurred_on=dt.date.fromisoformat(p["occurred_on"]),
                       data=p.get("data", {}), end_as_achieved=p.get("end_as_achieved", False),
                       approval=request)
    else:
        raise IllegalTransition(f"決裁の種類「{request.kind}」を処理できません。")
