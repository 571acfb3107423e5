"""Writes to a person's parts (障害, 傷病, 入院歴, 職歴, 資格, 育児・介護,
稼働能力の評価, 医学的な根拠) through the people services.

Medical evidence is also read here (``GET /people/{person_id}/evidence``, audited as a view
of the person's record): an integration (a 医療扶助 system sending 医療要否意見書 and
レセプト findings) lists what is on file before it adds.

Each kind gets create (POST), update (PATCH with ``version``) and delete (DELETE with ``version``)
under ``/people/{person_id}/<kind>``; access via ``get_person_for_user``/``get_part_for_user`` and
the services ``part_create``/``part_update``/``part_delete`` exactly as the screens.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import Day, Id, InputSchema, acting, responses
from jiritsu.api.http import ApiRequest
from jiritsu.cases.access import (
    get_part_for_user,
    get_person_for_user,
    log_view,
    partner_categories,
)
from jiritsu.core.errors import Forbidden
from jiritsu.people import services
from jiritsu.people.models import (
    CareDuty,
    Disability,
    HospitalStay,
    MedicalEvidence,
    WorkCapacityAssessment,
)

router = Router()

Version = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")


# ---------------------------------------------------------------- disabilities

class DisabilityIn(InputSchema):
    kind: Disability.Kind
    grade: str = Field("", max_length=20)
    certificate: str = Field("", max_length=50)
    certified_on: Day | None = None


class DisabilityPatch(InputSchema):
    version: int = Version
    kind: Disability.Kind | None = None
    grade: str | None = Field(None, max_length=20)
    certificate: str | None = Field(None, max_length=50)
    certified_on: Day | None = None


class DisabilityPartOut(Schema):
    id: int
    person_id: int
    version: int
    kind: str
    grade: str
    certificate: str
    certified_on: dt.date | None


# ---------------------------------------------------------------- illnesses

class IllnessIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    is_chronic: bool = False
    is_psychiatric: bool = False
    treatment: str = Field("", max_length=200)
    medical_institution: str = Field("", max_length=200)
    since: Day | None = None
    until: Day | None = None


class IllnessPatch(InputSchema):
    version: int = Version
    name: str | None = Field(None, min_length=1, max_length=100)
    is_chronic: bool | None = None
    is_psychiatric: bool | None = None
    treatment: str | None = Field(None, max_length=200)
    medical_institution: str | None = Field(None, max_length=200)
    since: Day | None = None
    until: Day | None = None


class IllnessPartOut(Schema):
    id: int
    person_id: int
    version: int
    name: str
    is_chronic: bool
    is_psychiatric: bool
    treatment: str
    medical_institution: str
    since: dt.date | None
    until: dt.date | None


# ---------------------------------------------------------------- hospital stays

class HospitalStayIn(InputSchema):
    hospital_name: str = Field(..., min_length=1, max_length=200)
    psychiatric: bool = False
    admitted_on: Day
    discharged_on: Day | None = None
    destination: HospitalStay.Destination | None = None


class HospitalStayPatch(InputSchema):
    version: int = Version
    hospital_name: str | None = Field(None, min_length=1, max_length=200)
    psychiatric: bool | None = None
    admitted_on: Day | None = None
    discharged_on: Day | None = None
    destination: HospitalStay.Destination | None = None


class HospitalStayPartOut(Schema):
    id: int
    person_id: int
    version: int
    hospital_name: str
    psychiatric: bool
    admitted_on: dt.date
    discharged_on: dt.date | None
    destination: str


# ---------------------------------------------------------------- work history

class WorkHistoryIn(InputSchema):
    employer: str = Field(..., min_length=1, max_length=200)
    job: str = Field("", max_length=100)
    started_on: Day | None = None
    ended_on: Day | None = None
    reason_left: str = Field("", max_length=200)


class WorkHistoryPatch(InputSchema):
    version: int = Version
    employer: str | None = Field(None, min_length=1, max_length=200)
    job: str | None = Field(None, max_length=100)
    started_on: Day | None = None
    ended_on: Day | None = None
    reason_left: str | None = Field(None, max_length=200)


class WorkHistoryPartOut(Schema):
    id: int
    person_id: int
    version: int
    employer: str
    job: str
    started_on: dt.date | None
    ended_on: dt.date | None
    reason_left: str


# ---------------------------------------------------------------- qualifications

class QualificationIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    obtained_on: Day | None = None


class QualificationPatch(InputSchema):
    version: int = Version
    name: str | None = Field(None, min_length=1, max_length=100)
    obtained_on: Day | None = None


class QualificationPartOut(Schema):
    id: int
    person_id: int
    version: int
    name: str
    obtained_on: dt.date | None


# ---------------------------------------------------------------- care duties

class CareDutyIn(InputSchema):
    kind: CareDuty.Kind
    detail: str = Field("", max_length=200)


class CareDutyPatch(InputSchema):
    version: int = Version
    kind: CareDuty.Kind | None = None
    detail: str | None = Field(None, max_length=200)


class CareDutyPartOut(Schema):
    id: int
    person_id: int
    version: int
    kind: str
    detail: str


# ---------------------------------------------------------------- work-capacity assessments

Barrier = Literal["illness", "disability", "childcare", "nursing_care", "other"]


class AssessmentIn(InputSchema):
    assessed_on: Day
    has_capacity: bool
    has_will: bool
    has_place: bool
    usage: WorkCapacityAssessment.Usage
    barriers: list[Barrier] = Field(default_factory=list, max_length=5,
                                    description="阻害要因（illness, disability, childcare, nursing_care, other）")
    evidence: str = Field("", max_length=4000)


class AssessmentPatch(InputSchema):
    version: int = Version
    assessed_on: Day | None = None
    has_capacity: bool | None = None
    has_will: bool | None = None
    has_place: bool | None = None
    usage: WorkCapacityAssessment.Usage | None = None
    barriers: list[Barrier] | None = Field(None, max_length=5)
    evidence: str | None = Field(None, max_length=4000)


class AssessmentPartOut(Schema):
    id: int
    person_id: int
    version: int
    assessed_on: dt.date
    has_capacity: bool
    has_will: bool
    has_place: bool
    usage: str
    barriers: list[str]
    evidence: str
    assessed_by_id: int | None


# ---------------------------------------------------------------- medical evidence

class EvidenceIn(InputSchema):
    kind: MedicalEvidence.Kind
    issued_on: Day = Field(..., description="記載日・実施日。未来の日付は future_date")
    issuer: str = Field("", max_length=200, description="医療機関と医師、嘱託医など")
    care_setting: MedicalEvidence.CareSetting | None = None
    hospitalisation: MedicalEvidence.Hospitalisation | None = None
    discharge: MedicalEvidence.Discharge | None = None
    work: MedicalEvidence.Work | None = None
    work_limits: str = Field("", max_length=200)
    question: str = Field("", max_length=4000)
    finding: str = Field("", max_length=4000)
    next_due_on: Day | None = Field(None, description="省略すると種類ごとの有効期間から決まる")
    based_on_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                    description="嘱託医協議の基にした資料（同じ人の根拠）")


class EvidencePatch(InputSchema):
    version: int = Version
    kind: MedicalEvidence.Kind | None = None
    issued_on: Day | None = None
    issuer: str | None = Field(None, max_length=200)
    care_setting: MedicalEvidence.CareSetting | None = None
    hospitalisation: MedicalEvidence.Hospitalisation | None = None
    discharge: MedicalEvidence.Discharge | None = None
    work: MedicalEvidence.Work | None = None
    work_limits: str | None = Field(None, max_length=200)
    question: str | None = Field(None, max_length=4000)
    finding: str | None = Field(None, max_length=4000)
    next_due_on: Day | None = None
    based_on_id: int | None = Field(None, ge=1, le=2_147_483_647)


class EvidencePartOut(Schema):
    id: int
    person_id: int
    version: int
    kind: str
    issued_on: dt.date
    issuer: str
    care_setting: str
    hospitalisation: str
    discharge: str
    work: str
    work_limits: str
    question: str
    finding: str
    next_due_on: dt.date | None
    based_on_id: int | None
    recorded_by_id: int | None


@router.get("/people/{person_id}/evidence", response=responses(list[EvidencePartOut]),
            operation_id="part_evidence_list", summary="医学的な根拠の一覧（新しい順）")
def evidence_list(request: ApiRequest, person_id: Id) -> list[MedicalEvidence]:
    membership = acting(request, "person.view")
    person = get_person_for_user(membership, person_id)
    if membership.is_partner and "health" not in partner_categories(membership, person):
        raise Forbidden("この方の健康の情報は、同意の範囲に含まれていません。")
    log_view(membership, person, what="medical_evidence.list")
    return list(MedicalEvidence.objects.filter(person=person).order_by("-issued_on", "-id"))


class DeleteParams(Schema):
    version: int = Version


# Fields that may be cleared: a null there means "empty"; other nulls mean "leave as is".
_NULLABLE = {"certified_on", "since", "until", "discharged_on", "started_on", "ended_on",
             "obtained_on", "next_due_on", "based_on_id"}
# Choice fields where a null means "not stated" (stored empty).
_BLANK_CHOICES = {"destination", "care_setting", "hospitalisation", "discharge", "work"}


def _data(payload: Schema, *, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    data.pop("version", None)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None and key not in _NULLABLE:
            if key in _BLANK_CHOICES:
                out[key] = ""
            continue
        out[key] = sorted(set(value)) if key == "barriers" else value
    return out


def _register(slug: str, label: str, create_in: type[Schema], patch_in: type[Schema],
              out: type[Schema]) -> None:
    path = f"/people/{{person_id}}/{slug}"

    def create(request: ApiRequest, person_id: Id, payload: Any) -> tuple[int, Any]:
        membership = acting(request, "person.edit")
        person = get_person_for_user(membership, person_id, write=True)
        part = services.part_create(actor=membership, person=person, kind=slug,
                                    data=_data(payload, partial=False))
        return 201, part

    def update(request: ApiRequest, person_id: Id, part_id: Id, payload: Any) -> Any:
        membership = acting(request, "person.edit")
        part = _part(membership, person_id, part_id)
        data = _data(payload, partial=True)
        return services.part_update(actor=membership, part=part,
                                    expected_version=payload.version, data=data)

    def delete(request: ApiRequest, person_id: Id, part_id: Id,
               params: Query[DeleteParams]) -> tuple[int, None]:
        membership = acting(request, "person.edit")
        part = _part(membership, person_id, part_id)
        services.part_delete(actor=membership, part=part, expected_version=params.version)
        return 204, None

    def _part(membership: Any, person_id: int, part_id: int) -> Any:
        part = get_part_for_user(membership, slug, part_id, write=True)
        if part.person_id != person_id:
            raise Http404
        return part

    create.__annotations__["payload"] = create_in
    update.__annotations__["payload"] = patch_in
    op = slug.replace("-", "_")
    views: list[tuple[Callable[..., Any], Any]] = [
        (create, router.post(path, response=responses(out, 201), operation_id=f"part_{op}_create",
                             summary=f"{label}の追加")),
        (update, router.patch(f"{path}/{{part_id}}", response=responses(out),
                              operation_id=f"part_{op}_update",
                              summary=f"{label}の変更（versionによる楽観的ロック）")),
        (delete, router.delete(f"{path}/{{part_id}}", response=responses({204: None}),
                               operation_id=f"part_{op}_delete",
                               summary=f"{label}の削除（versionによる楽観的ロック）")),
    ]
    for view, decorator in views:
        decorator(view)


_register("disabilities", "障害", DisabilityIn, DisabilityPatch, DisabilityPartOut)
_register("illnesses", "傷病・治療", IllnessIn, IllnessPatch, IllnessPartOut)
_register("stays", "入院歴", HospitalStayIn, HospitalStayPatch, HospitalStayPartOut)
_register("work", "職歴", WorkHistoryIn, WorkHistoryPatch, WorkHistoryPartOut)
_register("qualifications", "資格・免許", QualificationIn, QualificationPatch, QualificationPartOut)
_register("care", "育児・介護", CareDutyIn, CareDutyPatch, CareDutyPartOut)
_register("assessments", "稼働能力の評価", AssessmentIn, AssessmentPatch, AssessmentPartOut)
_register("evidence", "医学的な根拠", EvidenceIn, EvidencePatch, EvidencePartOut)
