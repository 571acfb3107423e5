"""Each of the fifteen seed programs, replayed end to end through the services.

Where the seed gives figures, the test asks the reports (``office_report``) and checks
they show the same numbers. Dates are the seed's (FY2006–2007).

Size (over 600 lines): one replay per seed program, kept in one module so that
``test_every_template_has_a_replay`` sees them all and they share the helpers above them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jiritsu import testing as t
from jiritsu.activities import selectors
from jiritsu.activities import services as A
from jiritsu.activities import work_capacity as W
from jiritsu.activities import work_capacity_services as WS
from jiritsu.activities.models import HelloWorkReferral, TrainingPlacement
from jiritsu.activities.tests.helpers import at_the_interview, wants_to_work
from jiritsu.cases import services as P
from jiritsu.cases.models import ApprovalRequest, Enrollment
from jiritsu.core import clock
from jiritsu.core.errors import ValidationFailed
from jiritsu.offices.models import Membership, Office, PartnerOrganisation
from jiritsu.people.models import Disability, HospitalStay, Person, WorkCapacityAssessment
from jiritsu.programs.models import Program, ScreeningLedger
from jiritsu.reports.exports import takehara_rows
from jiritsu.reports.figures import office_report
from jiritsu.reports.periods import Period

D = dt.date
K = PartnerOrganisation.Kind


# ---------------------------------------------------------------- helpers

def mgr(w: Any) -> Membership:
    return w.m(w.manager)


def cw(w: Any) -> Membership:
    return w.m(w.caseworker)


def program(w: Any, template: str, **overrides: Any) -> Program:
    return A.program_instantiate_template(actor=mgr(w), template_code=template,
                                          overrides=overrides)


ADULT = D(1965, 4, 1)


def person(w: Any, name: str, *, born: dt.date = ADULT, district: str = "中央地区",
           **kw: Any) -> Person:
    hh = t.make_household(w.office, caseworker=w.caseworker, assistance_started_on=D(2000, 1, 1),
                          district=district)
    return t.make_person(w.office, household=hh, name=name, kana="ひと", birth_date=born, **kw)


def inpatient(w: Any, name: str, admitted: dt.date, hospital: PartnerOrganisation | None = None
              ) -> Person:
    p = person(w, name)
    HospitalStay.objects.create(person=p, hospital=hospital, psychiatric=True, admitted_on=admitted,
                                hospital_name=hospital.name if hospital else "精神科病院")
    return p


def consent(w: Any, p: Person, prog: Program, on: dt.date,
            grants: list[tuple[PartnerOrganisation, list[str]]] | None = None) -> Any:
    return P.consent_record(actor=cw(w), person=p, program=prog, given_on=on, form="written",
                            grants=grants)


def interview(p: Person, on: dt.date, *, will: bool = True,
              barriers: list[str] | None = None) -> WorkCapacityAssessment:
    """清洲's first interview: the 稼働能力 not fully used, the will to work, the barriers."""
    return WorkCapacityAssessment.objects.create(
        person=p, assessed_on=on, has_capacity=True, has_will=will, has_place=True,
        usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED, barriers=barriers or [])


def take_part(w: Any, prog: Program, p: Person, on: dt.date, **start: Any) -> Enrollment:
    """候補 → 選定 → 同意 → 参加中, the ordinary way in."""
    e = P.enrollment_create(actor=cw(w), person=p, program=prog, on=on - dt.timedelta(days=7))
    P.enrollment_select(actor=cw(w), enrollment=e, on=on - dt.timedelta(days=3))
    if prog.consent_required:
        consent(w, p, prog, on - dt.timedelta(days=1))
    return P.enrollment_start(actor=cw(w), enrollment=e, on=on, **start)


def visit(w: Any, p: Person, e: Enrollment | None, on: dt.date, text: str,
          actor: Membership | None = None, **values: Any) -> Any:
    return P.record_create(actor=actor or cw(w), person=p, enrollment=e, values={
        "occurred_at": dt.datetime.combine(on, dt.time(10), tzinfo=clock.JAPAN),
        "kind": values.pop("kind", "home_visit"), "text": text, **values})


def outcome(w: Any, e: Enrollment, kind: str, on: dt.date, **data: Any) -> Any:
    ot = e.program.outcome_types.get(kind=kind)
    if kind == "employment_start":
        data.setdefault("job_kind", "軽作業")
        data.setdefault("monthly_income", 80_000)
    return P.outcome_record(actor=cw(w), enrollment=e, outcome_type=ot, occurred_on=on,
                            data=data, end_as_achieved=data.pop("end", False))


def figures(w: Any, start: dt.date, end: dt.date) -> dict[int, dict[str, Any]]:
    report = office_report(w.office, Period.between(start, end))
    return {row["id"]: row for row in report["programs"]}


def destinations(row: dict[str, Any]) -> dict[str, int]:
    return {d["key"]: d["n"] for d in row["destinations"]}


