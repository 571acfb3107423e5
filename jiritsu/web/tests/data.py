"""A caseload with everything the home and person pages show, at any size.

Rows are written directly (like the shared factories): these tests are about what the
screens read, not about the services that write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jiritsu import testing as t
from jiritsu.cases.models import (
    ActivityRecord,
    ApprovalRequest,
    Conference,
    ConferenceDecision,
    Consent,
    ConsentGrant,
    Enrollment,
    EnrollmentEvent,
    Outcome,
    Plan,
    PlanCommitment,
    PlanGoal,
    Review,
)
from jiritsu.core import clock
from jiritsu.core.wareki import add_months
from jiritsu.offices.models import Office, PartnerOrganisation, User
from jiritsu.people.models import HospitalStay, Household, Illness, Person, WorkHistory
from jiritsu.programs.models import OutcomeKind, OutcomeType, Phase, Program, ProgramVersion

_KANA = ["さとう", "すずき", "たかはし", "たなか", "いとう", "わたなべ", "やまもと", "なかむら",
         "こばやし", "かとう"]
_KANJI = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
_GIVEN = [("はなこ", "花子"), ("たろう", "太郎"), ("まさお", "正男"), ("ゆみ", "由美"),
          ("けんじ", "健二")]


@dataclass
class Caseload:
    program: Program
    program2: Program
    households: list[Household] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    active: list[Enrollment] = field(default_factory=list)


def make_program(office: Office, code: str, name: str, *, consent_required: bool = True,
                 interval: int = 3, **kw: Any) -> Program:
    program = Program.objects.create(
        office=office, code=code, name=name, kind=Program.Kind.ECONOMIC,
        established_on=dt.date(2024, 4, 1), review_interval_months=interval,
        consent_required=consent_required, description=f"{name}の概要", **kw)
    ProgramVersion.objects.create(program=program, number=1, snapshot={})
    Phase.objects.create(program=program, order=1, name="準備")
    Phase.objects.create(program=program, order=2, name="求職活動")
    OutcomeType.objects.create(program=program, kind=OutcomeKind.EMPLOYMENT_START, name="就労開始")
    return program


T = TypeVar("T")


def present(value: T | None) -> T:
    """A value the world below always has (the seed program has a version and outcome
    types; an active episode was selected); missing, the data itself is wrong."""
    assert value is not None
    return value


def enrol(person: Person, program: Program, *, status: str = "active",
          started_on: dt.date | None = None, lead: User | None = None,
          actor: User) -> Enrollment:
    today = clock.today()
    started_on = started_on or add_months(today, -4)
    e = Enrollment.objects.create(
        office=person.office, person=person, program=program,
        program_version=present(program.versions.first()), status=status,
        phase=program.phases.first() if status == "active" else None,
        candidate_on=started_on - dt.timedelta(days=30),
        selected_on=started_on - dt.timedelta(days=10) if status != "candidate" else None,
        started_on=started_on if status == "active" else None, lead_staff=lead)
    EnrollmentEvent.objects.create(enrollment=e, occurred_on=e.candidate_on, from_status="",
                                   to_status="candidate", action="nominate", actor=actor)
    if status == "active":
        EnrollmentEvent.objects.create(enrollment=e, occurred_on=started_on,
                                       from_status="selected", to_status="active",
                                       action="start", actor=actor, phase=e.phase)
    return e


def build_caseload(office: Office, *, caseworker: User, support: User, partner_user: User,
                   partner: PartnerOrganisation, households: int, start: int = 0) -> Caseload:
    """``households`` households for ``caseworker`` with every kind of flag and history."""
    today = clock.today()
    # The employment program asks for new cases to be considered at once (善通寺's
    # template) and takes working ages (its own rule); the discharge program checks on
    # people a month after a discharge (五條).
    program = (Program.objects.filter(office=office, code="EMP").first()
               or make_program(office, "EMP", "就労支援プログラム",
                               template_code="zentsuji_employment",
                               rules={"op": "and", "conditions": [
                                   {"field": "on_assistance", "op": "is", "value": True},
                                   {"field": "age", "op": "between", "value": [15, 64]}]}))
    discharge = (Program.objects.filter(office=office, code="DIS").first()
                 or make_program(office, "DIS", "退院支援プログラム", consent_required=False,
                                 interval=1, post_discharge_review_months=1))
    program2 = (Program.objects.filter(office=office, code="DAILY").first()
                or make_program(office, "DAILY", "日常生活支援プログラム", consent_required=True,
                                interval=1))
    out = Caseload(program, program2)
    for i in range(start, start + households):
        kana_family, kanji_family = _KANA[i % 10], _KANJI[i % 10]
        given_kana, given_kanji = _GIVEN[i % 5]
        started = today - dt.timedelta(days=30) if i % 7 == 3 else dt.date(2022, 4, 1)
        hh = t.make_household(office, caseworker=caseworker, case_number=f"2{i:05d}",
                              assistance_started_on=started)
        p = t.make_person(office, household=hh, member_number=1,
                          name=f"{kanji_family} {given_kanji}",
                          kana=f"{kana_family} {given_kana}",
                          birth_date=dt.date(1975 + i % 20, 1 + i % 12, 1 + i % 27))
        child = t.make_person(office, household=hh, member_number=2,
                              name=f"{kanji_family} 一{i}", kana=f"{kana_family} いち",
                              relationship=Person.Relationship.CHILD,
                              birth_date=dt.date(2011, 6, 1),
                              school_grade=Person.SchoolGrade.J3)
        out.households.append(hh)
        out.people += [p, child]
        Illness.objects.create(person=p, name="高血圧症", is_chronic=True, treatment="通院中")
        WorkHistory.objects.create(person=p, employer="株式会社サンプル", job="倉庫作業",
                                   started_on=dt.date(2010, 4, 1), ended_on=dt.date(2019, 3, 31))
        if i % 5 == 1:
            HospitalStay.objects.create(person=p, hospital_name="みどり病院", psychiatric=True,
                                        admitted_on=today - dt.timedelta(days=400))
        if i % 5 == 2:
            HospitalStay.objects.create(person=p, hospital_name="中央病院",
                                        admitted_on=today - dt.timedelta(days=60),
                                        discharged_on=today - dt.timedelta(days=35),
                                        destination=HospitalStay.Destination.HOME)
            left = enrol(p, discharge, started_on=today - dt.timedelta(days=60), actor=caseworker)
            Outcome.objects.create(enrollment=left, outcome_type=present(discharge.outcome_types.first()),
                                   kind=OutcomeKind.DISCHARGE,
                                   occurred_on=today - dt.timedelta(days=35),
                                   recorded_by=caseworker)
            Enrollment.objects.filter(pk=left.pk).update(
                status="ended", end_reason="achieved", ended_on=today - dt.timedelta(days=35))
        if i % 7 == 3:
            continue  # a new case nobody has considered yet
        if i % 3 == 0:
            e = enrol(p, program, lead=support, actor=caseworker)
            out.active.append(e)
            consent = Consent.objects.create(office=office, person=p, program=program,
                                             given_on=present(e.selected_on), form=Consent.Form.WRITTEN,
                                             recorded_by=caseworker)
            ConsentGrant.objects.create(consent=consent, partner=partner,
                                        categories=["basic", "employment", "records"])
            e.referred_partners.add(partner)
            conf = Conference.objects.create(office=office, kind=Conference.Kind.INTERNAL,
                                             program=program, held_on=present(e.selected_on),
                                             title="就労支援検討会", created_by=caseworker)
            ConferenceDecision.objects.create(conference=conf, person=p, enrollment=e,
                                              decision=ConferenceDecision.Decision.START,
                                              reason="本人の意欲が高い")
            plan = Plan.objects.create(enrollment=e, number=1, agreed_on=e.started_on,
                                       policy="ハローワークへの同行から始める",
                                       created_by=caseworker)
            PlanGoal.objects.create(plan=plan, order=1, text="週3日の就労",
                                    target_on=add_months(today, 3))
            PlanCommitment.objects.create(plan=plan,
                                          kind=PlanCommitment.Kind.JOB_SEARCH_REPORT,
                                          quantity=2)
            if i % 2 == 0:
                Review.objects.create(enrollment=e, reviewed_on=add_months(today, -2),
                                      evaluation="求職活動は順調", decision="continue",
                                      reviewer=caseworker)
            for k, author in enumerate((caseworker, support, partner_user)):
                ActivityRecord.objects.create(
                    office=office, person=p, enrollment=e,
                    occurred_at=clock.now() - dt.timedelta(days=10 - k * 3),
                    kind=ActivityRecord.Kind.ACCOMPANY_HELLO_WORK if k else
                    ActivityRecord.Kind.HOME_VISIT,
                    text=f"記録{k}：ハローワークで求人を検索した。",
                    author=author, author_partner=partner if author == partner_user else None)
            if i % 6 == 0:
                Outcome.objects.create(enrollment=e, outcome_type=present(program.outcome_types.first()),
                                       kind=OutcomeKind.EMPLOYMENT_START,
                                       occurred_on=today - dt.timedelta(days=3),
                                       employer="スーパーみなと", monthly_income=80000,
                                       recorded_by=caseworker)
                ApprovalRequest.objects.create(
                    office=office, enrollment=e, kind="achieve", subject="達成の記録",
                    steps=["supervisor", "manager"], requested_by=caseworker)
        elif i % 3 == 1:
            enrol(p, program2, status="selected", actor=caseworker)
    return out
