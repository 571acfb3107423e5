"""善通寺's results 検討会, as the seed tells it: 「ケース診断会議等を利用して、検討会を実施し、
就労につながった例、つながらなかった例を紹介、どういった支援対象者がうまくいき、どういった支援対象者が
うまくいかなかったかを担当CWが把握する」 and 「担当CW、就労支援員より経過、就労につながったまたは
そうでなかった要因等についてコメントする」.

Each participant of the period is sorted 就労につながった / つながらなかった with the factors; the
sorting decides what happens next for those still in the program (継続 — three more months —,
内容を見直して継続, 打ち切り) as a review at the conference; the program page, the person's
page, the report and the API count and show the same people. Left out: people not sorted yet
(未分類), people of another program, of another office, and episodes outside the period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities.services import program_instantiate_template
from jiritsu.activities.tests.test_replays import cw, outcome, person, program, take_part
from jiritsu.cases import services as P
from jiritsu.cases.models import ApprovalRequest, Conference, ConferenceResult, Enrollment
from jiritsu.cases.results import episode_sorts
from jiritsu.core.errors import DomainError, ValidationFailed
from jiritsu.offices.models import Membership
from jiritsu.reports.figures import office_report, people_for
from jiritsu.reports.periods import Period
from jiritsu.testing import PASSWORD
from jiritsu.web.tests.browser import SCREENSHOTS, log_in
from jiritsu.web.tests.test_browser_a11y import OVERFLOW

pytestmark = pytest.mark.django_db
D = dt.date
FY2007 = Period.for_fiscal_year(2007)


def _group(w: Any) -> list[dict[str, Any]]:
    """課長・査察指導員・就労支援員 (the template's decision attendees)."""
    shuro = t.make_user(w.office, "support_staff", username="shuro_r", display_name="就労 支援員",
                        profession=Membership.Profession.EMPLOYMENT_SUPPORT)
    return [{"user": w.manager}, {"user": w.supervisor}, {"user": shuro}]


def _approve(w: Any, request: ApprovalRequest) -> None:
    while request.status == "pending":
        step = request.steps[request.current_step]
        approver = w.supervisor if step == "supervisor" else w.manager
        P.approval_decide(actor=w.m(approver), request=request, approve=True)
        request.refresh_from_db()


MEETING, FY_START = D(2008, 3, 10), D(2007, 4, 1)


def _meeting(w: Any, prog: Any, results: list[dict[str, Any]], *, held: dt.date = MEETING,
             start: dt.date = FY_START, end: dt.date = MEETING,
             attendees: list[dict[str, Any]] | None = None) -> Any:
    return P.results_conference_create(
        actor=cw(w), program=prog, held_on=held, title="結果検討会（平成19年度）",
        results_from=start, results_to=end, results=results, attendees=attendees or [])


def _counts(report: dict[str, Any], program_id: int) -> dict[str, int]:
    row = next(p for p in report["programs"] if p["id"] == program_id)
    return {r["key"]: r["n"] for r in row["results"]}


@pytest.fixture
def zentsuji(world):
    prog = program(world, "zentsuji_employment")
    employed = person(world, "善通寺 就職")
    seeking = person(world, "善通寺 求職")
    stopping = person(world, "善通寺 打切")
    waiting = person(world, "善通寺 未分類")
    e_employed = take_part(world, prog, employed, D(2007, 5, 7))
    _approve(world, outcome(world, e_employed, "employment_start", D(2007, 8, 1),
                            employer="善通寺食品", end=True))
    e_employed.refresh_from_db()
    return {
        "program": prog, "group": _group(world),
        "employed": e_employed,
        "seeking": take_part(world, prog, seeking, D(2007, 6, 8)),
        "stopping": take_part(world, prog, stopping, D(2007, 6, 8)),
        "waiting": take_part(world, prog, waiting, D(2007, 7, 2)),
    }


def test_the_results_meeting_sorts_the_periods_participants_and_decides_what_is_next(world, zentsuji):
    z = zentsuji
    prog = z["program"]
    ueda = program(world, "ueda_employment")
    elsewhere = take_part(world, ueda, person(world, "上田 参加"), D(2007, 6, 1))
    late = take_part(world, prog, person(world, "善通寺 来年度"), D(2008, 4, 7))
    candidate = P.enrollment_create(actor=cw(world), person=person(world, "善通寺 候補"),
                                    program=prog, on=D(2007, 9, 1))

    # Not the program's episode, not in the period, never started: refused, nothing saved.
    for e, code in ((elsewhere, "results_other_program"), (late, "results_not_participant"),
                    (candidate, "results_not_participant")):
        with pytest.raises(ValidationFailed) as err:
            _meeting(world, prog, [{"enrollment": z["employed"], "result": "worked",
                                    "reason": "面接練習を重ねた"},
                                   {"enrollment": e, "result": "not_worked", "reason": "―"}],
                     attendees=z["group"])
        assert err.value.code == code and err.value.details[0]["index"] == 1
    assert not ConferenceResult.objects.exists()
    with pytest.raises(ValidationFailed) as err:  # the factors are what the meeting is for
        _meeting(world, prog, [{"enrollment": z["seeking"], "result": "not_worked",
                                "reason": "  "}])
    assert err.value.details[0]["field"] == "reason"
    with pytest.raises(ValidationFailed) as err:  # the look-back ends by the meeting
        _meeting(world, prog, [{"enrollment": z["seeking"], "result": "not_worked",
                                "reason": "x"}], end=D(2008, 3, 31))
    assert err.value.code == "results_period"
    with pytest.raises(ValidationFailed) as err:  # 就労につながった is an employment measure
        _meeting(world, program(world, "fukui_health"), [{"enrollment": z["seeking"],
                                                          "result": "not_worked", "reason": "x"}])
    assert err.value.code == "results_not_employment"

    # Continuing or stopping needs the program's group (課長・査察指導員・就労支援員).
    with pytest.raises(ValidationFailed) as err:
        _meeting(world, prog, [{"enrollment": z["seeking"], "result": "not_worked",
                                "reason": "面接で緊張する", "next_step": "continue"}])
    assert err.value.code == "decision_attendees_missing"
    assert not ConferenceResult.objects.exists() and not z["seeking"].reviews.exists()

    conf = _meeting(world, prog, [
        {"enrollment": z["employed"], "result": "worked",
         "reason": "ハローワーク同行と面接練習。本人の希望職種と求人が合った"},
        {"enrollment": z["seeking"], "result": "not_worked",
         "reason": "面接で緊張して話せない", "next_step": "continue"},
        {"enrollment": z["stopping"], "result": "not_worked",
         "reason": "体調が安定せず求職活動が続かない", "next_step": "stop"},
    ], attendees=z["group"])
    assert conf.kind == "case_diagnosis" and conf.results_to == D(2008, 3, 10)
    # 継続: a review at the conference, the next one three months on (「さらに3ケ月支援する」).
    review = z["seeking"].reviews.get()
    assert (review.conference, review.decision, review.next_due_on) == (
        conf, "continue", D(2008, 6, 10))
    assert "面接で緊張して話せない" in review.evaluation
    # 打ち切り: the episode ends as stopped; the person may come back as a new episode.
    z["stopping"].refresh_from_db()
    assert (z["stopping"].status, z["stopping"].end_reason) == ("ended", "stopped")
    # An ended episode is sorted, but no next step is decided for it.
    with pytest.raises(ValidationFailed) as err:
        _meeting(world, prog, [{"enrollment": z["employed"], "result": "worked", "reason": "x",
                                "next_step": "continue"}], attendees=z["group"])
    assert err.value.details[0]["field"] == "next_step"

    # The report counts each sorted person once; the waiting one, the 上田 participant and
    # another office's sorted participant are in neither figure.
    other_mgr = t.make_user(world.other_office, "manager", username="mgr_b")
    other_prog = program_instantiate_template(actor=world.m(other_mgr, world.other_office),
                                              template_code="zentsuji_employment", overrides={})
    other_cw = world.m(world.outsider, world.other_office)
    theirs = t.make_person(world.other_office, name="別市 求職", household=t.make_household(
        world.other_office, caseworker=world.outsider, assistance_started_on=D(2000, 1, 1)))
    oe = P.enrollment_create(actor=other_cw, person=theirs, program=other_prog,
                             on=D(2007, 6, 1))
    P.enrollment_select(actor=other_cw, enrollment=oe, on=D(2007, 6, 2))
    P.consent_record(actor=other_cw, person=theirs, program=other_prog,
                     given_on=D(2007, 6, 3), form="written")
    P.enrollment_start(actor=other_cw, enrollment=oe, on=D(2007, 6, 4))
    P.results_conference_create(actor=other_cw, program=other_prog, held_on=D(2008, 3, 1),
                                title="結果検討会", results_from=D(2007, 4, 1),
                                results_to=D(2008, 2, 29),
                                results=[{"enrollment": oe, "result": "worked", "reason": "x"}])
    report = office_report(world.office, FY2007)
    assert _counts(report, prog.pk) == {"worked": 1, "not_worked": 2}
    assert _counts(report, ueda.pk) == {}
    assert {r["key"]: r["n"] for r in report["totals"]["results"]} == {"worked": 1,
                                                                       "not_worked": 2}
    assert list(people_for(world.office, FY2007, "result", program_id=prog.pk,
                           key="worked")) == [z["employed"].person]
    assert set(people_for(world.office, FY2007, "result", key="not_worked")) == {
        z["seeking"].person, z["stopping"].person}
    assert not people_for(world.office, Period.for_fiscal_year(2006), "result").exists()

    # A later look-back wins: the seeker found work → counted once, as 就労につながった.
    _approve(world, outcome(world, z["seeking"], "employment_start", D(2008, 3, 20), end=True))
    _meeting(world, prog, [{"enrollment": z["seeking"], "result": "worked",
                            "reason": "面接練習の成果"}], held=D(2008, 3, 28),
             start=D(2008, 3, 11), end=D(2008, 3, 28))
    report = office_report(world.office, FY2007)
    assert _counts(report, prog.pk) == {"worked": 2, "not_worked": 1}
    assert _counts(office_report(world.other_office, FY2007), other_prog.pk) == {"worked": 1}


def test_what_is_left_after_the_sorting(world, zentsuji):
    z = zentsuji
    prog = z["program"]
    _meeting(world, prog, [
        {"enrollment": z["seeking"], "result": "not_worked", "reason": "求人と希望が合わない",
         "next_step": "change"},
        {"enrollment": z["waiting"], "result": "worked", "reason": "パートの内定"},
    ], attendees=z["group"])

    def left(e: Enrollment) -> list[str]:
        return episode_sorts([e.pk])[e.pk][0].pending

    assert left(z["seeking"]) == ["支援計画の改訂（支援の内容の見直し）"]
    assert left(z["waiting"]) == ["就労の記録と決裁"]
    P.plan_create(actor=cw(world), enrollment=z["seeking"], based_on_number=0,
                  policy="職種を広げて求職する", goals=[{"text": "週2回の求職活動"}])
    _approve(world, outcome(world, z["waiting"], "employment_start", D(2008, 3, 20), end=True))
    assert left(z["seeking"]) == [] and left(z["waiting"]) == []


def test_screens_record_the_meeting_and_show_it_on_the_program_and_the_persons_page(
        world, zentsuji, client):
    z = zentsuji
    prog = z["program"]
    client.force_login(world.caseworker)
    url = reverse("programs:results_new", args=[prog.pk])
    page = client.get(url, {"results_from": "2007-04-01", "results_to": "2008-03-10"})
    body = page.content.decode()
    assert page.status_code == 200
    for e in (z["employed"], z["seeking"], z["stopping"], z["waiting"]):
        assert e.person.name in body
    staff = [str(a["user"].pk) for a in z["group"]] + [str(world.caseworker.pk)]
    form = {"kind": "case_diagnosis", "held_on": "2008-03-10", "title": "平成19年度 結果検討会",
            "results_from": "2007-04-01", "results_to": "2008-03-10", "staff": staff,
            f"r{z['employed'].pk}-result": "worked",
            f"r{z['employed'].pk}-reason": "ハローワーク同行が効いた",
            f"r{z['seeking'].pk}-result": "not_worked", f"r{z['seeking'].pk}-reason": "",
            f"r{z['seeking'].pk}-next_step": "continue"}
    resp = client.post(url, form)  # a missing 要因: beside the person's row, nothing saved
    assert resp.status_code == 200 and "つながらなかった要因を入力してください" in resp.content.decode()
    assert not ConferenceResult.objects.exists()
    form[f"r{z['seeking'].pk}-reason"] = "面接で緊張する"
    resp = client.post(url, form)
    assert resp.status_code == 302
    assert ConferenceResult.objects.count() == 2

    results = client.get(reverse("programs:results", args=[prog.pk]), {"fy": "2007"})
    body = results.content.decode()
    assert "ハローワーク同行が効いた" in body and "面接で緊張する" in body
    assert "未分類（まだ振り返っていない参加者）</dt><dd>2人" in body  # 打切 and 未分類
    assert z["waiting"].person.name in body
    person_page = client.get(reverse("people:person", args=[z["seeking"].person.pk])).content.decode()
    assert "結果検討会" in person_page and "面接で緊張する" in person_page
    review_form = client.get(reverse("programs:review_new", args=[z["seeking"].pk])).content.decode()
    assert "前回の結果検討会" in review_form

    # The Hello Work's staff (a partner) never reads the sorting, even of a person referred.
    client.force_login(world.partner)
    assert client.get(reverse("programs:results", args=[prog.pk])).status_code == 403
    assert client.get(reverse("programs:results_new", args=[prog.pk])).status_code == 403


def test_api_records_and_reads_the_sorting(world, zentsuji):
    z = zentsuji
    prog = z["program"]
    api = t.ApiClient(t.token_for(world, world.caseworker))
    body = {"held_on": "2008-03-10", "title": "結果検討会", "results_from": "2007-04-01",
            "results_to": "2008-03-10",
            "attendees": [{"user_id": a["user"].pk} for a in z["group"]],
            "results": [{"enrollment_id": z["employed"].pk, "result": "worked",
                         "reason": "同行支援"},
                        {"enrollment_id": z["seeking"].pk, "result": "not_worked",
                         "reason": "面接で緊張する", "next_step": "stop"}]}
    other = t.ApiClient(t.token_for(world, world.outsider))
    assert other.post(f"programs/{prog.pk}/results", body).status_code == 404
    wrong = {**body, "results": [{"enrollment_id": 999_999, "result": "worked", "reason": "x"}]}
    resp = api.post(f"programs/{prog.pk}/results", wrong)
    assert resp.status_code == 404 and resp.json()["error"]["field"] == "results.0.enrollment_id"
    resp = api.post(f"programs/{prog.pk}/results", body)
    assert resp.status_code == 201, resp.content
    conf = resp.json()
    assert [r["result_label"] for r in conf["results"]] == ["就労につながった", "就労につながらなかった"]
    assert conf["results"][1]["review_id"] and conf["results_to"] == "2008-03-10"
    assert api.get(f"conferences/{conf['id']}").json()["results"] == conf["results"]

    got = api.get(f"programs/{prog.pk}/results", {"fiscal_year": 2007}).json()
    assert (got["worked"], got["not_worked"], got["unsorted"]) == (1, 1, 2)
    assert {r["person_name"] for r in got["rows"]} == {z["employed"].person.name,
                                                       z["seeking"].person.name}
    assert {u["person_name"] for u in got["unsorted_rows"]} == {z["stopping"].person.name,
                                                               z["waiting"].person.name}
    assert api.get(f"programs/{prog.pk}/results", {"fiscal_year": 2006}).json()["worked"] == 0
    partner = t.ApiClient(t.token_for(world, world.partner))
    assert partner.get(f"programs/{prog.pk}/results").status_code == 403
    people = api.get("reports/people", {"fiscal_year": 2007, "figure": "result",
                                        "key": "not_worked", "program_id": prog.pk}).json()
    assert [p["name"] for p in people["results"]] == [z["seeking"].person.name]
    report = api.get(f"reports/programs/{prog.pk}", {"fiscal_year": 2007}).json()
    assert report["programs"][0]["results"] == [
        {"key": "worked", "label": "就労につながった", "n": 1},
        {"key": "not_worked", "label": "就労につながらなかった", "n": 1}]


def test_nothing_is_saved_when_one_row_is_refused(world, zentsuji):
    z = zentsuji
    with pytest.raises(DomainError):
        _meeting(world, z["program"], [
            {"enrollment": z["seeking"], "result": "not_worked", "reason": "x",
             "next_step": "continue"},
            {"enrollment": z["stopping"], "result": "maybe", "reason": "x"}],
            attendees=z["group"])
    assert not ConferenceResult.objects.exists() and not z["seeking"].reviews.exists()
    assert not Conference.objects.filter(results_to__isnull=False).exists()


PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_results_screens_fit_a_phone(open_page: Any, world: Any, zentsuji: Any) -> None:
    """In a browser at 1280 px and 390 px: the program's results page, the form, the
    conference, the episode and the person's page — no console errors, no sideways scroll;
    screenshots in test-artifacts/screenshots/ to look at."""
    z = zentsuji
    conf = _meeting(world, z["program"], [
        {"enrollment": z["employed"], "result": "worked",
         "reason": "ハローワーク同行と面接練習。本人の希望職種と求人が合った。"},
        {"enrollment": z["seeking"], "result": "not_worked",
         "reason": "面接で緊張して話せない。生活リズムが整っていない。", "next_step": "change"},
    ], attendees=z["group"])
    pages = {
        "results": f"/programs/{z['program'].pk}/results/?fy=2007",
        "form": f"/programs/{z['program'].pk}/results/new/?results_from=2007-04-01"
                "&results_to=2008-03-10",
        "conference": f"/programs/conferences/{conf.pk}/",
        "episode": f"/programs/enrollments/{z['seeking'].pk}/",
        "person": f"/people/{z['seeking'].person_id}/",
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        w = open_page(width=width)
        w.page.set_default_timeout(60_000)  # a shared, busy machine
        w.page.set_default_navigation_timeout(60_000)
        log_in(w, world.caseworker.username, PASSWORD)
        for name, path in pages.items():
            resp = w.goto(path)
            assert resp is not None and resp.status == 200, path
            assert w.page.evaluate(PAGE_OVERFLOW) <= 0, (width, path, w.page.evaluate(OVERFLOW))
            w.shot(f"zentsuji-results-{name}-{width}")
        assert "支援計画の改訂" in w.page.content()  # the person's page: what is left
    assert conf.held_on == D(2008, 3, 10)


def test_results_counts_are_the_rules_querysets_counted(world: Any, zentsuji: Any) -> None:
    """The program page's 結果検討会 counts (one statement, compiled once per process) are
    the rule's querysets counted for this program and period."""
    from jiritsu.cases import results

    z = zentsuji
    prog = z["program"]
    _meeting(world, prog, [{"enrollment": z["employed"], "result": "worked", "reason": "x"},
                           {"enrollment": z["seeking"], "result": "not_worked", "reason": "y"}])
    for start, end in [(FY_START, D(2008, 3, 31)), (D(2008, 4, 1), D(2009, 3, 31))]:
        got = results.results_counts(prog, start, end)
        expected = [qs.count() for qs in results._counted(prog, start, end)]
        assert [got["worked"], got["not_worked"], got["unsorted"]] == expected
    got = results.results_counts(prog, FY_START, D(2008, 3, 31))
    assert [got["worked"], got["not_worked"], got["unsorted"]] == [1, 1, 2]
