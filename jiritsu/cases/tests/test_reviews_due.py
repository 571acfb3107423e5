"""Review due dates are derived from what is due and what was done."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu import testing as t
from jiritsu.cases import selectors, services
from jiritsu.programs import services as catalogue
from jiritsu.programs.models import OutcomeKind
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


def _start(world, person, program, on):
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=person, program=program, on=on)
    services.enrollment_start(actor=cw, enrollment=e, on=on)
    return e


@pytest.fixture
def two_caseloads(world):
    monthly = make_program(world.office, consent_required=False, review_interval_months=1,
                           standard_length_months=None, max_length_months=None)
    quarterly = make_program(world.office, consent_required=False, review_interval_months=3,
                             standard_length_months=None, max_length_months=None,
                             post_discharge_review_months=1)
    hh2 = t.make_household(world.office, caseworker=world.caseworker2)
    p2 = t.make_person(world.office, household=hh2, name="鈴木担当 太郎", member_number=1)
    e1 = _start(world, world.person, monthly, D(2025, 4, 1))
    e2 = _start(world, p2, quarterly, D(2025, 4, 1))
    return monthly, quarterly, e1, e2


def test_first_review_due_one_interval_after_start(world, two_caseloads):
    _, _, e1, e2 = two_caseloads
    cw = world.m(world.caseworker)
    due = selectors.reviews_due(cw, today=D(2025, 4, 28))
    assert [(d.enrollment, d.due_on) for d in due["due_soon"]] == [(e1, D(2025, 5, 1))]
    assert due["overdue"] == []
    later = selectors.reviews_due(cw, today=D(2025, 5, 10))
    assert [(d.enrollment, d.days_overdue) for d in later["overdue"]] == [(e1, 9)]


def test_a_review_moves_the_due_date_to_its_next_date(world, two_caseloads):
    _, _, e1, _ = two_caseloads
    cw = world.m(world.caseworker)
    services.review_create(actor=cw, enrollment=e1, reviewed_on=D(2025, 5, 2),
                           evaluation="順調", decision="continue", next_due_on=D(2025, 5, 20))
    due = selectors.reviews_due(cw, today=D(2025, 5, 15))
    assert [d.due_on for d in due["due_soon"]] == [D(2025, 5, 20)]
    services.review_create(actor=cw, enrollment=e1, reviewed_on=D(2025, 5, 20),
                           evaluation="順調", decision="continue")
    due = selectors.reviews_due(cw, today=D(2025, 6, 25))
    assert [d.due_on for d in due["overdue"]] == [D(2025, 6, 20)]


def test_discharge_brings_a_check_one_month_later(world, two_caseloads):
    _, quarterly, _, e2 = two_caseloads
    cw2 = world.m(world.caseworker2)
    services.outcome_record(actor=cw2, enrollment=e2,
                            outcome_type=quarterly.outcome_types.get(kind=OutcomeKind.DISCHARGE),
                            occurred_on=D(2025, 4, 10), data={"destination": "apartment"})
    due = selectors.reviews_due(cw2, today=D(2025, 5, 8))
    assert [d.due_on for d in due["due_soon"]] == [D(2025, 5, 10)]
    assert due["due_soon"][0].reasons[0].startswith("退院後1か月の生活状況確認")


def test_caseworker_sees_own_caseload_supervisor_sees_office_by_caseworker(world,
                                                                          two_caseloads):
    _, _, e1, e2 = two_caseloads
    today = D(2025, 7, 5)
    mine = selectors.reviews_due(world.m(world.caseworker), today=today)
    assert [d.enrollment for d in mine["overdue"]] == [e1]
    groups = selectors.reviews_due_by_caseworker(world.m(world.supervisor), today=today)
    assert {g["caseworker"]: [d.enrollment for d in g["overdue"]] for g in groups} == {
        world.caseworker: [e1], world.caseworker2: [e2]}
    # Nothing from another office
    outsider = world.m(world.outsider, world.other_office)
    assert selectors.reviews_due(outsider, today=today) == {"overdue": [], "due_soon": []}


def test_ended_episodes_are_never_due(world, two_caseloads):
    _, _, e1, _ = two_caseloads
    cw = world.m(world.caseworker)
    services.enrollment_end(actor=cw, enrollment=e1, reason="not_needed", on=D(2025, 4, 20))
    assert selectors.reviews_due(cw, today=D(2025, 9, 1)) == {"overdue": [], "due_soon": []}


# ---- the stored next review date (Enrollment.next_review_on) -----------------------------

def _stored(e):
    from jiritsu.cases.models import Enrollment

    return Enrollment._base_manager.get(pk=e.pk).next_review_on


def _all_consistent():
    from jiritsu.cases.next_review import mismatches

    return mismatches() == []


def test_the_stored_date_follows_every_change_of_its_inputs(world, two_caseloads):
    """Start, review (with and without a date it sets), discharge, extension, a deleted
    review, a program whose snapshot lacks the term, the end: after each, the stored date
    is the rule's and the lists show it."""
    from jiritsu.cases.models import Enrollment, Review
    from jiritsu.programs.models import ProgramVersion

    monthly, quarterly, e1, e2 = two_caseloads
    cw, cw2 = world.m(world.caseworker), world.m(world.caseworker2)
    assert (_stored(e1), _stored(e2)) == (D(2025, 5, 1), D(2025, 7, 1))
    # A candidate is never due.
    candidate = services.enrollment_create(actor=cw, person=world.person, program=quarterly,
                                           on=D(2025, 4, 2))
    assert _stored(candidate) is None

    review, _ = services.review_create(actor=cw, enrollment=e1, reviewed_on=D(2025, 5, 2),
                                       evaluation="順調", decision="continue",
                                       next_due_on=D(2025, 5, 20))
    assert _stored(e1) == D(2025, 5, 20)
    services.outcome_record(actor=cw2, enrollment=e2,
                            outcome_type=quarterly.outcome_types.get(kind=OutcomeKind.DISCHARGE),
                            occurred_on=D(2025, 4, 10), data={"destination": "apartment"})
    assert _stored(e2) == D(2025, 5, 10)
    assert _all_consistent()

    # A review removed (an administrator's correction): back to the interval after the start.
    Review.objects.filter(pk=review.pk).get().delete()
    assert _stored(e1) == D(2025, 5, 1)

    # The live program's interval applies where the version's snapshot lacks it.
    ProgramVersion.objects.filter(program=monthly).update(snapshot={})
    monthly.review_interval_months = 2
    monthly.save()
    assert _stored(e1) == D(2025, 6, 1)

    # A planned end before the next review brings it forward; the end clears it.
    e1 = Enrollment.objects.get(pk=e1.pk)
    e1.planned_end_on = D(2025, 5, 15)
    e1.save()
    assert _stored(e1) == D(2025, 5, 15)
    services.enrollment_end(actor=cw, enrollment=Enrollment.objects.get(pk=e1.pk),
                            reason="not_needed", on=D(2025, 5, 10))
    assert _stored(e1) is None
    assert _all_consistent()
    # And the lists read it: the supervisor's office-wide list (stored dates) and the
    # caseworker's own (worked out from the inputs) agree.
    office = selectors.reviews_due(world.m(world.supervisor), today=D(2025, 5, 8))
    assert [(d.enrollment, d.due_on) for d in office["due_soon"]] == [(e2, D(2025, 5, 10))]
    own = selectors.reviews_due(cw2, today=D(2025, 5, 8))
    assert [(d.enrollment, d.due_on) for d in own["due_soon"]] == [(e2, D(2025, 5, 10))]


