"""決裁 (approvals): waiting and own requests, decisions, the office's route.

Part of the program life cycle API (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Id,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import (
    ApprovalOut,
    Version,
)
from jiritsu.cases import access, selectors, services
from jiritsu.cases.models import ApprovalRequest, ApprovalRoute
from jiritsu.offices.models import Office

router = Router()


# ---------------------------------------------------------------- approvals (決裁)

class DecideIn(InputSchema):
    approve: bool
    comment: str = Field("", max_length=2000, description="差戻しの場合は必須")
    version: int | None = Version


@router.get("/approvals", response=responses(page_of(ApprovalOut)),
            summary="自分の決裁待ち")
def approval_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "approval.decide")
    return paginate(request, selectors.approvals_waiting(m), page)


@router.post("/approvals/{approval_id}/decide", response=responses(ApprovalOut),
             summary="決裁（承認・差戻し）。最後の承認で決定が適用されます")
def approval_decide(request: ApiRequest, approval_id: Id, payload: DecideIn) -> ApprovalRequest:
    m = acting(request, "approval.decide")
    req = access.get_approval_for_user(m, approval_id)
    result = services.approval_decide(actor=m, request=req, approve=payload.approve,
                                      comment=payload.comment, expected_version=payload.version)
    return result


RouteRole = Literal["supervisor", "manager"]


class RouteOut(Schema):
    name: str
    steps: list[str] = Field(..., description="決裁者の役割の順序（supervisor: 査察指導員、manager: 課長・所長）")

    # Read from the office: its default route, or the standard one when it has none.
    @staticmethod
    def resolve_name(obj: Office) -> str:
        route = ApprovalRoute.objects.filter(office=obj, is_default=True).order_by("id").first()
        return route.name if route else "標準ルート"

    @staticmethod
    def resolve_steps(obj: Office) -> list[str]:
        return list(services.route_steps(obj))


class RouteIn(InputSchema):
    name: str = Field("標準ルート", min_length=1, max_length=100)
    steps: list[RouteRole] = Field(..., min_length=1, max_length=4,
                                   description="決裁者の役割の順序（例: [\"supervisor\", \"manager\"]）")


@router.get("/approvals/route", response=responses(RouteOut), summary="決裁ルート（事務所の標準）")
def approval_route(request: ApiRequest) -> Office:
    return acting(request, "program.view").office


@router.put("/approvals/route", response=responses(RouteOut),
            summary="決裁ルートの設定（監査ログに記録）")
def approval_route_set(request: ApiRequest, payload: RouteIn) -> Office:
    m = acting(request, "program.manage")
    services.approval_route_set(actor=m, name=payload.name.strip() or "標準ルート",
                                steps=list(payload.steps))
    return m.office


class ApprovalDecisionOut(Schema):
    step_no: int
    role: str
    decided_by_id: int
    decided_by_name: str
    approved: bool
    comment: str
    decided_at: dt.datetime

    @staticmethod
    def resolve_decided_by_name(obj: Any) -> str:
        return str(obj.decided_by)


class ApprovalDetailOut(ApprovalOut):
    decisions: list[ApprovalDecisionOut]
    can_decide: bool

    @staticmethod
    def resolve_decisions(obj: ApprovalRequest) -> list[Any]:
        return list(obj.decisions.select_related("decided_by"))

    @staticmethod
    def resolve_can_decide(obj: ApprovalRequest, context: dict[str, Any]) -> bool:
        # Depends on who asks: the acting membership of the request being answered.
        return services.can_decide(acting(context["request"]), obj)


@router.get("/approvals/mine", response=responses(page_of(ApprovalDetailOut)),
            summary="自分が起案した決裁（決裁待ちと最近の差戻し）")
def approvals_mine(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    return paginate(request, selectors.approvals_mine(m), page)


@router.get("/approvals/{approval_id}", response=responses(ApprovalDetailOut),
            summary="決裁の詳細（各段階の判断とコメント）")
def approval_detail(request: ApiRequest, approval_id: Id) -> ApprovalRequest:
    m = acting(request, "program.view")
    return access.get_approval_for_user(m, approval_id)
