"""The caseworker's day through the API: visit plans (訪問計画), the supervisor's view of the
plans against the grades, 供覧 (read-and-confirm) with the records' seal column, and the
office's casework settings.

The same access functions (``casework.access``, ``cases.access``), services
(``casework.services``) and rules (``casework.visits``, ``casework.confirm``) as the screens
under ``/day/``; the API turns ids into the office's objects and reads the answers from the
records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    DayOrMoment,
    Extended,
    Id,
    InputSchema,
    PageParams,
    acting,
    label_of,
    page_of,
    paginate,
    ref,
    renamed_fields,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.plans import RecordOut
from jiritsu.cases.access import get_household_for_user, get_record_for_user, log_list, log_view
from jiritsu.cases.models import ActivityRecord
from jiritsu.casework import confirm, services, visits
from jiritsu.casework.access import get_planned_visit_for_user, plan_caseworker
from jiritsu.casework.models import Confirmation, PlannedVisit, SupervisorAssignment
from jiritsu.core import clock
from jiritsu.core.errors import NotFound, ValidationFailed
from jiritsu.offices.models import Membership, User
from jiritsu.people.models import VisitGrade

router = Router()


def _caseworker(m: Membership, caseworker_id: int | None) -> int | None:
    """The caseworker whose plan (user id), or None for the whole team."""
    try:
        cw = plan_caseworker(m, caseworker_id)
    except Http404:
        raise NotFound(field="caseworker_id") from None
    return cw.pk if cw is not None else None


# ---------------------------------------------------------------- visit plans

class PlannedVisitOut(Schema):
    id: int
    household_id: int
    case_number: str
    planned_on: dt.date
    caseworker_id: int
    note: str
    record_id: int | None = Field(..., description="記録済みなら経過記録のid")
    cancelled_on: dt.date | None
    is_open: bool = Field(..., description="まだ記録も取りやめもされていない予定か")
    version: int

    @staticmethod
    def resolve_case_number(obj: PlannedVisit) -> str:
        return obj.household.case_number


class VisitListParams(Schema):
    caseworker_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                      description="誰の訪問計画か（ケースワーカーは省略＝自分。査察指導員・課長は省略＝チーム全員）")
    start: dt.date | None = Field(None, description="期間の初日（省略時は今週の月曜日）")
    end: dt.date | None = Field(None, description="期間の末日（省略時は初日から6日後）")


@router.get("/visits", response=responses(page_of(PlannedVisitOut)),
            summary="訪問計画（期間内の予定と記録済みの訪問。取りやめたものは除く）")
def visit_list(request: ApiRequest, params: Query[VisitListParams],
               page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "visit.plan")
    cw = _caseworker(m, params.caseworker_id)
    today = clock.today()
    start = params.start or today - dt.timedelta(days=today.weekday())
    end = params.end or start + dt.timedelta(days=6)
    if end < start:
        raise ValidationFailed("期間の末日は初日以降の日付を入力してください。",
                               code="period_reversed", field="end")
    return paginate(request, visits.planned_between(m.office, cw, start, end), page)


class VisitDueOut(Schema):
    household_id: int
    case_number: str
    visit_grade: str | None = Field(..., description="訪問格付けのコード")
    due_on: dt.date | None = Field(..., description="次の訪問の期限（格付け・出来事・訪問記録なしから導出）")
    reason: str = Field(..., description="grade / never / program_start / discharge / outcome")
    reason_label: str
    last_visit: dt.date | None
    overdue: bool
    never_visited: bool
    planned_on: dt.date | None = Field(..., description="計画済みの訪問予定日（最も早いもの）")
    planned_id: int | None


class VisitDueParams(Schema):
    caseworker_id: int | None = Field(None, ge=1, le=2_147_483_647,
                                      description="誰の担当世帯か（ケースワーカーは省略＝自分。査察指導員・課長は省略＝チーム全員）")
    overdue_only: bool = Field(False, description="true: 期限を過ぎた世帯だけ")


@router.get("/visits/due", response=responses(page_of(VisitDueOut)),
            summary="担当世帯の次の訪問期限（期限の早い順。訪問予定画面の「訪問が必要な世帯」）")
def visits_due(request: ApiRequest, params: Query[VisitDueParams],
               page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "visit.plan")
    cw = _caseworker(m, params.caseworker_id)
    households = visits.caseload_households(m.office, cw)
    dues = visits.visits_due(m.office, households, today=clock.today())
    rows = sorted(((hh, dues[hh.pk]) for hh in households if dues[hh.pk].due_on),
                  key=lambda r: (r[1].due_on or dt.date.max, r[0].case_number))
    if params.overdue_only:
        rows = [r for r in rows if r[1].overdue]
    return paginate(request, rows, page, lambda r: Extended(
        r[1], case_number=r[0].case_number,
        visit_grade=r[0].visit_grade.code if r[0].visit_grade else None))


class VisitPlanIn(InputSchema):
    household_id: int = Field(..., ge=1, le=2_147_483_647)
    planned_on: Day = Field(..., description="訪問予定日（今日以降）")
    note: str = Field("", max_length=200)


@router.post("/visits", response=responses(PlannedVisitOut, 201),
             summary="訪問の計画（同じ世帯・同じ日は1件。監査ログに記録）")
def visit_plan(request: ApiRequest, payload: VisitPlanIn) -> tuple[int, PlannedVisit]:
    m = acting(request, "visit.plan")
    try:
        household = get_household_for_user(m, payload.household_id)
    except Http404:
        raise NotFound(field="household_id") from None
    with renamed_fields({"household": "household_id"}):
        visit = services.visit_plan(actor=m, household=household, planned_on=payload.planned_on,
                                    note=payload.note)
    return 201, get_planned_visit_for_user(m, visit.pk)


@router.post("/visits/{visit_id}/cancel", response=responses(PlannedVisitOut),
             summary="訪問予定の取りやめ（監査ログに記録）")
def visit_cancel(request: ApiRequest, visit_id: Id) -> PlannedVisit:
    m = acting(request, "visit.plan")
    visit = get_planned_visit_for_user(m, visit_id)
    services.visit_cancel(actor=m, visit=visit)
    return get_planned_visit_for_user(m, visit.pk)


class VisitRecordIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="訪問予定の版（楽観的ロック）")
    occurred_at: DayOrMoment = Field(
        ..., description="訪問日時、または日付だけ（「時刻なし」の記録）。未来は future_date")
    text: str = Field(..., min_length=1, max_length=20_000)
    duration_minutes: int | None = Field(None, ge=0, le=1440)


@router.post("/visits/{visit_id}/record", response=responses(RecordOut, 201),
             summary="計画した訪問の記録（世帯主についての家庭訪問の経過記録になる）")
def visit_record(request: ApiRequest, visit_id: Id,
                 payload: VisitRecordIn) -> tuple[int, ActivityRecord]:
    m = acting(request, "visit.plan")
    visit = get_planned_visit_for_user(m, visit_id)
    rec = services.visit_record(actor=m, visit=visit, expected_version=payload.version, values={
        "occurred_at": payload.occurred_at, "text": payload.text,
        "duration_minutes": payload.duration_minutes})
    return 201, (ActivityRecord.objects.prefetch_related("staff_present", "partners_present")
                 .get(pk=rec.pk))


class TeamRowOut(Schema):
    caseworker_id: int
    name: str
    households: int = Field(..., description="保護継続中の担当世帯数")
    by_grade: dict[str, int] = Field(..., description="訪問格付けのコード → 世帯数（格付けなしは「―」）")
    overdue: int = Field(..., description="訪問期限を過ぎた世帯")
    never: int = Field(..., description="訪問記録のない世帯")
    planned_week: int = Field(..., description="7日以内に訪問を計画済みの世帯")
    planned_later: int = Field(..., description="それより後に計画済みの世帯")


@router.get("/visits/team", response=responses(page_of(TeamRowOut)),
            summary="ケースワーカーごとの訪問計画と格付け（査察指導員・課長）")
def team_visits(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "caseload.team")
    out = paginate(request, visits.team_caseworkers(m.office), page)
    out["results"] = visits.team_plan(m.office, out["results"], today=clock.today())
    return out


# ---------------------------------------------------------------- 供覧 and the seal column

class SealOut(Schema):
    id: int
    record_id: int
    record_version: int = Field(..., description="確認した記録の版")
    outcome: str = Field(..., description="confirmed（確認）/ addition（追記依頼）")
    outcome_label: str
    comment: str
    confirmed_by_id: int
    confirmed_by_name: str
    confirmed_at: dt.datetime

    resolve_outcome_label = label_of("outcome")

    @staticmethod
    def resolve_confirmed_by_name(obj: Confirmation) -> str:
        return str(obj.confirmed_by)


class SealedRecordOut(Schema):
    id: int
    person_id: int
    person_name: str
    case_number: str
    enrollment_id: int | None
    occurred_at: dt.datetime
    occurred_on: dt.date
    time_known: bool
    kind: str
    kind_label: str
    text: str
    author_id: int
    author_name: str
    version: int
    state: str = Field(..., description="waiting（供覧待ち）/ confirmed（確認済み）/ addition（追記依頼）— 今の版について")
    seals: list[SealOut] = Field(..., description="供覧欄：誰がどの版をいつ確認したか（古い順）")

    resolve_kind_label = label_of("kind")

    @staticmethod
    def resolve_person_name(obj: ActivityRecord) -> str:
        return obj.person.name

    @staticmethod
    def resolve_case_number(obj: ActivityRecord) -> str:
        return obj.person.household.case_number if obj.person.household else ""

    @staticmethod
    def resolve_author_name(obj: ActivityRecord) -> str:
        return str(obj.author)

    @staticmethod
    def resolve_seals(obj: ActivityRecord) -> list[Confirmation]:
        return list(obj.confirmations.all())

    @staticmethod
    def resolve_state(obj: ActivityRecord) -> str:
        return confirm.SealedRecord(obj, list(obj.confirmations.all())).state


def _seals() -> Prefetch:
    """The seal column, read with the records (built per request: inside the office's scope)."""
    return Prefetch("confirmations", queryset=Confirmation.objects.select_related("confirmed_by")
                    .order_by("confirmed_at", "id"))


def _logged_page(m: Membership, out: dict[str, Any], what: str) -> dict[str, Any]:
    log_list(m, [r.person for r in out["results"]], what=what)
    return out


@router.get("/confirmations/waiting", response=responses(page_of(SealedRecordOut)),
            summary="供覧待ちの経過記録（自分が読む記録、古い順。一覧は監査ログに記録）")
def confirm_waiting(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "record.confirm")
    qs = confirm.confirm_queue(m).select_related("person__household").prefetch_related(_seals())
    return _logged_page(m, paginate(request, qs, page), "record.confirm_list")


class ConfirmIn(InputSchema):
    record_ids: list[int] = Field(..., min_length=1, max_length=200,
                                  description="供覧する記録（1件でも、1ページ分でも。すべて供覧待ちであること）")
    outcome: Confirmation.Outcome = Field(..., description="confirmed（確認）/ addition（追記依頼）")
    comment: str = Field("", max_length=10_000, description="追記依頼のときは必須")


class ConfirmOut(Schema):
    results: list[SealOut]


@router.post("/confirmations", response=responses(ConfirmOut, 201),
             summary="供覧（確認または追記依頼。すべてか何もしないか。監査ログに記録）")
def confirm_records(request: ApiRequest, payload: ConfirmIn) -> tuple[int, dict[str, Any]]:
    m = acting(request, "record.confirm")
    records = []
    for i, pk in enumerate(dict.fromkeys(payload.record_ids)):
        try:
            records.append(get_record_for_user(m, pk))
        except Http404:
            raise NotFound(field=f"record_ids.{i}") from None
    with renamed_fields({"records": "record_ids"}):
        done = services.records_confirm(actor=m, records=records, outcome=payload.outcome,
                                        comment=payload.comment)
    return 201, {"results": Confirmation.objects.filter(pk__in=[c.pk for c in done])
                 .select_related("confirmed_by").order_by("id")}


@router.get("/records/{record_id}/seals", response=responses(SealedRecordOut),
            summary="経過記録と供覧欄（誰がいつ確認したか。閲覧は監査ログに記録）")
def record_seals(request: ApiRequest, record_id: Id) -> ActivityRecord:
    m = acting(request, "person.view")
    rec = get_record_for_user(m, record_id)
    log_view(m, rec.person, what="record.seals")
    return (ActivityRecord.objects.select_related("person__household", "author")
            .prefetch_related(_seals()).get(pk=rec.pk))


@router.get("/confirmations/mine", response=responses(page_of(SealedRecordOut)),
            summary="自分が書いた供覧対象の経過記録と供覧欄（新しい順）")
def my_records(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "record.write")
    qs = (ActivityRecord.objects.filter(confirm.confirmable(m.office), author=m.user)
          .select_related("person__household", "author").prefetch_related(_seals())
          .order_by("-occurred_at", "-id"))
    return _logged_page(m, paginate(request, qs, page), "record.my_records")


# ---------------------------------------------------------------- the office's settings

class GradeIntervalOut(Schema):
    grade_id: int
    code: str
    name: str
    visits_per_year: int | None
    interval_months: int | None = Field(..., description="事務所が決めた訪問間隔（月）。null は格付けの年間訪問回数から")
    default_months: int | None = Field(..., description="年間訪問回数から求めた間隔（月）")


class AssignmentOut(Schema):
    caseworker_id: int
    caseworker_name: str
    supervisor_id: int | None = Field(..., description="供覧先の査察指導員（null はすべての査察指導員）")


class CaseworkSettingsOut(Schema):
    event_visit_days: int
    confirm_kinds: list[str]
    confirm_from: dt.date | None
    digest_enabled: bool
    digest_base_url: str
    version: int
    intervals: list[GradeIntervalOut]
    assignments: list[AssignmentOut]


def _settings(m: Membership) -> Extended:
    conf = visits.casework_settings(m.office)
    chosen = visits.grade_intervals(m.office)
    grades = VisitGrade.objects.filter(office=m.office).order_by("code")
    intervals = [{"grade_id": g.pk, "code": g.code, "name": g.name,
                  "visits_per_year": g.visits_per_year, "interval_months": chosen.get(g.pk),
                  "default_months": max(1, round(12 / g.visits_per_year))
                  if g.visits_per_year else None} for g in grades]
    assigned = dict(SupervisorAssignment.objects.filter(office=m.office)
                    .values_list("caseworker_id", "supervisor_id"))
    assignments = [{"caseworker_id": u, "caseworker_name": n, "supervisor_id": assigned.get(u)}
                   for u, n in visits.team_caseworkers(m.office)]
    return Extended(conf, intervals=intervals, assignments=assignments)


@router.get("/casework/settings", response=responses(CaseworkSettingsOut),
            summary="訪問計画・供覧・お知らせメールの設定（課長・システム管理者）")
def settings_read(request: ApiRequest) -> Extended:
    return _settings(acting(request, "casework.settings"))


class IntervalIn(InputSchema):
    grade_id: int = Field(..., ge=1, le=2_147_483_647)
    interval_months: int | None = Field(..., ge=1, le=24,
                                        description="訪問間隔（月）。null で格付けの年間訪問回数に戻す")


class CaseworkSettingsIn(InputSchema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="読み込んだ時点の版（楽観的ロック）")
    event_visit_days: int | None = Field(None, ge=1, le=90,
                                         description="プログラム開始・退院・成果の記録から何日以内に訪問するか")
    confirm_kinds: list[ActivityRecord.Kind] | None = Field(None, max_length=50,
                                                            description="供覧する記録の種別")
    confirm_from: Day | None = Field(None, description="供覧の開始日")
    digest_enabled: bool | None = None
    digest_base_url: str | None = Field(None, max_length=200,
                                        description="メールに載せるURLの先頭（http:// または https://）")
    intervals: list[IntervalIn] | None = Field(None, max_length=50)


@router.patch("/casework/settings", response=responses(CaseworkSettingsOut),
              summary="訪問計画・供覧・お知らせメールの設定の変更（versionによる楽観的ロック。監査ログに記録）")
def settings_update(request: ApiRequest, payload: CaseworkSettingsIn) -> Extended:
    m = acting(request, "casework.settings")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    rows = data.pop("intervals", None) or []
    intervals = {r["grade_id"]: r["interval_months"] for r in rows}
    values = {k: v for k, v in data.items() if v is not None}
    if "confirm_kinds" in values:
        values["confirm_kinds"] = [str(k) for k in values["confirm_kinds"]]
    with renamed_fields({f"grade_{g}": "intervals" for g in intervals}):
        try:
            services.settings_update(actor=m, values=values, expected_version=version,
                                     intervals=intervals)
        except NotFound as exc:
            exc.field = exc.field or "intervals"
            raise
    return _settings(m)


class AssignmentIn(InputSchema):
    supervisor_id: int | None = Field(..., ge=1, le=2_147_483_647,
                                      description="供覧先の査察指導員（null ですべての査察指導員に戻す）")


@router.put("/casework/assignments/{caseworker_id}", response=responses(CaseworkSettingsOut),
            summary="ケースワーカーの記録の供覧先（監査ログに記録）")
def assignment_set(request: ApiRequest, caseworker_id: Id, payload: AssignmentIn) -> Extended:
    m = acting(request, "casework.settings")
    caseworker = ref(User.objects.filter(memberships__office=m.office).distinct(), caseworker_id,
                     "caseworker_id")
    supervisor = ref(User.objects.filter(memberships__office=m.office).distinct(),
                     payload.supervisor_id, "supervisor_id")
    try:
        with renamed_fields({"supervisor": "supervisor_id"}):
            services.supervisor_assign(actor=m, caseworker=caseworker, supervisor=supervisor)
    except NotFound as exc:  # not one of the office's caseworkers
        exc.field = exc.field or "caseworker_id"
        raise
    return _settings(m)

