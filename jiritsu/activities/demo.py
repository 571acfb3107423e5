"""The fifteen seed programs running in the demo office, with people in them.

``populate_demo_programs`` instantiates every template (and 竹原's two companion
programs) through the template service, then fills each program with enrolments in
every state, plans, records, reviews, outcomes and the program's own rows (training
days, study-group sessions, Hello Work referrals, health tracks …). Everything is
deterministic for a seed and written with ``bulk_create`` so it takes a few seconds.

Size (over 600 lines): the stages of filling the fifteen programs (enrolments, their
records, each program's own rows) share the plan and the generator above them; the split
would be one module per family of programs (employment, discharge, groups) under
``activities/demo/``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q

from jiritsu.activities import demo_kiyosu
from jiritsu.activities.models import (
    FamilyContact,
    FamilyRequest,
    GroupSession,
    HealthTrack,
    HelloWorkReferral,
    ReceivingRequest,
    Recruitment,
    SeriesExpense,
    SessionAttendance,
    SessionSeries,
    TrainingDay,
    TrainingEmployer,
    TrainingMonthlyStatus,
    TrainingPlacement,
    Volunteer,
    VolunteerPlacement,
)
from jiritsu.activities.services import program_instantiate_template
from jiritsu.cases.models import (
    ActivityRecord,
    Conference,
    ConferenceResult,
    Enrollment,
    EnrollmentEvent,
    Outcome,
    Plan,
    PlanCommitment,
    PlanGoal,
    Review,
)
from jiritsu.cases.next_review import refresh
from jiritsu.core import clock
from jiritsu.core.kana import search_key
from jiritsu.core.wareki import add_months, fiscal_year_of
from jiritsu.offices.models import Membership, Office, PartnerOrganisation, User
from jiritsu.people.models import Person
from jiritsu.programs.models import LedgerEntry, Program, ScreeningLedger

S = Enrollment.Status
# (template, how many people, pool) — pools are filled from the caseload below.
PLAN: list[tuple[str, int, str]] = [
    ("fukui_health", 8, "elderly"),
    ("koshu_disability_work", 8, "disabled"),
    ("ueda_employment", 12, "working"),
    ("kiyosu_work_capacity", 12, "working"),
    ("iga_mental_health", 8, "working"),
    ("otsu_study_group", 0, "j3"),
    ("yamashiro_daily_life", 6, "elderly"),
    ("gojo_discharge", 5, "psych"),
    ("amagasaki_discharge", 5, "psych"),
    ("itami_workplace_training", 6, "working"),
    ("kasai_social_participation", 4, "working"),
    ("wakayama_discharge", 4, "psych"),
    ("izumo_discharge", 6, "psych"),
    ("takehara_discharge", 4, "psych"),
    ("zentsuji_employment", 10, "working"),
    ("takehara_employment", 4, "working"),
    ("takehara_home_life", 2, "elderly"),
]
# Adjustments of the templates for the demo office (none today: 大津's southern area is the
# study group's 募集地域, set on the series below with みなと市's districts).
DEMO_OVERRIDES: dict[str, dict[str, Any]] = {}
# The mix of states each program's people end up in, in order.
STATES = ["active", "active", "ended_achieved", "active", "selected", "ended_stopped",
          "candidate", "active", "ended_achieved", "active", "selected", "ended_stopped"]


def _started(e: Enrollment) -> dt.date:
    """The start of an episode that has started (the callers filter on it)."""
    assert e.started_on is not None
    return e.started_on


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=clock.JAPAN)


def _pools(office: Office, today: dt.date) -> dict[str, list[Person]]:
    people = (Person.objects.filter(office=office, household__isnull=False,
                                    household__assistance_ended_on__isnull=True)
              .order_by("id").only("id", "name", "birth_date", "school_grade", "household_id",
                                   "employment_status"))
    psych_ids = set(Person.objects.filter(
        office=office, hospital_stays__psychiatric=True,
        hospital_stays__discharged_on__isnull=True).values_list("id", flat=True))
    disabled_ids = set(Person.objects.filter(office=office, disabilities__isnull=False)
                       .values_list("id", flat=True))
    pools: dict[str, list[Person]] = {"psych": [], "disabled": [], "working": [], "elderly": [],
                                      "j3": []}
    for p in people:
        age = today.year - p.birth_date.year
        if p.pk in psych_ids:
            pools["psych"].append(p)
        elif p.school_grade == Person.SchoolGrade.J3:
            pools["j3"].append(p)
        elif p.pk in disabled_ids and 18 <= age < 65:
            pools["disabled"].append(p)
        elif 18 <= age < 65 and p.employment_status in ("not_working", "job_seeking"):
            pools["working"].append(p)
        elif age >= 65:
            pools["elderly"].append(p)
    return pools


def populate_demo_programs(office: Office, *, seed: int, today: dt.date | None = None
                           ) -> dict[str, Program]:
    """Instantiate the fifteen seed programs (+ 竹原's companions) and fill them."""
    today = today or clock.today()
    rng = random.Random(seed * 7 + 15)
    manager = Membership.objects.select_related("user", "office").filter(
        office=office, role=Membership.Role.MANAGER, is_active=True).first()
    if manager is None:
        raise ValueError("The demo office needs a manager to create programs.")
    staff = {m.role + ":" + (m.profession or ""): m.user for m in
             Membership.objects.filter(office=office, is_active=True).select_related("user")}
    cw_default = next(u for k, u in staff.items() if k.startswith("caseworker"))
    partners = {p.kind: p for p in PartnerOrganisation.objects.filter(office=office)
                .order_by("id")}
    _ensure_partners(office, partners)
    programs: dict[str, Program] = {}
    for code, _, _ in PLAN:
        programs[code] = program_instantiate_template(actor=manager, template_code=code,
                                                      overrides=DEMO_OVERRIDES.get(code, {}))
    pools = _pools(office, today)
    used: set[int] = set()
    enrolments: dict[str, list[Enrollment]] = {}
    rows: list[Enrollment] = []
    phases = {p.pk: list(p.phases.all()) for p in programs.values()}
    meta: list[tuple[str, str]] = []
    for code, n, pool in PLAN:
        program = programs[code]
        version = program.versions.order_by("-number").first()
        candidates = [p for p in pools[pool] if p.pk not in used]
        rng.shuffle(candidates)
        # A small caseload runs out of people: then some take part in two programs.
        candidates += [p for p in pools[pool] if p.pk in used]
        for i, person in enumerate(candidates[:n]):
            used.add(person.pk)
            state = STATES[i % len(STATES)]
            rows.append(_enrollment(office, program, version, person, state, today, rng,
                                    phases[program.pk]))
            meta.append((code, state))
    otsu = programs["otsu_study_group"]
    otsu_people = _otsu_people(office, pools["j3"], today)
    otsu_version = otsu.versions.order_by("-number").first()
    for i, person in enumerate(otsu_people):
        state = "active" if i < 5 else "candidate"
        rows.append(_enrollment(office, otsu, otsu_version, person, state, today, rng, []))
        meta.append(("otsu_study_group", state))
    rows = Enrollment.objects.bulk_create(rows)
    for e, (code, _) in zip(rows, meta, strict=True):
        enrolments.setdefault(code, []).append(e)
    _events(rows, manager.user)
    _records_reviews_outcomes(rows, programs, staff, cw_default, today, rng)
    _features(office, programs, enrolments, partners, staff, manager.user, cw_default, today,
              rng)
    # bulk_create sends no signals: store the next review date of the new episodes.
    refresh(e.pk for e in rows)
    return programs


def _ensure_partners(office: Office, partners: dict[str, PartnerOrganisation]) -> None:
    """The demo office's partner list plus what the seed programs need (employers, GH …)."""
    K = PartnerOrganisation.Kind
    wanted = [
        (K.EMPLOYER, "みなと物流センター株式会社", [], 3),
        (K.SCHOOL, "みなと市立港小学校", ["港地区"], None),
        (K.FACILITY, "特別養護老人ホーム しおさい", [], 80),
        (K.CONTRACTOR, "相談支援事業所 みなと退院支援室", [], None),
        (K.OTHER, "みなと市民センター", ["南地区"], None),
    ]
    existing = set(PartnerOrganisation.objects.filter(office=office).values_list("name",
                                                                                 flat=True))
    new = [PartnerOrganisation(office=office, kind=k, name=n, areas=a, capacity=c)
           for k, n, a, c in wanted if n not in existing]
    for p in PartnerOrganisation.objects.bulk_create(new):
        partners.setdefault(p.kind, p)
        partners[f"{p.kind}:2"] = p


def _otsu_people(office: Office, j3: list[Person], today: dt.date) -> list[Person]:
    """大津: the office's 中学3年 children plus two from single-parent households not on
    assistance (registered without a household)."""
    birth = dt.date(today.year - 15, 6, 1)
    outsiders = Person.objects.bulk_create([
        Person(office=office, household=None, member_number=1, name=name, kana=kana,
               kana_key=search_key(kana), name_key=search_key(name), birth_date=birth, sex=sex,
               school_grade=Person.SchoolGrade.J3, school_name="みなと市立港中学校",
               single_parent=True, note="保護は受けていない")
        for name, kana, sex in (("港 さくら", "みなと さくら", "female"),
                                ("浜田 翔", "はまだ しょう", "male"))])
    return [*outsiders, *j3[:8]]


def _enrollment(office: Office, program: Program, version: Any, person: Person, state: str,
                today: dt.date, rng: random.Random, phases: list[Any]) -> Enrollment:
    started = today - dt.timedelta(days=rng.randint(40, 300))
    candidate = started - dt.timedelta(days=rng.randint(7, 40))
    e = Enrollment(office=office, person=person, program=program, program_version=version,
                   candidate_on=candidate)
    if state == "candidate":
        e.status = S.CANDIDATE
        e.candidate_on = today - dt.timedelta(days=rng.randint(1, 20))
        return e
    e.selected_on = candidate + dt.timedelta(days=5)
    if state == "selected":
        e.status = S.SELECTED
        return e
    e.started_on = started
    if program.standard_length_months:
        e.planned_end_on = add_months(started, program.standard_length_months)
    if phases:
        e.phase = phases[min(len(phases) - 1, rng.randint(0, len(phases) - 1))]
    if state == "active":
        e.status = S.ACTIVE
        return e
    e.status = S.ENDED
    e.ended_on = min(today - dt.timedelta(days=rng.randint(1, 30)),
                     started + dt.timedelta(days=rng.randint(30, 200)))
    e.end_reason = (Enrollment.EndReason.ACHIEVED if state == "ended_achieved"
                    else Enrollment.EndReason.STOPPED)
    return e


def _events(rows: Iterable[Enrollment], actor: User) -> None:
    events = []
    for e in rows:
        events.append(EnrollmentEvent(enrollment=e, occurred_on=e.candidate_on, to_status="candidate",
                                      action="create", actor=actor))
        if e.selected_on:
            events.append(EnrollmentEvent(enrollment=e, occurred_on=e.selected_on,
                                          from_status="candidate", to_status="selected",
                                          action="select", actor=actor))
        if e.started_on:
            events.append(EnrollmentEvent(enrollment=e, occurred_on=e.started_on,
                                          from_status="selected", to_status="active",
                                          action="start", phase=e.phase, actor=actor))
        if e.ended_on:
            events.append(EnrollmentEvent(enrollment=e, occurred_on=e.ended_on,
                                          from_status="active", to_status="ended",
                                          action="end", note=e.get_end_reason_display(),
                                          actor=actor))
    EnrollmentEvent.objects.bulk_create(events, batch_size=1000)


def _records_reviews_outcomes(rows: list[Enrollment], programs: dict[str, Program],
                              staff: dict[str, User], cw: User, today: dt.date,
                              rng: random.Random) -> None:
    by_code = {p.pk: code for code, p in programs.items()}
    outcome_types = {}
    for code, p in programs.items():
        outcome_types[code] = list(p.outcome_types.all())
    nurse = staff.get("support_staff:public_health_nurse", cw)
    dietitian = staff.get("support_staff:dietitian", cw)
    caseworker_of = dict(Person.objects.filter(pk__in=[e.person_id for e in rows])
                         .values_list("id", "household__caseworker_id"))
    records: list[ActivityRecord] = []
    reviews: list[Review] = []
    outcomes: list[Outcome] = []
    plans: list[Plan] = []
    destinations = ["home", "apartment", "group_home", "facility", "facility"]
    for e in rows:
        if not e.started_on:
            continue
        code = by_code[e.program_id]
        end = e.ended_on or today
        author_id = caseworker_of.get(e.person_id) or cw.pk
        n = max(1, (end - e.started_on).days // 30)
        sys0, w0 = rng.randint(135, 165), Decimal(rng.randint(550, 850)) / 10
        for k in range(min(n, 8)):
            day = e.started_on + dt.timedelta(days=k * 30 + rng.randint(0, 5))
            if day > end:
                break
            rec = ActivityRecord(office=e.office, person=e.person, enrollment=e,
                                 occurred_at=_aware(day, 10 + k % 6), author_id=author_id,
                                 kind=ActivityRecord.Kind.HOME_VISIT,
                                 text=f"{e.program.name}：{k + 1}回目の支援。", duration_minutes=45)
            if code == "fukui_health":
                rec.text = f"{'保健師' if k % 2 == 0 else '栄養士'}同行の家庭訪問。血圧測定と生活状況の聞き取り。"
                rec.systolic_bp = sys0 - k * rng.randint(1, 3)
                rec.diastolic_bp = rec.systolic_bp - rng.randint(45, 60)
                rec.weight_kg = w0 - Decimal(k) * Decimal("0.4")
                rec.data = {"accompanied_by": "public_health_nurse" if k % 2 == 0 else "dietitian"}
            elif code in ("ueda_employment", "zentsuji_employment", "kiyosu_work_capacity"):
                rec.kind = (ActivityRecord.Kind.ACCOMPANY_HELLO_WORK if k % 2 == 0
                            else ActivityRecord.Kind.JOB_SEARCH_REPORT)
                rec.text = ("ハローワークに同行し求人を検索。" if k % 2 == 0
                            else "求職活動状況報告書を受理。")
            records.append(rec)
        if code == "fukui_health":
            records[-1].staff_present_ids = [nurse.pk, dietitian.pk]  # type: ignore[attr-defined]
        interval = e.program.review_interval_months or 3
        review_day = add_months(e.started_on, interval)
        if review_day <= end:
            reviews.append(Review(enrollment=e, reviewed_on=review_day, reviewer_id=author_id,
                                  evaluation="計画に沿って支援を継続している。",
                                  decision=Review.Decision.CONTINUE,
                                  next_due_on=add_months(review_day, interval)))
        if code in ("kiyosu_work_capacity", "zentsuji_employment", "ueda_employment"):
            plans.append(Plan(enrollment=e, number=1, agreed_on=e.started_on,
                              target_start_on=add_months(e.started_on, 3),
                              policy="求職活動を継続し、3か月以内の就労開始を目指す。",
                              created_by_id=author_id))
        if e.end_reason == Enrollment.EndReason.ACHIEVED and outcome_types[code]:
            ot = outcome_types[code][0]
            o = Outcome(enrollment=e, outcome_type=ot, kind=ot.kind, occurred_on=e.ended_on or today,
                        recorded_by_id=author_id)
            if ot.kind == "discharge":
                o.destination = rng.choice(destinations)
                months = e.program.post_discharge_review_months
                check_day = add_months(o.occurred_on, months) if months else None
                if check_day is not None and check_day <= today:
                    # 退院後の確認: a visit that says how the person lives (one in three
                    # unsettled, so the consultation with the doctor is seen too).
                    unsettled = len(outcomes) % 3 == 1
                    records.append(ActivityRecord(
                        office=e.office, person=e.person, enrollment=e,
                        occurred_at=_aware(check_day, 14), author_id=author_id,
                        kind=ActivityRecord.Kind.HOME_VISIT, duration_minutes=40,
                        life_check=("unsettled" if unsettled else "settled"),
                        text=("退院後の生活状況を確認。夜間眠れず、不安の訴えが強い。"
                              if unsettled else "退院後の生活状況を確認。服薬・通院ができている。")))
            elif ot.kind in ("employment_start", "closed_by_work", "income_increase"):
                o.employer, o.job_kind = "みなと食品工業株式会社", "製造補助"
                o.monthly_income = rng.randint(60, 140) * 1000
            elif ot.kind == "high_school":
                o.school_name = "みなと県立港高等学校"
            outcomes.append(o)
    records = ActivityRecord.objects.bulk_create(records, batch_size=1000)
    through = ActivityRecord.staff_present.through
    through.objects.bulk_create([
        through(activityrecord_id=r.pk, user_id=uid) for r in records
        for uid in getattr(r, "staff_present_ids", [])])
    Review.objects.bulk_create(reviews, batch_size=1000)
    Outcome.objects.bulk_create(outcomes, batch_size=1000)
    plans = Plan.objects.bulk_create(plans)
    PlanGoal.objects.bulk_create([PlanGoal(plan=p, order=1, text="ハローワークで週1回以上求職する",
                                           target_on=p.target_start_on) for p in plans])
    PlanCommitment.objects.bulk_create([
        PlanCommitment(plan=p, kind=PlanCommitment.Kind.JOB_SEARCH_REPORT,
                       text="毎月末までに求職活動状況報告書を提出", quantity=2,
                       per=PlanCommitment.Per.MONTH) for p in plans])


def _features(office: Office, programs: dict[str, Program],
              enrolments: dict[str, list[Enrollment]], partners: dict[str, Any],
              staff: dict[str, User], manager: User, cw: User, today: dt.date,
              rng: random.Random) -> None:
    K = PartnerOrganisation.Kind
    started = [e for e in enrolments.get("itami_workplace_training", []) if e.started_on]
    # 伊丹: two approved employers, placements with daily attendance under the limits.
    employers = TrainingEmployer.objects.bulk_create([
        TrainingEmployer(office=office, partner=p, approved_on=today - dt.timedelta(days=400),
                         approved_by=manager, work_offered=w)
        for p, w in ((partners[K.EMPLOYER], "食品の箱詰め・検品"),
                     (partners.get(f"{K.EMPLOYER}:2", partners[K.EMPLOYER]), "倉庫内の仕分け"))
        if not TrainingEmployer.objects.filter(partner=p).exists()])
    placements = []
    for i, e in enumerate(started):
        start = _started(e) + dt.timedelta(days=14)
        p = TrainingPlacement(office=office, enrollment=e, employer=employers[i % len(employers)],
                              visited_on=_started(e) + dt.timedelta(days=3), starts_on=start,
                              ends_on=add_months(start, 6) - dt.timedelta(days=1),
                              duties="箱詰め・検品", created_by=cw)
        if e.status == S.ENDED:
            p.status, p.ended_on = TrainingPlacement.Status.ENDED, e.ended_on
            p.follow_up = ("employed_here" if e.end_reason == "achieved" else "job_search")
        elif i == 0:
            p.ends_on = add_months(start, 9) - dt.timedelta(days=1)
            p.extended_by, p.extended_on = manager, add_months(start, 5)
        placements.append(p)
    placements = TrainingPlacement.objects.bulk_create(placements)
    days, monthly = [], []
    for p in placements:
        last = min(p.ended_on or today, today, p.ends_on)
        d, per_month = p.starts_on, dict[dt.date, int]()
        while d <= last:
            m = d.replace(day=1)
            if d.weekday() < 5 and per_month.get(m, 0) < 16:
                per_month[m] = per_month.get(m, 0) + 1
                days.append(TrainingDay(placement=p, day=d, hours=Decimal(rng.choice([3, 3.5, 4])),
                                        recorded_by=cw))
            d += dt.timedelta(days=1)
        for m in per_month:
            if add_months(m, 1) <= today:
                monthly.append(TrainingMonthlyStatus(placement=p, month=m, recorded_by=cw,
                                                     assessment="遅刻・欠勤なく訓練に参加。作業にも慣れてきた。",
                                                     decision="continue"))
    TrainingDay.objects.bulk_create(days, batch_size=2000)
    TrainingMonthlyStatus.objects.bulk_create(monthly)

    # 大津: the study group with volunteers, weekly sessions, attendance and expenses.
    otsu = programs["otsu_study_group"]
    fy_start = dt.date(fiscal_year_of(today), 4, 1)
    series = SessionSeries.objects.create(
        office=office, program=otsu, kind=SessionSeries.Kind.STUDY_GROUP, title="中3学習会",
        venue="みなと市民センター（南地区）", schedule="毎週1回（木曜日 18時〜20時）・無料",
        starts_on=fy_start + dt.timedelta(days=30), budget_yen=200_000,
        districts=["南地区", "港地区"], created_by=cw)
    vols = Volunteer.objects.bulk_create([
        Volunteer(series=series, name=n, kind=k, affiliation=a) for n, k, a in (
            ("大学生ボランティア 1", "university_student", "みなと大学"),
            ("大学生ボランティア 2", "university_student", "みなと医科大学"),
            ("南地区 民生委員", "minsei_iin", "南地区民生委員協議会"))])
    joined = list(enrolments.get("otsu_study_group", []))
    Recruitment.objects.bulk_create([
        Recruitment(series=series, person=e.person, invited_on=series.starts_on - dt.timedelta(days=14),
                    status="joined" if e.status == S.ACTIVE else "invited",
                    enrollment=e if e.status == S.ACTIVE else None) for e in joined])
    sessions: list[GroupSession] = []
    d = series.starts_on
    while d <= today and len(sessions) < 30:
        sessions.append(GroupSession(series=series, held_on=d, venue=series.venue,
                                     topic=rng.choice(["数学", "英語", "国語", "理科", "社会"])))
        d += dt.timedelta(days=7)
    sessions = GroupSession.objects.bulk_create(sessions)
    GroupSession.volunteers.through.objects.bulk_create([
        GroupSession.volunteers.through(groupsession_id=s.pk, volunteer_id=v.pk)
        for s in sessions for v in vols if rng.random() < 0.7])
    SessionAttendance.objects.bulk_create([
        SessionAttendance(session=s, person=e.person, present=rng.random() < 0.85)
        for s in sessions for e in joined if e.status == S.ACTIVE])
    SeriesExpense.objects.bulk_create([
        SeriesExpense(series=series, spent_on=series.starts_on, item="問題集・参考書",
                      amount_yen=48_000, recorded_by=cw),
        SeriesExpense(series=series, spent_on=series.starts_on + dt.timedelta(days=60),
                      item="ボランティア交通費", amount_yen=36_000, recorded_by=cw)])

    # 上田: the Hello Work seminar as a series; 伊賀: the lecture course.
    for code, kind, title, lecturer in (
            ("ueda_employment", "seminar", "ハローワーク就労支援セミナー", "ハローワークみなと 就職支援ナビゲーター"),
            ("iga_mental_health", "lecture", "生活心理学講座", "臨床心理士・精神保健福祉士（みなと第二精神科病院）")):
        s = SessionSeries.objects.create(office=office, program=programs[code], kind=kind,
                                         title=title, venue="みなと市福祉事務所 会議室",
                                         lecturer=lecturer, schedule="月1回",
                                         starts_on=fy_start + dt.timedelta(days=20), budget_yen=0,
                                         created_by=cw)
        people = [e for e in enrolments.get(code, []) if e.status in (S.ACTIVE, S.ENDED)]
        held = GroupSession.objects.bulk_create([
            GroupSession(series=s, held_on=s.starts_on + dt.timedelta(days=30 * k),
                         venue=s.venue, lecturer=lecturer)
            for k in range(4) if s.starts_on + dt.timedelta(days=30 * k) <= today])
        SessionAttendance.objects.bulk_create([
            SessionAttendance(session=g, person=e.person, present=rng.random() < 0.8)
            for g in held for e in people])

    # 清洲: Hello Work referrals at different steps.
    hw = partners.get(K.HELLO_WORK)
    refs = []
    for i, e in enumerate(x for x in enrolments.get("kiyosu_work_capacity", []) if x.started_on):
        r = HelloWorkReferral(office=office, enrollment=e, hello_work=hw, created_by=cw,
                              consented_on=_started(e) + dt.timedelta(days=7))
        if i % 3 >= 1:
            r.form_a_on = r.consented_on + dt.timedelta(days=3)
            r.request_sent_on = r.consented_on + dt.timedelta(days=5)
            r.status = HelloWorkReferral.Status.REQUESTED
        if i % 3 == 2:
            r.interview_on = r.consented_on + dt.timedelta(days=15)
            r.interview_person_present = True
            r.menu = rng.choice(HelloWorkReferral.Menu.values)
            r.status = HelloWorkReferral.Status.SUPPORTING
        refs.append(r)
    demo_kiyosu.work_routes(office, enrolments.get("kiyosu_work_capacity", []), refs, cw, today)
    refs = HelloWorkReferral.objects.bulk_create(refs)
    demo_kiyosu.interview_attendees(office, [r for r in refs if r.interview_on], hw)

    # 福井: one of the four tracks for everyone taking part.
    tracks = []
    for i, e in enumerate(x for x in enrolments.get("fukui_health", []) if x.started_on):
        track = ["chronic", "withdrawn", "nutrition", "dementia"][i % 4]
        t = HealthTrack(office=office, enrollment=e, track=track, started_on=_started(e),
                        created_by=cw, living_environment="室内は概ね整理されている。",
                        health_state="自覚症状は少ない。", mental_state="一人暮らしで寂しさを訴える。")
        if track == "chronic":
            t.clinic_attendance, t.medication = "月1回内科に通院", "降圧剤を毎朝服薬"
            t.doctor_instructions = "塩分を控える。毎日歩く。"
        elif track == "withdrawn":
            t.withdrawal_reason, t.referral, t.referral_place = "physical", "bath", "町営入浴施設"
        elif track == "nutrition":
            t.preference_survey, t.menu_examples = "魚は好き、野菜は苦手", "野菜入り味噌汁・焼き魚"
            t.low_cost_food_info = "見切り品の活用、冷凍野菜の使い方"
        else:
            t.can_live_at_home, t.care_certification_applied_on = True, _started(e) + dt.timedelta(days=20)
        tracks.append(t)
    HealthTrack.objects.bulk_create(tracks)

    # 尼崎: family asked, receiving places asked.
    am = [e for e in enrolments.get("amagasaki_discharge", []) if e.status != S.CANDIDATE]
    contacts = FamilyContact.objects.bulk_create([
        FamilyContact(office=office, person=e.person, name=f"{e.person.name.split()[0]} 親族",
                      relationship=rng.choice(["兄", "姉", "妹", "長男"]), created_by=cw)
        for e in am])
    FamilyRequest.objects.bulk_create([
        FamilyRequest(contact=c, enrollment=e, asked_on=(e.started_on or e.candidate_on) + dt.timedelta(days=10),
                      ask=rng.choice(["take_in", "facility", "home_life"]),
                      answer=rng.choice(["pending", "agreed", "partly", "declined"]),
                      recorded_by=cw) for c, e in zip(contacts, am, strict=True)])
    facilities = list(PartnerOrganisation.objects.filter(
        office=office, kind__in=[K.RELIEF_FACILITY, K.GROUP_HOME]).order_by("id"))
    ReceivingRequest.objects.bulk_create([
        ReceivingRequest(office=office, enrollment=e, facility=facilities[i % len(facilities)],
                         requested_on=(e.started_on or e.candidate_on) + dt.timedelta(days=20),
                         status=["requested", "accepted", "waiting"][i % 3], recorded_by=cw)
        for i, e in enumerate(am)] if facilities else [])

    # 加西: volunteer placements (小学生の見守り).
    school = partners.get(K.SCHOOL)
    VolunteerPlacement.objects.bulk_create([
        VolunteerPlacement(office=office, enrollment=e, host=school, activity="小学生の登下校の見守り",
                           started_on=_started(e) + dt.timedelta(days=10), created_by=cw)
        for e in enrolments.get("kasai_social_participation", []) if e.started_on and school])

    # 竹原: this fiscal year's ledger of psychiatric inpatients as of 1 April.
    takehara = programs["takehara_discharge"]
    inpatients = list(Person.objects.filter(
        Q(hospital_stays__psychiatric=True) & Q(hospital_stays__admitted_on__lte=fy_start)
        & (Q(hospital_stays__discharged_on__isnull=True)
           | Q(hospital_stays__discharged_on__gt=fy_start)), office=office).distinct()[:12])
    if today >= dt.date(fy_start.year, 5, 1) and inpatients:
        ledger = ScreeningLedger.objects.create(
            office=office, program=takehara, title=f"{fy_start.year}年4月1日現在 支援対象者台帳",
            as_of=fy_start, rules=takehara.rules, created_by=cw)
        # Drawn up in May, by the seed's 31 May (期限後に作成 otherwise).
        ScreeningLedger.objects.filter(pk=ledger.pk).update(
            created_at=_aware(min(today, dt.date(fy_start.year, 5, 20))))
        LedgerEntry.objects.bulk_create([
            LedgerEntry(ledger=ledger, person=p, reasons=["精神科入院中"], nominated=i < 3)
            for i, p in enumerate(inpatients)])
        survey_day = min(today, dt.date(fy_start.year, 7, 15))
        if today >= dt.date(fy_start.year, 6, 1):
            ActivityRecord.objects.bulk_create([
                ActivityRecord(office=office, person=p, occurred_at=_aware(survey_day),
                               kind=ActivityRecord.Kind.AGENCY_CONTACT, author=cw,
                               text="病状調査: 主治医から病状を聞き取り。",
                               data={"cycle_task": "condition_survey", "program": takehara.pk})
                for p in inpatients[: len(inpatients) // 2]])

    # 善通寺: last fiscal year's results 検討会 (就労につながった例・つながらなかった例), some left 未分類.
    looked_back = [e for e in enrolments.get("zentsuji_employment", []) if e.started_on
                   and e.started_on < fy_start
                   and (e.ended_on is None or e.ended_on >= add_months(fy_start, -12))][:6]
    if looked_back:
        meeting = Conference.objects.create(
            office=office, kind=Conference.Kind.CASE_DIAGNOSIS, program=programs["zentsuji_employment"],
            held_on=fy_start + dt.timedelta(days=9), title="就労支援 結果検討会",
            results_from=add_months(fy_start, -12), results_to=fy_start - dt.timedelta(days=1),
            minutes="担当CW・就労支援員から経過と要因を報告し、質疑応答を行った。", created_by=cw)
        ConferenceResult.objects.bulk_create([ConferenceResult(
            conference=meeting, enrollment=e, result="worked" if e.end_reason == "achieved"
            else "not_worked", reason=("ハローワーク同行と面接練習を重ね、希望に合う求人に出会えた。"
                                       if e.end_reason == "achieved" else
                                       "面接で緊張して話せない。生活リズムが整っていない。"))
            for e in looked_back[:4]])


def step_seed_programs(ctx: Any) -> None:
    """load_demo step: the fifteen seed programs in the demo office."""
    populate_demo_programs(ctx.office, seed=ctx.seed, today=ctx.today)
    ctx.log(f"  プログラム {len(PLAN)} ・ 参加 {Enrollment.objects.filter(office=ctx.office).count()}")

