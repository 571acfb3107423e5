"""The person's case file, read side (bounded query counts): finding people (search, a
caseworker's caseload) within what the membership may see, and everything the person page
shows (:func:`person_file`: the registry parts with the person's episodes, plans, reviews and
consents). Lives in ``cases`` because who may see a person, and the file itself, read episodes
and consents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from jiritsu.cases.access import visible_households, visible_people
from jiritsu.cases.models import (
    ActivityRecord,
    ConferenceDecision,
    Consent,
    ConsentGrant,
    Enrollment,
    Plan,
)
from jiritsu.cases.results import episode_sorts
from jiritsu.core import clock
from jiritsu.core.kana import search_key
from jiritsu.core.rows import Join, JoinedRows, Presence, meta_order
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import has_own_caseload
from jiritsu.people.models import (
    CareDuty,
    Disability,
    HospitalStay,
    Household,
    HouseholdTypeChange,
    Illness,
    MedicalEvidence,
    Person,
    Qualification,
    WorkCapacityAssessment,
    WorkHistory,
)


def search_people(membership: Membership, q: str, *, limit: int = 50) -> list[Person]:
    """Search by any part of the name or the furigana, or by the case number.

    The query and the stored keys go through the same rule (``core.kana.search_key``): width,
    spaces between family and given name, katakana/hiragana, variant kanji (髙→高, 﨑→崎,
    𠮷→吉) and variation selectors are ignored; names themselves are stored as entered."""
    q = q.strip()
    if not q:
        return []
    key = search_key(q)
    # Each alternative on its own index (trigram indexes on PostgreSQL, the case-number
    # constraint): no join per person to test the case number, and "contains" covers
    # "starts with". The planner ORs bitmap scans and sorts the few matches.
    # (Who may see whom is settled by visible_people below, as before.)
    # The case number is looked up first (one index probe) so that every alternative
    # below is a plain index condition the planner can OR together.
    households = list(Household.objects.filter(office=membership.office, case_number=q)
                      .values_list("pk", flat=True))
    cond = Q(household_id__in=households)
    if key:
        cond |= Q(name_key__contains=key) | Q(kana_key__contains=key)
    # Three characters or more: the trigram indexes (PostgreSQL) find the few matches and
    # they are sorted. Ordering by an expression (the same order: LOWER does not change
    # furigana) keeps the planner from walking the whole office in furigana order, which it
    # prefers under LIMIT and which took 0.2–0.7 s for a name in the middle of the
    # alphabet at 134,000 people. One or two characters cannot use a trigram index; then
    # the walk (stopping at the 50th match) beats a pass over everyone, and it is kept.
    order = (Lower("kana_key"), "id") if len(q) >= 3 else ("kana_key", "id")
    # The first ``limit`` people are chosen on the people alone and their households joined
    # to those: joined before the cut, PostgreSQL read a household for each of a common
    # name's ≈ 1,800 matches in the largest office (≈ 4.5 of the statement's 17 ms).
    first = visible_people(membership).filter(cond).order_by(*order)[:limit]
    found = (visible_people(membership).filter(pk__in=first.values("pk"))
             .select_related("household")
             .order_by(*order))
    if len(q) >= 3 and connections[found.db].vendor == "postgresql":
        # Planned for pages in memory and run in one process, for this statement alone
        # (SET LOCAL, in its own transaction): otherwise the planner walked the largest
        # office's 134,000 people in two processes for a common family name (≈ 54 ms of
        # CPU) rather than read its ≈ 1,800 trigram hits (≈ 20 ms); docs/performance.md.
        with transaction.atomic(using=found.db), connections[found.db].cursor() as cursor:
            cursor.execute(_SEARCH_PLANNING)
            return list(found)
    return list(found)


# random_page_cost 1.1: PostgreSQL's advice for storage where random reads cost about what
# sequential ones do (SSD, or the pages in memory, as an office's people are); the default 4
# is for spinning disks.
_SEARCH_PLANNING = ("SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                    "set_config('random_page_cost', '1.1', true)")


def caseload_for(membership: Membership) -> QuerySet[Household]:
    """A caseworker's own households; supervisors and managers see the office."""
    qs = visible_households(membership).filter(assistance_ended_on__isnull=True)
    if has_own_caseload(membership):
        qs = qs.filter(caseworker=membership.user)
    return (
        qs.select_related("caseworker", "visit_grade")
        .annotate(member_count=Count("members"))
        .order_by("case_number")
    )


# Which sections of the person page each data category opens to a partner.
PARTNER_SECTIONS: dict[str, str] = {
    "health": "health", "disability": "disability", "income": "income", "family": "family",
    "employment": "employment", "records": "records",
}
ALL_SECTIONS = frozenset({"basic", *PARTNER_SECTIONS.values()})


def _of_person(model: type[Any], *joins: Join) -> JoinedRows[Any]:
    """One person's rows of a registry part, in the part's own order (``Meta.ordering``)."""
    return JoinedRows(model, joins, where="{m}.person_id = %s",
                      order_by=meta_order(model, constant=("person",)))


