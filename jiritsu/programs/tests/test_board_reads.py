"""The program page's reads written once per process or compiled once per process: the
board's counts and cards against the column's own list, the phases and the catalogue lists
against the related managers (docs/performance.md, "Program board, sixth round")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiritsu import testing as t
from jiritsu.cases.models import Enrollment
from jiritsu.cases.testing import make_consent
from jiritsu.programs.models import ScreeningLedger
from jiritsu.programs.tests.test_screens import _candidates
from jiritsu.programs.tests.test_screens import programs as programs  # the fixture

pytestmark = pytest.mark.django_db
D = dt.date


def test_board_gives_each_columns_first_cards_and_count_as_its_list(world, programs,
                                                                   monkeypatch):
    """The board (one statement, compiled once per process from the rule's queryset) shows
    what the column's own list (``board_column_page``) shows first, and its count, for
    staff and for a partner (who sees only the episodes referred to it, with consent):
    candidates, selected people, participants in a phase, in no phase and in a phase no
    longer on the program."""
    from jiritsu.cases import selectors
    from jiritsu.cases.access import visible_enrollments
    from jiritsu.programs.models import Phase

    discharge, _ = programs
    cw = world.m(world.caseworker)
    phases = list(discharge.phases.order_by("order"))
    gone = Phase.objects.create(program=programs[1], order=9, name="他のプログラムの段階")
    episodes = _candidates(world, discharge, 11)
    for k, e in enumerate(episodes):
        # Dates in reverse of creation with ties, so the kana and the id decide some places.
        day = D(2025, 6, 1) - dt.timedelta(days=k // 2)
        if k in (1, 2, 3):
            Enrollment.objects.filter(pk=e.pk).update(status="selected", selected_on=day)
        elif k >= 4:
            phase = [phases[0], phases[0], phases[0], None, None, gone, phases[1]][k - 4]
            Enrollment.objects.filter(pk=e.pk).update(status="active", started_on=day,
                                                      phase=phase)
    shared = episodes[5:9]
    for e in shared:
        make_consent(e.person, discharge, recorded_by=world.caseworker,
                     partners=[world.partner_org])
        e.referred_partners.add(world.partner_org)
    for membership in (cw, world.m(world.partner)):
        board = selectors.program_board(discharge, membership, limit=2)
        seen = 0
        for col in board:
            found = selectors.board_column_page(
                discharge, visible_enrollments(membership), col.key, page=1, per_page=2)
            assert found is not None
            listed = found[0]
            assert col.total == listed.total, col.key
            assert [e.pk for e in col.enrollments] == [e.pk for e in listed.enrollments], col.key
            for e, f in zip(col.enrollments, listed.enrollments, strict=True):
                assert (e.person.name, e.person.household, e.started_on) == (
                    f.person.name, f.person.household, f.started_on)
                assert e.person.household and f.person.household
                assert e.person.household.caseworker == f.person.household.caseworker
            seen += col.total
        assert seen == (11 if membership is cw else len(shared))
    assert [c.total for c in selectors.program_board(discharge, cw, limit=2)] == [1, 3, 3, 1, 0, 3]
    # The phases (a statement written once per process): the related manager's, in order.
    Phase.objects.filter(pk=phases[2].pk).update(order=0)
    assert [(p.pk, p.name, p.program) for p in selectors.program_phases(discharge)] == [
        (p.pk, p.name, p.program) for p in discharge.phases.order_by("order", "id")]


def test_program_lists_are_the_related_managers_rows(world, programs):
    """The page's menus, outcome types, partners and latest 台帳 (statements written once
    per process): the related managers' rows in their order, with each 台帳's creator and
    number of entries, five at most."""
    from django.db.models import Count

    from jiritsu.offices.models import PartnerOrganisation
    from jiritsu.programs.models import LedgerEntry, OutcomeType
    from jiritsu.programs.selectors import program_lists

    discharge, home = programs
    OutcomeType.objects.create(program=discharge, kind="discharge", name="退院")
    OutcomeType.objects.create(program=discharge, kind="other", name="その他",
                               counts_as_achievement=False)
    other = PartnerOrganisation.objects.create(office=world.office, kind="hospital",
                                               name="あおば病院")
    discharge.partners.add(world.partner_org, other)
    home.partners.add(other)
    people = [world.person, t.make_person(world.office, household=world.household)]
    for i in range(7):
        ledger = ScreeningLedger.objects.create(
            office=world.office, program=discharge if i != 3 else home, title=f"台帳{i}",
            as_of=D(2025, 4, 1) + dt.timedelta(days=i // 2), created_by=world.caseworker)
        for j in range(i % 3):
            LedgerEntry.objects.create(ledger=ledger, person=people[j])

    def fields(rows):
        return [{f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields}
                for r in rows]

    for program in (discharge, home):
        with CaptureQueriesContext(connection) as queries:
            got = program_lists(program)
            creators = [str(x.created_by) for x in got["ledgers"]]
        assert len(queries) == 4
        ledgers = list(program.ledgers.select_related("created_by")
                       .annotate(n=Count("entries")).order_by("-as_of", "-id")[:5])
        assert fields(got["menus"]) == fields(program.menus.order_by("order", "id"))
        assert fields(got["outcome_types"]) == fields(program.outcome_types.order_by("id"))
        assert fields(got["partners"]) == fields(program.partners.all())
        assert fields(got["ledgers"]) == fields(ledgers)
        assert [x.n for x in got["ledgers"]] == [x.n for x in ledgers]
        assert creators == [str(x.created_by) for x in ledgers]
    assert len(program_lists(discharge)["ledgers"]) == 5


def test_board_shows_the_first_by_kana_among_more_than_fit_on_one_date(world, programs):
    """More episodes on a column's first date than the column shows: the board picks them
    by furigana (then id), as the column's list does, not by creation."""
    from jiritsu.cases import selectors
    from jiritsu.cases.access import visible_enrollments

    discharge, _ = programs
    cw = world.m(world.caseworker)
    episodes = _candidates(world, discharge, 5)
    later = _candidates(world, discharge, 2, start=10)  # later dates: never among the first
    kana = ["わだ はな", "まつだ はな", "たなか はな", "さとう はな", "いとう はな"]
    for e, k in zip(episodes, kana, strict=True):
        e.person.kana = k
        e.person.save()
    Enrollment.objects.filter(pk__in=[e.pk for e in episodes]).update(candidate_on=D(2025, 4, 1))
    board = selectors.program_board(discharge, cw, limit=2)
    candidates = next(c for c in board if c.key == "candidate")
    assert candidates.total == 7
    assert [e.person.kana for e in candidates.enrollments] == ["いとう はな", "さとう はな"]
    listed = selectors.board_column_page(discharge, visible_enrollments(cw), "candidate",
                                         page=1, per_page=2)
    assert listed is not None
    assert [e.pk for e in listed[0].enrollments] == [e.pk for e in candidates.enrollments]
    assert not {e.pk for e in later} & {e.pk for e in candidates.enrollments}


