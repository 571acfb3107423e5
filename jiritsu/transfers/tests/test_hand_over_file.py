"""The person file as the hand-over to another installation: the office's open episodes end
with 移管 in the export's transaction (service, screen, API, command), audited, with the file
saying so; the copy changes nothing; a refusal — no key, a future day, an offer under
discussion, a role or office without the right — ends nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Enrollment
from jiritsu.core import clock, wareki
from jiritsu.core.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from jiritsu.transfers import personfile, services
from jiritsu.transfers.models import Transfer

pytestmark = pytest.mark.django_db
OTO = Enrollment.EndReason.OFFICE_TRANSFERRED


def _open(tw) -> list[Enrollment]:
    return list(Enrollment.objects.filter(person=tw.person, status__in=Enrollment.OPEN_STATUSES))


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_hand_over_ends_the_open_episodes_with_the_export(tw, keys):
    assert len(_open(tw)) == 2  # the program episode and the partner's referral
    other_person_episodes = set(Enrollment.objects.filter(office=tw.other_office)
                                .values_list("pk", "status"))
    today = clock.today()
    data = personfile.export(actor=tw.m(tw.supervisor), person=tw.person, hand_over=True,
                             on=today)
    body = json.loads(data)
    assert body["handed_over_on"] == today.isoformat()
    # The document was written before the end: the other installation continues them.
    assert any(e["open"] and e["program_code"] == "EMP" for e in body["document"]["episodes"])
    personfile.read(data)  # still a valid, signed file
    assert _open(tw) == []
    tw.episode.refresh_from_db()
    assert tw.episode.end_reason == OTO and tw.episode.ended_on == today
    assert set(Enrollment.objects.filter(office=tw.other_office)
               .values_list("pk", "status")) == other_person_episodes
    event = AuditEvent.objects.get(action="person_file.export", person_id=tw.person.pk)
    assert event.changes["purpose"] == "hand_over"
    ended = set(Enrollment.objects.filter(person=tw.person, end_reason=OTO)
                .values_list("pk", flat=True))
    assert tw.episode.pk in ended and set(event.changes["episodes_ended"]) == ended
    assert len(ended) == 2
    assert AuditEvent.objects.filter(action="enrollment.end", person_id=tw.person.pk,
                                     office_id=tw.office.pk).count() == 2


def test_a_copy_changes_nothing_and_says_so(tw, keys):
    body = json.loads(personfile.export(actor=tw.m(tw.supervisor), person=tw.person))
    assert body["handed_over_on"] is None
    assert len(_open(tw)) == 2
    event = AuditEvent.objects.get(action="person_file.export")
    assert event.changes["purpose"] == "copy" and "episodes_ended" not in event.changes


def test_refusals_end_nothing(tw, keys, settings):
    sv = tw.m(tw.supervisor)
    tomorrow = clock.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as e:
        personfile.export(actor=sv, person=tw.person, hand_over=True, on=tomorrow)
    assert e.value.field == "ended_on"
    with pytest.raises(ValidationFailed) as e:
        personfile.export(actor=sv, person=tw.person, hand_over=True, on=None)
    assert e.value.field == "ended_on"
    with pytest.raises(Forbidden):
        personfile.export(actor=tw.m(tw.caseworker), person=tw.person, hand_over=True,
                          on=clock.today())
    with pytest.raises(NotFound):  # another office's decider: not its person
        personfile.export(actor=tw.m(tw.supervisor_b, tw.other_office), person=tw.person,
                          hand_over=True, on=clock.today())
    settings.JIRITSU_TRANSFER_SIGNING_KEY = ""
    with pytest.raises(personfile.SigningKeyMissing):
        personfile.export(actor=sv, person=tw.person, hand_over=True, on=clock.today())
    assert len(_open(tw)) == 2
    assert not AuditEvent.objects.filter(action__in=["person_file.export", "enrollment.end"]).exists()


def test_an_offer_to_an_office_of_this_installation_must_be_withdrawn_first(tw, keys):
    transfer = services.transfer_propose(actor=tw.m(tw.caseworker), person=tw.person,
                                         target_office=tw.other_office, reason="moved")
    with pytest.raises(IllegalTransition) as e:
        personfile.export(actor=tw.m(tw.supervisor), person=tw.person, hand_over=True,
                          on=clock.today())
    assert e.value.code == "transfer_pending"
    assert len(_open(tw)) == 2
    # A copy stays possible, and after the withdrawal so does the hand-over.
    personfile.export(actor=tw.m(tw.supervisor), person=tw.person)
    services.transfer_withdraw(actor=tw.m(tw.caseworker), transfer=transfer, reason="他県へ転居")
    personfile.export(actor=tw.m(tw.supervisor), person=tw.person, hand_over=True,
                      on=clock.today())
    assert _open(tw) == []


def test_the_receiving_office_reads_whether_the_file_was_a_hand_over(tw, keys):
    data = personfile.export(actor=tw.m(tw.supervisor), person=tw.person, hand_over=True,
                             on=clock.today())
    transfer = personfile.take_in(actor=tw.m(tw.supervisor_b, tw.other_office), data=data)
    assert "移管として出力" in transfer.note and wareki.format_wareki(clock.today()) in transfer.note
    copy = personfile.export(actor=tw.m(tw.supervisor), person=tw.person)
    Transfer.objects.filter(pk=transfer.pk).update(status=Transfer.Status.DECLINED)
    again = personfile.take_in(actor=tw.m(tw.supervisor_b, tw.other_office), data=copy)
    assert "写し" in again.note


def test_the_command_hands_over_or_copies(tw, keys, tmp_path):
    copy = tmp_path / "copy.json"
    call_command("export_person", str(tw.person.pk), office="A001", user="sv_a", out=copy)
    assert json.loads(copy.read_text())["handed_over_on"] is None and len(_open(tw)) == 2
    with pytest.raises(CommandError):  # a file that cannot be written ends nothing
        call_command("export_person", str(tw.person.pk), office="A001", user="sv_a",
                     out=tmp_path / "missing" / "p.json", hand_over=True)
    assert len(_open(tw)) == 2
    with pytest.raises(CommandError, match="移管日"):
        call_command("export_person", str(tw.person.pk), office="A001", user="sv_a",
                     out=tmp_path / "late.json", hand_over=True,
                     on=clock.today() + dt.timedelta(days=3))
    assert not (tmp_path / "late.json").exists() and len(_open(tw)) == 2
    out = tmp_path / "hand-over.json"
    call_command("export_person", str(tw.person.pk), office="A001", user="sv_a", out=out,
                 hand_over=True, on=clock.today())
    assert json.loads(out.read_text())["handed_over_on"] == clock.today().isoformat()
    assert _open(tw) == []


def test_the_screen_offers_both_and_refuses_beside_the_field(tw, keys):
    url = f"/transfers/people/{tw.person.pk}/person-file/"
    sv = _client(tw.supervisor)
    page = sv.get(f"/transfers/people/{tw.person.pk}/").content.decode()
    assert "移管として出力" in page and "写しとして出力" in page
    none = sv.post(url, {})
    assert none.status_code == 422 and "出力の目的を選んでください。" in none.content.decode()
    no_day = sv.post(url, {"purpose": "hand_over", "ended_on": ""})
    assert no_day.status_code == 422 and "移管日を入力してください。" in no_day.content.decode()
    assert len(_open(tw)) == 2
    # The screens for the other roles and offices.
    assert _client(tw.caseworker).post(url, {"purpose": "copy"}).status_code == 403
    assert _client(tw.partner).post(url, {"purpose": "copy"}).status_code == 403
    assert _client(tw.supervisor_b).post(url, {"purpose": "hand_over", "ended_on": "令和8年4月1日"}
                                         ).status_code == 404
    assert len(_open(tw)) == 2
    done = sv.post(url, {"purpose": "hand_over",
                         "ended_on": wareki.format_wareki(clock.today())})
    assert done.status_code == 200 and done["Content-Type"].startswith("application/json")
    assert json.loads(done.content)["handed_over_on"] == clock.today().isoformat()
    assert _open(tw) == []
    person_page = sv.get(f"/people/{tw.person.pk}/").content.decode()
    assert "<td>移管</td>" in person_page.split("過去のプログラム", 1)[1]


def test_the_api_hands_over_or_copies(tw, keys):
    path = f"people/{tw.person.pk}/person-file"
    api = t.ApiClient(t.token_for(tw, tw.supervisor))
    missing = api.post(path, {"hand_over": True})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "ended_on"
    assert t.ApiClient(t.token_for(tw, tw.caseworker)).post(
        path, {"hand_over": True, "ended_on": clock.today().isoformat()}).status_code == 403
    other = t.ApiClient(t.token_for(tw, tw.supervisor_b, tw.other_office))
    assert other.post(path, {"hand_over": True,
                             "ended_on": clock.today().isoformat()}).status_code == 404
    copy = api.post(path, {"hand_over": False})
    assert copy.status_code == 200 and json.loads(copy.content)["handed_over_on"] is None
    assert len(_open(tw)) == 2
    done = api.post(path, {"hand_over": True, "ended_on": clock.today().isoformat()})
    assert done.status_code == 200 and _open(tw) == []
    # The file goes to the other installation's import as before.
    b = t.ApiClient(t.token_for(tw, tw.supervisor_b, tw.other_office))
    taken = b.client.post("/api/v1/person-files",
                          {"file": SimpleUploadedFile("p.json", done.content)}, headers=b.headers)
    assert taken.status_code == 201 and "移管として出力" in taken.json()["note"]