def test_check_next_reviews_reports_and_fixes_a_wrong_stored_date(world, two_caseloads):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from jiritsu.cases.models import Enrollment

    _, _, e1, _ = two_caseloads
    out = StringIO()
    call_command("check_next_reviews", stdout=out)
    assert "すべて規則どおり" in out.getvalue()
    Enrollment._base_manager.filter(pk=e1.pk).update(next_review_on=D(2030, 1, 1))
    with pytest.raises(CommandError, match="1件"):
        call_command("check_next_reviews", stdout=StringIO())
    out = StringIO()
    call_command("check_next_reviews", "--fix", stdout=out)
    assert "1件の見直し予定日を直しました" in out.getvalue()
    assert _stored(e1) == D(2025, 5, 1)


def test_program_page_lists_the_soonest_due_and_counts_them_all(world, two_caseloads):
    """The program page's list comes from the stored dates: the soonest first, a total."""
    monthly, _, e1, _ = two_caseloads
    cw = world.m(world.caseworker)
    for k in range(3):
        hh = t.make_household(world.office, caseworker=world.caseworker)
        p = t.make_person(world.office, household=hh, member_number=1, name=f"見直し 花子{k}")
        _start(world, p, monthly, D(2025, 4, 2 + k))
    items, total = selectors.program_reviews_due(monthly, cw, today=D(2025, 5, 1), limit=2)
    assert total == 4
    assert [d.due_on for d in items] == [D(2025, 5, 1), D(2025, 5, 2)]
    assert items[0].enrollment == e1


