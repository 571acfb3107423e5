"""結果検討会 — the reads. 善通寺: 「ケース診断会議等を利用して、検討会を実施し、就労につながった例、
つながらなかった例を紹介、どういった支援対象者がうまくいき、どういった支援対象者がうまくいかなかったかを
担当CWが把握することによって、今後の参考にすることができる」.

One rule for every place the sorting is shown or counted — the program's results page, the
episode and person pages, the API and the report (``reports.figures``):

- **who took part** over a period: :func:`participating_q` (support started by its end and
  not ended before its start; the report's 参加者 rule);
- **which sorting counts** in a period: a sorting counts in the period its conference's
  look-back (``Conference.results_to``) ends in; a person sorted more than once for one
  program counts by the latest (:func:`latest_sorts`), so each person is counted once, as
  就労につながった or as つながらなかった; participants not sorted are 未分類 and counted in
  neither;
- **what is left after it** (:func:`with_pending`, :func:`pending_labels`): a sorting that
  decided 「支援の内容を見直して継続」 waits for a new plan dated on or after the conference;
  「就労につながった」 on an episode still running waits for the employment outcome to be
  recorded (and approved, 「ケース記録に記入し決裁をする」).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from jiritsu.cases.models import ConferenceResult, Enrollment, Outcome, Plan
from jiritsu.core import wareki
from jiritsu.core.compiled import Compiled
from jiritsu.programs.models import Program

R = ConferenceResult.Result
NEXT = ConferenceResult.NextStep


def participating_q(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """参加: support started on or before ``end`` and not ended before ``start``."""
    return Q(**{f"{prefix}started_on__isnull": False, f"{prefix}started_on__lte": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": start})
    )


def sorts_in(office_id: int, start: dt.date, end: dt.date) -> QuerySet[ConferenceResult]:
    """The sortings that count in [start, end]: their conference's look-back ends in it."""
    return ConferenceResult.objects.filter(conference__office_id=office_id,
                                           conference__results_to__gte=start,
                                           conference__results_to__lte=end)


def latest_sorts(office_id: int, start: dt.date, end: dt.date, *,
                 program_id: int | None = None) -> QuerySet[ConferenceResult]:
    """Each person's latest sorting per program among those counting in [start, end]
    (latest look-back, then latest conference, then latest row)."""
    base = sorts_in(office_id, start, end)
    if program_id is not None:
        base = base.filter(enrollment__program_id=program_id)
    to, held = OuterRef("conference__results_to"), OuterRef("conference__held_on")
    later = sorts_in(office_id, start, end).filter(
        enrollment__person_id=OuterRef("enrollment__person_id"),
        enrollment__program_id=OuterRef("enrollment__program_id"),
    ).filter(Q(conference__results_to__gt=to)
             | Q(conference__results_to=to, conference__held_on__gt=held)
             | Q(conference__results_to=to, conference__held_on=held, pk__gt=OuterRef("pk")))
    return base.filter(~Exists(later))


def people_by_result(sorts: QuerySet[ConferenceResult]) -> dict[str, QuerySet[Any]]:
    """{result: its people} over latest sortings, each person once per result (the
    program page counts them)."""
    return {r: sorts.filter(result=r).order_by().values("enrollment__person").distinct()
            for r in R.values}


def with_pending(qs: QuerySet[ConferenceResult]) -> QuerySet[ConferenceResult]:
    """Annotates what :func:`pending_labels` reads."""
    return qs.annotate(
        plan_after=Exists(Plan.objects.filter(
            enrollment_id=OuterRef("enrollment_id"),
            created_at__date__gte=OuterRef("conference__held_on"))),
        has_achievement=Exists(Outcome.objects.filter(
            enrollment_id=OuterRef("enrollment_id"),
            outcome_type__counts_as_achievement=True)),
    )


