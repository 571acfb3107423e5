"""The retention screen and API: who sees the due list (audited), setting periods with the
refusal beside the field, a request decided in the 決裁 inbox, and another office's probes."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.test import Client

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.people.models import Household
from jiritsu.retention.models import DeletionBatch
from jiritsu.retention.tests.conftest import Files


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_due_list_is_for_supervisors_and_administrators_and_is_audited(
        files: Files, world: Any) -> None:
    page = client_for(world.supervisor).get("/manage/retention/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "200001" in html and "200002" not in html  # the due household, not the kept one
    assert "添付書類（ファイルを含む）" in html and "削除を起案して決裁に回す" in html
    viewed = AuditEvent.objects.get(action="retention.due_view")
    assert viewed.actor_id == world.supervisor.pk and viewed.changes["households"] == 1
    assert client_for(world.admin).get("/manage/retention/").status_code == 200
    for user in (world.caseworker, world.support_staff, world.partner):
        assert client_for(user).get("/manage/retention/").status_code == 403
    # The other office's staff see their own office's list only.
    other_sv = t.make_user(world.other_office, "supervisor", username="sv_b")
    html_b = client_for(other_sv).get("/manage/retention/").content.decode()
    assert "200001" in html_b  # their own household with the same case number …
    assert str(files.due.household.pk) not in [
        str(pk) for pk in DeletionBatch.objects.values_list("household_ids", flat=True)]


def test_periods_on_the_screen_with_the_refusal_beside_the_field(files: Files, world: Any) -> None:
    c = client_for(world.admin)
    bad = c.post("/manage/retention/periods/", {
        "case_record": "5", "program": "5", "guidance": "5", "approval": "5",
        "attachment": "5", "amounts": "5", "merge": "5", "transfer": "5", "audit": "3"})
    assert bad.status_code == 422
    assert "監査ログの保存年限は" in bad.content.decode()
    ok = c.post("/manage/retention/periods/", {
        "case_record": "5", "program": "5", "guidance": "7", "approval": "5",
        "attachment": "5", "amounts": "5", "merge": "5", "transfer": "5", "audit": "10"})
    assert ok.status_code == 302
    assert client_for(world.supervisor).post("/manage/retention/periods/", {
        "guidance": "9"}).status_code == 403
    html = c.get("/manage/retention/").content.decode()
    assert "保存年限を過ぎた世帯はありません。" in html  # 7 years keep the FY2019 household


def test_request_on_the_screen_decided_in_the_inbox(
        files: Files, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    sv = client_for(world.supervisor)
    answer = sv.post("/manage/retention/request/", {"note": "年度当初の整理"})
    assert answer.status_code == 302
    batch = DeletionBatch.objects.get()
    assert answer["Location"] == f"/manage/retention/batches/{batch.pk}/"
    assert "決裁待ち" in sv.get(answer["Location"]).content.decode()
    # The manager finds it in the 決裁 inbox and reads what it deletes on the approval page.
    mgr = client_for(world.manager)
    assert "保存年限による削除（1世帯）" in mgr.get("/programs/approvals/").content.decode()
    page = mgr.get(f"/programs/approvals/{batch.approval_id}/").content.decode()
    assert "添付書類（ファイルを含む）" in page and "1件を削除" in page
    # A caseworker cannot decide it.
    cw = client_for(world.caseworker)
    cw.post(f"/programs/approvals/{batch.approval_id}/", {"approve": "yes", "version": 1})
    assert Household.objects.filter(pk=files.due.household.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        decided = mgr.post(f"/programs/approvals/{batch.approval_id}/",
                           {"approve": "yes", "comment": "", "version": 1})
    assert decided.status_code == 302
    assert not Household.objects.filter(pk=files.due.household.pk).exists()
    assert not storages["attachments"].exists(files.due.attachment.storage_name)
    result = sv.get(f"/manage/retention/batches/{batch.pk}/").content.decode()
    assert "削除済み" in result and "消去したファイル" in result


def test_the_api_lists_requests_and_the_approval_deletes(
        files: Files, world: Any, django_capture_on_commit_callbacks: Any) -> None:
    admin = t.ApiClient(t.token_for(world, world.admin))
    due = admin.get("retention/due")
    assert due.status_code == 200
    body = due.json()
    assert [h["case_number"] for h in body["households"]] == ["200001"]
    assert {k["kind"]: k["count"] for k in body["kind_counts"]}["attachment"] == 1
    periods = admin.patch("retention/periods", {"audit": 3})
    assert periods.status_code == 422
    assert periods.json()["error"]["code"] == "retention.audit_too_short"
    created = admin.post("retention/deletions", {"note": "API から"})
    assert created.status_code == 201
    batch = created.json()
    assert batch["status"] == "pending" and batch["household_ids"] == [files.due.household.pk]
    # Another office's staff: the batch does not exist for them.
    outsider = t.ApiClient(t.token_for(world, world.outsider))
    assert outsider.get(f"retention/deletions/{batch['id']}").status_code == 403
    other_sv = t.make_user(world.other_office, "supervisor", username="sv_b")
    other = t.ApiClient(t.token_for(world, other_sv))
    assert other.get(f"retention/deletions/{batch['id']}").status_code == 404
    assert other.post(f"approvals/{batch['approval_id']}/decide",
                      {"approve": True}).status_code == 404
    # A caseworker cannot decide; the route decides step by step.
    cw = t.ApiClient(t.token_for(world, world.caseworker))
    assert cw.post(f"approvals/{batch['approval_id']}/decide",
                   {"approve": True}).status_code in (403, 404)
    sv = t.ApiClient(t.token_for(world, world.supervisor))
    mgr = t.ApiClient(t.token_for(world, world.manager))
    assert sv.post(f"approvals/{batch['approval_id']}/decide", {"approve": True}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert mgr.post(f"approvals/{batch['approval_id']}/decide",
                        {"approve": True}).status_code == 200
    done = admin.get(f"retention/deletions/{batch['id']}").json()
    assert done["status"] == "done" and done["result"]["files"] == 1
    assert not Household.objects.filter(pk=files.due.household.pk).exists()
    assert Household.objects.filter(pk=files.other_office.household.pk).exists()
