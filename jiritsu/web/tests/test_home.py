"""Home by role: what each person sees first thing in the morning, in bounded queries."""

from __future__ import annotations

import itertools
import re
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.core import clock
from jiritsu.web.tests.data import build_caseload

pytestmark = pytest.mark.django_db


def _caseload(world, households):
    return build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                          partner_user=world.partner, partner=world.partner_org,
                          households=households)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx), resp.content.decode()


def test_caseworker_home_shows_flags_due_reviews_consents_new_cases_and_new_records(client, world):
    _caseload(world, 12)
    client.force_login(world.caseworker)
    body = client.get(reverse("home")).content.decode()
    assert "担当世帯（13世帯" in body  # twelve built plus the world's household
    for label in ("精神科長期入院", "プログラム参加中", "同意待ち", "新規・未検討"):
        assert f'">{label}' in body, label
    assert '<span class="badge err">見直し期限超過</span>' in body
    assert "退院後1か月の確認" in body
    assert "日常生活支援プログラム" in body  # a selected person waiting for consent
    assert "記録2：ハローワーク" in body  # the partner's record is new to the caseworker
    assert "記録0：" not in body  # the caseworker's own record is not "new"


def test_caseworker_sees_only_own_caseload(client, world):
    _caseload(world, 3)
    other_hh = t.make_household(world.office, caseworker=world.caseworker2, case_number="999999")
    t.make_person(world.office, household=other_hh, name="他担当 花子", kana="たたんとう はなこ")
    client.force_login(world.caseworker)
    body = client.get(reverse("home")).content.decode()
    assert "他担当 花子" not in body and "999999" not in body


def test_caseload_filter_by_flag_keeps_only_matching_households(client, world):
    data = _caseload(world, 10)
    client.force_login(world.caseworker)
    body = client.get(reverse("home") + "?flag=long_psych").content.decode()
    long_stay = {hh.case_number for i, hh in enumerate(data.households) if i % 5 == 1}
    for hh in data.households:
        assert (f">{hh.case_number}</a>" in body) == (hh.case_number in long_stay)


def test_supervisor_sees_team_by_caseworker_and_approvals_waiting_for_supervisor(client, world):
    _caseload(world, 12)
    client.force_login(world.supervisor)
    body = client.get(reverse("home")).content.decode()
    assert "ケースワーカー別の状況" in body and "佐藤 一郎" in body
    assert "あなたの決裁待ち（2件）" in body and "達成の記録" in body
    # the manager is the second step: nothing waits for them yet
    client.force_login(world.manager)
    assert "あなたの決裁待ち（0件）" in client.get(reverse("home")).content.decode()


def test_team_home_counts_due_reviews_of_people_outside_any_household(client, world):
    """被保護者以外 (registered for a program, no household) with a review due: the team
    page still opens (it failed with a 500 on the demo office) and they belong to nobody's row."""

    from jiritsu.core.wareki import add_months
    from jiritsu.web.tests.data import enrol, make_program

    _caseload(world, 3)
    program = make_program(world.office, "NR1", "非受給者向け講座")
    outsider = t.make_person(world.office, household=None, name="地域 花子")
    enrol(outsider, program, started_on=add_months(clock.today(), -5),
          actor=world.supervisor)
    client.force_login(world.supervisor)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "ケースワーカー別の状況" in response.content.decode()


def test_supervisor_can_open_one_caseworkers_home(client, world):
    _caseload(world, 4)
    client.force_login(world.supervisor)
    body = client.get(reverse("home") + f"?cw={world.caseworker.pk}").content.decode()
    assert "佐藤 一郎 さんの担当" in body and "担当世帯（5世帯" in body
    # someone who is not a caseworker of this office falls back to the team view
    body = client.get(reverse("home") + f"?cw={world.outsider.pk}").content.decode()
    assert "ケースワーカー別の状況" in body


def test_support_staff_sees_people_they_lead(client, world):
    data = _caseload(world, 6)
    client.force_login(world.support_staff)
    body = client.get(reverse("home")).content.decode()
    assert "支援している人" in body
    for e in data.active:
        assert e.person.name in body
    assert data.people[1].name not in body  # a child nobody from support staff works with


def test_partner_sees_only_people_referred_with_consent(client, world):
    data = _caseload(world, 6)
    client.force_login(world.partner)
    body = client.get(reverse("home")).content.decode()
    referred = {e.person.name for e in data.active}
    assert referred and all(name in body for name in referred)
    others = {p.name for p in data.people} - referred
    assert not any(name in body for name in others)
    assert world.person.name not in body