def test_a_program_edit_moves_the_dates_of_episodes_that_follow_the_live_program(
        world, two_caseloads):
    """Through the service: an episode whose version snapshot lacks the interval follows the
    program's; one whose snapshot has it keeps its own."""
    from jiritsu.cases.models import Enrollment
    from jiritsu.programs.models import ProgramVersion

    monthly, _, e1, _ = two_caseloads
    other = t.make_person(world.office, household=t.make_household(
        world.office, caseworker=world.caseworker), member_number=1, name="版 固定")
    keeps = _start(world, other, monthly, D(2025, 4, 1))
    ProgramVersion.objects.filter(pk=e1.program_version_id).update(snapshot={})
    newer = ProgramVersion.objects.create(program=monthly, number=99,
                                          snapshot={"review_interval_months": 1})
    Enrollment._base_manager.filter(pk=keeps.pk).update(program_version=newer)
    monthly.refresh_from_db()
    catalogue.program_update(actor=world.m(world.manager), program=monthly,
                            expected_version=monthly.version,
                            data={"review_interval_months": 4})
    assert (_stored(e1), _stored(keeps)) == (D(2025, 8, 1), D(2025, 5, 1))
    assert _all_consistent()


# ---- one caseworker's list: the stored date and one statement ----------------------------

TODAY = D(2025, 6, 10)  # with seven days: due by 2025-06-16


def _person(world, caseworker, kana):
    hh = t.make_household(world.office, caseworker=caseworker) if caseworker else None
    return t.make_person(world.office, household=hh, member_number=1, kana=kana,
                         name=f"期限 {kana}")


@pytest.fixture
def edges(world):
    """Episodes at each edge of the rule and of the list, for ``caseworker`` (cw) and
    ``caseworker2`` (cw2)."""
    from jiritsu.cases.models import Enrollment

    cw, cw2 = world.m(world.caseworker), world.m(world.caseworker2)
    monthly = make_program(world.office, consent_required=False, review_interval_months=1,
                           standard_length_months=None, max_length_months=None)
    quarterly = make_program(world.office, consent_required=False, review_interval_months=3,
                             standard_length_months=None, max_length_months=None,
                             post_discharge_review_months=1)
    # The version's snapshot says one month; the live program is changed to four after.
    versioned = make_program(world.office, consent_required=False, review_interval_months=1,
                             standard_length_months=None, max_length_months=None)

    def start(person, program, on, actor=cw):
        e = services.enrollment_create(actor=actor, person=person, program=program, on=on)
        services.enrollment_start(actor=actor, enrollment=e, on=on)
        return e

    e = {}
    e["overdue"] = start(_person(world, world.caseworker, "あ"), monthly, D(2025, 5, 1))
    e["today"] = start(_person(world, world.caseworker, "い"), monthly, D(2025, 5, 10))
    e["last_day"] = start(_person(world, world.caseworker, "う"), monthly, D(2025, 5, 16))
    e["day_after"] = start(_person(world, world.caseworker, "え"), monthly, D(2025, 5, 17))
    # Two the same day and the same kana: the episodes' own order breaks the tie.
    e["tie1"] = start(_person(world, world.caseworker, "お"), monthly, D(2025, 5, 12))
    e["tie2"] = start(_person(world, world.caseworker, "お"), monthly, D(2025, 5, 12))
    e["discharge"] = start(_person(world, world.caseworker, "か"), quarterly, D(2025, 4, 1))
    services.outcome_record(actor=cw, enrollment=e["discharge"],
                            outcome_type=quarterly.outcome_types.get(kind=OutcomeKind.DISCHARGE),
                            occurred_on=D(2025, 5, 12), data={"destination": "apartment"})
    e["planned_end"] = start(_person(world, world.caseworker, "き"), quarterly, D(2025, 5, 1))
    planned = Enrollment.objects.get(pk=e["planned_end"].pk)
    planned.planned_end_on = D(2025, 6, 14)
    planned.save()
    e["reviewed"] = start(_person(world, world.caseworker, "く"), quarterly, D(2025, 3, 1))
    services.review_create(actor=cw, enrollment=e["reviewed"], reviewed_on=D(2025, 5, 1),
                           evaluation="順調", decision="continue", next_due_on=D(2025, 6, 15))
    e["snapshot"] = start(_person(world, world.caseworker, "け"), versioned, D(2025, 5, 5))
    versioned.refresh_from_db()
    catalogue.program_update(actor=world.m(world.manager), program=versioned,
                             expected_version=versioned.version,
                             data={"review_interval_months": 4})
    # Led by caseworker (cw) in caseworker2's household; led by cw, outside any household.
    e["led"] = start(_person(world, world.caseworker2, "こ"), monthly, D(2025, 5, 3), cw2)
    open_to_all = make_program(world.office, consent_required=False, review_interval_months=1,
                               standard_length_months=None, max_length_months=None,
                               allows_non_recipients=True)
    e["led_no_household"] = start(_person(world, None, "さ"), open_to_all, D(2025, 5, 4))
    for key in ("led", "led_no_household"):
        Enrollment.objects.filter(pk=e[key].pk).update(lead_staff=world.caseworker)
    e["cw2"] = start(_person(world, world.caseworker2, "し"), quarterly, D(2025, 3, 5))
    # Never listed: ended, a candidate, another office's.
    e["ended"] = start(_person(world, world.caseworker, "す"), monthly, D(2025, 4, 1))
    services.enrollment_end(actor=cw, enrollment=e["ended"], reason="not_needed",
                            on=D(2025, 5, 20))
    e["candidate"] = services.enrollment_create(
        actor=cw, person=_person(world, world.caseworker, "せ"), program=quarterly,
        on=D(2025, 3, 1))
    other = make_program(world.other_office, consent_required=False, review_interval_months=1,
                         standard_length_months=None, max_length_months=None)
    outsider = world.m(world.outsider, world.other_office)
    e["other_office"] = start(t.make_person(world.other_office, household=world.other_person
                                            .household, member_number=2), other,
                              D(2025, 5, 1), outsider)
    return e


