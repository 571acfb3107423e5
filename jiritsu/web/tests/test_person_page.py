"""The person page: everything about one person, one timeline, a printable summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord, Review
from jiritsu.core import clock
from jiritsu.web.tests.data import build_caseload, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    return build_caseload(world.office, caseworker=world.caseworker, support=world.support_staff,
                          partner_user=world.partner, partner=world.partner_org, households=7)


def _person_with_history(data):
    # household 0: active in the employment program with consent, conference, plan,
    # a review, records by the caseworker, support staff and partner, and an outcome
    return data.active[0]


def test_person_page_shows_programs_plan_and_one_timeline_of_everything(client, world, data):
    e = _person_with_history(data)
    client.force_login(world.caseworker)
    body = client.get(reverse("people:person", args=[e.person_id])).content.decode()
    assert "就労支援プログラム" in body and "参加中" in body
    assert "計画 第1版" in body and "週3日の就労" in body
    for kind in ("経過記録", "見直し", "検討会の決定", "同意", "成果", "参加状況"):
        assert f'tl-kind">{kind}<' in body, kind
    assert "決定：支援開始" in body and "成果：就労開始" in body
    assert "高血圧症" in body and "株式会社サンプル" in body


def test_timeline_filters_by_kind_program_and_wareki_period(client, world, data):
    e = _person_with_history(data)
    client.force_login(world.caseworker)
    url = reverse("people:person_timeline", args=[e.person_id])
    body = client.get(url, {"kind": "record"}, HTTP_HX_REQUEST="true").content.decode()
    assert "経過記録" in body and "決定：支援開始" not in body
    enrol(e.person, data.program2, status="candidate", actor=world.caseworker)
    body = client.get(url, {"program": str(data.program2.pk)},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "決定：支援開始" not in body and "日常生活支援プログラム" in body
    # a period in 和暦 that ends before anything happened
    body = client.get(url, {"date_from": "H31.4.1", "date_to": "R2.3.31"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "条件に合う記録はありません" in body
    assert AuditEvent.objects.filter(action="person.timeline", person_id=e.person_id).count() == 3


def test_timeline_shows_a_japanese_error_for_an_unreadable_date(client, world, data):
    e = _person_with_history(data)
    client.force_login(world.caseworker)
    body = client.get(reverse("people:person", args=[e.person_id]),
                      {"date_from": "令和99年"}).content.decode()
    assert "日付として読めません" in body


def test_timeline_without_htmx_falls_back_to_the_page(client, world, data):
    e = _person_with_history(data)
    client.force_login(world.caseworker)
    resp = client.get(reverse("people:person_timeline", args=[e.person_id]), {"kind": "review"})
    assert resp.status_code == 302 and "kind=review" in resp["Location"]


def test_printable_summary_is_one_sheet_and_audited(client, world, data):
    e = _person_with_history(data)
    client.force_login(world.caseworker)
    resp = client.get(reverse("people:person_summary", args=[e.person_id]))
    body = resp.content.decode()
    assert resp.status_code == 200 and "個人票" in body and "print.css" in body
    assert "週3日の就労" in body and "取扱注意" in body
    assert AuditEvent.objects.filter(action="person.summary", person_id=e.person_id).exists()


def test_partner_sees_only_granted_sections_and_records(client, world, data):
    e = _person_with_history(data)  # consent grants basic, employment and records
    client.force_login(world.partner)
    body = client.get(reverse("people:person", args=[e.person_id])).content.decode()
    assert "株式会社サンプル" in body  # employment granted
    assert "高血圧症" not in body and "入院歴" not in body  # health not granted
    assert "決定：支援開始" not in body and "成果：就労開始" not in body  # staff-only kinds
    assert "記録1：" in body and "記録2：" in body  # records granted
    assert "同意と情報提供" not in body


def test_partner_summary_keeps_to_the_consent_too(client, world, data):
    e = _person_with_history(data)
    client.force_login(world.partner)
    body = client.get(reverse("people:person_summary", args=[e.person_id])).content.decode()
    assert "高血圧症" not in body and "個人票" in body


def test_other_office_cannot_reach_summary_or_timeline(client, world, data):
    e = _person_with_history(data)
    client.force_login(world.outsider)
    for name in ("people:person", "people:person_timeline", "people:person_summary"):
        assert client.get(reverse(name, args=[e.person_id])).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["people:person", "people:person_summary"])
def test_person_page_query_count_does_not_grow_with_history(client, world, data, page):
    e = _person_with_history(data)
    client.force_login(world.caseworker)
    url = reverse(page, args=[e.person_id])
    small = _count(client, url)
    now = clock.now()
    for k in range(40):
        ActivityRecord.objects.create(office=world.office, person=e.person, enrollment=e,
                                      occurred_at=now - dt.timedelta(days=k), kind="phone",
                                      text=f"電話{k}", author=world.support_staff)
        Review.objects.create(enrollment=e, reviewed_on=clock.today() - dt.timedelta(days=k),
                              evaluation="継続", decision="continue", reviewer=world.caseworker)
    large = _count(client, url)
    assert large == small
    assert large <= 34  # PERSON_PAGE_QUERIES["with_programs"]


def test_guidance_steps_are_on_the_timeline_and_flagged_at_home_for_staff_only(client, world,
                                                                               data):
    from jiritsu.guidance.models import GuidanceCase, GuidanceStep

    e = _person_with_history(data)
    case = GuidanceCase.objects.create(office=world.office, person=e.person,
                                       opened_on=clock.today(), ground="求職活動をしない",
                                       opened_by=world.caseworker)
    GuidanceStep.objects.create(case=case, kind=GuidanceStep.Kind.ORAL_INSTRUCTION,
                                occurred_on=clock.today(), content="週1回の求職活動",
                                given_by=world.caseworker, recorded_by=world.caseworker)
    client.force_login(world.caseworker)
    body = client.get(reverse("people:person", args=[e.person_id])).content.decode()
    assert 'tl-kind">指導指示<' in body and "口頭指導（法27条）" in body
    assert "指導指示 進行中" in client.get(reverse("home")).content.decode()
    client.force_login(world.partner)
    body = client.get(reverse("people:person", args=[e.person_id])).content.decode()
    assert "口頭指導" not in body


# Fixed query counts (not only "does not grow"): the person page reads each part of the file
# and each kind of the timeline once, and skips the four kinds that hang off an enrolment
# for the many people who have never had one. The records' seal column (供覧欄) adds three:
# the seals, the office's casework settings and which records a supervisor reads. The
# medical evidence (with the document each 嘱託医協議 discussed) adds one, and the 保護費・医療扶助
# table (for the office's staff) two: the household's months, the person's claims. The lines
# in the page's head (cases.person_notes) add two: the merges the record took part in, and
# (for staff who may propose a 移管) the person's transfers. The 結果検討会's latest sorting
# of each episode adds one where there are episodes. Before all of it one statement asks which
# of the person's episodes, consents, records, conference decisions and eight registry parts
# exist at all, and the reads of the kinds found empty are skipped: the person "without" (a
# record only, no episode, consent, decision or registry part) saves eleven, the person with
# programs (two of the eight parts) six.
PERSON_PAGE_QUERIES = {"with_programs": 34, "without": 19}


def test_person_page_query_count_is_fixed_at_two_sizes(client, world, data):
    from jiritsu import testing as t

    client.force_login(world.caseworker)
    e = _person_with_history(data)
    hh = t.make_household(world.office, caseworker=world.caseworker, case_number="880001")
    plain = t.make_person(world.office, household=hh, name="記録 太郎", kana="きろく たろう")
    ActivityRecord.objects.create(office=world.office, person=plain, occurred_at=clock.now(),
                                  kind="phone", text="初回の電話", author=world.caseworker)
    urls = {"with_programs": reverse("people:person", args=[e.person_id]),
            "without": reverse("people:person", args=[plain.pk])}
    small = {k: _count(client, u) for k, u in urls.items()}
    now = clock.now()
    for k in range(30):
        for person, enrolment in ((e.person, e), (plain, None)):
            ActivityRecord.objects.create(office=world.office, person=person,
                                          enrollment=enrolment,
                                          occurred_at=now - dt.timedelta(days=k), kind="phone",
                                          text=f"電話{k}", author=world.support_staff)
        Review.objects.create(enrollment=e, reviewed_on=clock.today() - dt.timedelta(days=k),
                              evaluation="継続", decision="continue", reviewer=world.caseworker)
    large = {k: _count(client, u) for k, u in urls.items()}
    assert small == large == PERSON_PAGE_QUERIES


def test_person_file_parts_are_the_related_managers_rows_in_their_order(world):
    """The registry parts are read by statements written once per process: the same rows,
    in the same order, with what select_related gave before, and nobody else's."""
    from django_scopes import scope

    from jiritsu import testing as t
    from jiritsu.cases.person_file import person_file
    from jiritsu.people.models import (
        CareDuty,
        Disability,
        HospitalStay,
        HouseholdTypeChange,
        Illness,
        MedicalEvidence,
        Person,
        Qualification,
        WorkCapacityAssessment,
        WorkHistory,
    )

    p, day = world.person, dt.date(2024, 5, 1)
    other = t.make_person(world.office, household=world.household, name="山田 次郎",
                          kana="やまだ じろう", member_number=2,
                          relationship=Person.Relationship.CHILD)
    for who in (p, other, world.other_person):
        for i in range(2):
            d = day + dt.timedelta(days=40 * i)
            HospitalStay.objects.create(person=who, hospital_name=f"病院{i}", admitted_on=d,
                                        psychiatric=bool(i))
            Disability.objects.create(person=who, kind=("mental", "physical")[i])
            Illness.objects.create(person=who, name=f"傷病{i}", since=d)
            WorkHistory.objects.create(person=who, employer=f"会社{i}", started_on=d)
            Qualification.objects.create(person=who, name=f"資格{i}")
            CareDuty.objects.create(person=who, kind=CareDuty.Kind.NURSING_CARE, detail=f"{i}")
            WorkCapacityAssessment.objects.create(
                person=who, office=who.office, assessed_on=d, has_capacity=True, has_will=bool(i),
                has_place=False, usage=WorkCapacityAssessment.Usage.choices[0][0],
                assessed_by=world.caseworker if i else None)
        first = MedicalEvidence.objects.create(person=who, kind=MedicalEvidence.Kind.choices[0][0],
                                               issued_on=day)
        MedicalEvidence.objects.create(person=who, kind=MedicalEvidence.Kind.choices[0][0],
                                       issued_on=day, based_on=first)
    HouseholdTypeChange.objects.create(household=world.household, household_type="other",
                                       valid_from=day)
    HouseholdTypeChange.objects.create(household=world.household, household_type="elderly",
                                       valid_from=day + dt.timedelta(days=1))

    def fields(rows):
        return [{f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields} for r in rows]

    with scope(office=world.office):
        expected = {
            "stays": list(p.hospital_stays.all()), "disabilities": list(p.disabilities.all()),
            "illnesses": list(p.illnesses.all()), "work_history": list(p.work_history.all()),
            "qualifications": list(p.qualifications.all()), "care_duties": list(p.care_duties.all()),
            "medical_evidence": list(p.medical_evidence.select_related("based_on")),
            "assessments": list(p.assessments.select_related("assessed_by")),
            "type_history": list(world.household.type_history.all()),
            "members": list(Person.objects.filter(household=world.household).order_by("member_number")),
        }
        got: dict[str, Any] = person_file(p)
        with CaptureQueriesContext(connection) as queries:
            for name, rows in expected.items():
                assert fields(got[name]) == fields(rows), name
                assert len(got[name]) == 2, name
            assert [m.based_on_id and m.based_on.issued_on for m in got["medical_evidence"]] == [
                m.based_on_id and m.based_on.issued_on for m in expected["medical_evidence"]]
            assert [a.assessed_by and a.assessed_by.username for a in got["assessments"]] == [
                a.assessed_by and a.assessed_by.username for a in expected["assessments"]]
            assert {s.person.pk for s in got["stays"]} == {p.pk}
            assert {m.household.pk for m in got["members"]} == {world.household.pk}
        assert len(queries) == 0  # related rows came with the parts


