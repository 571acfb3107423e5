"""竹原 as the seed tells it: the reduction target against its baseline, the prompt to
consider the companion programs after a discharge home, the ledger due by 31 May, and the
day the office means by 「11月31日」. Each test has people who must not be counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities import selectors
from jiritsu.activities import services as A
from jiritsu.activities.tests.test_replays import cw, inpatient, outcome, program, take_part
from jiritsu.cases import selectors as case_selectors
from jiritsu.cases import services as P
from jiritsu.core.errors import ValidationFailed
from jiritsu.offices import services as office_services
from jiritsu.people import services as people_services
from jiritsu.people.models import HospitalStay
from jiritsu.programs.models import ScreeningLedger
from jiritsu.reports.figures import office_report
from jiritsu.reports.periods import Period

pytestmark = pytest.mark.django_db
D = dt.date


def _end_assistance(world, person, on, reason):
    people_services.household_end_assistance(actor=cw(world), household=person.household,
                                             ended_on=on, end_reason=reason, note="廃止")


def test_reductions_are_discharges_deaths_moves_and_leaving_assistance_against_the_baseline(
        world):
    """「退院可能精神障害者は6人…平成23年度末までの目標減少数を5人」: a reduction is anyone the
    program looks after who is discharged, dies or moves out, or leaves assistance within
    the target's years — not only a 退院 outcome. A transfer to another hospital, a
    discharge before the target's years, someone the program never looked after and another
    office's people are not counted. The program page and the report show the same number
    and what is left of the baseline."""
    discharge = program(world, "takehara_discharge")
    ledger_people = [inpatient(world, f"竹原 台帳{i}", D(2000, 4, 1)) for i in range(4)]
    P.ledger_save(actor=cw(world), program=discharge, as_of=D(2007, 4, 1))
    discharged, died, moved, transferred = ledger_people
    # 1: discharged through the program (a 退院 outcome).
    e = take_part(world, discharge, discharged, D(2007, 11, 1))
    outcome(world, e, "discharge", D(2008, 2, 1), destination="group_home")
    # 2: died in hospital (the stay ends with 死亡, the household's assistance ends).
    HospitalStay.objects.filter(person=died).update(discharged_on=D(2009, 1, 10),
                                                    destination="death")
    _end_assistance(world, died, D(2009, 1, 10), "death")
    # 3: moved out of the city (保護廃止, 転出).
    _end_assistance(world, moved, D(2010, 6, 30), "moved")
    # Not reductions: a transfer to another hospital …
    HospitalStay.objects.filter(person=transferred).update(discharged_on=D(2008, 5, 1),
                                                           destination="other_hospital")
    # … someone the program never looked after who left assistance …
    stranger = inpatient(world, "竹原 対象外", D(2001, 1, 1))
    _end_assistance(world, stranger, D(2009, 3, 1), "moved")
    # … one discharged before the target's years, and another office's person.
    early = inpatient(world, "竹原 早期", D(2001, 1, 1))
    P.enrollment_create(actor=cw(world), person=early, program=discharge, on=D(2007, 10, 5))
    HospitalStay.objects.filter(person=early).update(discharged_on=D(2007, 3, 1),
                                                     destination="home")
    other = t.make_household(world.other_office, assistance_started_on=D(2000, 1, 1),
                             assistance_ended_on=D(2009, 1, 1), end_reason="death")
    t.make_person(world.other_office, household=other, name="別市 入院")

    reduced = case_selectors.reduced_people(discharge, D(2007, 4, 1), D(2012, 3, 31))
    assert set(reduced) == {discharged, died, moved}

    figures = case_selectors.program_figures(discharge, today=D(2012, 3, 31))
    by_year = {row["target"].fiscal_year_to: row for row in figures["targets"]}
    fy2011 = by_year[2011]
    assert (fy2011["actual"], fy2011["met"]) == (3, False)
    assert fy2011["against_baseline"] == {"baseline": 6, "reduced": 3, "left": 3,
                                          "goal_left": 1}
    report = office_report(world.office, Period.between(D(2007, 4, 1), D(2012, 3, 31)))
    [row] = [r for r in report["targets"] if r["fiscal_year_to"] == 2011]
    assert row["progress"] == 3 and row["against_baseline"]["left"] == 3


def test_a_discharge_home_prompts_the_companion_programs_until_considered(world, client):
    """「居宅生活に移行する支援対象者に対しては，在宅支援プログラム・就労支援プログラムへの
    移行を検討する」: a discharge to an apartment lists both companions on 支援活動 and in the
    API; enrolling in one or marking it considered takes it off. A discharge to a group
    home is not a move to one's own home and is not prompted."""
    discharge = program(world, "takehara_discharge")
    home_life = program(world, "takehara_home_life")
    employment = program(world, "takehara_employment")
    home = inpatient(world, "竹原 居宅", D(2003, 1, 1))
    group = inpatient(world, "竹原 GH", D(2003, 1, 1))
    outcome(world, take_part(world, discharge, home, D(2007, 11, 1)), "discharge",
            D(2008, 1, 15), destination="apartment")
    outcome(world, take_part(world, discharge, group, D(2007, 11, 1)), "discharge",
            D(2008, 1, 20), destination="group_home")

    [prompt] = selectors.companions_to_consider(world.office, today=D(2008, 2, 1))
    assert prompt.person == home
    assert {p.pk for p in prompt.companions} == {home_life.pk, employment.pk}
    client.force_login(world.caseworker)
    html = client.get(reverse("activities:tasks")).content.decode()
    section = html.split('id="companions"')[1].split("</section>")[0]
    assert "竹原 居宅" in section and "竹原 GH" not in section
    assert "竹原市在宅生活支援プログラム" in section and "アパート" in section

    P.enrollment_create(actor=cw(world), person=home, program=home_life, on=D(2008, 2, 1))
    [prompt] = selectors.companions_to_consider(world.office, today=D(2008, 2, 2))
    assert prompt.companions == [employment]
    resp = client.post(reverse("activities:tasks"), {
        "action": "considered", "reason": "after_discharge", "person": home.pk,
        "program": employment.pk, "on": "2008-02-02", "note": "就労は通院が安定してから"})
    assert resp.status_code == 302
    assert selectors.companions_to_consider(world.office, today=D(2008, 2, 3)) == []


