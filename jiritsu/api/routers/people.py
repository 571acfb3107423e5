"""Households and people: list (kana search), detail (audited), create, update, bulk upsert."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    Extended,
    Id,
    InputModel,
    InputSchema,
    PageParams,
    acting,
    label_of,
    page_of,
    paginate,
    renamed_fields,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.cases import timeline as tl
from jiritsu.cases.access import (
    get_household_for_user,
    get_person_for_user,
    log_list,
    log_view,
    partner_categories,
    visible_households,
    visible_people,
)
from jiritsu.cases.models import ConsentGrant
from jiritsu.core.errors import ValidationFailed
from jiritsu.core.kana import search_key
from jiritsu.offices.models import Membership, User
from jiritsu.people import services
from jiritsu.people.importing import upsert_caseload
from jiritsu.people.models import Household, HouseholdType, Person, VisitGrade

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

    resolve_household_type_label = label_of("household_type")

    @staticmethod
    def resolve_caseworker_name(obj: Household) -> str | None:
        return str(obj.caseworker) if obj.caseworker else None

    @staticmethod
    def resolve_member_count(obj: Household) -> int:
        # Annotated on lists (``member_count``); counted for a single household.
        return int(obj.member_count) if hasattr(obj, "member_count") else obj.members.count()


class HouseholdFilter(Schema):
    q: str | None = Field(None, max_length=100, description="ケース番号（前方一致）・地区")
    caseworker_id: int | None = Field(None, ge=1, le=2_147_483_647)
    active: bool | None = Field(None, description="true: 保護継続中のみ / false: 廃止済みのみ")


class HouseholdCreateIn(InputSchema):
    case_number: str = Field(..., min_length=1, max_length=30, description="ケース番号（事務所内で一意）")
    household_type: HouseholdType
    district: str = Field("", max_length=50)
    address: str = Field("", max_length=200)
    caseworker_id: int | None = Field(None, ge=1, le=2_147_483_647, description="地区担当員のユーザーID")
    visit_grade: str | None = Field(None, max_length=10, description="訪問格付けコード（A, B …）")
    assistance_started_on: Day | None = None
    assistance_ended_on: Day | None = None
    end_reason: Household.EndReason | None = None


class HouseholdUpdateIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    case_number: str | None = Field(None, min_length=1, max_length=30)
    household_type: HouseholdType | None = None
    caseworker_id: int | None = Field(None, ge=1, le=2_147_483_647)
    visit_grade: str | None = Field(None, max_length=10)
    type_changed_on: Day | None = Field(None, description="世帯類型を変更した日（省略時は今日）")
    district: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=200)
    assistance_started_on: Day | None = None
    assistance_ended_on: Day | None = None
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

    # Read from the person, or for a partner from ``person_output``'s masked view of it.
    @staticmethod
    def resolve_case_number(obj: Person) -> str | None:
        return obj.household.case_number if obj.household else None


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


class PersonCreateIn(InputSchema):
    household_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                     description="世帯（省略時は被保護世帯に属さない人）")
    member_number: int | None = Field(None, ge=1, le=99, description="省略時は世帯内の次の番号")
    name: str = Field(..., min_length=1, max_length=100, description="入力どおりに保存します")
    kana: str = Field(..., min_length=1, max_length=100)
    birth_date: Day
    sex: Sex
    relationship: Relationship = Relationship.HEAD
    employment_status: EmploymentStatus = EmploymentStatus.NOT_WORKING
    employer_name: str = Field("", max_length=200)
    earned_income: int = Field(0, ge=0, le=100_000_000)
    school_name: str = Field("", max_length=100)
    school_grade: SchoolGrade | None = None
    address_number: str = Field("", max_length=20, description="宛名番号（マイナンバーは不可）")
    phone: str = Field("", max_length=30)
    note: str = Field("", max_length=10_000)


class PersonUpdateIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    name: str | None = Field(None, min_length=1, max_length=100)
    kana: str | None = Field(None, min_length=1, max_length=100)
    birth_date: Day | None = None
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


def person_output(membership: Membership, person: Person, *,
                  categories: set[str] | None = None) -> Person | Extended:
    """The person as this membership may see it: partners get only consented categories
    (the fields of the others read as null, listed in ``hidden_categories``)."""
    if not membership.is_partner:
        return person
    allowed = categories if categories is not None else partner_categories(membership, person)
    hidden = [c for c in CATEGORY_FIELDS if c not in allowed]
    masked: dict[str, Any] = dict.fromkeys(PARTNER_NEVER)
    for category in hidden:
        masked.update(dict.fromkeys((*CATEGORY_FIELDS[category], *DETAIL_EXTRA.get(category, ()))))
    if "family" in hidden:
        masked["household"] = None  # ``case_number`` is read through it
    return Extended(person, hidden_categories=hidden, **masked)


def _partner_category_map(membership: Membership, people: list[Person]) -> dict[int, set[str]]:
    """Consented categories per person for a page of people, in one query."""
    out: dict[int, set[str]] = {p.pk: set() for p in people}
    for person_id, cats in ConsentGrant.objects.filter(
        consent__person_id__in=list(out), consent__withdrawn_on__isnull=True,
        partner=membership.partner,
    ).values_list("consent__person_id", "categories"):
        out[person_id].update(cats or [])
    return out


# ---------------------------------------------------------------- bulk upsert (nightly sync)

class CaseloadRowIn(InputModel):
    """One person of the main system's caseload. Keys: ``case_number`` + ``member_number``.

    Household fields may be given on one row of the case only. A field left out keeps its
    current value; an empty string clears it. Values as in the caseload import
    (docs/import.md): codes or Japanese labels; dates ISO or 和暦.

    A plain pydantic model, not a ninja ``Schema``: ``Schema`` wraps every object it
    validates for reading ORM attributes, which cost 0.7 s for a 10,000-row batch (plain
    pydantic: 0.06 s).
    """

    case_number: str = Field(..., min_length=1, max_length=30)
    member_number: int = Field(..., ge=1, le=99)
    household_type: str | None = Field(None, max_length=20, description="elderly / single_mother / disabled / sick / other（または 高齢者 等）")
    district: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=200)
    caseworker: str | None = Field(None, max_length=150, description="地区担当員のユーザー名")
    assistance_started_on: str | None = Field(None, max_length=30)
    assistance_ended_on: str | None = Field(None, max_length=30)
    end_reason: str | None = Field(None, max_length=30)
    visit_grade: str | None = Field(None, max_length=10)
    name: str | None = Field(None, max_length=100)
    kana: str | None = Field(None, max_length=100)
    birth_date: str | None = Field(None, max_length=30)
    sex: str | None = Field(None, max_length=10, description="male / female / other（または 男 / 女）")
    relationship: str | None = Field(None, max_length=20)
    address_number: str | None = Field(None, max_length=20)
    employment_status: str | None = Field(None, max_length=20)
    employer_name: str | None = Field(None, max_length=200)
    earned_income: int | None = Field(None, ge=0, le=100_000_000)
    school_name: str | None = Field(None, max_length=100)
    school_grade: str | None = Field(None, max_length=20)
    disabilities: str | None = Field(None, max_length=200, description="例: 身体3級;精神2級")
    illnesses: str | None = Field(None, max_length=500, description="例: 高血圧症;うつ病（精神）")
    admitted_on: str | None = Field(None, max_length=30)
    hospital_name: str | None = Field(None, max_length=200)
    psychiatric_ward: bool | None = None


class BulkUpsertIn(InputSchema):
    rows: list[CaseloadRowIn] = Field(..., min_length=1, max_length=20_000)


class BulkUpsertOut(Schema):
    rows: int
    households_created: int
    households_updated: int
    people_created: int
    people_updated: int
    people_unchanged: int
    audit_event_id: int | None


_SEX_LABELS = {"male": "男", "female": "女", "other": "その他"}
_TYPE_LABELS = {str(value): str(label) for value, label in HouseholdType.choices}


def _service_row(row: CaseloadRowIn) -> dict[str, Any]:
    """The caseload service's row format: codes turned into the labels it reads."""
    data = {key: "" if value is None else value
            for key, value in row.model_dump(exclude_unset=True).items()}
    if data.get("household_type") in _TYPE_LABELS:
        data["household_type"] = _TYPE_LABELS[data["household_type"]]
    if data.get("sex") in _SEX_LABELS:
        data["sex"] = _SEX_LABELS[data["sex"]]
    if isinstance(data.get("psychiatric_ward"), bool):
        data["psychiatric_ward"] = "はい" if data["psychiatric_ward"] else "いいえ"
    return data


