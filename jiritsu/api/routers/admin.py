"""Office administration and the audit log.

Staff accounts with their membership (role, profession, partner, active) and partner
organisations, for the office's administrator — through ``jiritsu.offices.services``, the
same guards and audit rows as the screens under ``/manage/``. Password hashes are never
answered; a password is only ever input (validated by Django's password validators).

The audit log is read-only here: there is no operation that changes or deletes an event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    Id,
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
from jiritsu.audit import selectors as audit_selectors
from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import NotFound, ValidationFailed
from jiritsu.offices import selectors, services
from jiritsu.offices.access import get_membership_for_user, get_partner_for_user
from jiritsu.offices.models import Membership, PartnerOrganisation

router = Router()

Password = Field(..., min_length=1, max_length=128, json_schema_extra={"format": "password",
                                                                        "writeOnly": True},
                 description="初期パスワード（Djangoのパスワード検証で確認。応答には含まれません）")


# ---------------------------------------------------------------- staff

class StaffOut(Schema):
    id: int = Field(..., description="所属（Membership）のID")
    user_id: int
    username: str
    display_name: str
    role: str
    role_label: str
    profession: str
    partner_id: int | None
    partner_name: str | None
    is_active: bool
    last_login: dt.datetime | None
    created_at: dt.datetime

    # Read from the Membership; the account's own fields from its user.
    resolve_role_label = label_of("role")

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.username

    @staticmethod
    def resolve_display_name(obj: Membership) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_partner_name(obj: Membership) -> str | None:
        return obj.partner.name if obj.partner else None

    @staticmethod
    def resolve_last_login(obj: Membership) -> dt.datetime | None:
        return obj.user.last_login


class StaffCreateIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[\w.@+-]+$",
                          description="ログインID（英数字と @ . + - _）")
    display_name: str = Field(..., min_length=1, max_length=100, description="氏名")
    password: str = Password
    role: Membership.Role
    profession: Membership.Profession | Literal[""] = Field("", description="職種（支援員のとき必須）")
    partner_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                   description="所属する関係機関（関係機関職員のとき必須）")


class StaffUpdateIn(InputSchema):
    display_name: str | None = Field(None, min_length=1, max_length=100)
    role: Membership.Role | None = None
    profession: Membership.Profession | Literal[""] | None = None
    partner_id: int | None = Field(None, ge=1, le=2_147_483_647, description="null で解除")
    is_active: bool | None = Field(None, description="false: 無効化（ログインしても何も見えません）")
    password: str | None = Field(None, min_length=1, max_length=128,
                                 json_schema_extra={"format": "password", "writeOnly": True},
                                 description="新しいパスワード（変更するときだけ）")


class StaffFilter(Schema):
    active: bool | None = Field(None, description="true: 有効な所属のみ")
    role: Membership.Role | None = None


def _partner_ref(m: Membership, pk: int | None) -> PartnerOrganisation | None:
    if pk is None:
        return None
    partner = selectors.office_partners(m.office).filter(pk=pk).first()
    if partner is None:
        exc = NotFound("関係機関が見つかりません。")
        exc.field = "partner_id"
        raise exc
    return partner


@router.get("/admin/staff", response=responses(page_of(StaffOut)),
            summary="職員アカウントの一覧（事務所の所属と役割）")
def staff_list(request: ApiRequest, filters: Query[StaffFilter],
               page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "user.manage")
    qs = selectors.office_staff(m.office)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.role:
        qs = qs.filter(role=filters.role)
    return paginate(request, qs, page)


@router.get("/admin/staff/{membership_id}", response=responses(StaffOut),
            summary="職員アカウント")
def staff_detail(request: ApiRequest, membership_id: Id) -> Membership:
    m = acting(request, "user.manage")
    return get_membership_for_user(m, membership_id)


@router.post("/admin/staff", response=responses(StaffOut, 201),
             summary="職員アカウントの作成（この事務所の所属つき。監査ログに記録）")
def staff_create(request: ApiRequest, payload: StaffCreateIn) -> tuple[int, Membership]:
    m = acting(request, "user.manage")
    partner = _partner_ref(m, payload.partner_id)
    with renamed_fields({"partner": "partner_id"}):
        created = services.staff_create(actor=m, username=payload.username,
                                        display_name=payload.display_name,
                                        password=payload.password, role=payload.role,
                                        profession=payload.profession, partner=partner)
    return 201, get_membership_for_user(m, created.pk)


@router.patch("/admin/staff/{membership_id}", response=responses(StaffOut),
              summary="職員アカウントの変更（氏名・役割・職種・関係機関・有効・パスワード。監査ログに記録）")
def staff_update(request: ApiRequest, membership_id: Id, payload: StaffUpdateIn) -> Membership:
    m = acting(request, "user.manage")
    target = get_membership_for_user(m, membership_id)
    given = payload.dict(exclude_unset=True)
    data: dict[str, Any] = {}
    for key in ("display_name", "role", "is_active", "password"):
        if given.get(key) is not None:
            data[key] = given[key]
    if "profession" in given:
        data["profession"] = given["profession"] or ""
    if "partner_id" in given:
        data["partner"] = _partner_ref(m, given["partner_id"])
    with renamed_fields({"partner": "partner_id"}):
        services.membership_update(actor=m, membership=target, data=data)
    return get_membership_for_user(m, target.pk)


# ---------------------------------------------------------------- partner organisations

class PartnerOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    operator: str
    areas: list[str]
    capacity: int | None
    address: str
    phone: str
    is_active: bool

    resolve_kind_label = label_of("kind")

    @staticmethod
    def resolve_areas(obj: PartnerOrganisation) -> list[str]:
        return list(obj.areas or [])


Area: list[str] = Field(default_factory=list, max_length=100, description="担当圏域（地区・市町村）")


class PartnerIn(InputSchema):
    kind: PartnerOrganisation.Kind
    name: str = Field(..., min_length=1, max_length=200)
    operator: str = Field("", max_length=200, description="事業実施者")
    areas: list[str] = Area
    capacity: int | None = Field(None, ge=0, le=1_000_000, description="定員")
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=30)
    is_active: bool = True


class PartnerUpdateIn(InputSchema):
    kind: PartnerOrganisation.Kind | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    operator: str | None = Field(None, max_length=200)
    areas: list[str] | None = Field(None, max_length=100)
    capacity: int | None = Field(None, ge=0, le=1_000_000, description="null で定員なし")
    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=30)
    is_active: bool | None = None


class PartnerFilter(Schema):
    active: bool | None = Field(None, description="true: 有効な関係機関のみ")
    kind: PartnerOrganisation.Kind | None = None


def _areas(areas: list[str]) -> list[str]:
    for i, a in enumerate(areas):
        if len(a) > 100:
            raise ValidationFailed("担当圏域は1つ100文字以内で入力してください。", field=f"areas.{i}")
    return areas


@router.get("/admin/partners", response=responses(page_of(PartnerOut)), summary="関係機関の一覧")
def partner_list(request: ApiRequest, filters: Query[PartnerFilter],
                 page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "office.admin")
    qs = selectors.office_partners(m.office)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(request, qs, page)


@router.get("/admin/partners/{partner_id}", response=responses(PartnerOut), summary="関係機関")
def partner_detail(request: ApiRequest, partner_id: Id) -> PartnerOrganisation:
    m = acting(request, "office.admin")
    return get_partner_for_user(m, partner_id)


@router.post("/admin/partners", response=responses(PartnerOut, 201),
             summary="関係機関の登録（監査ログに記録）")
def partner_create(request: ApiRequest, payload: PartnerIn) -> tuple[int, PartnerOrganisation]:
    m = acting(request, "office.admin")
    data = payload.dict()
    data["areas"] = _areas(data["areas"])
    partner = services.partner_create(actor=m, data=data)
    return 201, partner


@router.patch("/admin/partners/{partner_id}", response=responses(PartnerOut),
              summary="関係機関の変更（監査ログに記録）")
def partner_update(request: ApiRequest, partner_id: Id, payload: PartnerUpdateIn) -> PartnerOrganisation:
    m = acting(request, "office.admin")
    partner = get_partner_for_user(m, partner_id)
    given = payload.dict(exclude_unset=True)
    data = {k: v for k, v in given.items() if v is not None or k == "capacity"}
    if "areas" in data:
        data["areas"] = _areas(data["areas"])
    services.partner_update(actor=m, partner=partner, data=data)
    return get_partner_for_user(m, partner.pk)


# ---------------------------------------------------------------- audit log (read-only)

class AuditEventOut(Schema):
    id: int
    created_at: dt.datetime
    kind: str
    kind_label: str
    action: str
    actor_id: int | None
    actor_label: str
    target_type: str
    target_id: str
    target_label: str
    person_id: int | None
    person_label: str
    changes: dict[str, Any] | list[Any]
    note: str

    resolve_kind_label = label_of("kind")

    @staticmethod
    def resolve_changes(obj: AuditEvent) -> dict[str, Any] | list[Any]:
        return obj.changes or {}


class AuditFilter(Schema):
    person_id: int | None = Field(None, ge=1, le=9_223_372_036_854_775_807, description="本人（世帯員）のID")
    actor_id: int | None = Field(None, ge=1, le=9_223_372_036_854_775_807, description="職員（利用者）のID")
    date_from: Day | None = Field(None, description="この日以降（日本時間の日付）")
    date_to: Day | None = Field(None, description="この日以前（日本時間の日付）")


@router.get("/audit/events", response=responses(page_of(AuditEventOut)),
            summary="監査ログの閲覧（読み取り専用。本人・職員・日付で絞り込み、新しい順）")
def audit_events(request: ApiRequest, filters: Query[AuditFilter],
                 page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "audit.view")
    qs = audit_selectors.office_events(m.office_id, person_id=filters.person_id,
                                       actor_id=filters.actor_id, date_from=filters.date_from,
                                       date_to=filters.date_to)
    return paginate(request, qs, page)