# ---------------------------------------------------------------- 1 福井

def test_fukui_health_and_nutrition_five_people_in_each_of_two_years(world):
    prog = program(world, "fukui_health")
    nurse = world.support_staff
    dietitian = t.make_user(world.office, "support_staff", profession="dietitian")
    for fy, start in ((2006, D(2006, 5, 1)), (2007, D(2007, 5, 1))):
        for i in range(5):
            p = person(world, f"福井{fy}-{i}", born=D(1935, 1, 1))
            e = take_part(world, prog, p, start)
            track = ["chronic", "withdrawn", "nutrition", "dementia", "chronic"][i]
            A.health_track_open(actor=world.m(nurse), enrollment=e, track=track, started_on=start,
                                data={"living_environment": "衛生面に課題", "mental_state": "寂しさ"})
            for k in range(3):  # CW visits with the nurse or the dietitian, measuring each time
                visit(world, p, e, start + dt.timedelta(days=30 * (k + 1)), "同行訪問",
                      systolic_bp=158 - 6 * k, diastolic_bp=92 - 3 * k, weight_kg=f"{71 - k}.0")
                e.records.order_by("-id")[0].staff_present.set([nurse if k % 2 == 0
                                                                 else dietitian])
            P.enrollment_end(actor=cw(world), enrollment=e, reason="not_needed",
                             on=D(fy + 1, 3, 31))
    fy06 = figures(world, D(2006, 4, 1), D(2007, 3, 31))[prog.pk]
    fy07 = figures(world, D(2007, 4, 1), D(2008, 3, 31))[prog.pk]
    assert (fy06["participants"], fy07["participants"]) == (5, 5)
    assert [tg["met"] for tg in fy06["targets"] + fy07["targets"]] == [True, True]
    bp, weight, rows = selectors.measurement_charts(p)
    assert len(rows) == 3 and len(bp.lines[0]["dots"]) == 3 and not weight.empty


# ---------------------------------------------------------------- 2 甲州

def test_koshu_council_selects_a_hospital_nomination_for_work_support(world):
    prog = program(world, "koshu_disability_work")
    hospital = t.make_partner(world.office, K.PSYCHIATRIC_HOSPITAL, "峡東病院")
    p = inpatient(world, "甲州 太郎", D(2005, 1, 1), hospital)
    Disability.objects.create(person=p, kind="mental", grade="2級")
    P.nomination_record(actor=cw(world), program=prog, person=p, source="hospital",
                        nominated_by="主治医", nominated_on=D(2007, 4, 10), partner=hospital)
    conf = P.conference_create(actor=cw(world), kind="outside_council", held_on=D(2007, 5, 1),
                               title="峡東圏域自立促進支援協議会", program=prog,
                               decisions=[{"person": p, "decision": "select"}])
    e = Enrollment.objects.get(person=p, program=prog)
    assert e.status == "selected" and e.events.filter(conference=conf).exists()
    consent(world, p, prog, D(2007, 5, 10))
    work = prog.menus.get(name="就労支援")
    P.enrollment_start(actor=cw(world), enrollment=e, on=D(2007, 5, 15), menus=[work])
    visit(world, p, e, D(2007, 6, 1), "ハローワークに同行", kind="accompany_hello_work")
    outcome(world, e, "employment_start", D(2007, 9, 1), employer="授産施設みどり", end=True)
    row = figures(world, D(2007, 4, 1), D(2008, 3, 31))[prog.pk]
    assert (row["eligible"], row["participants"], row["achieved"]) == (1, 1, 1)


# ---------------------------------------------------------------- 3 上田

def test_ueda_steps_from_registration_to_seminar_to_job(world):
    prog = program(world, "ueda_employment")
    people = [person(world, f"上田{i}") for i in range(3)]
    P.conference_create(actor=cw(world), kind="employment_review", held_on=D(2007, 4, 20),
                        title="就労支援検討会", program=prog,
                        decisions=[{"person": p, "decision": "select"} for p in people])
    phases = list(prog.phases.order_by("order"))
    seminar = A.series_create(actor=cw(world), program=prog, kind="seminar",
                              title="ハローワーク就労支援セミナー", venue="ハローワーク上田",
                              starts_on=D(2007, 5, 1))
    enrolments = []
    for p in people:
        e = Enrollment.objects.get(person=p, program=prog)
        consent(world, p, prog, D(2007, 4, 25))
        enrolments.append(P.enrollment_start(actor=cw(world), enrollment=e, on=D(2007, 5, 1)))
    assert all(e.phase == phases[0] for e in enrolments)
    A.session_hold(actor=cw(world), series=seminar, held_on=D(2007, 5, 20),
                   present=people[:2], absent=people[2:])
    for e in enrolments:
        for ph in phases[1:]:
            P.enrollment_change_phase(actor=cw(world), enrollment=e, phase=ph, on=D(2007, 6, 1))
    outcome(world, enrolments[0], "employment_start", D(2007, 8, 1), employer="上田運輸",
            end=True)
    row = figures(world, D(2007, 4, 1), D(2008, 3, 31))[prog.pk]
    assert (row["eligible"], row["achieved"]) == (3, 1)  # 支援対象者数 / 就労開始者数
    assert selectors.series_detail(seminar).sessions[0].present_count == 2


