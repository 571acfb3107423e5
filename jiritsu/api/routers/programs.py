"""The program catalogue: list and detail with phases, menus and outcome types; create and
change through the catalogue services (``program.manage``). The life cycle is in :mod:`jiritsu.api.routers.lifecycle` (a package, one router per object)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

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
from jiritsu.core import clock
from jiritsu.core.errors import NotFound
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.programs import screening
from jiritsu.programs.access import get_program_for_user, visible_programs
from jiritsu.programs.models import OutcomeKind, Program, ProgramTarget
from jiritsu.programs.services import catalogue

router = Router()


class PhaseOut(Schema):
    id: int
    order: int
    name: str
    standard_months: int | None


class MenuOut(Schema):
    id: int
    name: str
    description: str


class OutcomeTypeOut(Schema):
    id: int
    kind: str
    name: str
    counts_as_achievement: bool


class ProgramOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    category: str
    legal_basis: str
    established_on: dt.date
    review_interval_months: int
    standard_length_months: int | None
    max_length_months: int | None
    capacity: int | None
    consent_required: bool
    allows_non_recipients: bool
    is_active: bool
    current_version: int
    version: int

    resolve_kind_label = label_of("kind")


class ProgramDetailOut(ProgramOut):
    description: str
    target_description: str
    rules: dict[str, Any]
    approvals_needed: list[Any]
    decision_attendees: list[str] = Field(..., description="継続・中止の判断に出席が必要な職員（manager / supervisor / 職種コード）")
    phases: list[PhaseOut]
    menus: list[MenuOut]
    outcome_types: list[OutcomeTypeOut]

    # ``phases``, ``menus`` and ``outcome_types`` are read from the program's relations.
    @staticmethod
    def resolve_rules(obj: Program) -> dict[str, Any]:
        return obj.rules or {}

    @staticmethod
    def resolve_approvals_needed(obj: Program) -> list[Any]:
        return obj.approvals_needed or []

    @staticmethod
    def resolve_decision_attendees(obj: Program) -> list[str]:
        return list(obj.decision_attendees or [])


class ProgramFilter(Schema):
    active: bool | None = Field(None, description="true: 実施中のみ")
    kind: Program.Kind | None = None


@router.get("/programs", response=responses(page_of(ProgramOut)), summary="プログラムの一覧")
def program_list(request: ApiRequest, filters: Query[ProgramFilter],
                 page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "program.view")
    qs = visible_programs(membership).order_by("code", "id")
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(request, qs, page)


@router.get("/programs/{program_id}", response=responses(ProgramDetailOut),
            summary="プログラムの詳細")
def program_detail(request: ApiRequest, program_id: Id) -> Program:
    membership = acting(request, "program.view")
    return get_program_for_user(membership, program_id)


# ---------------------------------------------------------------- writes (program.manage)

ApprovalKind = Literal["extend", "end", "achieve"]
SmallInt = Annotated[int, Field(ge=1, le=600)]


class PhaseIn(InputSchema):
    id: int | None = Field(None, ge=1, le=2_147_483_647, description="既存の段階のID（変更時）")
    order: int | None = Field(None, ge=1, le=1000)
    name: str = Field(..., min_length=1, max_length=100)
    standard_months: int | None = Field(None, ge=1, le=600)


class MenuIn(InputSchema):
    id: int | None = Field(None, ge=1, le=2_147_483_647, description="既存のメニューのID（変更時）")
    order: int | None = Field(None, ge=1, le=1000)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)


class OutcomeTypeIn(InputSchema):
    id: int | None = Field(None, ge=1, le=2_147_483_647, description="既存の成果の種類のID（変更時）")
    kind: OutcomeKind
    name: str = Field(..., min_length=1, max_length=100)
    counts_as_achievement: bool = False


class ProgramCreateIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40, description="プログラムコード（事務所内で一意）")
    name: str = Field(..., min_length=1, max_length=200)
    kind: Program.Kind
    category: str = Field("", max_length=100)
    legal_basis: Program.LegalBasis = Program.LegalBasis.ART27_2
    established_on: Day = Field(..., description="策定年月（月の初日に揃えます）")
    description: str = Field("", max_length=4000)
    target_description: str = Field("", max_length=4000)
    review_interval_months: SmallInt = 3
    standard_length_months: SmallInt | None = None
    max_length_months: SmallInt | None = None
    extension_approval: Program.ApprovalLevel = Program.ApprovalLevel.MANAGER
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    consent_required: bool = True
    allows_non_recipients: bool = False
    is_active: bool = True
    rules: dict[str, Any] = Field(default_factory=dict, description="選定条件（画面と同じ形式）")
    approvals_needed: list[ApprovalKind] = Field(default_factory=list, max_length=3)
    decision_attendees: list[str] = Field(default_factory=list, max_length=12,
                                          description="継続・中止の判断に出席が必要な職員")
    phases: list[PhaseIn] = Field(default_factory=list, max_length=50)
    menus: list[MenuIn] = Field(default_factory=list, max_length=100)
    outcome_types: list[OutcomeTypeIn] = Field(default_factory=list, max_length=50)
    partner_ids: list[Id] = Field(default_factory=list, max_length=100, description="関係機関のID")


class ProgramUpdateIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Program.Kind | None = None
    category: str | None = Field(None, max_length=100)
    legal_basis: Program.LegalBasis | None = None
    established_on: Day | None = None
    description: str | None = Field(None, max_length=4000)
    target_description: str | None = Field(None, max_length=4000)
    review_interval_months: SmallInt | None = None
    standard_length_months: SmallInt | None = None
    max_length_months: SmallInt | None = None
    extension_approval: Program.ApprovalLevel | None = None
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    consent_required: bool | None = None
    allows_non_recipients: bool | None = None
    is_active: bool | None = None
    rules: dict[str, Any] | None = Field(None, description="選定条件（画面と同じ形式）")
    approvals_needed: list[ApprovalKind] | None = Field(None, max_length=3)
    decision_attendees: list[str] | None = Field(None, max_length=12,
                                                 description="継続・中止の判断に出席が必要な職員")
    phases: list[PhaseIn] | None = Field(None, max_length=50, description="指定すると置き換え")
    menus: list[MenuIn] | None = Field(None, max_length=100, description="指定すると置き換え")
    outcome_types: list[OutcomeTypeIn] | None = Field(None, max_length=50,
                                                      description="指定すると置き換え")
    partner_ids: list[Id] | None = Field(None, max_length=100, description="指定すると置き換え")


_CHILDREN = ("phases", "menus", "outcome_types")
_NULLABLE = {"standard_length_months", "max_length_months", "capacity"}
_BLANKABLE = {"category", "description", "target_description"}


def _partners(membership: Membership, ids: list[int] | None) -> list[PartnerOrganisation] | None:
    if ids is None:
        return None
    found = list(PartnerOrganisation.objects.filter(office=membership.office, pk__in=set(ids)))
    if len(found) != len(set(ids)):
        exc = NotFound("関係機関が見つかりません。")
        exc.field = "partner_ids"
        raise exc
    return found


@router.post("/programs", response=responses(ProgramDetailOut, 201),
             summary="プログラムの登録（選定条件・段階・メニュー・成果の種類を含む）")
def program_create(request: ApiRequest, payload: ProgramCreateIn) -> tuple[int, Program]:
    membership = acting(request, "program.manage")
    data = payload.dict()
    children = {k: [{f: v for f, v in row.items() if f != "id"} for row in data.pop(k)]
                for k in _CHILDREN}
    partners = _partners(membership, data.pop("partner_ids"))
    with renamed_fields({"partners": "partner_ids"}):
        program = catalogue.program_create(actor=membership, data=data, partners=partners,
                                           targets=[], **children)
    return 201, get_program_for_user(membership, program.pk)


@router.patch("/programs/{program_id}", response=responses(ProgramDetailOut),
              summary="プログラムの変更（versionによる楽観的ロック。定義が変われば新しい版）")
def program_patch(request: ApiRequest, program_id: Id, payload: ProgramUpdateIn) -> Program:
    membership = acting(request, "program.manage")
    program = get_program_for_user(membership, program_id, write=True)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    children = {k: data.pop(k, None) for k in _CHILDREN}
    partners = _partners(membership, data.pop("partner_ids", None))
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if value is None and key not in _NULLABLE:
            if key in _BLANKABLE:
                clean[key] = ""
            elif key == "rules":
                clean[key] = {}
            elif key == "approvals_needed":
                clean[key] = []
            continue
        clean[key] = value
    with renamed_fields({"partners": "partner_ids"}):
        program = catalogue.program_update(actor=membership, program=program,
                                           expected_version=version, data=clean,
                                           partners=partners, **children)
    return get_program_for_user(membership, program.pk)


# ---------------------------------------------------------------- a draft rule's count

class RuleCountIn(InputSchema):
    rules: dict[str, Any] = Field(default_factory=dict, description="選定条件（画面と同じ形式）")
    allows_non_recipients: bool = Field(False, description="被保護者以外も対象にするか")


class RuleCountOut(Schema):
    count: int = Field(description="条件に該当する人数（今日時点）")
    population: int = Field(description="対象となる母集団の人数")
    as_of: dt.date
    rules_text: list[str] = Field(description="条件の読み方（日本語）")


@router.post("/programs/rules/count", response=responses(RuleCountOut),
             summary="選定条件の下書きに該当する人数（保存しない。プログラム編集画面の人数と同じ）")
def rule_count(request: ApiRequest, payload: RuleCountIn) -> dict[str, Any]:
    membership = acting(request, "program.manage")
    rules = screening.validate_rules(payload.rules)
    today = clock.today()
    count, population = screening.count_matching(
        membership.office, rules, allows_non_recipients=payload.allows_non_recipients,
        as_of=today)
    return {"count": count, "population": population, "as_of": today,
            "rules_text": screening.describe_rules(rules)}


# ---------------------------------------------------------------- numeric targets (目標)

class TargetOut(Schema):
    id: int
    label: str
    metric: str
    metric_label: str
    outcome_kind: str
    value: int
    fiscal_year_from: int
    fiscal_year_to: int
    baseline: int | None

    resolve_metric_label = label_of("metric")


class TargetsOut(Schema):
    program_id: int
    version: int = Field(..., description="プログラムの版（変更時に送り返します）")
    targets: list[TargetOut]

    # Read from the program.
    @staticmethod
    def resolve_program_id(obj: Program) -> int:
        return obj.pk

    @staticmethod
    def resolve_targets(obj: Program) -> list[ProgramTarget]:
        return list(obj.targets.order_by("fiscal_year_from", "id"))


class TargetIn(InputSchema):
    id: int | None = Field(None, ge=1, le=2_147_483_647, description="既存の目標のID（変更時）")
    label: str = Field(..., min_length=1, max_length=200)
    metric: ProgramTarget.Metric
    outcome_kind: OutcomeKind | Literal[""] = Field("", description="指標が outcome のときの成果の種類")
    value: int = Field(..., ge=0, le=1_000_000)
    fiscal_year_from: int = Field(..., ge=2000, le=2100, description="開始年度（西暦）")
    fiscal_year_to: int = Field(..., ge=2000, le=2100, description="終了年度（西暦）")
    baseline: int | None = Field(None, ge=0, le=1_000_000, description="基準値（減少数の目標など）")


class TargetsIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点のプログラムの版")
    targets: list[TargetIn] = Field(..., max_length=50, description="目標の一覧（置き換え。IDで既存の行を残す）")


@router.get("/programs/{program_id}/targets", response=responses(TargetsOut),
            summary="プログラムの数値目標")
def target_list(request: ApiRequest, program_id: Id) -> Program:
    membership = acting(request, "program.view")
    return get_program_for_user(membership, program_id)


@router.put("/programs/{program_id}/targets", response=responses(TargetsOut),
            summary="プログラムの数値目標の設定（一覧を置き換え。versionによる楽観的ロック）")
def target_replace(request: ApiRequest, program_id: Id, payload: TargetsIn) -> Program:
    membership = acting(request, "program.manage")
    program = get_program_for_user(membership, program_id, write=True)
    catalogue.program_update(actor=membership, program=program, expected_version=payload.version,
                             targets=[t.dict() for t in payload.targets])
    return get_program_for_user(membership, program.pk)

