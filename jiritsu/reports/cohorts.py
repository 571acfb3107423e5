"""The cohort rules, once. Every count and every list of people behind it uses these.

All rules take an inclusive period [start, end] and a field prefix so the same rule can
be applied from Enrollment (``""``) or from Outcome (``"enrollment__"``). See docs/reports.md.

The row-set functions take an office; ``None`` means every office (the national roll-up,
:mod:`jiritsu.reports.national`, which runs outside any office scope and groups by office).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from jiritsu.cases.models import Enrollment, Outcome
from jiritsu.cases.results import participating_q
from jiritsu.offices.models import Office
from jiritsu.people.models import Household, HouseholdTypeChange, Person, WorkCapacityAssessment
from jiritsu.programs.models import (
    LedgerEntry,
    Nomination,
    OutcomeKind,
    employment_program_q,
)


def active_in(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """参加: support started on or before the end and not ended before the start (the rule
    of the cases app, :func:`jiritsu.cases.results.participating_q`, which the program page
    and the results 検討会 read too)."""
    return participating_q(start, end, prefix)


def started_in(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """開始: support started within the period."""
    return Q(**{f"{prefix}started_on__gte": start, f"{prefix}started_on__lte": end})


def ended_in(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """終了: a started episode that ended within the period (candidates who never
    started are not 終了者 — they never took part)."""
    return Q(**{f"{prefix}status": Enrollment.Status.ENDED, f"{prefix}started_on__isnull": False,
                f"{prefix}ended_on__gte": start, f"{prefix}ended_on__lte": end})


def continuing_at(end: dt.date, prefix: str = "") -> Q:
    """継続: started on or before the end and not ended by the end."""
    return Q(**{f"{prefix}started_on__isnull": False, f"{prefix}started_on__lte": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": end})
    )


WORK_OUTCOME_KINDS = (OutcomeKind.EMPLOYMENT_START, OutcomeKind.INCOME_INCREASE)
EARNER_STATUSES = (Person.EmploymentStatus.FULL_TIME, Person.EmploymentStatus.PART_TIME,
                   Person.EmploymentStatus.SELF_EMPLOYED)


# ---- row sets (ids of people) -------------------------------------------------------------


def _of(office: Office | None, field: str = "office") -> Q:
    """The office filter; every office when ``office`` is None."""
    return Q(**{field: office}) if office is not None else Q()


def enrollments(office: Office | None) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(_of(office)).order_by()


def outcomes(office: Office | None, start: dt.date, end: dt.date) -> QuerySet[Outcome]:
    return Outcome.objects.filter(_of(office, "enrollment__office"), occurred_on__gte=start,
                                  occurred_on__lte=end).order_by()


def eligible_sources(office: Office | None, start: dt.date, end: dt.date
                     ) -> tuple[QuerySet, QuerySet, QuerySet]:
    """対象者: on a screening ledger dated in the period, nominated in the period, made a
    candidate in the period, or taking part in the period. Rows of (program id, person id)."""
    ledger = (LedgerEntry.objects.filter(_of(office, "ledger__office"), ledger__as_of__gte=start,
                                         ledger__as_of__lte=end)
              .order_by().annotate(p=F("ledger__program_id"), q=F("person_id"))
              .values_list("p", "q"))
    nominated = (Nomination.objects.filter(_of(office), nominated_on__gte=start,
                                           nominated_on__lte=end)
                 .order_by().annotate(p=F("program_id"), q=F("person_id")).values_list("p", "q"))
    enrolled = (enrollments(office)
                .filter(Q(candidate_on__gte=start, candidate_on__lte=end) | active_in(start, end))
                .annotate(p=F("program_id"), q=F("person_id")).values_list("p", "q"))
    return ledger, nominated, enrolled


def household_open_at(end: dt.date, prefix: str = "") -> Q:
    """A case open on ``end``: started (or no start recorded) and not closed by then."""
    return (Q(**{f"{prefix}assistance_started_on__isnull": True})
            | Q(**{f"{prefix}assistance_started_on__lte": end})) & (
        Q(**{f"{prefix}assistance_ended_on__isnull": True})
        | Q(**{f"{prefix}assistance_ended_on__gt": end}))


def able_to_work(office: Office | None, end: dt.date) -> QuerySet[Person]:
    """事業参加率の分母: people on a case open at the period end whose latest assessment on
    or before the period end says 稼働能力あり and 十分に活用されていない."""
    newer = WorkCapacityAssessment.objects.filter(
        person=OuterRef("person"), assessed_on__lte=end).filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk")))
    latest_able = (WorkCapacityAssessment.objects
                   .filter(_of(office), assessed_on__lte=end, has_capacity=True,
                           usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED)
                   .filter(~Exists(newer)).values("person_id"))
    return (Person.objects.filter(_of(office), household__isnull=False)
            .filter(household_open_at(end, "household__"))
            .filter(pk__in=latest_able))


def employment_participant_ids(office: Office | None, start: dt.date, end: dt.date) -> QuerySet:
    return (enrollments(office).filter(employment_program_q("program__"))
            .filter(active_in(start, end)).values("person_id"))


def work_outcome_ids(office: Office | None, start: dt.date, end: dt.date) -> QuerySet:
    """People with a 就労開始 or 増収 outcome in the period on an employment-program episode."""
    return (outcomes(office, start, end)
            .filter(employment_program_q("enrollment__program__"), kind__in=WORK_OUTCOME_KINDS)
            .values("enrollment__person_id"))


def _type_changes(end: dt.date) -> tuple[QuerySet, QuerySet]:
    """(changes in force by ``end``, the latest of them per household when it says その他)."""
    # The base manager: these rows are only ever joined to households that are already
    # the office's, so the office scope must not add a second walk over the office's
    # households (≈100 ms at 110,000 households for an empty change table).
    changed = HouseholdTypeChange._base_manager.filter(valid_from__lte=end)
    newer = changed.filter(household=OuterRef("household")).filter(
        Q(valid_from__gt=OuterRef("valid_from"))
        | Q(valid_from=OuterRef("valid_from"), pk__gt=OuterRef("pk")))
    return changed, changed.filter(household_type="other").filter(~Exists(newer))


def other_households_parts(office: Office | None, end: dt.date
                           ) -> tuple[QuerySet[Household], QuerySet[Household]]:
    """:func:`other_households` as two disjoint sets, for counting: recorded as その他 and
    never changed by the end (an anti-join), and changed to その他 by then (a semi-join).
    Each is a plain join for the planner; an OR of the two made PostgreSQL run a subquery
    per household (10 s over 1.65 M households)."""
    changed, latest_other = _type_changes(end)
    base = Household.objects.filter(_of(office)).filter(household_open_at(end))
    never_changed = base.filter(household_type="other").filter(
        ~Exists(changed.filter(household=OuterRef("pk"))))
    changed_to_other = base.filter(pk__in=latest_other.values("household_id"))
    return never_changed, changed_to_other


def other_households(office: Office | None, end: dt.date) -> QuerySet[Household]:
    """「その他の世帯」 open at the period end, by the type in force on that day: the latest
    type change on or before the end, else the household's recorded type."""
    changed, latest_other = _type_changes(end)
    return (Household.objects.filter(_of(office)).filter(household_open_at(end))
            .filter(Q(household_type="other") & ~Exists(changed.filter(household=OuterRef("pk")))
                    | Q(pk__in=latest_other.values("household_id"))))


def earner_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}earned_income__gt": 0}) | Q(
        **{f"{prefix}employment_status__in": EARNER_STATUSES})


def has_earner() -> Exists:
    """Inside a household query: at least one member at work. A correlated EXISTS probed
    through ``person.household_id`` for each household — cheap per household, and unlike an
    IN list in an aggregate's FILTER it never becomes a scan per row. The base manager
    keeps the office scope from adding ``office_id`` to the probe (the outer household is
    already the office's; SQLite would otherwise walk the office per household)."""
    return Exists(Person._base_manager.filter(household=OuterRef("pk")).filter(earner_q()))


def earner_household_ids(office: Office | None) -> QuerySet:
    """Households with at least one member at work (稼働者のいる世帯)."""
    return (Person.objects.filter(_of(office), household__isnull=False).filter(earner_q())
            .order_by().values("household_id"))


def other_households_with_earner(office: Office, end: dt.date) -> QuerySet[Household]:
    # A join on members, not a correlated EXISTS: inside an office scope the scoped manager
    # would add office_id to the subquery and SQLite would then scan the office per household.
    return other_households(office, end).filter(earner_q("members__")).distinct()
