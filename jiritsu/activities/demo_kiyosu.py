"""清洲 in the demo office: every episode's first interview and the route it led to, a
barrier with its steps, the advice before 指導指示, and who attended the interview at
Hello Work (staff and partners on file). Called by ``demo.populate_demo_programs``."""

from __future__ import annotations

import datetime as dt

from jiritsu.activities import work_capacity
from jiritsu.activities.models import (
    HelloWorkInterviewAttendee,
    HelloWorkReferral,
    WorkBarrier,
    WorkBarrierStep,
    WorkRouteDecision,
)
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.core import clock
from jiritsu.offices.models import Membership, Office, PartnerOrganisation, User
from jiritsu.people.models import WorkCapacityAssessment

S = Enrollment.Status


def work_routes(office: Office, episodes: list[Enrollment], refs: list[HelloWorkReferral],
                 cw: User, today: dt.date) -> None:
    """清洲: every episode's first interview and the route it led to. Those referred to Hello
    Work were found willing with no barrier; of the others, one waits for an illness to be
    seen to (一般就労支援, with its steps), one was advised and is still unwilling (the rule
    suggests 指導指示; no route decided yet), and the rest are not routed yet."""
    referred = {r.enrollment_id: r for r in refs}
    interviews: list[WorkCapacityAssessment] = []
    plan: list[tuple[Enrollment, dt.date, str]] = []
    others = 0
    for e in episodes:
        ref = referred.get(e.pk)
        if ref is not None:
            day = ref.consented_on - dt.timedelta(days=3)
            interviews.append(WorkCapacityAssessment(
                person=e.person, office_id=office.pk, assessed_on=day, has_capacity=True,
                has_will=True, has_place=True, usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED,
                evidence="初回面接（年齢・学歴・資格・職歴を確認）", assessed_by=cw))
            plan.append((e, day, WorkRouteDecision.Route.HELLO_WORK))
            continue
        if e.status == S.ENDED:
            continue
        day = today - dt.timedelta(days=20 + 10 * others)
        if others == 0:
            interviews.append(WorkCapacityAssessment(
                person=e.person, office_id=office.pk, assessed_on=day, has_capacity=True,
                has_will=True, has_place=False, usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED,
                barriers=["illness"], evidence="初回面接。腰痛で通院中", assessed_by=cw))
            barrier = WorkBarrier.objects.create(
                office=office, person=e.person, enrollment=e, kind=WorkBarrier.Kind.ILLNESS,
                detail="腰痛で通院中", found_on=day, status_on=day, created_by=cw)
            WorkBarrierStep.objects.bulk_create([
                WorkBarrierStep(barrier=barrier, action="主治医訪問（病状の把握）",
                                planned_on=day + dt.timedelta(days=5),
                                done_on=day + dt.timedelta(days=5),
                                result="軽作業なら可能との意見", recorded_by=cw),
                WorkBarrierStep(barrier=barrier, action="主治医同行訪問等",
                                planned_on=today + dt.timedelta(days=10), recorded_by=cw)])
            plan.append((e, day, WorkRouteDecision.Route.GENERAL))
        elif others == 1:
            ActivityRecord.objects.create(
                office=office, person=e.person, enrollment=e, author=cw, kind="office_interview",
                occurred_at=dt.datetime.combine(day - dt.timedelta(days=30), dt.time(0),
                                                tzinfo=clock.JAPAN), time_known=False,
                text="就労意欲の喚起のための相談助言・生活保護の趣旨説明：就労の必要性を説明",
                data={"work_advice": True})
            interviews.append(WorkCapacityAssessment(
                person=e.person, office_id=office.pk, assessed_on=day, has_capacity=True,
                has_will=False, has_place=True, usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED,
                evidence="再面接。求職の意思を示さない", assessed_by=cw))
        others += 1
    WorkCapacityAssessment.objects.bulk_create(interviews)
    rows = []
    for e, day, route in plan:
        found = work_capacity.findings(e.person, day)
        suggestion = work_capacity.suggest(found)
        rows.append(WorkRouteDecision(
            office=office, enrollment=e, assessment=found.assessment, decided_on=day,
            route=route, suggested=suggestion.route or "", reasons=list(suggestion.reasons),
            findings=found.as_data(), decided_by=cw,
            override_reason="" if suggestion.route == route else "本人と協議のうえ決定"))
    WorkRouteDecision.objects.bulk_create(rows)


def interview_attendees(office: Office, referrals: list[HelloWorkReferral],
                         hello_work: PartnerOrganisation | None) -> None:
    """清洲: who attended the interview at Hello Work — 本人, the person's caseworker, a
    supervisor as the office's coordinator and Hello Work's coordinator (its account on file,
    or the organisation when it has none)."""
    Seat = HelloWorkInterviewAttendee.Seat
    members = {m.user_id: m for m in Membership.objects.filter(office=office, is_active=True)}
    supervisor = Membership.objects.filter(office=office, is_active=True,
                                           role=Membership.Role.SUPERVISOR).order_by("id").first()
    contact = Membership.objects.filter(office=office, is_active=True,
                                        partner=hello_work).order_by("id").first()
    rows = []
    for r in referrals:
        household = r.enrollment.person.household
        cw = (members.get(household.caseworker_id)
              if household is not None and household.caseworker_id is not None else None)
        if cw is not None:
            rows.append(HelloWorkInterviewAttendee(referral=r, membership=cw, seat=Seat.CASEWORKER))
        if supervisor is not None:
            rows.append(HelloWorkInterviewAttendee(referral=r, membership=supervisor,
                                                   seat=Seat.OFFICE_COORDINATOR))
        rows.append(HelloWorkInterviewAttendee(referral=r, membership=contact, seat=Seat.HW_COORDINATOR)
                    if contact is not None else
                    HelloWorkInterviewAttendee(referral=r, partner=hello_work, seat=Seat.HW_COORDINATOR))
    HelloWorkInterviewAttendee.objects.bulk_create(rows)
