"""Households and people: list (kana search), detail (audited), create, update, bulk upsert."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import Id, PageParams, acting, page_of, paginate, responses
from jiritsu.core.kana import search_key
from jiritsu.offices.models import Membership
from jiritsu.people import services
from jiritsu.people.access import (
    get_household_for_user,
    get_person_for_user,
    log_view,
    partner_categories,
    visible_households,
    visible_people,
)
from jiritsu.people.models import Household, HouseholdType, Person

router = Router()

Sex = Person.Sex
Relationship = Person.Relationship
EmploymentStatus = Person.EmploymentStatus
SchoolGrade = Person.SchoolGrade


# ---------------------------------------------------------------- schemas: households

class HouseholdOut(Schema):
    id: int
    case_number: str
    household_type: str
    household_type_label: str
    district: str
    address: str
    caseworker_id: int | None
    caseworker_name: str | None
    assistance_started_on: dt.date | None
    assistance_ended_on: dt.date | None
    end_reason: str
    member_count: int
    version: int
    updated_at: dt.datetime


class HouseholdFilter(Schema):
    q: str | None = Field(None, max_length=100, description="ケース番号（前方一致）・地区")
    caseworker_id: int | None = Field(None, ge=1, le=2_147_483_647)
    active: bool | None = Field(None, description="true: 保護継続中のみ / false: 廃止済みのみ")


class HouseholdUpdateIn(Schema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    household_type: HouseholdType | None = None
    type_changed_on: dt.date | None = Field(None, description="世帯類型を変更した日（省略時は今日）")
    district: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=200)
    assistance_started_on: dt.date | None = None
    assistance_ended_on: dt.date | None = None
    end_reason: Household.EndReason | None = None


# ---------------------------------------------------------------- schemas: people

class PersonOut(Schema):
    """A person. For partners, fields outside the consented categories are null."""

    id: int
    household_id: int | None
    case_number: str | None
    member_number: int | None
    name: str
    kana: str
    birth_date: dt.date | None
    sex: str | None
    relationship: str | None
    employment_status: str | None
    employer_name: str | None
    earned_income: int | None
    school_name: str | None
    school_grade: str | None
    phone: str | None
    address_number: str | None
    note: str | None
    version: int
    updated_at: dt.datetime
    hidden_categories: list[str] = Field(
        default_factory=list, description="関係機関に同意のない情報区分（該当項目はnull）")


class DisabilityOut(Schema):
    kind: str
    grade: str
    certificate: str
    certified_on: dt.date | None


class IllnessOut(Schema):
    name: str
    is_chronic: bool
    is_psychiatric: bool
    treatment: str
    medical_institution: str
    since: dt.date | None
    until: dt.date | None


class HospitalStayOut(Schema):
    hospital_name: str
    psychiatric: bool
    admitted_on: dt.date
    discharged_on: dt.date | None
    destination: str


class WorkHistoryOut(Schema):
    employer: str
    job: str
    started_on: dt.date | None
    ended_on: dt.date | None
    reason_left: str


class QualificationOut(Schema):
    name: str
    obtained_on: dt.date | None


class CareDutyOut(Schema):
    kind: str
    detail: str


class PersonDetailOut(PersonOut):
    disabilities: list[DisabilityOut] | None
    illnesses: list[IllnessOut] | None
    hospital_stays: list[HospitalStayOut] | None
    work_history: list[WorkHistoryOut] | None
    qualifications: list[QualificationOut] | None
    care_duties: list[CareDutyOut] | None


class PersonFilter(Schema):
    q: str | None = Field(None, max_length=100,
                          description="ふりがな（ひらがな・カタカナ・全角半角を区別しない）・氏名・ケース番号")
    household_id: int | None = Field(None, ge=1, le=2_147_483_647)


class PersonUpdateIn(Schema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    name: str | None = Field(None, min_length=1, max_length=100)
    kana: str | None = Field(None, min_length=1, max_length=100)
    birth_date: dt.date | None = None
    sex: Sex | None = None
    relationship: Relationship | None = None
    employment_status: EmploymentStatus | None = None
    employer_name: str | None = Field(None, max_length=200)
    earned_income: int | None = Field(None, ge=0, le=100_000_000)
    school_name: str | None = Field(None, max_length=100)
    school_grade: SchoolGrade | None = None
    phone: str | None = Field(None, max_length=30)
    note: str | None = Field(None, max_length=10_000)


# Which consent category each person field belongs to (for partners).
CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    "basic": ("birth_date", "sex", "phone"),
    "family": ("household_id", "case_number", "member_number", "relationship", "school_name",
               "school_grade"),
    "employment": ("employment_status", "employer_name"),
    "income": ("earned_income",),
    "records": ("note",),
    "health": ("illnesses", "hospital_stays"),
    "disability": ("disabilities",),
}
# Never shown to partners whatever the consent says.
PARTNER_NEVER = ("address_number",)
DETAIL_EXTRA = {
    "employment": ("work_history", "qualifications"),
    "family": ("care_duties",),
}


def _person_data(person: Person, *, detail: bool = False) -> dict[str, Any]:
    hh = person.household
    data: dict[str, Any] = {
        "id": person.pk, "household_id": person.household_id,
        "case_number": hh.case_number if hh else None, "member_number": person.member_number,
        "name": person.name, "kana": person.kana, "birth_date": person.birth_date,
        "sex": person.sex, "relationship": person.relationship,
        "employment_status": person.employment_status, "employer_name": person.employer_name,
        "earned_income": person.earned_income, "school_name": person.school_name,
        "school_grade": person.school_grade, "phone": person.phone,
        "address_number": person.address_number, "note": person.note,
        "version": person.version, "updated_at": person.updated_at, "hidden_categories": [],
    }
    if detail:
        data.update({
            "disabilities": list(person.disabilities.all()),
            "illnesses": list(person.illnesses.all()),
            "hospital_stays": list(person.hospital_stays.all()),
            "work_history": list(person.work_history.all()),
            "qualifications": list(person.qualifications.all()),
            "care_duties": list(person.care_duties.all()),
        })
    return data


def person_output(membership: Membership, person: Person, *, detail: bool = False,
                  categories: set[str] | None = None) -> dict[str, Any]:
    """The person as this membership may see it: partners get only consented categories."""
    data = _person_data(person, detail=detail)
    if membership.is_partner:
        allowed = categories if categories is not None else partner_categories(membership, person)
        hidden = []
        for category, fields in CATEGORY_FIELDS.items():
            extra = DETAIL_EXTRA.get(category, ())
            if category not in allowed:
                hidden.append(category)
                for f in (*fields, *extra):
                    if f in data:
                        data[f] = None
        for f in PARTNER_NEVER:
            data[f] = None
        data["hidden_categories"] = hidden
    return data


def _partner_category_map(membership: Membership, people: list[Person]) -> dict[int, set[str]]:
    """Consented categories per person for a page of people, in one query."""
    from jiritsu.programs.models import ConsentGrant

    out: dict[int, set[str]] = {p.pk: set() for p in people}
    for person_id, cats in ConsentGrant.objects.filter(
        consent__person_id__in=list(out), consent__withdrawn_on__isnull=True,
        partner=membership.partner,
    ).values_list("consent__person_id", "categories"):
        out[person_id].update(cats or [])
    return out


def _household_row(h: Household) -> dict[str, Any]:
    return {
        "id": h.pk, "case_number": h.case_number, "household_type": h.household_type,
        "household_type_label": h.get_household_type_display(), "district": h.district,
        "address": h.address, "caseworker_id": h.caseworker_id,
        "caseworker_name": str(h.caseworker) if h.caseworker else None,
        "assistance_started_on": h.assistance_started_on,
        "assistance_ended_on": h.assistance_ended_on, "end_reason": h.end_reason,
        "member_count": getattr(h, "member_count", None) if hasattr(h, "member_count")
        else h.members.count(),
        "version": h.version, "updated_at": h.updated_at,
    }


# ---------------------------------------------------------------- households

@router.get("/households", response=responses(page_of(HouseholdOut)), summary="世帯の一覧")
def household_list(request: HttpRequest, filters: Query[HouseholdFilter],
                   page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "household.view")
    qs: QuerySet[Household] = visible_households(membership)
    if filters.q:
        qs = qs.filter(Q(case_number__startswith=filters.q) | Q(district__contains=filters.q))
    if filters.caseworker_id:
        qs = qs.filter(caseworker_id=filters.caseworker_id)
    if filters.active is not None:
        qs = qs.filter(assistance_ended_on__isnull=filters.active)
    qs = qs.select_related("caseworker").annotate(member_count=Count("members")).order_by(
        "case_number", "id")
    return paginate(request, qs, page, _household_row)


@router.get("/households/{household_id}", response=responses(HouseholdOut), summary="世帯の詳細")
def household_detail(request: HttpRequest, household_id: Id) -> dict[str, Any]:
    membership = acting(request, "household.view")
    household = get_household_for_user(membership, household_id)
    return _household_row(household)


@router.patch("/households/{household_id}", response=responses(HouseholdOut),
              summary="世帯の変更（versionによる楽観的ロック）")
def household_patch(request: HttpRequest, household_id: Id,
                    payload: HouseholdUpdateIn) -> dict[str, Any]:
    membership = acting(request, "household.edit")
    household = get_household_for_user(membership, household_id, write=True)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    changed_on = data.pop("type_changed_on", None)
    data = {k: ("" if v is None and k == "end_reason" else v) for k, v in data.items()}
    if "household_type" in data and data["household_type"] is None:
        data.pop("household_type")
    household = services.household_update(actor=membership, household=household,
                                          expected_version=version, data=data,
                                          type_changed_on=changed_on)
    return _household_row(get_household_for_user(membership, household.pk))


# ---------------------------------------------------------------- people

@router.get("/people", response=responses(page_of(PersonOut)), summary="世帯員の一覧・検索")
def person_list(request: HttpRequest, filters: Query[PersonFilter],
                page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "person.view")
    qs = visible_people(membership).select_related("household")
    if filters.q and filters.q.strip():
        q = filters.q.strip()
        key = search_key(q)
        cond = Q(name__contains=q) | Q(household__case_number=q)
        if key:
            cond |= Q(kana_key__contains=key)
        qs = qs.filter(cond)
    if filters.household_id:
        qs = qs.filter(household_id=filters.household_id)
    qs = qs.order_by("kana_key", "id")
    result = paginate(request, qs, page)
    rows: list[Person] = result["results"]
    cats = _partner_category_map(membership, rows) if membership.is_partner else {}
    result["results"] = [person_output(membership, p, categories=cats.get(p.pk)) for p in rows]
    return result


@router.get("/people/{person_id}", response=responses(PersonDetailOut),
            summary="世帯員の詳細（閲覧は監査ログに記録）")
def person_detail(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    membership = acting(request, "person.view")
    person = get_person_for_user(membership, person_id)
    log_view(membership, person, what="person.view")
    return person_output(membership, person, detail=True)


@router.patch("/people/{person_id}", response=responses(PersonDetailOut),
              summary="世帯員の変更（versionによる楽観的ロック）")
def person_patch(request: HttpRequest, person_id: Id, payload: PersonUpdateIn) -> dict[str, Any]:
    membership = acting(request, "person.edit")
    person = get_person_for_user(membership, person_id, write=True)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    not_null = {"name", "kana", "birth_date", "sex", "relationship", "employment_status",
                "earned_income"}
    data = {k: ("" if v is None else v) for k, v in data.items()
            if not (v is None and k in not_null)}
    person = services.person_update(actor=membership, person=person, expected_version=version,
                                    data=data)
    return person_output(membership, get_person_for_user(membership, person.pk), detail=True)
