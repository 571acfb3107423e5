"""Screening on medical evidence: the latest statement on each question counts while it is in
force; expired, replaced and other offices' evidence never lets anyone in."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.core.errors import ValidationFailed
from jiritsu.people.models import HospitalStay, MedicalEvidence
from jiritsu.programs import screening
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 10)
D = dt.date


def ev(person, **kw):
    kw.setdefault("kind", "opinion")
    kw.setdefault("issued_on", D(2026, 3, 1))
    return MedicalEvidence.objects.create(person=person, **kw)


def inpatient(office, name):
    hh = t.make_household(office, assistance_started_on=D(2020, 4, 1))
    p = t.make_person(office, household=hh, name=name, member_number=1)
    HospitalStay.objects.create(person=p, hospital_name="こころ病院", psychiatric=True,
                                admitted_on=D(2024, 1, 10))
    return p


DISCHARGE_RULE = {"op": "and", "conditions": [
    {"field": "psychiatric_stay_months", "op": "gte", "value": 3},
    {"op": "or", "conditions": [
        {"field": "medical.hospitalisation", "op": "in", "value": ["not_required"]},
        {"field": "medical.discharge", "op": "in", "value": ["possible", "if_supported"]},
    ]},
]}


def test_latest_opinion_saying_discharge_possible_matches_with_reason(world):
    o = world.office
    ready = inpatient(o, "退院 可能")
    ev(ready, issuer="こころ病院 山田医師", discharge="possible", next_due_on=D(2026, 9, 1))
    expired = inpatient(o, "期限 切れ")
    ev(expired, hospitalisation="not_required", issued_on=D(2025, 10, 1),
       next_due_on=D(2026, 4, 1))
    replaced = inpatient(o, "入院 継続")
    ev(replaced, discharge="possible", issued_on=D(2026, 1, 10), next_due_on=D(2026, 7, 10))
    ev(replaced, kind="consultation", issued_on=D(2026, 5, 20), issuer="嘱託医 佐々木",
       hospitalisation="required", discharge="not_yet")
    no_evidence = inpatient(o, "根拠 なし")
    ev(no_evidence, kind="receipt", finding="服薬のみ")
    theirs = inpatient(world.other_office, "他市 太郎")
    ev(theirs, discharge="possible")
    program = make_program(o, rules=DISCHARGE_RULE)
    assert [p.name for p in screening.matching(program, AS_OF)] == ["退院 可能"]
    pv = screening.preview(program, AS_OF)
    (cand,) = pv.candidates
    assert any(r.startswith("医療要否意見書（令和8年3月1日、こころ病院 山田医師、次回期限 令和8年9月1日）：退院可能")
               for r in cand.reasons), cand.reasons
    assert pv.counts[1].alone == 1
    # On a day the expired one was still in force, it counts.
    assert "期限 切れ" in [p.name for p in screening.matching(program, D(2026, 3, 31))]


def test_work_possible_in_the_last_six_months(world):
    o = world.office
    hh = t.make_household(o, assistance_started_on=D(2020, 4, 1))
    recent = t.make_person(o, household=hh, name="就労 可", member_number=1)
    ev(recent, kind="doctor_inquiry", issued_on=D(2026, 3, 15), work="limited",
       work_limits="軽作業のみ")
    old = t.make_person(o, household=hh, name="古い 所見", member_number=2)
    ev(old, kind="treatment_report", issued_on=D(2025, 10, 1), work="possible")
    revoked = t.make_person(o, household=hh, name="不可 に変更", member_number=3)
    ev(revoked, kind="treatment_report", issued_on=D(2026, 4, 1), work="possible")
    ev(revoked, kind="condition_survey", issued_on=D(2026, 5, 1), work="not_possible")
    program = make_program(o, rules={"op": "and", "conditions": [
        {"field": "medical.work_able_within_months", "op": "lte", "value": 6}]})
    assert [p.name for p in screening.matching(program, AS_OF)] == ["就労 可"]
    (cand,) = screening.preview(program, AS_OF).candidates
    assert "主治医への照会（令和8年3月15日）：就労可（制限あり）（制限：軽作業のみ）" in cand.reasons


def test_opinion_in_force_and_validation(world):
    o = world.office
    hh = t.make_household(o, assistance_started_on=D(2020, 4, 1))
    valid = t.make_person(o, household=hh, name="有効 意見書", member_number=1)
    ev(valid, next_due_on=D(2026, 8, 1), care_setting="outpatient")
    lapsed = t.make_person(o, household=hh, name="失効 意見書", member_number=2)
    ev(lapsed, next_due_on=D(2026, 6, 9))
    program = make_program(o, rules={"op": "and", "conditions": [
        {"field": "medical.opinion_in_force", "op": "is", "value": True}]})
    assert [p.name for p in screening.matching(program, AS_OF)] == ["有効 意見書"]
    assert screening.describe_rules(program.rules) == ["有効な医療要否意見書がある"]
    with pytest.raises(ValidationFailed):
        screening.validate_rules({"op": "and", "conditions": [
            {"field": "medical.work", "op": "in", "value": ["maybe"]}]})
    with pytest.raises(ValidationFailed):
        screening.validate_rules({"op": "and", "conditions": [
            {"field": "medical.work_able_within_months", "op": "lte", "value": 0}]})
