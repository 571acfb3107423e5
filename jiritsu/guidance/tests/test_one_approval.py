"""A 法62条 decision's 決裁 is the office's one 決裁 mechanism: the same inbox, the same
approval page (with the track as its context), the same API and the same audit rows as an
episode's 決裁 (``cases.ApprovalRequest``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ApprovalRequest
from jiritsu.cases.services.approval_requests import approval_route_set
from jiritsu.core import clock
from jiritsu.guidance import services as s
from jiritsu.guidance.models import GuidanceCase, GuidanceStep
from jiritsu.guidance.tests.helpers import Walker, days_ago
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db
REASON = "正当な理由なく文書指示に従わず、弁明においても正当な理由が認められなかった。"


def _caseworker_draft(world) -> tuple[Walker, GuidanceStep]:
    walk = Walker(world, required=1)
    walk.to_hearing()
    walk.conference("sanction")
    draft = s.guidance_decision_draft(
        actor=walk.cw, case=walk.case, occurred_on=days_ago(0), decision_kind="suspend",
        effective_on=clock.today() + dt.timedelta(days=7), reason=REASON)
    return walk, draft


def _decide(client, req: ApprovalRequest, approve: str, comment: str = ""):
    req.refresh_from_db()
    return client.post(reverse("programs:approval", args=[req.pk]),
                       {"approve": approve, "comment": comment, "version": req.version})


def test_a_guidance_decision_is_decided_in_the_supervisors_and_managers_inbox(client, world):
    walk, draft = _caseworker_draft(world)
    req = draft.approval_request
    assert req is not None and req.kind == "guidance_decision"
    assert (req.enrollment_id, req.person_id) == (None, world.person.pk)
    assert req.steps == ["supervisor", "manager"]

    # The supervisor's 決裁 inbox lists it, and its page shows the track it stands on.
    client.force_login(world.supervisor)
    inbox = client.get(reverse("programs:approvals")).content.decode()
    assert req.subject in inbox and "法62条の決定" in inbox
    page = client.get(reverse("programs:approval", args=[req.pk])).content.decode()
    for text in ("指導指示の経過", "文書による指導指示（法27条）", "弁明の聴取", REASON,
                 "法62条の決定に必要な手続", "決裁を記録",
                 reverse("guidance:case", args=[walk.case.pk])):
        assert text in page, text

    # Decided there: the supervisor's step passes it on to the manager.
    resp = _decide(client, req, "yes", "手続に不足なし")
    assert resp.status_code == 302
    req.refresh_from_db()
    draft.refresh_from_db()
    assert (req.status, req.current_step, draft.approval) == ("pending", 1, "pending")
    assert req.subject not in client.get(reverse("programs:approvals")).content.decode()

    # The manager's inbox (screen and API) has it; the final approval makes it final.
    api = ApiClient(token_for(world, world.manager))
    listed = api.get("approvals").json()["results"]
    assert [r["id"] for r in listed if r["kind"] == "guidance_decision"] == [req.pk]
    client.force_login(world.manager)
    assert req.subject in client.get(reverse("programs:approvals")).content.decode()
    assert _decide(client, req, "yes", "決裁").status_code == 302
    req.refresh_from_db()
    draft.refresh_from_db()
    walk.case.refresh_from_db()
    assert req.status == "approved"
    assert (draft.approval, draft.approved_by, draft.approved_on) == (
        "approved", world.manager, clock.today())
    assert draft.document_number.startswith("清福第")
    assert walk.case.closed_reason == GuidanceCase.ClosedReason.DECIDED
    step = api.get(f"guidance/cases/{walk.case.pk}").json()["steps"][-1]
    assert (step["approval"], step["approval_request_id"]) == ("approved", req.pk)
    # One audit trail: the request and each step of it, and the decision on the track.
    actions = list(AuditEvent.objects.filter(person_id=world.person.pk)
                   .values_list("action", flat=True))
    assert actions.count("approval.approve") == 2
    assert {"approval.request", "guidance.decision_approve", "guidance.case_close"} <= set(actions)


def test_the_manager_alone_cannot_skip_the_supervisors_step(world):
    walk, draft = _caseworker_draft(world)
    r = ApiClient(token_for(world, world.manager)).post(
        f"guidance/steps/{draft.pk}/approve", {"approve": True})
    assert r.status_code == 403, r.content
    # The supervisor may approve from the guidance API too; the manager then finishes it.
    r = ApiClient(token_for(world, world.supervisor)).post(
        f"guidance/steps/{draft.pk}/approve", {"approve": True, "comment": "確認"})
    assert r.status_code == 200, r.content
    r = ApiClient(token_for(world, world.manager)).post(
        f"approvals/{draft.approval_request_id}/decide", {"approve": True})
    assert r.status_code == 200, r.content
    draft.refresh_from_db()
    assert draft.approval == "approved"


def test_a_return_in_the_inbox_returns_the_draft_with_its_reason(client, world):
    walk, draft = _caseworker_draft(world)
    req = draft.approval_request
    assert req is not None
    client.force_login(world.supervisor)
    resp = _decide(client, req, "no")
    assert "差戻しの理由をコメントに入力してください。" in resp.content.decode()
    assert _decide(client, req, "no", "適用日を再検討").status_code == 302
    draft.refresh_from_db()
    assert (draft.approval, draft.approval_comment) == ("rejected", "適用日を再検討")
    # The caseworker sees the return among their own requests and may draft again.
    client.force_login(world.caseworker)
    mine = client.get(reverse("programs:approvals")).content.decode()
    assert "適用日を再検討" in mine
    again = s.guidance_decision_draft(
        actor=walk.cw, case=walk.case, occurred_on=days_ago(0), decision_kind="suspend",
        effective_on=clock.today() + dt.timedelta(days=14), reason=REASON)
    assert again.approval_request_id not in (None, req.pk)


def test_compliance_withdraws_the_pending_request(world):
    walk, draft = _caseworker_draft(world)
    s.guidance_compliance_record(actor=walk.cw, case=walk.case, occurred_on=days_ago(0),
                                 note="求職登録をした。")
    req = ApprovalRequest.objects.get(pk=draft.approval_request_id or 0)
    assert req.status == ApprovalRequest.Status.WITHDRAWN
    from jiritsu.cases.selectors import approvals_waiting
    assert approvals_waiting(world.m(world.supervisor)) == []
    assert AuditEvent.objects.filter(action="approval.withdraw", target_id=str(req.pk)).exists()


def test_the_route_ends_with_the_manager_whatever_the_office_route(world):
    approval_route_set(actor=world.m(world.manager), name="査察指導員のみ", steps=["supervisor"])
    _walk, draft = _caseworker_draft(world)
    assert draft.approval_request is not None
    assert draft.approval_request.steps == ["supervisor", "manager"]


def test_a_drafting_supervisor_does_not_approve_at_their_own_step(world):
    walk = Walker(world, required=1)
    draft = walk.to_draft()
    assert draft.approval_request is not None
    assert draft.approval_request.steps == ["manager"]
