"""No sanction takes effect before it is decided and notified: a 法62条 decision's
適用年月日 is never before its 決定日 (the 決裁 date printed on the notice)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from jiritsu.core import clock
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.guidance import services as s
from jiritsu.guidance.models import GuidanceStep
from jiritsu.guidance.tests.helpers import Walker, days_ago
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db
REASON = "正当な理由なく文書指示に従わなかった。"


def _walk_to_sanction_conference(world) -> Walker:
    walk = Walker(world, required=1)
    walk.to_hearing()
    walk.conference("sanction")
    return walk


def _later(days: int):
    return time_machine.travel(clock.now() + dt.timedelta(days=days), tick=False)


def test_a_draft_cannot_take_effect_before_today(world):
    walk = _walk_to_sanction_conference(world)
    with pytest.raises(ValidationFailed) as exc:
        s.guidance_decision_draft(actor=walk.sv, case=walk.case, occurred_on=days_ago(0),
                                  decision_kind="suspend", effective_on=days_ago(1), reason=REASON)
    assert (exc.value.code, exc.value.field) == ("guidance.effective_on_passed", "effective_on")
    r = ApiClient(token_for(world, world.supervisor)).post(
        f"guidance/cases/{walk.case.pk}/decision",
        {"occurred_on": days_ago(0).isoformat(), "decision_kind": "suspend",
         "effective_on": days_ago(1).isoformat(), "reason": REASON})
    assert r.status_code == 422, r.content
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
        "guidance.effective_on_passed", "effective_on")
    assert not GuidanceStep.objects.filter(kind="decision").exists()


def test_approving_a_decision_whose_effective_date_has_passed_is_refused(world):
    walk = _walk_to_sanction_conference(world)
    drafted = days_ago(0)
    draft = s.guidance_decision_draft(actor=walk.sv, case=walk.case, occurred_on=drafted,
                                      decision_kind="suspend",
                                      effective_on=drafted + dt.timedelta(days=3), reason=REASON)
    with _later(10):
        with pytest.raises(IllegalTransition) as exc:
            s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=True)
        assert exc.value.code == "guidance.effective_on_passed"
        assert "既に過ぎています" in exc.value.message and "起案し直して" in exc.value.message
        draft.refresh_from_db()
        assert draft.approval == "pending" and draft.document_number == ""
        walk.case.refresh_from_db()
        assert walk.case.is_open
        # The manager sends it back; the caseworker re-dates it; the approval goes through.
        s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=False, comment="適用日")
        today = clock.today()
        again = s.guidance_decision_draft(actor=walk.sv, case=walk.case, occurred_on=today,
                                          decision_kind="suspend",
                                          effective_on=today + dt.timedelta(days=1),
                                          reason=REASON)
        s.guidance_decision_approve(actor=walk.mgr, step=again, approve=True)
        again.refresh_from_db()
        assert again.approval == "approved"
        assert again.approved_on is not None and again.effective_on is not None
        assert again.effective_on >= again.approved_on


def test_a_decision_approved_on_its_effective_day_is_fine(world):
    walk = _walk_to_sanction_conference(world)
    today = days_ago(0)
    draft = s.guidance_decision_draft(actor=walk.sv, case=walk.case, occurred_on=today,
                                      decision_kind="abolish",
                                      effective_on=today + dt.timedelta(days=2), reason=REASON)
    with _later(2):
        s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=True)
    draft.refresh_from_db()
    assert draft.approved_on == draft.effective_on


def test_passed_effective_date_on_screen_and_api(client, world):
    walk = _walk_to_sanction_conference(world)
    today = days_ago(0)
    draft = s.guidance_decision_draft(actor=walk.sv, case=walk.case, occurred_on=today,
                                      decision_kind="suspend",
                                      effective_on=today + dt.timedelta(days=1), reason=REASON)
    with _later(5):
        client.force_login(world.manager)
        key = f"approve-{draft.pk}"
        resp = client.post(reverse("guidance:case_step", args=[walk.case.pk, key]),
                           {f"{key}-approve": "1", f"{key}-comment": "決裁"})
        assert "既に過ぎています" in resp.content.decode()
        r = ApiClient(token_for(world, world.manager)).post(
            f"guidance/steps/{draft.pk}/approve", {"approve": True})
        assert r.status_code == 409, r.content
        assert r.json()["error"]["code"] == "guidance.effective_on_passed"
    draft.refresh_from_db()
    assert draft.approval == "pending"
