"""The demo office: staff of every role, partner organisations and a synthetic caseload.

The caseload is shaped like the published national figures (/docs: STATISTICS): household
types ≈ 高齢者 55 %, 母子 4 %, 障害者・傷病者 25 %, その他 16 %; over half of the people
aged 65+; about 5 % in hospital, some of them long-term psychiatric inpatients; some
children in 中学3年; some people working. Everything is deterministic for a given seed
and written with ``bulk_create`` so that 1,000 households load in a couple of seconds.

``load_demo`` runs the steps in :data:`DEMO_STEPS` in order, each a dotted path to a
function ``step(ctx: DemoContext) -> None``. Later steps (programs, enrolments …) are
appended to that list; they find the office, staff and people on the context.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled
from faker import Faker

from jiritsu.core import clock
from jiritsu.core.bulk import analyze
from jiritsu.core.kana import search_key, to_hiragana
from jiritsu.core.wareki import add_months, age_on, fiscal_year_of
from jiritsu.offices.models import Membership, Office, PartnerOrganisation, User
from jiritsu.offices.permissions import grant_installation_admin, grant_national_rollup
from jiritsu.people.models import (
    CareDuty,
    Disability,
    HospitalStay,
    Household,
    HouseholdType,
    HouseholdTypeChange,
    Illness,
    Person,
    Qualification,
    VisitGrade,
    WorkCapacityAssessment,
    WorkHistory,
)

DEMO_OFFICE_CODE = "DEMO01"
DEMO_PASSWORD = "jiritsu-demo-2026"

# Steps run in this order inside one transaction. Append later steps here; each is a
# dotted path to ``def step(ctx: DemoContext) -> None``.
DEMO_STEPS: list[str] = [
    "jiritsu.people.demo.step_office",
    "jiritsu.people.demo.step_partners",
    "jiritsu.people.demo.step_staff",
    "jiritsu.people.demo.step_caseload",
    "jiritsu.people.demo_evidence.step_medical_evidence",
    "jiritsu.activities.demo.step_seed_programs",
    "jiritsu.casework.demo.step_casework",
    "jiritsu.people.demo_amounts.step_amounts",
    # Later steps go here, e.g. the fifteen seed programs and their enrolments.
]

DISTRICTS = ["中央地区", "北地区", "南地区", "東地区", "西地区", "港地区", "山手地区", "川沿地区"]

# (code, name, visits per year): 訪問格付け.
VISIT_GRADES = [("A", "毎月訪問", 12), ("B", "2か月に1回", 6), ("C", "3か月に1回", 4),
                ("D", "半年に1回", 2), ("E", "年1回", 1)]

# Names outside JIS X 0208 / cp932, kept exactly as entered.
RARE_SURNAMES = [("髙橋", "たかはし"), ("山﨑", "やまさき"), ("𠮷田", "よしだ"),
                 ("𠮷川", "よしかわ"), ("髙木", "たかぎ"), ("宮﨑", "みやざき")]

CHRONIC_ILLNESSES = ["高血圧症", "糖尿病", "慢性心不全", "慢性腎臓病", "変形性膝関節症",
                     "慢性閉塞性肺疾患", "脳梗塞後遺症", "腰痛症"]
PSYCHIATRIC_ILLNESSES = ["統合失調症", "うつ病", "双極性障害", "アルコール依存症", "不安障害"]
JOBS = [("株式会社みなと運輸", "配送助手"), ("みなと食品工業", "製造ライン"),
        ("スーパーみなと", "品出し"), ("みなとクリーンサービス", "清掃"),
        ("有限会社港建設", "土木作業"), ("みなと介護センター", "介護補助"),
        ("コンビニエンスストア港店", "販売"), ("みなと警備保障", "警備")]
QUALIFICATIONS = ["普通自動車第一種運転免許", "フォークリフト運転技能講習", "介護職員初任者研修",
                  "日商簿記3級", "調理師", "危険物取扱者乙種4類"]


@dataclass
class DemoLogin:
    username: str
    role_ja: str
    role_en: str


@dataclass
class DemoContext:
    """What the steps share: the office, its staff and partners, the random source."""

    seed: int
    households: int
    today: dt.date
    rng: random.Random
    fake: Faker
    office: Office | None = None
    partners: dict[str, PartnerOrganisation] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    caseworkers: list[User] = field(default_factory=list)
    visit_grades: dict[str, VisitGrade] = field(default_factory=dict)
    log: Callable[[str], None] = print


def demo_exists() -> bool:
    return Office.objects.filter(code=DEMO_OFFICE_CODE).exists()


def load_demo(*, seed: int = 2026, households: int = 1000, today: dt.date | None = None,
              log: Callable[[str], None] = print) -> DemoContext:
    """Create the demo office by running every step in :data:`DEMO_STEPS`."""
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    ctx = DemoContext(seed=seed, households=households, today=today or clock.today(),
                      rng=random.Random(seed), fake=fake, log=log)
    with scopes_disabled(), transaction.atomic():
        for path in DEMO_STEPS:
            step: Callable[[DemoContext], None] = import_string(path)
            step(ctx)
    # Fresh planner statistics for every table the demo filled (PostgreSQL).
    analyze(m for m in apps.get_models() if m.__module__.startswith("jiritsu."))
    return ctx


# ---------------------------------------------------------------- steps


def step_office(ctx: DemoContext) -> None:
    ctx.office = Office.objects.create(code=DEMO_OFFICE_CODE, name="みなと市福祉事務所",
                                       municipality="みなと市", kind=Office.Kind.CITY)
    grades = VisitGrade.objects.bulk_create(
        [VisitGrade(office=ctx.office, code=c, name=n, visits_per_year=v)
         for c, n, v in VISIT_GRADES]
    )
    ctx.visit_grades = {g.code: g for g in grades}


def step_partners(ctx: DemoContext) -> None:
    office = ctx.office
    K = PartnerOrganisation.Kind
    rows = [
        ("hello_work", K.HELLO_WORK, "ハローワークみなと", "厚生労働省 みなと公共職業安定所", DISTRICTS, None),
        ("hospital", K.HOSPITAL, "みなと市民病院", "みなと市", DISTRICTS, None),
        ("psych_hospital", K.PSYCHIATRIC_HOSPITAL, "医療法人 港の丘病院", "医療法人 港の丘会", DISTRICTS, None),
        ("psych_hospital2", K.PSYCHIATRIC_HOSPITAL, "みなと第二精神科病院", "医療法人 青松会", DISTRICTS, None),
        ("centre_a", K.LIFE_SUPPORT_CENTRE, "地域生活支援センターひだまり", "社会福祉法人 ひだまり会",
         ["中央地区", "北地区", "港地区", "山手地区"], None),
        ("centre_b", K.LIFE_SUPPORT_CENTRE, "地域生活支援センターあおば", "NPO法人 あおば",
         ["南地区", "東地区", "西地区", "川沿地区"], None),
        ("health_centre", K.HEALTH_CENTRE, "みなと保健所", "みなと市", DISTRICTS, None),
        ("council", K.SOCIAL_WELFARE_COUNCIL, "みなと市社会福祉協議会", "社会福祉法人 みなと市社会福祉協議会",
         DISTRICTS, None),
        ("npo", K.NPO, "NPO法人 まなびサポートみなと", "NPO法人 まなびサポートみなと", DISTRICTS, 20),
        ("school", K.SCHOOL, "みなと市立港中学校", "みなと市教育委員会", ["港地区", "中央地区"], None),
        ("employer", K.EMPLOYER, "みなと食品工業株式会社", "みなと食品工業株式会社", DISTRICTS, 4),
        ("relief", K.RELIEF_FACILITY, "救護施設 みなと寮", "社会福祉法人 みなと福祉会", DISTRICTS, 100),
        ("group_home", K.GROUP_HOME, "グループホーム かもめ", "NPO法人 かもめ", ["港地区", "南地区"], 10),
    ]
    objs = PartnerOrganisation.objects.bulk_create([
        PartnerOrganisation(office=office, kind=kind, name=name, operator=operator,
                            areas=list(areas), capacity=capacity)
        for _, kind, name, operator, areas, capacity in rows
    ])
    ctx.partners = {key: obj for (key, *_), obj in zip(rows, objs, strict=True)}


NATIONAL_USERNAME = "tokei"
INSTALLATION_ADMIN_USERNAME = "setchi"


def step_staff(ctx: DemoContext) -> None:
    office = ctx.office
    assert office is not None
    password = make_password(DEMO_PASSWORD)  # hash once: argon2 is deliberately slow
    n_cw = max(1, round(ctx.households / office.standard_caseload))
    n_sv = max(1, round(n_cw / 7))
    P = Membership.Profession
    specs: list[tuple[str, str, str, PartnerOrganisation | None]] = []
    specs += [(f"cw{i:02d}", "caseworker", "", None) for i in range(1, n_cw + 1)]
    specs += [(f"sv{i:02d}", "supervisor", "", None) for i in range(1, n_sv + 1)]
    specs += [
        ("manager", "manager", "", None),
        ("shuro", "support_staff", P.EMPLOYMENT_SUPPORT, None),
        ("hoken", "support_staff", P.PUBLIC_HEALTH_NURSE, None),
        ("eiyo", "support_staff", P.DIETITIAN, None),
        ("psw", "support_staff", P.PSYCHIATRIC_SOCIAL_WORKER, None),
        ("seikatsu", "support_staff", P.DAILY_LIFE_SUPPORT, None),
        ("hellowork", "partner", "", ctx.partners["hello_work"]),
        ("center", "partner", "", ctx.partners["centre_a"]),
        ("admin", "admin", "", None),
    ]
    users = []
    for username, _role, *_rest in specs:
        last, _ = _surname(ctx)
        first = ctx.fake.first_name()
        users.append(User(username=username, password=password, display_name=f"{last} {first}"))
    users = User.objects.bulk_create(users)
    Membership.objects.bulk_create([
        Membership(user=u, office=office, role=role, profession=profession, partner=partner)
        for u, (_, role, profession, partner) in zip(users, specs, strict=True)
    ])
    ctx.staff = {u.username: u for u in users}
    ctx.caseworkers = [u for u, s in zip(users, specs, strict=True) if s[1] == "caseworker"]
    # A statistician of the prefecture/ministry: no office, only the national roll-up.
    stat = User.objects.create(username=NATIONAL_USERNAME, password=password,
                               display_name="全国集計担当（厚生労働省 保護課）")
    grant_national_rollup(stat)
    # The IT department's installation administrator: creates offices, keeps their settings.
    it = User.objects.create(username=INSTALLATION_ADMIN_USERNAME, password=password,
                             display_name="設置管理者（情報政策課）")
    grant_installation_admin(it)


def step_caseload(ctx: DemoContext) -> None:
    """Households and people with their parts, shaped like the national figures."""
    office = ctx.office
    assert office is not None
    rng, today = ctx.rng, ctx.today
    types = rng.choices(
        [HouseholdType.ELDERLY, HouseholdType.SINGLE_MOTHER, HouseholdType.DISABLED,
         HouseholdType.SICK, HouseholdType.OTHER],
        weights=[55, 4, 12, 13, 16], k=ctx.households,
    )
    # Every caseworker owns one district's share; a district may have several caseworkers.
    cws = ctx.caseworkers
    households: list[Household] = []
    members: list[list[dict[str, Any]]] = []
    grade_for = {HouseholdType.ELDERLY: "D", HouseholdType.SINGLE_MOTHER: "B",
                 HouseholdType.DISABLED: "C", HouseholdType.SICK: "B", HouseholdType.OTHER: "A"}
    j3_quota = max(2, ctx.households // 150)
    for i, htype in enumerate(types):
        cw = cws[i * len(cws) // ctx.households]
        district = DISTRICTS[cws.index(cw) % len(DISTRICTS)]
        started = today - dt.timedelta(days=rng.randint(30, 365 * 15))
        households.append(Household(
            office=office, case_number=f"{100001 + i}", household_type=htype,
            district=district, address=f"みなと市{district[:-2]}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
            caseworker=cw, assistance_started_on=started,
            visit_grade=ctx.visit_grades[grade_for[htype]],
        ))
        want_j3 = j3_quota > 0 and htype in (HouseholdType.SINGLE_MOTHER, HouseholdType.OTHER)
        people = _household_members(ctx, htype, force_j3=want_j3)
        if want_j3 and any(p.get("school_grade") == Person.SchoolGrade.J3 for p in people):
            j3_quota -= 1
        members.append(people)
    households = Household.objects.bulk_create(households)
    HouseholdTypeChange.objects.bulk_create([
        HouseholdTypeChange(household=h, household_type=h.household_type,
                            valid_from=h.assistance_started_on or today)
        for h in households
    ])

    person_objs: list[Person] = []
    parts: list[dict[str, Any]] = []
    for h, people in zip(households, members, strict=True):
        for n, p in enumerate(people, start=1):
            extra = p.pop("_parts")
            person_objs.append(Person(office=office, household=h, member_number=n,
                                      kana_key=search_key(p["kana"]),
                                      name_key=search_key(p["name"]), **p))
            parts.append(extra)
    person_objs = Person.objects.bulk_create(person_objs, batch_size=1000)

    disabilities: list[Disability] = []
    illnesses: list[Illness] = []
    stays: list[HospitalStay] = []
    work: list[WorkHistory] = []
    quals: list[Qualification] = []
    care: list[CareDuty] = []
    assessments: list[WorkCapacityAssessment] = []
    hospitals = [ctx.partners["hospital"]]
    psych = [ctx.partners["psych_hospital"], ctx.partners["psych_hospital2"]]
    for person, extra in zip(person_objs, parts, strict=True):
        for kind, grade, cert in extra.get("disabilities", []):
            disabilities.append(Disability(person=person, kind=kind, grade=grade, certificate=cert,
                                           certified_on=today - dt.timedelta(days=rng.randint(200, 5000))))
        for name, psychiatric in extra.get("illnesses", []):
            illnesses.append(Illness(
                person=person, name=name, is_chronic=True, is_psychiatric=psychiatric,
                treatment="通院治療中" if not extra.get("stay") else "入院治療中",
                medical_institution=(psych[0] if psychiatric else hospitals[0]).name,
                since=today - dt.timedelta(days=rng.randint(300, 7000)),
            ))
        stay = extra.get("stay")
        if stay is not None:
            psychiatric, days = stay
            org = rng.choice(psych) if psychiatric else hospitals[0]
            stays.append(HospitalStay(person=person, hospital=org, hospital_name=org.name if org else "病院",
                                      psychiatric=psychiatric,
                                      admitted_on=today - dt.timedelta(days=days)))
        for employer, job, start, end in extra.get("work", []):
            work.append(WorkHistory(person=person, employer=employer, job=job, started_on=start,
                                    ended_on=end, reason_left="" if end is None else rng.choice(
                                        ["体調不良", "契約期間満了", "人員整理", "家庭の事情", "自己都合"])))
        for q in extra.get("quals", []):
            quals.append(Qualification(person=person, name=q))
        for kind, detail in extra.get("care", []):
            care.append(CareDuty(person=person, kind=kind, detail=detail))
        a = extra.get("assessment")
        if a is not None:
            assessments.append(WorkCapacityAssessment(person=person, office_id=person.office_id,
                                                      assessed_by=person.household.caseworker
                                                      if person.household else None, **a))
    for model, rows in ((Disability, disabilities), (Illness, illnesses), (HospitalStay, stays),
                        (WorkHistory, work), (Qualification, quals), (CareDuty, care),
                        (WorkCapacityAssessment, assessments)):
        model.objects.bulk_create(rows, batch_size=1000)
    ctx.log(f"  世帯 {len(households)} ・ 世帯員 {len(person_objs)} ・ 入院中 {len(stays)}")


# ---------------------------------------------------------------- people


def _surname(ctx: DemoContext) -> tuple[str, str]:
    if ctx.rng.random() < 0.015:
        return ctx.rng.choice(RARE_SURNAMES)
    name, kana, _ = ctx.fake.last_name_pair()
    return name, to_hiragana(kana)


def _given(ctx: DemoContext, sex: str) -> tuple[str, str]:
    if sex == Person.Sex.FEMALE:
        name, kana, _ = ctx.fake.first_name_female_pair()
    else:
        name, kana, _ = ctx.fake.first_name_male_pair()
    return name, to_hiragana(kana)


def _birth(ctx: DemoContext, age: int) -> dt.date:
    return ctx.today - dt.timedelta(days=age * 365 + ctx.rng.randint(0, 364) + age // 4)


def _school_grade(birth: dt.date, today: dt.date) -> str:
    """Japanese school year: children who are 6 on 1 April start 小学1年 that April."""
    age = age_on(birth, dt.date(fiscal_year_of(today), 4, 1))
    grades = list(Person.SchoolGrade)
    if age < 6:
        return Person.SchoolGrade.PRESCHOOL
    if age <= 17:
        return grades[age - 5].value
    return ""


def _person(ctx: DemoContext, surname: tuple[str, str], *, sex: str, age: int,
            relationship: str) -> dict[str, Any]:
    given = _given(ctx, sex)
    birth = _birth(ctx, age)
    p: dict[str, Any] = {
        "name": f"{surname[0]} {given[0]}", "kana": f"{surname[1]} {given[1]}",
        "birth_date": birth, "sex": sex, "relationship": relationship,
        "employment_status": Person.EmploymentStatus.NOT_WORKING, "_parts": {},
    }
    real_age = age_on(birth, ctx.today)
    if real_age >= 65:
        p["employment_status"] = Person.EmploymentStatus.RETIRED
    elif real_age < 18:
        grade = _school_grade(birth, ctx.today)
        p["school_grade"] = grade
        p["employment_status"] = Person.EmploymentStatus.STUDENT if grade != Person.SchoolGrade.PRESCHOOL else Person.EmploymentStatus.NOT_WORKING
        if grade and grade != Person.SchoolGrade.PRESCHOOL:
            p["school_name"] = "みなと市立港中学校" if grade.startswith("j") else (
                "みなと市立港小学校" if grade.startswith("e") else "県立みなと高等学校")
    return p


def _working_age_extras(ctx: DemoContext, p: dict[str, Any], *, works: bool,
                        barriers: list[str]) -> None:
    rng, today = ctx.rng, ctx.today
    parts = p["_parts"]
    history: list[tuple[str, str, dt.date, dt.date | None]] = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        employer, job = rng.choice(JOBS)
        start = today - dt.timedelta(days=rng.randint(800, 9000))
        end = add_months(start, rng.randint(3, 60))
        history.append((employer, job, start, min(end, today - dt.timedelta(days=30))))
    if works:
        employer, job = rng.choice(JOBS)
        p["employment_status"] = rng.choice([Person.EmploymentStatus.PART_TIME] * 3
                                            + [Person.EmploymentStatus.FULL_TIME])
        p["employer_name"] = employer
        p["earned_income"] = rng.randrange(30000, 160000, 1000)
        history.append((employer, job, today - dt.timedelta(days=rng.randint(60, 1500)), None))
    elif not barriers:
        p["employment_status"] = rng.choice([Person.EmploymentStatus.JOB_SEEKING,
                                             Person.EmploymentStatus.NOT_WORKING])
    parts["work"] = history
    if rng.random() < 0.35:
        parts["quals"] = rng.sample(QUALIFICATIONS, k=rng.randint(1, 2))
    # Work-capacity assessment (能力・意思・場) for most working-age people.
    if rng.random() < 0.8:
        has_capacity = not barriers or rng.random() < 0.3
        if works:
            usage = (WorkCapacityAssessment.Usage.FULLY_USED if p["earned_income"] >= 120000
                     else WorkCapacityAssessment.Usage.NOT_FULLY_USED)
        elif not has_capacity:
            usage = WorkCapacityAssessment.Usage.NO_CAPACITY
        else:
            usage = WorkCapacityAssessment.Usage.NOT_FULLY_USED
        has_will = works or rng.random() < 0.6
        evidence = "主治医意見書および面接による" if barriers else "面接・就労歴による"
        parts["assessment"] = {
            "assessed_on": today - dt.timedelta(days=rng.randint(10, 330)),
            "has_capacity": has_capacity, "has_will": has_will,
            "has_place": has_capacity and rng.random() < 0.7, "usage": usage,
            "barriers": barriers, "evidence": evidence,
        }


def _household_members(ctx: DemoContext, htype: str, *, force_j3: bool) -> list[dict[str, Any]]:
    rng = ctx.rng
    S, R = Person.Sex, Person.Relationship
    surname = _surname(ctx)
    people: list[dict[str, Any]] = []
    if htype == HouseholdType.ELDERLY:
        head = _person(ctx, surname, sex=rng.choice([S.MALE, S.FEMALE, S.FEMALE]),
                       age=rng.choices(range(65, 96), weights=[6] * 10 + [5] * 10 + [3] * 11)[0],
                       relationship=R.HEAD)
        _elderly_health(ctx, head)
        people.append(head)
        if rng.random() < 0.06:
            spouse = _person(ctx, surname, sex=S.FEMALE if head["sex"] == S.MALE else S.MALE,
                             age=rng.randint(65, 88), relationship=R.SPOUSE)
            _elderly_health(ctx, spouse)
            head["_parts"]["care"] = [(CareDuty.Kind.NURSING_CARE, "配偶者の介護")]
            people.append(spouse)
    elif htype == HouseholdType.SINGLE_MOTHER:
        mother = _person(ctx, surname, sex=S.FEMALE, age=rng.randint(24, 50), relationship=R.HEAD)
        n_children = rng.choice([1, 1, 2, 2, 3])
        ages = [rng.randint(0, 17) for _ in range(n_children)]
        if force_j3:
            ages[0] = _age_for_j3(ctx)
        mother_age = max(age_on(mother["birth_date"], ctx.today), max(ages) + 18)
        mother["birth_date"] = _birth(ctx, mother_age)
        _working_age_extras(ctx, mother, works=rng.random() < 0.5,
                            barriers=["childcare"] if min(ages) < 6 else [])
        mother["_parts"]["care"] = [(CareDuty.Kind.CHILDCARE, f"子{n_children}人の養育")]
        people.append(mother)
        for a in ages:
            people.append(_person(ctx, surname, sex=rng.choice([S.MALE, S.FEMALE]), age=a,
                                  relationship=R.CHILD))
    elif htype in (HouseholdType.DISABLED, HouseholdType.SICK):
        age = rng.choices([rng.randint(20, 44), rng.randint(45, 64), rng.randint(65, 85)],
                          weights=[25, 45, 30])[0]
        head = _person(ctx, surname, sex=rng.choice([S.MALE, S.MALE, S.FEMALE]), age=age,
                       relationship=R.HEAD)
        _disabled_or_sick(ctx, head, disabled=htype == HouseholdType.DISABLED)
        people.append(head)
        if rng.random() < 0.15:
            other = _person(ctx, surname, sex=S.FEMALE if head["sex"] == S.MALE else S.MALE,
                            age=max(20, age + rng.randint(-5, 5)), relationship=R.SPOUSE)
            if age_on(other["birth_date"], ctx.today) < 65:
                _working_age_extras(ctx, other, works=rng.random() < 0.3, barriers=[])
            people.append(other)
    else:  # その他の世帯: working-age people, often single
        head = _person(ctx, surname, sex=rng.choice([S.MALE, S.MALE, S.FEMALE]),
                       age=rng.randint(20, 64), relationship=R.HEAD)
        ill = rng.random() < 0.25
        if ill:
            head["_parts"]["illnesses"] = [(rng.choice(CHRONIC_ILLNESSES), False)]
        _working_age_extras(ctx, head, works=rng.random() < 0.45, barriers=["illness"] if ill else [])
        people.append(head)
        if force_j3 or rng.random() < 0.3:
            spouse = _person(ctx, surname, sex=S.FEMALE if head["sex"] == S.MALE else S.MALE,
                             age=rng.randint(25, 60), relationship=R.SPOUSE)
            _working_age_extras(ctx, spouse, works=rng.random() < 0.3, barriers=[])
            people.append(spouse)
            kids = [_age_for_j3(ctx)] if force_j3 else []
            kids += [rng.randint(0, 17) for _ in range(rng.choice([0, 1, 2]))]
            for a in kids:
                people.append(_person(ctx, surname, sex=rng.choice([S.MALE, S.FEMALE]), age=a,
                                      relationship=R.CHILD))
            eldest = max(kids, default=0)
            for adult in (head, spouse):
                if age_on(adult["birth_date"], ctx.today) < eldest + 20:
                    adult["birth_date"] = _birth(ctx, eldest + 20 + rng.randint(0, 15))
    return people


def _age_for_j3(ctx: DemoContext) -> int:
    """Age today of a child who is in 中学3年 this school year (14 on 1 April)."""
    april = dt.date(fiscal_year_of(ctx.today), 4, 1)
    return age_on(april - dt.timedelta(days=14 * 365 + 100), ctx.today)


def _elderly_health(ctx: DemoContext, p: dict[str, Any]) -> None:
    rng = ctx.rng
    parts = p["_parts"]
    if rng.random() < 0.6:
        parts["illnesses"] = [(name, False) for name in rng.sample(CHRONIC_ILLNESSES, k=rng.randint(1, 2))]
    if rng.random() < 0.05:
        parts["stay"] = (False, rng.randint(3, 120))
    if rng.random() < 0.08:
        parts["disabilities"] = [(Disability.Kind.PHYSICAL, f"{rng.randint(1, 6)}級", "身体障害者手帳")]


def _disabled_or_sick(ctx: DemoContext, p: dict[str, Any], *, disabled: bool) -> None:
    rng = ctx.rng
    parts = p["_parts"]
    age = age_on(p["birth_date"], ctx.today)
    psychiatric = rng.random() < (0.45 if disabled else 0.25)
    if disabled:
        kind = (Disability.Kind.MENTAL if psychiatric else
                rng.choice([Disability.Kind.PHYSICAL, Disability.Kind.PHYSICAL, Disability.Kind.INTELLECTUAL]))
        grade, cert = {
            Disability.Kind.MENTAL: (f"{rng.randint(1, 3)}級", "精神障害者保健福祉手帳"),
            Disability.Kind.PHYSICAL: (f"{rng.randint(1, 6)}級", "身体障害者手帳"),
            Disability.Kind.INTELLECTUAL: (rng.choice(["A", "B1", "B2"]), "療育手帳"),
        }[kind]
        parts["disabilities"] = [(kind, grade, cert)]
    parts["illnesses"] = [(rng.choice(PSYCHIATRIC_ILLNESSES if psychiatric else CHRONIC_ILLNESSES),
                           psychiatric)]
    # Hospital: psychiatric inpatients ≈ 2.3 % of all people, half of them long-term.
    r = rng.random()
    if psychiatric and r < 0.30:
        days = rng.choice([rng.randint(20, 179), rng.randint(181, 3650)])
        parts["stay"] = (True, days)
    elif not psychiatric and r < 0.10:
        parts["stay"] = (False, rng.randint(3, 150))
    if age < 65:
        _working_age_extras(ctx, p, works=rng.random() < 0.12,
                            barriers=["disability" if disabled else "illness"])
        if "stay" in parts:
            p["employment_status"] = Person.EmploymentStatus.NOT_WORKING
            p["employer_name"] = ""
            p["earned_income"] = 0
            parts["work"] = [w for w in parts.get("work", []) if w[3] is not None]


_PROFESSION_EN = {
    "employment_support": "Support staff (employment)",
    "public_health_nurse": "Support staff (public-health nurse)",
    "dietitian": "Support staff (dietitian)",
    "psw": "Support staff (psychiatric social worker)",
    "daily_life_support": "Support staff (daily life)",
}


def format_logins(logins: list[DemoLogin], office_name: str) -> str:
    """The demo log-ins as a table (Japanese and English)."""
    width = max(len(x.username) for x in logins) + 2
    lines = [
        f"デモ用ログイン / Demo log-ins — {office_name}（事務所コード {DEMO_OFFICE_CODE}）",
        f"パスワード / password (all accounts): {DEMO_PASSWORD}",
        "",
        f"{'ユーザー名 / username':<{width + 8}}役割 / role",
    ]
    for x in logins:
        lines.append(f"{x.username:<{width + 8}}{x.role_ja} / {x.role_en}")
    return "\n".join(lines)


def existing_logins() -> tuple[list[DemoLogin], str]:
    """Rebuild the log-in table from the database (when the demo was loaded earlier)."""
    with scopes_disabled():
        office = Office.objects.get(code=DEMO_OFFICE_CODE)
        memberships = list(Membership.objects.filter(office=office, is_active=True)
                           .select_related("user", "partner").order_by("id"))
    en = {"caseworker": "Caseworker", "supervisor": "Supervisor", "manager": "Manager",
          "support_staff": "Support staff", "partner": "Partner", "admin": "Administrator"}
    out: list[DemoLogin] = []
    seen: set[str] = set()
    cws = [m for m in memberships if m.role == "caseworker"]
    for m in memberships:
        key = f"{m.role}:{m.profession}:{m.partner_id}"
        if key in seen:
            continue
        seen.add(key)
        ja = m.get_profession_display() if m.profession else m.get_role_display()
        if m.partner_id and m.partner is not None:
            ja = f"{m.get_role_display()}（{m.partner.name}）"
        role_en = _PROFESSION_EN.get(m.profession, en.get(m.role, m.role))
        out.append(DemoLogin(m.user.username, ja, role_en))
        if m.role == "caseworker" and len(cws) > 1:
            out.append(DemoLogin(f"{cws[1].user.username} … {cws[-1].user.username}",
                                 "他のケースワーカー", "Other caseworkers"))
    if User.objects.filter(username=NATIONAL_USERNAME).exists():
        out.append(DemoLogin(NATIONAL_USERNAME, "全国集計担当（事務所に属さない）",
                             "National statistician (no office)"))
    if User.objects.filter(username=INSTALLATION_ADMIN_USERNAME).exists():
        out.append(DemoLogin(INSTALLATION_ADMIN_USERNAME, "設置管理者（事務所の作成・設定。事務所に属さない）",
                             "Installation administrator (offices; no office)"))
    return out, office.name
