"""The merge screens: who reaches them, what they show, and the merge and unmerge forms."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.merging.models import NotDuplicate, PersonMerge
from jiritsu.merging.tests.helpers import duplicate_of
from jiritsu.people.models import Person
from jiritsu.reports.periods import Period
from jiritsu.reports.services import report_freeze

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_supervisor_sees_the_candidates_compares_and_merges(world):
    dup = duplicate_of(world)
    c = _client(world.supervisor)
    page = c.get(reverse("merging:candidates"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "高橋　吉子" in html and "氏名が一致（異体字・全角半角・空白の違いのみ）" in html
    assert "住所が一致" in html
    url = reverse("merging:compare", args=[world.person.pk, dup.pk])
    page = c.get(url)
    assert page.status_code == 200 and "統合の理由" in page.content.decode()
    assert AuditEvent.objects.filter(action="person.compare", person_id=dup.pk).exists()
    # The reason is required: the message stands next to the field, nothing changes.
    page = c.post(url, {"action": "merge", "keep": "first", "reason": ""})
    assert page.status_code == 200
    assert "統合の理由を入力してください。" in page.content.decode()
    assert Person.objects.filter(pk=dup.pk).exists()
    page = c.post(url, {"action": "merge", "keep": "first", "reason": "再申請による二重登録"})
    assert page.status_code == 302 and page["Location"] == reverse("people:person",
                                                                  args=[world.person.pk])
    assert not Person.objects.filter(pk=dup.pk).exists()
    assert c.get(reverse("merging:candidates")).content.decode().count("比較する") == 0


def test_the_manager_undoes_a_merge_until_the_fiscal_year_freeze(world):
    dup = duplicate_of(world)
    c = _client(world.manager)
    c.post(reverse("merging:compare", args=[world.person.pk, dup.pk]),
           {"action": "merge", "keep": "second", "reason": "二重登録"})
    merge = PersonMerge.objects.get()
    assert merge.survivor_id == dup.pk
    history = c.get(reverse("merging:history")).content.decode()
    assert "取り消す" in history and merge.merged_label in history
    url = reverse("merging:unmerge", args=[merge.pk])
    assert "取消しの理由を入力してください。" in c.post(url, {"reason": ""}).content.decode()
    assert c.post(url, {"reason": "別人と判明"}).status_code == 302
    assert Person.objects.filter(pk=world.person.pk).exists()
    # A second merge, then the fiscal year is frozen: no more undoing.
    c.post(reverse("merging:compare", args=[world.person.pk, dup.pk]),
           {"action": "merge", "keep": "first", "reason": "やはり同一人物"})
    report_freeze(actor=world.m(world.manager), period=Period.for_fiscal_year(2025))
    latest = PersonMerge.objects.filter(undone_at__isnull=True).get()
    assert "確定後のため取り消せません" in c.get(reverse("merging:history")).content.decode()
    page = c.post(reverse("merging:unmerge", args=[latest.pk]), {"reason": "取消し"})
    assert "取り消せません" in page.content.decode()
    assert not Person.objects.filter(pk=dup.pk).exists()


def test_dismissing_a_pair(world):
    dup = duplicate_of(world)
    c = _client(world.supervisor)
    page = c.post(reverse("merging:compare", args=[world.person.pk, dup.pk]),
                  {"action": "dismiss", "note": "別人"})
    assert page.status_code == 302
    assert NotDuplicate.objects.filter(office=world.office).count() == 1
    assert "重複の候補はありません" in c.get(reverse("merging:candidates")).content.decode()


@pytest.mark.parametrize("role", ["caseworker", "support_staff", "partner", "admin"])
def test_other_roles_and_partners_never_see_a_candidate(world, role):
    dup = duplicate_of(world)
    c = _client(getattr(world, role))
    for url in (reverse("merging:candidates"), reverse("merging:history"),
                reverse("merging:compare", args=[world.person.pk, dup.pk])):
        assert c.get(url).status_code == 403
    assert "重複の確認" not in c.get(reverse("home")).content.decode()


def test_another_offices_people_and_merges_answer_404(world):
    dup = duplicate_of(world)
    merge_c = _client(world.supervisor)
    merge_c.post(reverse("merging:compare", args=[world.person.pk, dup.pk]),
                 {"action": "merge", "keep": "first", "reason": "二重登録"})
    merge = PersonMerge.objects.get()
    from jiritsu import testing as t

    other_sv = t.make_user(world.other_office, "supervisor")
    c = _client(other_sv)
    assert c.get(reverse("merging:compare", args=[world.person.pk,
                                                  world.other_person.pk])).status_code == 404
    assert c.get(reverse("merging:unmerge", args=[merge.pk])).status_code == 404
    assert c.post(reverse("merging:unmerge", args=[merge.pk]),
                  {"reason": "x"}).status_code == 404
    assert merge.survivor_label not in c.get(reverse("merging:history")).content.decode()
