"""善通寺 as the seed tells it: 「担当CWは、課長・課長補佐・査察指導員及び就労支援員と協議し、
支援を継続するか中断するかを決定する」 — the decision records who took part (the conference's
attendees) and is refused without that group, on a review and in a conference alike.
Programs that name nobody decide as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities.tests.test_replays import cw, program, take_part
from jiritsu.cases import services as P
from jiritsu.cases.models import Enrollment
from jiritsu.core.errors import ValidationFailed
from jiritsu.offices.models import Membership

pytestmark = pytest.mark.django_db
D = dt.date


def _meeting(world, prog, attendees, **kw):
    return P.conference_create(actor=cw(world), kind="case_diagnosis", held_on=D(2007, 9, 7),
                               title="ケース診断会議", program=prog, attendees=attendees, **kw)


def test_continue_or_stop_needs_the_group_the_program_names(world, client):
    prog = program(world, "zentsuji_employment")
    assert prog.decision_attendees == ["manager", "supervisor", "employment_support"]
    shuro = t.make_user(world.office, "support_staff", username="shuro_z",
                        display_name="就労 支援員",
                        profession=Membership.Profession.EMPLOYMENT_SUPPORT)
    seeker = t.make_person(world.office, household=t.make_household(
        world.office, caseworker=world.caseworker, assistance_started_on=D(2006, 1, 1)),
        name="善通寺 求職")
    e = take_part(world, prog, seeker, D(2007, 6, 8))

    # Without a conference, and with one the 就労支援員 did not attend: refused, nothing saved.
    with pytest.raises(ValidationFailed) as err:
        P.review_create(actor=cw(world), enrollment=e, reviewed_on=D(2007, 9, 8),
                        evaluation="求職中", decision="continue")
    assert err.value.code == "decision_attendees_missing" and err.value.field == "conference"
    partial = _meeting(world, prog, [{"user": world.manager}, {"user": world.supervisor},
                                     {"user": world.support_staff}])  # a 保健師, not 就労支援員
    with pytest.raises(ValidationFailed) as err:
        P.review_create(actor=cw(world), enrollment=e, reviewed_on=D(2007, 9, 8),
                        evaluation="求職中", decision="stop", conference=partial)
    assert "就労支援員" in err.value.message and "課長" not in err.value.message.split("。")[1]
    assert not e.reviews.exists()
    with pytest.raises(ValidationFailed):
        _meeting(world, prog, [{"user": world.manager}, {"user": shuro}],
                 decisions=[{"person": seeker, "decision": "continue"}])  # no 査察指導員

    # The whole group: the review decides, and the conference says who took part.
    full = _meeting(world, prog, [{"user": world.manager}, {"user": world.supervisor},
                                  {"user": shuro}])
    client.force_login(world.caseworker)
    resp = client.post(reverse("programs:review_new", args=[e.pk]), {
        "reviewed_on": "2007-09-08", "evaluation": "求職中。意欲あり。", "decision": "continue",
        "conference": partial.pk})
    assert resp.status_code == 200 and "就労支援員を含めてください" in resp.content.decode()
    resp = client.post(reverse("programs:review_new", args=[e.pk]), {
        "reviewed_on": "2007-09-08", "evaluation": "求職中。意欲あり。", "decision": "continue",
        "conference": full.pk})
    assert resp.status_code == 302
    review = e.reviews.get()
    assert review.conference == full
    assert {a.name for a in full.attendees.all()} == {
        str(world.manager), str(world.supervisor), str(shuro)}


def test_programs_that_name_nobody_decide_without_a_conference(world):
    prog = program(world, "ueda_employment")
    assert prog.decision_attendees == []
    person = t.make_person(world.office, household=t.make_household(
        world.office, caseworker=world.caseworker, assistance_started_on=D(2006, 1, 1)))
    e = take_part(world, prog, person, D(2007, 6, 8))
    P.review_create(actor=cw(world), enrollment=e, reviewed_on=D(2007, 8, 1),
                    evaluation="継続", decision="continue")
    P.enrollment_end(actor=cw(world), enrollment=e, reason="stopped", on=D(2007, 9, 1))
    assert Enrollment.objects.get(pk=e.pk).end_reason == "stopped"