def test_staff_present_are_listed_by_name_on_the_episode_page_and_the_print(client, world,
                                                                            programs):
    """Who was present at a record is shown in one order (the staff's accounts' order)
    whatever order they were chosen in: on the episode page and on the printed record."""
    from django.urls import reverse

    from jiritsu.cases import services as case_services
    from jiritsu.documents.catalogue import interview_record
    from jiritsu.documents.printing import Need

    discharge, _ = programs
    cw = world.m(world.caseworker)
    e = _candidates(world, discharge, 1)[0]
    make_consent(e.person, discharge, recorded_by=world.caseworker)
    case_services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 2))
    chosen = [world.supervisor, world.caseworker2, world.caseworker]  # newest account first
    in_order = sorted(chosen, key=lambda u: u.pk)
    assert chosen != in_order
    record = case_services.record_create(actor=cw, person=e.person, enrollment=e, values={
        "occurred_at": dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC), "kind": "phone",
        "text": "電話"}, staff_present=chosen)
    client.force_login(world.caseworker)
    body = client.get(reverse("programs:enrollment", args=[e.pk])).content.decode()
    shown = body[body.index("同席："):].split("</p>")[0]
    assert shown == "同席：" + "、".join(str(u) for u in in_order)
    need = Need()
    printed = interview_record(record, need)
    assert printed["staff"] == in_order and need.missing == []
