"""Retention (保存年限) and deletion: the office's periods per kind of record, what is due for
deletion (households' case files, people without a household, 移管 records), and deletion
requests. A request is decided in the one 決裁 mechanism
(``POST /approvals/{approval_id}/decide``, kind ``retention_delete``); its final approval
deletes. Through ``jiritsu.retention.services``: the same checks and audit rows as the screen
``/manage/retention/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from jiritsu.api.common import Id, InputSchema, acting, responses
from jiritsu.api.http import ApiRequest
from jiritsu.retention import selectors, services
from jiritsu.retention.access import get_batch_for_user, visible_batches
from jiritsu.retention.models import DeletionBatch
from jiritsu.retention.selectors import DueSummary

router = Router()

class KindPeriodOut(Schema):
    kind: str = Field(..., description="記録の種類のコード（case_record, program, guidance, approval, amounts, attachment, merge, transfer, audit）")
    label: str
    years: int = Field(..., description="この事務所の保存年限（年）")
    default_years: int
    start: str = Field(..., description="起算の説明")


class PeriodsIn(InputSchema):
    """Only the kinds given change; each 1–100 years, the audit log at least the longest."""

    case_record: int | None = Field(None, ge=1, le=100)
    program: int | None = Field(None, ge=1, le=100)
    guidance: int | None = Field(None, ge=1, le=100)
    approval: int | None = Field(None, ge=1, le=100)
    attachment: int | None = Field(None, ge=1, le=100)
    amounts: int | None = Field(None, ge=1, le=100)
    merge: int | None = Field(None, ge=1, le=100, description="記録の統合（名寄せ）の記録")
    transfer: int | None = Field(None, ge=1, le=100, description="移管の記録")
    audit: int | None = Field(None, ge=1, le=100)


class DeletionIn(InputSchema):
    note: str = Field("", max_length=2000, description="起案の理由・確認したこと")


class DueHouseholdOut(Schema):
    id: int
    case_number: str
    assistance_ended_on: dt.date
    end_reason: str
    member_count: int = Field(..., description="世帯員の数")


class DuePersonOut(Schema):
    id: int
    name: str
    kana: str
    birth_date: dt.date
    last_ended_on: dt.date | None = Field(None, description="最後のプログラムの終了日（参加がなければ null）")


class DueTransferOut(Schema):
    id: int
    person_name: str
    source_label: str = Field(..., description="移管元")
    target_office: str = Field(..., description="移管先の事務所名")
    status: str
    decided_on: dt.date | None

    @staticmethod
    def resolve_target_office(obj: Any) -> str:
        return str(obj.target_office.name)


class KindCountOut(Schema):
    kind: str
    label: str
    count: int


class RetentionDueOut(Schema):
    expire_before: dt.date = Field(..., description="この日より前に保護廃止した世帯が対象")
    household_years: int = Field(..., description="世帯の記録に適用する保存年限（種類のうち最長）")
    kind_counts: list[KindCountOut] = Field(..., description="記録の種類ごとの削除する件数")
    households: list[DueHouseholdOut]
    people: list[DuePersonOut] = Field(..., description="世帯のない方（被保護者以外）で、最後の支援から保存年限を過ぎた方")
    transfers: list[DueTransferOut] = Field(..., description="両方の事務所の保存年限を過ぎ、本人の記録がどちらにも残らない移管の記録")
    transfers_expire_before: dt.date | None = Field(None, description="この日より前に決定した移管が対象（この事務所の年限）")
    audit_rows: int = Field(..., description="監査ログの保存年限を過ぎた行数（データベース管理者が整理）")


class BatchOut(Schema):
    id: int
    status: str
    status_label: str
    due_on: dt.date
    household_ids: list[int]
    person_ids: list[int] = Field(..., description="対象の世帯のない方（被保護者以外）のID")
    transfer_ids: list[int] = Field(..., description="対象の移管の記録のID")
    note: str
    approval_id: int | None = Field(None, description="決裁（POST /approvals/{approval_id}/decide）")
    requested_at: dt.datetime
    done_at: dt.datetime | None
    result: dict[str, Any] = Field(..., description="件数（種類ごと・モデルごと）、消去したファイル数、対象外となった世帯・方・移管のID")

    @staticmethod
    def resolve_status_label(obj: DeletionBatch) -> str:
        return obj.get_status_display()


@router.get("/retention/periods", response=responses(list[KindPeriodOut]),
            summary="記録の種類ごとの保存年限")
def periods(request: ApiRequest) -> Any:
    return selectors.period_rows(acting(request, "retention.view").office)


@router.patch("/retention/periods", response=responses(list[KindPeriodOut]),
              summary="保存年限の変更（システム管理者。監査ログに記録）")
def periods_update(request: ApiRequest, payload: PeriodsIn) -> Any:
    m = acting(request, "office.settings")
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.periods_set(actor=m, values=values)
    return selectors.period_rows(m.office)


@router.get("/retention/due", response=responses(RetentionDueOut),
            summary="保存年限を過ぎた記録（廃止世帯・世帯のない方・移管。削除の対象。閲覧は監査ログに記録）")
def due(request: ApiRequest) -> DueSummary:
    m = acting(request, "retention.view")
    return services.due_list(actor=m)


@router.post("/retention/deletions", response=responses(BatchOut, 201),
             summary="削除の起案（決裁に回す。決裁が終わるまで削除されない）")
def deletion_request(request: ApiRequest, payload: DeletionIn) -> tuple[int, DeletionBatch]:
    m = acting(request, "retention.request")
    return 201, services.deletion_request(actor=m, note=payload.note)


@router.get("/retention/deletions", response=responses(list[BatchOut]),
            summary="削除の起案と結果の一覧")
def deletion_list(request: ApiRequest) -> Any:
    return list(visible_batches(acting(request, "retention.view"))[:100])


@router.get("/retention/deletions/{batch_id}", response=responses(BatchOut),
            summary="削除の起案と結果")
def deletion_detail(request: ApiRequest, batch_id: Id) -> DeletionBatch:
    m = acting(request, "retention.view")
    batch = get_batch_for_user(m, batch_id)
    services.batch_viewed(actor=m, batch=batch)
    return batch