def pending_labels(sort: ConferenceResult) -> list[str]:
    """What is left to do after a sorting (from :func:`with_pending`'s annotations and the
    episode's state)."""
    status = sort.enrollment.status
    left = []
    if (sort.next_step == NEXT.CHANGE and status != Enrollment.Status.ENDED
            and not getattr(sort, "plan_after", True)):
        left.append("支援計画の改訂（支援の内容の見直し）")
    if (sort.result == R.WORKED and status == Enrollment.Status.ACTIVE
            and not getattr(sort, "has_achievement", True)):
        left.append("就労の記録と決裁")
    return left


def _unsorted(program: Program, latest: QuerySet[ConferenceResult], start: dt.date,
              end: dt.date) -> QuerySet[Enrollment]:
    """The program's episodes in [start, end] of people with no sorting counting in it."""
    return (Enrollment.objects.filter(program=program).filter(participating_q(start, end))
            .exclude(person_id__in=latest.values("enrollment__person_id")))


def _counted(program: Program, start: dt.date, end: dt.date) -> list[QuerySet[Any]]:
    """What :func:`results_counts` counts: the people sorted 就労につながった and
    つながらなかった, and the participants not sorted (未分類)."""
    latest = latest_sorts(program.office_id, start, end, program_id=program.pk)
    by_result = people_by_result(latest)
    return [by_result[R.WORKED], by_result[R.NOT_WORKED],
            _unsorted(program, latest, start, end).values("person_id").distinct()]


# The three counts in one statement, compiled once per process.
_COUNTS = Compiled(
    ConferenceResult,
    lambda office_id, program_id, start, end: _counted(
        Program(pk=program_id, office_id=office_id), start, end),
    office_id=-917_100_001, program_id=-917_100_002, start=dt.date(1, 1, 2),
    end=dt.date(1, 1, 3))


def results_counts(program: Program, start: dt.date, end: dt.date) -> dict[str, Any]:
    """就労につながった / つながらなかった / 未分類 over [start, end], office-wide, each person
    once (the program page; the report counts the first two by the same rule). One
    statement."""
    worked, not_worked, unsorted = _COUNTS.count(office_id=program.office_id,
                                                 program_id=program.pk, start=start, end=end)
    return {"start": start, "end": end,
            "label": f"{wareki.format_wareki(start)}〜{wareki.format_wareki(end)}",
            "worked": worked, "not_worked": not_worked, "unsorted": unsorted}


def program_results(program: Program, visible: QuerySet[Enrollment], start: dt.date,
                    end: dt.date, *, limit: int = 200) -> dict[str, Any]:
    """The program's results over [start, end]: counts office-wide (as the report counts),
    the latest sortings of the episodes ``visible`` to the reader with what is left after
    each, and the participants not sorted yet."""
    latest = latest_sorts(program.office_id, start, end, program_id=program.pk)
    unsorted_q = _unsorted(program, latest, start, end)
    rows = list(with_pending(latest.filter(enrollment__in=visible))
                .select_related("conference", "enrollment__person", "review")
                .order_by("result", "enrollment__person__kana_key", "id")[:limit])
    for r in rows:
        r.pending = pending_labels(r)
    unsorted_rows = list(unsorted_q.filter(pk__in=visible.values("pk"))
                         .select_related("person").order_by("person__kana_key", "id")[:limit])
    return {
        **results_counts(program, start, end),
        "rows": rows, "unsorted_rows": unsorted_rows,
        "pending": sum(1 for r in rows if r.pending),
    }


def episode_sorts(enrollment_ids: list[int]) -> dict[int, list[ConferenceResult]]:
    """Every sorting of these episodes, newest first, with what is left after each."""
    found: dict[int, list[ConferenceResult]] = {}
    if not enrollment_ids:
        return found
    for s in (with_pending(ConferenceResult.objects.filter(enrollment_id__in=enrollment_ids))
              .select_related("conference", "enrollment", "review")
              .order_by("-conference__results_to", "-conference__held_on", "-id")):
        s.pending = pending_labels(s)
        found.setdefault(s.enrollment_id, []).append(s)
    return found