# ---------------------------------------------------------------- 4 清洲

def test_kiyosu_interviews_route_people_to_the_general_path_and_the_hello_work_path(world):
    """The first interview decides the path: a barrier sends 清洲 一般 to 一般就労支援 until
    it is removed; the will to work and no barrier send 清洲 職安 to the Hello Work 事業;
    someone without the will, advised and still unwilling at the next interview, is routed
    to 指導指示 (whose procedure is replayed in guidance/tests/test_track.py)."""
    prog = program(world, "kiyosu_work_capacity")
    general = person(world, "清洲 一般")
    e = take_part(world, prog, general, D(2007, 4, 2))
    interview(general, D(2007, 4, 2), barriers=["illness"])
    assert W.route_state(e, D(2007, 4, 2)).suggestion.route == "general"
    WS.work_route_decide(actor=cw(world), enrollment=e, decided_on=D(2007, 4, 2), route="general")
    assert [m.name for m in e.menus.all()] == ["一般就労支援"]
    barrier = WS.work_barrier_add(actor=cw(world), person=general, kind="illness",
                                  detail="腰痛で通院中", found_on=D(2007, 4, 2),
                                  planned_on=D(2007, 4, 20), enrollment=e)
    step = barrier.steps.get()
    assert step.action == "主治医同行訪問等"
    WS.work_barrier_step_update(actor=cw(world), step=step, expected_version=1,
                                data={"done_on": D(2007, 4, 20), "result": "軽作業なら就労可"})
    WS.work_barrier_judge(actor=cw(world), barrier=barrier, status="resolved", on=D(2007, 4, 20),
                          expected_version=1, note="主治医が軽作業は可と回答")
    plan = P.plan_create(actor=cw(world), enrollment=e, agreed_on=D(2007, 4, 2),
                         target_start_on=D(2007, 7, 1),
                         goals=[{"text": "7月までに就労を開始する", "target_on": D(2007, 7, 1)}],
                         commitments=[{"kind": "job_search_report", "quantity": 2, "per": "month",
                                       "text": "毎月15日と月末に提出"},
                                      {"kind": "silver_hr", "quantity": 1, "per": "once"},
                                      {"kind": "hello_work_visit", "quantity": 1, "per": "week"}])
    assert plan.target_start_on == D(2007, 7, 1)
    for day in (D(2007, 4, 15), D(2007, 4, 30), D(2007, 5, 31)):
        visit(world, general, e, day, "求職活動状況報告書を受理", kind="job_search_report")
    status = selectors.job_search_status(e, until=D(2007, 7, 2))
    assert status is not None
    assert status.shortfall == 3 and [m.month.month for m in status.short_months] == [5, 6]
    P.review_create(actor=cw(world), enrollment=e, reviewed_on=D(2007, 7, 2),
                    evaluation=f"報告書の提出が{status.shortfall}回不足", decision="continue")

    hw_person = person(world, "清洲 職安")
    e2 = take_part(world, prog, hw_person, D(2007, 4, 2))
    interview(hw_person, D(2007, 4, 2))
    WS.work_route_decide(actor=cw(world), enrollment=e2, decided_on=D(2007, 4, 2),
                         route="hello_work")
    c = consent(world, hw_person, prog, D(2007, 4, 3),
                grants=[(world.partner_org, ["basic", "employment"])])
    ref = A.hw_referral_start(actor=cw(world), enrollment=e2, hello_work=world.partner_org,
                              consented_on=D(2007, 4, 3), consent=c)
    for step_name, day in (("form_a", D(2007, 4, 5)), ("request", D(2007, 4, 6))):
        A.hw_referral_advance(actor=cw(world), referral=ref, step=step_name, on=day,
                              expected_version=ref.version)
    A.hw_referral_advance(actor=cw(world), referral=ref, step="interview", on=D(2007, 4, 20),
                          menu="navigator", attendees=at_the_interview(world), person_present=True,
                          expected_version=ref.version)
    A.hw_referral_advance(actor=world.m(world.partner), referral=ref, step="employed",
                          on=D(2007, 6, 1), note="清掃業で採用", expected_version=ref.version)
    assert ref.status == HelloWorkReferral.Status.EMPLOYED
    outcome(world, e2, "employment_start", D(2007, 6, 1), employer="清洲清掃", end=True)
    assert figures(world, D(2007, 4, 1), D(2008, 3, 31))[prog.pk]["achieved"] == 1

    unwilling = person(world, "清洲 指導")
    e3 = take_part(world, prog, unwilling, D(2007, 4, 2))
    interview(unwilling, D(2007, 4, 2), will=False)
    assert W.route_state(e3, D(2007, 4, 2)).suggestion.route == "general"  # advise first
    WS.work_advice_record(actor=cw(world), person=unwilling, on=D(2007, 4, 10),
                          kind="office_interview", text="就労の必要性と保護の趣旨を説明")
    interview(unwilling, D(2007, 6, 1), will=False)
    assert W.route_state(e3, D(2007, 6, 1)).suggestion.route == "guidance"


