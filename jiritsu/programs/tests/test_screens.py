"""The program screens, driven through the test client as a caseworker would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services as case_services
from jiritsu.cases.models import (
    ActivityRecord,
    Conference,
    Consent,
    Enrollment,
    Outcome,
    Plan,
    Review,
)
from jiritsu.cases.testing import make_consent
from jiritsu.people.models import HospitalStay
from jiritsu.programs import services
from jiritsu.programs.models import OutcomeKind, Program, ScreeningLedger
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def programs(world):
    discharge = make_program(world.office, name="精神障害者退院支援プログラム",
                             phases=["退院前訓練", "退院先の確保・調整", "退院後の生活・就労訓練"],
                             menus=["退院促進", "生活支援", "就労支援"],
                             rules={"op": "and", "conditions": [
                                 {"field": "psychiatric_stay_months", "op": "gte", "value": 3}]})
    home = make_program(world.office, name="在宅生活支援プログラム", consent_required=False)
    HospitalStay.objects.create(person=world.person, hospital_name="こころ病院", psychiatric=True,
                                admitted_on=D(2024, 7, 1))
    return discharge, home


def _ok(resp, status=302):
    assert resp.status_code == status, resp.content.decode()[:3000]
    return resp


def test_caseworker_walks_screening_to_transfer_on_screens(client, world, programs):
    discharge, home = programs
    person = world.person
    client.force_login(world.caseworker)

    # Program page and screening preview with the reason
    body = _ok(client.get(reverse("programs:detail", args=[discharge.pk])), 200).content.decode()
    assert "精神科に3か月以上継続して入院中" in body
    body = _ok(client.get(reverse("programs:screening", args=[discharge.pk]),
                          {"as_of": "R7.4.1"}), 200).content.decode()
    assert "精神科入院 9か月（令和6年7月〜、こころ病院）" in body
    _ok(client.post(reverse("programs:screening", args=[discharge.pk]),
                    {"ledger-as_of": "2025-04-01", "ledger-title": ""}))
    assert ScreeningLedger.objects.get().entries.count() == 1

    # Consent (written, Hello Work gets employment data)
    _ok(client.post(reverse("programs:consent_new", args=[person.pk]), {
        "program": discharge.pk, "given_on": "令和7年4月10日", "form": "written",
        f"grant_{world.partner_org.pk}": ["basic", "employment"]}))
    assert Consent.objects.get().grants.get().partner == world.partner_org

    # Conference picked from the screening page: start in the first phase
    url = reverse("programs:conference_new") + f"?program={discharge.pk}&people={person.pk}"
    form = _ok(client.get(url), 200).content.decode()
    assert person.name in form
    first = discharge.phases.order_by("order").first()
    _ok(client.post(reverse("programs:conference_new"), {
        "program": discharge.pk, "people": [person.pk], "kind": "network",
        "held_on": "2025-04-15", "title": "退院支援ネットワーク会議",
        "staff": [world.caseworker.pk, world.supervisor.pk], "outside": "山本医師,主治医\n姉,家族",
        f"d{person.pk}-person_id": person.pk, f"d{person.pk}-decision": "start",
        f"d{person.pk}-phase": first.pk, f"d{person.pk}-reason": "退院意欲あり"}))
    e = Enrollment.objects.get(person=person, program=discharge)
    assert e.status == "active" and e.phase == first
    assert Conference.objects.get().attendees.filter(is_family=True).count() == 1

    # Plan
    _ok(client.post(reverse("programs:plan_new", args=[e.pk]), {
        "agreed_on": "2025-04-20", "policy": "外泊訓練から", "goal_0_text": "外泊訓練を月1回",
        "goal_0_target_on": "2025-07-31", "commit_0_kind": "other", "commit_0_text": "通院",
        "commit_0_quantity": "2", "commit_0_per": "month", "based_on_number": "0"}))
    plan = Plan.objects.get(enrollment=e)
    # Record (home visit with the nurse)
    _ok(client.post(reverse("programs:record_new", args=[person.pk]), {
        "occurred_on": "2025-05-10", "occurred_time": "10:30", "kind": "home_visit",
        "enrollment": e.pk, "text": "病棟で面接", "duration_minutes": "30",
        "staff_present": [world.caseworker.pk, world.support_staff.pk],
        "systolic_bp": "130", "diastolic_bp": "80"}))
    assert ActivityRecord.objects.get().staff_present.count() == 2
    # Two reviews
    goal = plan.goals.get()
    _ok(client.post(reverse("programs:review_new", args=[e.pk]), {
        "reviewed_on": "2025-07-15", "evaluation": "外泊2回", "decision": "continue",
        f"goal_{goal.pk}": "partly"}))
    _ok(client.post(reverse("programs:review_new", args=[e.pk]), {
        "reviewed_on": "2025-08-15", "evaluation": "退院先決定", "decision": "continue",
        f"goal_{goal.pk}": "achieved"}))
    assert Review.objects.filter(enrollment=e).count() == 2
    # Outcome: discharge to a group home
    otype = discharge.outcome_types.get(kind=OutcomeKind.DISCHARGE)
    _ok(client.post(reverse("programs:outcome_new", args=[e.pk]), {
        "outcome_type": otype.pk, "occurred_on": "2025-09-01", "destination": "group_home"}))
    assert Outcome.objects.get().destination == "group_home"
    # Transfer to home-life support
    resp = _ok(client.post(reverse("programs:transition", args=[e.pk, "transfer"]), {
        "transfer-on": "2025-10-01", "transfer-target_program": home.pk,
        "transfer-version": Enrollment.objects.get(pk=e.pk).version}))
    new = Enrollment.objects.get(program=home)
    assert resp["Location"] == reverse("programs:enrollment", args=[new.pk])
    assert new.moved_from_id == e.pk
    page = _ok(client.get(reverse("programs:enrollment", args=[e.pk])), 200).content.decode()
    for text in ("移行", "外泊訓練を月1回", "病棟で面接", "退院先：グループホーム", "在宅生活支援プログラム"):
        assert text in page
    assert AuditEvent.objects.filter(action="enrollment.view", person_id=person.pk).exists()


def test_start_without_consent_shows_the_reason_beside_the_form(client, world, programs):
    discharge, _ = programs
    cw = world.m(world.caseworker)
    e = case_services.enrollment_create(actor=cw, person=world.person, program=discharge,
                                   on=D(2025, 4, 1))
    client.force_login(world.caseworker)
    resp = client.post(reverse("programs:transition", args=[e.pk, "start"]),
                       {"start-on": "2025-04-02", "start-version": e.version})
    assert resp.status_code == 422
    assert "支援開始前に本人の同意が必要です" in resp.content.decode()
    e.refresh_from_db()
    assert e.status == "candidate"


def test_conference_error_names_the_person_and_saves_nothing(client, world, programs):
    discharge, _ = programs
    client.force_login(world.caseworker)
    person = world.person
    resp = client.post(reverse("programs:conference_new"), {
        "program": discharge.pk, "people": [person.pk], "kind": "internal",
        "held_on": "2025-04-15", "title": "検討会", f"d{person.pk}-person_id": person.pk,
        f"d{person.pk}-decision": "start"})
    assert resp.status_code == 200
    assert "髙橋 𠮷子さん（支援開始）" in resp.content.decode()
    assert not Conference.objects.exists() and not Enrollment.objects.exists()


def test_other_office_gets_404_on_every_program_page(client, world, programs):
    discharge, _ = programs
    cw = world.m(world.caseworker)
    make_consent(world.person, discharge, recorded_by=world.caseworker)
    e = case_services.enrollment_create(actor=cw, person=world.person, program=discharge,
                                   on=D(2025, 4, 1))
    conf = case_services.conference_create(actor=cw, kind="internal", held_on=D(2025, 4, 2),
                                      title="検討会", program=discharge)
    client.force_login(world.outsider)
    for url in [reverse("programs:detail", args=[discharge.pk]),
                reverse("programs:screening", args=[discharge.pk]),
                reverse("programs:enrollment", args=[e.pk]),
                reverse("programs:conference", args=[conf.pk]),
                reverse("programs:consent_new", args=[world.person.pk]),
                reverse("programs:record_new", args=[world.person.pk]),
                reverse("programs:plan_new", args=[e.pk])]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("programs:transition", args=[e.pk, "select"]), {
        "select-on": "2025-04-03", "select-version": e.version}).status_code == 404


def test_partner_sees_only_referred_people_and_writes_records_for_them(client, world,
                                                                       programs):
    discharge, _ = programs
    cw = world.m(world.caseworker)
    e = case_services.enrollment_create(actor=cw, person=world.person, program=discharge,
                                   on=D(2025, 4, 1))
    client.force_login(world.partner)
    assert client.get(reverse("programs:enrollment", args=[e.pk])).status_code == 404
    assert client.get(reverse("programs:record_new", args=[world.person.pk])).status_code == 404
    make_consent(world.person, discharge, recorded_by=world.caseworker,
                 partners=[world.partner_org])
    case_services.enrollment_assign(actor=cw, enrollment=e, referred_partners=[world.partner_org],
                               expected_version=e.version)
    assert client.get(reverse("programs:enrollment", args=[e.pk])).status_code == 200
    _ok(client.post(reverse("programs:record_new", args=[world.person.pk]), {
        "occurred_on": "2025-05-01", "kind": "agency_contact", "enrollment": e.pk,
        "text": "求人票を渡した"}))
    assert ActivityRecord.objects.get().author_partner == world.partner_org
    # The caseworker sees the partner's record on the person page
    client.force_login(world.caseworker)
    body = client.get(reverse("programs:enrollment", args=[e.pk])).content.decode()
    assert "求人票を渡した" in body and "ハローワークＡ" in body


def test_supervisor_sees_due_and_overdue_across_office_by_caseworker(client, world, programs):
    _, home = programs
    cw = world.m(world.caseworker)
    hh = t.make_household(world.office, caseworker=world.caseworker2)
    p2 = t.make_person(world.office, household=hh, name="鈴木担当 次郎", member_number=1)
    for person in (world.person, p2):
        e = case_services.enrollment_create(actor=cw, person=person, program=home, on=D(2025, 1, 6))
        case_services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 1, 6))
    client.force_login(world.supervisor)
    body = client.get(reverse("programs:reviews_due")).content.decode()
    assert "佐藤 一郎" in body and "鈴木 花子" in body
    assert "髙橋 𠮷子" in body and "鈴木担当 次郎" in body and "日超過" in body
    client.force_login(world.caseworker)
    body = client.get(reverse("programs:reviews_due")).content.decode()
    assert "髙橋 𠮷子" in body and "鈴木担当 次郎" not in body


def test_approvals_inbox_and_decision_screen(client, world, programs):
    discharge, _ = programs
    discharge.approvals_needed = ["end"]
    discharge.save()
    from jiritsu.programs.models import ProgramVersion

    ProgramVersion.objects.filter(program=discharge).update(
        snapshot=services.program_snapshot(discharge))
    cw = world.m(world.caseworker)
    make_consent(world.person, discharge, recorded_by=world.caseworker)
    e = case_services.enrollment_create(actor=cw, person=world.person, program=discharge,
                                   on=D(2025, 4, 1))
    case_services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 1))
    client.force_login(world.caseworker)
    _ok(client.post(reverse("programs:transition", args=[e.pk, "end"]), {
        "end-on": "2025-06-01", "end-reason": "stopped", "end-version": e.version}))
    e.refresh_from_db()
    assert e.status == "active"
    req = e.approval_requests.get()
    client.force_login(world.supervisor)
    assert req.subject in client.get(reverse("programs:approvals")).content.decode()
    _ok(client.post(reverse("programs:approval", args=[req.pk]),
                    {"approve": "no", "comment": "", "version": req.version}), 200)
    _ok(client.post(reverse("programs:approval", args=[req.pk]),
                    {"approve": "yes", "comment": "", "version": req.version}))
    client.force_login(world.manager)
    _ok(client.post(reverse("programs:approval", args=[req.pk]),
                    {"approve": "yes", "comment": "了", "version": req.version + 1}))
    e.refresh_from_db()
    assert e.status == "ended" and e.end_reason == "stopped"



def test_an_extension_says_up_front_it_needs_approval_and_the_approver_sees_the_context(
        client, world, programs):
    """The form names the 決裁 and its deciders before it is sent; the approval page shows
    what is asked (before → after), the rule it is checked against, the episode's history
    and the justification — never payload codes."""
    discharge, _ = programs
    discharge.approvals_needed = ["extend"]
    discharge.standard_length_months, discharge.max_length_months = 6, 12
    discharge.save()
    from jiritsu.programs.models import ProgramVersion

    ProgramVersion.objects.filter(program=discharge).update(
        snapshot=services.program_snapshot(discharge))
    cw = world.m(world.caseworker)
    make_consent(world.person, discharge, recorded_by=world.caseworker)
    e = case_services.enrollment_create(actor=cw, person=world.person, program=discharge,
                                   on=D(2025, 4, 1))
    case_services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 1),
                              planned_end_on=D(2025, 9, 30))
    client.force_login(world.caseworker)
    page = client.get(reverse("programs:enrollment", args=[e.pk])).content.decode()
    assert "延長は決裁が必要です（決裁者：査察指導員 → 課長・所長）" in page
    e.refresh_from_db()
    _ok(client.post(reverse("programs:transition", args=[e.pk, "extend"]), {
        "extend-on": "2025-09-01", "extend-until": "2026-01-31",
        "extend-note": "試用期間が延びたため定着まで支援", "extend-version": e.version}))
    req = e.approval_requests.get()
    client.force_login(world.supervisor)
    inbox = client.get(reverse("programs:approvals")).content.decode()
    assert "<td>期間延長</td>" in inbox and "<td>extend</td>" not in inbox
    page = client.get(reverse("programs:approval", args=[req.pk])).content.decode()
    for text in ("依頼の内容：期間延長", "令和7年9月30日", "令和8年1月31日",  # before → after
                 "標準期間：6か月（令和7年9月30日まで）", "最長期間：12か月（令和8年3月31日まで）",
                 "これまでの延長：0回", "標準期間を超え、最長期間の範囲内",
                 "この参加の経過", "支援開始", "試用期間が延びたため定着まで支援"):
        assert text in page, text
    for code in ("until：", "on：", "note：", "extend"):
        assert code not in page, code


def test_manager_creates_and_edits_a_program_with_rules(client, world):
    client.force_login(world.manager)
    resp = client.post(reverse("programs:create"), {
        "code": "EMP01", "name": "就労支援プログラム", "kind": "economic",
        "legal_basis": "art55_7", "established_on": "H19.4.1", "review_interval_months": "3",
        "standard_length_months": "3", "max_length_months": "6", "consent_required": "on",
        "is_active": "on", "phases": "準備,1\n求職活動", "menus": "ハローワーク同行",
        "outcome-TOTAL_FORMS": "2", "outcome-INITIAL_FORMS": "0",
        "outcome-0-kind": "employment_start", "outcome-0-name": "就労開始",
        "outcome-0-counts_as_achievement": "on",
        "outcome-1-kind": "income_increase", "outcome-1-name": "増収",
        "outcome-1-counts_as_achievement": "on",
        "target-TOTAL_FORMS": "1", "target-INITIAL_FORMS": "0", "target-0-label": "就労開始者",
        "target-0-metric": "outcome", "target-0-value": "4", "target-0-fiscal_year_from": "2025",
        "target-0-fiscal_year_to": "2025", "target-0-outcome_kind": "employment_start",
        "rule-op": "and", "rule-0-field": "age", "rule-0-op": "between", "rule-0-lo": "15",
        "rule-0-hi": "64"})
    _ok(resp)
    program = Program.objects.get(code="EMP01")
    assert program.established_on == D(2007, 4, 1)
    assert list(program.phases.values_list("name", flat=True)) == ["準備", "求職活動"]
    body = client.get(reverse("programs:detail", args=[program.pk])).content.decode()
    assert "年齢が15歳以上64歳以下" in body and "就労開始者" in body
    bad = client.post(reverse("programs:edit", args=[program.pk]), {
        "version": program.version, "code": "EMP01", "name": "就労支援プログラム",
        "kind": "economic", "legal_basis": "art55_7", "established_on": "2007-04-01",
        "review_interval_months": "3", "phases": "準備,1\n求職活動",
        "outcome-TOTAL_FORMS": "0", "outcome-INITIAL_FORMS": "0",
        "target-TOTAL_FORMS": "0", "target-INITIAL_FORMS": "0",
        "rule-0-field": "height", "rule-0-op": "gte", "rule-0-value": "1"})
    assert bad.status_code == 200
    assert "項目「height」は選定条件に使えません" in bad.content.decode()
    program.refresh_from_db()
    assert program.current_version == 1
    # A caseworker may not edit
    client.force_login(world.caseworker)
    assert client.get(reverse("programs:edit", args=[program.pk])).status_code == 403


def test_board_and_enrollment_pages_have_bounded_queries(client, world, programs):
    discharge, _ = programs
    cw = world.m(world.caseworker)
    client.force_login(world.caseworker)

    def add_people(n):
        for _ in range(n):
            hh = t.make_household(world.office, caseworker=world.caseworker)
            p = t.make_person(world.office, household=hh, member_number=1)
            make_consent(p, discharge, recorded_by=world.caseworker)
            e = case_services.enrollment_create(actor=cw, person=p, program=discharge,
                                           on=D(2025, 4, 1))
            case_services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 1))
            case_services.record_create(actor=cw, person=p, enrollment=e, values={
                "occurred_at": dt.datetime(2025, 5, 1, 10, tzinfo=dt.UTC), "kind": "phone",
                "text": "電話"}, staff_present=[world.caseworker])
        return e

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    e = add_people(2)
    board_small = count(reverse("programs:detail", args=[discharge.pk]))
    for _ in range(3):
        case_services.record_create(actor=cw, person=e.person, enrollment=e, values={
            "occurred_at": dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC), "kind": "home_visit",
            "text": "訪問"}, staff_present=[world.caseworker, world.supervisor])
    page_small = count(reverse("programs:enrollment", args=[e.pk]))
    e2 = add_people(5)
    for _ in range(6):
        case_services.record_create(actor=cw, person=e2.person, enrollment=e2, values={
            "occurred_at": dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC), "kind": "home_visit",
            "text": "訪問"}, staff_present=[world.caseworker, world.supervisor])
    assert count(reverse("programs:detail", args=[discharge.pk])) == board_small
    assert count(reverse("programs:enrollment", args=[e2.pk])) == page_small


def test_board_query_count_is_fixed_as_supervisor(client, world, programs):
    """The program page at two sizes, as the supervisor the benchmark uses: the board,
    reviews due and figures each read once, whatever the number of episodes."""
    discharge, _ = programs
    cw = world.m(world.caseworker)

    def add_people(n):
        for k in range(n):
            hh = t.make_household(world.office, caseworker=world.caseworker)
            p = t.make_person(world.office, household=hh, member_number=1)
            make_consent(p, discharge, recorded_by=world.caseworker)
            e = case_services.enrollment_create(actor=cw, person=p, program=discharge,
                                           on=D(2025, 4, 1))
            if k % 3:
                case_services.enrollment_start(actor=cw, enrollment=e, on=D(2025, 4, 1))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("programs:detail", args=[discharge.pk])).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(world.supervisor)
    add_people(3)
    small = count()
    add_people(12)
    # 15 (the phases read once, for the board and the page; the board's counts and cards
    # in one statement; the year's participants and achievers counted in one statement),
    # and one for the 結果検討会's counts of an employment program.
    assert discharge.is_employment
    assert small == count() == 16


def test_screening_page_lists_one_page_of_candidates_with_the_full_count(client, world):
    program = make_program(world.office, name="就労支援プログラム", rules={
        "op": "and", "conditions": [{"field": "care_duty", "op": "is", "value": True}]})
    from jiritsu.people.models import CareDuty
    for i in range(61):
        hh = t.make_household(world.office, caseworker=world.caseworker,
                              assistance_started_on=D(2020, 4, 1))
        p = t.make_person(world.office, household=hh, member_number=1, kana=f"かいご {i:03d}")
        CareDuty.objects.create(person=p, kind=CareDuty.Kind.NURSING_CARE, detail="母")
    client.force_login(world.caseworker)
    url = reverse("programs:screening", args=[program.pk])

    first = _ok(client.get(url, {"as_of": "2025-11-01"}), 200).content.decode()
    assert "該当 61人" in first
    assert first.count('<ul class="reasons">') == 50
    assert f"{CareDuty.Kind.NURSING_CARE.label}（母）" in first
    assert "1〜50人目（1 / 2ページ）" in first and "page=2" in first

    second = _ok(client.get(url, {"as_of": "2025-11-01", "page": "2"}), 200).content.decode()
    assert "該当 61人" in second
    assert second.count('<ul class="reasons">') == 11
    assert "51〜61人目（2 / 2ページ）" in second

    # Saving a ledger still saves every candidate, not the page.
    _ok(client.post(url, {"ledger-as_of": "2025-11-01", "ledger-title": ""}))
    assert ScreeningLedger.objects.get().entries.count() == 61


def _candidates(world, program, n, *, start=0):
    """``n`` people made candidates of ``program`` on successive days from 1 April 2025."""
    cw = world.m(world.caseworker)
    out = []
    for k in range(start, start + n):
        hh = t.make_household(world.office, caseworker=world.caseworker)
        p = t.make_person(world.office, household=hh, member_number=1)
        out.append(case_services.enrollment_create(actor=cw, person=p, program=program,
                                              on=D(2025, 4, 1) + dt.timedelta(days=k)))
    return out


def test_board_column_shows_a_bounded_number_of_cards_and_links_to_the_full_list(
        client, world, programs, monkeypatch):
    from jiritsu.cases import selectors

    monkeypatch.setattr(selectors, "BOARD_COLUMN_LIMIT", 2)
    monkeypatch.setattr(selectors, "COLUMN_PAGE_SIZE", 2)
    discharge, _ = programs
    waiting = _candidates(world, discharge, 5)
    client.force_login(world.caseworker)
    body = client.get(reverse("programs:detail", args=[discharge.pk])).content.decode()
    board = body[body.index('id="h-board"'):body.index('id="h-due"')]
    # the two who have waited longest, the count of the rest and the link to all of them
    assert waiting[0].person.name in board and waiting[1].person.name in board
    assert not any(e.person.name in board for e in waiting[2:])
    assert "候補 <span class=\"count\">5人</span>" in board
    url = reverse("programs:board_column", args=[discharge.pk, "candidate"])
    assert f'href="{url}"' in board and "ほか3人を含む全5人の一覧" in board
    # the full list, paged two at a time in the board's order
    page1 = client.get(url).content.decode()
    assert [e.person.name in page1 for e in waiting] == [True, True, False, False, False]
    assert "5人のうち 1〜2人目（1 / 3ページ）" in page1
    page3 = client.get(url + "?page=3").content.decode()
    assert waiting[4].person.name in page3 and waiting[0].person.name not in page3
    assert "5人のうち 5〜5人目（3 / 3ページ）" in page3
    # a page past the end shows the last one; an empty column says so
    assert "5人のうち 5〜5人目" in client.get(url + "?page=99").content.decode()
    empty = client.get(reverse("programs:board_column", args=[discharge.pk, "selected"]))
    assert empty.status_code == 200 and "該当する人はいません" in empty.content.decode()


def test_board_column_list_keeps_the_board_access(client, world, programs):
    discharge, _ = programs
    e = _candidates(world, discharge, 1)[0]
    url = reverse("programs:board_column", args=[discharge.pk, "candidate"])
    client.force_login(world.caseworker)
    assert client.get(url).status_code == 200
    assert client.get(reverse("programs:board_column",
                              args=[discharge.pk, "phase-999999"])).status_code == 404
    assert client.get(reverse("programs:board_column",
                              args=[discharge.pk, "nonsense"])).status_code == 404
    client.force_login(world.outsider)  # another office: the program does not exist
    assert client.get(url).status_code == 404
    # A partner sees neither on the board nor on the list anyone not referred to it
    # with consent.
    client.force_login(world.partner)
    board = client.get(reverse("programs:detail", args=[discharge.pk]))
    listed = client.get(url)
    for resp in (board, listed):
        assert resp.status_code in (200, 403, 404)
        assert e.person.name not in resp.content.decode()


def test_board_column_list_query_count_is_fixed(client, world, programs):
    discharge, _ = programs
    client.force_login(world.supervisor)
    url = reverse("programs:board_column", args=[discharge.pk, "candidate"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _candidates(world, discharge, 3)
    small = count()
    _candidates(world, discharge, 60, start=3)
    assert small == count()
