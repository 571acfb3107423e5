"""決裁 routes and requests: decisions that need approval wait here — an episode's that its
program marks as needing 決裁 (the transition services: enrollments, outcomes, reviews) and
other apps' decisions about a person (the guidance procedure's 法62条 decisions). ``approvals``
decides them and carries out the approved effect.

The one 決裁 mechanism: an app above ``cases`` whose decision needs 決裁 registers its kind
(:func:`register_kind`: label, what approval and return do, what the approver reads), creates
its requests with :func:`approval_request_create` and leaves the deciding to the inbox, the
approval page and ``POST /approvals/{id}/decide``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import ApprovalRequest, ApprovalRoute, Conference, Enrollment
from jiritsu.core import clock
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.offices.guards import Kind, audit, require
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import holds_approval_step
from jiritsu.people.models import Person

DEFAULT_STEPS = ["supervisor", "manager"]
KIND_LABELS = {"extend": "期間延長", "end": "支援終了", "achieve": "達成の記録"}
ROLE_LABELS = dict(Membership.Role.choices)


@dataclass(frozen=True)
class ApprovalKind:
    """A kind of 決裁 another app owns. ``approved`` carries out the decision (called inside
    the final approval's transaction, as the final approver); ``returned`` records a return
    (差戻し, with its comment); ``context`` gives the approval page what the approver reads
    (the keys of ``approval_context``); ``final_role`` is a role the last step must hold."""

    label: str
    approved: Callable[[Membership, ApprovalRequest], None]
    returned: Callable[[Membership, ApprovalRequest, str], None] | None = None
    context: Callable[[ApprovalRequest], dict[str, Any]] | None = None
    final_role: str | None = None


KINDS: dict[str, ApprovalKind] = {}


def register_kind(kind: str, spec: ApprovalKind) -> None:
    """Called from the owning app's ``AppConfig.ready``."""
    KINDS[kind] = spec
    KIND_LABELS[kind] = spec.label


def route_steps(office: Any) -> list[str]:
    """The office's default route (e.g. ["supervisor", "manager"]); 査察指導員 → 課長 if none."""
    route = ApprovalRoute.objects.filter(office=office, is_default=True).order_by("id").first()
    steps = list(route.steps) if route and route.steps else list(DEFAULT_STEPS)
    return steps


def route_for(actor: Membership, kind: str) -> list[str]:
    """The steps a request of a registered kind goes through: the office's route without
    the steps the drafter fills (a 査察指導員 who drafts does not approve at their own step),
    ending with the kind's final role."""
    spec = KINDS.get(kind)
    steps = [s for s in route_steps(actor.office) if not holds_approval_step(actor, s)]
    if spec is not None and spec.final_role and (not steps or steps[-1] != spec.final_role):
        steps = [s for s in steps if s != spec.final_role] + [spec.final_role]
    return steps or route_steps(actor.office)


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
                            conference: Conference | None = None, person: Person | None = None,
                            steps: list[str] | None = None) -> ApprovalRequest:
    """Called by the services whose effect needs 決裁 (inside their transaction). A request
    without an episode names its ``person``; ``steps`` defaults to the office's route."""
    if enrollment is not None and ApprovalRequest.objects.filter(
            enrollment=enrollment, kind=kind, status=ApprovalRequest.Status.PENDING).exists():
        raise IllegalTransition(
            f"この参加には決裁待ちの「{KIND_LABELS.get(kind, kind)}」が既にあります。決裁が終わるまでお待ちください。",
            code="approval_pending", field="action")
    if person is None and enrollment is not None:
        person = enrollment.person
    req = ApprovalRequest.objects.create(
        office=actor.office, enrollment=enrollment, person=person, kind=kind,
        subject=subject[:200], payload=payload,
        steps=steps if steps is not None else route_steps(actor.office), current_step=0,
        requested_by=actor.user, conference=conference)
    audit(actor, "approval.request", Kind.CREATE, req, person=person,
          after=snapshot(req, ["kind", "subject", "payload", "steps"]))
    return req


def approval_request_withdraw(*, actor: Membership, request: ApprovalRequest,
                              note: str) -> ApprovalRequest:
    """The drafting app takes a pending request back (e.g. the person complied before the
    法62条 decision was decided): it leaves the inbox, with the reason, audited."""
    if request.status != ApprovalRequest.Status.PENDING:
        return request
    before = snapshot(request, ["status"])
    request.status = ApprovalRequest.Status.WITHDRAWN
    request.resolved_at = clock.now()
    request.version += 1
    request.save(update_fields=["status", "resolved_at", "version"])
    audit(actor, "approval.withdraw", Kind.TRANSITION, request, person=request.person,
          before=before, after=snapshot(request, ["status"]), note=note)
    return request


def can_decide(membership: Membership, req: ApprovalRequest) -> bool:
    return (membership.can("approval.decide") and req.status == ApprovalRequest.Status.PENDING
            and req.current_step < len(req.steps)
            and holds_approval_step(membership, req.steps[req.current_step])
            and req.requested_by_id != membership.user_id)