def _reference(membership, *, caseworker, lead, today=TODAY, days=7):
    """The one-caseworker list as it was worked out before it read the stored date: every
    active episode of ``caseworker``'s households (and of those ``lead`` leads) that
    ``membership`` may see, the rule worked out from its inputs, those due by the horizon
    or overdue, by date and kana, ties in the episodes' own order."""
    from django.db.models import Q

    from jiritsu.cases.access import visible_enrollments

    horizon = today + dt.timedelta(days=days - 1)
    which = Q(person__household__caseworker=caseworker)
    if lead is not None:
        which |= Q(lead_staff=lead)
    episodes = selectors._with_due_inputs(
        visible_enrollments(membership).filter(which, status="active")
        .select_related("program", "program_version", "person__household__caseworker",
                        "phase"))
    out: dict[str, list[selectors.DueReview]] = {"overdue": [], "due_soon": []}
    for e in episodes:
        d = selectors.due_for(e, today)
        if d is not None and (d.overdue or d.due_on <= horizon):
            out["overdue" if d.overdue else "due_soon"].append(d)
    for items in out.values():
        items.sort(key=lambda d: (d.due_on, d.enrollment.person.kana_key))
    return out


def _shown(due):
    return {key: [(d.enrollment.pk, d.due_on, d.reasons, d.days_overdue,
                   d.enrollment.person.name, d.enrollment.person.household.case_number
                   if d.enrollment.person.household else None,
                   str(d.caseworker) if d.caseworker else None, d.enrollment.program.name,
                   d.enrollment.phase.name if d.enrollment.phase else None)
                  for d in items] for key, items in due.items()}


