"""Consents (同意) and their grants to partners.

Part of the program life cycle API (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    Id,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    person_ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import (
    DateField,
    Note,
    partner_ref,
    program_ref,
)
from jiritsu.cases import access, services
from jiritsu.cases.models import Consent, DataCategory
from jiritsu.offices.models import Membership

router = Router()


# ---------------------------------------------------------------- consents

class GrantIn(InputSchema):
    partner_id: int = Field(..., ge=1, le=2_147_483_647)
    categories: list[DataCategory] = Field(..., min_length=1, max_length=10)


class ConsentIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    program_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                   description="省略時はプログラムを限定しない同意")
    given_on: Day = DateField
    form: Consent.Form
    grants: list[GrantIn] = Field(default_factory=list, max_length=50)
    note: str = Note


class WithdrawIn(InputSchema):
    on: Day = DateField
    version: int = Field(..., ge=1, le=2_147_483_647)
    note: str = Note


class GrantOut(Schema):
    partner_id: int
    partner_name: str
    categories: list[str]

    @staticmethod
    def resolve_partner_name(obj: Any) -> str:
        return str(obj.partner.name)


class ConsentOut(Schema):
    id: int
    person_id: int
    program_id: int | None
    given_on: dt.date
    form: str
    withdrawn_on: dt.date | None
    note: str
    version: int
    grants: list[GrantOut]


class ConsentFilter(Schema):
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)


def _consents_qs(m: Membership) -> QuerySet[Consent]:
    return access.visible_consents(m).prefetch_related("grants__partner")


@router.get("/consents", response=responses(page_of(ConsentOut)), summary="同意の一覧")
def consent_list(request: ApiRequest, filters: Query[ConsentFilter],
                 page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "consent.record")
    qs = _consents_qs(m)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    return paginate(request, qs.order_by("-given_on", "-id"), page)


@router.post("/consents", response=responses(ConsentOut, 201),
             summary="同意の記録（関係機関ごとの提供情報区分）")
def consent_create(request: ApiRequest, payload: ConsentIn) -> tuple[int, Consent]:
    m = acting(request, "consent.record")
    grants = [(partner_ref(m, g.partner_id, "grants"), [str(c) for c in g.categories])
              for g in payload.grants]
    consent = services.consent_record(
        actor=m, person=person_ref(m, payload.person_id), program=program_ref(m, payload.program_id),
        given_on=payload.given_on, form=payload.form, grants=grants, note=payload.note)
    return 201, _consents_qs(m).get(pk=consent.pk)


@router.post("/consents/{consent_id}/withdraw", response=responses(ConsentOut),
             summary="同意の撤回（関係機関は直ちに閲覧できなくなります）")
def consent_withdraw(request: ApiRequest, consent_id: Id, payload: WithdrawIn) -> Consent:
    m = acting(request, "consent.record")
    consent = access.get_consent_for_user(m, consent_id, write=True)
    services.consent_withdraw(actor=m, consent=consent, on=payload.on,
                              expected_version=payload.version, note=payload.note)
    return _consents_qs(m).get(pk=consent.pk)
