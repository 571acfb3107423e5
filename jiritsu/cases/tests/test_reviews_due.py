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
