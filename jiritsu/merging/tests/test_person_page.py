"""A merge on the kept person's page: the line in the page's head, the link to the merge record
for those who may open it, the word on undoing until the fiscal-year freeze — and nothing for a
partner, another office, or a person the merge is not about."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.cases.testing import make_consent, refer
from jiritsu.merging import services
from jiritsu.merging.tests.helpers import duplicate_of
from jiritsu.reports.periods import Period
from jiritsu.reports.services import report_freeze

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _page(user, person_pk: int) -> str:
    r = _client(user).get(reverse("people:person", args=[person_pk]))
    assert r.status_code == 200
    return r.content.decode()


@pytest.fixture
def merged(world):
    dup = duplicate_of(world)
    # The partner reaches the person (a referral and a consent naming it).
    refer(world.person, world.partner_org)
    make_consent(world.person, None, partners=[world.partner_org], recorded_by=world.caseworker)
    return services.person_merge(actor=world.m(world.supervisor), survivor=world.person,
                                 merged=dup, reason="再申請による二重登録")


def test_the_supervisor_reads_the_merge_on_the_page_and_opens_its_record(world, merged):
    html = _page(world.supervisor, world.person.pk)
    detail = reverse("merging:detail", args=[merged.pk])
    assert "統合</span>" in html and merged.merged_label in html
    assert "次に年度の報告を確定するまでは取り消せます" in html
    assert f'href="{detail}"' in html
    page = _client(world.supervisor).get(detail)
    assert page.status_code == 200
    body = page.content.decode()
    assert "再申請による二重登録" in body and "統合を取り消す" in body
    # Reading the merge record is a read of both records it names.
    event = AuditEvent.objects.get(action="person.merge_view")
    assert event.person_id == world.person.pk
    assert AuditPerson.objects.filter(event_id=event.pk, person_id=merged.merged_id).exists()


def test_a_caseworker_reads_the_line_without_the_merge_record(world, merged):
    html = _page(world.caseworker, world.person.pk)
    assert merged.merged_label in html
    assert reverse("merging:detail", args=[merged.pk]) not in html
    assert "取り消せます" not in html
    assert _client(world.caseworker).get(
        reverse("merging:detail", args=[merged.pk])).status_code == 403


def test_a_partner_never_sees_a_merge(world, merged):
    html = _page(world.partner, world.person.pk)
    assert world.person.name in html
    assert merged.merged_label not in html and "統合" not in html
    assert _client(world.partner).get(
        reverse("merging:detail", args=[merged.pk])).status_code == 403


def test_another_office_reaches_neither_the_page_nor_the_merge(world, merged):
    other_sv = t.make_user(world.other_office, "supervisor", username="sv_other")
    c = _client(other_sv)
    assert c.get(reverse("people:person", args=[world.person.pk])).status_code == 404
    assert c.get(reverse("merging:detail", args=[merged.pk])).status_code == 404
    # Its own people carry no line about the first office's merge.
    assert merged.merged_label not in _page(other_sv, world.other_person.pk)


def test_a_person_the_merge_is_not_about_has_no_line(world, merged):
    other = t.make_person(world.office, name="無関係 三郎", kana="むかんけい さぶろう")
    assert merged.merged_label not in _page(world.supervisor, other.pk)


def test_after_the_freeze_the_line_says_the_merge_stays(world, merged):
    report_freeze(actor=world.m(world.manager), period=Period.for_fiscal_year(2025))
    html = _page(world.manager, world.person.pk)
    assert "を確定したため、取り消せません" in html and "取り消せます。" not in html
    body = _client(world.manager).get(reverse("merging:detail", args=[merged.pk])).content.decode()
    assert "統合を取り消す" not in body


def test_an_unmerge_shows_on_both_records(world, merged):
    restored = services.person_unmerge(actor=world.m(world.manager), merge=merged,
                                       reason="別人と判明")
    kept = _page(world.supervisor, world.person.pk)
    assert "統合の取消し</span>" in kept and "取り消して戻しました" in kept
    back = _page(world.caseworker, restored.pk)
    assert "統合の取消しで戻りました" in back and merged.survivor_label in back


def _fields(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def test_the_pages_merges_are_the_querysets_rows_in_order(world, merged):
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from jiritsu.merging.access import merges_about
    from jiritsu.merging.models import PersonMerge

    restored = services.person_unmerge(actor=world.m(world.manager), merge=merged,
                                       reason="別人と判明")
    again = PersonMerge.objects.create(office=world.office, survivor_id=world.person.pk,
                                       survivor_label="残", merged_id=restored.pk + 1000,
                                       merged_label="別の記録", reason="二重登録",
                                       merged_by=world.supervisor)
    # Another office's merge naming the same ids must not be read.
    PersonMerge.objects.create(office=world.other_office, survivor_id=world.person.pk,
                               survivor_label="他", merged_id=restored.pk, merged_label="他",
                               reason="他の事務所", merged_by=world.outsider)
    m = world.m(world.supervisor)

    def expected(person) -> list[PersonMerge]:
        return list(PersonMerge.objects.filter(office=world.office)
                    .filter(Q(survivor_id=person.pk) | Q(merged_id=person.pk))
                    .select_related("merged_by", "undone_by").order_by("merged_at", "id"))

    with CaptureQueriesContext(connection) as queries:
        got = merges_about(m, world.person)
        people = [(str(x.merged_by), str(x.undone_by) if x.undone_by else None) for x in got]
    assert len(queries) == 1  # who merged and who undid came with the rows
    assert [x.pk for x in got] == [merged.pk, again.pk]  # oldest first
    assert [_fields(x) for x in got] == [_fields(x) for x in expected(world.person)]
    assert people == [(str(world.supervisor), str(world.manager)), (str(world.supervisor), None)]
    assert [x.pk for x in merges_about(m, restored)] == [merged.pk]
    assert merges_about(world.m(world.partner), world.person) == []
    assert merges_about(m, world.other_person) == []
