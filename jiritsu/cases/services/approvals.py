"""決裁: deciding a request step by step; the effect applies only on the final step, through
the same transition services (enrollments, outcomes), or — for a kind another app registered
(``approval_requests.register_kind``, e.g. the guidance procedure's 法62条 decision) — through
that app's own service. Routes and the creation of requests are ``approval_requests``, which
the transition services call when a decision needs 決裁."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import (
    ApprovalRequest,
    ApprovalStep,
    Enrollment,
)
from jiritsu.cases.services.approval_requests import KINDS, ROLE_LABELS
from jiritsu.cases.services.enrollments import enrollment_end, enrollment_extend
from jiritsu.cases.services.outcomes import outcome_record
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, IllegalTransition, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import holds_approval_step
from jiritsu.programs.models import OutcomeType


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
          person=request.person or (request.enrollment.person if request.enrollment else None),
          before=before, after=snapshot(request, ["status", "current_step"]), note=comment)
    spec = KINDS.get(request.kind)
    if request.status == ApprovalRequest.Status.APPROVED:
        if spec is not None:
            spec.approved(actor, request)
        else:
            _apply_effect(actor, request)
    elif request.status == ApprovalRequest.Status.REJECTED and spec is not None and spec.returned:
        spec.returned(actor, request, comment)
    return request


def _apply_effect(actor: Membership, request: ApprovalRequest) -> None:
    """Carry out an episode's approved decision as the final approver, citing the approval."""
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