def test_kinds_the_person_has_none_of_are_not_read_and_the_timeline_is_the_same(world, data):
    """``person_file`` asks once which of the person's episodes, consents, records and
    conference decisions exist; the querysets of the empty kinds are skipped, and the
    timeline comes out entry for entry as when every kind is read — for staff and partners,
    for people with everything, a record only, or nothing."""
    from django_scopes import scope

    from jiritsu import testing as t
    from jiritsu.cases.person_file import _PARTS as PARTS
    from jiritsu.cases.person_file import person_file
    from jiritsu.cases.timeline import person_timeline

    e = _person_with_history(data)
    hh = t.make_household(world.office, caseworker=world.caseworker, case_number="880002")
    record_only = t.make_person(world.office, household=hh, name="記録 花子", kana="きろく はなこ")
    ActivityRecord.objects.create(office=world.office, person=record_only,
                                  occurred_at=clock.now(), kind="phone", text="初回の電話",
                                  author=world.caseworker)
    nothing = t.make_person(world.office, household=hh, name="無記録 一郎",
                            kana="むきろく いちろう", member_number=2)

    def entries(timeline):
        return [(x.kind, x.on, x.sort_at, x.title, x.body, x.program, x.who, x.details,
                 x.record_id, x.seal_state) for x in timeline["entries"]]

    with scope(office=world.office):
        files: dict[int, Any] = {p.pk: person_file(p) for p in (e.person, record_only, nothing)}
        kinds = ("enrollments", "consents", "records", "decisions")
        assert {k: files[e.person.pk]["present"][k] for k in kinds} == {
            "enrollments": True, "consents": True, "records": True, "decisions": True}
        assert {k: files[record_only.pk]["present"][k] for k in kinds} == {
            "enrollments": False, "consents": False, "records": True, "decisions": False}
        assert not any(files[nothing.pk]["present"].values())
        # The registry parts: present exactly when the person has a row of them, and a part
        # found empty is an empty list, as when it was read.
        for person in (e.person, record_only, nothing):
            for name, rows in PARTS.items():
                has = rows.model.objects.filter(person=person).exists()
                assert files[person.pk]["present"][name] == has, (person.name, name)
                if not has and name in files[person.pk]:
                    assert files[person.pk][name] == []
        assert any(files[e.person.pk]["present"][name] for name in PARTS)
        assert files[nothing.pk]["enrollments"] == [] == files[nothing.pk]["consents"]
        for user in (world.caseworker, world.partner):
            m = world.m(user)
            for person in (e.person, record_only, nothing):
                file = files[person.pk]
                full = person_timeline(person, membership=m)
                with CaptureQueriesContext(connection) as skipped:
                    fast = person_timeline(person, membership=m, present=file["present"])
                with CaptureQueriesContext(connection) as every:
                    person_timeline(person, membership=m)
                assert entries(fast) == entries(full), (user.username, person.name)
                assert fast["kinds_available"] == full["kinds_available"]
                empty = sum(not file["present"][k] for k in ("records", "decisions"))
                if user == world.caseworker:
                    assert len(every) - len(skipped) == empty
        assert entries(person_timeline(e.person, membership=world.m(world.caseworker)))


