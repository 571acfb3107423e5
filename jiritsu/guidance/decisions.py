"""The 決裁 of a 法62条 decision, through the office's one 決裁 mechanism.

A decision drafted on the track (``services.guidance_decision_draft``) creates a
``cases.ApprovalRequest`` of kind ``guidance_decision`` on the office's 決裁 route (without
the drafter's own step, ending with 課長・所長, who holds ``guidance.approve``). It waits in
the same 決裁 inbox as an episode's decisions, is read on the same approval page (with the
track's steps and what the law requires, :func:`decision_context`) and is decided there, from
the case page or through the API — all through ``cases.services.approvals.approval_decide``.
This module is what the mechanism calls back: the final approval makes the decision final
(:func:`decision_approved`), a return records the comment (:func:`decision_returned`).
``GuidanceConfig.ready`` registers the kind.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from jiritsu.audit.log import snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ApprovalRequest
from jiritsu.cases.services.approval_requests import ApprovalKind, register_kind
from jiritsu.core.errors import Forbidden, IllegalTransition
from jiritsu.core.wareki import format_wareki
from jiritsu.guidance.models import GuidanceCase, GuidanceStep
from jiritsu.guidance.rules import Track
from jiritsu.guidance.services import (
    AP,
    DECISION_KIND,
    DK,
    K,
    _audit,
    _close,
    _end_assistance,
    _load,
    _next_document_number,
    _today,
    refuse,
    refuse_retroactive,
    track_for,
)
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import MANAGER


def _step_of(request: ApprovalRequest) -> GuidanceStep:
    return GuidanceStep.objects.select_related("case", "case__person").get(
        approval_request=request)


def decision_approved(actor: Membership, request: ApprovalRequest) -> None:
    """The final approval: the law is checked again, the decision gets its document number
    and 決定日 (today), the case closes, and an abolition ends assistance."""
    if not actor.can("guidance.approve"):
        raise Forbidden("法62条の決定の決裁は課長（所長）のみが行えます。")
    found = _step_of(request)
    track = _load(actor, found.case)
    step = next(s for s in track.steps if s.pk == found.pk)
    step.case = track.case
    if step.kind != K.DECISION or step.approval != AP.PENDING:
        raise IllegalTransition("決裁待ちの決定案ではありません。", code="guidance.not_pending")
    today = _today()
    before = snapshot(step, ["approval", "approved_by", "approved_on", "document_number"])
    # No sanction takes effect before it is decided and notified: the decision date printed
    # on the notice is the approval date, and its 適用年月日 may not be earlier.
    if step.decision_kind != DK.NONE and step.effective_on is not None:
        refuse_retroactive(step.effective_on, today, field="effective_on", approving=True)
    # The law is checked again at the moment the decision becomes final.
    others = [s for s in track.steps if s.pk != step.pk]
    refuse(Track(track.case, others, track.settings).decision_blockers(kind=step.decision_kind))
    settings = track.settings
    step.approval = AP.APPROVED
    step.approved_by = actor.user
    step.approved_on = today
    step.approval_comment = _last_comment(request)
    step.appeal_authority = settings.appeal_authority
    step.appeal_period_months = settings.appeal_period_months
    fields = ["approval", "approved_by", "approved_on", "approval_comment", "appeal_authority",
              "appeal_period_months"]
    if step.decision_kind != DK.NONE:
        step.document_number = _next_document_number(step.case.office)
        fields.append("document_number")
    step.save(update_fields=fields)
    _audit(actor, "guidance.decision_approve", step, kind=AuditEvent.Kind.TRANSITION,
           before=before)
    case = step.case
    if step.decision_kind == DK.NONE:
        _close(actor, case, today, GuidanceCase.ClosedReason.NO_SANCTION, step.reason)
    else:
        _close(actor, case, today, GuidanceCase.ClosedReason.DECIDED,
               f"{step.get_decision_kind_display()}（{step.document_number}）")
    if step.decision_kind == DK.ABOLISH and case.person.household_id is not None:
        _end_assistance(actor, case.person.household_id, step)


def decision_returned(actor: Membership, request: ApprovalRequest, comment: str) -> None:
    """差戻し at any step: the draft is returned with the comment; the caseworker drafts again."""
    step = _step_of(request)
    before = snapshot(step, ["approval", "approved_by", "approved_on", "document_number"])
    step.approval = AP.REJECTED
    step.approved_by = actor.user
    step.approved_on = _today()
    step.approval_comment = comment
    step.save(update_fields=["approval", "approved_by", "approved_on", "approval_comment"])
    _audit(actor, "guidance.decision_reject", step, kind=AuditEvent.Kind.TRANSITION,
           before=before)


def _last_comment(request: ApprovalRequest) -> str:
    last = request.decisions.order_by("-step_no", "-id").first()
    return last.comment if last is not None else ""


def decision_context(request: ApprovalRequest) -> dict[str, Any]:
    """What the approver reads on the approval page: the decision asked for, the reason, the
    track's steps, and whether everything the law requires before it is on record."""
    step = _step_of(request)
    case = step.case
    track = track_for(case)
    asked = [("決定の内容", "", step.get_decision_kind_display())]
    if step.effective_on:
        asked.append(("適用日", "", format_wareki(step.effective_on)))
    if step.content:
        asked.append(("変更の内容", "", step.content))
    asked.append(("起案日", "", format_wareki(step.occurred_on)))
    others = [s for s in track.steps if s.pk != step.pk]
    blockers = (Track(case, others, track.settings).decision_blockers(kind=step.decision_kind)
                if case.is_open else [])
    lines = [f"指導の根拠となる義務：{case.get_ground_category_display()}",
             f"処分前に必要な文書指示：{track.settings.required_written_instructions}回"]
    lines += ([f"不足：{b.message}" for b in blockers] if blockers
              else ["法62条の決定に必要な手続（文書指示・弁明の機会・ケース診断会議）は記録済みです。"])
    if step.standard_applied:
        lines.append(f"適用した処分基準：{step.standard_applied}")
    return {
        "asked": asked,
        "justification": step.reason,
        "rule_title": "照らし合わせる基準（法62条の手続）",
        "rule": {"lines": lines},
        "history_title": "指導指示の経過",
        "history": [{"on": s.occurred_on, "action": s.get_kind_display(), "status": "",
                     "changed": False, "note": s.content or s.reason, "actor": s.recorded_by}
                    for s in track.steps if s.pk != step.pk],
        "source": {"url": reverse("guidance:case", args=[case.pk]),
                   "label": f"指導指示（{format_wareki(case.opened_on)}開始）"},
    }


def register() -> None:
    register_kind(DECISION_KIND, ApprovalKind(
        label="法62条の決定", approved=decision_approved, returned=decision_returned,
        context=decision_context, final_role=MANAGER))
