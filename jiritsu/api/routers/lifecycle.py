"""The program life cycle through the API: screening, nominations, enrolments and their
transitions, consents, conferences and decisions, plans, records, reviews, outcomes,
決裁 (approvals) and due reviews.

Every write calls ``jiritsu.programs.services``; every object is reached through
``jiritsu.programs.access`` / ``jiritsu.people.access``. Nothing here decides a business
rule: ids in the input are turned into the office's objects, the service does the rest.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any, Literal, overload

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    DayOrMoment,
    Id,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    person_ref,
    ref,
    responses,
)
from jiritsu.core import clock
from jiritsu.core.errors import NotFound
from jiritsu.offices.models import Membership, PartnerOrganisation, User
from jiritsu.people.access import log_view
from jiritsu.programs import access, screening, selectors, services
from jiritsu.programs.models import (
    Achievement,
    ActivityRecord,
    ApprovalRequest,
    ApprovalRoute,
    Conference,
    ConferenceDecision,
    Consent,
    DataCategory,
    Enrollment,
    Nomination,
    Outcome,
    OutcomeType,
    Phase,
    Plan,
    PlanCommitment,
    Program,
    Review,
    SupportMenu,
)

router = Router()

DateField = Field(..., description="日付（YYYY-MM-DD）")
Version = Field(None, ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
Note = Field("", max_length=10_000)


# ---------------------------------------------------------------- references

@overload
def _program(m: Membership, pk: int, field: str = ...) -> Program: ...
@overload
def _program(m: Membership, pk: int | None, field: str = ...) -> Program | None: ...
def _program(m: Membership, pk: int | None, field: str = "program_id") -> Program | None:
    return ref(access.visible_programs(m), pk, field)


def _conference(m: Membership, pk: int | None) -> Conference | None:
    return ref(access.visible_conferences(m), pk, "conference_id")


@overload
def _phase(m: Membership, pk: int, field: str = ...) -> Phase: ...
@overload
def _phase(m: Membership, pk: int | None, field: str = ...) -> Phase | None: ...
def _phase(m: Membership, pk: int | None, field: str = "phase_id") -> Phase | None:
    return ref(Phase.objects.filter(program__office=m.office), pk, field)


def _menus(m: Membership, ids: list[int] | None) -> list[SupportMenu] | None:
    if ids is None:
        return None
    menus = list(SupportMenu.objects.filter(program__office=m.office, pk__in=ids))
    if len(menus) != len(set(ids)):
        raise NotFound(field="menu_ids")
    return menus


@overload
def _partner(m: Membership, pk: int, field: str = ...) -> PartnerOrganisation: ...
@overload
def _partner(m: Membership, pk: int | None, field: str = ...) -> PartnerOrganisation | None: ...
def _partner(m: Membership, pk: int | None, field: str = "partner_id") -> PartnerOrganisation | None:
    return ref(PartnerOrganisation.objects.filter(office=m.office), pk, field)


@overload
def _staff(m: Membership, pk: int, field: str) -> User: ...
@overload
def _staff(m: Membership, pk: int | None, field: str) -> User | None: ...
def _staff(m: Membership, pk: int | None, field: str) -> User | None:
    return ref(User.objects.filter(memberships__office=m.office).distinct(), pk, field)


def _enrollment(request: HttpRequest, pk: int, action: str | None = None) -> tuple[Membership, Enrollment]:
    m = acting(request, action)
    if action is None:
        return m, access.get_enrollment_for_user(m, pk)
    return m, access.get_enrollment_for_user(m, pk, write=True, action=action)


# ---------------------------------------------------------------- schemas: output

class EventOut(Schema):
    occurred_on: dt.date
    from_status: str
    to_status: str
    action: str
    phase_id: int | None
    conference_id: int | None
    approval_id: int | None
    note: str


class EnrollmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    program_id: int
    program_name: str
    status: str
    status_label: str
    end_reason: str
    phase_id: int | None
    menu_ids: list[int]
    candidate_on: dt.date
    selected_on: dt.date | None
    started_on: dt.date | None
    planned_end_on: dt.date | None
    ended_on: dt.date | None
    moved_from_id: int | None
    lead_staff_id: int | None
    flagged_no_longer_matching: dt.date | None
    version: int


class EnrollmentDetailOut(EnrollmentOut):
    events: list[EventOut]
    moved_to_id: int | None


class ApprovalOut(Schema):
    id: int
    kind: str
    subject: str
    status: str
    steps: list[str]
    current_step: int
    enrollment_id: int | None
    requested_by_id: int
    created_at: dt.datetime
    version: int


class TransitionOut(Schema):
    """``applied`` is false when the decision waits for 決裁 (``approval``)."""

    applied: bool
    enrollment: EnrollmentOut
    approval: ApprovalOut | None = None


def enrollment_row(e: Enrollment) -> dict[str, Any]:
    return {
        "id": e.pk, "person_id": e.person_id, "person_name": e.person.name,
        "program_id": e.program_id, "program_name": e.program.name, "status": e.status,
        "status_label": e.get_status_display(), "end_reason": e.end_reason,
        "phase_id": e.phase_id, "menu_ids": sorted(m.pk for m in e.menus.all()),
        "candidate_on": e.candidate_on, "selected_on": e.selected_on, "started_on": e.started_on,
        "planned_end_on": e.planned_end_on, "ended_on": e.ended_on,
        "moved_from_id": e.moved_from_id, "lead_staff_id": e.lead_staff_id,
        "flagged_no_longer_matching": e.flagged_no_longer_matching, "version": e.version,
    }


def approval_row(a: ApprovalRequest) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "subject": a.subject, "status": a.status,
            "steps": list(a.steps or []), "current_step": a.current_step,
            "enrollment_id": a.enrollment_id, "requested_by_id": a.requested_by_id,
            "created_at": a.created_at, "version": a.version}


def _fresh(m: Membership, pk: int) -> Enrollment:
    return access.get_enrollment_for_user(m, pk)


def _transition(m: Membership, enrollment: Enrollment, result: Any) -> dict[str, Any]:
    if isinstance(result, ApprovalRequest):
        return {"applied": False, "enrollment": enrollment_row(_fresh(m, enrollment.pk)),
                "approval": approval_row(result)}
    return {"applied": True, "enrollment": enrollment_row(_fresh(m, result.pk)), "approval": None}


# ---------------------------------------------------------------- screening and nominations

class AsOfParams(Schema):
    as_of: Day | None = Field(None, description="基準日（省略時は今日）")
    limit: int = Field(200, ge=1, le=2000, description="返す候補者の最大数")


class ConditionCountOut(Schema):
    label: str
    alone: int
    running: int


class CandidateOut(Schema):
    person_id: int
    name: str
    kana: str
    case_number: str | None
    matched: bool
    nominated: bool
    reasons: list[str]
    open_enrollment_id: int | None


class PreviewOut(Schema):
    as_of: dt.date
    population: int
    total: int
    rules_text: list[str]
    counts: list[ConditionCountOut]
    candidates: list[CandidateOut]


@router.get("/programs/{program_id}/screening", response=responses(PreviewOut),
            summary="選定条件のプレビュー（条件ごとの件数と候補者・該当理由）")
def screening_preview(request: HttpRequest, program_id: Id,
                      params: Query[AsOfParams]) -> dict[str, Any]:
    m = acting(request, "screening.run")
    program = access.get_program_for_user(m, program_id)
    pv = screening.preview(program, params.as_of or clock.today(), limit=params.limit)
    return {
        "as_of": pv.as_of, "population": pv.population, "total": pv.total,
        "rules_text": pv.rules_text,
        "counts": [{"label": c.label, "alone": c.alone, "running": c.running} for c in pv.counts],
        "candidates": [{
            "person_id": c.person.pk, "name": c.person.name, "kana": c.person.kana,
            "case_number": c.person.household.case_number if c.person.household else None,
            "matched": c.matched, "nominated": c.nominated, "reasons": c.reasons,
            "open_enrollment_id": getattr(c.open_enrollment, "pk", None),
        } for c in pv.candidates],
    }


class LedgerIn(InputSchema):
    as_of: Day = DateField
    title: str = Field("", max_length=200)


class LedgerEntryOut(Schema):
    person_id: int
    name: str
    reasons: list[str]
    nominated: bool


class LedgerOut(Schema):
    id: int
    program_id: int
    title: str
    as_of: dt.date
    created_at: dt.datetime
    entries: list[LedgerEntryOut]


def _ledger(ledger: Any) -> dict[str, Any]:
    entries = ledger.entries.select_related("person").order_by("id")
    return {"id": ledger.pk, "program_id": ledger.program_id, "title": ledger.title,
            "as_of": ledger.as_of, "created_at": ledger.created_at,
            "entries": [{"person_id": e.person_id, "name": e.person.name,
                         "reasons": list(e.reasons or []), "nominated": e.nominated}
                        for e in entries]}


@router.post("/programs/{program_id}/ledgers", response=responses(LedgerOut, 201),
             summary="支援対象者台帳の保存")
def ledger_save(request: HttpRequest, program_id: Id, payload: LedgerIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "screening.run")
    program = access.get_program_for_user(m, program_id)
    ledger = services.ledger_save(actor=m, program=program, as_of=payload.as_of,
                                  title=payload.title)
    return 201, _ledger(ledger)


class LedgerSummaryOut(Schema):
    id: int
    program_id: int
    title: str
    as_of: dt.date
    created_at: dt.datetime
    created_by_id: int
    entries: int


@router.get("/programs/{program_id}/ledgers", response=responses(page_of(LedgerSummaryOut)),
            summary="保存した支援対象者台帳の一覧（新しい順）")
def ledger_list(request: HttpRequest, program_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "screening.run")
    program = access.get_program_for_user(membership, program_id)
    qs = (program.ledgers.annotate(n=Count("entries")).order_by("-as_of", "-id"))
    return paginate(request, qs, page, lambda g: {
        "id": g.pk, "program_id": g.program_id, "title": g.title, "as_of": g.as_of,
        "created_at": g.created_at, "created_by_id": g.created_by_id, "entries": g.n})


@router.get("/ledgers/{ledger_id}", response=responses(LedgerOut), summary="支援対象者台帳")
def ledger_detail(request: HttpRequest, ledger_id: Id) -> dict[str, Any]:
    m = acting(request, "screening.run")
    return _ledger(access.get_ledger_for_user(m, ledger_id))


class NominationIn(InputSchema):
    program_id: int = Field(..., ge=1, le=2_147_483_647)
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    source: Nomination.Source
    nominated_by: str = Field(..., min_length=1, max_length=200)
    nominated_on: Day = DateField
    note: str = Note
    partner_id: int | None = Field(None, ge=1, le=2_147_483_647)


class NominationOut(Schema):
    id: int
    program_id: int
    person_id: int
    source: str
    nominated_by: str
    nominated_on: dt.date
    partner_id: int | None
    note: str


class NominationFilter(Schema):
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)


def _nomination(n: Nomination) -> dict[str, Any]:
    return {"id": n.pk, "program_id": n.program_id, "person_id": n.person_id, "source": n.source,
            "nominated_by": n.nominated_by, "nominated_on": n.nominated_on,
            "partner_id": n.partner_id, "note": n.note}


@router.post("/nominations", response=responses(NominationOut, 201), summary="推薦の登録")
def nomination_create(request: HttpRequest, payload: NominationIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "nomination.record")
    n = services.nomination_record(
        actor=m, program=_program(m, payload.program_id), person=person_ref(m, payload.person_id),
        source=payload.source, nominated_by=payload.nominated_by,
        nominated_on=payload.nominated_on, note=payload.note,
        partner=_partner(m, payload.partner_id))
    return 201, _nomination(n)


@router.get("/nominations", response=responses(page_of(NominationOut)), summary="推薦の一覧")
def nomination_list(request: HttpRequest, filters: Query[NominationFilter],
                    page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "nomination.record")
    qs = access.visible_nominations(m)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    return paginate(request, qs.order_by("-nominated_on", "-id"), page, _nomination)


# ---------------------------------------------------------------- enrolments

class EnrollmentFilter(Schema):
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)
    status: Enrollment.Status | None = None


class EnrollmentCreateIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    program_id: int = Field(..., ge=1, le=2_147_483_647)
    on: Day = DateField
    note: str = Note
    lead_staff_id: int | None = Field(None, ge=1, le=2_147_483_647)


class SelectIn(InputSchema):
    on: Day = DateField
    version: int | None = Version
    conference_id: int | None = Field(None, ge=1, le=2_147_483_647)
    note: str = Note


class StartIn(SelectIn):
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)
    menu_ids: list[int] | None = Field(None, max_length=50)
    planned_end_on: Day | None = None
    lead_staff_id: int | None = Field(None, ge=1, le=2_147_483_647)


class PhaseChangeIn(SelectIn):
    phase_id: int = Field(..., ge=1, le=2_147_483_647)


class MenusIn(SelectIn):
    menu_ids: list[int] = Field(..., max_length=50)


class ContinueIn(InputSchema):
    on: Day = DateField
    conference_id: int | None = Field(None, ge=1, le=2_147_483_647)
    note: str = Note


class ExtendIn(SelectIn):
    until: Day = Field(..., description="延長後の終了予定日")


class EndIn(SelectIn):
    reason: Enrollment.EndReason


class TransferIn(SelectIn):
    target_program_id: int = Field(..., ge=1, le=2_147_483_647)
    start: bool = Field(False, description="true: 移行先で直ちに支援開始")
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)


class AssignIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647)
    lead_staff_id: int | None = Field(None, ge=1, le=2_147_483_647)
    referred_partner_ids: list[int] | None = Field(None, max_length=50)


def _enrollments_qs(m: Membership) -> QuerySet[Enrollment]:
    return access.visible_enrollments(m).select_related("person", "program").prefetch_related(
        Prefetch("menus", queryset=SupportMenu.objects.only("id")))


@router.get("/enrollments", response=responses(page_of(EnrollmentOut)),
            summary="プログラム参加（エピソード）の一覧")
def enrollment_list(request: HttpRequest, filters: Query[EnrollmentFilter],
                    page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    qs = _enrollments_qs(m)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(request, qs.order_by("-candidate_on", "-id"), page, enrollment_row)


@router.get("/enrollments/{enrollment_id}", response=responses(EnrollmentDetailOut),
            summary="プログラム参加の詳細（状態変更の履歴つき。閲覧は監査ログに記録）")
def enrollment_detail(request: HttpRequest, enrollment_id: Id) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id)
    log_view(m, e.person, what="enrollment.view")
    events = e.events.order_by("occurred_on", "id")
    moved_to = Enrollment.objects.filter(moved_from=e).values_list("pk", flat=True).first()
    return enrollment_row(e) | {
        "events": [{"occurred_on": ev.occurred_on, "from_status": ev.from_status,
                    "to_status": ev.to_status, "action": ev.action, "phase_id": ev.phase_id,
                    "conference_id": ev.conference_id, "approval_id": ev.approval_id,
                    "note": ev.note} for ev in events],
        "moved_to_id": moved_to,
    }


@router.post("/enrollments", response=responses(EnrollmentOut, 201),
             summary="候補として登録（候補）")
def enrollment_create(request: HttpRequest, payload: EnrollmentCreateIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "enrollment.manage")
    e = services.enrollment_create(
        actor=m, person=person_ref(m, payload.person_id), program=_program(m, payload.program_id),
        on=payload.on, note=payload.note,
        lead_staff=_staff(m, payload.lead_staff_id, "lead_staff_id"))
    return 201, enrollment_row(_fresh(m, e.pk))


@router.post("/enrollments/{enrollment_id}/select", response=responses(TransitionOut),
             summary="選定（候補 → 選定）")
def enrollment_select(request: HttpRequest, enrollment_id: Id, payload: SelectIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_select(actor=m, enrollment=e, on=payload.on,
                                        conference=_conference(m, payload.conference_id),
                                        note=payload.note, expected_version=payload.version)
    return _transition(m, e, result)


@router.post("/enrollments/{enrollment_id}/start", response=responses(TransitionOut),
             summary="支援開始（候補・選定 → 参加中）。同意が必要なプログラムでは有効な同意が必要")
def enrollment_start(request: HttpRequest, enrollment_id: Id, payload: StartIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_start(
        actor=m, enrollment=e, on=payload.on, phase=_phase(m, payload.phase_id),
        menus=_menus(m, payload.menu_ids), planned_end_on=payload.planned_end_on,
        lead_staff=_staff(m, payload.lead_staff_id, "lead_staff_id"),
        conference=_conference(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return _transition(m, e, result)


@router.post("/enrollments/{enrollment_id}/change-phase", response=responses(TransitionOut),
             summary="段階変更")
def enrollment_change_phase(request: HttpRequest, enrollment_id: Id, payload: PhaseChangeIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_change_phase(
        actor=m, enrollment=e, phase=_phase(m, payload.phase_id), on=payload.on,
        conference=_conference(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return _transition(m, e, result)


@router.post("/enrollments/{enrollment_id}/menus", response=responses(TransitionOut),
             summary="支援メニューの変更")
def enrollment_menus(request: HttpRequest, enrollment_id: Id, payload: MenusIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_set_menus(
        actor=m, enrollment=e, menus=_menus(m, payload.menu_ids) or [], on=payload.on,
        note=payload.note, conference=_conference(m, payload.conference_id),
        expected_version=payload.version)
    return _transition(m, e, result)


@router.post("/enrollments/{enrollment_id}/continue", response=responses(TransitionOut),
             summary="継続（変更なしで続けることの記録）")
def enrollment_continue(request: HttpRequest, enrollment_id: Id, payload: ContinueIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_continue(actor=m, enrollment=e, on=payload.on,
                                          conference=_conference(m, payload.conference_id),
                                          note=payload.note)
    return _transition(m, e, result)


@router.post("/enrollments/{enrollment_id}/extend", response=responses(TransitionOut),
             summary="延長（標準期間を超える場合は決裁が必要なことがあります）")
def enrollment_extend(request: HttpRequest, enrollment_id: Id, payload: ExtendIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_extend(
        actor=m, enrollment=e, until=payload.until, on=payload.on,
        conference=_conference(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return _transition(m, e, result)


@router.post("/enrollments/{enrollment_id}/end", response=responses(TransitionOut),
             summary="終了（理由つき。決裁が必要なことがあります）")
def enrollment_end(request: HttpRequest, enrollment_id: Id, payload: EndIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    result = services.enrollment_end(
        actor=m, enrollment=e, reason=payload.reason, on=payload.on,
        conference=_conference(m, payload.conference_id), note=payload.note,
        expected_version=payload.version)
    return _transition(m, e, result)


@router.post("/enrollments/{enrollment_id}/transfer", response=responses(TransitionOut),
             summary="他プログラムへの移行（この参加を終了し、移行先に新しい参加を作成）")
def enrollment_transfer(request: HttpRequest, enrollment_id: Id, payload: TransferIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    services.enrollment_transfer(
        actor=m, enrollment=e, target_program=_program(m, payload.target_program_id,
                                                       "target_program_id"),
        on=payload.on, conference=_conference(m, payload.conference_id), note=payload.note,
        start=payload.start, phase=_phase(m, payload.phase_id),
        expected_version=payload.version)
    return _transition(m, e, _fresh(m, e.pk))


@router.post("/enrollments/{enrollment_id}/assign", response=responses(EnrollmentOut),
             summary="担当支援員・紹介先関係機関の設定")
def enrollment_assign(request: HttpRequest, enrollment_id: Id, payload: AssignIn) -> dict[str, Any]:
    m, e = _enrollment(request, enrollment_id, "enrollment.manage")
    partners = None
    if payload.referred_partner_ids is not None:
        partners = [_partner(m, pk, "referred_partner_ids") for pk in payload.referred_partner_ids]
    services.enrollment_assign(actor=m, enrollment=e,
                               lead_staff=_staff(m, payload.lead_staff_id, "lead_staff_id"),
                               referred_partners=partners, expected_version=payload.version)
    return enrollment_row(_fresh(m, e.pk))


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


def _consent(c: Consent) -> dict[str, Any]:
    return {"id": c.pk, "person_id": c.person_id, "program_id": c.program_id,
            "given_on": c.given_on, "form": c.form, "withdrawn_on": c.withdrawn_on,
            "note": c.note, "version": c.version,
            "grants": [{"partner_id": g.partner_id, "partner_name": g.partner.name,
                        "categories": list(g.categories or [])} for g in c.grants.all()]}


def _consents_qs(m: Membership) -> QuerySet[Consent]:
    return access.visible_consents(m).prefetch_related("grants__partner")


@router.get("/consents", response=responses(page_of(ConsentOut)), summary="同意の一覧")
def consent_list(request: HttpRequest, filters: Query[ConsentFilter],
                 page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "consent.record")
    qs = _consents_qs(m)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    return paginate(request, qs.order_by("-given_on", "-id"), page, _consent)


@router.post("/consents", response=responses(ConsentOut, 201),
             summary="同意の記録（関係機関ごとの提供情報区分）")
def consent_create(request: HttpRequest, payload: ConsentIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "consent.record")
    grants = [(_partner(m, g.partner_id, "grants"), [str(c) for c in g.categories])
              for g in payload.grants]
    consent = services.consent_record(
        actor=m, person=person_ref(m, payload.person_id), program=_program(m, payload.program_id),
        given_on=payload.given_on, form=payload.form, grants=grants, note=payload.note)
    return 201, _consent(_consents_qs(m).get(pk=consent.pk))


@router.post("/consents/{consent_id}/withdraw", response=responses(ConsentOut),
             summary="同意の撤回（関係機関は直ちに閲覧できなくなります）")
def consent_withdraw(request: HttpRequest, consent_id: Id, payload: WithdrawIn) -> dict[str, Any]:
    m = acting(request, "consent.record")
    consent = access.get_consent_for_user(m, consent_id, write=True)
    services.consent_withdraw(actor=m, consent=consent, on=payload.on,
                              expected_version=payload.version, note=payload.note)
    return _consent(_consents_qs(m).get(pk=consent.pk))


# ---------------------------------------------------------------- conferences

class AttendeeIn(InputSchema):
    user_id: int | None = Field(None, ge=1, le=2_147_483_647)
    name: str = Field("", max_length=100)
    role: Membership.Role | None = None
    profession: str = Field("", max_length=100)
    partner_id: int | None = Field(None, ge=1, le=2_147_483_647)
    is_family: bool = False


class ConferenceDecisionIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    decision: ConferenceDecision.Decision
    reason: str = Note
    program_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                   description="省略時は会議のプログラム")
    enrollment_id: int | None = Field(None, ge=1, le=2_147_483_647)
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)
    menu_ids: list[int] | None = Field(None, max_length=50)
    end_reason: Enrollment.EndReason | None = None
    target_program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    extend_until: Day | None = None


class ConferenceIn(InputSchema):
    kind: Conference.Kind
    held_on: Day = DateField
    title: str = Field(..., min_length=1, max_length=200)
    program_id: int | None = Field(None, ge=1, le=2_147_483_647)
    place: str = Field("", max_length=200)
    agenda: str = Note
    minutes: str = Note
    attendees: list[AttendeeIn] = Field(default_factory=list, max_length=100)
    decisions: list[ConferenceDecisionIn] = Field(default_factory=list, max_length=200)


class AttendeeOut(Schema):
    user_id: int | None
    name: str
    role: str
    profession: str
    partner_id: int | None
    is_family: bool


class DecisionOut(Schema):
    id: int
    person_id: int
    enrollment_id: int | None
    decision: str
    reason: str
    phase_id: int | None
    end_reason: str
    target_program_id: int | None
    extend_until: dt.date | None


class ConferenceOut(Schema):
    id: int
    kind: str
    held_on: dt.date
    title: str
    program_id: int | None
    place: str
    agenda: str
    minutes: str
    version: int
    attendees: list[AttendeeOut]
    decisions: list[DecisionOut]


def _conference_out(c: Conference) -> dict[str, Any]:
    return {
        "id": c.pk, "kind": c.kind, "held_on": c.held_on, "title": c.title,
        "program_id": c.program_id, "place": c.place, "agenda": c.agenda, "minutes": c.minutes,
        "version": c.version,
        "attendees": [{"user_id": a.user_id, "name": a.name, "role": a.role,
                       "profession": a.profession, "partner_id": a.partner_id,
                       "is_family": a.is_family} for a in c.attendees.all()],
        "decisions": [{"id": d.pk, "person_id": d.person_id, "enrollment_id": d.enrollment_id,
                       "decision": d.decision, "reason": d.reason, "phase_id": d.phase_id,
                       "end_reason": d.end_reason, "target_program_id": d.target_program_id,
                       "extend_until": d.extend_until} for d in c.decisions.all()],
    }


def _conferences_qs(m: Membership) -> QuerySet[Conference]:
    return access.visible_conferences(m).prefetch_related("attendees", "decisions")


@router.get("/conferences", response=responses(page_of(ConferenceOut)), summary="会議の一覧")
def conference_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "conference.manage")
    return paginate(request, _conferences_qs(m).order_by("-held_on", "-id"), page, _conference_out)


@router.get("/conferences/{conference_id}", response=responses(ConferenceOut),
            summary="会議の詳細（出席者・決定）")
def conference_detail(request: HttpRequest, conference_id: Id) -> dict[str, Any]:
    m = acting(request, "conference.manage")
    access.get_conference_for_user(m, conference_id)
    return _conference_out(_conferences_qs(m).get(pk=conference_id))


@router.post("/conferences", response=responses(ConferenceOut, 201),
             summary="会議と決定の記録（各決定は参加の状態変更として適用。1件でも不可なら何も保存しません）")
def conference_create(request: HttpRequest, payload: ConferenceIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "conference.manage")
    attendees = [{
        "user": _staff(m, a.user_id, f"attendees.{i}.user_id"), "name": a.name,
        "role": a.role or "", "profession": a.profession,
        "partner": _partner(m, a.partner_id, f"attendees.{i}.partner_id"), "is_family": a.is_family,
    } for i, a in enumerate(payload.attendees)]
    decisions = []
    for i, d in enumerate(payload.decisions):
        enrollment = None
        if d.enrollment_id is not None:
            enrollment = ref(access.visible_enrollments(m), d.enrollment_id,
                              f"decisions.{i}.enrollment_id")
        decisions.append({
            "person": person_ref(m, d.person_id, f"decisions.{i}.person_id"),
            "decision": d.decision, "reason": d.reason,
            "program": _program(m, d.program_id, f"decisions.{i}.program_id"),
            "enrollment": enrollment,
            "phase": _phase(m, d.phase_id, f"decisions.{i}.phase_id"),
            "menus": _menus(m, d.menu_ids), "end_reason": d.end_reason or "",
            "target_program": _program(m, d.target_program_id, f"decisions.{i}.target_program_id"),
            "extend_until": d.extend_until,
        })
    conference = services.conference_create(
        actor=m, kind=payload.kind, held_on=payload.held_on, title=payload.title,
        program=_program(m, payload.program_id), place=payload.place, agenda=payload.agenda,
        minutes=payload.minutes, attendees=attendees, decisions=decisions)
    return 201, _conference_out(_conferences_qs(m).get(pk=conference.pk))


# ---------------------------------------------------------------- plans

class GoalIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=300)
    target_on: Day | None = None


class CommitmentIn(InputSchema):
    kind: PlanCommitment.Kind
    text: str = Field("", max_length=300)
    quantity: int = Field(1, ge=1, le=100)
    per: PlanCommitment.Per = PlanCommitment.Per.MONTH


class PlanIn(InputSchema):
    goals: list[GoalIn] = Field(..., max_length=30)
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=30)
    agreed_on: Day | None = Field(None, description="本人同意日")
    policy: str = Note
    target_start_on: Day | None = None
    based_on_number: int = Field(
        ..., ge=0, le=32_767,
        description="元にした版の番号（まだ計画がなければ 0）。その後に他の職員が新しい版を保存していれば"
                    " 409 stale_edit で拒否され、何も保存されない")


class GoalOut(Schema):
    id: int
    order: int
    text: str
    target_on: dt.date | None
    achievement: str


class CommitmentOut(Schema):
    kind: str
    text: str
    quantity: int
    per: str


class PlanOut(Schema):
    id: int
    enrollment_id: int
    number: int
    agreed_on: dt.date | None
    target_start_on: dt.date | None
    policy: str
    created_at: dt.datetime
    goals: list[GoalOut]
    commitments: list[CommitmentOut]


def _plan(p: Plan) -> dict[str, Any]:
    return {"id": p.pk, "enrollment_id": p.enrollment_id, "number": p.number,
            "agreed_on": p.agreed_on, "target_start_on": p.target_start_on, "policy": p.policy,
            "created_at": p.created_at,
            "goals": [{"id": g.pk, "order": g.order, "text": g.text, "target_on": g.target_on,
                       "achievement": g.achievement} for g in p.goals.all()],
            "commitments": [{"kind": c.kind, "text": c.text, "quantity": c.quantity,
                             "per": c.per} for c in p.commitments.all()]}


@router.get("/enrollments/{enrollment_id}/plans", response=responses(page_of(PlanOut)),
            summary="自立計画・支援計画（版の新しい順）")
def plan_list(request: HttpRequest, enrollment_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    _m, e = _enrollment(request, enrollment_id)
    qs = Plan.objects.filter(enrollment=e).prefetch_related("goals", "commitments")
    return paginate(request, qs.order_by("-number"), page, _plan)


@router.post("/enrollments/{enrollment_id}/plans", response=responses(PlanOut, 201),
             summary="計画の新しい版を作成")
def plan_create(request: HttpRequest, enrollment_id: Id, payload: PlanIn) -> tuple[int, dict[str, Any]]:
    m, e = _enrollment(request, enrollment_id, "plan.write")
    plan = services.plan_create(
        actor=m, enrollment=e, goals=[g.dict() for g in payload.goals],
        commitments=[c.dict() for c in payload.commitments], agreed_on=payload.agreed_on,
        policy=payload.policy, target_start_on=payload.target_start_on,
        based_on_number=payload.based_on_number)
    return 201, _plan(Plan.objects.prefetch_related("goals", "commitments").get(pk=plan.pk))


# ---------------------------------------------------------------- records

class RecordIn(InputSchema):
    person_id: int = Field(..., ge=1, le=2_147_483_647)
    enrollment_id: int | None = Field(None, ge=1, le=2_147_483_647)
    occurred_at: DayOrMoment = Field(
        ..., description="日時（ISO 8601、タイムゾーン付き推奨）。時刻が分からない記録は日付だけ"
                         "（例 2026-12-04）を送ると「時刻なし」として記録します（time_known=false）。"
                         "未来の日付は future_date で拒否されます（当日はどの時刻でも可）。")
    kind: ActivityRecord.Kind
    text: str = Field(..., min_length=1, max_length=20_000)
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    systolic_bp: int | None = Field(None, ge=40, le=300)
    diastolic_bp: int | None = Field(None, ge=20, le=200)
    weight_kg: decimal.Decimal | None = Field(None, ge=0, le=500, max_digits=5, decimal_places=1)
    staff_present_ids: list[int] | None = Field(None, max_length=30)
    partners_present_ids: list[int] | None = Field(None, max_length=30)


class RecordUpdateIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647)
    occurred_at: DayOrMoment | None = Field(
        None, description="日時、または日付だけ（「時刻なし」の記録になります）")
    kind: ActivityRecord.Kind | None = None
    text: str | None = Field(None, min_length=1, max_length=20_000)
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    systolic_bp: int | None = Field(None, ge=40, le=300)
    diastolic_bp: int | None = Field(None, ge=20, le=200)
    weight_kg: decimal.Decimal | None = Field(None, ge=0, le=500, max_digits=5, decimal_places=1)


class RecordOut(Schema):
    id: int
    person_id: int
    enrollment_id: int | None
    occurred_at: dt.datetime = Field(..., description="日時（time_known=false ならその日の0時、日本時間）")
    occurred_on: dt.date = Field(..., description="記録の日付（日本時間）")
    time_known: bool = Field(..., description="時刻の記録があるか（false は「時刻なし」）")
    kind: str
    text: str
    duration_minutes: int | None
    systolic_bp: int | None
    diastolic_bp: int | None
    weight_kg: float | None
    author_id: int
    author_partner_id: int | None
    staff_present_ids: list[int]
    partners_present_ids: list[int]
    version: int


class RecordFilter(Schema):
    person_id: int | None = Field(None, ge=1, le=2_147_483_647)
    enrollment_id: int | None = Field(None, ge=1, le=2_147_483_647)


def _record(r: ActivityRecord) -> dict[str, Any]:
    return {"id": r.pk, "person_id": r.person_id, "enrollment_id": r.enrollment_id,
            "occurred_at": r.occurred_at, "occurred_on": r.occurred_on,
            "time_known": r.time_known, "kind": r.kind, "text": r.text,
            "duration_minutes": r.duration_minutes, "systolic_bp": r.systolic_bp,
            "diastolic_bp": r.diastolic_bp,
            "weight_kg": float(r.weight_kg) if r.weight_kg is not None else None,
            "author_id": r.author_id, "author_partner_id": r.author_partner_id,
            "staff_present_ids": sorted(u.pk for u in r.staff_present.all()),
            "partners_present_ids": sorted(p.pk for p in r.partners_present.all()),
            "version": r.version}


def _records_qs(m: Membership) -> QuerySet[ActivityRecord]:
    """The same rows ``access.get_record_for_user`` lets this membership open."""
    return access.visible_records(m).prefetch_related("staff_present", "partners_present")


def _record_refs(m: Membership, payload: Any) -> tuple[list[Any] | None, list[Any] | None]:
    staff = partners = None
    if payload.staff_present_ids is not None:
        staff = [_staff(m, pk, "staff_present_ids") for pk in payload.staff_present_ids]
    if payload.partners_present_ids is not None:
        partners = [_partner(m, pk, "partners_present_ids") for pk in payload.partners_present_ids]
    return staff, partners


RECORD_VALUES = ("occurred_at", "kind", "text", "duration_minutes", "systolic_bp", "diastolic_bp",
                 "weight_kg")


@router.get("/records", response=responses(page_of(RecordOut)), summary="経過記録の一覧")
def record_list(request: HttpRequest, filters: Query[RecordFilter],
                page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "person.view")
    qs = _records_qs(m)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.enrollment_id:
        qs = qs.filter(enrollment_id=filters.enrollment_id)
    return paginate(request, qs.order_by("-occurred_at", "-id"), page, _record)


@router.post("/records", response=responses(RecordOut, 201),
             summary="経過記録の作成（関係機関は紹介された同意済みの人についてのみ）")
def record_create(request: HttpRequest, payload: RecordIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "record.write")
    person = person_ref(m, payload.person_id)
    enrollment = None
    if payload.enrollment_id is not None:
        enrollment = ref(access.visible_enrollments(m), payload.enrollment_id, "enrollment_id")
    staff, partners = _record_refs(m, payload)
    values = {k: getattr(payload, k) for k in RECORD_VALUES}
    record = services.record_create(actor=m, person=person, values=values, enrollment=enrollment,
                                    staff_present=staff, partners_present=partners)
    return 201, _record(_records_qs(m).get(pk=record.pk))


@router.patch("/records/{record_id}", response=responses(RecordOut),
              summary="経過記録の訂正（versionによる楽観的ロック）")
def record_update(request: HttpRequest, record_id: Id, payload: RecordUpdateIn) -> dict[str, Any]:
    m = acting(request, "record.write")
    record = access.get_record_for_user(m, record_id, write=True)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    values = {k: v for k, v in data.items() if v is not None or k in {
        "duration_minutes", "systolic_bp", "diastolic_bp", "weight_kg"}}
    services.record_update(actor=m, record=record, expected_version=version, values=values)
    return _record(_records_qs(m).get(pk=record.pk))


# ---------------------------------------------------------------- reviews

class GoalLevelIn(InputSchema):
    goal_id: int = Field(..., ge=1, le=2_147_483_647)
    level: Achievement


class ReviewIn(InputSchema):
    reviewed_on: Day = DateField
    evaluation: str = Field(..., min_length=1, max_length=20_000)
    decision: Review.Decision
    next_due_on: Day | None = None
    goal_levels: list[GoalLevelIn] = Field(default_factory=list, max_length=30)
    conference_id: int | None = Field(None, ge=1, le=2_147_483_647)
    extend_until: Day | None = None
    phase_id: int | None = Field(None, ge=1, le=2_147_483_647)


class ReviewOut(Schema):
    id: int
    enrollment_id: int
    reviewed_on: dt.date
    evaluation: str
    decision: str
    next_due_on: dt.date | None
    reviewer_id: int
    conference_id: int | None


class ReviewResultOut(Schema):
    review: ReviewOut
    enrollment: EnrollmentOut
    approval: ApprovalOut | None = None


def _review(r: Review) -> dict[str, Any]:
    return {"id": r.pk, "enrollment_id": r.enrollment_id, "reviewed_on": r.reviewed_on,
            "evaluation": r.evaluation, "decision": r.decision, "next_due_on": r.next_due_on,
            "reviewer_id": r.reviewer_id, "conference_id": r.conference_id}


@router.get("/enrollments/{enrollment_id}/reviews", response=responses(page_of(ReviewOut)),
            summary="見直し・評価の一覧")
def review_list(request: HttpRequest, enrollment_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    _m, e = _enrollment(request, enrollment_id)
    return paginate(request, Review.objects.filter(enrollment=e).order_by("-reviewed_on", "-id"),
                    page, _review)


@router.post("/enrollments/{enrollment_id}/reviews", response=responses(ReviewResultOut, 201),
             summary="見直し・評価の記録と判断の実行（継続・延長・段階変更・達成・打ち切り）")
def review_create(request: HttpRequest, enrollment_id: Id, payload: ReviewIn) -> tuple[int, dict[str, Any]]:
    m, e = _enrollment(request, enrollment_id, "review.write")
    review, approval = services.review_create(
        actor=m, enrollment=e, reviewed_on=payload.reviewed_on, evaluation=payload.evaluation,
        decision=payload.decision, next_due_on=payload.next_due_on,
        goal_levels={g.goal_id: g.level for g in payload.goal_levels} or None,
        conference=_conference(m, payload.conference_id), extend_until=payload.extend_until,
        phase=_phase(m, payload.phase_id))
    return 201, {"review": _review(review), "enrollment": enrollment_row(_fresh(m, e.pk)),
                 "approval": approval_row(approval) if approval else None}


class DueOut(Schema):
    enrollment_id: int
    person_id: int
    person_name: str
    program_id: int
    program_name: str
    due_on: dt.date
    days_overdue: int
    reasons: list[str]


class DueListOut(Schema):
    overdue: list[DueOut]
    due_soon: list[DueOut]


class DueParams(Schema):
    within_days: int = Field(7, ge=1, le=366, description="今日から何日以内を「まもなく」とするか")
    mine_only: bool | None = Field(None, description="true: 自分の担当のみ（省略時は役割で決定）")


@router.get("/reviews/due", response=responses(DueListOut),
            summary="見直し期限の到来・超過（期限は記録から導出）")
def reviews_due(request: HttpRequest, params: Query[DueParams]) -> dict[str, Any]:
    m = acting(request, "review.write")
    data = selectors.reviews_due(m, within_days=params.within_days, mine_only=params.mine_only)

    def row(d: Any) -> dict[str, Any]:
        e = d.enrollment
        return {"enrollment_id": e.pk, "person_id": e.person_id, "person_name": e.person.name,
                "program_id": e.program_id, "program_name": e.program.name, "due_on": d.due_on,
                "days_overdue": d.days_overdue, "reasons": list(d.reasons)}

    return {"overdue": [row(d) for d in data["overdue"]],
            "due_soon": [row(d) for d in data["due_soon"]]}


# ---------------------------------------------------------------- outcomes

class OutcomeIn(InputSchema):
    outcome_type_id: int = Field(..., ge=1, le=2_147_483_647)
    occurred_on: Day = DateField
    employer: str = Field("", max_length=200)
    job_kind: str = Field("", max_length=100)
    hours_per_week: decimal.Decimal | None = Field(None, ge=0, le=168, max_digits=4, decimal_places=1)
    monthly_income: int | None = Field(None, ge=0, le=100_000_000)
    income_increase: int | None = Field(None, ge=0, le=100_000_000)
    destination: Outcome.Destination | None = None
    school_name: str = Field("", max_length=200)
    note: str = Note
    end_as_achieved: bool = Field(False, description="true: 達成として参加を終了")


class OutcomeOut(Schema):
    id: int
    enrollment_id: int
    outcome_type_id: int
    kind: str
    occurred_on: dt.date
    employer: str
    job_kind: str
    hours_per_week: float | None
    monthly_income: int | None
    income_increase: int | None
    destination: str
    school_name: str
    note: str


class OutcomeResultOut(Schema):
    applied: bool
    outcome: OutcomeOut | None
    enrollment: EnrollmentOut
    approval: ApprovalOut | None = None


def _outcome(o: Outcome) -> dict[str, Any]:
    return {"id": o.pk, "enrollment_id": o.enrollment_id, "outcome_type_id": o.outcome_type_id,
            "kind": o.kind, "occurred_on": o.occurred_on, "employer": o.employer,
            "job_kind": o.job_kind,
            "hours_per_week": float(o.hours_per_week) if o.hours_per_week is not None else None,
            "monthly_income": o.monthly_income, "income_increase": o.income_increase,
            "destination": o.destination, "school_name": o.school_name, "note": o.note}


@router.get("/enrollments/{enrollment_id}/outcomes", response=responses(page_of(OutcomeOut)),
            summary="成果の一覧")
def outcome_list(request: HttpRequest, enrollment_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    _m, e = _enrollment(request, enrollment_id)
    return paginate(request, Outcome.objects.filter(enrollment=e).order_by("-occurred_on", "-id"),
                    page, _outcome)


@router.post("/enrollments/{enrollment_id}/outcomes", response=responses(OutcomeResultOut, 201),
             summary="成果の記録（達成とみなす成果は決裁が必要なことがあります）")
def outcome_create(request: HttpRequest, enrollment_id: Id,
                   payload: OutcomeIn) -> tuple[int, dict[str, Any]]:
    m, e = _enrollment(request, enrollment_id, "outcome.record")
    outcome_type = ref(OutcomeType.objects.filter(program=e.program), payload.outcome_type_id,
                        "outcome_type_id")
    data = payload.dict(exclude={"outcome_type_id", "occurred_on", "end_as_achieved"})
    data = {k: v for k, v in data.items() if v not in (None, "")}
    result = services.outcome_record(actor=m, enrollment=e, outcome_type=outcome_type,
                                     occurred_on=payload.occurred_on, data=data,
                                     end_as_achieved=payload.end_as_achieved)
    enrollment = enrollment_row(_fresh(m, e.pk))
    if isinstance(result, ApprovalRequest):
        return 201, {"applied": False, "outcome": None, "enrollment": enrollment,
                     "approval": approval_row(result)}
    return 201, {"applied": True, "outcome": _outcome(result), "enrollment": enrollment,
                 "approval": None}


# ---------------------------------------------------------------- approvals (決裁)

class DecideIn(InputSchema):
    approve: bool
    comment: str = Field("", max_length=2000, description="差戻しの場合は必須")
    version: int | None = Version


@router.get("/approvals", response=responses(page_of(ApprovalOut)),
            summary="自分の決裁待ち")
def approval_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "approval.decide")
    return paginate(request, selectors.approvals_waiting(m), page, approval_row)


@router.post("/approvals/{approval_id}/decide", response=responses(ApprovalOut),
             summary="決裁（承認・差戻し）。最後の承認で決定が適用されます")
def approval_decide(request: HttpRequest, approval_id: Id, payload: DecideIn) -> dict[str, Any]:
    m = acting(request, "approval.decide")
    req = access.get_approval_for_user(m, approval_id)
    result = services.approval_decide(actor=m, request=req, approve=payload.approve,
                                      comment=payload.comment, expected_version=payload.version)
    return approval_row(result)


RouteRole = Literal["supervisor", "manager"]


class RouteOut(Schema):
    name: str
    steps: list[str] = Field(..., description="決裁者の役割の順序（supervisor: 査察指導員、manager: 課長・所長）")


class RouteIn(InputSchema):
    name: str = Field("標準ルート", min_length=1, max_length=100)
    steps: list[RouteRole] = Field(..., min_length=1, max_length=4,
                                   description="決裁者の役割の順序（例: [\"supervisor\", \"manager\"]）")


def _route(m: Membership) -> dict[str, Any]:
    route = ApprovalRoute.objects.filter(office=m.office, is_default=True).order_by("id").first()
    return {"name": route.name if route else "標準ルート", "steps": services.route_steps(m.office)}


@router.get("/approvals/route", response=responses(RouteOut), summary="決裁ルート（事務所の標準）")
def approval_route(request: HttpRequest) -> dict[str, Any]:
    return _route(acting(request, "program.view"))


@router.put("/approvals/route", response=responses(RouteOut),
            summary="決裁ルートの設定（監査ログに記録）")
def approval_route_set(request: HttpRequest, payload: RouteIn) -> dict[str, Any]:
    m = acting(request, "program.manage")
    services.approval_route_set(actor=m, name=payload.name.strip() or "標準ルート",
                                steps=list(payload.steps))
    return _route(m)


class ApprovalDecisionOut(Schema):
    step_no: int
    role: str
    decided_by_id: int
    decided_by_name: str
    approved: bool
    comment: str
    decided_at: dt.datetime


class ApprovalDetailOut(ApprovalOut):
    decisions: list[ApprovalDecisionOut]
    can_decide: bool


def _approval_detail(m: Membership, req: ApprovalRequest) -> dict[str, Any]:
    decisions = [{"step_no": d.step_no, "role": d.role, "decided_by_id": d.decided_by_id,
                  "decided_by_name": str(d.decided_by), "approved": d.approved,
                  "comment": d.comment, "decided_at": d.decided_at}
                 for d in req.decisions.select_related("decided_by")]
    return approval_row(req) | {"decisions": decisions, "can_decide": services.can_decide(m, req)}


@router.get("/approvals/mine", response=responses(page_of(ApprovalDetailOut)),
            summary="自分が起案した決裁（決裁待ちと最近の差戻し）")
def approvals_mine(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    return paginate(request, selectors.approvals_mine(m), page,
                    lambda r: _approval_detail(m, r))


@router.get("/approvals/{approval_id}", response=responses(ApprovalDetailOut),
            summary="決裁の詳細（各段階の判断とコメント）")
def approval_detail(request: HttpRequest, approval_id: Id) -> dict[str, Any]:
    m = acting(request, "program.view")
    return _approval_detail(m, access.get_approval_for_user(m, approval_id))