def test_guidance_steps_read_by_the_statement_are_the_querysets_rows_in_order(world, data):
    """Without a period the timeline's 指導指示 come from a statement written once per process:
    the queryset's rows (the person's cases in the office), newest first, cut at the limit."""
    from django_scopes import scope

    from jiritsu.cases.timeline import TimelineFilter
    from jiritsu.guidance.models import GuidanceCase, GuidanceStep
    from jiritsu.web.guidance_timeline import guidance_entries

    e = _person_with_history(data)
    today = clock.today()
    for person, office, n in ((e.person, world.office, 4), (world.person, world.office, 2),
                              (world.other_person, world.other_office, 2)):
        case = GuidanceCase.objects.create(office=office, person=person, opened_on=today,
                                           ground="求職活動をしない", opened_by=world.caseworker)
        for k in range(n):
            GuidanceStep.objects.create(case=case, kind=GuidanceStep.Kind.ORAL_INSTRUCTION,
                                        occurred_on=today - dt.timedelta(days=k % 2),
                                        content=f"{person.name}{k}", note="メモ" if k else "",
                                        given_by=world.caseworker if k else None,
                                        recorded_by=world.caseworker)

    def entries(rows):
        return [(x.on, x.sort_at, x.title, x.body, x.who, x.details) for x in rows]

    with scope(office=world.office):
        for person in (e.person, world.person):
            expected = [
                (s.occurred_on, s.given_by) for s in GuidanceStep.objects
                .filter(case__person=person).select_related("given_by")
                .order_by("-occurred_on", "-id")]
            with CaptureQueriesContext(connection) as queries:
                got = guidance_entries(person, TimelineFilter(), 200)
            assert len(queries) == 1
            assert [(x.on, x.who) for x in got] == [
                (on, str(by) if by else "") for on, by in expected]
            # the queryset's path (a period asked for) gives the same entries
            far = TimelineFilter(date_from=today - dt.timedelta(days=3650))
            assert entries(guidance_entries(person, far, 200)) == entries(got)
            assert entries(guidance_entries(person, TimelineFilter(), 3)) == entries(got)[:3]
        assert len(guidance_entries(e.person, TimelineFilter(), 200)) == 4
        assert {x.body for x in guidance_entries(world.person, TimelineFilter(), 200)} == {
            f"{world.person.name}0", f"{world.person.name}1"}
    with scope(office=world.other_office):
        # another office's person: only that office's cases
        assert len(guidance_entries(world.other_person, TimelineFilter(), 200)) == 2
