"""Program templates: the seed programs and creating a program from one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from jiritsu.activities import catalog, services
from jiritsu.api.common import (
    Day,
    Extended,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.activities.common import MAX_INT
from jiritsu.programs.access import visible_programs
from jiritsu.programs.models import Program

router = Router()


# ---------------------------------------------------------------- program templates

class TemplateOut(Schema):
    code: str
    name: str
    seed_office: str = Field(..., description="このプログラムを実施している事務所（出典）")
    kind: str
    category: str
    established_on: dt.date
    description: str
    target_description: str
    features: list[str]
    phases: list[str]
    menus: list[str]
    companion_codes: list[str]
    seed_partners: list[str] = Field(..., description="事例が名前を挙げる関係機関（登録を選べる）")
    program_name: str | None = Field(None, description="この事務所で作成済みならそのプログラム名")

    # Read from a ``catalog.ProgramTemplate`` (``program_name`` added by the operation).
    @staticmethod
    def resolve_seed_office(obj: catalog.ProgramTemplate) -> str:
        return obj.office

    @staticmethod
    def resolve_features(obj: catalog.ProgramTemplate) -> list[str]:
        return list(obj.features)

    @staticmethod
    def resolve_phases(obj: catalog.ProgramTemplate) -> list[str]:
        return [p.name for p in obj.phases]

    @staticmethod
    def resolve_menus(obj: catalog.ProgramTemplate) -> list[str]:
        return [x.name for x in obj.menus]

    @staticmethod
    def resolve_seed_partners(obj: catalog.ProgramTemplate) -> list[str]:
        return [p.name for p in obj.seed_partners]

    @staticmethod
    def resolve_companion_codes(obj: catalog.ProgramTemplate) -> list[str]:
        return [c.code for c in catalog.companions_of(obj.code)]


class TemplateInstantiateIn(InputSchema):
    """Overrides of the template's values; a value left out keeps the template's."""

    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, min_length=1, max_length=40,
                             description="事務所内で重複しない短い記号（英数字）")
    established_on: Day | None = Field(None, description="策定年月（その月の1日）")
    review_interval_months: int | None = Field(None, ge=1, le=24)
    standard_length_months: int | None = Field(None, ge=1, le=60)
    max_length_months: int | None = Field(None, ge=1, le=120)
    budget_yen: int | None = Field(None, ge=0, le=MAX_INT)
    capacity: int | None = Field(None, ge=1, le=MAX_INT)
    register_partners: bool = Field(
        False, description="テンプレートが名前を挙げる関係機関（seed_partners）のうち未登録のものも登録する"
                           "（システム管理者のみ）")


class ProgramCreatedOut(Schema):
    id: int
    code: str
    name: str
    template_code: str
    established_on: dt.date | None


@router.get("/program-templates", response=responses(page_of(TemplateOut)),
            summary="プログラムのテンプレート（先行事例15）の一覧")
def template_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    used = dict(visible_programs(m).exclude(template_code="").values_list("template_code", "name"))
    return paginate(request, list(catalog.TEMPLATES), page,
                    lambda t: Extended(t, program_name=used.get(t.code)))


@router.post("/program-templates/{code}/programs", response=responses(ProgramCreatedOut, 201),
             summary="テンプレートからプログラムを作成（段階・メニュー・成果・目標つき）")
def template_create(request: ApiRequest, code: str,
                    payload: TemplateInstantiateIn) -> tuple[int, Program]:
    m = acting(request, "program.manage")
    if catalog.get_template(code) is None:
        raise Http404
    overrides = payload.dict()
    register = bool(overrides.pop("register_partners"))
    program = services.program_instantiate_template(actor=m, template_code=code,
                                                    overrides=overrides,
                                                    register_partners=register)
    return 201, program
