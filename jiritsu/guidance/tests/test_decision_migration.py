"""The data migration that moved existing 法62条 decisions onto the one 決裁 mechanism
(``guidance/0004``): each drafted decision gets the request its step records, and
reversing removes them again."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from jiritsu.cases.models import ApprovalRequest, ApprovalStep
from jiritsu.guidance import services as s
from jiritsu.guidance.models import GuidanceStep
from jiritsu.guidance.tests.helpers import Walker, days_ago

pytestmark = pytest.mark.django_db
migration = importlib.import_module("jiritsu.guidance.migrations.0004_decision_approval_request")
EDITOR = SimpleNamespace(connection=connection)


def _as_before_the_move() -> None:
    """Steps as the old procedure left them: their own columns, no request."""
    ids = list(GuidanceStep.objects.exclude(approval_request=None)
               .values_list("approval_request_id", flat=True))
    GuidanceStep.objects.update(approval_request=None)
    ApprovalStep.objects.filter(request_id__in=ids).delete()
    ApprovalRequest.objects.filter(pk__in=ids).delete()


def test_existing_decisions_get_their_requests_and_back(world):
    walk = Walker(world, required=1)
    returned = walk.to_draft()
    s.guidance_decision_approve(actor=walk.mgr, step=returned, approve=False, comment="再起案")
    approved = s.guidance_decision_draft(
        actor=walk.sv, case=walk.case, occurred_on=days_ago(0), decision_kind="suspend",
        effective_on=days_ago(-7), reason="正当な理由なく文書指示に従わなかった。")
    s.guidance_decision_approve(actor=walk.mgr, step=approved, approve=True, comment="決裁")
    _as_before_the_move()

    migration.forwards(apps, EDITOR)
    returned.refresh_from_db()
    approved.refresh_from_db()
    r, a = returned.approval_request, approved.approval_request
    assert r is not None and a is not None
    assert (r.kind, r.status, r.person_id, r.enrollment_id) == (
        "guidance_decision", "rejected", world.person.pk, None)
    assert (a.status, a.current_step, a.steps) == ("approved", 1, ["manager"])
    decision = a.decisions.get()
    assert (decision.decided_by, decision.approved, decision.comment) == (
        world.manager, True, "決裁")
    assert r.decisions.get().comment == "再起案"

    migration.backwards(apps, EDITOR)
    assert not ApprovalRequest.objects.filter(kind="guidance_decision").exists()
    assert not GuidanceStep.objects.exclude(approval_request=None).exists()


def test_a_pending_draft_waits_for_the_manager_and_a_withdrawn_one_is_withdrawn(world):
    walk = Walker(world, required=1)
    pending = walk.to_draft()
    _as_before_the_move()
    migration.forwards(apps, EDITOR)
    pending.refresh_from_db()
    assert pending.approval_request is not None
    assert (pending.approval_request.status, pending.approval_request.steps) == (
        "pending", ["manager"])
    # The manager decides it in the inbox as any other request.
    s.guidance_decision_approve(actor=walk.mgr, step=pending, approve=True)
    assert pending.approval == "approved"

    walk2 = Walker(world, required=1)  # the first case is closed now
    draft = walk2.to_draft()
    s.guidance_compliance_record(actor=walk2.cw, case=walk2.case, occurred_on=walk2.next(0),
                                 note="履行")
    _as_before_the_move()
    migration.forwards(apps, EDITOR)
    draft.refresh_from_db()
    assert draft.approval_request is not None
    assert draft.approval_request.status == "withdrawn"
