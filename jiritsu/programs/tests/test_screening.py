"""Screening rules: data in, database query out, reasons in Japanese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services as case_services
from jiritsu.cases.models import Enrollment
from jiritsu.cases.testing import make_consent
from jiritsu.core.errors import ValidationFailed
from jiritsu.people.models import (
    CareDuty,
    Disability,
    HospitalStay,
    HouseholdType,
    Person,
    WorkCapacityAssessment,
)
from jiritsu.programs import screening, services
from jiritsu.programs.models import LedgerEntry, Nomination
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 11, 1)


@pytest.fixture
def population(world):
    """A small known population in office A (plus the world's person)."""
    o = world.office
    hh1 = t.make_household(o, caseworker=world.caseworker, household_type=HouseholdType.DISABLED,
                           district="北地区", assistance_started_on=dt.date(2020, 4, 1))
    inpatient = t.make_person(o, household=hh1, name="入院 長男", kana="にゅういん ちょうなん",
                              birth_date=dt.date(1975, 6, 1), member_number=1)
    HospitalStay.objects.create(person=inpatient, hospital_name="こころ病院", psychiatric=True,
                                admitted_on=dt.date(2024, 7, 10))
    Disability.objects.create(person=inpatient, kind=Disability.Kind.MENTAL, grade="2級")

    hh2 = t.make_household(o, caseworker=world.caseworker, household_type=HouseholdType.OTHER,
                           district="南地区", assistance_started_on=dt.date(2025, 10, 1))
    seeker = t.make_person(o, household=hh2, name="求職 次郎", kana="きゅうしょく じろう",
                           birth_date=dt.date(1990, 1, 15), member_number=1,
                           employment_status=Person.EmploymentStatus.JOB_SEEKING)
    WorkCapacityAssessment.objects.create(
        person=seeker, assessed_on=dt.date(2024, 1, 1), has_capacity=False, has_will=False,
        has_place=False, usage=WorkCapacityAssessment.Usage.NO_CAPACITY)
    WorkCapacityAssessment.objects.create(
        person=seeker, assessed_on=dt.date(2025, 9, 1), has_capacity=True, has_will=True,
        has_place=True, usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED)

    hh3 = t.make_household(o, household_type=HouseholdType.SINGLE_MOTHER, district="北地区",
                           assistance_started_on=dt.date(2019, 4, 1))
    mother = t.make_person(o, household=hh3, name="母子 花子", kana="ぼし はなこ",
                           sex=Person.Sex.FEMALE, birth_date=dt.date(1988, 3, 3),
                           member_number=1, employment_status=Person.EmploymentStatus.PART_TIME,
                           earned_income=52000)
    CareDuty.objects.create(person=mother, kind=CareDuty.Kind.CHILDCARE, detail="小学生2人")
    pupil = t.make_person(o, household=hh3, name="母子 一郎", kana="ぼし いちろう",
                          birth_date=dt.date(2011, 5, 5), member_number=2,
                          relationship=Person.Relationship.CHILD, school_grade="j3",
                          employment_status=Person.EmploymentStatus.STUDENT)
    # Former recipient: not in the population unless the program takes non-recipients.
    hh4 = t.make_household(o, household_type=HouseholdType.OTHER,
                           assistance_started_on=dt.date(2015, 1, 1),
                           assistance_ended_on=dt.date(2023, 1, 1))
    former = t.make_person(o, household=hh4, name="廃止 三郎", kana="はいし さぶろう",
                           birth_date=dt.date(1985, 1, 1), member_number=1)
    return {"inpatient": inpatient, "seeker": seeker, "mother": mother, "pupil": pupil,
            "former": former}


def names(qs):
    return sorted(p.name for p in qs)


def test_long_term_psychiatric_inpatients_match_with_reasons(world, population):
    program = make_program(world.office, rules={"op": "and", "conditions": [
        {"field": "psychiatric_stay_months", "op": "gte", "value": 3},
        {"field": "disability", "op": "in", "value": ["mental"]},
    ]})
    pv = screening.preview(program, AS_OF)
    assert [c.person.name for c in pv.candidates] == ["入院 長男"]
    reasons = pv.candidates[0].reasons
    assert reasons[0] == "精神科入院 1年3か月（令和6年7月〜、こころ病院）"
    assert reasons[1] == "障害 精神障害 2級"
    assert pv.population == 5  # on assistance on AS_OF (former recipient excluded)


def test_each_condition_counts_alone_and_running(world, population):
    program = make_program(world.office, rules={"op": "and", "conditions": [
        {"field": "age", "op": "between", "value": [15, 64]},
        {"field": "district", "op": "in", "value": ["北地区"]},
        {"field": "employment_status", "op": "in", "value": ["part_time", "not_working"]},
    ]})
    pv = screening.preview(program, AS_OF)
    # ages on AS_OF: inpatient 50, seeker 35, mother 37, pupil 14, world person 45
    assert [(c.alone, c.running) for c in pv.counts] == [(4, 4), (3, 2), (3, 2)]
    assert names(c.person for c in pv.candidates) == ["入院 長男", "母子 花子"]
    assert pv.counts[0].label == "年齢が15歳以上64歳以下"


def test_or_groups_nested_and_reasons_only_for_what_matched(world, population):
    program = make_program(world.office, rules={"op": "or", "conditions": [
        {"field": "school_grade", "op": "in", "value": ["j3"]},
        {"op": "and", "conditions": [
            {"field": "capacity.has_capacity", "op": "is", "value": True},
            {"field": "assistance_started_within_days", "op": "lte", "value": 60},
        ]},
    ]})
    pv = screening.preview(program, AS_OF)
    by_name = {c.person.name: c.reasons for c in pv.candidates}
    assert set(by_name) == {"母子 一郎", "求職 次郎"}
    assert by_name["母子 一郎"] == ["学年 中学3年"]
    assert by_name["求職 次郎"] == ["稼働能力あり（令和7年9月1日評価）",
                                "保護開始 令和7年10月1日（31日前）"]
    assert [(c.alone, c.running) for c in pv.counts] == [(1, 1), (1, 2)]


def test_latest_assessment_is_the_one_that_counts(world, population):
    program = make_program(world.office, allows_non_recipients=True, rules={
        "op": "and", "conditions": [{"field": "capacity.usage", "op": "in",
                                     "value": ["no_capacity"]}]})
    assert list(screening.matching(program, AS_OF)) == []
    assert list(screening.matching(program, dt.date(2024, 6, 1))) == [population["seeker"]]


def test_household_earner_care_duty_sex_income_fields(world, population):
    def match(*conds, op="and"):
        program = make_program(world.office, rules={"op": op, "conditions": list(conds)})
        return names(screening.matching(program, AS_OF))

    assert match({"field": "household_has_earner", "op": "is", "value": True}) == sorted([
        "母子 一郎", "母子 花子"])
    assert match({"field": "care_duty", "op": "in", "value": ["childcare"]}) == ["母子 花子"]
    assert match({"field": "sex", "op": "in", "value": ["female"]},
                 {"field": "earned_income", "op": "between", "value": [1, 80000]}) == ["母子 花子"]
    assert match({"field": "household_type", "op": "not_in",
                  "value": ["single_mother", "disabled"]}) == sorted(["求職 次郎", "髙橋 𠮷子"])
    assert match({"field": "hospital_stay", "op": "is", "value": True}) == ["入院 長男"]
    assert match({"field": "disability", "op": "none"}) == sorted([
        "求職 次郎", "母子 一郎", "母子 花子", "髙橋 𠮷子"])


def test_non_recipients_are_screened_only_when_the_program_takes_them(world, population):
    rules = {"op": "and", "conditions": [{"field": "on_assistance", "op": "is", "value": False}]}
    closed = make_program(world.office, rules=rules)
    open_ = make_program(world.office, rules=rules, allows_non_recipients=True)
    assert names(screening.matching(closed, AS_OF)) == []
    assert names(screening.matching(open_, AS_OF)) == ["廃止 三郎"]


def test_other_office_people_never_screened(world, population):
    program = make_program(world.office, rules={"op": "and", "conditions": [
        {"field": "age", "op": "gte", "value": 0}]})
    assert world.other_person.pk not in {p.pk for p in screening.matching(program, AS_OF)}


@pytest.mark.parametrize(("rules", "fragment"), [
    ({"op": "and", "conditions": [{"field": "shoe_size", "op": "eq", "value": 26}]},
     "項目「shoe_size」は選定条件に使えません"),
    ({"op": "and", "conditions": [{"field": "age", "op": "gte", "value": "四十"}]},
     "条件1（年齢）：0〜130 の整数で指定してください"),
    ({"op": "and", "conditions": [{"field": "age", "op": "between", "value": [64, 15]}]},
     "下限が上限より大きくなっています"),
    ({"op": "xor", "conditions": []}, "組み合わせ方「xor」は使えません"),
    ({"op": "and", "conditions": [{"field": "sex", "op": "gte", "value": ["male"]}]},
     "比較方法「gte」は使えません"),
    ({"op": "and", "conditions": [{"field": "school_grade", "op": "in", "value": ["j4"]}]},
     "「j4」は使えない値です"),
    ({"op": "and", "conditions": [{"op": "or", "conditions": [
        {"field": "district", "op": "in", "value": [""]}]}]}, "条件1-1（地区）"),
])
def test_invalid_rules_are_refused_with_japanese_messages(world, rules, fragment):
    with pytest.raises(ValidationFailed) as exc:
        screening.validate_rules(rules)
    assert fragment in exc.value.message
    assert exc.value.field == "rules"


def test_saving_invalid_rules_through_the_service_changes_nothing(world):
    program = make_program(world.office)
    with pytest.raises(ValidationFailed):
        services.program_set_rules(actor=world.m(world.manager), program=program,
                                   rules={"op": "and", "conditions": [{"field": "x"}]},
                                   expected_version=program.version)
    program.refresh_from_db()
    assert program.rules == {} and program.current_version == 1


def test_preview_runs_in_a_fixed_number_of_queries(world, population):
    program = make_program(world.office, rules={"op": "or", "conditions": [
        {"field": "psychiatric_stay_months", "op": "gte", "value": 3},
        {"field": "capacity.has_will", "op": "is", "value": True},
        {"field": "care_duty", "op": "is", "value": True},
        {"field": "disability", "op": "any"},
    ]})
    with CaptureQueriesContext(connection) as ctx:
        pv = screening.preview(program, AS_OF)
    small = len(ctx.captured_queries)
    for i in range(10):
        hh = t.make_household(world.office, assistance_started_on=dt.date(2020, 1, 1))
        p = t.make_person(world.office, household=hh, member_number=1)
        CareDuty.objects.create(person=p, kind=CareDuty.Kind.NURSING_CARE, detail=f"母{i}")
    with CaptureQueriesContext(connection) as ctx:
        pv = screening.preview(program, AS_OF)
    assert len(ctx.captured_queries) == small <= 9
    assert pv.total == 13


def test_nominations_appear_whether_or_not_rules_select(world, population):
    program = make_program(world.office, rules={"op": "and", "conditions": [
        {"field": "psychiatric_stay_months", "op": "gte", "value": 3}]})
    cw = world.m(world.caseworker)
    case_services.nomination_record(actor=cw, program=program, person=population["mother"],
                               source=Nomination.Source.DOCTOR, nominated_by="山本医師",
                               nominated_on=dt.date(2025, 10, 20), note="退院可能と判断")
    case_services.nomination_record(actor=cw, program=program, person=population["inpatient"],
                               source=Nomination.Source.COUNCIL, nominated_by="峡東圏域協議会",
                               nominated_on=dt.date(2025, 10, 21))
    pv = screening.preview(program, AS_OF)
    by_name = {c.person.name: c for c in pv.candidates}
    assert by_name["母子 花子"].matched is False
    assert by_name["母子 花子"].reasons == ["推薦：主治医 山本医師（令和7年10月20日）"]
    assert by_name["入院 長男"].matched and by_name["入院 長男"].nominated
    ledger = case_services.ledger_save(actor=cw, program=program, as_of=AS_OF)
    entries = {e.person.name: e for e in LedgerEntry.objects.filter(ledger=ledger)}
    assert set(entries) == {"入院 長男", "母子 花子"}
    assert entries["母子 花子"].nominated and entries["入院 長男"].reasons[0].startswith("精神科入院")
    assert AuditEvent.objects.filter(action="screening.ledger_save").count() == 1
    assert AuditEvent.objects.filter(action="nomination.record").count() == 2


def test_rerun_flags_participants_who_no_longer_match_and_changes_nothing_else(world,
                                                                                population):
    program = make_program(world.office, consent_required=False, rules={"op": "and", "conditions": [
        {"field": "psychiatric_stay_months", "op": "gte", "value": 3}]})
    cw = world.m(world.caseworker)
    inpatient = population["inpatient"]
    e = case_services.enrollment_create(actor=cw, person=inpatient, program=program,
                                   on=dt.date(2025, 9, 1))
    case_services.enrollment_start(actor=cw, enrollment=e, on=dt.date(2025, 9, 1))
    assert case_services.flag_non_matching(actor=cw, program=program, as_of=AS_OF) == 0
    HospitalStay.objects.filter(person=inpatient).update(discharged_on=dt.date(2025, 10, 15))
    assert case_services.flag_non_matching(actor=cw, program=program, as_of=AS_OF) == 1
    e.refresh_from_db()
    assert e.flagged_no_longer_matching == AS_OF
    assert e.status == Enrollment.Status.ACTIVE and e.ended_on is None
    assert AuditEvent.objects.filter(action="enrollment.flag_no_longer_matching",
                                     person_id=inpatient.pk).exists()


def test_participants_keep_reasons_from_consentless_rules(world, population):
    """A consent given to a partner does not change who matches (rules are about the person)."""
    program = make_program(world.office, rules={"op": "and", "conditions": [
        {"field": "school_grade", "op": "in", "value": ["j3"]}]})
    make_consent(population["pupil"], program, recorded_by=world.caseworker,
                 partners=[world.partner_org])
    assert names(screening.matching(program, AS_OF)) == ["母子 一郎"]


def test_a_page_of_the_preview_words_reasons_for_that_page_only(world, population):
    program = make_program(world.office, rules={"op": "or", "conditions": [
        {"field": "care_duty", "op": "is", "value": True},
        {"field": "disability", "op": "any"},
    ]})
    for i in range(7):
        hh = t.make_household(world.office, assistance_started_on=dt.date(2020, 1, 1))
        p = t.make_person(world.office, household=hh, member_number=1, kana=f"かいご {i}")
        CareDuty.objects.create(person=p, kind=CareDuty.Kind.NURSING_CARE, detail=f"母{i}")
    everyone = screening.preview(program, AS_OF)
    assert everyone.total == 9
    pages = [screening.preview(program, AS_OF, limit=4, offset=o) for o in (0, 4, 8)]
    assert [len(pv.candidates) for pv in pages] == [4, 4, 1]
    assert all(pv.total == 9 and pv.counts == everyone.counts for pv in pages)
    assert [c.person.pk for pv in pages for c in pv.candidates] == [
        c.person.pk for c in everyone.candidates]
    assert [c.reasons for pv in pages for c in pv.candidates] == [
        c.reasons for c in everyone.candidates]


def test_ledger_candidates_word_every_reason_in_chunks_of_bounded_queries(world, population):
    program = make_program(world.office, rules={"op": "or", "conditions": [
        {"field": "psychiatric_stay_months", "op": "gte", "value": 3},
        {"field": "capacity.has_will", "op": "is", "value": True},
        {"field": "care_duty", "op": "is", "value": True},
    ]})
    case_services.nomination_record(actor=world.m(world.caseworker), program=program,
                               person=population["pupil"], source=Nomination.Source.OTHER,
                               nominated_by="中学校", nominated_on=dt.date(2025, 10, 1))
    for i in range(5):
        hh = t.make_household(world.office, assistance_started_on=dt.date(2020, 1, 1))
        p = t.make_person(world.office, household=hh, member_number=1)
        CareDuty.objects.create(person=p, kind=CareDuty.Kind.NURSING_CARE, detail=f"母{i}")
    pv = screening.preview(program, AS_OF)
    with CaptureQueriesContext(connection) as ctx:
        got = screening.ledger_candidates(program, AS_OF, chunk_size=3)
    # ids + nominations, then per chunk (3 chunks of the 8 matches, 1 of nominated only):
    # the people with leaf columns + 3 prefetches (stays, assessments, care duties)
    assert len(ctx.captured_queries) <= 2 + 4 * 4
    assert [(c.person.pk, c.matched, c.reasons) for c in got] == [
        (c.person.pk, c.matched, c.reasons) for c in pv.candidates]
    assert got[-1].matched is False and got[-1].reasons[0].startswith("推薦：")
