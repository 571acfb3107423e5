"""The hand-over through the screens and the API: the two steps, what each side reads, the
refusals (a role without the action 403, another office 404), and the person file."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiritsu import testing as t
from jiritsu.core import clock, wareki
from jiritsu.transfers import personfile
from jiritsu.transfers.models import Transfer

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _propose_on_screen(tw) -> Transfer:
    r = _client(tw.caseworker).post(f"/transfers/people/{tw.person.pk}/", {
        "target_office": tw.other_office.pk, "reason": "moved", "moved_on": "令和8年11月1日",
        "new_address": "Ｂ市本町1-1", "note": "就労支援を継続中です。"})
    assert r.status_code == 302, r.content.decode()[:2000]
    return Transfer.objects.get(source_person=tw.person)


def test_propose_accept_and_continue_on_the_screens(tw):
    page = _client(tw.caseworker).get(f"/people/{tw.person.pk}/")
    assert f"/transfers/people/{tw.person.pk}/" in page.content.decode()
    transfer = _propose_on_screen(tw)
    detail = f"/transfers/{transfer.pk}/"
    # The receiving office sees who it is about, not the file, until it accepts.
    before = _client(tw.supervisor_b).get(detail).content.decode()
    assert "髙橋 𠮷子" in before and "受け入れる" in before
    assert "求職活動の状況を確認" not in before
    listed = _client(tw.supervisor_b).get("/transfers/").content.decode()
    assert "髙橋 𠮷子" in listed and "受入れ協議中" in listed
    # A caseworker of the receiving office reads it but cannot decide.
    cw_b = _client(tw.outsider)
    assert cw_b.get(detail).status_code == 200
    assert cw_b.post(f"{detail}accept/", {"case_number": "B-1"}).status_code == 403
    # A bad acceptance: the message is beside its field, nothing is registered.
    bad = _client(tw.supervisor_b).post(f"{detail}accept/", {"case_number": "", "accepted_on": "x"})
    assert bad.status_code == 422
    assert "ケース番号" in bad.content.decode() and 'role="alert"' in bad.content.decode()
    ok = _client(tw.supervisor_b).post(f"{detail}accept/", {
        "case_number": "B-0100", "caseworker": tw.outsider.pk,
        "accepted_on": wareki.format_wareki(clock.today())})
    assert ok.status_code == 302
    transfer.refresh_from_db()
    new = transfer.target_person
    assert new is not None
    after = _client(tw.outsider).get(detail).content.decode()
    assert "家庭訪問：求職活動の状況を確認" in after  # the copy of the case record
    assert "ハローワークの相談メモ" not in after
    assert f"/people/{new.pk}/" in after and "引き継がない情報" in after
    # The sending office sees the decision, never the new person or the new case number.
    source_view = _client(tw.caseworker).get(detail).content.decode()
    assert "受入れ済み" in source_view
    assert f"/people/{new.pk}/" not in source_view and "B-0100" not in source_view
    # Continue the employment episode in the new office's program of the same code.
    episode = transfer.episodes.get(program_code="EMP")
    r = cw_b.post(f"/transfers/episodes/{episode.pk}/continue/", {
        f"e{episode.pk}-program": tw.program_b.pk,
        f"e{episode.pk}-on": clock.today().isoformat()})
    assert r.status_code == 302
    episode.refresh_from_db()
    assert episode.continued_as is not None and episode.continued_as.person == new


def test_decline_on_the_screen_needs_its_reason(tw):
    transfer = _propose_on_screen(tw)
    sv_b = _client(tw.supervisor_b)
    r = sv_b.post(f"/transfers/{transfer.pk}/decline/", {"decline_reason": ""})
    assert r.status_code == 422 and "入力してください" in r.content.decode()
    r = sv_b.post(f"/transfers/{transfer.pk}/decline/", {"decline_reason": "所管区域外のため"})
    assert r.status_code == 302
    page = _client(tw.caseworker).get(f"/transfers/{transfer.pk}/").content.decode()
    assert "受入れ不可" in page and "所管区域外のため" in page


def test_other_offices_and_partners_reach_no_transfer(tw):
    transfer = _propose_on_screen(tw)
    url = f"/transfers/{transfer.pk}/"
    assert _client(tw.third_cw).get(url).status_code == 404
    assert _client(tw.partner).get(url).status_code == 403
    assert _client(tw.partner).get("/transfers/").status_code == 403
    assert "髙橋" not in _client(tw.third_cw).get("/transfers/").content.decode()
    # The sending office cannot decide on its own offer.
    assert _client(tw.supervisor).post(f"{url}accept/", {"case_number": "1"}).status_code == 404
    assert _client(tw.support_staff).get(f"/transfers/people/{tw.person.pk}/").status_code == 403


def test_the_api_flow_and_its_refusals(tw):
    a = t.ApiClient(t.token_for(tw, tw.caseworker))
    b_sv = t.ApiClient(t.token_for(tw, tw.supervisor_b, tw.other_office))
    b_cw = t.ApiClient(t.token_for(tw, tw.outsider, tw.other_office))
    c = t.ApiClient(t.token_for(tw, tw.third_cw))
    r = a.post("transfers", {"person_id": tw.person.pk, "target_office_id": tw.other_office.pk,
                             "reason": "moved", "moved_on": "2026-11-01"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["direction"] == "outgoing" and body["person_id"] == tw.person.pk
    assert body["hand_over"]["person"]["name"] == "髙橋 𠮷子"
    tid = body["id"]
    again = a.post("transfers", {"person_id": tw.person.pk,
                                 "target_office_id": tw.other_office.pk, "reason": "moved"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "transfer_pending"
    incoming = b_cw.get(f"transfers/{tid}").json()
    assert incoming["direction"] == "incoming" and incoming["hand_over"] is None
    assert incoming["person_id"] is None
    assert c.get(f"transfers/{tid}").status_code == 404
    assert b_cw.post(f"transfers/{tid}/accept", {"case_number": "B-1",
                                                  "accepted_on": "2026-04-01"}).status_code == 403
    taken = b_sv.post(f"transfers/{tid}/accept", {"case_number": "B-2",
                                                   "accepted_on": clock.today().isoformat(),
                                                   "caseworker_id": tw.caseworker.pk})
    assert taken.status_code == 422 and taken.json()["error"]["field"] == "caseworker_id"
    done = b_sv.post(f"transfers/{tid}/accept", {"case_number": "B-2",
                                                  "accepted_on": clock.today().isoformat(),
                                                  "caseworker_id": tw.outsider.pk})
    assert done.status_code == 200, done.json()
    out = done.json()
    assert out["status"] == "accepted" and out["hand_over"] is not None
    new_id = out["person_id"]
    assert a.get(f"people/{new_id}").status_code == 404
    assert b_cw.get(f"people/{tw.person.pk}").status_code == 404
    assert b_cw.get(f"people/{new_id}").status_code == 200
    assert a.get(f"transfers/{tid}").json()["person_id"] == tw.person.pk
    episode = next(e for e in out["episodes"] if e["program_code"] == "EMP")
    cont = b_cw.post(f"transferred-episodes/{episode['id']}/continue",
                     {"program_id": tw.program_b.pk, "on": clock.today().isoformat()})
    assert cont.status_code == 201 and cont.json()["continued_as_id"]
    assert a.post(f"transferred-episodes/{episode['id']}/continue",
                  {"program_id": tw.program_a.pk, "on": "2026-04-01"}).status_code == 404
    listed = b_sv.get("transfers", {"direction": "incoming"}).json()
    assert [x["id"] for x in listed["results"]] == [tid]
    assert a.get("transfers", {"direction": "incoming"}).json()["count"] == 0


def test_the_person_file_through_the_screen_and_the_api(tw, keys):
    page = _client(tw.supervisor).post(f"/transfers/people/{tw.person.pk}/person-file/",
                                       {"purpose": "copy"})
    assert page.status_code == 200 and page["Content-Type"].startswith("application/json")
    data = page.content
    assert json.loads(data)["schema_version"] == personfile.SCHEMA_VERSION
    tampered = data.replace("髙橋".encode(), "高橋".encode())
    sv_b = _client(tw.supervisor_b)
    r = sv_b.post("/transfers/import/", {"file": SimpleUploadedFile("p.json", tampered)})
    assert r.status_code == 422 and "変更されています" in r.content.decode()
    api = t.ApiClient(t.token_for(tw, tw.supervisor_b, tw.other_office))
    ok = api.client.post("/api/v1/person-files", {"file": SimpleUploadedFile("p.json", data)},
                         headers=api.headers)
    assert ok.status_code == 201, ok.content
    assert ok.json()["source_label"] == "Ａ県共同利用 Ａ市福祉事務所"
    twice = api.client.post("/api/v1/person-files", {"file": SimpleUploadedFile("p.json", data)},
                            headers=api.headers)
    assert twice.status_code == 422
    assert twice.json()["error"]["code"] == "person_file_taken_in"
    exported = t.ApiClient(t.token_for(tw, tw.supervisor)).get(f"people/{tw.person.pk}/person-file")
    assert exported.status_code == 200
    personfile.read(exported.content)
    assert t.ApiClient(t.token_for(tw, tw.caseworker)).get(
        f"people/{tw.person.pk}/person-file").status_code == 403


def test_the_sending_office_withdraws_its_offer_before_the_answer(tw):
    transfer = _propose_on_screen(tw)
    url = f"/transfers/{transfer.pk}/withdraw/"
    # The receiving office cannot withdraw someone else's offer.
    assert _client(tw.supervisor_b).post(url, {"reason": "x"}).status_code == 404
    empty = _client(tw.caseworker).post(url, {"reason": ""})
    assert empty.status_code == 422 and "取下げの理由を入力してください" in empty.content.decode()
    assert _client(tw.caseworker).post(url, {"reason": "転居を取りやめたため"}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.WITHDRAWN
    page = _client(tw.supervisor_b).get(f"/transfers/{transfer.pk}/").content.decode()
    assert "取下げ" in page and "受け入れる" not in page
    api = t.ApiClient(t.token_for(tw, tw.supervisor_b, tw.other_office))
    late = api.post(f"transfers/{transfer.pk}/accept", {"case_number": "B-3",
                                                         "accepted_on": clock.today().isoformat()})
    assert late.status_code == 409 and late.json()["error"]["code"] == "transfer_decided"
    # A new offer may follow.
    again = t.ApiClient(t.token_for(tw, tw.caseworker)).post("transfers", {
        "person_id": tw.person.pk, "target_office_id": tw.other_office.pk, "reason": "moved"})
    assert again.status_code == 201


def test_the_receiving_office_finds_the_hand_over_from_its_person(tw):
    transfer = _propose_on_screen(tw)
    _client(tw.supervisor_b).post(f"/transfers/{transfer.pk}/accept/", {
        "case_number": "B-0200", "accepted_on": wareki.format_wareki(clock.today())})
    transfer.refresh_from_db()
    new = transfer.target_person
    assert new is not None
    page = _client(tw.outsider).get(f"/transfers/people/{new.pk}/").content.decode()
    assert "移管元からの引継ぎ" in page and f"/transfers/{transfer.pk}/" in page
    assert _client(tw.caseworker).get(f"/transfers/people/{new.pk}/").status_code == 404