# The registry parts the page shows, read for every view of a person: statements written once
# per process (jiritsu.core.rows) instead of a queryset built and compiled for each, the same
# rows in the same order as ``person.<part>.all()`` (tested).
_PARTS: dict[str, JoinedRows[Any]] = {
    "stays": _of_person(HospitalStay),
    "disabilities": _of_person(Disability),
    "illnesses": _of_person(Illness),
    "medical_evidence": _of_person(MedicalEvidence, Join("based_on", outer=True)),
    "work_history": _of_person(WorkHistory),
    "qualifications": _of_person(Qualification),
    "care_duties": _of_person(CareDuty),
    "assessments": _of_person(WorkCapacityAssessment, Join("assessed_by", outer=True)),
}
_MEMBERS = JoinedRows(Person, [], where="{m}.household_id = %s",
                      order_by="{m}.member_number, {m}.id")
_TYPE_HISTORY = JoinedRows(HouseholdTypeChange, [], where="{m}.household_id = %s",
                           order_by=meta_order(HouseholdTypeChange, constant=("household",)))


# Which kinds of the person's own rows exist at all, asked in one statement before the
# querysets that read them: most people in an office have no episode, consent, record or
# conference decision, and a queryset built and compiled to find nothing costs 1–3 ms each;
# most have two or three of the eight registry parts, and each part's statement that finds
# nothing still costs a round trip. (Only ever skips a read that would find nothing: the
# reads keep every condition.)
_PRESENT = Presence({
    "enrollments": (Enrollment, "person"),
    "consents": (Consent, "person"),
    "records": (ActivityRecord, "person"),
    "decisions": (ConferenceDecision, "person"),
    **{name: (rows.model, "person") for name, rows in _PARTS.items()},
})


def _part(name: str, person: Person, shown: bool, present: Mapping[str, bool]) -> list[Any]:
    if not shown or not present[name]:
        return []
    return _PARTS[name].fetch([person.pk], {"person": person})


def person_file(person: Person, *, sections: frozenset[str] | set[str] = ALL_SECTIONS,
                partner_id: int | None = None, today: dt.date | None = None
                ) -> dict[str, object]:
    """Everything the person page shows about one person, in a fixed number of queries.

    ``sections`` limits what is read at all (a partner gets only what consent grants);
    with ``partner_id`` only the enrolments referred to that organisation are read.
    """
    today = today or clock.today()
    household = person.household
    show = {s: (s in sections) for s in ALL_SECTIONS}
    members = (_MEMBERS.fetch([household.pk], {"household": household})
               if household and show["family"] else [])
    present = _PRESENT.fetch(person.pk)
    enrollment_qs = Enrollment.objects.filter(person=person)
    if partner_id is not None:
        enrollment_qs = enrollment_qs.filter(referred_partners=partner_id)
    enrollments = [] if not present["enrollments"] else list(
        enrollment_qs
        .select_related("program", "phase", "lead_staff", "moved_from__program")
        .prefetch_related("menus", "referred_partners")
        .order_by("ended_on", "-started_on", "-candidate_on", "-id")
    )
    for e in enrollments:
        # The next review is the stored date the one rule keeps (jiritsu.cases.next_review,
        # the date the home's and the program page's lists show), for an active episode.
        if e.status != "active":
            e.next_review_on = None
        e.review_overdue = bool(e.next_review_on and e.next_review_on < today)
    # 結果検討会: the latest sorting of each episode (office staff; not a partner's to read).
    sorts = episode_sorts([e.pk for e in enrollments]) if partner_id is None else {}
    for e in enrollments:
        e.latest_sort = next(iter(sorts.get(e.pk, [])), None)
    current = [e for e in enrollments if e.status != "ended"]
    past = [e for e in enrollments if e.status == "ended"]
    # Every plan version of the person's episodes (a few), newest first: the current one of
    # each open episode here, and the timeline's 「計画」 entries from the same rows.
    all_plans: list[Plan] = []
    if enrollments:
        all_plans = list(Plan.objects.filter(enrollment__in=[e.pk for e in enrollments])
                         .select_related("enrollment__program", "created_by")
                         .prefetch_related("goals", "commitments")
                         .order_by("-created_at", "-id"))
    plans: dict[int, Plan] = {}
    for plan in sorted(all_plans, key=lambda p: -p.number):
        plans.setdefault(plan.enrollment_id, plan)
    for e in current:
        e.current_plan = plans.get(e.pk)
    stays = _part("stays", person, show["health"], present)
    consents = (list(Consent.objects.filter(person=person)
                     .select_related("program", "recorded_by")
                     .prefetch_related(Prefetch("grants", queryset=ConsentGrant.objects
                                                .select_related("partner"))))
                if partner_id is None and present["consents"] else [])
    return {
        "person": person,
        "household": household,
        "members": members,
        "show": show,
        "today": today,
        "disabilities": _part("disabilities", person, show["disability"], present),
        "illnesses": _part("illnesses", person, show["health"], present),
        "stays": stays,
        "medical_evidence": _part("medical_evidence", person, show["health"], present),
        "current_stay": next((s for s in stays if s.discharged_on is None), None),
        "work_history": _part("work_history", person, show["employment"], present),
        "qualifications": _part("qualifications", person, show["employment"], present),
        "care_duties": _part("care_duties", person, show["family"], present),
        "assessments": _part("assessments", person, show["employment"], present),
        "type_history": (_TYPE_HISTORY.fetch([household.pk], {"household": household})
                         if household and show["family"] else []),
        "enrollments": enrollments,
        "current_enrollments": current,
        "past_enrollments": past,
        "plans": all_plans,
        "consents": consents,
        # for the timeline (``person_timeline(present=…)``): the kinds found empty
        "present": present,
    }
