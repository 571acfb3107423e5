"""Medical evidence (医療要否意見書, レセプト, 病状調査, 主治医への照会, 受療状況, 嘱託医協議):
recorded on the person through the part services, screens and API, its due dates from the
office's validity, the due list on the caseworker's home and work list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.casework.worklist import work_list
from jiritsu.core.errors import Forbidden, ValidationFailed
from jiritsu.people import evidence, services
from jiritsu.people.models import EvidenceValidity, MedicalEvidence

pytestmark = pytest.mark.django_db

TODAY = "2026-06-10 09:00"
D = dt.date


def add(world, person=None, actor=None, **data):
    data.setdefault("kind", "opinion")
    data.setdefault("issued_on", D(2026, 1, 5))
    return services.part_create(actor=world.m(actor or world.caseworker),
                                person=person or world.person, kind="evidence", data=data)


# ---------------------------------------------------------------- services


def test_opinion_gets_the_default_six_month_due_date_and_is_audited(japan_time, world):
    japan_time(TODAY)
    e = add(world, issuer="こころ病院 山田医師", care_setting="outpatient",
            hospitalisation="not_required", work="limited", work_limits="軽作業のみ")
    assert e.next_due_on == D(2026, 7, 5) and e.recorded_by == world.caseworker
    ev = AuditEvent.objects.get(action="medical_evidence.create")
    assert ev.person_id == world.person.pk
    # A kind without a validity of its own has no due date; an explicit date wins.
    assert add(world, kind="receipt").next_due_on is None
    assert add(world, next_due_on=D(2026, 3, 31)).next_due_on == D(2026, 3, 31)


def test_the_office_sets_validity_per_kind_and_only_for_itself(japan_time, world):
    japan_time(TODAY)
    services.evidence_validity_update(actor=world.m(world.manager),
                                      months={"opinion": 3, "condition_survey": 12})
    assert add(world).next_due_on == D(2026, 4, 5)
    assert add(world, kind="condition_survey").next_due_on == D(2027, 1, 5)
    assert evidence.validity_months(world.other_office, "opinion") == 6
    assert AuditEvent.objects.filter(action="evidence_validity.update").count() == 1
    services.evidence_validity_update(actor=world.m(world.manager), months={"opinion": None})
    assert not EvidenceValidity.objects.filter(office=world.office, kind="opinion").exists()
    with pytest.raises(Forbidden):
        services.evidence_validity_update(actor=world.m(world.caseworker), months={"opinion": 1})
    with pytest.raises(ValidationFailed) as exc:
        services.evidence_validity_update(actor=world.m(world.manager), months={"opinion": 99})
    assert exc.value.code == "evidence.validity"


def test_future_dates_and_due_dates_before_the_document_are_refused(japan_time, world):
    japan_time(TODAY)
    with pytest.raises(ValidationFailed) as exc:
        add(world, issued_on=D(2026, 6, 11))
    assert exc.value.code == "future_date" and exc.value.field == "issued_on"
    with pytest.raises(ValidationFailed) as exc:
        add(world, next_due_on=D(2025, 12, 31))
    assert exc.value.code == "evidence.due_before_issue"
    assert not MedicalEvidence.objects.exists()


def test_a_consultation_discusses_evidence_of_the_same_person(japan_time, world):
    japan_time(TODAY)
    opinion = add(world, discharge="if_supported")
    other = t.make_person(world.office, household=world.household, member_number=2)
    theirs = add(world, person=other)
    consult = add(world, kind="consultation", issued_on=D(2026, 2, 1), based_on=opinion,
                  question="退院の可否", discharge="possible", issuer="嘱託医 佐々木")
    assert consult.based_on == opinion and list(opinion.consultations.all()) == [consult]
    for bad in ({"based_on": theirs}, {"based_on": opinion, "issued_on": D(2026, 1, 1)},
                {"based_on": opinion, "kind": "receipt"}):
        with pytest.raises(ValidationFailed) as exc:
            add(world, **{"kind": "consultation", "issued_on": D(2026, 2, 1), **bad})
        assert exc.value.code == "evidence.based_on"


def test_due_list_leaves_out_replaced_far_off_and_other_offices_evidence(japan_time, world):
    japan_time(TODAY)
    due = add(world, issued_on=D(2025, 12, 12))  # due 2026-06-12: this week
    other = t.make_person(world.office, household=world.household, member_number=2)
    add(world, person=other, issued_on=D(2025, 12, 1))  # due 2026-06-01: overdue…
    add(world, person=other, issued_on=D(2026, 5, 30))  # …but replaced by a newer one
    far = t.make_person(world.office, household=world.household, member_number=3)
    add(world, person=far, issued_on=D(2026, 3, 1))  # due in September
    add(world, person=far, kind="receipt", issued_on=D(2025, 1, 1))  # no due date
    b = world.other_office
    t.make_household(b)
    services.part_create(actor=world.m(world.outsider, b), person=world.other_person,
                         kind="evidence", data={"kind": "opinion", "issued_on": D(2025, 12, 12)})
    rows = evidence.evidence_due(
        [world.person.pk, other.pk, far.pk], today=D(2026, 6, 10), until=D(2026, 6, 16))
    assert [r.evidence for r in rows] == [due]


def test_due_list_edges_order_and_one_statement(japan_time, world):
    """The due list's statement at its edges: due today and due on the window's last day
    are in, the day after is not; a date filled from the office's validity table counts
    like one written by hand; evidence of the same date recorded later replaces the
    earlier one, another kind does not; one due day is ordered by kana, then as recorded;
    a person outside any household is listed too (the joins are outer). A caseload's ids
    are one statement, a queryset of people one more (its ids), no people none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiritsu.people.models import Person

    japan_time(TODAY)
    services.evidence_validity_update(actor=world.m(world.manager),
                                      months={"condition_survey": 3})

    def person(kana, **kw):
        kw.setdefault("household", world.household)
        return t.make_person(world.office, kana=kana, **kw)

    ka, a = person("かとう"), person("あおき")
    due_today_ka = add(world, person=ka, issued_on=D(2025, 12, 10))  # 6 months: 2026-06-10
    due_today_a = add(world, person=a, issued_on=D(2025, 12, 10))
    last_day = add(world, kind="condition_survey", issued_on=D(2026, 3, 16))  # the table: 06-16
    assert last_day.next_due_on == D(2026, 6, 16)
    add(world, person=person("さとう"), issued_on=D(2025, 12, 17))  # 06-17: after the window
    twice = person("たなか")
    add(world, person=twice, issued_on=D(2025, 12, 1), next_due_on=D(2026, 6, 1))
    later = add(world, person=twice, issued_on=D(2025, 12, 1), next_due_on=D(2026, 6, 5))
    kinds = person("なかむら")
    opinion = add(world, person=kinds, issued_on=D(2025, 11, 20))  # 05-20: overdue
    add(world, person=kinds, kind="receipt", issued_on=D(2026, 6, 1))  # no due date
    alone = person("はやし", household=None)
    outside = add(world, person=alone, issued_on=D(2025, 12, 12), next_due_on=D(2026, 6, 12))
    ids = [world.person.pk, ka.pk, a.pk, twice.pk, kinds.pk, alone.pk]
    ids += list(Person.objects.filter(kana="さとう").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as one:
        rows = evidence.evidence_due(ids + [ka.pk + 10_000], today=D(2026, 6, 10),
                                     until=D(2026, 6, 16))
        names = [(r.person.name, r.person.household and r.person.household.case_number)
                 for r in rows]
    assert len(one) == 1
    assert [r.evidence for r in rows] == [opinion, later, due_today_a, due_today_ka, outside,
                                          last_day]
    assert [r.overdue for r in rows] == [True, True, False, False, False, False]
    assert names[4] == (alone.name, None)
    household = rows[0].person.household
    assert household is not None and household.caseworker == world.caseworker

    with CaptureQueriesContext(connection) as two:
        again = evidence.evidence_due(Person.objects.filter(pk__in=ids), today=D(2026, 6, 10),
                                      until=D(2026, 6, 16))
    assert len(two) == 2 and [r.evidence for r in again] == [r.evidence for r in rows]
    with CaptureQueriesContext(connection) as none:
        assert evidence.evidence_due([], today=D(2026, 6, 10), until=D(2026, 6, 16)) == []
    assert len(none) == 0


# ---------------------------------------------------------------- screens


def test_person_page_form_and_parts_list(client, japan_time, world):
    japan_time(TODAY)
    client.force_login(world.caseworker)
    url = reverse("people:part_add", args=[world.person.pk, "evidence"])
    form = client.get(url + "?kind=opinion&issuer=こころ病院")
    assert form.status_code == 200 and "こころ病院" in form.content.decode()
    bad = client.post(url, {"kind": "opinion", "issued_on": "2026-07-01"})
    assert bad.status_code == 200 and "未来の日付" in bad.content.decode()
    resp = client.post(url, {"kind": "opinion", "issued_on": "R8.1.5", "issuer": "こころ病院 山田医師",
                             "care_setting": "inpatient", "discharge": "if_supported",
                             "work": "limited", "work_limits": "1日4時間まで"})
    assert resp.status_code == 302
    e = MedicalEvidence.objects.get(person=world.person)
    assert e.next_due_on == D(2026, 7, 5)
    page = client.get(reverse("people:person", args=[world.person.pk])).content.decode()
    for text in ("医療要否意見書", "受入条件が整えば退院可能", "制限：1日4時間まで", "こころ病院 山田医師"):
        assert text in page
    assert "if_supported" not in page and "limited" not in page
    parts = client.get(reverse("people:parts", args=[world.person.pk])).content.decode()
    assert "医学的な根拠" in parts
    edit = reverse("people:part_edit", args=[world.person.pk, "evidence", e.pk])
    assert client.post(edit, {"kind": "opinion", "issued_on": "2026-01-05", "version": 1,
                              "hospitalisation": "required"}).status_code == 302
    e.refresh_from_db()
    assert e.hospitalisation == "required" and e.version == 2
    assert AuditEvent.objects.filter(action="medical_evidence.update").count() == 1


def test_another_offices_person_cannot_be_given_evidence(client, world):
    client.force_login(world.caseworker)
    url = reverse("people:part_add", args=[world.other_person.pk, "evidence"])
    assert client.post(url, {"kind": "opinion", "issued_on": "2026-01-05"}).status_code == 404
    assert not MedicalEvidence.objects.exists()


def test_caseworker_home_and_work_list_show_opinions_falling_due(client, japan_time, world):
    japan_time(TODAY)
    add(world, issued_on=D(2025, 12, 12), issuer="こころ病院")
    other_cw_household = t.make_household(world.office, caseworker=world.caseworker2)
    theirs = t.make_person(world.office, household=other_cw_household, name="別担当 花子")
    add(world, person=theirs, issued_on=D(2025, 12, 12))
    client.force_login(world.caseworker)
    home = client.get(reverse("home")).content.decode()
    assert "医療要否意見書の更新" in home and world.person.name in home
    assert "別担当 花子" not in home
    wl = work_list(world.m(world.caseworker), today=D(2026, 6, 10))
    lines = [i for i in wl.items if i.kind == "opinion"]
    assert len(lines) == 1 and wl.counts["opinion"] == 1
    assert lines[0].due_on == D(2026, 6, 12)
    assert lines[0].url.startswith(reverse("people:part_add", args=[world.person.pk, "evidence"]))
    assert client.get(lines[0].url).status_code == 200
    assert work_list(world.m(world.caseworker), today=D(2026, 6, 10), window="today").counts.get(
        "opinion", 0) == 0
    page = client.get(reverse("casework:worklist")).content.decode()
    assert "意見書などの期限" in page and "医療要否意見書の更新" in page


def test_office_validity_is_set_on_the_casework_settings_page(client, world):
    client.force_login(world.manager)
    url = reverse("casework:settings")
    assert "医学的な根拠の有効期間" in client.get(url).content.decode()
    bad = client.post(url, {"form": "evidence", "validity_opinion": "99"})
    assert "0〜60か月" in bad.content.decode()
    assert client.post(url, {"form": "evidence", "validity_opinion": "3"}).status_code == 302
    assert evidence.validity_months(world.office, "opinion") == 3


def test_takehara_consultation_recorded_as_evidence_is_the_yearly_step(japan_time, world):
    """竹原's 嘱託医協議 (and 病状調査) recorded with their result count as the cycle's step."""
    from jiritsu.activities import selectors as activity_selectors
    from jiritsu.activities import services as activity_services
    from jiritsu.cases import services as case_services
    from jiritsu.people.models import HospitalStay

    japan_time("2026-07-01 09:00")
    program = activity_services.program_instantiate_template(
        actor=world.m(world.manager), template_code="takehara_discharge", overrides={})
    on_ledger = t.make_person(world.office, household=world.household, member_number=2,
                              name="竹原 入院")
    HospitalStay.objects.create(person=on_ledger, hospital_name="精神科病院", psychiatric=True,
                                admitted_on=D(2024, 1, 1))
    case_services.ledger_save(actor=world.m(world.caseworker), program=program,
                              as_of=D(2026, 4, 1))
    survey = add(world, person=on_ledger, kind="condition_survey", issued_on=D(2026, 6, 5),
                 finding="症状安定")
    add(world, person=on_ledger, kind="consultation", issued_on=D(2026, 6, 20),
        based_on=survey, question="支援対象者としての可否", discharge="if_supported",
        issuer="嘱託医 佐々木")
    add(world, kind="consultation", issued_on=D(2026, 6, 20))  # not on the ledger
    cycle = activity_selectors.yearly_cycle(program, 2026, today=D(2026, 7, 1))
    states = {x.code: (x.done, x.total) for x in cycle["tasks"]}
    assert states["condition_survey"] == (1, 1) and states["doctor_consultation"] == (1, 1)
