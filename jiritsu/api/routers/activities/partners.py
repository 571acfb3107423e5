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


class AreaOut(Schema):
    area: str
    partners: list[AreaPartnerOut]


def _area_partner(p: PartnerOrganisation) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "kind": p.kind, "operator": p.operator,
            "address": p.address, "phone": p.phone, "capacity": p.capacity,
            "areas": [str(a) for a in p.areas or []]}


@router.get("/partner-areas", response=responses(page_of(AreaOut)),
            summary="担当圏域ごとの関係機関（地域生活支援センターなど）")
def partner_areas(request: ApiRequest, filters: Query[AreaFilter],
                  page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    rows = selectors.partners_by_area(m.office, filters.kind)
    return paginate(request, rows, page, lambda row: {
        "area": row[0], "partners": [_area_partner(p) for p in row[1]]})