def test_a_ledger_drawn_up_after_31_may_is_flagged(world):
    """「5月31日までに支援対象者台帳を作成する」: a ledger as of 1 April saved in June is done
    but flagged 期限後に作成; one saved in May is simply done."""
    discharge = program(world, "takehara_discharge")
    inpatient(world, "竹原 入院", D(2005, 1, 1))
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 6, 3))
    assert cycle["tasks"][0].state == "overdue"
    ledger = P.ledger_save(actor=cw(world), program=discharge, as_of=D(2008, 4, 1))
    ScreeningLedger.objects.filter(pk=ledger.pk).update(
        created_at=dt.datetime(2008, 6, 10, 9, tzinfo=dt.UTC))
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 6, 12))
    ledger_task = cycle["tasks"][0]
    assert (ledger_task.state, ledger_task.done_on) == ("late", D(2008, 6, 10))
    assert ledger_task in cycle["reminders"]
    ScreeningLedger.objects.filter(pk=ledger.pk).update(
        created_at=dt.datetime(2008, 5, 20, 9, tzinfo=dt.UTC))
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 6, 12))
    assert cycle["tasks"][0].state == "done" and cycle["tasks"][0] not in cycle["reminders"]


def test_the_office_says_once_which_day_11_31_means(world, client):
    """「6月1日～11月31日の間に病状調査等及び嘱託医協議」: 11月31日 does not exist. Until the
    office says which day it means, the surveys have no due date (and the page says so);
    「11月31日」 itself is refused with a message; 「11月30日」 (or 12-01) is kept in the
    office's settings and becomes the due date of every survey task."""
    discharge = program(world, "takehara_discharge")
    patient = inpatient(world, "竹原 入院", D(2005, 1, 1))
    P.ledger_save(actor=cw(world), program=discharge, as_of=D(2008, 4, 1))
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 12, 5))
    survey = cycle["tasks"][1]
    assert (survey.due_on, survey.state, cycle["survey_period_set"]) == (None, "no_due", False)

    admin = world.admin
    with pytest.raises(ValidationFailed) as err:
        office_services.office_update(actor=admin, office=world.office,
                                      data={"survey_period_ends": "11月31日"})
    assert err.value.code == "no_such_day" and err.value.field == "survey_period_ends"
    client.force_login(admin)
    resp = client.post(reverse("offices:settings"), {
        "name": world.office.name, "head_title": "福祉事務所長", "head_name": "",
        "document_number_format": "福第{number}号", "record_retention_years": 5,
        "log_retention_days": 400, "long_stay_months": 12, "survey_period_ends": "11月31日"})
    assert resp.status_code == 200 and "11月31日は毎年ある日ではありません" in resp.content.decode()

    office_services.office_update(actor=admin, office=world.office,
                                  data={"survey_period_ends": "１１月３０日"})
    world.office.refresh_from_db()
    assert world.office.survey_period_ends == "11-30"
    discharge.office.refresh_from_db()
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 12, 5))
    assert {x.code: x.due_on for x in cycle["tasks"][1:]} == {
        "condition_survey": D(2008, 11, 30), "doctor_consultation": D(2008, 11, 30),
        "individual_sheet": D(2008, 11, 30)}
    assert cycle["tasks"][1].state == "overdue" and cycle["survey_period_set"]
    A.cycle_task_record(actor=cw(world), program=discharge, person=patient,
                        task="condition_survey", on=D(2008, 11, 28), text="病状調査")
    cycle = selectors.yearly_cycle(discharge, 2008, today=D(2008, 12, 5))
    assert cycle["tasks"][1].state == "done"