@router.post("/households/bulk-upsert", response=responses(BulkUpsertOut),
             summary="世帯・世帯員の一括登録・更新（夜間連携）",
             description="ケース番号＋世帯員番号で照合し、作成または更新します。1件でも誤りがあれば"
                         "何も書き込まず、422（code: import_invalid）で全件の誤りを details に"
                         "返します（row は rows の1始まりの位置）。")
def bulk_upsert(request: ApiRequest, payload: BulkUpsertIn) -> dict[str, Any]:
    membership = acting(request, "caseload.import")
    result = upsert_caseload(actor=membership, rows=[_service_row(r) for r in payload.rows])
    return result.as_dict()


# ---------------------------------------------------------------- households

@router.get("/households", response=responses(page_of(HouseholdOut)), summary="世帯の一覧")
def household_list(request: ApiRequest, filters: Query[HouseholdFilter],
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
    return paginate(request, qs, page)


@router.get("/households/{household_id}", response=responses(HouseholdOut), summary="世帯の詳細")
def household_detail(request: ApiRequest, household_id: Id) -> Household:
    membership = acting(request, "household.view")
    return get_household_for_user(membership, household_id)


def _household_refs(membership: Membership, data: dict[str, Any]) -> dict[str, Any]:
    """Ids and codes in the input → the objects the service expects."""
    if "caseworker_id" in data:
        cw_id = data.pop("caseworker_id")
        data["caseworker"] = (User.objects.filter(pk=cw_id).first() or User(pk=cw_id)) if cw_id else None
    if "visit_grade" in data:
        code = data.pop("visit_grade")
        grade = VisitGrade.objects.filter(office=membership.office, code=code).first() if code else None
        if code and grade is None:
            raise ValidationFailed("この事務所の訪問格付けコードを指定してください。", field="visit_grade")
        data["visit_grade"] = grade
    if "end_reason" in data and data["end_reason"] is None:
        data["end_reason"] = ""
    return data


HOUSEHOLD_FIELD_NAMES = {"caseworker": "caseworker_id"}


@router.post("/households", response=responses(HouseholdOut, 201), summary="世帯の登録")
def household_create(request: ApiRequest, payload: HouseholdCreateIn) -> tuple[int, Household]:
    membership = acting(request, "household.edit")
    data = _household_refs(membership, payload.dict())
    with renamed_fields(HOUSEHOLD_FIELD_NAMES):
        household = services.household_create(actor=membership, data=data)
    return 201, get_household_for_user(membership, household.pk)


@router.patch("/households/{household_id}", response=responses(HouseholdOut),
              summary="世帯の変更（versionによる楽観的ロック）")
def household_patch(request: ApiRequest, household_id: Id,
                    payload: HouseholdUpdateIn) -> Household:
    membership = acting(request, "household.edit")
    household = get_household_for_user(membership, household_id, write=True)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    changed_on = data.pop("type_changed_on", None)
    for key in ("household_type", "case_number"):
        if key in data and data[key] is None:
            data.pop(key)
    data = {k: ("" if v is None and k in {"district", "address"} else v) for k, v in data.items()}
    data = _household_refs(membership, data)
    with renamed_fields(HOUSEHOLD_FIELD_NAMES):
        household = services.household_update(actor=membership, household=household,
                                              expected_version=version, data=data,
                                              type_changed_on=changed_on)
    return get_household_for_user(membership, household.pk)


# ---------------------------------------------------------------- people

@router.get("/people", response=responses(page_of(PersonOut)), summary="世帯員の一覧・検索")
def person_list(request: ApiRequest, filters: Query[PersonFilter],
                page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "person.view")
    qs = visible_people(membership).select_related("household")
    if filters.q and filters.q.strip():
        q = filters.q.strip()
        key = search_key(q)
        cond = Q(household__case_number=q)
        if key:  # the search rule of the screens (cases.person_file.search_people)
            cond |= Q(name_key__contains=key) | Q(kana_key__contains=key)
        qs = qs.filter(cond)
    if filters.household_id:
        qs = qs.filter(household_id=filters.household_id)
    qs = qs.order_by("kana_key", "id")
    result = paginate(request, qs, page)
    rows: list[Person] = result["results"]
    log_list(membership, rows, what="person.list",
             note=f"検索語: {filters.q.strip()}" if filters.q and filters.q.strip() else "")
    cats = _partner_category_map(membership, rows) if membership.is_partner else {}
    result["results"] = [person_output(membership, p, categories=cats.get(p.pk)) for p in rows]
    return result


@router.post("/people", response=responses(PersonDetailOut, 201), summary="世帯員の登録")
def person_create(request: ApiRequest, payload: PersonCreateIn) -> tuple[int, Person | Extended]:
    membership = acting(request, "person.edit")
    data = payload.dict()
    household_id = data.pop("household_id")
    household = get_household_for_user(membership, household_id) if household_id else None
    data["school_grade"] = data["school_grade"] or ""
    with renamed_fields({"household": "household_id"}):
        person = services.person_create(actor=membership, household=household, data=data)
    return 201, person_output(membership, get_person_for_user(membership, person.pk))


@router.get("/people/{person_id}", response=responses(PersonDetailOut),
            summary="世帯員の詳細（閲覧は監査ログに記録）")
def person_detail(request: ApiRequest, person_id: Id) -> Person | Extended:
    membership = acting(request, "person.view")
    person = get_person_for_user(membership, person_id)
    log_view(membership, person, what="person.view")
    return person_output(membership, person)


@router.patch("/people/{person_id}", response=responses(PersonDetailOut),
              summary="世帯員の変更（versionによる楽観的ロック）")
def person_patch(request: ApiRequest, person_id: Id, payload: PersonUpdateIn) -> Person | Extended:
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
    return person_output(membership, get_person_for_user(membership, person.pk))


# ---------------------------------------------------------------- the person's timeline

class TimelineFilterIn(Schema):
    kind: Literal["record", "review", "conference", "consent", "plan", "outcome", "enrollment",
                  "guidance"] | None = Field(None, description="種類（省略するとすべて）")
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    date_from: Day | None = None
    date_to: Day | None = None


class TimelineEntryOut(Schema):
    kind: str
    kind_label: str
    on: dt.date
    at: dt.datetime
    title: str
    body: str
    program: str
    who: str
    time: str
    details: list[str]
    record_id: int | None = Field(None, description="経過記録のid（供覧欄は GET /records/{record_id}/seals）")
    seal_state: str = Field("", description="経過記録の今の版の供覧: waiting / confirmed / addition（供覧しない記録は空）")


class TimelineOut(Schema):
    entries: list[TimelineEntryOut] = Field(..., description=f"新しい順。最大{tl.TIMELINE_LIMIT}件")
    cut: bool = Field(..., description="件数の上限で打ち切ったか（期間や種類で絞り込む）")
    limit: int
    kinds_available: dict[str, str]


@router.get("/people/{person_id}/timeline", response=responses(TimelineOut),
            summary="世帯員の経過（記録・見直し・決定・同意・計画・成果・参加状況・指導指示。閲覧は監査ログに記録）")
def person_timeline(request: ApiRequest, person_id: Id,
                    filters: Query[TimelineFilterIn]) -> dict[str, Any]:
    membership = acting(request, "person.view")
    person = get_person_for_user(membership, person_id)
    log_view(membership, person, what="person.timeline")
    f = tl.TimelineFilter(kinds={filters.kind} if filters.kind else set(tl.KINDS),
                          program_id=filters.program_id, date_from=filters.date_from,
                          date_to=filters.date_to)
    data = tl.person_timeline(person, membership=membership, filters=f)
    data["entries"] = [{"kind": e.kind, "kind_label": e.kind_label, "on": e.on, "at": e.sort_at,
                        "title": e.title, "body": e.body, "program": e.program, "who": e.who,
                        "time": e.time, "details": e.details, "record_id": e.record_id,
                        "seal_state": e.seal_state} for e in data["entries"]]
    return data