# ---------------------------------------------------------------- 5 伊賀

def test_iga_lecture_course_then_hand_over_to_the_employment_specialist(world):
    prog = program(world, "iga_mental_health")
    target = program(world, "ueda_employment", code="SHURO", name="就労支援専門員による支援")
    people = [person(world, f"伊賀{i}") for i in range(3)]
    enrolments = [take_part(world, prog, p, D(2007, 4, 10)) for p in people]
    course = A.series_create(actor=cw(world), program=prog, kind="lecture", title="生活心理学講座",
                             lecturer="臨床心理士（三重県こころの医療センター）",
                             venue="市役所会議室", starts_on=D(2007, 4, 20))
    for k in range(3):
        A.session_hold(actor=cw(world), series=course,
                       held_on=D(2007, 4, 20) + dt.timedelta(days=7 * k),
                       present=people)
    interview = prog.phases.get(name="受講後面談")
    for e in enrolments:
        P.enrollment_change_phase(actor=cw(world), enrollment=e, phase=interview,
                                  on=D(2007, 5, 15))
        visit(world, e.person, e, D(2007, 5, 16), "受講後の面談：意欲が高まった",
              kind="office_interview")
    P.enrollment_transfer(actor=cw(world), enrollment=enrolments[0], target_program=target,
                          on=D(2007, 6, 1))
    moved = Enrollment.objects.get(program=target, person=people[0])
    assert moved.moved_from == enrolments[0]


# ---------------------------------------------------------------- 6 大津

def test_otsu_53_eligible_and_5_taking_part_in_the_study_group(world):
    prog = program(world, "otsu_study_group")
    kids = [person(world, f"大津{i}", born=D(1992, 6, 1), school_grade="j3",
                   district="瀬田南" if i < 12 else "堅田") for i in range(53)]
    ledger = P.ledger_save(actor=cw(world), program=prog, as_of=D(2007, 4, 20))
    assert ledger.entries.count() == 53
    series = A.series_create(actor=cw(world), program=prog, kind="study_group", title="中3学習会",
                             venue="瀬田南市民センター", schedule="毎週1回・無料",
                             starts_on=D(2007, 6, 1), districts=["瀬田南"])
    assert series.budget_yen == 200_000
    south = [k for k in kids if k.household is not None and k.household.district == "瀬田南"]
    # The city's 53 and the 12 of the area the study group recruits in: two figures.
    reach = selectors.series_reach(series, D(2007, 5, 10))
    assert (reach.eligible, reach.in_area) == (53, 12)
    assert set(selectors.series_eligible(series, D(2007, 5, 10))) == set(south)
    invites = A.recruitment_invite(actor=cw(world), series=series, people=south,
                                   invited_on=D(2007, 5, 10))
    joined = south[:5]
    for k in joined:
        take_part(world, prog, k, D(2007, 6, 1))
    for r in invites:
        A.recruitment_answer(actor=cw(world), recruitment=r,
                             status="joined" if r.person in joined else "declined")
    student = A.volunteer_add(actor=cw(world), series=series, name="龍谷 学生",
                              kind="university_student", affiliation="龍谷大学")
    minsei = A.volunteer_add(actor=cw(world), series=series, name="民生 委員",
                             kind="minsei_iin", affiliation="民生委員協議会")
    for week in range(4):
        A.session_hold(actor=cw(world), series=series, held_on=D(2007, 6, 7 + 7 * week),
                       volunteers=[student, minsei], present=joined)
    A.expense_record(actor=cw(world), series=series, spent_on=D(2007, 6, 1), item="教材",
                     amount_yen=120_000)
    with pytest.raises(ValidationFailed):
        A.expense_record(actor=cw(world), series=series, spent_on=D(2007, 9, 1), item="模試",
                         amount_yen=90_000)
    row = figures(world, D(2007, 4, 1), D(2008, 3, 31))[prog.pk]
    assert (row["eligible"], row["participants"]) == (53, 5)
    # A child of a single-parent household not on assistance joins too.
    outsider = A.person_register_and_enrol(
        actor=cw(world), program=prog, on=D(2007, 6, 10),
        data={"name": "一人 親子", "kana": "ひとり おやこ", "birth_date": D(1992, 9, 1),
              "sex": "female", "school_grade": "j3"})
    assert outsider.person.household is None and outsider.status == "candidate"
    e = Enrollment.objects.get(person=joined[0], program=prog)
    outcome(world, e, "high_school", D(2008, 3, 20), school_name="県立瀬田高校", end=True)