def test_one_caseworkers_list_from_the_stored_date_is_the_rule_worked_out(world, edges):
    """The caseworker's own list (their households and what they lead) and a supervisor's
    look at one caseworker: read by the stored date in one statement, the same reviews,
    dates, reasons and order as the rule worked out from every active episode's inputs —
    overdue, due today, due on the horizon's last day (not the day after), a month after a
    discharge, the planned end, a review's own next date, a version's snapshot whose
    interval differs from the live program's, a tie on date and kana."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    e = edges
    cw, sv = world.m(world.caseworker), world.m(world.supervisor)
    with CaptureQueriesContext(connection) as queries:
        mine = selectors.reviews_due(cw, today=TODAY)
    assert len(queries) == 1, [q["sql"][:300] for q in queries]
    assert _shown(mine) == _shown(_reference(cw, caseworker=world.caseworker,
                                             lead=world.caseworker))
    assert [d.enrollment for d in mine["overdue"]] == [
        e["overdue"], e["led"], e["led_no_household"], e["snapshot"]]
    assert [(d.enrollment, d.due_on) for d in mine["due_soon"]] == [
        (e["today"], TODAY), (e["tie2"], D(2025, 6, 12)), (e["tie1"], D(2025, 6, 12)),
        (e["discharge"], D(2025, 6, 12)), (e["planned_end"], D(2025, 6, 14)),
        (e["reviewed"], D(2025, 6, 15)), (e["last_day"], D(2025, 6, 16))]
    for who in (world.caseworker, world.caseworker2):
        one = selectors.reviews_due(sv, today=TODAY, caseworker=who)
        assert _shown(one) == _shown(_reference(sv, caseworker=who, lead=None))
        # The office's list (the supervisor's) has the same reviews of this caseworker.
        office = selectors.reviews_due(sv, today=TODAY, mine_only=False)
        assert {key: sorted((d.enrollment.pk, d.due_on) for d in items
                            if d.caseworker_id == who.pk) for key, items in office.items()} == {
            key: sorted((d.enrollment.pk, d.due_on) for d in items)
            for key, items in one.items()}
    assert [d.enrollment for d in selectors.reviews_due(
        sv, today=TODAY, caseworker=world.caseworker2)["overdue"]] == [e["led"], e["cw2"]]
    # A horizon before today still lists what is overdue; a later today more.
    for today, days in ((TODAY, 0), (D(2025, 7, 1), 7), (D(2025, 5, 1), 30)):
        got = selectors.reviews_due(cw, today=today, within_days=days)
        assert _shown(got) == _shown(_reference(cw, caseworker=world.caseworker,
                                                lead=world.caseworker, today=today, days=days))


def test_a_partners_look_at_one_caseworker_keeps_to_what_the_partner_may_see(world, edges):
    """The statement names the office; anyone who does not see all its episodes (a partner:
    the episodes referred to it, for people whose consent names it) gets those only."""
    from jiritsu.cases.models import Consent, ConsentGrant, Enrollment

    e = edges
    referred = Enrollment.objects.get(pk=e["overdue"].pk)
    referred.referred_partners.add(world.partner_org)
    consent = Consent.objects.create(office=world.office, person=referred.person,
                                     given_on=D(2025, 4, 1), form=Consent.Form.WRITTEN,
                                     recorded_by=world.caseworker)
    ConsentGrant.objects.create(consent=consent, partner=world.partner_org, categories=["basic"])
    Enrollment.objects.get(pk=e["today"].pk).referred_partners.add(world.partner_org)  # no consent
    partner = world.m(world.partner)
    got = selectors.reviews_due(partner, today=TODAY, caseworker=world.caseworker)
    assert _shown(got) == _shown(_reference(partner, caseworker=world.caseworker, lead=None))
    assert [d.enrollment for d in got["overdue"] + got["due_soon"]] == [e["overdue"]]
    assert selectors.reviews_due(world.m(world.admin), today=TODAY,
                                 caseworker=world.caseworker) == {"overdue": [], "due_soon": []}


def test_the_inputs_read_with_the_listed_episodes_are_the_grouped_inputs(world, edges):
    """The last review (latest by date, then by id; the date it set) and the last discharge
    as the lists read them (one statement by ids, and annotated on a queryset) equal what
    ``compute_next_reviews`` reads grouped for thousands of episodes."""
    from jiritsu.cases.models import Enrollment, Outcome, Review

    e = edges
    cw = world.m(world.caseworker)
    twice = e["reviewed"]
    for next_due in (D(2025, 7, 1), None):  # the same day twice: the later row counts
        Review.objects.create(enrollment=twice, reviewed_on=D(2025, 6, 1), evaluation="順調",
                              decision="continue", next_due_on=next_due,
                              reviewer=world.caseworker)
    quarterly = e["discharge"].program
    for day in (D(2025, 5, 20), D(2025, 5, 2)):
        services.outcome_record(actor=cw, enrollment=e["discharge"],
                                outcome_type=quarterly.outcome_types.get(
                                    kind=OutcomeKind.DISCHARGE),
                                occurred_on=day, data={"destination": "apartment"})
    Outcome.objects.create(enrollment=e["planned_end"], kind=OutcomeKind.EMPLOYMENT_START,
                           outcome_type=quarterly.outcome_types.get(
                               kind=OutcomeKind.EMPLOYMENT_START),
                           occurred_on=D(2025, 5, 20), employer="スーパーみなと",
                           monthly_income=80000, recorded_by=world.caseworker)
    ids = sorted(x.pk for x in e.values())
    everyone = Enrollment._base_manager.filter(pk__in=ids)
    reviews, discharges = selectors._last_review_and_discharge(everyone)
    grouped = {pk: (*reviews.get(pk, (None, None)), discharges.get(pk)) for pk in ids}
    assert grouped[twice.pk] == (D(2025, 6, 1), None, None)
    assert grouped[e["discharge"].pk] == (None, None, D(2025, 5, 20))
    assert grouped[e["planned_end"].pk] == (None, None, None)

    def inputs(rows):
        return {r.pk: (r.last_review_on, r.last_review_next, r.last_discharge_on) for r in rows}

    assert inputs(selectors._DUE_LISTED.fetch([ids])) == grouped
    assert inputs(selectors._with_due_inputs(everyone)) == grouped
    # And the stored date is the rule's for each of them.
    from jiritsu.cases.next_review import mismatches

    assert mismatches() == []


def test_program_page_statement_lists_what_the_querysets_list(world, two_caseloads):
    """The staff's list (a statement compiled once per process) is the querysets' (``_dues``
    on the episodes staff see): the same episodes in the same order and the same total, for
    each limit, with episodes overdue, due within the 30 days and later, and ties of a
    date ordered by furigana."""
    from jiritsu.cases.access import visible_enrollments

    monthly, quarterly, _, _ = two_caseloads
    cw = world.m(world.caseworker)
    for k in range(5):
        hh = t.make_household(world.office, caseworker=world.caseworker2)
        p = t.make_person(world.office, household=hh, member_number=1,
                          name=f"見直し 次郎{k}", kana=["わ", "か", "さ", "あ", "な"][k] + " じろう")
        _start(world, p, monthly if k % 2 else quarterly, D(2025, 3, 20 + k // 3))
    for today in (D(2025, 4, 10), D(2025, 5, 1), D(2025, 7, 1)):
        for program in (monthly, quarterly):
            qs = visible_enrollments(cw).filter(program=program, status="active")
            for limit in (1, 2, 20):
                got, got_total = selectors.program_reviews_due(program, cw, today=today,
                                                               limit=limit)
                want, want_total = selectors._dues(qs, today, today + dt.timedelta(days=30),
                                                   limit=limit)
                want = sorted(want, key=lambda d: (d.due_on, d.enrollment.pk))
                assert got_total == want_total, (today, program, limit)
                assert [(d.enrollment.pk, d.due_on, d.reasons) for d in got] == [
                    (d.enrollment.pk, d.due_on, d.reasons) for d in want], (today, limit)
    assert selectors.program_reviews_due(monthly, cw, today=D(2025, 7, 1), limit=20)[1] >= 3


def test_person_page_shows_the_next_review_the_lists_show(client, world):
    """The person page's 次回見直し is the rule's date (``due_for``, the date the home and the
    program page list), not a simpler rule of its own: a planned end before the next
    regular review comes first, and is overdue once past."""
    from django.urls import reverse

    from jiritsu.cases.access import visible_enrollments
    from jiritsu.core import clock
    from jiritsu.core.wareki import add_months, format_wareki

    today = clock.today()
    start, planned_end = today - dt.timedelta(days=60), today - dt.timedelta(days=10)
    program = make_program(world.office, consent_required=False, review_interval_months=3,
                           standard_length_months=None, max_length_months=None)
    cw = world.m(world.caseworker)
    e = services.enrollment_create(actor=cw, person=world.person, program=program, on=start)
    services.enrollment_start(actor=cw, enrollment=e, on=start, planned_end_on=planned_end)
    with_inputs = selectors._DUE_LISTED.fetch([[e.pk]])[0]
    due = selectors.due_for(with_inputs, today)
    assert due is not None and due.due_on == planned_end  # not three months after the start
    assert visible_enrollments(cw).get(pk=e.pk).next_review_on == planned_end
    client.force_login(world.caseworker)
    body = client.get(reverse("people:person", args=[world.person.pk])).content.decode()
    shown = body[body.index("次回見直し"):][:200]
    assert format_wareki(planned_end) in shown
    assert format_wareki(add_months(start, 3)) not in shown
    assert "期限超過" in shown
