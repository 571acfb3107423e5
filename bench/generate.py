"""Synthetic caseloads shaped like the published national statistics, at three sizes.

    python -m bench.generate --size demo|large|national [--offices N] [--seed S]
                             [--database-url URL] [--fresh]

* demo      one office of about 1,000 households (SQLite or PostgreSQL);
* large     one large-city office: about 110,000 households, 140,000 people;
* national  1.65 million households and 2.0 million people across 1,244 offices
            (``--offices``), the largest of them the size of ``large``.

Shapes follow /work/shared/STATISTICS.md (docs/performance.md repeats them): household
types 高齢者 55 % / 母子 4 % / 障害者・傷病者 25 % / その他 16 %, ages by the 2018 survey,
≈5.5 % in hospital and ≈2.3 % psychiatric inpatients (most of them for more than 180 days),
earners in ≈45 % of その他 and ≈50 % of 母子 households, one child in 200 in 中学3年, dated
work-capacity assessments for people of working age. Each office gets staff of every role,
partner organisations, seven programs with phases, menus, outcome types and screening rules,
and enrolment histories over three fiscal years with events, consents, plans, records,
reviews and outcomes.

Deterministic for a given seed and ``--as-of`` date. PostgreSQL loads with COPY
(psycopg 3), SQLite with bulk_create (demo size only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from jiritsu.core import clock
from jiritsu.core.wareki import add_months
from jiritsu.people.synthetic_amounts import Member, household_months

TOKYO = ZoneInfo("Asia/Tokyo")
BENCH_PASSWORD = "bench-password-2026"  # every generated account; synthetic data only

SIZES: dict[str, dict[str, int]] = {
    "demo": {"offices": 1, "households": 1_000},
    "large": {"offices": 1, "households": 110_000},
    "national": {"offices": 1_244, "households": 1_650_000},
}
LARGE_OFFICE_HOUSEHOLDS = 110_000
# 保護費 and 医療扶助 (jiritsu.people.synthetic_amounts) for the last twelve months, written for the
# first office of each size (the big-city office: the whole large size, the largest office of
# the national size) — a year of amounts is the amounts import benchmark's load.
AMOUNT_MONTHS = 12

# Household types (June 2025): 高齢者 55, 母子 3.6→4, 障害者・傷病者 25, その他 16.
HOUSEHOLD_TYPES = (("elderly", 55.0), ("single_mother", 4.0), ("disabled", 12.5),
                   ("sick", 12.5), ("other", 16.0))

# Ages of people aged 20+ by band (2018 survey), used for heads of non-elderly households.
WORKING_AGE_BANDS = ((20, 29, 2.6), (30, 39, 4.9), (40, 49, 10.2), (50, 59, 12.9),
                     (60, 64, 8.3))
ELDERLY_BANDS = ((65, 69, 12.6), (70, 74, 12.3), (75, 79, 11.0), (80, 96, 14.5))

GRADES = {3: "preschool", 4: "preschool", 5: "preschool", 6: "e1", 7: "e2", 8: "e3", 9: "e4",
          10: "e5", 11: "e6", 12: "j1", 13: "j2", 14: "j3", 15: "h1", 16: "h2", 17: "h3"}


def _setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")
    import django

    django.setup()


def _bands(rng: random.Random, bands: tuple[tuple[int, int, float], ...]) -> int:
    lo, hi, _ = rng.choices(bands, weights=[b[2] for b in bands])[0]
    return rng.randint(lo, hi)


def _birth(rng: random.Random, age: int, as_of: dt.date) -> dt.date:
    """A birth date giving ``age`` on ``as_of``."""
    latest = dt.date(as_of.year - age, as_of.month, min(as_of.day, 28))
    return latest - dt.timedelta(days=rng.randint(0, 364))


def school_age(birth: dt.date, fiscal_year: int) -> int:
    """Age that decides the school grade in a fiscal year (cohort 2 April – 1 April)."""
    return fiscal_year - birth.year - (1 if (birth.month, birth.day) >= (4, 2) else 0)


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.choice((0, 15, 30, 45)),
                       tzinfo=TOKYO)


# ---------------------------------------------------------------------------------------------
# Programs every generated office runs (its own copies, as offices define their own).

@dataclass(frozen=True)
class ProgramTemplate:
    code: str
    name: str
    kind: str
    legal_basis: str
    category: str
    rules: dict[str, Any]
    phases: tuple[tuple[str, int | None], ...]
    menus: tuple[str, ...]
    outcomes: tuple[tuple[str, str, bool], ...]
    review_months: int
    standard_months: int
    consent_required: bool = True
    record_kinds: tuple[str, ...] = ("home_visit", "office_interview", "phone")
    record_texts: tuple[str, ...] = ("状況確認。",)


def _c(field_: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field_, "op": op, "value": value}


PROGRAMS: tuple[ProgramTemplate, ...] = (
    ProgramTemplate(
        "EMP", "就労支援プログラム", "economic", "art55_7", "就労支援",
        {"op": "and", "conditions": [
            _c("age", "between", [15, 64]),
            _c("household_type", "in", ["other", "single_mother", "sick"]),
            _c("employment_status", "in", ["not_working", "job_seeking"]),
            _c("capacity.has_capacity", "is", True)]},
        (("求職活動準備", 3), ("求職活動", 6), ("就労定着", 3)),
        ("就労意欲喚起", "求職活動支援", "職場定着支援"),
        (("employment_start", "就労開始", True), ("income_increase", "増収", True),
         ("closed_by_work", "就労による保護廃止", True)),
        3, 12, True,
        ("office_interview", "accompany_hello_work", "phone", "job_search_report"),
        ("求職活動状況報告書を受理。応募2件。", "ハローワークに同行し求人を検索。",
         "面接の練習を行った。", "電話で就労状況を確認。"),
    ),
    ProgramTemplate(
        "HW", "生活保護受給者等就労自立促進事業（ハローワーク連携）", "economic", "art27_2",
        "就労支援",
        {"op": "and", "conditions": [
            _c("age", "between", [18, 64]),
            _c("employment_status", "in", ["job_seeking"])]},
        (("支援要請", 1), ("職業紹介", 6)),
        ("職業相談", "職業紹介", "職業訓練"),
        (("employment_start", "就労開始", True), ("closed_by_work", "就労による保護廃止", True)),
        3, 6, True, ("accompany_hello_work", "agency_contact", "office_interview"),
        ("ハローワーク担当者と連絡調整。", "職業相談に同行。"),
    ),
    ProgramTemplate(
        "DIS", "精神障害者退院促進支援プログラム", "daily_life", "art27_2", "退院支援",
        {"op": "and", "conditions": [
            _c("psychiatric_stay_months", "gte", 6)]},
        (("退院前訓練", 6), ("退院先の確保・調整", 3), ("退院後の生活・就労訓練", 6)),
        ("退院促進", "生活支援", "就労支援"),
        (("discharge", "退院", True), ("daily_life_stable", "地域生活の安定", True)),
        3, 15, True, ("accompany_hospital", "meeting", "overnight_trial", "home_visit"),
        ("主治医と面談、退院の見通しを確認。", "外泊訓練を実施。", "グループホームを見学。",
         "病棟訪問、本人の意向を確認。"),
    ),
    ProgramTemplate(
        "HS", "高校進学支援プログラム", "social_life", "art27_2", "子どもの学習支援",
        {"op": "and", "conditions": [_c("school_grade", "in", ["j3"])]},
        (("進路相談", 6), ("受験支援", 4)),
        ("学習支援", "進路相談"),
        (("high_school", "高校進学", True),),
        3, 10, True, ("home_visit", "seminar", "agency_contact"),
        ("学習教室に参加。", "進路について本人・保護者と面談。", "学校と連絡調整。"),
    ),
    ProgramTemplate(
        "ELD", "高齢者日常生活支援プログラム", "daily_life", "art27_2", "日常生活支援",
        {"op": "and", "conditions": [
            _c("age", "gte", 65), _c("household_type", "in", ["elderly"])]},
        (("生活状況の把握", 3), ("見守り", 12)),
        ("生活支援", "見守り", "介護サービス調整"),
        (("daily_life_stable", "日常生活の安定", True), ("other", "施設入所", False)),
        6, 12, False, ("home_visit", "phone"),
        ("家庭訪問、生活状況良好。", "電話で安否確認。", "介護サービス利用を調整。"),
    ),
    ProgramTemplate(
        "HLT", "健康管理支援プログラム", "daily_life", "art27_2", "健康管理",
        {"op": "and", "conditions": [
            _c("age", "gte", 40), _c("household_type", "in", ["sick", "disabled"])]},
        (("健康状態の把握", 3), ("受診・服薬支援", 9)),
        ("受診支援", "服薬管理", "栄養指導"),
        (("health_improved", "健康状態の改善", True),),
        3, 12, True, ("home_visit", "accompany_hospital", "phone"),
        ("保健師が訪問、血圧測定。", "受診に同行。", "服薬状況を確認。"),
    ),
    ProgramTemplate(
        "SOC", "社会参加支援プログラム", "social_life", "art27_2", "社会参加",
        {"op": "and", "conditions": [
            _c("age", "between", [20, 64]),
            _c("employment_status", "in", ["not_working"]),
            _c("capacity.usage", "in", ["no_capacity"])]},
        (("居場所づくり", 6), ("ボランティア活動", 6)),
        ("居場所支援", "ボランティア"),
        (("social_participation", "社会参加の継続", True),),
        6, 12, True, ("seminar", "training", "home_visit"),
        ("地域の居場所活動に参加。", "ボランティア活動を継続。"),
    ),
)


# ---------------------------------------------------------------------------------------------

@dataclass
class OfficeSpec:
    index: int
    code: str
    name: str
    municipality: str
    kind: str
    households: int


def office_specs(size: str, offices: int | None, seed: int,
                 households: int | None = None) -> list[OfficeSpec]:
    from bench.names import DISTRICTS, MUNICIPALITIES

    cfg = SIZES[size]
    n_offices = offices or cfg["offices"]
    total = households or cfg["households"]
    if size == "national" and n_offices > 1 and total > LARGE_OFFICE_HOUSEHOLDS * 2:
        # One big-city office of the large size, the rest log-normally spread (most offices
        # hold a few hundred to a few thousand households), summing to the national total.
        rng = random.Random(f"{seed}-sizes")
        weights = [rng.lognormvariate(0, 1.0) for _ in range(n_offices - 1)]
        rest = total - LARGE_OFFICE_HOUSEHOLDS
        scale = rest / sum(weights)
        sizes = [LARGE_OFFICE_HOUSEHOLDS] + [max(30, round(w * scale)) for w in weights]
    else:
        sizes = [max(1, total // n_offices)] * n_offices
    specs = []
    for i, hh in enumerate(sizes):
        muni = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        if i == 0 and size != "demo":
            name = f"{muni}市中央福祉事務所"
        elif size == "demo":
            name = "みどり市福祉事務所"
            muni = "みどり"
        else:
            name = f"{muni}市{DISTRICTS[(i // len(MUNICIPALITIES)) % len(DISTRICTS)]}福祉事務所"
        kind = "prefecture" if i % 6 == 5 else "city"
        specs.append(OfficeSpec(i, f"{size[:1].upper()}{i + 1:05d}", name, muni, kind, hh))
    return specs


@dataclass
class PersonDraft:
    id: int
    household_id: int | None
    household_type: str
    age: int
    birth: dt.date
    sex: str
    relationship: str
    employment: str = "not_working"
    grade: str = ""
    chronic: bool = False
    psych_months: int = 0  # months in a current psychiatric stay
    usage: str = ""
    capacity: bool = False
    caseworker_id: int | None = None
    enrol: list[str] = field(default_factory=list)
    income: int = 0  # monthly wage
    stay: tuple[dt.date, bool] | None = None  # a current stay: (admitted, psychiatric)


class Generator:
    def __init__(self, *, size: str, seed: int, as_of: dt.date, offices: int | None,
                 households: int | None = None) -> None:
        from django.contrib.auth.hashers import make_password

        from bench.loader import Loader
        from jiritsu.cases import models as cm
        from jiritsu.offices import models as om
        from jiritsu.people import models as pm
        from jiritsu.people.importing_amounts import ASSISTANCE_VALUES
        from jiritsu.programs import models as gm

        self.size = size
        self.seed = seed
        self.as_of = as_of
        self.fy = as_of.year if as_of.month >= 4 else as_of.year - 1
        self.specs = office_specs(size, offices, seed, households)
        last = as_of.replace(day=1)
        self.amount_months = [add_months(last, -k) for k in range(AMOUNT_MONTHS - 1, -1, -1)]
        self.om, self.pm, self.gm, self.cm = om, pm, gm, cm
        self.assistance_values = ASSISTANCE_VALUES
        self.password = make_password(BENCH_PASSWORD)
        self.now = clock.now()
        self.key_cache: dict[str, str] = {}
        spec = [
            (om.Office, ("id", "code", "name", "municipality", "kind")),
            (om.User, ("id", "password", "username", "display_name", "is_active")),
            (om.PartnerOrganisation, ("id", "office_id", "kind", "name", "areas")),
            (om.Membership, ("id", "user_id", "office_id", "role", "profession", "partner_id")),
            (pm.VisitGrade, ("id", "office_id", "code", "name", "visits_per_year")),
            (pm.Household, ("id", "office_id", "case_number", "household_type", "district",
                            "address", "caseworker_id", "assistance_started_on",
                            "assistance_ended_on", "end_reason", "visit_grade_id")),
            (pm.Person, ("id", "office_id", "household_id", "member_number", "address_number",
                         "name", "kana", "kana_key", "birth_date", "sex", "relationship",
                         "employment_status", "employer_name", "earned_income", "school_name",
                         "school_grade")),
            (pm.Disability, ("id", "person_id", "kind", "grade", "certificate")),
            (pm.Illness, ("id", "person_id", "name", "is_chronic", "is_psychiatric", "treatment",
                          "since")),
            (pm.HospitalStay, ("id", "person_id", "hospital_id", "hospital_name", "psychiatric",
                               "admitted_on", "discharged_on", "destination")),
            (pm.CareDuty, ("id", "person_id", "kind", "detail")),
            (pm.AssistanceMonth, ("id", "office_id", "household_id", "month", *ASSISTANCE_VALUES,
                                  "received_at")),
            (pm.MedicalClaimMonth, ("id", "office_id", "person_id", "month", "kind",
                                    "institution_name", "institution_code", "days", "points",
                                    "amount", "received_at")),
            (pm.WorkCapacityAssessment, ("id", "person_id", "office_id", "assessed_on", "has_capacity",
                                         "has_will", "has_place", "usage", "barriers",
                                         "evidence", "assessed_by_id")),
            (gm.Program, ("id", "office_id", "code", "name", "kind", "category", "legal_basis",
                          "established_on", "description", "target_description",
                          "review_interval_months", "standard_length_months",
                          "max_length_months", "capacity", "consent_required", "rules",
                          "professions")),
            (gm.ProgramVersion, ("id", "program_id", "number", "snapshot")),
            (gm.Phase, ("id", "program_id", "order", "name", "standard_months")),
            (gm.SupportMenu, ("id", "program_id", "order", "name")),
            (gm.OutcomeType, ("id", "program_id", "kind", "name", "counts_as_achievement")),
            (cm.Enrollment, ("id", "office_id", "person_id", "program_id", "program_version_id",
                             "status", "end_reason", "phase_id", "candidate_on", "selected_on",
                             "started_on", "planned_end_on", "ended_on", "lead_staff_id",
                             "created_at")),
            (cm.Enrollment.menus.through, ("id", "enrollment_id", "supportmenu_id")),
            (cm.EnrollmentEvent, ("id", "enrollment_id", "occurred_on", "from_status",
                                  "to_status", "action", "actor_id")),
            (cm.Consent, ("id", "office_id", "person_id", "program_id", "given_on", "form",
                          "recorded_by_id")),
            (cm.Plan, ("id", "enrollment_id", "number", "agreed_on", "policy", "created_by_id")),
            (cm.PlanGoal, ("id", "plan_id", "order", "text", "target_on", "achievement")),
            (cm.ActivityRecord, ("id", "office_id", "person_id", "enrollment_id", "occurred_at",
                                 "kind", "text", "duration_minutes", "author_id", "created_at")),
            (cm.Review, ("id", "enrollment_id", "reviewed_on", "evaluation", "decision",
                         "next_due_on", "reviewer_id")),
            (cm.Outcome, ("id", "enrollment_id", "outcome_type_id", "kind", "occurred_on",
                          "employer", "monthly_income", "destination", "school_name",
                          "recorded_by_id")),
        ]
        self.loader = Loader(spec)

    # -- helpers ---------------------------------------------------------------------------
    def kana_key(self, kana: str) -> str:
        key = self.key_cache.get(kana)
        if key is None:
            from jiritsu.core.kana import search_key

            key = self.key_cache[kana] = search_key(kana)
        return key

    def day_between(self, rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return start + dt.timedelta(days=rng.randint(0, max(span, 0)))

    # -- one office ------------------------------------------------------------------------
    def office(self, spec: OfficeSpec) -> None:
        from bench.names import DISTRICTS, EMPLOYERS, FAMILY, FEMALE, MALE

        om, pm, gm, L = self.om, self.pm, self.gm, self.loader
        rng = random.Random(f"{self.seed}-{spec.index}")
        as_of = self.as_of
        office_id = L.new_id(om.Office)
        L.add(om.Office, (office_id, spec.code, spec.name, spec.municipality, spec.kind))

        # Staff: caseworkers at ~86 households each (large cities ~100), 1 supervisor per 7.
        per_cw = 100 if spec.households >= 20_000 else 86
        n_cw = max(1, math.ceil(spec.households / per_cw))
        n_sv = max(1, n_cw // 7)
        n_ss = max(1, n_cw // 10)

        def user(role: str, n: int, profession: str = "", partner: int | None = None) -> int:
            uid = L.new_id(om.User)
            fam, _ = rng.choice(FAMILY)
            giv, _ = rng.choice(MALE if rng.random() < 0.5 else FEMALE)
            L.add(om.User, (uid, self.password, f"{spec.code.lower()}-{role}{n:04d}",
                            f"{fam} {giv}", True))
            L.add(om.Membership, (L.new_id(om.Membership), uid, office_id, role, profession,
                                  partner))
            return uid

        caseworkers = [user("caseworker", i + 1) for i in range(n_cw)]
        supervisors = [user("supervisor", i + 1) for i in range(n_sv)]
        user("manager", 1)
        user("admin", 1)
        professions = ("employment_support", "discharge_support", "public_health_nurse",
                       "self_reliance_support", "psw")
        support = [user("support_staff", i + 1, professions[i % len(professions)])
                   for i in range(n_ss)]

        # Partners.
        n_psych = max(1, spec.households // 5_000)
        n_hosp = max(2, spec.households // 2_000)
        partners: dict[str, list[tuple[int, str]]] = {}
        districts = DISTRICTS[: max(3, min(len(DISTRICTS), spec.households // 3_000 + 3))]

        def partner(kind: str, name: str) -> int:
            pid = L.new_id(om.PartnerOrganisation)
            L.add(om.PartnerOrganisation, (pid, office_id, kind, name, [rng.choice(districts)]))
            partners.setdefault(kind, []).append((pid, name))
            return pid

        hw = partner("hello_work", f"ハローワーク{spec.municipality}")
        user("partner", 1, "", hw)
        for i in range(n_psych):
            partner("psychiatric_hospital", f"{spec.municipality}こころの病院{i + 1}")
        for i in range(n_hosp):
            partner("hospital", f"{spec.municipality}総合病院{i + 1}")
        partner("life_support_centre", f"{spec.municipality}地域生活支援センター")
        partner("social_welfare_council", f"{spec.municipality}市社会福祉協議会")
        partner("npo", f"NPO法人{spec.municipality}まなび")

        grades = []
        for code, name, visits in (("A", "毎月", 12), ("B", "2か月に1回", 6),
                                   ("C", "3か月に1回", 4), ("D", "6か月に1回", 2)):
            gid = L.new_id(pm.VisitGrade)
            L.add(pm.VisitGrade, (gid, office_id, code, name, visits))
            grades.append(gid)

        # Programs.
        progs = []
        for tpl in PROGRAMS:
            pid = L.new_id(gm.Program)
            est = dt.date(rng.randint(2006, 2020), rng.randint(1, 12), 1)
            L.add(gm.Program, (
                pid, office_id, tpl.code, tpl.name, tpl.kind, tpl.category, tpl.legal_basis,
                est, f"{tpl.name}（{spec.name}）", "選定条件のとおり", tpl.review_months,
                tpl.standard_months, tpl.standard_months * 2, None, tpl.consent_required,
                tpl.rules, []))
            vid = L.new_id(gm.ProgramVersion)
            L.add(gm.ProgramVersion, (vid, pid, 1, {"name": tpl.name, "rules": tpl.rules}))
            phases = []
            for order, (pname, months) in enumerate(tpl.phases, start=1):
                ph = L.new_id(gm.Phase)
                L.add(gm.Phase, (ph, pid, order, pname, months))
                phases.append(ph)
            menus = []
            for order, mname in enumerate(tpl.menus, start=1):
                mid = L.new_id(gm.SupportMenu)
                L.add(gm.SupportMenu, (mid, pid, order, mname))
                menus.append(mid)
            outs = []
            for kind, oname, counts in tpl.outcomes:
                oid = L.new_id(gm.OutcomeType)
                L.add(gm.OutcomeType, (oid, pid, kind, oname, counts))
                outs.append((oid, kind))
            progs.append((tpl, pid, vid, phases, menus, outs))
        prog_by_code = {p[0].code: p for p in progs}

        # 保護費・医療扶助 for the last AMOUNT_MONTHS months: the first (big-city) office only.
        amount_months = self.amount_months if spec.index == 0 else []

        # Households and people.
        people: list[PersonDraft] = []
        types = [t for t, _ in HOUSEHOLD_TYPES]
        weights = [w for _, w in HOUSEHOLD_TYPES]
        fy = self.fy
        for h in range(spec.households):
            hid = L.new_id(pm.Household)
            htype = rng.choices(types, weights)[0]
            cw = caseworkers[h * n_cw // spec.households]
            district = districts[h * len(districts) // spec.households]
            years = min(30.0, rng.expovariate(1 / 6.0))
            started = as_of - dt.timedelta(days=int(years * 365) + 1)
            ended, reason = None, ""
            if rng.random() < 0.03:
                ended = self.day_between(rng, as_of - dt.timedelta(days=365), as_of)
                reason = rng.choice(("work", "work", "pension", "death", "moved", "death"))
                if ended <= started:
                    ended, reason = None, ""
            grade = grades[0] if htype in ("disabled", "sick") and rng.random() < 0.3 else (
                grades[1] if htype in ("other", "single_mother") else rng.choice(grades[2:]))
            L.add(pm.Household, (hid, office_id, f"{h + 1:07d}", htype, f"{district}地区",
                                 f"{spec.municipality}市{district}{rng.randint(1, 9)}-{rng.randint(1, 30)}",
                                 cw, started, ended, reason, grade))
            fam, fam_kana = rng.choice(FAMILY)
            members: list[tuple[str, int, str]] = []  # (relationship, age, sex)
            r = rng.random()
            if htype == "elderly":
                head_age = _bands(rng, ELDERLY_BANDS)
                members.append(("head", head_age, "male" if rng.random() < 0.58 else "female"))
                if r < 0.064:
                    members.append(("spouse", max(65, head_age + rng.randint(-5, 3)),
                                    "female" if members[0][2] == "male" else "male"))
            elif htype == "single_mother":
                mother = rng.randint(22, 52)
                members.append(("head", mother, "female"))
                kids = 1 if r < 0.5 else (2 if r < 0.85 else 3)
                for _ in range(kids):
                    members.append(("child", rng.randint(0, min(19, mother - 18)),
                                    rng.choice(("male", "female"))))
            elif htype in ("disabled", "sick"):
                head_age = _bands(rng, WORKING_AGE_BANDS) if rng.random() < 0.8 else \
                    _bands(rng, ELDERLY_BANDS)
                members.append(("head", head_age, "male" if rng.random() < 0.6 else "female"))
                if r < 0.12:
                    members.append(("parent", min(98, head_age + rng.randint(22, 35)),
                                    rng.choice(("male", "female"))))
                elif r < 0.15:
                    members.append(("spouse", head_age + rng.randint(-5, 5), "female"))
                    members.append(("child", rng.randint(0, 19), rng.choice(("male", "female"))))
            else:
                head_age = _bands(rng, WORKING_AGE_BANDS)
                members.append(("head", head_age, "male" if rng.random() < 0.65 else "female"))
                if r < 0.25:
                    members.append(("spouse", head_age + rng.randint(-6, 4),
                                    "female" if members[0][2] == "male" else "male"))
                elif r < 0.35:
                    members.append(("spouse", head_age + rng.randint(-6, 4),
                                    "female" if members[0][2] == "male" else "male"))
                    members.append(("child", rng.randint(0, min(19, max(0, head_age - 18))),
                                    rng.choice(("male", "female"))))
            household_earner = rng.random() < {"other": 0.45, "single_mother": 0.5,
                                               "disabled": 0.1, "sick": 0.1,
                                               "elderly": 0.03}[htype]
            for num, (rel, age, sex) in enumerate(members, start=1):
                pid = L.new_id(pm.Person)
                giv, giv_kana = rng.choice(MALE if sex == "male" else FEMALE)
                kana = f"{fam_kana} {giv_kana}"
                birth = _birth(rng, max(0, age), as_of)
                d = PersonDraft(pid, hid, htype, age, birth, sex, rel, caseworker_id=cw)
                sa = school_age(birth, fy)
                d.grade = GRADES.get(sa, "")
                if sa in (15, 16, 17) and rng.random() < 0.08:
                    d.grade = ""  # not in high school
                if 18 <= sa <= 21 and rng.random() < 0.2:
                    d.grade = "higher"
                employer, income = "", 0
                if d.grade and d.grade != "preschool":
                    d.employment = "student"
                elif age >= 65:
                    d.employment = "retired"
                    if household_earner and rel == "head":
                        d.employment, income = "part_time", rng.randint(30, 80) * 1000
                elif age >= 15:
                    if household_earner and rel in ("head", "spouse") and num <= 2:
                        household_earner = False
                        d.employment = "full_time" if rng.random() < 0.25 else "part_time"
                        income = rng.randint(100, 220) * 1000 if d.employment == "full_time" \
                            else rng.randint(30, 130) * 1000
                        employer = rng.choice(EMPLOYERS)
                    elif htype in ("other", "single_mother"):
                        d.employment = "job_seeking" if rng.random() < 0.5 else "not_working"
                    else:
                        d.employment = "job_seeking" if rng.random() < 0.1 else "not_working"
                L.add(pm.Person, (
                    pid, office_id, hid, num,
                    f"{rng.randint(0, 9_999_999_999):010d}" if rng.random() < 0.7 else "",
                    f"{fam} {giv}", kana, self.kana_key(kana), birth, sex, rel, d.employment,
                    employer, income, "" if not d.grade or d.grade in ("preschool", "higher")
                    else f"{spec.municipality}市立第{rng.randint(1, 9)}学校", d.grade))
                d.income = income
                self._health(rng, d, partners, as_of, support, caseworkers, office_id)
                people.append(d)
            # Care duties: mothers of preschool children; carers of an elderly parent.
            if htype == "single_mother" and any(a < 6 for _, a, _ in members[1:]):
                L.add(pm.CareDuty, (L.new_id(pm.CareDuty), people[-len(members)].id,
                                    "childcare", "未就学児の育児"))
            if amount_months:
                self._amounts(rng, office_id, hid, htype, people[-len(members):], amount_months,
                              started, ended, reason)

        # Enrolment histories.
        for d in people:
            if d.household_type in ("other", "single_mother", "sick") and 15 <= d.age <= 64 \
                    and d.employment in ("not_working", "job_seeking") and d.capacity:
                if rng.random() < 0.45:
                    d.enrol.append("EMP")
                if d.employment == "job_seeking" and rng.random() < 0.2:
                    d.enrol.append("HW")
            if d.psych_months >= 6 and rng.random() < 0.3:
                d.enrol.append("DIS")
            if d.grade == "j3" and rng.random() < 0.6:
                d.enrol.append("HS")
            if d.household_type == "elderly" and d.age >= 65 and rng.random() < 0.04:
                d.enrol.append("ELD")
            if d.chronic and rng.random() < 0.05:
                d.enrol.append("HLT")
            if d.usage == "no_capacity" and 20 <= d.age <= 64 and rng.random() < 0.08:
                d.enrol.append("SOC")
            for code in d.enrol:
                self._episode(rng, office_id, d, prog_by_code[code], supervisors, support)
        self.people_in_buffer = getattr(self, "people_in_buffer", 0) + len(people)

    def _amounts(self, rng: random.Random, office_id: int, hid: int, htype: str,
                 members: list[PersonDraft], months: list[dt.date], started: dt.date,
                 ended: dt.date | None, reason: str) -> None:
        """保護費 and 医療扶助 of one household (jiritsu.people.synthetic_amounts, the demo's rule)."""
        pm, L = self.pm, self.loader
        facts = [Member(d.id, d.age, d.income, d.chronic, d.stay[0] if d.stay else None,
                        bool(d.stay and d.stay[1])) for d in members]
        first = started.replace(day=1)
        for m in household_months(rng, household_type=htype, members=facts,
                                  months=[m for m in months if m >= first], ended_on=ended,
                                  end_reason=reason):
            L.add(pm.AssistanceMonth, (L.new_id(pm.AssistanceMonth), office_id, hid, m.month,
                                       *(m.assistance[f] for f in self.assistance_values), self.now))
            for pid, kind, inst, days, yen in m.claims:
                L.add(pm.MedicalClaimMonth, (L.new_id(pm.MedicalClaimMonth), office_id, pid, m.month,
                                             kind, inst, "", days, None, yen, self.now))

    def _health(self, rng: random.Random, d: PersonDraft, partners: dict[str, list[tuple[int, str]]],
                as_of: dt.date, support: list[int], caseworkers: list[int],
                office_id: int) -> None:
        pm, L = self.pm, self.loader
        htype, age = d.household_type, d.age
        # Disability and illness by household type.
        if htype == "disabled" and d.relationship == "head":
            kind = rng.choices(("mental", "physical", "intellectual"), (45, 35, 20))[0]
            grade = {"mental": rng.choice(("1級", "2級", "3級")),
                     "physical": rng.choice(("1級", "2級", "3級", "4級")),
                     "intellectual": rng.choice(("A", "B"))}[kind]
            cert = {"mental": "精神障害者保健福祉手帳", "physical": "身体障害者手帳",
                    "intellectual": "療育手帳"}[kind]
            L.add(pm.Disability, (L.new_id(pm.Disability), d.id, kind, grade, cert))
            psych_prone = kind == "mental"
        else:
            psych_prone = False
        if htype == "sick" and d.relationship == "head":
            psychiatric = rng.random() < 0.35
            psych_prone = psych_prone or psychiatric
            name = rng.choice(("統合失調症", "うつ病", "双極性障害")) if psychiatric else \
                rng.choice(("糖尿病", "高血圧症", "慢性腎不全", "腰痛症", "肝硬変", "COPD"))
            d.chronic = True
            L.add(pm.Illness, (L.new_id(pm.Illness), d.id, name, True, psychiatric, "通院中",
                               as_of - dt.timedelta(days=rng.randint(200, 5000))))
        elif age >= 50 and rng.random() < 0.25:
            d.chronic = True
            L.add(pm.Illness, (L.new_id(pm.Illness), d.id,
                               rng.choice(("高血圧症", "糖尿病", "脂質異常症", "関節症")), True,
                               False, "通院中", as_of - dt.timedelta(days=rng.randint(200, 5000))))
        # Hospital stays: psychiatric inpatients ≈2.3 % of people (mostly long-term),
        # all inpatients ≈5.5 %.
        if age >= 20:
            p_psych = 0.09 if psych_prone or htype in ("disabled", "sick") else 0.004
            if rng.random() < p_psych:
                months = int(rng.lognormvariate(2.7, 1.0)) if rng.random() < 0.75 else \
                    rng.randint(0, 5)
                months = min(months, 360)
                d.psych_months = months
                admitted = as_of - dt.timedelta(days=months * 30 + rng.randint(1, 29))
                d.stay = (admitted, True)
                pid, pname = rng.choice(partners["psychiatric_hospital"])
                L.add(pm.HospitalStay, (L.new_id(pm.HospitalStay), d.id, pid, pname, True,
                                        admitted, None, ""))
                if not psych_prone:
                    L.add(pm.Illness, (L.new_id(pm.Illness), d.id, "統合失調症", True, True,
                                       "入院中", admitted))
                    d.chronic = True
            elif rng.random() < (0.04 if age >= 65 else 0.015):
                pid, pname = rng.choice(partners["hospital"])
                d.stay = (as_of - dt.timedelta(days=rng.randint(1, 120)), False)
                L.add(pm.HospitalStay, (L.new_id(pm.HospitalStay), d.id, pid, pname, False,
                                        d.stay[0], None, ""))
            elif rng.random() < 0.05:
                admitted = as_of - dt.timedelta(days=rng.randint(150, 3000))
                pid, pname = rng.choice(partners["hospital"])
                L.add(pm.HospitalStay, (L.new_id(pm.HospitalStay), d.id, pid, pname, False,
                                        admitted, admitted + dt.timedelta(days=rng.randint(3, 90)),
                                        "home"))
        # Work-capacity assessments for people of working age who are not at school.
        if 15 <= age <= 64 and d.employment not in ("student",):
            if d.psych_months or (htype == "disabled" and rng.random() < 0.6):
                usage, cap = "no_capacity", False
                barriers = ["illness"] if d.psych_months else ["disability"]
            elif d.employment == "full_time":
                usage, cap, barriers = "fully_used", True, []
            else:
                cap = rng.random() < (0.8 if htype in ("other", "single_mother") else 0.4)
                usage = "not_fully_used" if cap else "no_capacity"
                barriers = [] if cap else [rng.choice(("illness", "disability", "other"))]
                if htype == "single_mother" and rng.random() < 0.3:
                    barriers.append("childcare")
            d.usage, d.capacity = usage, cap
            assessor = rng.choice(caseworkers)
            for n in range(2 if rng.random() < 0.2 else 1):
                L.add(pm.WorkCapacityAssessment, (
                    L.new_id(pm.WorkCapacityAssessment), d.id, office_id,
                    as_of - dt.timedelta(days=rng.randint(10, 300) + 365 * n), cap,
                    cap and rng.random() < 0.7, cap and rng.random() < 0.6, usage, barriers,
                    "主治医意見書・面接による", assessor))

    def _episode(self, rng: random.Random, office_id: int, d: PersonDraft,
                 prog: tuple[Any, ...], supervisors: list[int], support: list[int]) -> None:
        cm, L = self.cm, self.loader
        tpl, pid, vid, phases, menus, outs = prog
        as_of = self.as_of
        actor = d.caseworker_id or supervisors[0]
        eid = L.new_id(cm.Enrollment)
        candidate = as_of - dt.timedelta(days=rng.randint(0, 1100))
        selected = started = planned = ended = None
        status, reason, phase = "candidate", "", None
        events = [(candidate, "", "candidate", "nominate")]
        if candidate + dt.timedelta(days=20) < as_of:
            if rng.random() < 0.12:
                status, reason, ended = "ended", "declined", candidate + dt.timedelta(
                    days=rng.randint(3, 20))
                events.append((ended, "candidate", "ended", "end"))
            else:
                selected = candidate + dt.timedelta(days=rng.randint(5, 20))
                status = "selected"
                events.append((selected, "candidate", "selected", "select"))
        if status == "selected" and selected + dt.timedelta(days=25) < as_of:
            started = selected + dt.timedelta(days=rng.randint(5, 25))
            planned = started + dt.timedelta(days=tpl.standard_months * 30)
            status = "active"
            phase = phases[0]
            events.append((started, "selected", "active", "start"))
            length = int(rng.lognormvariate(5.6, 0.6))  # ~270 days median
            if started + dt.timedelta(days=length) < as_of:
                ended = started + dt.timedelta(days=length)
                status = "ended"
                reason = rng.choices(
                    ("achieved", "not_needed", "suspended", "stopped", "declined",
                     "assistance_ended"), (40, 10, 12, 8, 10, 20))[0]
                events.append((ended, "active", "ended", "end"))
                phase = phases[-1] if reason == "achieved" else rng.choice(phases)
            else:
                phase = phases[min(len(phases) - 1, (as_of - started).days // 120)]
        lead = rng.choice(support) if tpl.code in ("DIS", "HLT", "EMP") else None
        L.add(cm.Enrollment, (eid, office_id, d.id, pid, vid, status, reason, phase, candidate,
                              selected, started, planned, ended, lead,
                              _aware(candidate, rng)))
        prev = None
        for occurred, frm, to, action in events:
            L.add(cm.EnrollmentEvent, (L.new_id(cm.EnrollmentEvent), eid, occurred, frm, to,
                                       action, actor))
            prev = occurred
        del prev
        if started is None:
            return
        for m in rng.sample(menus, k=min(len(menus), rng.randint(1, 2))):
            L.add(cm.Enrollment.menus.through, (L.new_id(cm.Enrollment.menus.through), eid, m))
        if tpl.consent_required:
            L.add(cm.Consent, (L.new_id(cm.Consent), office_id, d.id, pid,
                               started - dt.timedelta(days=rng.randint(0, 4)), "written", actor))
        plan = L.new_id(cm.Plan)
        L.add(cm.Plan, (plan, eid, 1, started, f"{tpl.name}の計画に基づき支援する。", actor))
        final = ended or as_of
        for order, text in enumerate(("目標を本人と確認し、段階的に取り組む。",
                                      "月1回以上の面接で状況を確認する。"), start=1):
            achievement = ""
            if status == "ended":
                achievement = "achieved" if reason == "achieved" else rng.choice(("partly", "not"))
            L.add(cm.PlanGoal, (L.new_id(cm.PlanGoal), plan, order, text,
                                started + dt.timedelta(days=90 * order), achievement))
        # Records: about one a month while supported, by the caseworker or support staff.
        span = (final - started).days
        n_records = max(1, min(36, int(span / 30 * rng.uniform(0.9, 1.6))))
        for _ in range(n_records):
            day = started + dt.timedelta(days=rng.randint(0, max(span, 0)))
            at = _aware(day, rng)
            L.add(cm.ActivityRecord, (L.new_id(cm.ActivityRecord), office_id, d.id, eid, at,
                                      rng.choice(tpl.record_kinds), rng.choice(tpl.record_texts),
                                      rng.choice((15, 30, 45, 60, 90)),
                                      lead if lead and rng.random() < 0.5 else actor, at))
        # Reviews at the program's interval.
        step = tpl.review_months * 30
        day = started + dt.timedelta(days=step)
        while day <= final:
            nxt = day + dt.timedelta(days=step)
            decision = "continue"
            if status == "ended" and nxt > final:
                decision = "achieved" if reason == "achieved" else "stop"
            L.add(cm.Review, (L.new_id(cm.Review), eid, day, "計画に沿って取り組んでいる。",
                              decision, nxt if decision == "continue" else None,
                              rng.choice(supervisors)))
            day = nxt
        # Outcomes: every achieved episode, and some employment starts along the way.
        if reason == "achieved":
            oid, kind = outs[0] if rng.random() < 0.7 else rng.choice(outs)
            self._outcome(rng, eid, oid, kind, ended, actor)
        elif status == "active" and tpl.code in ("EMP", "HW") and rng.random() < 0.2:
            oid, kind = outs[0]
            self._outcome(rng, eid, oid, kind, self.day_between(rng, started, as_of), actor)

    def _outcome(self, rng: random.Random, eid: int, oid: int, kind: str, day: dt.date,
                 actor: int) -> None:
        from bench.names import EMPLOYERS

        cm, L = self.cm, self.loader
        work = kind in ("employment_start", "income_increase", "closed_by_work")
        L.add(cm.Outcome, (L.new_id(cm.Outcome), eid, oid, kind, day,
                           rng.choice(EMPLOYERS) if work else "",
                           rng.randint(50, 200) * 1000 if work else None,
                           rng.choice(("home", "apartment", "group_home", "facility"))
                           if kind == "discharge" else "",
                           "県立高等学校" if kind == "high_school" else "", actor))

    # -- driver ----------------------------------------------------------------------------
    def run(self, *, chunk_people: int = 150_000, progress: bool = True) -> dict[str, Any]:
        started = time.perf_counter()
        gen_seconds = 0.0
        self.people_in_buffer = 0
        done_hh = 0
        total_hh = sum(s.households for s in self.specs)
        for spec in self.specs:
            t0 = time.perf_counter()
            self.office(spec)
            gen_seconds += time.perf_counter() - t0
            done_hh += spec.households
            if self.people_in_buffer >= chunk_people:
                self.loader.flush()
                self.people_in_buffer = 0
                if progress:
                    print(f"  … {done_hh:,}/{total_hh:,} households, "
                          f"{time.perf_counter() - started:,.0f} s", flush=True)
        self.loader.flush()
        # COPY sends no signals: store each active episode's next review date (the rule in
        # jiritsu.cases.selectors, as the application keeps it on every change).
        t0 = time.perf_counter()
        from jiritsu.cases.models import Enrollment
        from jiritsu.cases.next_review import refresh_all

        refresh_all(Enrollment._base_manager.filter(status=Enrollment.Status.ACTIVE))
        next_review_seconds = time.perf_counter() - t0
        self.loader.finish()
        return {
            "size": self.size,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "offices": len(self.specs),
            "seconds_total": round(time.perf_counter() - started, 1),
            "seconds_generating": round(gen_seconds, 1),
            "seconds_loading": round(self.loader.copy_seconds, 1),
            "seconds_next_review": round(next_review_seconds, 1),
            "seconds_fk_check": round(getattr(self.loader, "fk_check_seconds", 0.0), 1),
            "seconds_analyze": round(getattr(self.loader, "analyze_seconds", 0.0), 1),
            "rows": dict(self.loader.totals),
            "rows_total": sum(self.loader.totals.values()),
        }


def _pg_url_parts(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return base, name.split("?")[0]


def fresh_database(url: str) -> None:
    """Drop and create the PostgreSQL database named in ``url`` (bench databases only)."""
    import psycopg

    base, name = _pg_url_parts(url)
    if not name.startswith("jiritsu_bench"):
        raise SystemExit(f"--fresh only recreates jiritsu_bench_* databases, not {name!r}")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(*, size: str, seed: int = 1, as_of: dt.date | None = None,
             offices: int | None = None, households: int | None = None,
             progress: bool = True) -> dict[str, Any]:
    """Generate into the configured default database (Django must be set up)."""
    from django.db import connection

    if size != "demo" and connection.vendor != "postgresql":
        raise SystemExit("large and national sizes need PostgreSQL (set DATABASE_URL)")
    gen = Generator(size=size, seed=seed, as_of=as_of or clock.today(), offices=offices,
                    households=households)
    from jiritsu.offices.models import Office

    codes = [s.code for s in gen.specs]
    if Office.objects.filter(code__in=codes[:1]).exists():
        raise SystemExit(f"office {codes[0]} already exists here; use a fresh database (--fresh)")
    return gen.run(progress=progress)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="demo")
    parser.add_argument("--offices", type=int, default=None,
                        help="number of offices (national size; default 1244)")
    parser.add_argument("--households", type=int, default=None,
                        help="total households instead of the size's default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default=None, help="ISO date the data is as of (default today)")
    parser.add_argument("--database-url", default=None,
                        help="database to fill (default: DATABASE_URL, else the SQLite dev db)")
    parser.add_argument("--fresh", action="store_true",
                        help="drop and recreate the (jiritsu_bench_*) PostgreSQL database and "
                             "migrate it first")
    parser.add_argument("--summary", default=None, help="write the summary JSON to this file")
    args = parser.parse_args(argv)
    url = args.database_url or os.environ.get("DATABASE_URL")
    if args.fresh:
        if not url or not url.startswith("postgres"):
            raise SystemExit("--fresh needs a PostgreSQL --database-url")
        fresh_database(url)
    _setup_django(url)
    if args.fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    summary = generate(size=args.size, seed=args.seed,
                       as_of=dt.date.fromisoformat(args.as_of) if args.as_of else None,
                       offices=args.offices, households=args.households)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    print(text)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
