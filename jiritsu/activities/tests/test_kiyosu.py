"""清洲市 稼働能力活用推進プログラム as the seed tells it: what the first interview found decides
the route (with the reasons, and a reason of the caseworker's for any other route), and the
阻害要因の解消 is tracked as dated steps. Each row of the rule is driven from inputs, with the
people it must leave out (no interview, capacity fully used, advice given to someone else or
on the interview's own day, a later interview, a barrier still in the way); the same rule
through the services, the support page and the API. The Hello Work interview's attendees are
in ``test_kiyosu_attendees.py``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities import services
from jiritsu.activities import work_capacity as W
from jiritsu.activities import work_capacity_services as WS
from jiritsu.activities.models import (
    WorkBarrier,
    WorkRouteDecision,
)
from jiritsu.activities.tests.helpers import (
    enrol,
    program_from,
)
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services as P
from jiritsu.cases.models import ActivityRecord
from jiritsu.core.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from jiritsu.people.models import WorkCapacityAssessment
from jiritsu.testing import ApiClient, token_for

D = dt.date


def _interview_on(person, on, *, usage="not_fully_used", will=True, capacity=True, barriers=()):
    return WorkCapacityAssessment.objects.create(
        person=person, assessed_on=on, has_capacity=capacity, has_will=will, has_place=True,
        usage=usage, barriers=list(barriers))


def _advice(world, person, on):
    return WS.work_advice_record(actor=world.m(world.caseworker), person=person, on=on,
                                 kind="office_interview", text="働く必要と保護の趣旨を説明")


APRIL = D(2026, 4, 1)


def _barrier(world, person, kind="illness", found_on=APRIL, **kw):
    return WS.work_barrier_add(actor=world.m(world.caseworker), person=person, kind=kind,
                               found_on=found_on, **kw)


def _judge(world, barrier, status, on, note="主治医に照会した"):
    barrier.refresh_from_db()
    return WS.work_barrier_judge(actor=world.m(world.caseworker), barrier=barrier, status=status,
                                 on=on, note=note, expected_version=barrier.version)


INTERVIEW = D(2026, 5, 1)


def _case_none(world, p):
    pass


def _case_fully_used(world, p):
    _interview_on(p, INTERVIEW, usage="fully_used")


def _case_no_capacity(world, p):
    _interview_on(p, INTERVIEW, usage="no_capacity", capacity=False)


def _case_illness_named(world, p):
    _interview_on(p, INTERVIEW, barriers=["illness"])


def _case_illness_resolved_after(world, p):
    _interview_on(p, INTERVIEW, barriers=["illness"])
    _judge(world, _barrier(world, p, found_on=INTERVIEW), "resolved", D(2026, 5, 20))


def _case_illness_resolved_before(world, p):
    # Removed in April; the May interview names it again: found again, in the way.
    _judge(world, _barrier(world, p), "resolved", D(2026, 4, 10))
    _interview_on(p, INTERVIEW, barriers=["illness"])


def _case_childcare_minor(world, p):
    _interview_on(p, INTERVIEW, barriers=["childcare"])
    _judge(world, _barrier(world, p, kind="childcare", found_on=INTERVIEW), "minor",
           D(2026, 5, 2), note="一時保育で求職活動はできる")


def _case_no_will_not_advised(world, p):
    _interview_on(p, INTERVIEW, will=False)


def _case_no_will_advised_same_day(world, p):
    _advice(world, p, INTERVIEW)  # on the interview's day: not "despite the guidance"
    _interview_on(p, INTERVIEW, will=False)


def _case_no_will_advised_before(world, p):
    _advice(world, p, D(2026, 4, 10))
    _interview_on(p, INTERVIEW, will=False)


def _case_not_upheld_advised(world, p):
    _advice(world, p, D(2026, 4, 10))
    _interview_on(p, INTERVIEW, barriers=["illness"])
    _judge(world, _barrier(world, p, found_on=INTERVIEW), "not_upheld", D(2026, 5, 2),
           note="主治医は就労可と回答")


def _case_not_upheld_not_advised(world, p):
    _interview_on(p, INTERVIEW, barriers=["illness"])
    _judge(world, _barrier(world, p, found_on=INTERVIEW), "not_upheld", D(2026, 5, 2),
           note="主治医は就労可と回答")


def _case_no_will_but_ill(world, p):
    # Unwilling and advised, but an illness still stands in the way: never 指導指示 first.
    _advice(world, p, D(2026, 4, 10))
    _interview_on(p, INTERVIEW, will=False)
    _barrier(world, p, found_on=D(2026, 4, 20))


def _case_willing(world, p):
    _interview_on(p, INTERVIEW)


def _case_later_interview_unread(world, p):
    # The interview after the day decided on is not read: on 5月1日 he was willing.
    _interview_on(p, INTERVIEW)
    _interview_on(p, D(2026, 6, 1), will=False)


def _case_someone_elses_advice(world, p):
    # The advice was given to another member of the household, not to him.
    _advice(world, t.make_person(world.office, household=world.household), D(2026, 4, 10))
    _interview_on(p, INTERVIEW, will=False)


@pytest.mark.parametrize("case, route", [
    (_case_none, None),
    (_case_fully_used, "not_introduced"),
    (_case_no_capacity, "not_introduced"),
    (_case_illness_named, "general"),
    (_case_illness_resolved_after, "hello_work"),
    (_case_illness_resolved_before, "general"),
    (_case_childcare_minor, "hello_work"),
    (_case_no_will_not_advised, "general"),
    (_case_no_will_advised_same_day, "general"),
    (_case_no_will_advised_before, "guidance"),
    (_case_not_upheld_advised, "guidance"),
    (_case_not_upheld_not_advised, "general"),
    (_case_no_will_but_ill, "general"),
    (_case_willing, "hello_work"),
    (_case_later_interview_unread, "hello_work"),
    (_case_someone_elses_advice, "general"),
])
def test_what_the_interview_found_decides_the_route(world, case, route):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person)
    case(world, world.person)
    state = W.route_state(enrollment, D(2026, 5, 25))
    assert state.suggestion.route == route, state.suggestion.reasons
    assert state.suggestion.reasons  # always says why


def test_the_reasons_say_what_was_found_in_the_seeds_words(world):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person)
    _case_illness_named(world, world.person)
    reasons = W.route_state(enrollment, D(2026, 5, 25)).suggestion.reasons
    assert reasons[0] == "令和8年5月1日の面接：稼働能力が十分活用されていない"
    assert "傷病（面接で把握・解消の記録なし）" in reasons[1]
    assert "主治医同行訪問等" in reasons[2]
    _advice(world, world.person, D(2026, 4, 1))
    _interview_on(world.person, D(2026, 5, 26), will=False)
    _judge(world, _barrier(world, world.person, found_on=D(2026, 5, 26)), "resolved",
           D(2026, 5, 26))
    reasons = W.route_state(enrollment, D(2026, 5, 27)).suggestion.reasons
    assert "令和8年4月1日に就労意欲の喚起のための相談助言・生活保護の趣旨説明をしたにもかかわらず" in reasons[1]


def test_a_route_other_than_the_suggested_one_needs_a_reason_and_is_audited(world):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person)
    cw = world.m(world.caseworker)
    with pytest.raises(IllegalTransition) as err:
        WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 1),
                             route="general")
    assert err.value.code == "work_route.no_interview"
    _case_willing(world, world.person)
    with pytest.raises(ValidationFailed) as verr:
        WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 1),
                             route="general", reason="  ")
    assert (verr.value.code, verr.value.field) == ("work_route.reason_required", "reason")
    decision = WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 1),
                                    route="general", reason="本人が事業の利用を希望しない")
    assert (decision.route, decision.suggested, decision.overrides) == ("general", "hello_work", True)
    assert decision.findings["has_will"] is True and decision.reasons
    event = AuditEvent.objects.get(action="work_route.decide")
    assert event.person_id == world.person.pk
    assert event.changes["suggested"][1] == "hello_work"
    assert event.changes["reason"][1] == "本人が事業の利用を希望しない"
    # Not before the route in force; not for support staff; not in an ended episode.
    with pytest.raises(IllegalTransition) as err:
        WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 4, 30),
                             route="hello_work")
    assert err.value.code == "work_route.before_previous"
    with pytest.raises(Forbidden):
        WS.work_route_decide(actor=world.m(world.support_staff), enrollment=enrollment,
                             decided_on=D(2026, 5, 2), route="hello_work")
    with pytest.raises(ValidationFailed) as verr:
        WS.work_route_decide(actor=cw, enrollment=enrol(program_from(
            world.m(world.manager), "ueda_employment"), world.person),
            decided_on=D(2026, 5, 2), route="hello_work")
    assert verr.value.code == "work_route.not_routed"
    enrollment.status, enrollment.end_reason, enrollment.ended_on = "ended", "declined", D(2026, 5, 3)
    enrollment.save()
    with pytest.raises(IllegalTransition) as err:
        WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 4),
                             route="hello_work")
    assert err.value.code == "work_route.episode_ended"
    assert WorkRouteDecision.objects.count() == 1


def test_the_path_menu_follows_the_route_and_is_no_free_choice(world):
    mgr, cw = world.m(world.manager), world.m(world.caseworker)
    program = program_from(mgr, "kiyosu_work_capacity")
    enrollment = enrol(program, world.person)
    paths = {m.name: m for m in program.menus.all()}
    with pytest.raises(IllegalTransition) as err:  # no route yet
        P.enrollment_set_menus(actor=cw, enrollment=enrollment, menus=[paths["指導指示"]],
                               on=D(2026, 5, 1))
    assert (err.value.code, err.value.field) == ("work_route.menu_follows_route", "menus")
    _case_willing(world, world.person)
    WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 1),
                         route="hello_work")
    assert [m.name for m in enrollment.menus.all()] == ["生活保護受給者等就労支援事業"]
    event = enrollment.events.get(action="set_menus")
    assert event.note == "振り分け：生活保護受給者等就労支援事業"
    with pytest.raises(IllegalTransition):
        P.enrollment_set_menus(actor=cw, enrollment=enrollment, menus=[paths["一般就労支援"]],
                               on=D(2026, 5, 2))
    # Another program's menus are still chosen freely.
    ueda = program_from(mgr, "ueda_employment")
    other = enrol(ueda, t.make_person(world.office, household=world.household))
    P.enrollment_set_menus(actor=cw, enrollment=other, menus=list(ueda.menus.all()),
                           on=D(2026, 5, 2))
    assert other.menus.count() == 3
    # 導入しない takes the path menu away.
    _case_fully_used(world, world.person)
    WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 3),
                         route="not_introduced")
    assert not enrollment.menus.exists()


def test_the_hello_work_project_waits_for_its_route(world):
    cw = world.m(world.caseworker)
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person)
    _case_illness_named(world, world.person)
    WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 1), route="general")
    with pytest.raises(IllegalTransition) as err:
        services.hw_referral_start(actor=cw, enrollment=enrollment, hello_work=world.partner_org,
                                   consented_on=D(2026, 5, 2))
    assert err.value.code == "work_route.not_hello_work" and "一般就労支援" in err.value.message
    barrier = _barrier(world, world.person, found_on=D(2026, 5, 1))
    _judge(world, barrier, "resolved", D(2026, 5, 10))
    state = W.route_state(enrollment, D(2026, 5, 10))
    assert state.suggestion.route == "hello_work" and state.changed  # time to look again
    WS.work_route_decide(actor=cw, enrollment=enrollment, decided_on=D(2026, 5, 10),
                         route="hello_work")
    assert not W.route_state(enrollment, D(2026, 5, 10)).changed
    services.hw_referral_start(actor=cw, enrollment=enrollment, hello_work=world.partner_org,
                               consented_on=D(2026, 5, 11))


def test_barriers_are_tracked_as_dated_steps_with_their_flags(world):
    cw = world.m(world.caseworker)
    barrier = _barrier(world, world.person, detail="腰痛", planned_on=D(2026, 4, 10))
    first = barrier.steps.get()
    assert (first.action, first.planned_on) == ("主治医同行訪問等", D(2026, 4, 10))
    assert _barrier(world, world.person, kind="nursing_care").steps.get().action == "介護保険の利用"
    assert not _barrier(world, world.person, kind="other").steps.exists()
    view = next(v for v in W.barriers_of(world.person, D(2026, 4, 11)) if v.barrier == barrier)
    assert view.overdue == [first] and not view.needs_step and view.in_the_way
    WS.work_barrier_step_update(actor=cw, step=first, expected_version=1,
                                data={"done_on": D(2026, 4, 12), "result": "軽作業なら可"})
    view = next(v for v in W.barriers_of(world.person, D(2026, 4, 13)) if v.barrier == barrier)
    assert view.overdue == [] and view.needs_step  # nothing planned next
    with pytest.raises(ValidationFailed) as err:
        WS.work_barrier_step_add(actor=cw, barrier=barrier, action="診察同行",
                                 planned_on=D(2026, 3, 1))
    assert err.value.code == "work_barrier.before_found"
    with pytest.raises(ValidationFailed) as err:
        _judge(world, barrier, "not_upheld", D(2026, 4, 13), note="")
    assert err.value.code == "work_barrier.grounds_required"
    _judge(world, barrier, "resolved", D(2026, 4, 13))
    with pytest.raises(IllegalTransition) as ierr:
        WS.work_barrier_step_add(actor=cw, barrier=barrier, action="再診")
    assert ierr.value.code == "work_barrier.settled"
    with pytest.raises(Forbidden):  # partners do not write the office's plans
        WS.work_barrier_add(actor=world.m(world.partner), person=world.person, kind="illness",
                            found_on=D(2026, 4, 1))
    with pytest.raises(NotFound):  # another office's person answers like a missing one
        WS.work_barrier_add(actor=world.m(world.outsider, world.other_office), person=world.person,
                            kind="illness", found_on=D(2026, 4, 1))
    actions = list(AuditEvent.objects.filter(action__startswith="work_barrier")
                   .values_list("action", flat=True))
    assert actions.count("work_barrier.create") == 3 and "work_barrier.status" in actions
    assert "work_barrier_step.update" in actions


# --- screens ------------------------------------------------------------------------------

def test_the_support_page_shows_the_suggested_route_and_why_and_records_it(world):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person)
    _case_illness_named(world, world.person)
    url = reverse("activities:person_support", args=[world.person.pk])
    c = Client()
    c.force_login(world.caseworker)
    page = c.get(url).content.decode()
    assert "稼働能力活用の振り分け" in page and "面接の結果から" in page
    assert "傷病（面接で把握・解消の記録なし）" in page and "未決定" in page
    p = f"route{enrollment.pk}"
    base = {"action": "work_route", "target": enrollment.pk, f"{p}-decided_on": "R8.5.2"}
    r = c.post(url, base | {f"{p}-route": "hello_work"})
    assert r.status_code == 200 and "とする理由を入力してください" in r.content.decode()
    r = c.post(url, base | {f"{p}-route": "general"})
    assert r.status_code == 302
    decision = W.current_decision(enrollment)
    assert decision is not None and decision.route == "general"
    # The barrier the interview named, its step done, then judged removed.
    r = c.post(url, {"action": "work_barrier", "barrier-kind": "illness",
                     "barrier-detail": "腰痛", "barrier-found_on": "R8.5.2",
                     "barrier-planned_on": "R8.5.20"})
    assert r.status_code == 302
    barrier = WorkBarrier.objects.get(person=world.person)
    step = barrier.steps.get()
    r = c.post(url, {"action": "work_done", "target": step.pk, f"done{step.pk}-version": 1,
                     f"done{step.pk}-done_on": "R8.5.20", f"done{step.pk}-result": "軽作業は可"})
    assert r.status_code == 302
    r = c.post(url, {"action": "work_judge", "target": barrier.pk, f"judge{barrier.pk}-version": 1,
                     f"judge{barrier.pk}-status": "resolved", f"judge{barrier.pk}-on": "R8.5.20",
                     f"judge{barrier.pk}-note": "主治医が軽作業は可と回答"})
    assert r.status_code == 302
    page = c.get(url).content.decode()
    assert "解消した" in page and "振り分けを見直してください" in page
    r = c.post(url, {"action": "work_advice", "advice-on": "R8.5.21",
                     "advice-kind": "office_interview", "advice-text": "保護の趣旨を説明"})
    assert r.status_code == 302
    assert ActivityRecord.objects.get(person=world.person).data == {"work_advice": True}
    # Support staff see the route and work on barriers, but do not decide the route.
    c.force_login(world.support_staff)
    page = c.get(url).content.decode()
    assert "稼働能力活用の振り分け" in page and "振り分けを記録する" not in page
    assert c.post(url, base | {f"{p}-route": "general", f"{p}-reason": "x"}).status_code == 403
    c.force_login(world.outsider)
    assert c.get(url).status_code == 404


def test_a_person_outside_the_program_has_no_route_section(world):
    c = Client()
    c.force_login(world.caseworker)
    page = c.get(reverse("activities:person_support", args=[world.person.pk])).content.decode()
    assert "稼働能力活用の振り分け" not in page and "就労阻害要因の解消" not in page


# --- API ----------------------------------------------------------------------------------

def test_the_api_gives_the_same_route_and_barriers_and_the_same_refusals(world):
    program = program_from(world.m(world.manager), "kiyosu_work_capacity")
    enrollment = enrol(program, world.person)
    _case_no_will_advised_before(world, world.person)
    api = ApiClient(token_for(world, world.caseworker))
    pid = world.person.pk
    r = api.get(f"people/{pid}/work-routes")
    assert r.status_code == 200, r.content
    [route] = r.json()
    assert (route["suggested_route"], route["current"], route["advised_on"]) == (
        "guidance", None, "2026-04-10")
    assert AuditEvent.objects.filter(action="person.support_view", person_id=pid).exists()
    body = {"enrollment_id": enrollment.pk, "decided_on": "2026-05-02", "route": "general"}
    r = api.post(f"people/{pid}/work-routes", body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "work_route.reason_required"
    r = api.post(f"people/{pid}/work-routes", body | {"reason": "主治医の意見を待つ"})
    assert r.status_code == 201, r.content
    assert r.json()["current"]["route_label"] == "一般就労支援"
    other = enrol(program, world.other_person)
    assert api.post(f"people/{pid}/work-routes",
                    body | {"enrollment_id": other.pk}).status_code == 404
    r = api.post(f"people/{pid}/work-barriers", {"kind": "childcare", "found_on": "2026-05-02",
                                                 "planned_on": "2026-05-09"})
    assert r.status_code == 201, r.content
    b = r.json()
    assert b["steps"][0]["action"] == "保育園の利用" and b["in_the_way"] is True
    r = api.patch(f"people/{pid}/work-barriers/{b['id']}/steps/{b['steps'][0]['id']}",
                  {"version": 1, "done_on": "2026-05-09", "result": "入所決定"})
    assert r.status_code == 200 and r.json()["needs_step"] is True
    r = api.post(f"people/{pid}/work-barriers/{b['id']}/status",
                 {"version": 1, "status": "resolved", "on": "2026-05-09"})
    assert r.status_code == 200 and r.json()["status_label"] == "解消した"
    r = api.post(f"people/{pid}/work-barriers/{b['id']}/steps", {"action": "延長保育"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "work_barrier.settled"
    r = api.post(f"people/{pid}/work-advice", {"on": "2026-05-09", "kind": "phone",
                                               "text": "電話で説明"})
    assert r.status_code == 422
    # The route in force is 一般就労支援: no referral to the Hello Work 事業 yet.
    r = api.post("hello-work-referrals", {"enrollment_id": enrollment.pk,
                                          "hello_work_id": world.partner_org.pk,
                                          "consented_on": "2026-05-10"})
    assert r.status_code == 409 and r.json()["error"] == {
        "code": "work_route.not_hello_work", "field": "enrollment_id",
        "message": r.json()["error"]["message"]}
    support = api.get(f"people/{pid}/support").json()
    assert [x["id"] for x in support["work_barriers"]] == [b["id"]]
    assert support["work_routes"][0]["current"]["route"] == "general"
    # Partners see nothing of it; support staff read it but do not decide the route.
    assert ApiClient(token_for(world, world.partner)).get(
        f"people/{pid}/work-routes").status_code == 403
    ss = ApiClient(token_for(world, world.support_staff))
    assert ss.get(f"people/{pid}/work-barriers").status_code == 200
    assert ss.post(f"people/{pid}/work-routes", body).status_code == 403
    assert ApiClient(token_for(world, world.outsider)).get(
        f"people/{pid}/work-barriers").status_code == 404
