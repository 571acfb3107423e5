"""結果検討会: a conference that looks back over a period and sorts each participant's result
as the seed does (善通寺 「就労につながった例、つながらなかった例を紹介」), with the factors
(「就労につながったまたはそうでなかった要因等についてコメントする」), and decides what happens
next for those still in the program (「支援を継続するか中断するかを決定する。支援継続の場合、
さらに3ケ月支援する」).

The conference, its attendees, every sorting and every next step are saved in ONE
transaction: one refused row and nothing is saved, the message naming the person. A next
step is a review of the episode at the conference (``review_create``), so it moves the
episode through the same rules as any review — the next review one interval on for 継続,
the end (打ち切り) for 打ち切り, the program's decision attendees (善通寺: 課長・査察指導員・
就労支援員) required for both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiritsu.cases.models import Conference, ConferenceResult, Enrollment, Review
from jiritsu.cases.results import participating_q
from jiritsu.cases.services.conferences import conference_create
from jiritsu.cases.services.reviews import review_create
from jiritsu.core.errors import DomainError, ValidationFailed
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership
from jiritsu.programs.models import Program

RESULT = ConferenceResult.Result
NEXT = ConferenceResult.NextStep
# The review a next step records (「支援の内容を見直して継続」 continues and asks for a new plan).
REVIEW_DECISION = {NEXT.CONTINUE: Review.Decision.CONTINUE, NEXT.CHANGE: Review.Decision.CONTINUE,
                   NEXT.STOP: Review.Decision.STOP}


def _check_period(held_on: dt.date, start: dt.date | None, end: dt.date | None) -> None:
    if start is None:
        raise ValidationFailed("振り返りの対象期間の開始日を入力してください。", field="results_from")
    if end is None:
        raise ValidationFailed("振り返りの対象期間の終了日を入力してください。", field="results_to")
    if start > end:
        raise ValidationFailed("対象期間の開始日は終了日より前にしてください。",
                               code="results_period", field="results_from")
    if end > held_on:
        raise ValidationFailed("対象期間の終了日は開催日より後にできません。",
                               code="results_period", field="results_to")


def _sort_one(actor: Membership, conference: Conference, program: Program,
              row: dict[str, Any]) -> ConferenceResult:
    enrollment: Enrollment = row["enrollment"]
    same_office(actor, enrollment)
    if enrollment.program_id != program.pk:
        raise ValidationFailed("このプログラムの参加ではありません。", code="results_other_program",
                               field="enrollment")
    start, end = conference.results_from, conference.results_to
    assert start is not None and end is not None
    if not Enrollment.objects.filter(pk=enrollment.pk).filter(participating_q(start, end)).exists():
        raise ValidationFailed(
            f"対象期間（{format_wareki(start)}〜{format_wareki(end)}）に支援を受けていません。",
            code="results_not_participant", field="enrollment")
    result = row.get("result") or ""
    if result not in RESULT.values:
        raise ValidationFailed("「就労につながった」か「就労につながらなかった」かを選んでください。",
                               field="result")
    reason = (row.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("就労につながった、またはつながらなかった要因を入力してください。",
                               field="reason")
    next_step = row.get("next_step") or ""
    if next_step and next_step not in NEXT.values:
        raise ValidationFailed("今後の支援を選んでください。", field="next_step")
    if next_step and enrollment.status != Enrollment.Status.ACTIVE:
        raise ValidationFailed("支援が終わった方の今後の支援は決められません（再び支援するときは新しい参加として登録します）。",
                               code="results_next_step_ended", field="next_step")
    review = None
    if next_step:
        label = RESULT(result).label
        review, _pending = review_create(
            actor=actor, enrollment=enrollment, reviewed_on=conference.held_on,
            evaluation=f"結果検討会「{conference.title}」：{label}。要因：{reason}"
                       f"／今後の支援：{NEXT(next_step).label}",
            decision=REVIEW_DECISION[NEXT(next_step)], conference=conference)
    sort = ConferenceResult.objects.create(conference=conference, enrollment=enrollment,
                                           result=result, reason=reason, next_step=next_step,
                                           review=review)
    audit(actor, "conference_result.create", Kind.CREATE, sort, person=enrollment.person,
          after={"conference_id": conference.pk, "enrollment_id": enrollment.pk,
                 "result": result, "next_step": next_step, "review_id": getattr(review, "pk", None)})
    return sort


@transaction.atomic
def results_conference_create(*, actor: Membership, program: Program, held_on: dt.date,
                              title: str, results_from: dt.date | None,
                              results_to: dt.date | None, results: list[dict[str, Any]],
                              kind: str = "", place: str = "", agenda: str = "",
                              minutes: str = "",
                              attendees: list[dict[str, Any]] | None = None) -> Conference:
    """Record a results 検討会 of ``program`` looking back over [results_from, results_to].

    ``results``: [{"enrollment", "result" (worked | not_worked), "reason" (要因, required),
    "next_step" ("" | continue | change | stop — only for an episode still running)}], one
    per episode. The program must be an employment program (「就労につながった」 is the
    seed's measure); ``kind`` defaults to the program's conference kind."""
    require(actor, "conference.manage")
    same_office(actor, program)
    if not program.is_employment:
        raise ValidationFailed("結果検討会（就労につながった例・つながらなかった例）は就労支援のプログラムで行います。",
                               code="results_not_employment", field="program")
    _check_period(held_on, results_from, results_to)
    if not results:
        raise ValidationFailed("振り返る方を1人以上選び、結果を入力してください。",
                               code="results_empty", field="results")
    seen: set[int] = set()
    for i, row in enumerate(results):
        e = row.get("enrollment")
        if e is None:
            raise ValidationFailed(f"{i + 1}人目：参加を選んでください。", field="results")
        if e.pk in seen:
            raise ValidationFailed(f"{e.person.name}さん：同じ検討会で2回振り返ることはできません。",
                                   code="results_duplicate", field="results")
        seen.add(e.pk)
    conference = conference_create(
        actor=actor, kind=kind or program.conference_kind or Conference.Kind.CASE_DIAGNOSIS,
        held_on=held_on, title=title, program=program, place=place, agenda=agenda,
        minutes=minutes, attendees=attendees, results_from=results_from,
        results_to=results_to)
    for i, row in enumerate(results):
        person = row["enrollment"].person
        try:
            with transaction.atomic():
                _sort_one(actor, conference, program, row)
        except DomainError as exc:
            raise ValidationFailed(
                f"{person.name}さん：{exc.message}", code=exc.code, field="results",
                details=[{"index": i, "enrollment_id": row["enrollment"].pk,
                          "person_id": person.pk, "field": exc.field,
                          "message": exc.message}]) from exc
    return conference
