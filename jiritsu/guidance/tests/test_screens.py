"""Guidance screens through the test client: board, case page, forms, refusals, access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep
from jiritsu.guidance.tests.helpers import Walker, days_ago

pytestmark = pytest.mark.django_db


def iso(d: dt.date) -> str:
    return d.isoformat()


def test_supervisor_board_shows_next_lawful_step_and_its_deadline(client, world):
    walk = Walker(world, required=2)
    walk.oral()
    walk.conference()
    w = walk.written(deadline_in=10)
    walk.deliver(w)
    assert w.deadline is not None
    client.force_login(world.supervisor)
    resp = client.get(reverse("guidance:board"))
    body = resp.content.decode()
    assert resp.status_code == 200
    assert world.person.name in body
    assert "履行期限経過後の不履行の確認" in body
    from jiritsu.core.wareki import format_wareki

    assert format_wareki(w.deadline + dt.timedelta(days=1)) in body
    assert "期日経過" in body  # the deadline is in the past


def test_board_query_count_does_not_grow_with_cases(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiritsu import testing as t

    client.force_login(world.supervisor)

    def add_cases(n: int) -> int:
        for _ in range(n):
            hh = t.make_household(world.office, caseworker=world.caseworker)
            p = t.make_person(world.office, household=hh)
            GuidanceCase.objects.create(office=world.office, person=p, opened_on=days_ago(10),
                                        ground="事情", opened_by=world.caseworker)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("guidance:board")).status_code == 200
        return len(ctx)

    add_cases(0)  # warm up: settings row created, session loaded
    assert add_cases(1) == add_cases(6)


def test_case_page_offers_only_the_next_lawful_steps(client, world):
    walk = Walker(world)
    client.force_login(world.caseworker)
    body = client.get(reverse("guidance:case", args=[walk.case.pk])).content.decode()
    assert "法27条による口頭指導（査察指導員同席）" in body
    assert "文書による指導指示（指導指示書）" not in body
    assert "弁明の機会の付与通知（書面）" not in body
    assert AuditEvent.objects.filter(action="guidance.case_view", person_id=world.person.pk).exists()


def test_oral_instruction_form_refusal_is_shown_beside_the_form(client, world):
    walk = Walker(world)
    client.force_login(world.caseworker)
    url = reverse("guidance:case_step", args=[walk.case.pk, "oral_instruction"])
    resp = client.post(url, {"oral_instruction-occurred_on": iso(days_ago(150)),
                             "oral_instruction-content": "求職活動をすること"})
    assert resp.status_code == 200
    assert "査察指導員の同席が必要です" in resp.content.decode()
    assert not GuidanceStep.objects.exists()
    resp = client.post(url, {"oral_instruction-occurred_on": "R8.1.1",
                             "oral_instruction-content": "求職活動をすること",
                             "oral_instruction-supervisor_present": world.supervisor.pk})
    # 令和8年1月1日 is before the case opened (day -200) unless today is early in the year
    step = GuidanceStep.objects.filter(kind="oral_instruction").first()
    if step is None:
        assert "さかのぼって" in resp.content.decode()
    resp = client.post(url, {"oral_instruction-occurred_on": iso(days_ago(150)),
                             "oral_instruction-content": "求職活動をすること",
                             "oral_instruction-supervisor_present": world.supervisor.pk})
    assert resp.status_code == 302
    assert GuidanceStep.objects.filter(kind="oral_instruction").count() == 1


def test_posting_a_step_that_is_not_yet_lawful_changes_nothing(client, world):
    walk = Walker(world)
    client.force_login(world.caseworker)
    url = reverse("guidance:case_step", args=[walk.case.pk, "written_instruction"])
    resp = client.post(url, {"written_instruction-occurred_on": iso(days_ago(100)),
                             "written_instruction-content": "内容",
                             "written_instruction-reason": "理由",
                             "written_instruction-deadline": iso(days_ago(80))}, follow=True)
    assert "この手続は現在記録できません" in resp.content.decode()
    assert not GuidanceStep.objects.exists()


def test_whole_track_through_the_screens_ends_with_the_manager(client, world):
    walk = Walker(world, required=1)
    walk.to_hearing()
    walk.conference("sanction")
    client.force_login(world.supervisor)
    key = "decision"
    url = reverse("guidance:case_step", args=[walk.case.pk, key])
    today = days_ago(0)
    resp = client.post(url, {f"{key}-occurred_on": iso(today), f"{key}-decision_kind": "suspend",
                             f"{key}-effective_on": iso(today + dt.timedelta(days=7)),
                             f"{key}-reason": "指示に従わないため",
                             f"{key}-standard_applied": "処分基準"})
    assert resp.status_code == 302
    draft = GuidanceStep.objects.get(kind="decision")
    # The supervisor is not offered the approval form; the manager is.
    body = client.get(reverse("guidance:case", args=[walk.case.pk])).content.decode()
    assert not re.search(r'name="[^"]*approve"', body)
    client.force_login(world.manager)
    body = client.get(reverse("guidance:case", args=[walk.case.pk])).content.decode()
    assert "法62条の決定の決裁" in body
    assert re.search(r'name="[^"]*approve"', body) and "差戻し" in body
    akey = f"approve-{draft.pk}"
    resp = client.post(reverse("guidance:case_step", args=[walk.case.pk, akey]),
                       {f"{akey}-approve": "1", f"{akey}-comment": "決裁"})
    assert resp.status_code == 302
    draft.refresh_from_db()
    assert draft.approval == "approved"
    resp = client.get(reverse("guidance:document", args=[draft.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="guidance.document_export", actor_id=world.manager.pk,
                                     target_id=str(draft.pk)).exists()


def test_other_office_gets_404_for_case_step_and_document(client, world):
    walk = Walker(world, required=1)
    walk.oral()
    walk.conference()
    w = walk.written()
    client.force_login(world.outsider)
    assert client.get(reverse("guidance:case", args=[walk.case.pk])).status_code == 404
    assert client.get(reverse("guidance:case", args=[999999])).status_code == 404
    assert client.get(reverse("guidance:document", args=[w.pk])).status_code == 404
    assert client.post(reverse("guidance:case_step", args=[walk.case.pk, "compliance"]),
                       {"compliance-occurred_on": iso(days_ago(0)),
                        "compliance-note": "x"}).status_code == 404
    assert client.get(reverse("guidance:person", args=[world.person.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="guidance.document_export").exists()
    assert GuidanceCase.objects.get(pk=walk.case.pk).status == "open"


@pytest.mark.parametrize(("persona", "status"), [
    ("caseworker", 200), ("supervisor", 200), ("manager", 200),
    ("support_staff", 403), ("partner", 403), ("admin", 403),
])
def test_board_permission_matrix(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("guidance:board")).status_code == status


@pytest.mark.parametrize(("persona", "status"), [
    ("caseworker", 403), ("supervisor", 403), ("manager", 200), ("admin", 200),
])
def test_settings_page_is_for_manager_and_admin(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("guidance:settings")).status_code == status


def test_manager_sets_the_kiyosu_template_and_it_is_audited(client, world):
    client.force_login(world.manager)
    client.get(reverse("guidance:settings"))
    settings = GuidanceSettings.objects.get(office=world.office)
    resp = client.post(reverse("guidance:settings"), {
        "version": settings.version, "required_written_instructions": 2, "min_notice_days": 7,
        "office_head_title": "清洲市福祉事務所長", "appeal_authority": "愛知県知事",
        "appeal_period_months": 3, "sanction_standard": "基準"})
    assert resp.status_code == 302
    settings.refresh_from_db()
    assert settings.required_written_instructions == 2 and settings.appeal_authority == "愛知県知事"
    assert AuditEvent.objects.filter(action="guidance.settings_update").exists()
    resp = client.post(reverse("guidance:settings"), {
        "version": settings.version, "required_written_instructions": 2, "min_notice_days": 7,
        "office_head_title": "清洲市福祉事務所長", "appeal_authority": "愛知県知事",
        "appeal_period_months": 2, "sanction_standard": "基準"})
    assert resp.status_code == 200  # 2 months is below the statutory 3


def test_person_page_opens_a_case(client, world):
    client.force_login(world.caseworker)
    url = reverse("guidance:person", args=[world.person.pk])
    assert "指導指示を開始する" in client.get(url).content.decode()
    resp = client.post(url, {"opened_on": iso(days_ago(3)),
                             "ground_category": "work_capacity", "ground": "求職活動をしない"})
    case = GuidanceCase.objects.get(person=world.person)
    assert resp.status_code == 302 and resp["Location"] == reverse("guidance:case", args=[case.pk])
