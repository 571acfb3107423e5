"""Group sessions (学習会・講座・セミナー: 大津・伊賀・上田) through the activities services:
series, sessions with their roll call, volunteers, recruitment and the budget.

Series are office-wide lists naming people, so they are for the office's staff; a partner
gets 403 on the list and 404 on a series, as on the screens. Going over the budget is the
service's ``over_budget`` (422, ``field: amount_yen``); marking someone present who is not on
the series' roll is ``not_on_roll`` (422, ``field: present_person_ids``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from jiritsu.activities import selectors, services
from jiritsu.activities.access import get_series_for_user
from jiritsu.activities.models import (
    GroupSession,
    Recruitment,
    SeriesExpense,
    SessionSeries,
    Volunteer,
)
from jiritsu.api.common import (
    Day,
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
from jiritsu.api.routers.activities.common import MAX_INT, staff
from jiritsu.cases.access import visible_people
from jiritsu.core import clock
from jiritsu.core.errors import NotFound
from jiritsu.people.models import Person

router = Router()


# ---------------------------------------------------------------- schemas

class SeriesIn(InputSchema):
    program_id: Id = Field(..., description="集団プログラム（学習会等）または予算のあるプログラム")
    kind: SessionSeries.Kind
    title: str = Field(..., min_length=1, max_length=200)
    venue: str = Field("", max_length=200)
    lecturer: str = Field("", max_length=200)
    schedule: str = Field("", max_length=100, description="例: 毎週1回（木曜日 18時〜20時）")
    starts_on: Day
    budget_yen: int | None = Field(None, ge=0, le=MAX_INT, description="省略するとプログラムの予算")
    districts: list[str] = Field([], max_length=100,
                                 description="募集地域（地区名）。空ならプログラムの選定条件に合う全員")


class SeriesDistrictsIn(InputSchema):
    districts: list[str] = Field(..., max_length=100, description="募集地域（地区名）。空で限定なし")


class SeriesFilter(Schema):
    program_id: int | None = Field(None, ge=1, le=MAX_INT)
    kind: SessionSeries.Kind | None = None


class SeriesOut(Schema):
    id: int
    program_id: int
    program_name: str
    kind: str
    kind_label: str
    title: str
    venue: str
    lecturer: str
    host_id: int | None
    schedule: str
    districts: list[str] = Field(..., description="募集地域（空: 限定なし）")
    starts_on: dt.date
    ends_on: dt.date | None
    budget_yen: int
    spent_yen: int
    remaining_yen: int
    is_free: bool
    session_count: int
    invited: int
    joined: int
    version: int

    # Read from ``selectors.series_overview`` (``spent``, ``session_count``, ``invited`` and
    # ``joined`` are annotated there).
    resolve_kind_label = label_of("kind")

    @staticmethod
    def resolve_program_name(obj: SessionSeries) -> str:
        return obj.program.name

    @staticmethod
    def resolve_spent_yen(obj: SessionSeries) -> int:
        return int(getattr(obj, "spent", 0) or 0)

    @staticmethod
    def resolve_remaining_yen(obj: SessionSeries) -> int:
        return obj.budget_yen - int(getattr(obj, "spent", 0) or 0)

    @staticmethod
    def resolve_session_count(obj: SessionSeries) -> int:
        return int(getattr(obj, "session_count", 0))

    @staticmethod
    def resolve_invited(obj: SessionSeries) -> int:
        return int(getattr(obj, "invited", 0))

    @staticmethod
    def resolve_joined(obj: SessionSeries) -> int:
        return int(getattr(obj, "joined", 0))


class SessionIn(InputSchema):
    held_on: Day
    venue: str = Field("", max_length=200, description="省略するとシリーズの会場")
    lecturer: str = Field("", max_length=200)
    topic: str = Field("", max_length=200)
    volunteer_ids: list[Id] = Field(default_factory=list, max_length=200)
    present_person_ids: list[Id] = Field(
        default_factory=list, max_length=1000,
        description="出席者（roll の人だけ）。roll の他の人は欠席として記録")


class SessionOut(Schema):
    id: int
    held_on: dt.date
    venue: str
    lecturer: str
    topic: str
    volunteer_ids: list[int]
    present_person_ids: list[int]
    absent_person_ids: list[int]

    # Read from ``_with_attendance`` (who was present and absent, added to the session).
    @staticmethod
    def resolve_volunteer_ids(obj: GroupSession) -> list[int]:
        return sorted(v.pk for v in obj.volunteers.all())


class VolunteerIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: Volunteer.Kind
    affiliation: str = Field("", max_length=200)


class VolunteerOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    affiliation: str

    resolve_kind_label = label_of("kind")


class ExpenseIn(InputSchema):
    spent_on: Day
    item: str = Field(..., min_length=1, max_length=200)
    amount_yen: int = Field(..., ge=1, le=MAX_INT, description="予算の残りを超えると over_budget")


class ExpenseOut(Schema):
    id: int
    spent_on: dt.date
    item: str
    amount_yen: int
    recorded_by_id: int


class InviteIn(InputSchema):
    person_ids: list[Id] = Field(..., min_length=1, max_length=500,
                                 description="案内する人（GET …/eligible-people の人）")
    invited_on: Day


class AnswerIn(InputSchema):
    status: Recruitment.Status


class RecruitmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    invited_on: dt.date
    status: str
    status_label: str
    enrollment_id: int | None

    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_person_name(obj: Recruitment) -> str:
        return obj.person.name


class SeriesPersonOut(Schema):
    id: int
    name: str
    kana: str
    birth_date: dt.date
    school_grade: str


class SeriesDetailOut(SeriesOut):
    sessions: list[SessionOut]
    volunteers: list[VolunteerOut]
    recruits: list[RecruitmentOut]
    expenses: list[ExpenseOut]
    roll: list[SeriesPersonOut] = Field(..., description="出席を記録できる人（参加と回答した人・参加者）")
    eligible_count: int = Field(..., description="プログラムの選定条件に今日合う人数（事務所全体）")
    eligible_in_area: int | None = Field(..., description="うち募集地域に住む人数（募集地域がなければ null）")

    # Read from ``Extended(series, detail=selectors.series_detail(series))``.
    @staticmethod
    def resolve_sessions(obj: Any) -> list[Extended]:
        d = obj.detail
        return [_with_attendance(g, d.attendance.get(g.pk, []), d.absent.get(g.pk, []))
                for g in d.sessions]

    @staticmethod
    def resolve_volunteers(obj: Any) -> list[Volunteer]:
        return list(obj.detail.volunteers)

    @staticmethod
    def resolve_recruits(obj: Any) -> list[Recruitment]:
        return list(obj.detail.recruits)

    @staticmethod
    def resolve_expenses(obj: Any) -> list[SeriesExpense]:
        return list(obj.detail.expenses)

    @staticmethod
    def resolve_eligible_count(obj: Any) -> int:
        return int(obj.reach.eligible)

    @staticmethod
    def resolve_eligible_in_area(obj: Any) -> int | None:
        return obj.reach.in_area

    @staticmethod
    def resolve_roll(obj: Any) -> list[Person]:
        return list(selectors.series_people(obj._record).order_by("kana", "id"))


# ---------------------------------------------------------------- rows

def _with_attendance(g: GroupSession, present: list[int], absent: list[int]) -> Extended:
    return Extended(g, present_person_ids=sorted(present), absent_person_ids=sorted(absent))


def _fresh(series: SessionSeries) -> SessionSeries:
    """The series with its figures, as ``SeriesOut`` reads it."""
    return selectors.series_overview(series.office).get(pk=series.pk)


# ---------------------------------------------------------------- endpoints

@router.get("/session-series", response=responses(page_of(SeriesOut)),
            summary="学習会・講座・セミナー（集団プログラム）の一覧と予算の執行状況")
def series_list(request: ApiRequest, filters: Query[SeriesFilter],
                page: Query[PageParams]) -> dict[str, Any]:
    m = staff(request, "program.view")
    qs = selectors.series_overview(m.office)
    if filters.program_id:
        qs = qs.filter(program_id=filters.program_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(request, qs.order_by("-starts_on", "-id"), page)


@router.post("/session-series", response=responses(SeriesOut, 201),
             summary="学習会・講座・セミナーの作成")
def series_create(request: ApiRequest, payload: SeriesIn) -> tuple[int, SessionSeries]:
    m = staff(request, "enrollment.manage")
    program = ref(selectors.series_programs(m.office), payload.program_id, "program_id")
    with renamed_fields({"program": "program_id"}):
        series = services.series_create(
            actor=m, program=program, kind=payload.kind, title=payload.title,
            starts_on=payload.starts_on, venue=payload.venue, lecturer=payload.lecturer,
            schedule=payload.schedule, budget_yen=payload.budget_yen,
            districts=payload.districts)
    return 201, _fresh(series)


@router.get("/session-series/{series_id}", response=responses(SeriesDetailOut),
            summary="学習会等の詳細（開催・出欠・協力者・募集・支出）")
def series_detail(request: ApiRequest, series_id: Id) -> Extended:
    m = acting(request, "program.view")
    series = get_series_for_user(m, series_id)
    return Extended(_fresh(series), detail=selectors.series_detail(series),
                    reach=selectors.series_reach(series, clock.today()))


@router.patch("/session-series/{series_id}/districts", response=responses(SeriesOut),
              summary="募集地域の変更（空で限定なし）")
def series_districts(request: ApiRequest, series_id: Id,
                     payload: SeriesDistrictsIn) -> SessionSeries:
    m = staff(request, "enrollment.manage")
    series = get_series_for_user(m, series_id, write=True)
    services.series_set_districts(actor=m, series=series, districts=payload.districts)
    return _fresh(series)


@router.get("/session-series/{series_id}/eligible-people", response=responses(page_of(SeriesPersonOut)),
            summary="案内できる人（プログラムの対象条件に今日合い、まだ案内していない人）")
def series_eligible(request: ApiRequest, series_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "program.view")
    series = get_series_for_user(m, series_id)
    qs = selectors.series_eligible(series, clock.today()).order_by("kana", "id")
    return paginate(request, qs, page)


@router.post("/session-series/{series_id}/sessions", response=responses(SessionOut, 201),
             summary="開催と出欠の記録（roll の人のうち出席者以外は欠席）")
def session_record(request: ApiRequest, series_id: Id,
                   payload: SessionIn) -> tuple[int, Extended]:
    m = acting(request, "record.write")
    series = get_series_for_user(m, series_id, write=True)
    volunteers = [ref(series.volunteers.all(), pk, "volunteer_ids")
                  for pk in dict.fromkeys(payload.volunteer_ids)]
    ids = list(dict.fromkeys(payload.present_person_ids))
    people = list(visible_people(m).filter(pk__in=ids))
    if len(people) != len(ids):
        raise NotFound(field="present_person_ids")
    with renamed_fields({"present": "present_person_ids", "volunteers": "volunteer_ids"}):
        session = services.session_record(
            actor=m, series=series, held_on=payload.held_on, venue=payload.venue,
            lecturer=payload.lecturer, topic=payload.topic, volunteers=volunteers, present=people)
    rows = list(session.attendance.values_list("person_id", "present"))
    return 201, _with_attendance(session, [p for p, ok in rows if ok],
                                 [p for p, ok in rows if not ok])


@router.post("/session-series/{series_id}/volunteers", response=responses(VolunteerOut, 201),
             summary="協力者（ボランティア）の登録")
def volunteer_add(request: ApiRequest, series_id: Id,
                  payload: VolunteerIn) -> tuple[int, Volunteer]:
    m = acting(request, "enrollment.manage")
    series = get_series_for_user(m, series_id, write=True)
    v = services.volunteer_add(actor=m, series=series, name=payload.name, kind=payload.kind,
                               affiliation=payload.affiliation)
    return 201, v


@router.post("/session-series/{series_id}/expenses", response=responses(ExpenseOut, 201),
             summary="支出の記録（予算を超える支出は over_budget で拒否）")
def expense_record(request: ApiRequest, series_id: Id,
                   payload: ExpenseIn) -> tuple[int, SeriesExpense]:
    m = acting(request, "enrollment.manage")
    series = get_series_for_user(m, series_id, write=True)
    row = services.expense_record(actor=m, series=series, spent_on=payload.spent_on,
                                  item=payload.item, amount_yen=payload.amount_yen)
    return 201, row


@router.post("/session-series/{series_id}/invitations", response=responses(list[RecruitmentOut], 201),
             summary="募集：対象者への案内（既に案内した人はそのまま）")
def recruitment_invite(request: ApiRequest, series_id: Id,
                       payload: InviteIn) -> tuple[int, list[dict[str, Any]]]:
    m = acting(request, "enrollment.manage")
    series = get_series_for_user(m, series_id, write=True)
    ids = list(dict.fromkeys(payload.person_ids))
    people = list(Person.objects.filter(office=m.office, pk__in=ids))
    if len(people) != len(ids):
        raise NotFound("対象が見つかりません。", field="person_ids")
    with renamed_fields({"people": "person_ids"}):
        new = services.recruitment_invite(actor=m, series=series, people=people,
                                          invited_on=payload.invited_on)
    rows = Recruitment.objects.filter(pk__in=[r.pk for r in new]).select_related("person")
    return 201, list(rows)


@router.post("/session-series/{series_id}/recruitments/{recruitment_id}/answer",
             response=responses(RecruitmentOut),
             summary="案内への回答（参加・不参加）。参加ならプログラムの参加と結びつける")
def recruitment_answer(request: ApiRequest, series_id: Id, recruitment_id: Id,
                       payload: AnswerIn) -> Recruitment:
    m = acting(request, "enrollment.manage")
    series = get_series_for_user(m, series_id, write=True)
    rec = ref(Recruitment.objects.filter(series=series).select_related("person", "series"),
              recruitment_id, "recruitment_id")
    rec = services.recruitment_answer(actor=m, recruitment=rec, status=payload.status)
    return rec
