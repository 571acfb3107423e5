"""The program life cycle through services: one person from screening to transfer,
and every illegal step refused with a clear message and no change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import selectors, services
from jiritsu.cases.models import (
    ActivityRecord,
    ApprovalRequest,
    Conference,
    ConferenceDecision,
    Enrollment,
    EnrollmentEvent,
    Outcome,
    PlanCommitment,
    Review,
)
from jiritsu.cases.testing import make_consent
from jiritsu.core import clock
from jiritsu.core.errors import IllegalTransition, NotFound, StaleEdit, ValidationFailed
from jiritsu.people.models import HospitalStay
from jiritsu.programs import screening
from jiritsu.programs import services as catalogue
from jiritsu.programs.models import OutcomeKind
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=clock.JAPAN)


@pytest.fixture
def setup(world):
    program = make_program(world.office, name="精神障害者退院支援プログラム",
                           phases=["退院前訓練", "退院先の確保・調整", "退院後の生活・就労訓練"],
                           menus=["退院促進", "生活支援", "就労支援"],
                           post_discharge_review_months=1,
                           rules={"op": "and", "conditions": [
                               {"field": "psychiatric_stay_months", "op": "gte", "value": 3}]})
    target = make_program(world.office, name="精神障害者在宅生活支援プログラム",
                          consent_required=False)
    HospitalStay.objects.create(person=world.person, hospital_name="こころ病院",
                                psychiatric=True, admitted_on=D(2024, 7, 1))
    return program, target


def test_caseworker_takes_a_person_from_screening_to_transfer(world, setup):
    program, target = setup
    cw = world.m(world.caseworker)
    person = world.person

    # Screening → ledger
    pv = screening.preview(program, D(2025, 4, 1))
    assert [c.person for c in pv.candidates] == [person]
    ledger = services.ledger_save(actor=cw, program=program, as_of=D(2025, 4, 1))
    assert ledger.entries.get().person == person

    # Consent, with Hello Work allowed to receive employment data
    consent = services.consent_record(actor=cw, person=person, program=program,
                                      given_on=D(2025, 4, 10), form="written",
                                      grants=[(world.partner_org, ["basic", "employment"])])
    assert consent.grants.get().categories == ["basic", "employment"]

    # Conference decides: select and start in the first phase
    phases = list(program.phases.order_by("order"))
    conf = services.conference_create(
        actor=cw, kind=Conference.Kind.NETWORK, held_on=D(2025, 4, 15),
        title="退院支援ネットワーク会議", program=program,
        attendees=[{"user": world.caseworker}, {"user": world.supervisor},
                   {"name": "山本医師", "profession": "主治医"},
                   {"name": "本人の姉", "is_family": True}],
        decisions=[{"person": person, "decision": "start", "reason": "退院意欲あり",
                    "phase": phases[0], "menus": list(program.menus.all()[:2])}])
    enrollment = Enrollment.objects.get(person=person, program=program)
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert enrollment.phase == phases[0]
    assert enrollment.started_on == D(2025, 4, 15)
    assert enrollment.planned_end_on == D(2025, 10, 14)  # standard 6 months
    assert enrollment.program_version.number == 1
    assert conf.attendees.count() == 4
    assert ConferenceDecision.objects.get(conference=conf).enrollment == enrollment
    assert list(enrollment.events.values_list("action", "conference_id")) == [
        ("create", conf.pk), ("start", conf.pk)]

    # Plan with goals and commitments
    plan = services.plan_create(
        actor=cw, enrollment=enrollment, agreed_on=D(2025, 4, 20), policy="外泊訓練から始める",
        goals=[{"text": "外泊訓練を月1回行う", "target_on": D(2025, 7, 31)},
               {"text": "退院先を決める", "target_on": D(2025, 9, 30)}],
        commitments=[{"kind": PlanCommitment.Kind.OTHER, "text": "通院日を守る", "quantity": 2,
                      "per": "month"}])
    assert plan.number == 1 and plan.goals.count() == 2

    # Records: caseworker with public-health nurse, and support staff
    services.record_create(actor=cw, person=person, enrollment=enrollment,
                           values={"occurred_at": at(D(2025, 5, 10)), "kind": "home_visit",
                                   "text": "病棟で面接。外泊の希望あり。", "duration_minutes": 40,
                                   "systolic_bp": 132, "diastolic_bp": 84},
                           staff_present=[world.caseworker, world.support_staff])
    services.record_create(actor=world.m(world.support_staff), person=person,
                           enrollment=enrollment,
                           values={"occurred_at": at(D(2025, 6, 2)), "kind": "overnight_trial",
                                   "text": "外泊訓練1泊。問題なし。"})

    # Review 1: continue, goal partly achieved; plan revised carrying a goal
    goals = list(plan.goals.order_by("order"))
    r1, pending = services.review_create(
        actor=cw, enrollment=enrollment, reviewed_on=D(2025, 7, 15), evaluation="外泊2回実施",
        decision="change_phase", phase=phases[1], goal_levels={goals[0].pk: "achieved",
                                                                goals[1].pk: "partly"})
    assert pending is None and r1.next_due_on == D(2025, 10, 15)
    enrollment.refresh_from_db()
    assert enrollment.phase == phases[1]
    plan2 = services.plan_create(
        actor=cw, enrollment=enrollment, agreed_on=D(2025, 7, 20),
        goals=[{"text": "退院先を決める", "target_on": D(2025, 10, 31), "carried_from": goals[1]}])
    assert plan2.number == 2
    carried = plan2.goals.get().carried_from
    assert carried is not None and carried.target_on == D(2025, 9, 30)  # change kept

    # Outcome: discharge to a group home → a check falls due one month later
    discharge_type = program.outcome_types.get(kind=OutcomeKind.DISCHARGE)
    out = services.outcome_record(actor=cw, enrollment=enrollment, outcome_type=discharge_type,
                                  occurred_on=D(2025, 9, 1), data={"destination": "group_home"})
    assert isinstance(out, Outcome) and out.destination == "group_home"
    due = selectors.reviews_due(cw, today=D(2025, 9, 30))
    assert [d.due_on for d in due["due_soon"]] == [D(2025, 10, 1)]
    assert "退院後1か月" in due["due_soon"][0].reasons[0]

    # Review 2 continues; then a conference transfers the person to home-life support
    services.review_create(actor=cw, enrollment=enrollment, reviewed_on=D(2025, 10, 1),
                           evaluation="GHで安定", decision="continue",
                           goal_levels={plan2.goals.get().pk: "achieved"})
    assert Review.objects.filter(enrollment=enrollment).count() == 2
    services.conference_create(
        actor=cw, kind=Conference.Kind.INTERNAL, held_on=D(2025, 10, 20),
        title="所内検討会", program=program,
        decisions=[{"person": person, "decision": "transfer", "target_program": target,
                    "reason": "在宅生活の支援へ"}])
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENDED
    assert enrollment.end_reason == Enrollment.EndReason.TRANSFERRED
    new = Enrollment.objects.get(program=target)
    assert new.moved_from == enrollment and new.status == Enrollment.Status.SELECTED

    # Every step is in the audit log, about this person
    actions = set(AuditEvent.objects.filter(person_id=person.pk).values_list("action", flat=True))
    assert {"consent.record", "enrollment.create", "enrollment.start", "plan.create",
            "record.create", "review.create", "enrollment.change_phase", "outcome.record",
            "enrollment.transfer", "enrollment.transfer_in"} <= actions
    assert AuditEvent.objects.filter(action="conference.create").count() == 2


@pytest.fixture
def active(world, setup):
    program, _ = setup
    cw = world.m(world.caseworker)
    make_consent(world.person, program, recorded_by=world.caseworker, given_on=D(2025, 1, 1))
    e = services.enrollment_create(actor=cw, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 1))
    return e


def _unchanged(enrollment: Enrollment, **expected):
    enrollment.refresh_from_db()
    for k, v in expected.items():
        assert getattr(enrollment, k) == v, k


def test_support_cannot_start_without_required_consent(world, setup):
    program, _ = setup
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 2))
    assert exc.value.code == "consent_required"
    assert "同意が必要" in exc.value.message
    _unchanged(e, status="candidate", started_on=None)
    assert not AuditEvent.objects.filter(action="enrollment.start").exists()
    # A withdrawn consent does not count either
    c = make_consent(world.person, program, recorded_by=world.caseworker, given_on=D(2025, 3, 1))
    services.consent_withdraw(actor=cw, consent=c, on=D(2025, 3, 20), expected_version=1)
    with pytest.raises(IllegalTransition):
        services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 2))


def test_second_open_episode_in_same_program_refused_but_reentry_allowed(world, active):
    cw = world.m(world.caseworker)
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_create(actor=cw, person=world.person, program=active.program,
                                   on=D(2025, 5, 1))
    assert exc.value.code == "already_enrolled"
    assert Enrollment.objects.filter(person=world.person).count() == 1
    # The database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(office=world.office, person=world.person,
                                  program=active.program, program_version=active.program_version,
                                  candidate_on=D(2025, 5, 1))
    services.enrollment_end(actor=cw, enrollment=active, reason="suspended", on=D(2025, 6, 1))
    again = services.enrollment_create(actor=cw, person=world.person, program=active.program,
                                       on=D(2025, 9, 1))
    assert again.status == "candidate"


def test_outcome_refused_on_declined_episode_and_on_candidate(world, setup):
    program, _ = setup
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    otype = program.outcome_types.get(kind=OutcomeKind.EMPLOYMENT_START)
    with pytest.raises(IllegalTransition) as exc:
        services.outcome_record(actor=cw, enrollment=e, outcome_type=otype,
                                occurred_on=D(2025, 5, 1),
                                data={"job_kind": "清掃", "monthly_income": 60000})
    assert exc.value.code == "outcome_on_candidate"
    services.enrollment_end(actor=cw, enrollment=e, reason="declined", on=D(2025, 4, 5))
    with pytest.raises(IllegalTransition) as exc:
        services.outcome_record(actor=cw, enrollment=e, outcome_type=otype,
                                occurred_on=D(2025, 5, 1),
                                data={"job_kind": "清掃", "monthly_income": 60000})
    assert exc.value.code == "outcome_on_declined"
    assert "辞退" in exc.value.message
    assert not Outcome.objects.exists()


def test_stale_edit_is_refused(world, active):
    cw = world.m(world.caseworker)
    stale = active.version - 1
    with pytest.raises(StaleEdit):
        services.enrollment_change_phase(actor=cw, enrollment=active,
                                         phase=active.program.phases.order_by("order")[1],
                                         on=D(2025, 5, 1), expected_version=stale)
    _unchanged(active, phase=active.program.phases.order_by("order")[0])
    program = active.program
    mgr = world.m(world.manager)
    catalogue.program_update(actor=mgr, program=program, expected_version=program.version,
                            data={"description": "改訂"})
    with pytest.raises(StaleEdit) as exc:
        catalogue.program_update(actor=mgr, program=program, expected_version=1,
                                data={"description": "別の改訂"})
    assert "他の職員" in exc.value.message


def test_backdated_transition_refused(world, active):
    cw = world.m(world.caseworker)
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_end(actor=cw, enrollment=active, reason="stopped", on=D(2025, 3, 1))
    assert exc.value.code == "backdated"
    assert "直前の記録（令和7年4月1日）より前" in exc.value.message
    _unchanged(active, status="active")


def test_transfer_to_same_program_refused(world, active):
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_transfer(actor=world.m(world.caseworker), enrollment=active,
                                     target_program=active.program, on=D(2025, 5, 1))
    assert exc.value.code == "same_program"
    _unchanged(active, status="active")


def test_partner_writes_records_only_for_people_referred_with_consent(world, active):
    partner = world.m(world.partner)
    values = {"occurred_at": at(D(2025, 5, 1)), "kind": "agency_contact", "text": "求人紹介"}
    with pytest.raises(NotFound):
        services.record_create(actor=partner, person=world.person, values=values)
    services.enrollment_assign(actor=world.m(world.caseworker), enrollment=active,
                               referred_partners=[world.partner_org],
                               expected_version=active.version)
    with pytest.raises(NotFound):  # referred, but no consent naming the partner yet
        services.record_create(actor=partner, person=world.person, values=values)
    make_consent(world.person, active.program, recorded_by=world.caseworker,
                 partners=[world.partner_org])
    rec = services.record_create(actor=partner, person=world.person, enrollment=active,
                                 values=values)
    assert rec.author_partner == world.partner_org
    assert ActivityRecord.objects.count() == 1
    # The caseworker sees it in the person's programme section
    section = selectors.person_programs(world.m(world.caseworker), world.person)
    assert [r.pk for r in section["records"]] == [rec.pk]


def test_extension_beyond_maximum_refused_and_beyond_standard_needs_approval(world, active):
    cw = world.m(world.caseworker)
    program = active.program
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_extend(actor=cw, enrollment=active, until=D(2026, 6, 1),
                                   on=D(2025, 9, 1))
    assert exc.value.code == "beyond_max_length"
    assert "最長期間（12か月、令和8年3月31日まで）" in exc.value.message
    # Program now asks for 決裁 on extensions; the enrolment keeps its version's terms, so
    # extending it needs no approval, but a new participant's does.
    catalogue.program_update(actor=world.m(world.manager), program=program,
                            expected_version=program.version, data={"approvals_needed": ["extend"]})
    assert services.terms(active)["approvals_needed"] == []
    services.enrollment_extend(actor=cw, enrollment=active, until=D(2025, 12, 31),
                               on=D(2025, 9, 1))
    _unchanged(active, planned_end_on=D(2025, 12, 31))


def test_approval_route_supervisor_then_manager_rejection_goes_back(world, setup):
    program, _ = setup
    program.approvals_needed = ["extend", "achieve"]
    program.save()
    from jiritsu.programs.models import ProgramVersion

    ProgramVersion.objects.filter(program=program).update(
        snapshot=catalogue.program_snapshot(program))
    cw, sv, mgr = world.m(world.caseworker), world.m(world.supervisor), world.m(world.manager)
    make_consent(world.person, program, recorded_by=world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 1))
    req = services.enrollment_extend(actor=cw, enrollment=e, until=D(2025, 12, 31),
                                     on=D(2025, 9, 1))
    assert isinstance(req, ApprovalRequest) and req.steps == ["supervisor", "manager"]
    _unchanged(e, planned_end_on=D(2025, 9, 30))
    assert [r.pk for r in selectors.approvals_waiting(sv)] == [req.pk]
    assert selectors.approvals_waiting(mgr) == []
    with pytest.raises(ValidationFailed):
        services.approval_decide(actor=sv, request=req, approve=False, comment="")
    services.approval_decide(actor=sv, request=req, approve=True, comment="了")
    _unchanged(e, planned_end_on=D(2025, 9, 30))  # not yet: manager still to decide
    assert [r.pk for r in selectors.approvals_waiting(mgr)] == [req.pk]
    services.approval_decide(actor=mgr, request=req, approve=True)
    _unchanged(e, planned_end_on=D(2025, 12, 31))
    ev = e.events.get(action="extend")
    assert ev.approval == req and ev.actor == world.manager

    # Achievement needs approval too; a rejection returns with a comment, nothing recorded
    otype = program.outcome_types.get(kind=OutcomeKind.EMPLOYMENT_START)
    req2 = services.outcome_record(actor=cw, enrollment=e, outcome_type=otype,
                                   occurred_on=D(2025, 10, 1), end_as_achieved=True,
                                   data={"job_kind": "清掃", "monthly_income": 80000,
                                         "hours_per_week": 20})
    assert isinstance(req2, ApprovalRequest) and not Outcome.objects.exists()
    services.approval_decide(actor=sv, request=req2, approve=False, comment="就労先を確認のこと")
    req2.refresh_from_db()
    assert req2.status == "rejected"
    mine = selectors.approvals_mine(cw)
    assert mine[0].decisions.all()[0].comment == "就労先を確認のこと"
    req3 = services.outcome_record(actor=cw, enrollment=e, outcome_type=otype,
                                   occurred_on=D(2025, 10, 1), end_as_achieved=True,
                                   data={"job_kind": "清掃", "monthly_income": 80000})
    assert isinstance(req3, ApprovalRequest)
    services.approval_decide(actor=sv, request=req3, approve=True)
    services.approval_decide(actor=mgr, request=req3, approve=True)
    out = Outcome.objects.get()
    assert out.monthly_income == 80000
    _unchanged(e, status="ended", end_reason="achieved", ended_on=D(2025, 10, 1))


def test_approver_cannot_decide_out_of_turn_or_own_request(world, setup):
    program, _ = setup
    program.approvals_needed = ["end"]
    program.save()
    from jiritsu.programs.models import ProgramVersion

    ProgramVersion.objects.filter(program=program).update(
        snapshot=catalogue.program_snapshot(program))
    sv, mgr = world.m(world.supervisor), world.m(world.manager)
    make_consent(world.person, program, recorded_by=world.caseworker)
    e = services.enrollment_create(actor=sv, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    services.enrollment_start(actor=sv, enrollment=e, on=D(2025, 4, 1))
    req = services.enrollment_end(actor=sv, enrollment=e, reason="stopped", on=D(2025, 6, 1))
    assert isinstance(req, ApprovalRequest)
    from jiritsu.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.approval_decide(actor=mgr, request=req, approve=True)  # supervisor's turn
    with pytest.raises(Forbidden):
        services.approval_decide(actor=sv, request=req, approve=True)  # own request
    with pytest.raises(IllegalTransition):  # a second pending request of the same kind
        services.enrollment_end(actor=sv, enrollment=e, reason="stopped", on=D(2025, 6, 1))


def test_conference_with_one_illegal_decision_saves_nothing(world, setup):
    program, _ = setup
    cw = world.m(world.caseworker)
    hh = t.make_household(world.office, caseworker=world.caseworker)
    other = t.make_person(world.office, household=hh, name="二人目 太郎", member_number=1)
    before_events = EnrollmentEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.conference_create(
            actor=cw, kind=Conference.Kind.INTERNAL, held_on=D(2025, 4, 15), title="検討会",
            program=program,
            decisions=[{"person": other, "decision": "select"},
                       {"person": world.person, "decision": "start"}])  # no consent
    assert exc.value.message.startswith("髙橋 𠮷子さん（支援開始）：")
    assert exc.value.details[0]["index"] == 1
    assert not Conference.objects.exists()
    assert not Enrollment.objects.exists()
    assert EnrollmentEvent.objects.count() == before_events


def test_non_recipient_refused_unless_program_allows(world, setup):
    program, _ = setup
    cw = world.m(world.caseworker)
    outsider = t.make_person(world.office, household=None, name="非受給 一郎", member_number=1)
    with pytest.raises(IllegalTransition) as exc:
        services.enrollment_create(actor=cw, person=outsider, program=program, on=D(2025, 4, 1))
    assert exc.value.code == "not_recipient"
    open_program = make_program(world.office, allows_non_recipients=True)
    assert services.enrollment_create(actor=cw, person=outsider, program=open_program,
                                      on=D(2025, 4, 1)).status == "candidate"


def test_other_office_rows_are_not_found(world, setup):
    program, _ = setup
    outsider = world.m(world.outsider, world.other_office)
    with pytest.raises(NotFound):
        services.enrollment_create(actor=outsider, person=world.person, program=program,
                                   on=D(2025, 4, 1))
    with pytest.raises(NotFound):
        services.consent_record(actor=outsider, person=world.person, program=None,
                                given_on=D(2025, 4, 1), form="oral")


def test_program_edit_creates_version_and_enrolments_keep_theirs(world, active):
    program = active.program
    mgr = world.m(world.manager)
    catalogue.program_update(actor=mgr, program=program, expected_version=program.version,
                            data={"standard_length_months": 9, "max_length_months": 18},
                            phases=[{"id": p.pk, "name": p.name, "order": p.order}
                                    for p in program.phases.all()] + [{"name": "定着支援"}])
    program.refresh_from_db()
    assert program.current_version == 2
    assert program.versions.get(number=2).snapshot["phases"][-1]["name"] == "定着支援"
    active.refresh_from_db()
    assert active.program_version.number == 1
    assert services.terms(active)["max_length_months"] == 12
    # An edit that changes nothing in the definition keeps the version
    catalogue.program_update(actor=mgr, program=program, expected_version=program.version,
                            data={"name": program.name})
    program.refresh_from_db()
    assert program.current_version == 2
    # Removing a phase someone is in is refused
    with pytest.raises(ValidationFailed):
        catalogue.program_update(actor=mgr, program=program, expected_version=program.version,
                                phases=[{"name": "新しい段階"}])


def test_caseworker_cannot_manage_catalogue(world):
    from jiritsu.core.errors import Forbidden

    with pytest.raises(Forbidden):
        catalogue.program_create(actor=world.m(world.caseworker),
                                data={"code": "X1", "name": "x", "kind": "economic",
                                      "established_on": D(2025, 4, 1)})
