"""結果検討会: a program's results over a fiscal year (就労につながった／つながらなかった／未分類,
with what is left after each sorting) and recording a results 検討会 for a period.

Part of the program life cycle API (see the package docstring); the rules are
``jiritsu.cases.results`` (reads) and ``jiritsu.cases.services.results`` (the write)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from jiritsu.api.common import Day, Id, InputSchema, acting, ref, responses
from jiritsu.api.http import ApiRequest
from jiritsu.api.routers.lifecycle.common import DateField, Note, partner_ref, staff_ref
from jiritsu.api.routers.lifecycle.conferences import (
    AttendeeIn,
    ConferenceOut,
    ConferenceResultOut,
    _conferences_qs,
)
from jiritsu.cases import access, services
from jiritsu.cases import results as R
from jiritsu.cases.models import Conference, ConferenceResult, Enrollment
from jiritsu.core import clock, wareki
from jiritsu.programs import access as program_access

router = Router()


class ResultSortIn(InputSchema):
    enrollment_id: int = Field(..., ge=1, le=2_147_483_647)
    result: ConferenceResult.Result
    reason: str = Field(..., min_length=1, max_length=10_000,
                        description="要因（就労につながった、またはつながらなかった理由）")
    next_step: ConferenceResult.NextStep | None = Field(
        None, description="支援中の方の今後の支援（この検討会での見直しとして記録）。省略時は決めない")


class ResultsConferenceIn(InputSchema):
    held_on: Day = DateField
    title: str = Field(..., min_length=1, max_length=200)
    results_from: Day = Field(..., description="振り返りの対象期間の開始日")
    results_to: Day = Field(..., description="振り返りの対象期間の終了日（開催日まで）")
    kind: Conference.Kind | None = Field(None, description="省略時はプログラムの検討会の種類")
    place: str = Field("", max_length=200)
    agenda: str = Note
    minutes: str = Note
    attendees: list[AttendeeIn] = Field(default_factory=list, max_length=100)
    results: list[ResultSortIn] = Field(..., min_length=1, max_length=500)


class ResultSortOut(ConferenceResultOut):
    held_on: dt.date
    pending: list[str] = Field(..., description="この振り返りのあと残っていること（計画の改訂、就労の記録と決裁）")

    @staticmethod
    def resolve_held_on(obj: ConferenceResult) -> dt.date:
        return obj.conference.held_on


class UnsortedOut(Schema):
    enrollment_id: int
    person_id: int
    person_name: str
    started_on: dt.date | None
    ended_on: dt.date | None

    @staticmethod
    def resolve_enrollment_id(obj: Enrollment) -> int:
        return obj.pk

    @staticmethod
    def resolve_person_name(obj: Enrollment) -> str:
        return obj.person.name


class ProgramResultsOut(Schema):
    fiscal_year: int
    start: dt.date
    end: dt.date
    worked: int = Field(..., description="就労につながった（人、事務所全体）")
    not_worked: int = Field(..., description="就労につながらなかった（人、事務所全体）")
    unsorted: int = Field(..., description="未分類：参加したがまだ振り返っていない（人、事務所全体）")
    rows: list[ResultSortOut]
    unsorted_rows: list[UnsortedOut]


class YearParams(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100,
                                    description="年度（西暦。2007 = 平成19年度）。省略時は今年度")


@router.get("/programs/{program_id}/results", response=responses(ProgramResultsOut),
            summary="結果検討会の振り返り（年度別：就労につながった／つながらなかった／未分類）")
def program_results(request: ApiRequest, program_id: Id,
                    params: Query[YearParams]) -> dict[str, Any]:
    m = acting(request, "activity.view")
    program = program_access.get_program_for_user(m, program_id)
    fy = params.fiscal_year or wareki.fiscal_year_of(clock.today())
    start, end = wareki.fiscal_year_bounds(fy)
    found = R.program_results(program, access.visible_enrollments(m), start, end)
    access.log_list(m, [r.enrollment.person for r in found["rows"]]
                    + [e.person for e in found["unsorted_rows"]], what="conference_result.list",
                    note=f"{program.name} {wareki.format_fiscal_year(fy)}")
    return {"fiscal_year": fy, **found}


@router.post("/programs/{program_id}/results", response=responses(ConferenceOut, 201),
             summary="結果検討会の記録（対象期間の参加者ごとに就労につながった／つながらなかったと要因、"
                     "支援中の方の今後の支援。1件でも不可なら何も保存しません）")
def results_conference_create(request: ApiRequest, program_id: Id,
                              payload: ResultsConferenceIn) -> tuple[int, Conference]:
    m = acting(request, "conference.manage")
    program = program_access.get_program_for_user(m, program_id)
    episodes = access.visible_enrollments(m)
    attendees = [{
        "user": staff_ref(m, a.user_id, f"attendees.{i}.user_id"), "name": a.name,
        "role": a.role or "", "profession": a.profession,
        "partner": partner_ref(m, a.partner_id, f"attendees.{i}.partner_id"),
        "is_family": a.is_family,
    } for i, a in enumerate(payload.attendees)]
    results = [{
        "enrollment": ref(episodes.select_related("person"), r.enrollment_id,
                          f"results.{i}.enrollment_id"),
        "result": r.result, "reason": r.reason, "next_step": r.next_step or "",
    } for i, r in enumerate(payload.results)]
    conference = services.results_conference_create(
        actor=m, program=program, held_on=payload.held_on, title=payload.title,
        results_from=payload.results_from, results_to=payload.results_to,
        kind=payload.kind or "", place=payload.place, agenda=payload.agenda,
        minutes=payload.minutes, attendees=attendees, results=results)
    return 201, _conferences_qs(m).get(pk=conference.pk)
