"""Statements written once per process (jiritsu.core.rows) read what the querysets they stand
for read: the office middleware's memberships and the session store's read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiritsu import testing as t
from jiritsu.core import clock
from jiritsu.core.sessions import SessionStore
from jiritsu.offices.middleware import ACTIVE_MEMBERSHIPS
from jiritsu.offices.models import Membership


def _fields(m: Any) -> dict[str, Any]:
    return {f.attname: getattr(m, f.attname) for f in m._meta.concrete_fields}


def test_memberships_are_the_querysets_rows_with_office_and_partner(world: Any) -> None:
    partner_user = world.partner
    # A second office for the partner's account, and an inactive membership that must not count.
    Membership.objects.create(user=partner_user, office=world.other_office, role="caseworker")
    third = t.make_office("A000", name="先頭の事務所")
    Membership.objects.create(user=partner_user, office=third, role="supervisor",
                              is_active=False)
    expected = list(Membership.objects.filter(user=partner_user, is_active=True)
                    .select_related("office", "partner").order_by("office__code"))
    with CaptureQueriesContext(connection) as queries:
        got = ACTIVE_MEMBERSHIPS.fetch([partner_user.pk])
        offices = [(m.office.code, m.office.name, m.office.kind) for m in got]
        partners = [m.partner.name if m.partner else None for m in got]
    assert len(queries) == 1  # office and partner came with the memberships
    assert [_fields(m) for m in got] == [_fields(m) for m in expected]
    assert offices == [(m.office.code, m.office.name, m.office.kind) for m in expected]
    assert partners == [world.partner_org.name, None]
    assert [_fields(m.office) for m in got] == [_fields(m.office) for m in expected]
    assert all(not m._state.adding and m._state.db == "default" for m in got)
    assert ACTIVE_MEMBERSHIPS.fetch([world.outsider.pk + 10_000]) == []


def test_session_store_reads_unexpired_sessions_only(world: Any) -> None:
    store = SessionStore()
    store["x"] = "値"
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"x": "値"}
    Session.objects.filter(session_key=key).update(expire_date=clock.now() - dt.timedelta(seconds=1))
    stale = SessionStore(key)
    assert stale.load() == {}
    assert stale.session_key is None  # as Django's store: a new session is started


def test_a_signed_in_page_reads_session_user_and_memberships_in_three_queries(world: Any) -> None:
    client = Client()
    client.force_login(world.caseworker)
    client.get("/search/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/")
    assert response.status_code == 200
    assert world.office.name in response.content.decode()
    assert len(queries) == 3


def test_presence_tells_which_tables_hold_a_row_of_the_value(world: Any) -> None:
    from jiritsu.cases.models import ActivityRecord, Consent
    from jiritsu.core.rows import Presence
    from jiritsu.people.models import Disability

    presence = Presence({"records": (ActivityRecord, "person"),
                         "consents": (Consent, "person"),
                         "disabilities": (Disability, "person")})
    ActivityRecord.objects.create(office=world.office, person=world.person,
                                  occurred_at=clock.now(), kind="phone", text="電話",
                                  author=world.caseworker)
    Disability.objects.create(person=world.other_person, kind="physical", grade="2級")
    with CaptureQueriesContext(connection) as queries:
        found = presence.fetch(world.person.pk)
    assert len(queries) == 1
    assert found == {"records": True, "consents": False, "disabilities": False}
    assert presence.fetch(world.other_person.pk) == {
        "records": False, "consents": False, "disabilities": True}
    assert presence.fetch(world.person.pk + world.other_person.pk + 10_000) == {
        "records": False, "consents": False, "disabilities": False}


def test_plain_rows_are_the_querysets_values(world: Any) -> None:
    """:class:`PlainRows` (the caseload's small reads): the same values as the queryset's
    ``values_list`` — dates and booleans through the fields' converters — for the ids asked
    about only, and no query for no ids."""
    from jiritsu.core.rows import PlainRows
    from jiritsu.people.models import HospitalStay

    today = clock.today()
    people = [t.make_person(world.office, household=world.household) for _ in range(3)]
    for i, p in enumerate(people):
        HospitalStay.objects.create(person=p, hospital_name=f"病院{i}", psychiatric=i % 2 == 0,
                                    admitted_on=today - dt.timedelta(days=30 * i + 1))
    HospitalStay.objects.create(person=people[0], hospital_name="退院済み", psychiatric=False,
                                admitted_on=today - dt.timedelta(days=400),
                                discharged_on=today - dt.timedelta(days=300))
    HospitalStay.objects.create(person=people[1], hospital_name="これから", psychiatric=True,
                                admitted_on=today + dt.timedelta(days=3))
    stays = PlainRows(HospitalStay, ("person", "psychiatric", "admitted_on"), key="person",
                      where="{discharged_on} IS NULL AND {admitted_on} <= %s")
    asked = [people[0].pk, people[1].pk]
    expected = set(HospitalStay.objects.filter(
        person_id__in=asked, discharged_on__isnull=True, admitted_on__lte=today)
        .values_list("person_id", "psychiatric", "admitted_on"))
    got = stays.fetch(asked, [today])
    assert set(got) == expected and len(got) == 2
    assert all(isinstance(d, dt.date) and isinstance(b, bool) for _p, b, d in got)
    with CaptureQueriesContext(connection) as queries:
        assert stays.fetch([], [today]) == []
    assert len(queries) == 0


def test_insert_row_writes_what_create_writes(world: Any) -> None:
    """:class:`InsertRow` (the audit row of every view): the row read back equals one written
    by ``objects.create`` with the same values — the automatic time filled in, the JSON
    stored as JSON — and the instance holds its new primary key."""
    from jiritsu.audit.models import AuditEvent
    from jiritsu.core.rows import InsertRow

    values: dict[str, Any] = {
        "office_id": world.office.pk, "office_label": "事務所", "actor_id": world.caseworker.pk,
        "actor_label": "職員", "kind": AuditEvent.Kind.VIEW, "action": "person.view",
        "target_type": "people.Person", "target_id": "7", "target_label": "本人",
        "person_id": 7, "person_label": "本人", "changes": {"count": 2, "名": ["a", 1]},
        "note": "備考"}
    before = clock.now()
    event = AuditEvent(**values)
    with CaptureQueriesContext(connection) as queries:
        InsertRow(AuditEvent).insert(event)
    assert len(queries) == 1 and event.pk is not None and not event._state.adding
    reference = AuditEvent.objects.create(**values)
    stored, expected = AuditEvent.objects.get(pk=event.pk), AuditEvent.objects.get(pk=reference.pk)
    got, want = _fields(stored), _fields(expected)
    assert stored.created_at >= before and event.created_at == stored.created_at
    for name in ("id", "created_at"):
        got.pop(name), want.pop(name)
    assert got == want and stored.changes == {"count": 2, "名": ["a", 1]}


def test_statement_reads_joins_groups_and_unions_as_the_querysets_do(world: Any) -> None:
    """:class:`Statement` (hand-written SQL over the models' tables): the tables and columns
    from the models, an id list as one parameter (none and one too), a ``MAX`` of a moment
    converted to an aware moment as the queryset's ``Max`` is, dates as dates."""
    from django.db.models import Max

    from jiritsu.cases.models import ActivityRecord
    from jiritsu.core.rows import Statement
    from jiritsu.people.models import HospitalStay, Person

    people = [world.person, t.make_person(world.office, household=world.household)]
    other = t.make_household(world.office, caseworker=world.caseworker)
    people.append(t.make_person(world.office, household=other))
    start = dt.datetime(2026, 3, 31, 23, 30, tzinfo=clock.JAPAN)  # 14:30 UTC: the day before
    for i, p in enumerate(people):
        for days in (0, 40 + i):
            ActivityRecord.objects.create(office=world.office, person=p, kind="home_visit",
                                          text="訪問", author=world.caseworker,
                                          occurred_at=start - dt.timedelta(days=days))
    HospitalStay.objects.create(person=people[2], hospital_name="病院",
                                admitted_on=dt.date(2026, 1, 5),
                                discharged_on=dt.date(2026, 2, 28))
    last = Statement(
        {"r": ActivityRecord, "p": Person},
        "SELECT {p.household}, MAX({r.occurred_at}) FROM {r} INNER JOIN {p} ON {p.pk} = {r.person} "
        "WHERE {r.kind} = %s AND {p.household} {ids} GROUP BY {p.household}",
        columns=(None, "r.occurred_at"))
    ids = [world.household.pk, other.pk]
    expected = dict(ActivityRecord.objects.filter(person__household_id__in=ids, kind="home_visit")
                    .order_by().values_list("person__household").annotate(m=Max("occurred_at")))
    with CaptureQueriesContext(connection) as queries:
        got = dict(last.fetch(["home_visit", ids]))
    assert len(queries) == 1
    assert got == expected == {world.household.pk: start, other.pk: start}
    assert all(v.tzinfo is not None for v in got.values())
    assert last.fetch(["home_visit", [other.pk]]) == [(other.pk, start)]
    assert last.fetch(["home_visit", []]) == []
    union = Statement(
        {"r": ActivityRecord, "s": HospitalStay},
        "SELECT {r.person}, 'record' FROM {r} WHERE {r.person} {ids} AND {r.occurred_at} < %s "
        "UNION ALL SELECT {s.person}, 'stay' FROM {s} WHERE {s.person} {ids} "
        "AND {s.discharged_on} >= %s",
        columns=("r.person", None))
    rows = union.fetch([[p.pk for p in people], start - dt.timedelta(days=40),
                       [people[2].pk], dt.date(2026, 2, 28)])
    assert sorted(rows) == sorted([(people[1].pk, "record"), (people[2].pk, "record"),
                                   (people[2].pk, "stay")])
    stays = Statement({"s": HospitalStay},
                      "SELECT {s.discharged_on}, {s.pk} FROM {s} WHERE {s.person} {ids}",
                      columns=("s.discharged_on", None))
    assert [d for d, _pk in stays.fetch([[people[2].pk]])] == [dt.date(2026, 2, 28)]


def test_compiled_querysets_count_what_they_count_with_each_calls_values(world: Any) -> None:
    """:class:`Compiled` (querysets compiled once per process, the stand-ins' places sent
    with each call's values): the counts the querysets give for those values, on dates and
    ids, in one statement; a stand-in written into the text (a slice) or unused is refused."""
    import pytest

    from jiritsu.core.compiled import Compiled
    from jiritsu.people.models import HospitalStay, Person

    people = [t.make_person(world.office, household=world.household) for _ in range(3)]
    for i, p in enumerate(people):
        HospitalStay.objects.create(person=p, hospital_name=f"病院{i}", psychiatric=True,
                                    admitted_on=dt.date(2025, 4, 1) + dt.timedelta(days=10 * i))

    def build(office_id: int, since: dt.date) -> list[Any]:
        return [Person.objects.filter(office_id=office_id),
                HospitalStay.objects.filter(person__office_id=office_id, admitted_on__gte=since)
                .values("person").distinct()]

    compiled = Compiled(Person, build, office_id=-917_900_001, since=dt.date(1, 1, 2))
    for office, since in [(world.office, dt.date(2025, 4, 5)), (world.office, dt.date(2025, 1, 1)),
                          (world.other_office, dt.date(2025, 1, 1))]:
        expected = [qs.count() for qs in build(office.pk, since)]
        with CaptureQueriesContext(connection) as queries:
            assert compiled.count(office_id=office.pk, since=since) == expected
        assert len(queries) == 1
    assert compiled.count(office_id=world.office.pk, since=dt.date(2025, 4, 5))[1] == 2
    sliced = Compiled(Person, lambda office_id: [Person.objects.all()[:office_id]],
                      office_id=917_900_003)
    with pytest.raises(ValueError, match="written into the statement"):
        sliced.count(office_id=5)
    unused = Compiled(Person, lambda office_id: [Person.objects.all()], office_id=-917_900_004)
    with pytest.raises(ValueError, match="not parameters"):
        unused.count(office_id=5)


def test_joined_rows_follow_a_joins_relations_and_take_a_list_of_ids(world: Any) -> None:
    """``Join("household__caseworker")`` reads what ``select_related`` reads, an outer join
    missing at either step included; ``{ids}`` takes a list among the other parameters."""
    from jiritsu.core.rows import Join, JoinedRows
    from jiritsu.people.models import Person

    rows = JoinedRows(Person, [Join("household", outer=True),
                               Join("household__caseworker", outer=True)],
                      where="{m}.office_id = %s AND {m}.id {ids} AND {m}.member_number >= %s",
                      order_by="{m}.id")
    alone = t.make_person(world.office)
    nobodys = t.make_person(world.office, household=t.make_household(world.office,
                                                                      caseworker=None))
    ids = [world.person.pk, alone.pk, nobodys.pk, world.other_person.pk]
    expected = list(Person.objects.filter(office=world.office, pk__in=ids, member_number__gte=0)
                    .select_related("household", "household__caseworker").order_by("id"))
    with CaptureQueriesContext(connection) as queries:
        got = rows.fetch([world.office.pk, ids, 0])
        households = [p.household and _fields(p.household) for p in got]
        caseworkers = [p.household and p.household.caseworker and _fields(p.household.caseworker)
                       for p in got]
    assert len(queries) == 1
    assert [_fields(p) for p in got] == [_fields(p) for p in expected]
    assert households == [p.household and _fields(p.household) for p in expected]
    assert caseworkers == [p.household and p.household.caseworker
                           and _fields(p.household.caseworker) for p in expected]
    assert len(got) == 3 and None in households and None in caseworkers
    assert rows.fetch([world.office.pk, [], 0]) == []


def test_joined_rows_follow_nested_joins_read_only_the_columns_named_and_annotate(
        world: Any) -> None:
    """A join of a joined row (``household__caseworker``), outer joins that find nothing
    (a person outside any household), ``only`` (the rest deferred, as ``QuerySet.only``),
    an annotation through its output field's converters, ``{ids}`` and ``ids_from``: the
    queryset's rows and values, related rows included, in one statement."""
    from django.db.models import DateField

    from jiritsu.core.rows import Join, JoinedRows
    from jiritsu.people.models import HospitalStay, Person

    loner = t.make_person(world.office, name="世帯 なし")
    HospitalStay.objects.create(person=world.person, hospital_name="病院", psychiatric=False,
                                admitted_on=dt.date(2025, 1, 2))
    only = ("id", "name", "household_id", "household__id", "household__case_number",
            "household__caseworker_id", "household__caseworker__id",
            "household__caseworker__display_name")
    stay = ("SELECT MAX(s.admitted_on) FROM people_hospitalstay s "
            "WHERE s.person_id = {m}.id")
    joins = [Join("household", outer=True), Join("household__caseworker", outer=True)]
    by_ids = JoinedRows(Person, joins, where="{m}.id {ids}", order_by="{m}.id", only=only,
                        annotations={"admitted": (stay, DateField())})
    from_ids = JoinedRows(Person, joins, where="{m}.office_id = %s", order_by="{m}.id",
                          only=only, annotations={"admitted": (stay, DateField())},
                          ids_from="SELECT p.id FROM people_person p WHERE p.id IN (%s, %s)")
    asked = [world.person.pk, loner.pk]
    expected = list(Person.objects.filter(pk__in=asked).select_related("household__caseworker")
                    .only(*only).order_by("id"))
    with CaptureQueriesContext(connection) as queries:
        got: list[Any] = by_ids.fetch([asked])  # with the annotation
        also: list[Any] = from_ids.fetch([*asked, world.office.pk])
        seen = [(p.name, p.household.case_number if p.household else None,
                 str(p.household.caseworker) if p.household else None,
                 p.admitted)
                for p in got]
    assert len(queries) == 2
    assert seen == [("髙橋 𠮷子", "100001", "佐藤 一郎", dt.date(2025, 1, 2)),
                    ("世帯 なし", None, None, None)]
    assert [p.get_deferred_fields() for p in got] == [p.get_deferred_fields() for p in expected]
    assert [p.household.get_deferred_fields() for p in got if p.household] == [
        p.household.get_deferred_fields() for p in expected if p.household]
    assert [(p.pk, p.admitted) for p in also] == [
        (p.pk, p.admitted) for p in got]
    assert by_ids.fetch([[]]) == []


def test_statements_read_the_querysets_rows_and_are_prepared_on_postgresql_only(world: Any) -> None:
    """A statement of this module reads the queryset's rows on every run, whatever values it
    is sent. On PostgreSQL it is bound by the server and prepared on the connection after its
    fifth run (settings: ``JIRITSU_PREPARED_STATEMENTS``); on SQLite it goes through Django's
    own cursor, unchanged."""
    from django.conf import settings

    users = [world.partner.pk, world.caseworker.pk, world.supervisor.pk, world.outsider.pk]
    expected = {pk: [_fields(m) for m in Membership.objects.filter(user_id=pk, is_active=True)
                     .order_by("office__code")] for pk in users}
    for _ in range(3):  # twelve runs, with four different values
        for pk in users:
            assert [_fields(m) for m in ACTIVE_MEMBERSHIPS.fetch([pk])] == expected[pk]
    assert settings.JIRITSU_PREPARED_STATEMENTS is (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans + custom_plans "
                           "FROM pg_prepared_statements")
            prepared = cursor.fetchall()
        assert any('"offices_membership"' in sql and runs >= 5 for sql, runs in prepared), prepared