# ---------------------------------------------------------------- 7 山城北

def test_yamashiro_six_selected_four_taking_part(world):
    prog = program(world, "yamashiro_daily_life")
    people = [person(world, f"山城{i}", born=D(1940, 1, 1)) for i in range(6)]
    P.conference_create(actor=cw(world), kind="daily_life_review", held_on=D(2007, 5, 10),
                        title="日常生活支援検討会", program=prog,
                        decisions=[{"person": p, "decision": "select"} for p in people])
    cooking = prog.menus.get(name="調理")
    for p in people[:4]:
        e = Enrollment.objects.get(person=p, program=prog)
        consent(world, p, prog, D(2007, 5, 20))
        P.enrollment_start(actor=cw(world), enrollment=e, on=D(2007, 6, 1), menus=[cooking],
                           lead_staff=world.support_staff)
    row = figures(world, D(2007, 5, 1), D(2007, 12, 31))[prog.pk]
    assert (row["eligible"], row["participants"]) == (6, 4)


# ---------------------------------------------------------------- 8 五條

def test_gojo_monthly_checks_and_a_follow_up_one_month_after_discharge(world):
    prog = program(world, "gojo_discharge")
    hospital = t.make_partner(world.office, K.PSYCHIATRIC_HOSPITAL, "五條病院")
    p = inpatient(world, "五條 花子", D(2004, 4, 1), hospital)
    P.nomination_record(actor=cw(world), program=prog, person=p, source="doctor",
                        nominated_by="主治医", nominated_on=D(2007, 4, 5), partner=hospital)
    P.conference_create(actor=cw(world), kind="internal", held_on=D(2007, 4, 20),
                        title="支援対象者の決定（委託医・相談員・SV・CW）", program=prog,
                        decisions=[{"person": p, "decision": "select"}])
    e = Enrollment.objects.get(person=p, program=prog)
    consent(world, p, prog, D(2007, 4, 25))
    P.conference_create(actor=cw(world), kind="agencies", held_on=D(2007, 5, 1),
                        title="関係機関会議", program=prog,
                        attendees=[{"name": "五條 兄", "is_family": True},
                                   {"name": "主治医", "partner": hospital}],
                        decisions=[{"person": p, "decision": "start"}])
    e.refresh_from_db()
    assert e.status == "active"
    P.review_create(actor=cw(world), enrollment=e, reviewed_on=D(2007, 6, 1),
                    evaluation="外泊訓練が順調", decision="continue")
    assert e.reviews.get().next_due_on == D(2007, 7, 1)  # monthly
    outcome(world, e, "discharge", D(2007, 7, 10), destination="apartment")
    due = selectors.discharge_follow_ups(world.office, today=D(2007, 8, 20))
    assert [(f.due_on, f.done_on, f.overdue) for f in due] == [(D(2007, 8, 10), None, True)]
    visit(world, p, e, D(2007, 8, 21), "退院後の生活状況を確認。服薬できている。",
          life_check="settled")
    assert selectors.discharge_follow_ups(world.office, today=D(2007, 8, 22))[0].done_on == \
        D(2007, 8, 21)


# ---------------------------------------------------------------- 9 尼崎

def test_amagasaki_family_asked_and_a_receiving_place_found(world):
    prog = program(world, "amagasaki_discharge")
    long_stay = inpatient(world, "尼崎 長期", D(1998, 4, 1))
    inpatient(world, "尼崎 短期", D(2007, 1, 1))
    ledger = P.ledger_save(actor=cw(world), program=prog, as_of=D(2007, 4, 1))
    assert [e.person for e in ledger.entries.all()] == [long_stay]
    e = take_part(world, prog, long_stay, D(2007, 4, 15))
    brother = A.family_contact_add(actor=cw(world), person=long_stay, name="尼崎 兄",
                                   relationship="兄")
    ask = A.family_request_record(actor=cw(world), contact=brother, ask="take_in",
                                  asked_on=D(2007, 5, 1), enrollment=e)
    A.family_request_answer(actor=cw(world), request=ask, answer="declined",
                            answered_on=D(2007, 5, 10), note="住居が狭く引き取りは困難")
    A.family_request_record(actor=cw(world), contact=brother, ask="facility",
                            asked_on=D(2007, 5, 10), enrollment=e)
    gh = t.make_partner(world.office, K.GROUP_HOME, "GHあまがさき", capacity=1)
    relief = t.make_partner(world.office, K.RELIEF_FACILITY, "救護施設 尼崎寮", capacity=50)
    other = take_part(world, prog, inpatient(world, "尼崎 先客", D(1999, 1, 1)), D(2007, 4, 15))
    A.receiving_request_answer(actor=cw(world), request=A.receiving_request_make(
        actor=cw(world), enrollment=other, facility=gh, requested_on=D(2007, 5, 1)),
        status="accepted", answered_on=D(2007, 5, 5))
    r_gh = A.receiving_request_make(actor=cw(world), enrollment=e, facility=gh,
                                    requested_on=D(2007, 5, 15))
    with pytest.raises(ValidationFailed):
        A.receiving_request_answer(actor=cw(world), request=r_gh, status="accepted",
                                   answered_on=D(2007, 5, 20))
    r_relief = A.receiving_request_make(actor=cw(world), enrollment=e, facility=relief,
                                        requested_on=D(2007, 5, 15))
    A.receiving_request_answer(actor=cw(world), request=r_relief, status="accepted",
                               answered_on=D(2007, 6, 1))
    outcome(world, e, "discharge", D(2007, 7, 1), destination="relief_facility", end=True)
    row = figures(world, D(2007, 4, 1), D(2008, 3, 31))[prog.pk]
    assert row["achieved"] == 1


