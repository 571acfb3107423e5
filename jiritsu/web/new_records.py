"""新しい記録: what support staff and partners wrote about a caseworker's people since the
caseworker's own last record about each — the rule once, in SQL, for the caseworker home's
statements (written once per process) and the team and support homes' querysets."""

from __future__ import annotations

from typing import Any, TypeAlias

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from jiritsu.cases.models import ActivityRecord
from jiritsu.core.rows import Join, JoinedRows, Statement
from jiritsu.offices.models import Membership, User
from jiritsu.people.models import Household, Person

# The people a list is about: a queryset of people the membership may see, or the literal
# ids of a caseload (:func:`jiritsu.cases.access.caseload_person_ids`). Both work as
# ``person__in=`` filters; the literal list lets PostgreSQL use the person indexes.
People: TypeAlias = QuerySet[Person] | list[int]


def _of_people(people: People, field: str = "person") -> Q:
    """``person`` among ``people``: a literal id list as one array parameter (``__any``),
    a queryset as a subquery."""
    if isinstance(people, list):
        return Q(**{f"{field}__any": people})
    return Q(**{f"{field}__in": people})


def _from_others_sql(record: str, reader: str) -> str:
    """新しい記録, the rule, as SQL about one record (``record``: its alias or quoted table):
    written by support staff or a partner — a partner organisation named on it, or its
    author a 支援員 or partner of the record's office — and later than every record the
    reader wrote about the same person (``reader``: SQL for the reader's user id). The one
    definition: the caseload's statement and the querysets below are both built from it."""
    qn = connection.ops.quote_name
    rec = ActivityRecord._meta
    ms = Membership._meta
    col = {f.name: qn(f.column) for f in rec.concrete_fields}
    mcol = {f.name: qn(f.column) for f in ms.concrete_fields}
    roles = ", ".join(f"'{r}'" for r in (Membership.Role.SUPPORT_STAFF, Membership.Role.PARTNER))
    return (
        # the membership asked per record (a scalar subquery: as an EXISTS inside the OR,
        # PostgreSQL hashed every support or partner membership of the country, 6 ms)
        f"({record}.{col['author_partner']} IS NOT NULL OR (SELECT 1 FROM "
        f"{qn(ms.db_table)} ms WHERE ms.{mcol['user']} = {record}.{col['author']} "
        f"AND ms.{mcol['office']} = {record}.{col['office']} AND ms.{mcol['role']} IN ({roles})"
        f" LIMIT 1) IS NOT NULL)"
        # later than the reader's last, or the reader wrote none (not a NOT EXISTS, which
        # PostgreSQL plans as one more join: three times the planning time)
        f" AND COALESCE((SELECT MAX(mine.{col['created_at']}) FROM {qn(rec.db_table)} mine "
        f"WHERE mine.{col['person']} = {record}.{col['person']} AND mine.{col['author']} = "
        f"{reader}) < {record}.{col['created_at']}, TRUE)")


def _caseworker_sql(record: str) -> str:
    """SQL: the user id of the caseworker of the household of the record's person."""
    qn = connection.ops.quote_name
    person, household = Person._meta, Household._meta
    return (f"(SELECT hh.{qn(household.get_field('caseworker').column)} FROM {qn(person.db_table)} pp "
            f"INNER JOIN {qn(household.db_table)} hh ON hh.{qn(household.pk.column)} = "
            f"pp.{qn(person.get_field('household').column)} WHERE pp.{qn(person.pk.column)} = "
            f"{record}.{qn(ActivityRecord._meta.get_field('person').column)})")


# 新しい記録 of a list of people for one reader (the caseworker home's), newest first: the
# first few records' ids, then those records with what the list shows of them — two
# statements written once per process. (In one, PostgreSQL misjudged how many records
# the rule keeps and hashed every user of the country to join the authors: 16 ms.)
_FROM_OTHERS_IDS = Statement(
    {"m": ActivityRecord},
    "SELECT {m.pk} FROM {m} WHERE {m.person} {ids} AND " + _from_others_sql('"m"', "%s")
    + " ORDER BY {m.created_at} DESC, {m.pk} DESC LIMIT %s", columns=[None])
_FROM_OTHERS = JoinedRows(
    ActivityRecord,
    [Join("person"), Join("author"), Join("author_partner", outer=True),
     Join("enrollment", outer=True), Join("enrollment__program", outer=True)],
    where="{m}.id {ids}", order_by="{m}.created_at DESC, {m}.id DESC")


def records_from_others(people: People, *, reader: User | None) -> QuerySet[ActivityRecord]:
    """Records support staff and partners wrote since the caseworker's own last record.

    ``reader`` is the caseworker; without one (a supervisor's view) each person's own
    caseworker is the reference.
    """
    table = connection.ops.quote_name(ActivityRecord._meta.db_table)
    if reader is not None:
        rule = RawSQL(_from_others_sql(table, "%s"), [reader.pk], output_field=BooleanField())
    else:
        rule = RawSQL(_from_others_sql(table, _caseworker_sql(table)), [],
                      output_field=BooleanField())
    return (
        ActivityRecord.objects.filter(_of_people(people)).filter(rule)
        .select_related("person", "author", "author_partner", "enrollment__program",
                        # the team view names each person's caseworker; the others do not
                        *(() if reader is not None else ("person__household__caseworker",)))
        .order_by("-created_at", "-id")
    )


def records_from_others_of(person_ids: list[int], *, reader: User, limit: int) -> dict[str, Any]:
    """:func:`records_from_others` of a caseload for its reader, the first ``limit`` with
    the total: two statements, and a count only when more than ``limit`` were found."""
    found = ([pk for (pk,) in _FROM_OTHERS_IDS.fetch([person_ids, reader.pk, limit + 1])]
             if person_ids else [])
    items = _FROM_OTHERS.fetch([found]) if found else []
    total = (len(items) if len(items) <= limit
             else records_from_others(person_ids, reader=reader).count())
    return {"items": items[:limit], "total": total}