@pytest.mark.parametrize("user", ["caseworker", "supervisor", "support_staff", "partner"])
def test_home_query_count_does_not_grow_with_the_caseload(client, world, user):
    client.force_login(getattr(world, user))
    _caseload(world, 5)  # small, but with one of everything (an empty list costs no query)
    _active(world, started_months_ago=4)  # a review overdue in the office
    small, _ = _queries(client, reverse("home"))
    build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                   partner_user=world.partner, partner=world.partner_org, households=25, start=5)
    large, _ = _queries(client, reverse("home"))
    assert large == small
    assert large <= 23


def test_admin_home_has_no_personal_data(client, world):
    _caseload(world, 2)
    client.force_login(world.admin)
    resp = client.get(reverse("home"))
    assert resp.status_code == 200 and "個人記録を閲覧しません" in resp.content.decode()


_codes = itertools.count(1)


def _active(world, *, started_months_ago, interval=3):

    from jiritsu.core.wareki import add_months
    from jiritsu.web.tests.data import enrol, make_program

    program = make_program(world.office, f"P{next(_codes)}", "見直し確認", interval=interval)
    person = t.make_person(world.office, household=world.household)
    started = add_months(clock.today(), -started_months_ago)
    return enrol(person, program, started_on=started, actor=world.caseworker)


def test_home_lists_overdue_and_this_weeks_reviews_but_not_later_ones(client, world):
    import datetime as dt

    from jiritsu.cases.models import Review
    from jiritsu.core.wareki import add_months

    today = clock.today()
    overdue = _active(world, started_months_ago=4)           # due a month ago
    not_yet = _active(world, started_months_ago=1)           # due in two months
    scheduled = _active(world, started_months_ago=5)
    Review.objects.create(enrollment=scheduled, reviewed_on=add_months(today, -4),
                          next_due_on=today + dt.timedelta(days=1), evaluation="順調",
                          decision="continue", reviewer=world.caseworker)
    for e, name in ((overdue, "期限超過の人"), (not_yet, "まだ先の人"), (scheduled, "明日の人")):
        e.person.name = name
        e.person.save(update_fields=["name"])
    client.force_login(world.caseworker)
    body = client.get(reverse("home")).content.decode()
    section = body[body.index('id="reviews"'):body.index('id="follow-ups"')]
    assert "期限超過の人" in section and "明日の人" in section
    assert "まだ先の人" not in section
    assert section.index("期限超過の人") < section.index("明日の人")


def test_home_visit_is_overdue_after_the_grades_interval(client, world):
    import datetime as dt

    from jiritsu.cases.models import ActivityRecord
    from jiritsu.people.models import VisitGrade

    monthly = VisitGrade.objects.create(office=world.office, code="A", name="毎月",
                                        visits_per_year=12)
    late = t.make_household(world.office, caseworker=world.caseworker, case_number="300001",
                            visit_grade=monthly)
    fresh = t.make_household(world.office, caseworker=world.caseworker, case_number="300002",
                             visit_grade=monthly)
    for hh, days in ((late, 45), (fresh, 10)):
        p = t.make_person(world.office, household=hh)
        ActivityRecord.objects.create(office=world.office, person=p, kind="home_visit",
                                      occurred_at=clock.now() - dt.timedelta(days=days),
                                      text="訪問", author=world.caseworker)
    client.force_login(world.caseworker)
    body = client.get(reverse("home") + "?flag=visit_overdue").content.decode()
    assert ">300001</a>" in body and ">300002</a>" not in body


# Fixed query counts per role at two caseload sizes (not only "does not grow"): the home
# pages read each list once, through literal id lists and index-driven queries. New cases
# and follow-ups after discharge follow the 支援活動 list's rules: one query for the programs
# that ask for new cases (their own selection rules), the records that say how the people
# live since the follow-up windows opened, and the hospital stays the discharges ended.
# The visit rule (casework.visits) adds three to a caseload: its events (one UNION), the
# open planned visits and the office's event interval; the team home adds two for the
# 供覧 count (the office's settings, then one count). The medical evidence falling due adds
# one to a caseworker's page (people.evidence.evidence_due). A caseworker's page reads its
# caseload's people once, with their households, and takes their ids from them. The team
# home's follow-ups read the office's discharges by a statement written once per process
# and keep those of its people by one more query (one more than when the people were a
# subquery of the discharges' queryset, for ≈ 1.8 ms less Python). A caseworker's 新しい記録
# are two statements when there are any: the first records' ids by the rule, then those
# records with their people, authors and programs (in one, PostgreSQL's misjudged plan for
# the country's data hashed every user; docs/performance.md).
HOME_QUERIES = {"caseworker": 21, "supervisor": 23, "support_staff": 9, "partner": 5}