# ---------------------------------------------------------------- 10 伊丹

def test_itami_workplace_training_within_its_limits(world):
    prog = program(world, "itami_workplace_training")
    factory = t.make_partner(world.office, K.EMPLOYER, "伊丹金属工業")
    employer = A.training_employer_approve(actor=mgr(world), partner=factory,
                                           approved_on=D(2007, 3, 1), work_offered="部品検品")
    p = person(world, "伊丹 訓練")
    e = take_part(world, prog, p, D(2007, 4, 1))
    placement = A.training_placement_start(actor=cw(world), enrollment=e, employer=employer,
                                           visited_on=D(2007, 4, 3), starts_on=D(2007, 4, 9))
    assert placement.ends_on == D(2007, 10, 8)
    A.training_day_record(actor=cw(world), placement=placement, day=D(2007, 4, 9), hours=3)
    day = D(2007, 5, 1)
    recorded = 0
    while recorded < 20:
        if day.weekday() < 5:
            A.training_day_record(actor=cw(world), placement=placement, day=day, hours=4)
            recorded += 1
        day += dt.timedelta(days=1)
    with pytest.raises(ValidationFailed, match="1か月20日まで"):
        A.training_day_record(actor=cw(world), placement=placement, day=D(2007, 5, 31), hours=2)
    with pytest.raises(ValidationFailed, match="1日4時間以内"):
        A.training_day_record(actor=cw(world), placement=placement, day=D(2007, 6, 1), hours=5)
    A.training_month_status(actor=cw(world), placement=placement, month=D(2007, 5, 1),
                            assessment="作業が安定", decision="extend")
    with pytest.raises(ValidationFailed, match="最長12か月"):
        A.training_placement_extend(actor=mgr(world), placement=placement, until=D(2008, 6, 1),
                                    approved_on=D(2007, 9, 20),
                                    expected_version=placement.version)
    A.training_placement_extend(actor=mgr(world), placement=placement, until=D(2008, 1, 31),
                                approved_on=D(2007, 9, 20), expected_version=placement.version)
    A.training_placement_end(actor=cw(world), placement=placement, ended_on=D(2008, 1, 31),
                             follow_up="employed_here", follow_up_note="パートで採用",
                             expected_version=placement.version)
    outcome(world, e, "employment_start", D(2008, 2, 1), employer="伊丹金属工業", end=True)
    assert TrainingPlacement.objects.get().follow_up == "employed_here"


# ---------------------------------------------------------------- 11 加西

def test_kasai_two_people_in_volunteer_placements_from_august(world):
    prog = program(world, "kasai_social_participation")
    school = t.make_partner(world.office, K.SCHOOL, "加西市立小学校")
    for i in range(2):
        e = take_part(world, prog, person(world, f"加西{i}", born=D(1955, 1, 1)), D(2006, 8, 1))
        A.volunteer_placement_start(actor=cw(world), enrollment=e, host=school,
                                    activity="小学生の見守りボランティア", started_on=D(2006, 8, 20))
    row = figures(world, D(2006, 8, 1), D(2006, 12, 31))[prog.pk]
    assert row["participants"] == 2
    assert prog.standard_length_months == 12


# ---------------------------------------------------------------- 12 和歌山

