"""Guidance cases (法27条の指導指示 → 弁明の機会 → 法62条の決定) through the API.

Every step calls ``jiritsu.guidance.services`` — the due-process guards, dates and
document numbers are theirs; the API turns ids into the office's objects and answers
with the case, its steps and the lawful next steps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    ERRORS,
    Day,
    Id,
    InputSchema,
    Moment,
    PageParams,
    acting,
    download,
    file_operation,
    page_of,
    paginate,
    person_ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import staff_ref
from jiritsu.cases.access import log_view
from jiritsu.guidance import selectors, services
from jiritsu.guidance.access import (
    get_case_for_user,
    get_step_for_user,
    require_settings_access,
    visible_cases,
)
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep
from jiritsu.guidance.rules import NextStep, Track
from jiritsu.offices.models import Membership

router = Router()
Step = GuidanceStep
DateField = Field(..., description="日付（YYYY-MM-DD）")
Text = Field("", max_length=10_000)


class StepOut(Schema):
    id: int
    kind: str
    kind_label: str
    occurred_on: dt.date
    content: str
    reason: str
    note: str
    document_number: str
    deadline: dt.date | None
    delivery_method: str
    delivered_on: dt.date | None
    conference_id: int | None
    conference_subject: str
    conference_outcome: str
    hearing_at: dt.datetime | None
    hearing_place: str
    hearing_outcome: str
    decision_kind: str
    effective_on: dt.date | None
    approval: str
    approved_on: dt.date | None
    approval_request_id: int | None = Field(
        None, description="決裁の依頼（GET /approvals/{approval_id}）。法62条の決定のみ")

    @staticmethod
    def resolve_kind_label(obj: GuidanceStep) -> str:
        return str(obj.get_kind_display())


class NextStepOut(Schema):
    action: str
    label: str
    due_on: dt.date | None
    step_id: int | None
    subject: str


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    opened_on: dt.date
    ground_category: str = Field(description="指導の根拠となる義務（legacy は区分導入前の指導）")
    ground_category_label: str
    ground: str
    status: str
    closed_on: dt.date | None
    closed_reason: str
    closed_note: str
    version: int

    @staticmethod
    def resolve_person_name(obj: GuidanceCase) -> str:
        return obj.person.name

    @staticmethod
    def resolve_ground_category_label(obj: GuidanceCase) -> str:
        return str(obj.get_ground_category_display())


def _track(case: GuidanceCase) -> Track:
    return Track(case, list(case.steps.order_by("occurred_on", "id")),
                 services.settings_for(case.office))


class CaseDetailOut(CaseOut):
    # Read from the case: its steps in order and the lawful next steps (``rules.Track``).
    steps: list[StepOut]
    next_steps: list[NextStepOut]

    @staticmethod
    def resolve_steps(obj: GuidanceCase) -> list[GuidanceStep]:
        return list(obj.steps.order_by("occurred_on", "id"))

    @staticmethod
    def resolve_next_steps(obj: GuidanceCase) -> list[NextStep]:
        return _track(obj).next_steps()


class CaseFilter(Schema):
    status: GuidanceCase.Status | None = None
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)


def _detail(m: Membership, pk: int) -> GuidanceCase:
    """The case as ``CaseDetailOut`` reads it (read again after a step was recorded)."""
    return get_case_for_user(m, pk)


def _cases_qs(m: Membership) -> QuerySet[GuidanceCase]:
    return visible_cases(m).select_related("person")


@router.get("/guidance/cases", response=responses(page_of(CaseOut)), summary="指導指示の一覧")
def case_list(request: ApiRequest, filters: Query[CaseFilter],
              page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "guidance.manage")
    qs = _cases_qs(m)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    return paginate(request, qs.order_by("-opened_on", "-id"), page)


class BoardRowOut(Schema):
    case: CaseOut
    case_number: str | None
    caseworker_id: int | None
    caseworker_name: str | None
    last_step_kind: str | None
    last_step_label: str | None
    last_step_on: dt.date | None
    next_step: NextStepOut | None = Field(..., description="次に行える手続（事案を進めるもの）")
    overdue: bool = Field(..., description="次の手続の期日を過ぎている")

    # Read from a ``selectors.BoardRow`` (``case``, ``overdue`` by name).
    @staticmethod
    def resolve_case_number(obj: selectors.BoardRow) -> str | None:
        hh = obj.case.person.household
        return hh.case_number if hh else None

    @staticmethod
    def resolve_caseworker_id(obj: selectors.BoardRow) -> int | None:
        hh = obj.case.person.household
        return hh.caseworker_id if hh else None

    @staticmethod
    def resolve_caseworker_name(obj: selectors.BoardRow) -> str | None:
        hh = obj.case.person.household
        return str(hh.caseworker) if hh and hh.caseworker else None

    @staticmethod
    def resolve_last_step_kind(obj: selectors.BoardRow) -> str | None:
        return obj.last.kind if obj.last else None

    @staticmethod
    def resolve_last_step_label(obj: selectors.BoardRow) -> str | None:
        return str(obj.last.get_kind_display()) if obj.last else None

    @staticmethod
    def resolve_last_step_on(obj: selectors.BoardRow) -> dt.date | None:
        return obj.last.latest_date if obj.last else None

    @staticmethod
    def resolve_next_step(obj: selectors.BoardRow) -> NextStep | None:
        return obj.next


@router.get("/guidance/board", response=responses(page_of(BoardRowOut)),
            summary="進行中の指導指示（次に行える手続の期日順。査察指導員の一覧）")
def case_board(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "guidance.manage")
    rows = selectors.open_cases_board(m.office, services.settings_for(m.office))
    return paginate(request, rows, page)


@router.get("/guidance/cases/{case_id}", response=responses(CaseDetailOut),
            summary="指導指示の詳細（手続の記録と、次に行える手続。閲覧は監査ログに記録）")
def case_detail(request: ApiRequest, case_id: Id) -> GuidanceCase:
    m = acting(request, "guidance.manage")
    out = _detail(m, case_id)
    log_view(m, get_case_for_user(m, case_id).person, what="guidance.case_view")
    return out


# The duties a new case may be opened on (GuidanceCase.Ground without the legacy value).
OpeningGround = Literal[tuple(g.value for g in GuidanceCase.OPENING_GROUNDS)]  # type: ignore[valid-type]


class CaseOpenIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    opened_on: Day = DateField
    ground_category: OpeningGround = Field(  # type: ignore[valid-type]
        ..., description="指導の根拠となる義務（法4条・60条・61条）。任意の自立支援プログラムは根拠になりません")
    ground: str = Field(..., max_length=10_000, description="指導を要する事情（具体的な事実）")


@router.post("/guidance/cases", response=responses(CaseDetailOut, 201), summary="指導指示の開始")
def case_open(request: ApiRequest, payload: CaseOpenIn) -> tuple[int, GuidanceCase]:
    m = acting(request, "guidance.manage")
    case = services.guidance_case_open(actor=m, person=person_ref(m, payload.person_id),
                                       opened_on=payload.opened_on,
                                       ground_category=payload.ground_category,
                                       ground=payload.ground)
    return 201, _detail(m, case.pk)


class OralIn(InputSchema):
    occurred_on: Day = DateField
    content: str = Field(..., max_length=10_000)
    supervisor_present_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                              description="同席した査察指導員（必須）")
    note: str = Text


class ConferenceStepIn(InputSchema):
    held_on: Day = DateField
    subject: Step.ConferenceSubject
    outcome: Step.ConferenceOutcome
    minutes: str = Field(..., max_length=20_000)
    place: str = Field("", max_length=200)
    attendee_ids: list[int] = Field(default_factory=list, max_length=50)


class WrittenIn(InputSchema):
    occurred_on: Day = DateField
    content: str = Field(..., max_length=10_000)
    reason: str = Field(..., max_length=10_000)
    deadline: Day | None = Field(None, description="履行期限")


class NoteStepIn(InputSchema):
    occurred_on: Day = DateField
    note: str = Text


class NoticeIn(InputSchema):
    occurred_on: Day = DateField
    reason: str = Field(..., max_length=10_000)
    hearing_at: Moment | None = None
    hearing_place: str = Field("", max_length=200)
    content: str = Text


class HearingIn(InputSchema):
    occurred_on: Day = DateField
    outcome: Step.HearingOutcome
    content: str = Field(..., max_length=10_000)


class DecisionIn(InputSchema):
    occurred_on: Day = DateField
    decision_kind: Step.DecisionKind
    effective_on: Day | None = None
    reason: str = Field(..., max_length=10_000)
    content: str = Text
    standard_applied: str = Text


class CloseIn(InputSchema):
    closed_on: Day = DateField
    note: str = Field(..., max_length=10_000)


class DeliveryIn(InputSchema):
    delivered_on: Day = DateField
    method: Step.DeliveryMethod


class ApproveIn(InputSchema):
    approve: bool
    comment: str = Field("", max_length=2000)


def _case_for_step(request: ApiRequest, case_id: int) -> tuple[Membership, GuidanceCase]:
    m = acting(request, "guidance.manage")
    return m, get_case_for_user(m, case_id)


@router.post("/guidance/cases/{case_id}/oral-instruction", response=responses(CaseDetailOut),
             summary="口頭指導（法27条、査察指導員の同席が必要）")
def oral_instruction(request: ApiRequest, case_id: Id, payload: OralIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_oral_instruction_record(
        actor=m, case=case, occurred_on=payload.occurred_on, content=payload.content,
        supervisor_present=staff_ref(m, payload.supervisor_present_id, "supervisor_present_id"),
        note=payload.note)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/conference", response=responses(CaseDetailOut),
             summary="ケース診断会議（文書指示・処分の検討）")
def conference(request: ApiRequest, case_id: Id, payload: ConferenceStepIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    attendees = [staff_ref(m, pk, "attendee_ids") for pk in payload.attendee_ids]
    services.guidance_conference_record(
        actor=m, case=case, held_on=payload.held_on, subject=payload.subject,
        outcome=payload.outcome, minutes=payload.minutes, place=payload.place,
        attendees=attendees)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/written-instruction", response=responses(CaseDetailOut),
             summary="文書による指導指示（法27条、履行期限つき）")
def written_instruction(request: ApiRequest, case_id: Id, payload: WrittenIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_written_instruction_issue(
        actor=m, case=case, occurred_on=payload.occurred_on, content=payload.content,
        reason=payload.reason, deadline=payload.deadline)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/noncompliance", response=responses(CaseDetailOut),
             summary="履行期限の経過（不履行）の記録")
def noncompliance(request: ApiRequest, case_id: Id, payload: NoteStepIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_noncompliance_record(actor=m, case=case, occurred_on=payload.occurred_on,
                                           note=payload.note)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/compliance", response=responses(CaseDetailOut),
             summary="指示の履行の記録（指導指示は終結）")
def compliance(request: ApiRequest, case_id: Id, payload: NoteStepIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_compliance_record(actor=m, case=case, occurred_on=payload.occurred_on,
                                        note=payload.note)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/notice", response=responses(CaseDetailOut),
             summary="弁明の機会の付与通知")
def notice(request: ApiRequest, case_id: Id, payload: NoticeIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_notice_issue(actor=m, case=case, occurred_on=payload.occurred_on,
                                   reason=payload.reason, hearing_at=payload.hearing_at,
                                   hearing_place=payload.hearing_place, content=payload.content)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/hearing", response=responses(CaseDetailOut),
             summary="弁明の聴取の記録")
def hearing(request: ApiRequest, case_id: Id, payload: HearingIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_hearing_record(actor=m, case=case, occurred_on=payload.occurred_on,
                                     outcome=payload.outcome, content=payload.content)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/decision", response=responses(CaseDetailOut),
             summary="法62条の決定の起案（課長決裁が必要）")
def decision(request: ApiRequest, case_id: Id, payload: DecisionIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_decision_draft(
        actor=m, case=case, occurred_on=payload.occurred_on, decision_kind=payload.decision_kind,
        effective_on=payload.effective_on, reason=payload.reason, content=payload.content,
        standard_applied=payload.standard_applied)
    return _detail(m, case.pk)


@router.post("/guidance/cases/{case_id}/close", response=responses(CaseDetailOut),
             summary="指導指示の終結（決定によらないもの）")
def close(request: ApiRequest, case_id: Id, payload: CloseIn) -> GuidanceCase:
    m, case = _case_for_step(request, case_id)
    services.guidance_case_close(actor=m, case=case, closed_on=payload.closed_on,
                                 note=payload.note)
    return _detail(m, case.pk)


@router.post("/guidance/steps/{step_id}/delivery", response=responses(CaseDetailOut),
             summary="文書の交付の記録")
def delivery(request: ApiRequest, step_id: Id, payload: DeliveryIn) -> GuidanceCase:
    m = acting(request, "guidance.manage")
    step = get_step_for_user(m, step_id)
    services.guidance_delivery_record(actor=m, step=step, delivered_on=payload.delivered_on,
                                      method=payload.method)
    return _detail(m, step.case_id)


@router.post("/guidance/steps/{step_id}/approve", response=responses(CaseDetailOut),
             summary="法62条の決定の決裁（決裁ルートの現在の段。最後は課長・所長）")
def approve(request: ApiRequest, step_id: Id, payload: ApproveIn) -> GuidanceCase:
    # The one 決裁: whoever holds the request's current step (GET /approvals lists it too).
    m = acting(request, "approval.decide")
    step = get_step_for_user(m, step_id)
    services.guidance_decision_approve(actor=m, step=step, approve=payload.approve,
                                       comment=payload.comment)
    return _detail(m, step.case_id)


# ---------------------------------------------------------------- documents and settings

@router.get("/guidance/steps/{step_id}/document", response=dict(ERRORS),
            openapi_extra=file_operation("application/pdf", description="PDF（A4）"),
            summary="文書のPDF（指導指示書・弁明の機会の付与通知書・決定通知書。出力は監査ログに記録）")
def document(request: ApiRequest, step_id: Id) -> HttpResponse:
    m = acting(request, "guidance.manage")
    step = get_step_for_user(m, step_id)
    filename, data = services.guidance_document_export(actor=m, step=step)
    return download(data, filename, "application/pdf")


class SettingsOut(Schema):
    required_written_instructions: int
    min_notice_days: int
    appeal_authority: str
    appeal_period_months: int
    sanction_standard: str
    office_head_title: str
    version: int
    updated_at: dt.datetime


class SettingsIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    required_written_instructions: int | None = Field(
        None, ge=0, le=5, description="処分前に必要な文書指示の回数（1以上。施行規則19条）")
    min_notice_days: int | None = Field(None, ge=1, le=60,
                                        description="弁明通知の交付から弁明日までの最低日数")
    appeal_authority: str | None = Field(None, min_length=1, max_length=100, description="審査請求先")
    appeal_period_months: int | None = Field(None, ge=0, le=12,
                                             description="審査請求期間（月、3以上。行政不服審査法18条）")
    sanction_standard: str | None = Field(None, min_length=1, max_length=10_000,
                                          description="処分基準（行政手続法12条）")
    office_head_title: str | None = Field(None, min_length=1, max_length=100,
                                          description="通知者（職名）")


def _settings(m: Membership) -> GuidanceSettings:
    """The office's settings, read by ``SettingsOut``."""
    return services.settings_for(m.office)


@router.get("/guidance/settings", response=responses(SettingsOut),
            summary="指導指示の設定（事務所ごと。課長・システム管理者）")
def settings_read(request: ApiRequest) -> GuidanceSettings:
    return _settings(require_settings_access(acting(request)))


@router.patch("/guidance/settings", response=responses(SettingsOut),
              summary="指導指示の設定の変更（versionによる楽観的ロック。監査ログに記録）")
def settings_update(request: ApiRequest, payload: SettingsIn) -> GuidanceSettings:
    m = require_settings_access(acting(request))
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = data.pop("version")
    services.guidance_settings_update(actor=m, expected_version=version, data=data)
    return _settings(m)