@pytest.mark.parametrize("user", sorted(HOME_QUERIES))
def test_home_query_count_is_fixed_at_two_sizes(client, world, user):
    client.force_login(getattr(world, user))
    _caseload(world, 5)
    _active(world, started_months_ago=4)  # a review overdue in the office
    small, _ = _queries(client, reverse("home"))
    build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                   partner_user=world.partner, partner=world.partner_org, households=40, start=5)
    large, _ = _queries(client, reverse("home"))
    assert (small, large) == (HOME_QUERIES[user], HOME_QUERIES[user])


def test_supervisor_home_for_one_caseworker_has_a_fixed_query_count(client, world):
    client.force_login(world.supervisor)
    _caseload(world, 5)
    url = f"{reverse('home')}?cw={world.caseworker.pk}"
    small, body = _queries(client, url)
    assert "担当世帯（6世帯" in body
    build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                   partner_user=world.partner, partner=world.partner_org, households=40, start=5)
    large, _ = _queries(client, url)
    assert small == large == 22


def test_team_table_is_paged_by_caseworker_with_counts_per_page(client, world, monkeypatch):
    """A large office has a thousand caseworkers: the team table shows a page of them
    (by name), each with the counts of their own households only."""
    from jiritsu.offices.models import Membership, User
    from jiritsu.web import selectors

    monkeypatch.setattr(selectors, "TEAM_PAGE_SIZE", 1)
    _caseload(world, 3)
    other = User.objects.create_user(username="pageperf_cw_b", password="x", display_name="渡辺 二郎")
    Membership.objects.create(user=other, office=world.office, role=Membership.Role.CASEWORKER)
    for _ in range(2):
        t.make_person(world.office, household=t.make_household(world.office, caseworker=other),
                      member_number=1)
    client.force_login(world.supervisor)

    def team(page):
        body = client.get(reverse("home") + f"?page={page}").content.decode()
        return body[body.index('id="team"'):body.index('id="reviews"')]

    first = team(1)
    found = re.search(r"ケースワーカー別の状況（(\d+)人）", first)
    assert found is not None
    n = int(found.group(1))
    assert n >= 2 and f"{n}人のうち 1〜1人目（1 / {n}ページ）" in first
    assert 'href="?page=2#team"' in first
    pages = [first] + [team(k) for k in range(2, n + 1)]
    for name in ("佐藤 一郎", "渡辺 二郎"):  # each caseworker on exactly one page
        assert sum(name in p for p in pages) == 1
    mine = next(p for p in pages if "渡辺 二郎" in p)
    row = mine[mine.index("渡辺 二郎"):]
    assert '<td class="num">2</td><td class="num">2</td>' in row  # 2 households, 2 people
    # past the last page: the last page
    assert f"{n} / {n}ページ" in team(99)


def test_team_home_review_counts_equal_each_caseworkers_own_list(client, world, monkeypatch):
    """The team page counts due reviews from the stored dates, grouped in the database, and
    lists the soonest few; each caseworker's counts equal that caseworker's own list, which
    is worked out from the reviews, discharges and planned ends themselves."""

    from jiritsu.cases import selectors as program_selectors
    from jiritsu.core.wareki import add_months
    from jiritsu.web import selectors
    from jiritsu.web.tests.data import enrol, make_program

    monkeypatch.setattr(selectors, "LIST_LIMIT", 2)
    _caseload(world, 12)
    today = clock.today()
    program = make_program(world.office, "DUE1", "見直し確認プログラム")
    for k, cw in enumerate((world.caseworker, world.caseworker, world.caseworker2)):
        person = t.make_person(world.office, household=t.make_household(
            world.office, caseworker=cw), member_number=1, name=f"期限 太郎{k}")
        enrol(person, program, started_on=add_months(today, -4 - k), actor=world.supervisor)
    client.force_login(world.supervisor)
    ctx = client.get(reverse("home")).context
    sv = world.m(world.supervisor)
    expected_total = expected_overdue = 0
    for row in ctx["team"].rows:
        own = program_selectors.reviews_due(sv, today=today, within_days=7,
                                            caseworker=row.caseworker)
        assert (row.review_overdue, row.review_due) == (len(own["overdue"]),
                                                        len(own["due_soon"]))
        expected_overdue += len(own["overdue"])
        expected_total += len(own["overdue"]) + len(own["due_soon"])
    assert expected_overdue > 0
    assert (ctx["overdue_count"], ctx["overdue_count"] + ctx["due_count"]) == (
        expected_overdue, expected_total)
    items = ctx["reviews"]["items"]
    assert ctx["reviews"]["total"] == expected_total and len(items) == 2
    assert [d.due_on for d in items] == sorted(d.due_on for d in items)
    assert all(d.reasons for d in items)