def test_wakayama_the_centre_for_the_persons_area_and_three_party_consent(world):
    prog = program(world, "wakayama_discharge")
    centres = {name: t.make_partner(world.office, K.LIFE_SUPPORT_CENTRE, name, operator=op,
                                    areas=areas)
               for name, op, areas in (
                   ("和歌山生活支援センター", "（福）一麦会", ["和歌山市", "海草"]),
                   ("紀の川・岩出生活支援センター", "（福）一麦会", ["那賀", "伊都"]),
                   ("紀南障害者地域生活支援センター", "（福）やおき福祉会", ["西牟婁", "東牟婁"]))}
    hospital = t.make_partner(world.office, K.PSYCHIATRIC_HOSPITAL, "紀南病院")
    p = inpatient(world, "和歌山 長期", D(2003, 1, 1), hospital)
    assert p.household is not None
    p.household.district = "西牟婁"
    p.household.save()
    ledger = P.ledger_save(actor=cw(world), program=prog, as_of=D(2007, 4, 1),
                           title="別紙1 計画表")
    assert ledger.entries.count() == 1
    centre = selectors.suggest_centres(p)
    assert centre == [centres["紀南障害者地域生活支援センター"]]
    e = P.enrollment_create(actor=cw(world), person=p, program=prog, on=D(2007, 4, 10))
    consent(world, p, prog, D(2007, 5, 1),
            grants=[(hospital, ["health"]), (centre[0], ["basic", "health", "records"])])
    P.enrollment_start(actor=cw(world), enrollment=e, on=D(2007, 5, 1))
    rec = visit(world, p, e, D(2007, 6, 1), "別紙2 記録表：センター職員と病院訪問",
                kind="agency_contact")
    assert rec.enrollment == e


# ---------------------------------------------------------------- 13 出雲

def test_izumo_16_took_part_and_5_were_discharged(world):
    prog = program(world, "izumo_discharge")
    hospital = t.make_partner(world.office, K.PSYCHIATRIC_HOSPITAL, "出雲病院")
    people = [inpatient(world, f"出雲{i}", D(2006, 1, 1), hospital) for i in range(16)]
    recent = inpatient(world, "出雲 新入院", D(2007, 3, 1), hospital)
    ledger = P.ledger_save(actor=cw(world), program=prog, as_of=D(2007, 4, 1))
    assert recent not in {e.person for e in ledger.entries.all()}  # under 3 months
    P.conference_create(actor=cw(world), kind="network", held_on=D(2007, 4, 10),
                        title="退院支援ネットワーク会議", program=prog,
                        attendees=[{"name": "出雲病院 PSW", "partner": hospital}],
                        decisions=[{"person": p, "decision": "select"} for p in people])
    training, placing, after = prog.phases.order_by("order")
    enrolments = []
    for p in people:
        e = Enrollment.objects.get(person=p, program=prog)
        consent(world, p, prog, D(2007, 4, 15))
        enrolments.append(P.enrollment_start(actor=cw(world), enrollment=e, on=D(2007, 4, 20)))
    assert all(e.phase == training for e in enrolments)
    for e, dest in zip(enrolments, ["home", "apartment", "group_home", "facility", "facility"],
                       strict=False):
        P.enrollment_change_phase(actor=cw(world), enrollment=e, phase=placing, on=D(2007, 7, 1))
        outcome(world, e, "discharge", D(2007, 9, 1), destination=dest)
        P.enrollment_change_phase(actor=cw(world), enrollment=e, phase=after, on=D(2007, 9, 1))
    row = figures(world, D(2007, 4, 1), D(2007, 12, 31))[prog.pk]
    assert row["participants"] == 16
    assert {o["key"]: o["n"] for o in row["outcomes_by_kind"]} == {"discharge": 5}
    assert destinations(row) == {"home": 1, "apartment": 1, "group_home": 1, "facility": 2}


# ---------------------------------------------------------------- 14 竹原

def test_takehara_table_of_three_programs_and_the_yearly_cycle(world):
    discharge = program(world, "takehara_discharge", code="T2")
    employment = program(world, "takehara_employment", code="T1")
    home = program(world, "takehara_home_life", code="T3")
    workers = [person(world, f"竹原就労{i}") for i in range(6)]
    for i, p in enumerate(workers):
        Disability.objects.create(person=p, kind="mental")
        e = take_part(world, employment, p, D(2007, 4, 10))
        if i < 4:
            outcome(world, e, "employment_start", D(2007, 10, 1), employer="竹原製作所", end=True)
    patient = inpatient(world, "竹原 入院", D(2002, 1, 1))
    P.enrollment_create(actor=cw(world), person=patient, program=discharge, on=D(2007, 11, 15))
    report = office_report(world.office, Period.between(D(2007, 4, 1), D(2007, 12, 31)))
    assert takehara_rows(report) == [
        ["竹原市精神障害者就労支援プログラム", "平成18年9月", 6, 4],
        ["竹原市精神障害者退院支援プログラム", "平成19年10月", 1, 0],
        ["竹原市在宅生活支援プログラム", "平成19年10月", 0, 0],
    ]
    assert home.enrollments.count() == 0
    # The next fiscal year's cycle: ledger due 31 May, surveys 1 June – 30 November.
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 5, 25))
    assert [(x.code, x.state) for x in cycle["tasks"]][0] == ("ledger", "due_soon")
    assert cycle["reminders"][0].code == "ledger"
    ledger = P.ledger_save(actor=cw(world), program=discharge, as_of=D(2008, 4, 1))
    ScreeningLedger.objects.filter(pk=ledger.pk).update(  # drawn up in May, as the seed asks
        created_at=dt.datetime(2008, 5, 26, 9, tzinfo=clock.JAPAN))
    # The office says which day it means by 「11月31日」 (事務所の設定).
    Office.objects.filter(pk=world.office.pk).update(survey_period_ends="11-30")
    discharge.office.refresh_from_db()
    A.cycle_task_record(actor=cw(world), program=discharge, person=patient,
                        task="condition_survey", on=D(2008, 6, 10), text="主治医から聞き取り")
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 11, 20))
    states = {x.code: (x.state, x.done, x.total) for x in cycle["tasks"]}
    assert states["ledger"] == ("done", 1, 1)
    assert states["condition_survey"] == ("done", 1, 1)
    assert states["doctor_consultation"] == ("due_soon", 0, 1)
    targets = {tg.fiscal_year_to: (tg.metric, tg.value) for tg in discharge.targets.all()}
    assert targets == {2011: ("reduction", 5), 2012: ("reduction", 6)}


