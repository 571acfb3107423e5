"""The voluntary line in data: a guidance case rests on one of the duties 法27条 guidance may
concern (GuidanceCase.Ground), never on a voluntary 自立支援プログラム (法27条の2, 55条の7);
no ground, instruction or reason may order participation in one."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from jiritsu.core.errors import ValidationFailed
from jiritsu.guidance import services as s
from jiritsu.guidance.models import GuidanceCase, GuidanceStep
from jiritsu.guidance.tests.helpers import Walker, days_ago
from jiritsu.programs.testing import make_program
from jiritsu.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db
G = GuidanceCase.Ground


def _open(world, ground: str, category: str = G.WORK) -> GuidanceCase:
    return s.guidance_case_open(actor=world.m(world.caseworker), person=world.person,
                                opened_on=days_ago(3), ground_category=category, ground=ground)


def test_the_grounds_are_the_duties_and_a_case_needs_one(world):
    assert {g.value for g in GuidanceCase.OPENING_GROUNDS} == {
        "work_capacity", "medical_care", "household_maintenance", "assets", "other_benefits",
        "reporting"}
    for category in ("", "legacy", "program_refusal"):
        with pytest.raises(ValidationFailed) as exc:
            _open(world, "求職活動をしていない。", category)
        assert (exc.value.code, exc.value.field) == ("guidance.ground_category_missing",
                                                     "ground_category")
    case = _open(world, "通院を中断している。", G.MEDICAL)
    assert case.get_ground_category_display() == "医療の受診・療養（健康の保持・増進）"


def test_declining_a_voluntary_program_is_never_a_ground(world):
    make_program(world.office, name="就労意欲喚起等支援事業")
    for text in ("自立支援プログラムへの参加を拒否したため。",
                 "就労意欲喚起等支援事業を辞退した。"):
        with pytest.raises(ValidationFailed) as exc:
            _open(world, text)
        assert (exc.value.code, exc.value.field) == ("guidance.voluntary_program", "ground")
        assert "法27条の2" in exc.value.message and "理由になりません" in exc.value.message
    assert not GuidanceCase.objects.exists()


def test_an_instruction_cannot_order_a_voluntary_program(world):
    make_program(world.office, name="就労意欲喚起等支援事業")
    walk = Walker(world, required=1)
    with pytest.raises(ValidationFailed) as exc:
        s.guidance_oral_instruction_record(
            actor=walk.cw, case=walk.case, occurred_on=walk.next(),
            content="就労意欲喚起等支援事業に参加すること。", supervisor_present=world.supervisor)
    assert (exc.value.code, exc.value.field) == ("guidance.voluntary_program", "content")
    walk.oral()
    walk.conference("instruction")
    with pytest.raises(ValidationFailed) as exc:
        s.guidance_written_instruction_issue(
            actor=walk.cw, case=walk.case, occurred_on=walk.next(),
            content="ハローワークで求職登録すること。",
            reason="自立支援プログラムに参加しないため。", deadline=days_ago(0))
    assert (exc.value.code, exc.value.field) == ("guidance.voluntary_program", "reason")
    assert not GuidanceStep.objects.filter(kind="written_instruction").exists()
    walk.written()  # an instruction about the person's own duty goes through


def test_grounds_on_the_screen_and_the_api(client, world):
    client.force_login(world.caseworker)
    url = reverse("guidance:person", args=[world.person.pk])
    page = client.get(url).content.decode()
    assert "指導の根拠となる義務" in page and "稼働能力の活用（勤労・求職活動）" in page
    assert "未分類" not in page
    resp = client.post(url, {"opened_on": days_ago(1).isoformat(),
                             "ground_category": "work_capacity",
                             "ground": "自立支援プログラムへの参加を断った。"})
    assert resp.status_code == 200
    assert "参加を指導指示することはできず" in resp.content.decode()
    api = ApiClient(token_for(world, world.caseworker))
    body = {"person_id": world.person.pk, "opened_on": days_ago(1).isoformat(),
            "ground": "自立支援プログラムへの参加を断った。"}
    r = api.post("guidance/cases", body)
    assert r.status_code == 422 and r.json()["error"]["field"] == "ground_category"
    r = api.post("guidance/cases", body | {"ground_category": "legacy"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "ground_category"
    r = api.post("guidance/cases", body | {"ground_category": "work_capacity"})
    assert r.status_code == 422
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
        "guidance.voluntary_program", "ground")
    assert not GuidanceCase.objects.exists()


def test_existing_cases_are_mapped_to_a_duty_or_kept_as_legacy(world):
    migration = importlib.import_module("jiritsu.guidance.migrations.0002_case_ground_category")
    texts = {"稼働能力があるのに求職活動をしない": "work_capacity",
             "通院を自己判断で中断している": "medical_care",
             "就労支援プログラムを辞退した": "legacy",
             "本人と面談した": "legacy"}
    cases = {}
    for text in texts:
        cases[text] = GuidanceCase.objects.create(office=world.office, person=world.person,
                                                  opened_on=days_ago(9), ground=text,
                                                  opened_by=world.caseworker,
                                                  status="closed", closed_on=days_ago(8),
                                                  closed_reason="ended")
    migration.categorise(apps, None)
    for text, expected in texts.items():
        cases[text].refresh_from_db()
        assert cases[text].ground_category == expected
    legacy = cases["本人と面談した"]
    client_page = legacy.get_ground_category_display()
    assert client_page == "未分類（区分の導入前に開始した指導）"
