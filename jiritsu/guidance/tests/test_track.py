"""The 指導指示 track through its services: the lawful path, and each step's own refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Conference, Enrollment
from jiritsu.cases.testing import open_episodes_for_assistance_end
from jiritsu.core.errors import DomainError, Forbidden
from jiritsu.guidance import services as s
from jiritsu.guidance.models import GuidanceCase, GuidanceStep
from jiritsu.guidance.tests.helpers import Walker, at, days_ago

pytestmark = pytest.mark.django_db


def test_whole_kiyosu_track_ends_in_an_approved_suspension(world):
    walk = Walker(world, required=2)
    draft = walk.to_draft("suspend")
    assert draft.approval == "pending"
    assert walk.case.status == "open"
    decision = s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=True,
                                           comment="決裁する")
    case = GuidanceCase.objects.get(pk=walk.case.pk)
    assert decision.approval == "approved" and decision.approved_by == world.manager
    assert decision.document_number.startswith("清福第")
    assert decision.appeal_authority == "愛知県知事" and decision.appeal_period_months == 3
    assert case.status == "closed" and case.closed_reason == "decided"
    kinds = list(case.steps.order_by("occurred_on", "id").values_list("kind", flat=True))
    assert kinds == ["oral_instruction", "conference", "written_instruction", "noncompliance",
                     "conference", "written_instruction", "noncompliance", "notice", "hearing",
                     "conference", "decision"]
    # Each conference is a cases.Conference of kind case_diagnosis, in this office.
    assert Conference.objects.filter(office=world.office, kind="case_diagnosis").count() == 3
    # Every step and the closing are in the audit log, against the person.
    actions = set(AuditEvent.objects.filter(person_id=world.person.pk)
                  .values_list("action", flat=True))
    assert {"guidance.case_open", "guidance.oral_instruction", "guidance.conference",
            "guidance.written_instruction", "guidance.delivery", "guidance.noncompliance",
            "guidance.notice", "guidance.hearing", "guidance.decision",
            "guidance.decision_approve", "guidance.case_close"} <= actions
    # Document numbers are a per-office sequence: 2 instructions, 1 notice, 1 decision.
    numbers = [st.document_number for st in case.steps.exclude(document_number="")]
    assert len(set(numbers)) == 4


def test_abolition_ends_assistance_of_the_household(world):
    walk = Walker(world, required=1)
    episodes = open_episodes_for_assistance_end(walk.cw, world.person, on=days_ago(200))
    draft = walk.to_draft("abolish")
    s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=True)
    world.household.refresh_from_db()
    assert world.household.end_reason == "sanction"
    assert world.household.assistance_ended_on == draft.effective_on
    assert AuditEvent.objects.filter(action="household.assistance_end",
                                     person_id=world.person.pk).exists()
    # 保護廃止 ends the person's open episodes in the same transaction, with that reason.
    for key in ("active", "candidate"):
        e = Enrollment.objects.get(pk=episodes[key].pk)
        assert (e.status, e.end_reason) == ("ended", "assistance_ended")
        assert e.ended_on == draft.effective_on
    assert Enrollment.objects.get(pk=episodes["open_to_all"].pk).status == "candidate"


def test_case_conference_is_written_by_the_programs_service_in_the_persons_trail(world):
    walk = Walker(world, required=1)
    walk.to_draft("suspend")
    conferences = Conference.objects.filter(office=world.office, kind="case_diagnosis")
    assert conferences.exists()
    for c in conferences:
        assert AuditEvent.objects.filter(action="conference.create", target_id=str(c.pk),
                                         person_id=world.person.pk).exists()
        assert set(c.attendees.values_list("role", flat=True)) <= {
            "caseworker", "supervisor", "manager"}


def test_absence_after_proper_notice_allows_the_decision(world):
    walk = Walker(world, required=1)
    walk.to_hearing(outcome="absent")
    walk.conference("sanction")
    draft = walk.draft("suspend")
    assert s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=True).approval == "approved"


def test_manager_rejection_keeps_case_open_and_allows_a_new_draft(world):
    walk = Walker(world, required=1)
    draft = walk.to_draft()
    s.guidance_decision_approve(actor=walk.mgr, step=draft, approve=False, comment="理由を補足")
    assert GuidanceCase.objects.get(pk=walk.case.pk).status == "open"
    with pytest.raises(DomainError) as exc:  # not dated before the rejection
        walk.draft()
    assert exc.value.code == "guidance.backdated"
    walk.day = 1
    again = walk.draft()
    assert again.approval == "pending"


@pytest.mark.parametrize("persona", ["supervisor", "caseworker"])
def test_only_a_manager_can_approve_a_decision(world, persona):
    walk = Walker(world, required=1)
    draft = walk.to_draft()
    with pytest.raises(Forbidden):
        s.guidance_decision_approve(actor=world.m(getattr(world, persona)), step=draft,
                                    approve=True)
    draft.refresh_from_db()
    assert draft.approval == "pending"
    assert GuidanceCase.objects.get(pk=walk.case.pk).status == "open"


def test_unapproved_decision_has_no_notice_to_print(world):
    walk = Walker(world, required=1)
    draft = walk.to_draft()
    with pytest.raises(DomainError) as exc:
        s.guidance_document_export(actor=walk.sv, step=draft)
    assert exc.value.code == "guidance.not_approved"


def test_decision_pending_approval_blocks_other_steps(world):
    walk = Walker(world, required=1)
    walk.to_draft()
    with pytest.raises(DomainError) as exc:
        walk.draft()
    assert exc.value.code == "guidance.decision_pending"


# --- oral instruction ----------------------------------------------------------------------
def test_oral_instruction_without_supervisor_is_refused(world):
    walk = Walker(world)
    for present in (None, world.caseworker2, world.outsider):
        with pytest.raises(DomainError) as exc:
            s.guidance_oral_instruction_record(actor=walk.cw, case=walk.case,
                                               occurred_on=days_ago(150), content="求職活動をすること",
                                               supervisor_present=present)
        assert exc.value.code == "guidance.supervisor_absent"
        assert "査察指導員" in exc.value.message
    assert not walk.case.steps.exists()


def test_oral_instruction_records_who_gave_it_and_the_supervisor(world):
    walk = Walker(world)
    step = walk.oral()
    assert step.given_by == world.caseworker and step.supervisor_present == world.supervisor


# --- written instruction -------------------------------------------------------------------
def test_written_instruction_needs_a_case_conference_first(world):
    walk = Walker(world)
    walk.oral()
    with pytest.raises(DomainError) as exc:
        walk.written()
    assert exc.value.code == "guidance.conference_missing"
    assert "ケース診断会議" in exc.value.message


def test_second_written_instruction_needs_its_own_conference(world):
    walk = Walker(world)
    walk.oral()
    walk.instruction_round()
    with pytest.raises(DomainError) as exc:
        walk.written()
    assert exc.value.code == "guidance.conference_missing"


def test_conference_that_declines_does_not_open_the_written_instruction(world):
    walk = Walker(world)
    walk.oral()
    walk.conference(outcome="not_proceed")
    with pytest.raises(DomainError) as exc:
        walk.written()
    assert exc.value.code == "guidance.conference_missing"


def test_instruction_conference_needs_an_oral_instruction_first(world):
    walk = Walker(world)
    with pytest.raises(DomainError) as exc:
        walk.conference()
    assert exc.value.code == "guidance.oral_missing"


def test_written_instruction_needs_content_reason_and_deadline(world):
    walk = Walker(world)
    walk.oral()
    walk.conference()
    day = walk.next()
    for kwargs, code in (({"content": "", "reason": "理由", "deadline": day + dt.timedelta(days=9)},
                          "guidance.content_missing"),
                         ({"content": "内容", "reason": " ", "deadline": day + dt.timedelta(days=9)},
                          "guidance.reason_missing"),
                         ({"content": "内容", "reason": "理由", "deadline": day},
                          "guidance.deadline_invalid"),
                         ({"content": "内容", "reason": "理由", "deadline": None},
                          "guidance.deadline_invalid")):
        with pytest.raises(DomainError) as exc:
            s.guidance_written_instruction_issue(actor=walk.cw, case=walk.case, occurred_on=day,
                                                 **kwargs)
        assert exc.value.code == code


def test_noncompliance_only_after_the_deadline_has_passed(world):
    walk = Walker(world)
    walk.oral()
    walk.conference()
    w = walk.written(deadline_in=10)
    walk.deliver(w)
    assert w.deadline is not None
    with pytest.raises(DomainError) as exc:
        s.guidance_noncompliance_record(actor=walk.cw, case=walk.case, occurred_on=w.deadline,
                                        note="未提出")
    assert exc.value.code == "guidance.deadline_not_passed"
    assert s.guidance_noncompliance_record(actor=walk.cw, case=walk.case,
                                           occurred_on=w.deadline + dt.timedelta(days=1),
                                           note="未提出").kind == "noncompliance"


def test_noncompliance_needs_the_instruction_delivered(world):
    walk = Walker(world)
    walk.oral()
    walk.conference()
    w = walk.written(deadline_in=5)
    assert w.deadline is not None
    with pytest.raises(DomainError) as exc:
        s.guidance_noncompliance_record(actor=walk.cw, case=walk.case,
                                        occurred_on=w.deadline + dt.timedelta(days=1), note="未提出")
    assert exc.value.code == "guidance.not_delivered"


# --- notice and hearing --------------------------------------------------------------------
def test_notice_refused_before_the_office_minimum_of_written_instructions(world):
    walk = Walker(world, required=2)
    walk.oral()
    walk.instruction_round()
    with pytest.raises(DomainError) as exc:
        walk.notice()
    assert exc.value.code == "guidance.too_few_instructions"
    assert "2回" in exc.value.message


def test_notice_must_give_reason_time_and_place(world):
    walk = Walker(world, required=1)
    walk.oral()
    walk.instruction_round()
    day = walk.next()
    base: dict[str, Any] = {"reason": "指示違反", "hearing_at": at(day + dt.timedelta(days=10)),
            "hearing_place": "相談室"}
    for missing, code in (("reason", "guidance.notice_reason_missing"),
                          ("hearing_at", "guidance.notice_time_missing"),
                          ("hearing_place", "guidance.notice_place_missing")):
        kwargs = dict(base, **{missing: None if missing == "hearing_at" else ""})
        with pytest.raises(DomainError) as exc:
            s.guidance_notice_issue(actor=walk.cw, case=walk.case, occurred_on=day, **kwargs)
        assert exc.value.code == code


def test_notice_must_leave_the_minimum_days_before_the_hearing(world):
    walk = Walker(world, required=1, min_days=7)
    walk.oral()
    walk.instruction_round()
    with pytest.raises(DomainError) as exc:
        walk.notice(hearing_in=6)
    assert exc.value.code == "guidance.notice_too_late"


def test_late_delivery_of_the_notice_blocks_the_hearing_until_renotified(world):
    walk = Walker(world, required=1, min_days=7)
    walk.oral()
    walk.instruction_round()
    notice = walk.notice(hearing_in=10)
    walk.deliver(notice, gap=5)  # 5 days before the hearing: short of 7
    with pytest.raises(DomainError) as exc:
        walk.hearing(notice, outcome="absent")
    assert exc.value.code == "guidance.notice_too_late"
    # The lawful way on: a new notice with a new date, delivered in time.
    walk.day -= 0
    renotice = walk.notice(hearing_in=12)
    walk.deliver(renotice)
    assert walk.hearing(renotice, outcome="absent").hearing_outcome == "absent"


def test_hearing_needs_a_delivered_notice(world):
    walk = Walker(world, required=1)
    walk.oral()
    walk.instruction_round()
    notice = walk.notice()
    with pytest.raises(DomainError) as exc:
        walk.hearing(notice)
    assert exc.value.code == "guidance.notice_not_delivered"


def test_explanation_accepted_closes_the_track(world):
    walk = Walker(world, required=1)
    walk.to_hearing(outcome="accepted")
    case = GuidanceCase.objects.get(pk=walk.case.pk)
    assert case.status == "closed" and case.closed_reason == "explanation_accepted"


def test_sanction_conference_needs_the_hearing(world):
    walk = Walker(world, required=1)
    walk.oral()
    walk.instruction_round()
    notice = walk.notice()
    walk.deliver(notice)
    with pytest.raises(DomainError) as exc:
        walk.conference("sanction")
    assert exc.value.code == "guidance.hearing_missing"


def test_conference_declining_sanction_allows_only_a_no_sanction_decision(world):
    walk = Walker(world, required=1)
    walk.to_hearing()
    walk.conference("sanction", outcome="not_proceed")
    with pytest.raises(DomainError) as exc:
        walk.draft("suspend")
    assert exc.value.code == "guidance.conference_declined_sanction"
    none = walk.draft("none")
    s.guidance_decision_approve(actor=walk.mgr, step=none, approve=True)
    assert GuidanceCase.objects.get(pk=walk.case.pk).closed_reason == "no_sanction"


# --- compliance ----------------------------------------------------------------------------
@pytest.mark.parametrize("stage", ["oral", "written", "notice", "draft"])
def test_compliance_at_any_point_closes_the_track(world, stage):
    walk = Walker(world, required=1)
    walk.oral()
    if stage in ("written", "notice", "draft"):
        walk.conference()
        w = walk.written()
        walk.deliver(w)
    if stage in ("notice", "draft"):
        walk.noncompliance(w)
        n = walk.notice()
        walk.deliver(n)
    if stage == "draft":
        walk.hearing(n)
        walk.conference("sanction")
        draft = walk.draft()
    s.guidance_compliance_record(actor=walk.cw, case=walk.case, occurred_on=walk.next(),
                                 note="ハローワークに求職登録し、報告書を提出した。")
    case = GuidanceCase.objects.get(pk=walk.case.pk)
    assert case.status == "closed" and case.closed_reason == "complied"
    if stage == "draft":
        draft.refresh_from_db()
        assert draft.approval == "rejected"
    with pytest.raises(DomainError) as exc:
        walk.oral()
    assert exc.value.code == "guidance.case_closed"


# --- dates ---------------------------------------------------------------------------------
def test_back_dating_before_the_latest_step_is_refused(world):
    walk = Walker(world)
    oral = walk.oral()
    with pytest.raises(DomainError) as exc:
        s.guidance_conference_record(actor=walk.sv, case=walk.case,
                                     held_on=oral.occurred_on - dt.timedelta(days=1),
                                     subject="instruction", outcome="proceed", minutes="協議")
    assert exc.value.code == "guidance.backdated"
    assert "さかのぼって" in exc.value.message
    assert not Conference.objects.exists()


def test_delivery_cannot_be_dated_before_the_document(world):
    walk = Walker(world)
    walk.oral()
    walk.conference()
    w = walk.written()
    with pytest.raises(DomainError) as exc:
        s.guidance_delivery_record(actor=walk.cw, step=w,
                                   delivered_on=w.occurred_on - dt.timedelta(days=1),
                                   method="hand")
    assert exc.value.code == "guidance.backdated"


def test_steps_cannot_be_dated_in_the_future(world):
    walk = Walker(world)
    with pytest.raises(DomainError) as exc:
        s.guidance_oral_instruction_record(actor=walk.cw, case=walk.case,
                                           occurred_on=days_ago(-1), content="内容",
                                           supervisor_present=world.supervisor)
    assert exc.value.code == "future_date"


def test_nothing_before_the_case_was_opened(world):
    walk = Walker(world)
    with pytest.raises(DomainError) as exc:
        s.guidance_oral_instruction_record(actor=walk.cw, case=walk.case,
                                           occurred_on=days_ago(201), content="内容",
                                           supervisor_present=world.supervisor)
    assert exc.value.code == "guidance.backdated"


# --- opening -------------------------------------------------------------------------------
def test_one_open_case_per_person_and_only_for_recipients(world):
    walk = Walker(world)
    with pytest.raises(DomainError) as exc:
        s.guidance_case_open(actor=walk.cw, person=world.person, opened_on=days_ago(1),
                             ground_category="work_capacity", ground="重複")
    assert exc.value.code == "guidance.case_already_open"
    from jiritsu import testing as t

    outsider_person = t.make_person(world.office, household=None)
    with pytest.raises(DomainError) as exc:
        s.guidance_case_open(actor=walk.cw, person=outsider_person, opened_on=days_ago(1),
                             ground_category="work_capacity", ground="対象外")
    assert exc.value.code == "guidance.not_recipient"


def test_support_staff_cannot_record_guidance(world):
    walk = Walker(world)
    with pytest.raises(Forbidden):
        s.guidance_oral_instruction_record(actor=world.m(world.support_staff), case=walk.case,
                                           occurred_on=days_ago(150), content="内容",
                                           supervisor_present=world.supervisor)
    assert GuidanceStep.objects.count() == 0


def test_a_notice_delivered_after_the_hearing_day_is_explained_not_counted_down(world):
    walk = Walker(world, required=1, min_days=2)
    walk.oral()
    walk.instruction_round()
    notice = walk.notice(hearing_in=3)
    walk.deliver(notice, gap=5)  # delivered two days after the hearing day
    blockers = s.track_for(walk.case).notice_blockers()
    assert [b.code for b in blockers] == ["guidance.notice_too_late"]
    message = blockers[0].message
    assert "より後です" in message and "弁明の機会を与えたことになりません" in message
    assert "-" not in message and "しかありません" not in message
    # Issuing a notice whose hearing day is before the notice date is refused in words too.
    with pytest.raises(DomainError) as exc:
        s.guidance_notice_issue(actor=walk.cw, case=walk.case, occurred_on=days_ago(0),
                                reason="理由", hearing_at=at(days_ago(1)), hearing_place="相談室")
    assert exc.value.code == "guidance.notice_too_late"
    assert "より後です" in exc.value.message and "-1" not in exc.value.message