# ---------------------------------------------------------------- 15 善通寺

def test_zentsuji_new_case_offered_at_once_evaluated_at_three_months(world):
    prog = program(world, "zentsuji_employment")
    today = D(2007, 6, 5)
    hh = t.make_household(world.office, caseworker=world.caseworker,
                          assistance_started_on=D(2007, 6, 1))
    new = t.make_person(world.office, household=hh, name="善通寺 新規", kana="ぜんつうじ",
                        birth_date=D(1975, 1, 1))
    wants_to_work(new, D(2007, 6, 2))  # 「就労意欲を有する者であれば、年齢は問わない」
    assert list(selectors.new_cases_not_considered(world.office, prog, today=today)) == [new]
    e = P.enrollment_create(actor=cw(world), person=new, program=prog, on=today)
    assert not selectors.new_cases_not_considered(world.office, prog, today=today).exists()
    consent(world, new, prog, D(2007, 6, 6))
    P.enrollment_start(actor=cw(world), enrollment=e, on=D(2007, 6, 8),
                       lead_staff=world.support_staff)
    visit(world, new, e, D(2007, 6, 8), "第1回面接：就労支援開始", kind="office_interview")
    visit(world, new, e, D(2007, 7, 1), "ハローワークに同行", kind="accompany_hello_work")
    # 「課長・課長補佐・査察指導員及び就労支援員と協議し、支援を継続するか中断するかを決定」
    shuro = t.make_user(world.office, "support_staff", username="shuro_z",
                        display_name="就労 支援員",
                        profession=Membership.Profession.EMPLOYMENT_SUPPORT)
    group = [{"user": world.manager}, {"user": world.supervisor}, {"user": shuro}]
    meeting = P.conference_create(actor=cw(world), kind="case_diagnosis", held_on=D(2007, 9, 7),
                                  title="ケース診断会議（3か月評価）", program=prog,
                                  attendees=group)
    P.review_create(actor=cw(world), enrollment=e, reviewed_on=D(2007, 9, 8),
                    evaluation="求職中。意欲あり。", decision="continue", conference=meeting)
    assert e.reviews.get().next_due_on == D(2007, 12, 8)  # 3 more months
    request = outcome(world, e, "employment_start", D(2007, 11, 1), employer="善通寺食品",
                      end=True)
    assert isinstance(request, ApprovalRequest)  # employment is recorded on 決裁
    while request.status == "pending":
        step = request.steps[request.current_step]
        approver = world.supervisor if step == "supervisor" else world.manager
        P.approval_decide(actor=world.m(approver), request=request, approve=True)
        request.refresh_from_db()
    e.refresh_from_db()
    assert (e.status, e.end_reason, e.outcomes.get().employer) == ("ended", "achieved",
                                                                    "善通寺食品")
    other = person(world, "善通寺 中断")
    e2 = take_part(world, prog, other, D(2007, 6, 1))
    P.conference_create(actor=cw(world), kind="case_diagnosis", held_on=D(2007, 9, 1),
                        title="ケース診断会議", program=prog, attendees=group,
                        decisions=[{"person": other, "decision": "end", "end_reason": "stopped",
                                    "reason": "現段階では就労が困難"}])
    e2.refresh_from_db()
    assert (e2.status, e2.end_reason) == ("ended", "stopped")
    again = P.enrollment_create(actor=cw(world), person=other, program=prog, on=D(2008, 1, 10))
    assert again.pk != e2.pk and again.status == "candidate"


def test_every_template_has_a_replay():
    from jiritsu.activities import catalog

    names = {n for n in globals() if n.startswith("test_")}
    prefixes = {t.code.split("_")[0] for t in catalog.TEMPLATES}
    assert all(any(n.startswith(f"test_{p}") for n in names) for p in prefixes)