# The caseload table as the template wrote it before its rows were written in Python
# ({% caseload_rows %}): the two must give the same markup.
_TEMPLATE_ROWS = """{% load jiritsu web_urls %}{% for row in caseload %}<tr>
<td><a href="{{ row.household.pk|household_url }}">{{ row.household.case_number }}</a></td>
<td>{% for m in row.members %}<a href="{{ m.pk|person_url }}">{{ m.name }}</a>{% if m.relationship != 'head' %}<span class="muted small">（{{ m.get_relationship_display }}）</span>{% endif %}{% if not forloop.last %}、{% endif %}{% endfor %}</td>
<td class="nowrap">{{ row.household.get_household_type_display }}</td>
<td class="nowrap">{{ row.household.district }}</td>
<td class="nowrap">{{ row.household.visit_grade.code|default:'―' }}</td>
<td class="nowrap">{% if row.last_visit %}{{ row.last_visit|wareki_date }}{% else %}<span class="muted">記録なし</span>{% endif %}</td>
<td>{% for code, label, css, who in row.flags %}<span class="badge {{ css }}">{{ label }}{% if who %}：{{ who }}{% endif %}</span> {% endfor %}</td>
</tr>{% endfor %}"""


def test_caseload_rows_are_the_templates_rows_escaped(world):
    from django.template import engines
    from django_scopes import scope

    from jiritsu.people.models import Person
    from jiritsu.web import selectors

    _caseload(world, 12)
    odd = t.make_household(world.office, caseworker=world.caseworker, case_number="<77&>",
                           district='"北"<区>')
    t.make_person(world.office, household=odd, name="<b>山田</b> & 太郎", kana="やまだ たろう",
                  member_number=1)
    t.make_person(world.office, household=odd, name="山田 'ゆき'", kana="やまだ ゆき",
                  member_number=2, relationship=Person.Relationship.CHILD)
    membership = world.m(world.caseworker)
    with scope(office=world.office):
        ctx = selectors.caseworker_home(membership, today=clock.today())
    engine = engines["django"]
    old = engine.from_string(_TEMPLATE_ROWS).render(ctx)
    new = engine.from_string("{% load web_urls %}{% caseload_rows caseload %}").render(ctx)
    assert "&lt;b&gt;山田&lt;/b&gt; &amp; 太郎" in new and "&lt;77&amp;&gt;" in new
    assert sum(len(r.flags) for r in ctx["caseload"]) > 10 and len(ctx["caseload"]) == 14
    assert new == old


def test_records_from_others_rule_for_a_reader_and_for_each_persons_caseworker(world):
    """新しい記録: records by support staff or a partner written after the reader's own last
    record about the person (a record as old as it is not new); another caseworker's records
    never count. The caseload's statement and the querysets (team and support views) answer
    alike, newest first."""
    import datetime as dt

    from jiritsu.cases.models import ActivityRecord
    from jiritsu.web import selectors

    base = clock.now() - dt.timedelta(days=10)
    p1, p2 = world.person, t.make_person(world.office, household=world.household, member_number=2)
    other_hh = t.make_household(world.office, caseworker=world.caseworker2)
    p3 = t.make_person(world.office, household=other_hh)

    def rec(person, author, hours, *, partner=None, text=""):
        r = ActivityRecord.objects.create(office=world.office, person=person, occurred_at=base,
                                          kind="phone", text=text or f"{hours}", author=author,
                                          author_partner=partner)
        ActivityRecord.objects.filter(pk=r.pk).update(
            created_at=base + dt.timedelta(hours=hours))
        return r.pk

    rec(p1, world.caseworker, 5)                                   # the reader's own, last at +5
    old_ss = rec(p1, world.support_staff, 4)                       # before it: not new
    same = rec(p1, world.support_staff, 5)                         # as old as it: not new
    new_ss = rec(p1, world.support_staff, 6)                       # new
    new_hw = rec(p1, world.partner, 7, partner=world.partner_org)  # new (a partner's)
    rec(p1, world.caseworker2, 8)                                  # a caseworker's: never new
    never_read = rec(p2, world.support_staff, 1)                   # nothing of the reader's: new
    cw2_reads = rec(p3, world.support_staff, 2)                    # p3 is cw2's
    rec(p3, world.caseworker2, 3)                                  # … who wrote after it
    later = rec(p3, world.support_staff, 9)
    assert {old_ss, same}  # written, and left out below

    ids = sorted([p1.pk, p2.pk, p3.pk])
    got = selectors.records_from_others_of(ids, reader=world.caseworker, limit=50)
    assert [r.pk for r in got["items"]] == [later, new_hw, new_ss, cw2_reads, never_read]
    assert got["total"] == 5
    assert got["items"][1].author_partner == world.partner_org
    assert [r.pk for r in selectors.records_from_others(ids, reader=world.caseworker)] == \
        [r.pk for r in got["items"]]
    # Each person's own caseworker as the reference (the team view): p3's record at +2 is
    # older than cw2's own at +3.
    team = [r.pk for r in selectors.records_from_others(ids, reader=None)]
    assert team == [later, new_hw, new_ss, never_read]


