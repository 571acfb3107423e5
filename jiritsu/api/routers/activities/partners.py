"""The partner directory by area."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema

from jiritsu.activities import selectors
from jiritsu.api.common import (
    PageParams,
    acting,
    page_of,
    paginate,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.offices.models import PartnerOrganisation

router = Router()


# ---------------------------------------------------------------- partner directory

class AreaFilter(Schema):
    kind: PartnerOrganisation.Kind = PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE


class AreaPartnerOut(Schema):
    id: int
    name: str
    kind: str
    operator: str
    address: str
    phone: str
    capacity: int | None
    areas: list[str]

    @staticmethod
    def resolve_areas(obj: PartnerOrganisation) -> list[str]:
        return [str(a) for a in obj.areas or []]


class AreaOut(Schema):
    # Read from an ``(area, partners)`` row of ``selectors.partners_by_area``.
    area: str
    partners: list[AreaPartnerOut]

    @staticmethod
    def resolve_area(obj: tuple[str, list[PartnerOrganisation]]) -> str:
        return obj[0]

    @staticmethod
    def resolve_partners(obj: tuple[str, list[PartnerOrganisation]]) -> list[PartnerOrganisation]:
        return obj[1]


@router.get("/partner-areas", response=responses(page_of(AreaOut)),
            summary="担当圏域ごとの関係機関（地域生活支援センターなど）")
def partner_areas(request: ApiRequest, filters: Query[AreaFilter],
                  page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    rows = selectors.partners_by_area(m.office, filters.kind)
    return paginate(request, rows, page)
