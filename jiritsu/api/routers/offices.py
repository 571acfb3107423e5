"""Offices and their settings.

The installation administrator (an installation role, ``permissions.may_manage_offices``; no
office membership is needed) lists offices, creates one with its first system administrator
and changes any office's settings; an office's own administrator reads and changes its own
settings (``office.settings``). Through ``jiritsu.offices.services``: the same checks and
audit rows as the screens under ``/installation/`` and ``/manage/office/``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from jiritsu.api.common import Id, InputSchema, acting, label_of, responses
from jiritsu.api.http import ApiRequest
from jiritsu.core.errors import Forbidden, NotFound
from jiritsu.offices import selectors, services
from jiritsu.offices.models import Office, User
from jiritsu.offices.permissions import may_manage_offices

router = Router()


class OfficeOut(Schema):
    id: int
    code: str
    name: str
    municipality: str
    kind: str
    kind_label: str
    head_title: str = Field(..., description="所長の職名（通知書の差出人）")
    head_name: str = Field(..., description="所長の氏名")
    document_number_format: str = Field(..., description="{number} が番号、{year} が和暦の年度")
    record_retention_years: int = Field(..., description="ケース記録の保存年限（年）")
    log_retention_days: int = Field(..., description="運用記録の保存期間（日）")
    long_stay_months: int = Field(..., description="長期入院とみなす入院期間（月）。選定条件 long_psychiatric_stay が使う")
    survey_period_ends: str = Field(..., description="病状調査等の期限（MM-DD、空は未設定）。原文「11月31日」がどの日かを事務所が決める")
    created_at: dt.datetime

    resolve_kind_label = label_of("kind")


class OfficeListRow(OfficeOut):
    staff_count: int = Field(..., description="有効な職員の数")
    admin_count: int = Field(..., description="うちシステム管理者の数")


class OwnSettingsIn(InputSchema):
    """What an office's own administrator may change (all optional: only those given)."""

    name: str | None = Field(None, min_length=1, max_length=100)
    head_title: str | None = Field(None, min_length=1, max_length=100)
    head_name: str | None = Field(None, max_length=100)
    document_number_format: str | None = Field(None, min_length=1, max_length=60)
    record_retention_years: int | None = Field(None, ge=1, le=100)
    log_retention_days: int | None = Field(None, ge=30, le=3650)
    long_stay_months: int | None = Field(None, ge=1, le=120)
    survey_period_ends: str | None = Field(
        None, max_length=10, description="病状調査等の期限。「11-30」「11月30日」など（存在しない日は no_such_day、空文字で未設定）")


class OfficeSettingsIn(OwnSettingsIn):
    """Every setting, including what identifies the office (installation administrator)."""

    code: str | None = Field(None, min_length=2, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")
    municipality: str | None = Field(None, min_length=1, max_length=100)
    kind: Office.Kind | None = None


class OfficeCreateIn(InputSchema):
    code: str = Field(..., min_length=2, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(..., min_length=1, max_length=100)
    municipality: str = Field(..., min_length=1, max_length=100)
    kind: Office.Kind = Office.Kind.CITY
    head_title: str = Field("福祉事務所長", min_length=1, max_length=100)
    head_name: str = Field("", max_length=100)
    document_number_format: str = Field("福第{number}号", min_length=1, max_length=60)
    record_retention_years: int = Field(5, ge=1, le=100)
    log_retention_days: int = Field(400, ge=30, le=3650)
    long_stay_months: int = Field(12, ge=1, le=120)
    admin_username: str = Field(..., min_length=1, max_length=150,
                                description="最初のシステム管理者のユーザー名")
    admin_display_name: str = Field(..., min_length=1, max_length=100)
    admin_email: str = Field("", max_length=254)
    admin_password: str = Field(..., min_length=1, max_length=128,
                                json_schema_extra={"format": "password", "writeOnly": True},
                                description="初期パスワード（Djangoのパスワード検証で確認。応答には含まれません）")


class OfficeCreatedOut(Schema):
    office: OfficeOut
    admin_user_id: int
    admin_username: str


def _installation_admin(request: ApiRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_manage_offices(user):
        raise Forbidden("事務所を管理する権限がありません（設置管理者の操作です）。")
    return user


def _changes(payload: InputSchema) -> dict[str, Any]:
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}


@router.get("/offices", response=responses(list[OfficeListRow]),
            summary="事務所の一覧（設置管理者）")
def office_list(request: ApiRequest) -> Any:
    _installation_admin(request)
    return list(selectors.installation_offices())


@router.post("/offices", response=responses(OfficeCreatedOut, 201),
             summary="事務所とその最初のシステム管理者の作成（設置管理者。監査ログに記録）")
def office_create(request: ApiRequest, payload: OfficeCreateIn) -> tuple[int, dict[str, Any]]:
    user = _installation_admin(request)
    data = payload.dict()
    admin = {k: data.pop(k) for k in ("admin_username", "admin_display_name", "admin_email",
                                      "admin_password")}
    membership = services.office_create(actor=user, data=data, **admin)
    return 201, {"office": membership.office, "admin_user_id": membership.user_id,
                 "admin_username": membership.user.username}


def _office(pk: int) -> Office:
    try:
        return Office.objects.get(pk=pk)
    except Office.DoesNotExist:
        raise NotFound("事務所が見つかりません。") from None


@router.get("/offices/{office_id}", response=responses(OfficeOut), summary="事務所の設定（設置管理者）")
def office_detail(request: ApiRequest, office_id: Id) -> Office:
    _installation_admin(request)
    return _office(office_id)


@router.patch("/offices/{office_id}", response=responses(OfficeOut),
              summary="事務所の設定の変更（設置管理者。監査ログに記録）")
def office_update(request: ApiRequest, office_id: Id, payload: OfficeSettingsIn) -> Office:
    user = _installation_admin(request)
    return services.office_update(actor=user, office=_office(office_id), data=_changes(payload))


@router.get("/office/settings", response=responses(OfficeOut),
            summary="この事務所の設定（システム管理者）")
def own_settings(request: ApiRequest) -> Office:
    return acting(request, "office.settings").office


@router.patch("/office/settings", response=responses(OfficeOut),
              summary="この事務所の設定の変更（システム管理者。事務所コード・自治体・種別は設置管理者が変更。監査ログに記録）")
def own_settings_update(request: ApiRequest, payload: OwnSettingsIn) -> Office:
    m = acting(request, "office.settings")
    return services.office_update(actor=m.user, office=m.office, data=_changes(payload))
