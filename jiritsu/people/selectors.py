"""Read-side queries for people and households (bounded query counts)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from jiritsu.core.kana import search_key
from jiritsu.offices.models import Membership
from jiritsu.people.access import visible_households, visible_people
from jiritsu.people.models import Household, Person


def search_people(membership: Membership, q: str, *, limit: int = 50) -> list[Person]:
    """Kana-insensitive search by furigana, exact-substring by name, or by case number."""
    q = q.strip()
    if not q:
        return []
    key = search_key(q)
    cond = Q(name__contains=q) | Q(household__case_number=q)
    if key:
        cond |= Q(kana_key__startswith=key) | Q(kana_key__contains=key)
    return list(
        visible_people(membership)
        .filter(cond)
        .select_related("household")
        .order_by("kana_key", "id")[:limit]
    )


def caseload_for(membership: Membership) -> QuerySet[Household]:
    """A caseworker's own households; supervisors and managers see the office."""
    qs = visible_households(membership).filter(assistance_ended_on__isnull=True)
    if membership.role == Membership.Role.CASEWORKER:
        qs = qs.filter(caseworker=membership.user)
    return (
        qs.select_related("caseworker", "visit_grade")
        .annotate(member_count=Count("members"))
        .order_by("case_number")
    )


def person_file(person: Person) -> dict[str, object]:
    """Everything the person page shows about one person, in a fixed number of queries."""
    household = person.household
    members = (
        list(Person.objects.filter(household=household).order_by("member_number"))
        if household else []
    )
    return {
        "person": person,
        "household": household,
        "members": members,
        "disabilities": list(person.disabilities.all()),
        "illnesses": list(person.illnesses.all()),
        "stays": list(person.hospital_stays.all()),
        "work_history": list(person.work_history.all()),
        "qualifications": list(person.qualifications.all()),
        "care_duties": list(person.care_duties.all()),
        "assessments": list(person.assessments.select_related("assessed_by")),
        "type_history": list(household.type_history.all()) if household else [],
    }
