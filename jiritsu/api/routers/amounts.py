"""Assistance and medical amounts (保護費・医療扶助): the nightly bulk upserts and a person's months.

The bulk upserts follow ``POST /households/bulk-upsert``: rows of plain pydantic models, the
caseload import's services (``people.importing_amounts.upsert_assistance`` /
``upsert_medical``), all or nothing (``422 import_invalid`` with every error in ``details``),
idempotent (a row equal to what is stored writes nothing). Reading a person's months is
audited (``person.amounts_view``) and refused to partners (``amounts.view``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from jiritsu.api.common import Id, InputModel, InputSchema, acting, responses
from jiritsu.api.http import ApiRequest
from jiritsu.cases.access import get_person_amounts_for_user, log_view
from jiritsu.core import clock
from jiritsu.people.amounts import PersonMonth, person_months
from jiritsu.people.importing_amounts import upsert_assistance, upsert_medical

router = Router()

_YEN = Field(None, ge=0, le=100_000_000)


class AssistanceRowIn(InputModel):
    """One household's assistance in one month. Key: ``case_number`` + ``month``. A field left
    out keeps its stored value (a new month takes 0). Values as in the file import
    (docs/import.md): ``month`` ``2025-04`` (or 和暦 ``R7.4``), yen as integers, ``status``
    ``paid`` / ``stopped`` / ``ended`` (or 支給 / 停止 / 廃止), ``status_reason`` a 廃止理由
    code or label (required for stopped and ended)."""

    case_number: str = Field(..., min_length=1, max_length=30)
    month: str = Field(..., min_length=1, max_length=20, description="年月（2025-04、R7.4 など）")
    minimum_living_cost: int | None = _YEN
    earned_income_recognised: int | None = _YEN
    other_income_recognised: int | None = _YEN
    paid_living: int | None = _YEN
    paid_housing: int | None = _YEN
    paid_education: int | None = _YEN
    paid_medical: int | None = _YEN
    paid_care: int | None = _YEN
    paid_childbirth: int | None = _YEN
    paid_occupation: int | None = _YEN
    paid_funeral: int | None = _YEN
    status: str | None = Field(None, max_length=10)
    status_reason: str | None = Field(None, max_length=30)


class MedicalRowIn(InputModel):
    """One person's レセプト summary of one kind at one institution in one month. Key:
    ``case_number`` + ``member_number`` + ``month`` + ``kind`` + ``institution_name``. ``points``
    alone give ``amount`` = points × 10 yen."""

    case_number: str = Field(..., min_length=1, max_length=30)
    member_number: int = Field(..., ge=1, le=99)
    month: str = Field(..., min_length=1, max_length=20, description="診療年月（2025-04、R7.4 など）")
    kind: str = Field(..., max_length=12, description="inpatient / outpatient / pharmacy / dental（または 入院 等）")
    institution_name: str = Field(..., min_length=1, max_length=200)
    institution_code: str | None = Field(None, max_length=10)
    days: int | None = Field(None, ge=0, le=31)
    points: int | None = Field(None, ge=0, le=100_000_000)
    amount: int | None = _YEN


class AssistanceBulkIn(InputSchema):
    rows: list[AssistanceRowIn] = Field(..., min_length=1, max_length=50_000)


class MedicalBulkIn(InputSchema):
    rows: list[MedicalRowIn] = Field(..., min_length=1, max_length=50_000)


class AmountBulkOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    audit_event_id: int | None


def _service_rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{k: "" if v is None else v for k, v in row.model_dump(exclude_unset=True).items()}
            for row in rows]


@router.post("/assistance/bulk-upsert", response=responses(AmountBulkOut),
             summary="保護費（世帯・月別）の一括登録・更新（夜間連携）",
             description="ケース番号＋年月で照合し、作成または更新します。1件でも誤りがあれば何も"
                         "書き込まず、422（code: import_invalid）で全件の誤りを details に返します"
                         "（row は rows の1始まりの位置）。他の事務所のケース番号は誤りです。")
def assistance_bulk_upsert(request: ApiRequest, payload: AssistanceBulkIn) -> dict[str, Any]:
    membership = acting(request, "caseload.import")
    return upsert_assistance(actor=membership, rows=_service_rows(payload.rows)).as_dict()


@router.post("/medical-claims/bulk-upsert", response=responses(AmountBulkOut),
             summary="医療扶助（レセプト集計・月別）の一括登録・更新（夜間連携）",
             description="ケース番号＋世帯員番号＋診療年月＋種類＋医療機関で照合し、作成または更新"
                         "します。誤りの扱いは保護費と同じです。")
def medical_bulk_upsert(request: ApiRequest, payload: MedicalBulkIn) -> dict[str, Any]:
    membership = acting(request, "caseload.import")
    return upsert_medical(actor=membership, rows=_service_rows(payload.rows)).as_dict()


class MedicalKindOut(Schema):
    amount: int
    days: int


class AmountMonthOut(Schema):
    """One month of a person: their household's assistance (null fields when the main system
    sent none for that month) and their own medical claims."""

    month: dt.date
    minimum_living_cost: int | None
    earned_income_recognised: int | None
    other_income_recognised: int | None
    paid: dict[str, int] = Field(..., description="扶助の種類 → 支給額（円）")
    paid_total: int | None
    status: str | None
    status_label: str
    status_reason: str
    medical_amount: int
    medical_days: int
    inpatient_days: int
    medical_by_kind: dict[str, MedicalKindOut] = Field(..., description="inpatient / outpatient / pharmacy / dental")

    @staticmethod
    def _assistance_value(obj: PersonMonth, name: str) -> Any:
        return getattr(obj.assistance, name) if obj.assistance is not None else None

    @staticmethod
    def resolve_minimum_living_cost(obj: PersonMonth) -> int | None:
        return AmountMonthOut._assistance_value(obj, "minimum_living_cost")

    @staticmethod
    def resolve_earned_income_recognised(obj: PersonMonth) -> int | None:
        return AmountMonthOut._assistance_value(obj, "earned_income_recognised")

    @staticmethod
    def resolve_other_income_recognised(obj: PersonMonth) -> int | None:
        return AmountMonthOut._assistance_value(obj, "other_income_recognised")

    @staticmethod
    def resolve_paid(obj: PersonMonth) -> dict[str, int]:
        return obj.paid_by_kind

    @staticmethod
    def resolve_paid_total(obj: PersonMonth) -> int | None:
        return AmountMonthOut._assistance_value(obj, "paid_total")

    @staticmethod
    def resolve_status(obj: PersonMonth) -> str | None:
        return AmountMonthOut._assistance_value(obj, "status")

    @staticmethod
    def resolve_status_label(obj: PersonMonth) -> str:
        return obj.assistance.get_status_display() if obj.assistance is not None else ""

    @staticmethod
    def resolve_status_reason(obj: PersonMonth) -> str:
        return obj.assistance.status_reason if obj.assistance is not None else ""

    @staticmethod
    def resolve_medical_amount(obj: PersonMonth) -> int:
        return obj.medical.amount

    @staticmethod
    def resolve_medical_days(obj: PersonMonth) -> int:
        return obj.medical.days

    @staticmethod
    def resolve_inpatient_days(obj: PersonMonth) -> int:
        return obj.medical.inpatient_days

    @staticmethod
    def resolve_medical_by_kind(obj: PersonMonth) -> dict[str, dict[str, int]]:
        return {kind: {"amount": amount, "days": days} for kind, (amount, days) in obj.medical.by_kind.items()}


class AmountsQuery(Schema):
    months: int = Field(24, ge=1, le=120, description="今月から遡る月数")


@router.get("/people/{person_id}/amounts", response=responses(list[AmountMonthOut]),
            summary="世帯員の保護費・医療扶助（月別、新しい順。閲覧は監査ログに記録）",
            description="金額のある月だけを返します。保護費は世帯の額です。関係機関の職員は閲覧できません。")
def person_amounts(request: ApiRequest, person_id: Id, query: Query[AmountsQuery]) -> list[PersonMonth]:
    membership = acting(request, "amounts.view")
    person = get_person_amounts_for_user(membership, person_id)
    log_view(membership, person, what="person.amounts_view")
    return person_months(person, last=clock.today(), months=query.months)