def test_caseload_statement_reads_what_the_queryset_reads(world):
    """The caseload (one statement, households with grade and interval joined): the people
    and related rows the queryset with ``select_related`` reads — a household without a grade,
    a grade without an interval, one with — the related rows shared between members, and no
    further query for the visit rule's inputs."""
    from jiritsu.cases.access import caseload
    from jiritsu.casework.models import GradeInterval
    from jiritsu.casework.visits import interval_months
    from jiritsu.people.models import Household, Person, VisitGrade

    a = VisitGrade.objects.create(office=world.office, code="A", name="毎月", visits_per_year=12)
    b = VisitGrade.objects.create(office=world.office, code="B", name="隔月", visits_per_year=6)
    GradeInterval.objects.create(office=world.office, grade=b, interval_months=3)
    Household.objects.filter(pk=world.household.pk).update(visit_grade=a)
    with_b = t.make_household(world.office, caseworker=world.caseworker, visit_grade=b)
    for n in (2, 1):
        t.make_person(world.office, household=with_b, member_number=n)
    plain = t.make_household(world.office, caseworker=world.caseworker)
    t.make_person(world.office, household=plain)
    ended = t.make_household(world.office, caseworker=world.caseworker,
                             assistance_ended_on=clock.today())
    t.make_person(world.office, household=ended)
    t.make_person(world.office, household=t.make_household(world.office,
                                                           caseworker=world.caseworker2))
    membership = world.m(world.caseworker)
    unshown = {"version", "created_at", "updated_at"}
    expected: list[Any] = list(Person.objects.filter(
        office=world.office, household__caseworker=world.caseworker,
        household__assistance_ended_on__isnull=True)
        .select_related("household", "household__visit_grade__interval")
        .order_by("household__case_number", "member_number", "id"))
    with CaptureQueriesContext(connection) as queries:
        got = cast(list[Any], caseload(membership) or [])
        intervals = [interval_months(p.household.visit_grade) for p in got]
        households = [{f.attname: getattr(p.household, f.attname)
                       for f in Household._meta.concrete_fields if f.attname not in unshown}
                      for p in got]
        names = [(p.name, p.kana, p.relationship, p.member_number) for p in got]
    assert len(queries) == 1
    assert [p.pk for p in got] == [p.pk for p in expected] and len(got) == 4
    assert intervals == [interval_months(p.household.visit_grade) for p in expected]
    assert sorted(set(intervals), key=str) == [1, 3, None]
    assert households == [{f.attname: getattr(p.household, f.attname)
                           for f in Household._meta.concrete_fields if f.attname not in unshown}
                          for p in expected]
    assert names == [(p.name, p.kana, p.relationship, p.member_number) for p in expected]
    # what a caseload never shows is not read (and reading it anyway still works)
    assert got[0].household.get_deferred_fields() == unshown
    assert {"created_at", "note", "phone"} <= got[0].get_deferred_fields()
    assert got[0].note == expected[0].note
    members_b = [p for p in got if p.household_id == with_b.pk]
    assert members_b[0].household is members_b[1].household  # one instance, shared
    assert members_b[0].household.visit_grade.interval.grade is members_b[0].household.visit_grade
    # a supervisor looking at the caseworker reads the same caseload
    assert [p.pk for p in caseload(world.m(world.supervisor), caseworker=world.caseworker) or []
            ] == [p.pk for p in got]
    assert caseload(world.m(world.supervisor)) is None  # the whole office: not a caseload
