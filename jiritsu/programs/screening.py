"""Screening (支援対象者の選定): eligibility rules as data, run as database queries.

A program's ``rules`` is a JSON tree::

    {"op": "and" | "or", "conditions": [
        {"field": "age", "op": "between", "value": [15, 64]},
        {"field": "psychiatric_stay_months", "op": "gte", "value": 3},
        {"op": "or", "conditions": [...]},          # nested group
    ]}

Each leaf becomes a Django ``Q`` (scalar columns, or ``Exists`` subqueries for
rows a person has many of), so the whole rule runs in one SQL statement and the
database never returns anyone who does not match. :data:`FIELDS` is the one list
of what a rule may ask; ``jiritsu/programs/README.md`` documents it for users.

Why a person matches is answered from the database too: every leaf is annotated
as a boolean on the candidate rows, and only the *wording* of the reason (dates,
hospital names) comes from prefetched rows.

Size (over 600 lines): the field table (:data:`FIELDS` with each field's query, description
and reason functions), rule validation, translation to SQL and the preview all read the same
table and private helpers, so a rule field is added in one module. The split would be
``screening/fields.py`` (the table) and ``screening/run.py`` (validation, preview, ledgers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from jiritsu.core.errors import ValidationFailed
from jiritsu.core.wareki import add_months, age_on, format_wareki, format_wareki_month
from jiritsu.offices.models import Office
from jiritsu.people.models import (
    CareDuty,
    Disability,
    HospitalStay,
    HouseholdType,
    MedicalEvidence,
    Person,
    WorkCapacityAssessment,
)
from jiritsu.programs.models import Nomination

WORKING_STATUSES = (
    Person.EmploymentStatus.FULL_TIME,
    Person.EmploymentStatus.PART_TIME,
    Person.EmploymentStatus.SELF_EMPLOYED,
)

OP_LABELS = {
    "eq": "が次と同じ", "in": "がいずれか", "not_in": "がいずれでもない", "gte": "以上",
    "lte": "以下", "between": "の範囲", "is": "", "any": "あり", "none": "なし",
}


# ---------------------------------------------------------------- value checks

def _int(value: Any, lo: int = 0, hi: int = 10_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{lo}〜{hi:,} の整数で指定してください。")
    return value


def _pair(value: Any, lo: int, hi: int) -> tuple[int, int]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("下限と上限の2つの値で指定してください。")
    a, b = _int(value[0], lo, hi), _int(value[1], lo, hi)
    if a > b:
        raise ValueError("下限が上限より大きくなっています。")
    return a, b


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("「はい」（true）か「いいえ」（false）で指定してください。")
    return value


def _choices(allowed: dict[str, str]) -> Callable[[Any], list[str]]:
    def check(value: Any) -> list[str]:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple) or not values:
            raise ValueError("1つ以上の値を指定してください。")
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(
                f"「{'、'.join(map(str, bad))}」は使えない値です。使える値："
                + "、".join(f"{k}（{v}）" for k, v in allowed.items())
            )
        return list(values)

    return check


def _free_text_list(value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not values or not all(
        isinstance(v, str) and v.strip() for v in values
    ):
        raise ValueError("地区名を1つ以上、文字列で指定してください。")
    return [v.strip() for v in values]


@dataclass(frozen=True)
class Value:
    """What a condition's value is: how it is checked, and how a form asks for it.

    ``kind`` is one of ``none`` (no value), ``int``, ``range`` (lower and upper bound),
    ``bool``, ``choices`` (one or more of ``choices``) and ``text_list`` (free words, such
    as district names). The program editor builds its inputs from these (programs.rule_form).
    """

    do_not_call_in_templates: ClassVar[bool] = True  # templates read it; checking is a call

    kind: str
    lo: int = 0
    hi: int = 10_000_000
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()

    def __call__(self, value: Any) -> Any:
        if self.kind == "none":
            return None
        if self.kind == "int":
            return _int(value, self.lo, self.hi)
        if self.kind == "range":
            return _pair(value, self.lo, self.hi)
        if self.kind == "bool":
            return _bool(value)
        if self.kind == "choices":
            return _choices(dict(self.choices))(value)
        return _free_text_list(value)


NO_VALUE = Value("none")
YES_NO = Value("bool")
TEXT_LIST = Value("text_list")


def _number(lo: int, hi: int, unit: str) -> Value:
    return Value("int", lo, hi, unit)


def _range(lo: int, hi: int, unit: str) -> Value:
    return Value("range", lo, hi, unit)


def _one_of(choices: dict[str, str]) -> Value:
    return Value("choices", choices=tuple(choices.items()))


# How each comparison reads in the program editor's list of comparisons.
OP_INPUT_LABELS = {
    "between": "範囲（以上・以下）", "gte": "以上", "lte": "以下", "in": "いずれかに当たる",
    "not_in": "いずれにも当たらない", "eq": "次と同じ", "is": "あり・なし",
    "any": "あり（種類を問わない）", "none": "なし",
}


# ---------------------------------------------------------------- field table

@dataclass(frozen=True)
class FieldSpec:
    """One thing a rule may ask about a person."""

    label: str
    ops: dict[str, Value]  # op → what its value is (checking returns the clean value)
    build: Callable[[str, Any, dt.date], Q]
    describe: Callable[[str, Any], str]
    prefetch: tuple[str, ...] = ()
    reason: Callable[[Person, str, Any, dt.date], str] | None = None


def _months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{years}年{rest}か月"
    if years:
        return f"{years}年"
    return f"{rest}か月"


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _current_stays(person: Person, as_of: dt.date, psychiatric: bool | None) -> list[HospitalStay]:
    stays = [
        s for s in person.hospital_stays.all()
        if s.admitted_on <= as_of and (s.discharged_on is None or s.discharged_on > as_of)
        and (psychiatric is None or s.psychiatric == psychiatric)
    ]
    return sorted(stays, key=lambda s: s.admitted_on)


def _latest_assessment(person: Person, as_of: dt.date) -> WorkCapacityAssessment | None:
    rows = [a for a in person.assessments.all() if a.assessed_on <= as_of]
    return max(rows, key=lambda a: (a.assessed_on, a.id), default=None)


def _labels(choices: dict[str, str], values: Iterable[str]) -> str:
    return "・".join(choices.get(v, v) for v in values)


# --- age
def _age_q(op: str, value: Any, as_of: dt.date) -> Q:
    def born_on_or_before(age: int) -> Q:  # age >= n
        return Q(birth_date__lte=add_months(as_of, -12 * age))

    def born_after(age: int) -> Q:  # age <= n
        return Q(birth_date__gt=add_months(as_of, -12 * (age + 1)))

    if op == "gte":
        return born_on_or_before(value)
    if op == "lte":
        return born_after(value)
    return born_on_or_before(value[0]) & born_after(value[1])


def _age_describe(op: str, value: Any) -> str:
    if op == "between":
        return f"年齢が{value[0]}歳以上{value[1]}歳以下"
    return f"年齢が{value}歳{OP_LABELS[op]}"


def _age_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    return f"年齢 {age_on(p.birth_date, as_of)}歳"


# --- generic choice fields on Person / Household
def _choice_field(column: str, label: str, choices: dict[str, str],
                  attr: Callable[[Person], str]) -> FieldSpec:
    check = _one_of(choices)

    def build(op: str, value: Any, as_of: dt.date) -> Q:
        q = Q(**{f"{column}__in": value})
        if op == "not_in":
            # People without the attribute (e.g. no household) do not match "not in" either.
            return ~q & Q(**{f"{column}__isnull": False})
        return q

    def describe(op: str, value: Any) -> str:
        return f"{label}が{_labels(choices, value)}{'のいずれでもない' if op == 'not_in' else ''}"

    def reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
        return f"{label} {choices.get(attr(p), attr(p)) or '―'}"

    return FieldSpec(label, {"in": check, "not_in": check, "eq": check}, build, describe,
                     (), reason)


# --- disability
_DISABILITY = dict(Disability.Kind.choices)


def _disability_q(op: str, value: Any, as_of: dt.date) -> Q:
    rows = Disability.objects.filter(person=OuterRef("pk"))
    if op == "none":
        return ~Q(Exists(rows))
    if op == "in":
        rows = rows.filter(kind__in=value)
    return Q(Exists(rows))


def _disability_describe(op: str, value: Any) -> str:
    if op == "none":
        return "障害なし"
    if op == "any":
        return "障害あり（種別を問わない）"
    return f"障害（{_labels(_DISABILITY, value)}）あり"


def _disability_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    rows = list(p.disabilities.all())
    if op == "none" or not rows:
        return "障害なし"
    if op == "in":
        rows = [d for d in rows if d.kind in value]
    return "障害 " + "、".join(
        f"{d.get_kind_display()}{(' ' + d.grade) if d.grade else ''}" for d in rows)


# --- hospital stays
def _stay_rows(as_of: dt.date) -> QuerySet[HospitalStay]:
    return HospitalStay.objects.filter(person=OuterRef("pk"), admitted_on__lte=as_of).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gt=as_of))


def _psych_q(op: str, value: Any, as_of: dt.date) -> Q:
    return Q(Exists(_stay_rows(as_of).filter(psychiatric=True,
                                             admitted_on__lte=add_months(as_of, -value))))


def _psych_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    stays = _current_stays(p, as_of, True)
    if not stays:
        return "精神科入院"
    s = stays[0]
    return (f"精神科入院 {_months_text(_months_between(s.admitted_on, as_of))}"
            f"（{format_wareki_month(s.admitted_on)}〜、{s.hospital_name}）")


def _long_stay_q(op: str, value: Any, as_of: dt.date) -> Q:
    """精神科に長期入院中: "long" is the person's office's ``long_stay_months`` (the home
    pages' flag reads the same setting through ``Office.long_stay_since``). A rule has no
    office of its own (the population brings it), so the condition pairs each threshold the
    offices use (a handful of values) with the people of offices using it."""
    thresholds = Office.objects.order_by().values_list("long_stay_months", flat=True).distinct()
    q = Q(pk__in=[])
    for months in thresholds:
        q |= Q(office__long_stay_months=months) & _psych_q("gte", months, as_of)
    return q if value else ~q


def _stay_q(op: str, value: Any, as_of: dt.date) -> Q:
    q = Q(Exists(_stay_rows(as_of)))
    return q if value else ~q


def _stay_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    if not value:
        return "入院していない"
    stays = _current_stays(p, as_of, None)
    if not stays:
        return "入院中"
    s = stays[0]
    return (f"入院中（{s.hospital_name}、{format_wareki_month(s.admitted_on)}〜"
            f"{'、精神科' if s.psychiatric else ''}）")


# --- earned income
def _income_q(op: str, value: Any, as_of: dt.date) -> Q:
    if op == "gte":
        return Q(earned_income__gte=value)
    if op == "lte":
        return Q(earned_income__lte=value)
    return Q(earned_income__gte=value[0], earned_income__lte=value[1])


def _income_describe(op: str, value: Any) -> str:
    if op == "between":
        return f"就労収入（月額）が{value[0]:,}円以上{value[1]:,}円以下"
    return f"就労収入（月額）が{value:,}円{OP_LABELS[op]}"


def _income_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    return f"就労収入 月額{p.earned_income:,}円"


# --- latest work-capacity assessment
def _latest_assessment_rows(as_of: dt.date) -> QuerySet[WorkCapacityAssessment]:
    newer = WorkCapacityAssessment.objects.filter(
        person=OuterRef("person"), assessed_on__lte=as_of
    ).filter(Q(assessed_on__gt=OuterRef("assessed_on"))
             | Q(assessed_on=OuterRef("assessed_on"), id__gt=OuterRef("id")))
    return WorkCapacityAssessment.objects.filter(
        person=OuterRef("pk"), assessed_on__lte=as_of).exclude(Exists(newer))


_CAPACITY_LABELS = {"has_capacity": "稼働能力", "has_will": "活用の意思", "has_place": "活用の場"}


def _capacity_flag(attr: str) -> FieldSpec:
    label = _CAPACITY_LABELS[attr]

    def build(op: str, value: Any, as_of: dt.date) -> Q:
        return Q(Exists(_latest_assessment_rows(as_of).filter(**{attr: value})))

    def describe(op: str, value: Any) -> str:
        return f"最新の稼働能力評価で{label}{'あり' if value else 'なし'}"

    def reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
        a = _latest_assessment(p, as_of)
        day = f"（{format_wareki(a.assessed_on)}評価）" if a else ""
        return f"{label}{'あり' if value else 'なし'}{day}"

    return FieldSpec(f"最新の稼働能力評価：{label}", {"is": YES_NO}, build, describe,
                     ("assessments",), reason)


_USAGE = dict(WorkCapacityAssessment.Usage.choices)


def _usage_q(op: str, value: Any, as_of: dt.date) -> Q:
    q = Q(Exists(_latest_assessment_rows(as_of).filter(usage__in=value)))
    if op == "not_in":
        return Q(Exists(_latest_assessment_rows(as_of))) & ~q
    return q


def _usage_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    a = _latest_assessment(p, as_of)
    if a is None:
        return "稼働能力評価なし"
    return f"稼働能力の活用状況：{a.get_usage_display()}（{format_wareki(a.assessed_on)}評価）"


# --- care duties
_CARE = dict(CareDuty.Kind.choices)


def _care_q(op: str, value: Any, as_of: dt.date) -> Q:
    rows = CareDuty.objects.filter(person=OuterRef("pk"))
    if op == "in":
        return Q(Exists(rows.filter(kind__in=value)))
    q = Q(Exists(rows))
    return q if value else ~q


def _care_describe(op: str, value: Any) -> str:
    if op == "in":
        return f"{_labels(_CARE, value)}の負担あり"
    return "育児・介護の負担あり" if value else "育児・介護の負担なし"


def _care_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    rows = list(p.care_duties.all())
    if op == "in":
        rows = [c for c in rows if c.kind in value]
    if not rows:
        return "育児・介護の負担なし"
    return "、".join(f"{c.get_kind_display()}{('（' + c.detail + '）') if c.detail else ''}"
                    for c in rows)


# --- assistance
def _on_assistance(as_of: dt.date) -> Q:
    return (Q(household__isnull=False)
            & (Q(household__assistance_started_on__isnull=True)
               | Q(household__assistance_started_on__lte=as_of))
            & (Q(household__assistance_ended_on__isnull=True)
               | Q(household__assistance_ended_on__gt=as_of)))


def _assist_q(op: str, value: Any, as_of: dt.date) -> Q:
    return _on_assistance(as_of) if value else ~_on_assistance(as_of)


def _assist_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    if not value:
        return "被保護者以外"
    started = p.household.assistance_started_on if p.household else None
    return f"保護受給中（{format_wareki(started)}開始）" if started else "保護受給中"


def _started_within_q(op: str, value: Any, as_of: dt.date) -> Q:
    return Q(household__assistance_started_on__gte=as_of - dt.timedelta(days=value),
             household__assistance_started_on__lte=as_of)


def _started_within_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    started = p.household.assistance_started_on if p.household else None
    if started is None:
        return "保護開始日不明"
    return f"保護開始 {format_wareki(started)}（{(as_of - started).days}日前）"


def _earner_q(op: str, value: Any, as_of: dt.date) -> Q:
    earners = Person.objects.filter(household=OuterRef("household")).filter(
        Q(earned_income__gt=0) | Q(employment_status__in=WORKING_STATUSES))
    q = Q(household__isnull=False) & Q(Exists(earners))
    return q if value else Q(household__isnull=False) & ~Q(Exists(earners))


def _earner_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    return "世帯に就労者あり" if value else "世帯に就労者なし"


# --- medical evidence (医療要否意見書, レセプト, 病状調査, 主治医への照会, 受療状況, 嘱託医協議)
# Each question (入院の要否, 退院の見込み, 就労の可否) is answered by the latest evidence
# that states it, whatever its kind: a newer 嘱託医協議 saying 入院継続 replaces an older
# 医療要否意見書 saying 退院可能. The latest statement counts only while it is in force (its
# next due date not passed); an expired one is not replaced by an older one.
_EVIDENCE_QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "hospitalisation": ("入院の要否", dict(MedicalEvidence.Hospitalisation.choices)),
    "discharge": ("退院の見込み", dict(MedicalEvidence.Discharge.choices)),
    "work": ("就労の可否", dict(MedicalEvidence.Work.choices)),
}
_WORK_ABLE = (MedicalEvidence.Work.POSSIBLE, MedicalEvidence.Work.LIMITED)


def _in_force(as_of: dt.date) -> Q:
    return Q(next_due_on__isnull=True) | Q(next_due_on__gte=as_of)


def _latest_statement_rows(attr: str, as_of: dt.date) -> QuerySet[MedicalEvidence]:
    """Per person, the latest evidence dated by ``as_of`` that answers ``attr``."""
    stated = MedicalEvidence.objects.filter(issued_on__lte=as_of).exclude(**{attr: ""})
    newer = stated.filter(person=OuterRef("person")).filter(
        Q(issued_on__gt=OuterRef("issued_on"))
        | Q(issued_on=OuterRef("issued_on"), id__gt=OuterRef("id")))
    return stated.filter(person=OuterRef("pk")).exclude(Exists(newer))


def _latest_statement(person: Person, attr: str, as_of: dt.date) -> MedicalEvidence | None:
    rows = [e for e in person.medical_evidence.all()
            if e.issued_on <= as_of and getattr(e, attr)]
    return max(rows, key=lambda e: (e.issued_on, e.id), default=None)


def _evidence_words(e: MedicalEvidence, said: str) -> str:
    who = f"、{e.issuer}" if e.issuer else ""
    due = f"、次回期限 {format_wareki(e.next_due_on)}" if e.next_due_on else ""
    return f"{e.get_kind_display()}（{format_wareki(e.issued_on)}{who}{due}）：{said}"


def _evidence_question(attr: str) -> FieldSpec:
    label, choices = _EVIDENCE_QUESTIONS[attr]

    def build(op: str, value: Any, as_of: dt.date) -> Q:
        return Q(Exists(_latest_statement_rows(attr, as_of).filter(_in_force(as_of))
                        .filter(**{f"{attr}__in": value})))

    def describe(op: str, value: Any) -> str:
        return f"最新の医学的な根拠で{label}が{_labels(choices, value)}"

    def reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
        e = _latest_statement(p, attr, as_of)
        if e is None:
            return f"{label}：{_labels(choices, value)}"
        text = choices.get(getattr(e, attr), "")
        if attr == "work" and e.work_limits:
            text += f"（制限：{e.work_limits}）"
        return _evidence_words(e, text)

    return FieldSpec(f"医学的な根拠：{label}（最新のもの）", {"in": _one_of(choices)}, build,
                     describe, ("medical_evidence",), reason)


def _work_recent_q(op: str, value: Any, as_of: dt.date) -> Q:
    return Q(Exists(_latest_statement_rows("work", as_of).filter(
        issued_on__gte=add_months(as_of, -value), work__in=_WORK_ABLE)))


def _work_recent_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    e = _latest_statement(p, "work", as_of)
    if e is None:
        return f"{value}か月以内に就労可の所見"
    limits = f"（制限：{e.work_limits}）" if e.work_limits else ""
    return _evidence_words(e, f"{e.get_work_display()}{limits}")


def _opinion_q(op: str, value: Any, as_of: dt.date) -> Q:
    rows = MedicalEvidence.objects.filter(person=OuterRef("pk"), kind=MedicalEvidence.Kind.OPINION,
                                          issued_on__lte=as_of).filter(_in_force(as_of))
    q = Q(Exists(rows))
    return q if value else ~q


def _opinion_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    if not value:
        return "有効な医療要否意見書なし"
    rows = [e for e in p.medical_evidence.all()
            if e.kind == MedicalEvidence.Kind.OPINION and e.issued_on <= as_of
            and (e.next_due_on is None or e.next_due_on >= as_of)]
    e = max(rows, key=lambda e: (e.issued_on, e.id), default=None)
    if e is None:
        return "有効な医療要否意見書あり"
    return _evidence_words(e, "、".join(e.statements) or "有効")


def _single_parent_q(op: str, value: Any, as_of: dt.date) -> Q:
    """一人親世帯: a household on assistance of type 母子世帯, or someone registered outside
    one as from a single-parent household (``Person.single_parent``)."""
    q = Q(household__household_type=HouseholdType.SINGLE_MOTHER) | Q(single_parent=True)
    return q if value else ~q


def _single_parent_reason(p: Person, op: str, value: Any, as_of: dt.date) -> str:
    if not value:
        return "一人親世帯ではない"
    if p.household is not None and p.household.household_type == HouseholdType.SINGLE_MOTHER:
        return "一人親世帯（母子世帯）"
    return "一人親世帯"


def _text_describe(text_true: str, text_false: str) -> Callable[[str, Any], str]:
    return lambda op, value: text_true if value else text_false


_SEX = dict(Person.Sex.choices)
_HOUSEHOLD = dict(HouseholdType.choices)
_GRADES = dict(Person.SchoolGrade.choices)
_EMPLOYMENT = dict(Person.EmploymentStatus.choices)

FIELDS: dict[str, FieldSpec] = {
    "age": FieldSpec("年齢", {"between": _range(0, 130, "歳"), "gte": _number(0, 130, "歳"),
                              "lte": _number(0, 130, "歳")},
                     _age_q, _age_describe, (), _age_reason),
    "sex": _choice_field("sex", "性別", _SEX, lambda p: p.sex),
    "household_type": _choice_field("household__household_type", "世帯類型", _HOUSEHOLD,
                                    lambda p: p.household.household_type if p.household else ""),
    "disability": FieldSpec("障害", {"any": NO_VALUE, "none": NO_VALUE,
                                     "in": _one_of(_DISABILITY)},
                            _disability_q, _disability_describe, ("disabilities",),
                            _disability_reason),
    "psychiatric_stay_months": FieldSpec(
        "精神科への継続入院（月数）", {"gte": _number(0, 1200, "か月")}, _psych_q,
        lambda op, v: f"精神科に{_months_text(v)}以上継続して入院中" if v else "精神科に入院中",
        ("hospital_stays",), _psych_reason),
    "long_psychiatric_stay": FieldSpec(
        "精神科に長期入院中（事務所の基準）", {"is": YES_NO}, _long_stay_q,
        _text_describe("精神科に長期入院中（事務所の設定する月数以上）",
                       "精神科に長期入院していない"),
        ("hospital_stays",), _psych_reason),
    "hospital_stay": FieldSpec("入院中", {"is": YES_NO}, _stay_q,
                               _text_describe("入院中（病棟を問わない）", "入院していない"),
                               ("hospital_stays",), _stay_reason),
    "school_grade": _choice_field("school_grade", "学年", _GRADES, lambda p: p.school_grade),
    "employment_status": _choice_field("employment_status", "就労状況", _EMPLOYMENT,
                                       lambda p: p.employment_status),
    "earned_income": FieldSpec("就労収入（月額）",
                               {"between": _range(0, 10_000_000, "円"),
                                "gte": _number(0, 10_000_000, "円"),
                                "lte": _number(0, 10_000_000, "円")},
                               _income_q, _income_describe, (), _income_reason),
    "capacity.has_capacity": _capacity_flag("has_capacity"),
    "capacity.has_will": _capacity_flag("has_will"),
    "capacity.has_place": _capacity_flag("has_place"),
    "capacity.usage": FieldSpec("最新の稼働能力評価：活用状況",
                                {"in": _one_of(_USAGE), "not_in": _one_of(_USAGE)}, _usage_q,
                                lambda op, v: f"稼働能力の活用状況が{_labels(_USAGE, v)}"
                                + ("のいずれでもない" if op == "not_in" else ""),
                                ("assessments",), _usage_reason),
    "care_duty": FieldSpec("育児・介護の負担", {"is": YES_NO, "in": _one_of(_CARE)}, _care_q,
                           _care_describe, ("care_duties",), _care_reason),
    "district": FieldSpec(
        "地区", {"in": TEXT_LIST, "not_in": TEXT_LIST},
        lambda op, v, as_of: Q(household__district__in=v) if op == "in"
        else Q(household__isnull=False) & ~Q(household__district__in=v),
        lambda op, v: f"地区が{'・'.join(v)}{'以外' if op == 'not_in' else ''}", (),
        lambda p, op, v, as_of: f"地区 {p.household.district if p.household else '―'}"),
    "on_assistance": FieldSpec("保護受給中", {"is": YES_NO}, _assist_q,
                               _text_describe("保護を受給中", "保護を受給していない"), (),
                               _assist_reason),
    "assistance_started_within_days": FieldSpec(
        "保護開始からの日数", {"lte": _number(0, 36500, "日")}, _started_within_q,
        lambda op, v: f"保護開始から{v}日以内", (), _started_within_reason),
    "single_parent_household": FieldSpec(
        "一人親世帯", {"is": YES_NO}, _single_parent_q,
        _text_describe("一人親世帯（母子世帯を含む）", "一人親世帯ではない"), (),
        _single_parent_reason),
    "household_has_earner": FieldSpec("世帯の就労者", {"is": YES_NO}, _earner_q,
                                      _text_describe("世帯に就労者がいる", "世帯に就労者がいない"),
                                      (), _earner_reason),
    "medical.hospitalisation": _evidence_question("hospitalisation"),
    "medical.discharge": _evidence_question("discharge"),
    "medical.work": _evidence_question("work"),
    "medical.work_able_within_months": FieldSpec(
        "医学的な根拠：就労可の所見（何か月以内）", {"lte": _number(1, 120, "か月")},
        _work_recent_q, lambda op, v: f"{v}か月以内の医学的な根拠で就労可（最新の所見）",
        ("medical_evidence",), _work_recent_reason),
    "medical.opinion_in_force": FieldSpec(
        "有効な医療要否意見書", {"is": YES_NO}, _opinion_q,
        _text_describe("有効な医療要否意見書がある", "有効な医療要否意見書がない"),
        ("medical_evidence",), _opinion_reason),
}


# ---------------------------------------------------------------- validation

MAX_DEPTH = 4
MAX_CONDITIONS = 40


def _path_label(path: tuple[int, ...]) -> str:
    return "条件" + "-".join(str(i + 1) for i in path)


def validate_rules(rules: Any) -> dict[str, Any]:
    """Check a rule tree and return it normalised. Raises ValidationFailed (Japanese).

    An empty tree (``{}`` or no conditions) is allowed: it screens nobody in by rule,
    and only nominations feed the ledger.
    """
    if rules in (None, "", {}):
        return {}
    errors: list[dict[str, object]] = []
    count = 0

    def walk(node: Any, path: tuple[int, ...], depth: int) -> dict[str, Any] | None:
        nonlocal count
        where = _path_label(path) if path else "選定条件"
        if not isinstance(node, dict):
            errors.append({"path": where, "at": list(path), "message": f"{where}：条件の形式が正しくありません。"})
            return None
        if "conditions" in node or "field" not in node:
            op = node.get("op", "and")
            if op not in ("and", "or"):
                errors.append({"path": where, "at": list(path), "message":
                               f"{where}：組み合わせ方「{op}」は使えません。and（すべて満たす）"
                               "か or（いずれかを満たす）を指定してください。"})
                return None
            conds = node.get("conditions")
            if not isinstance(conds, list) or (path and not conds):
                errors.append({"path": where, "at": list(path),
                               "message": f"{where}：conditions に条件を1つ以上並べてください。"})
                return None
            if depth > MAX_DEPTH:
                errors.append({"path": where, "at": list(path), "message": f"{where}：入れ子が深すぎます（{MAX_DEPTH}段まで）。"})
                return None
            out = [walk(c, (*path, i), depth + 1) for i, c in enumerate(conds)]
            return {"op": op, "conditions": [c for c in out if c is not None]}
        count += 1
        name = node.get("field")
        spec = FIELDS.get(name) if isinstance(name, str) else None
        if spec is None:
            errors.append({"path": where, "at": list(path), "field": name, "message":
                           f"{where}：項目「{name}」は選定条件に使えません。"
                           f"使える項目：{'、'.join(FIELDS)}"})
            return None
        op = node.get("op")
        if op not in spec.ops:
            errors.append({"path": where, "at": list(path), "field": name, "message":
                           f"{where}（{spec.label}）：比較方法「{op}」は使えません。"
                           f"使えるのは {'、'.join(spec.ops)} です。"})
            return None
        try:
            value = spec.ops[op](node.get("value"))
        except ValueError as exc:
            errors.append({"path": where, "at": list(path), "field": name,
                           "message": f"{where}（{spec.label}）：{exc}"})
            return None
        leaf: dict[str, Any] = {"field": name, "op": op}
        if value is not None:
            leaf["value"] = value
        return leaf

    clean = walk(rules, (), 0)
    if count > MAX_CONDITIONS:
        errors.append({"path": "選定条件",
                       "message": f"条件が多すぎます（{MAX_CONDITIONS}個まで）。"})
    if errors:
        raise ValidationFailed(
            "選定条件に誤りがあります。" + " ".join(str(e["message"]) for e in errors),
            code="invalid_rules", field="rules", details=errors)
    assert clean is not None
    return clean if clean.get("conditions") else {}


# ---------------------------------------------------------------- translation

@dataclass
class Leaf:
    """One leaf condition of a validated rule tree, numbered in reading order."""

    index: int
    field: str
    op: str
    value: Any
    spec: FieldSpec

    def q(self, as_of: dt.date) -> Q:
        return self.spec.build(self.op, self.value, as_of)

    @property
    def text(self) -> str:
        return self.spec.describe(self.op, self.value)


def leaves(rules: dict[str, Any]) -> list[Leaf]:
    out: list[Leaf] = []

    def walk(node: dict[str, Any]) -> None:
        if "field" in node:
            out.append(Leaf(len(out), node["field"], node["op"], node.get("value"),
                            FIELDS[node["field"]]))
        else:
            for c in node.get("conditions", []):
                walk(c)

    if rules:
        walk(rules)
    return out


def rules_to_q(rules: dict[str, Any], as_of: dt.date) -> Q:
    """The whole tree as one Q. Empty rules match nobody (only nominations count)."""
    if not rules or not rules.get("conditions"):
        return Q(pk__in=[])

    def walk(node: dict[str, Any]) -> Q:
        if "field" in node:
            return FIELDS[node["field"]].build(node["op"], node.get("value"), as_of)
        parts = [walk(c) for c in node["conditions"]]
        q = parts[0]
        for p in parts[1:]:
            q = (q & p) if node.get("op", "and") == "and" else (q | p)
        return q

    return walk(rules)


def describe_rules(rules: dict[str, Any]) -> list[str]:
    """The rule tree in Japanese, one line per top-level condition."""
    if not rules or not rules.get("conditions"):
        return []

    def text(node: dict[str, Any]) -> str:
        if "field" in node:
            return FIELDS[node["field"]].describe(node["op"], node.get("value"))
        joiner = " かつ " if node.get("op", "and") == "and" else " または "
        return "（" + joiner.join(text(c) for c in node["conditions"]) + "）"

    return [text(c) for c in rules["conditions"]]


def rules_summary(rules: dict[str, Any]) -> str:
    lines = describe_rules(rules)
    if not lines:
        return "選定条件なし（推薦のみ）"
    joiner = "、かつ " if rules.get("op", "and") == "and" else "、または "
    return joiner.join(lines)


# ---------------------------------------------------------------- running

def population(office: Any, *, allows_non_recipients: bool, as_of: dt.date) -> QuerySet[Person]:
    """Who a program's rules look at: the office's people on assistance on ``as_of``
    (everyone in the office when the program takes non-recipients too)."""
    qs = Person.objects.filter(office=office)
    if not allows_non_recipients:
        qs = qs.filter(_on_assistance(as_of))
    return qs


def matching(program: Any, as_of: dt.date, rules: dict[str, Any] | None = None) -> QuerySet[Person]:
    """People who match ``rules`` (default: the program's) on ``as_of`` — one SQL query."""
    rules = program.rules if rules is None else rules
    return population(program.office, allows_non_recipients=program.allows_non_recipients,
                      as_of=as_of).filter(rules_to_q(rules, as_of))


def count_matching(office: Any, rules: dict[str, Any], *, allows_non_recipients: bool,
                   as_of: dt.date) -> tuple[int, int]:
    """How many of the office's people a (draft, validated) rule keeps, and out of how many
    — one aggregate query; the program editor counts as the rule is built."""
    base = population(office, allows_non_recipients=allows_non_recipients, as_of=as_of)
    if not rules or not rules.get("conditions"):
        return 0, base.count()
    totals = base.aggregate(population=Count("pk"),
                            matching=Count("pk", filter=rules_to_q(rules, as_of)))
    return totals["matching"], totals["population"]


@dataclass
class ConditionCount:
    """How many people one top-level condition keeps, alone and combined with those before it."""

    label: str
    alone: int
    running: int


@dataclass
class Candidate:
    person: Person
    matched: bool
    reasons: list[str] = field(default_factory=list)
    nominations: list[Any] = field(default_factory=list)
    open_enrollment: Any = None

    @property
    def nominated(self) -> bool:
        return bool(self.nominations)


@dataclass
class Preview:
    as_of: dt.date
    population: int
    total: int
    counts: list[ConditionCount]
    candidates: list[Candidate]
    rules_text: list[str]
    offset: int = 0
    nominated_only_total: int = 0

    @property
    def nominated_only(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.matched]


def nomination_reason(n: Any) -> str:
    who = n.nominated_by or (n.partner.name if n.partner_id else "")
    return f"推薦：{n.get_source_display()} {who}（{format_wareki(n.nominated_on)}）".replace(" （", "（")


def preview(program: Any, as_of: dt.date, *, rules: dict[str, Any] | None = None,
            limit: int | None = None, offset: int = 0, caseworker: Any = None) -> Preview:
    """Counts per condition for everyone, reasons for one page of candidates.

    The counts (population, each condition alone and running, the total) are computed
    in the database over the whole population; reasons are worded only for the matches
    ``offset`` … ``offset + limit`` in 名簿 order (all of them when ``limit`` is None).
    People nominated without matching are listed after the matches, on the first page.
    Queries: 1 aggregate, 1 for the page of candidates with one boolean column per leaf,
    one per prefetched relation the rule needs, 1 for nominations, 1 for the nominated
    people who do not match, 1 for open enrolments; when paged, 1 more to tell which
    nominated people match. ``caseworker`` narrows everything, counts included, to the
    people of the households that caseworker is in charge of (自分の担当).
    """
    rules = program.rules if rules is None else rules
    base = population(program.office, allows_non_recipients=program.allows_non_recipients,
                      as_of=as_of)
    if caseworker is not None:
        base = base.filter(household__caseworker=caseworker)
    top = rules.get("conditions", []) if rules else []
    combine_and = (rules or {}).get("op", "and") == "and"
    aggregates: dict[str, Any] = {"population": Count("pk")}
    running: Q | None = None
    for i, node in enumerate(top):
        q = rules_to_q({"op": "and", "conditions": [node]}, as_of)
        running = q if running is None else (running & q if combine_and else running | q)
        aggregates[f"a{i}"] = Count("pk", filter=q)
        aggregates[f"r{i}"] = Count("pk", filter=running)
    totals = base.aggregate(**aggregates)
    texts = describe_rules(rules)
    counts = [ConditionCount(texts[i], totals[f"a{i}"], totals[f"r{i}"]) for i in range(len(top))]

    leaf_list = leaves(rules)
    annotations = {f"_c{leaf.index}": ExpressionWrapper(leaf.q(as_of), output_field=BooleanField())
                   for leaf in leaf_list}
    prefetch: set[str] = {p for leaf in leaf_list for p in leaf.spec.prefetch}
    matched_qs = base.filter(rules_to_q(rules, as_of)).annotate(**annotations)
    matched_qs = matched_qs.select_related("household__caseworker").order_by("kana_key", "id")
    offset = max(offset, 0)
    if limit is not None:
        matched_qs = matched_qs[offset:offset + limit]
    elif offset:
        matched_qs = matched_qs[offset:]
    matched = list(_with_prefetch(matched_qs, prefetch))

    noms = Nomination.objects.filter(program=program, nominated_on__lte=as_of)
    if caseworker is not None:
        noms = noms.filter(person__household__caseworker=caseworker)
    nominations = list(noms.select_related("partner").order_by("nominated_on", "id"))
    matched_ids = {p.pk for p in matched}
    nominated_ids = {n.person_id for n in nominations}
    # Nominated people who do not match the rules (asked of the database, not of the page).
    paged = limit is not None or offset > 0
    if paged and nominated_ids - matched_ids:
        nominated_only_ids = nominated_ids - set(
            base.filter(rules_to_q(rules, as_of), pk__in=nominated_ids)
            .values_list("pk", flat=True))
    else:
        nominated_only_ids = nominated_ids - matched_ids
    extra_ids = nominated_only_ids - matched_ids if offset == 0 else set()
    extra = list(_with_prefetch(
        Person.objects.filter(pk__in=extra_ids).select_related("household__caseworker")
        .annotate(**annotations).order_by("kana_key", "id"), prefetch)) if extra_ids else []

    open_by_person = {
        # The program's episodes (``cases.Enrollment``) through the reverse relation: the
        # engine shows which candidates already have an open one without importing cases.
        e.person_id: e for e in program.enrollments.filter(
            status__in=program.enrollments.model.OPEN_STATUSES,
            person_id__in=matched_ids | extra_ids)
    }
    noms_by_person: dict[int, list[Any]] = {}
    for n in nominations:
        noms_by_person.setdefault(n.person_id, []).append(n)

    candidates = [
        _candidate(person, is_match, leaf_list, as_of, noms_by_person.get(person.pk, []),
                   open_by_person.get(person.pk))
        for person, is_match in [(p, True) for p in matched] + [(p, False) for p in extra]
    ]
    # The running count of the last top-level condition is the whole rule's count.
    total = totals[f"r{len(top) - 1}"] if top else 0
    return Preview(as_of, totals["population"], total if paged else len(matched),
                   counts, candidates, texts, offset, len(nominated_only_ids))


def _candidate(person: Person, is_match: bool, leaf_list: list[Leaf], as_of: dt.date,
               noms: list[Any], open_enrollment: Any) -> Candidate:
    """One candidate with the reasons of the leaves it meets (annotated ``_c<n>``)."""
    reasons = [
        leaf.spec.reason(person, leaf.op, leaf.value, as_of) if leaf.spec.reason else leaf.text
        for leaf in leaf_list if getattr(person, f"_c{leaf.index}")
    ] if is_match else []
    reasons += [nomination_reason(n) for n in noms]
    return Candidate(person, is_match, _dedupe(reasons), noms, open_enrollment)


# Reasons for a ledger are worded this many people at a time: the IN lists of the
# prefetches and the rows held in memory stay bounded however many people match.
LEDGER_CHUNK = 2000


def ledger_candidates(program: Any, as_of: dt.date, *,
                      chunk_size: int = LEDGER_CHUNK) -> list[Candidate]:
    """Every candidate of ``program`` on ``as_of`` with reasons, for saving a ledger.

    No counts and no open enrolments (a ledger stores neither): 1 query for the matching
    ids in 名簿 order, 1 for nominations, then per chunk of ``chunk_size`` people 1 query
    with one boolean column per leaf and one per prefetched relation the rule needs.
    Matches first, then nominated people who do not match, as :func:`preview` lists them.
    """
    rules = program.rules
    base = population(program.office, allows_non_recipients=program.allows_non_recipients,
                      as_of=as_of)
    leaf_list = leaves(rules)
    annotations = {f"_c{leaf.index}": ExpressionWrapper(leaf.q(as_of), output_field=BooleanField())
                   for leaf in leaf_list}
    prefetch: set[str] = {p for leaf in leaf_list for p in leaf.spec.prefetch}
    ids = list(base.filter(rules_to_q(rules, as_of)).order_by("kana_key", "id")
               .values_list("pk", flat=True))
    noms_by_person: dict[int, list[Any]] = {}
    for n in (Nomination.objects.filter(program=program, nominated_on__lte=as_of)
              .select_related("partner").order_by("nominated_on", "id")):
        noms_by_person.setdefault(n.person_id, []).append(n)
    matched = set(ids)
    extra = [pid for pid in noms_by_person if pid not in matched]

    out: list[Candidate] = []
    # Nominated-only people are few: one chunk, so they stay in 名簿 order among themselves.
    for is_match, id_list, size in ((True, ids, chunk_size), (False, extra, len(extra) or 1)):
        for start in range(0, len(id_list), size):
            chunk = id_list[start:start + size]
            people = list(_with_prefetch(
                Person.objects.filter(pk__in=chunk).select_related("household")
                .annotate(**annotations).order_by("kana_key", "id"), prefetch))
            out.extend(_candidate(p, is_match, leaf_list, as_of,
                                  noms_by_person.get(p.pk, []), None) for p in people)
    return out


def _with_prefetch(qs: QuerySet[Person], names: set[str]) -> QuerySet[Person]:
    for name in sorted(names):
        if name == "assessments":
            qs = qs.prefetch_related(Prefetch("assessments",
                                              queryset=WorkCapacityAssessment.objects.order_by()))
        else:
            qs = qs.prefetch_related(name)
    return qs


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))  # first occurrence of each, in order
