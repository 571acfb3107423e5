"""Each precondition of a 法62条 decision, removed one at a time, refuses the decision.

The cases are written straight into the database (not through the step services,
which would refuse earlier), so each test proves the decision's own guard: if the
rule were dropped from ``Track.decision_blockers``, the decision would go through
and the test would fail. The baseline test shows the complete record is accepted.
"""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.core.errors import DomainError
from jiritsu.guidance import services as s
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep
from jiritsu.guidance.tests.helpers import at, days_ago

pytestmark = pytest.mark.django_db
K = GuidanceStep.Kind


def build(world, omit: frozenset[str] = frozenset(), *, required: int = 2) -> GuidanceCase:
    settings = s.settings_for(world.office)
    GuidanceSettings.objects.filter(pk=settings.pk).update(required_written_instructions=required,
                                                           min_notice_days=7)
    case = GuidanceCase.objects.create(office=world.office, person=world.person,
                                       opened_on=days_ago(120), ground="求職活動をしない",
                                       opened_by=world.caseworker)
    by = world.caseworker

    def add(kind: str, ago: int, **kw) -> GuidanceStep:
        return GuidanceStep.objects.create(case=case, kind=kind, occurred_on=days_ago(ago),
                                           recorded_by=by, **kw)

    add(K.ORAL_INSTRUCTION, 110, content="求職活動", given_by=by,
        supervisor_present=world.supervisor)
    if "written" not in omit:
        for n, start in enumerate((100, 70)):
            if "instruction_conference" not in omit:
                add(K.CONFERENCE, start, conference_subject="instruction",
                    conference_outcome="proceed", content="協議")
            w = add(K.WRITTEN_INSTRUCTION, start - 1, content="求職登録", reason="稼働能力不活用",
                    deadline=days_ago(start - 15), delivered_on=days_ago(start - 2),
                    delivery_method="hand", document_number=f"福第{n + 1}号")
            checked = start - 15 if "overdue" in omit else start - 16
            add(K.NONCOMPLIANCE, checked, instruction=w, content="未履行")
            if "count" in omit:
                break
    if "notice" not in omit:
        add(K.NOTICE, 40, reason="" if "notice_reason" in omit else "指示違反",
            hearing_at=at(days_ago(25)),
            hearing_place="" if "notice_place" in omit else "相談室",
            delivered_on=None if "notice_delivery" in omit else
            days_ago(29 if "notice_days" in omit else 38),
            delivery_method="hand", document_number="福第3号")
    if "hearing" not in omit:
        add(K.HEARING, 25, hearing_outcome="held", content="弁明")
    if "sanction_conference" not in omit:
        add(K.CONFERENCE, 20, conference_subject="sanction", conference_outcome="proceed",
            content="停止が相当")
    return case


def draft(world, case: GuidanceCase) -> GuidanceStep:
    today = days_ago(0)
    return s.guidance_decision_draft(actor=world.m(world.supervisor), case=case,
                                     occurred_on=today, decision_kind="suspend",
                                     effective_on=today + dt.timedelta(days=7),
                                     reason="指示に従わないため")


def test_complete_record_is_accepted(world):
    case = build(world)
    assert draft(world, case).approval == "pending"


@pytest.mark.parametrize(("omit", "code", "words"), [
    ("written", "guidance.no_written_instruction", "文書による指導指示"),
    ("overdue", "guidance.no_overdue_noncompliance", "履行期限を過ぎても"),
    ("count", "guidance.too_few_instructions", "2回の文書指示"),
    ("instruction_conference", "guidance.instruction_conference_missing", "ケース診断会議"),
    ("sanction_conference", "guidance.sanction_conference_missing", "処分について"),
    ("notice", "guidance.notice_missing", "弁明の機会の付与通知"),
    ("notice_reason", "guidance.notice_incomplete", "理由"),
    ("notice_place", "guidance.notice_incomplete", "場所"),
    ("notice_delivery", "guidance.notice_not_delivered", "交付"),
    ("notice_days", "guidance.notice_too_late", "7日以上"),
    ("hearing", "guidance.hearing_missing", "弁明の聴取"),
])
def test_decision_refused_when_a_precondition_is_missing(world, omit, code, words):
    case = build(world, frozenset({omit}))
    with pytest.raises(DomainError) as exc:
        draft(world, case)
    codes = [d["code"] for d in exc.value.details]
    assert exc.value.code == code, codes
    assert words in exc.value.message
    assert not case.steps.filter(kind=K.DECISION).exists()


def test_raising_the_office_minimum_after_the_notice_still_refuses_at_approval(world):
    case = build(world, required=2)
    pending = draft(world, case)
    GuidanceSettings.objects.filter(office=world.office).update(required_written_instructions=3)
    with pytest.raises(DomainError) as exc:
        s.guidance_decision_approve(actor=world.m(world.manager), step=pending, approve=True)
    assert exc.value.code == "guidance.too_few_instructions"
    pending.refresh_from_db()
    assert pending.approval == "pending"


def test_refusal_lists_everything_missing(world):
    case = build(world, frozenset({"notice", "hearing", "sanction_conference"}))
    with pytest.raises(DomainError) as exc:
        draft(world, case)
    codes = {d["code"] for d in exc.value.details}
    assert {"guidance.notice_missing", "guidance.hearing_missing",
            "guidance.sanction_conference_missing"} <= codes
