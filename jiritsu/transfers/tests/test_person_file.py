"""The person file between installations: a signed round trip, and every refusal (changed,
another version, an unknown key, taken in twice, values the registry refuses)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import Forbidden
from jiritsu.people.models import Household, Person
from jiritsu.transfers import personfile
from jiritsu.transfers.models import Transfer

pytestmark = pytest.mark.django_db


def _export(tw) -> bytes:
    return personfile.export(actor=tw.m(tw.supervisor), person=tw.person)


def test_a_signed_file_goes_round_trip_and_is_accepted_like_any_offer(tw, keys, tmp_path):
    out = tmp_path / "person.json"
    call_command("export_person", str(tw.person.pk), office="A001", user="sv_a", out=out)
    body = json.loads(out.read_text())
    assert body["format"] == "jiritsu.person-file" and body["schema_version"] == 1
    assert body["signature"]["algorithm"] == "Ed25519"
    assert "ハローワークの相談メモ" not in out.read_text()
    assert AuditEvent.objects.filter(office_id=tw.office.pk, action="person_file.export",
                                     person_id=tw.person.pk).exists()
    call_command("import_person", str(out), office="B001", user="sv_b", accept="B-7",
                 caseworker="cw_b")
    transfer = Transfer.objects.get(target_office=tw.other_office)
    assert transfer.source_office is None and transfer.status == "accepted"
    assert transfer.source_label == "Ａ県共同利用 Ａ市福祉事務所"
    new = transfer.target_person
    assert new is not None and new.household is not None
    assert new.name == "髙橋 𠮷子" and new.household.case_number == "B-7"
    assert transfer.episodes.filter(program_code="EMP").exists()
    assert AuditEvent.objects.filter(office_id=tw.other_office.pk, action="person_file.import").exists()
    # The old office's episodes are its own business across installations: nothing changed.
    tw.episode.refresh_from_db()
    assert tw.episode.status == "active"


def test_the_same_file_is_taken_in_once(tw, keys):
    data = _export(tw)
    b = tw.m(tw.supervisor_b, tw.other_office)
    personfile.take_in(actor=b, data=data)
    with pytest.raises(personfile.PersonFileRefused) as e:
        personfile.take_in(actor=b, data=data)
    assert e.value.code == "person_file_taken_in"


def test_a_changed_file_is_refused(tw, keys):
    body = json.loads(_export(tw))
    body["document"]["person"]["name"] = "別人 太郎"
    with pytest.raises(personfile.PersonFileRefused) as e:
        personfile.take_in(actor=tw.m(tw.supervisor_b, tw.other_office),
                           data=json.dumps(body, ensure_ascii=False).encode())
    assert e.value.code == "person_file_tampered" and e.value.field == "file"
    assert "変更されています" in e.value.message
    assert not Transfer.objects.filter(target_office=tw.other_office).exists()


def test_another_schema_version_is_refused_even_when_signed(tw, keys):
    body = json.loads(_export(tw))
    body["schema_version"] = 2
    data = json.dumps(personfile.sign(body), ensure_ascii=False).encode()
    with pytest.raises(personfile.PersonFileRefused) as e:
        personfile.read(data)
    assert e.value.code == "person_file_version"


def test_a_file_signed_by_an_unknown_key_or_unsigned_is_refused(tw, keys, settings, tmp_path):
    data = _export(tw)
    personfile.generate_keys(tmp_path / "stranger")
    settings.JIRITSU_TRANSFER_SIGNING_KEY = str(tmp_path / "stranger" / "private.pem")
    stranger = personfile.sign(json.loads(data))
    settings.JIRITSU_TRANSFER_SIGNING_KEY = str(keys / "own" / "private.pem")
    with pytest.raises(personfile.PersonFileRefused) as e:
        personfile.read(json.dumps(stranger).encode())
    assert e.value.code == "person_file_unknown_key"
    unsigned = {k: v for k, v in json.loads(data).items() if k != "signature"}
    with pytest.raises(personfile.PersonFileRefused) as e2:
        personfile.read(json.dumps(unsigned).encode())
    assert e2.value.code == "person_file_unsigned"
    for junk, code in ((b"\xff\xfe", "person_file_unreadable"),
                       (b'{"format": "other"}', "person_file_format")):
        with pytest.raises(personfile.PersonFileRefused) as e3:
            personfile.read(junk)
        assert e3.value.code == code


def test_a_file_from_the_trusted_other_installation_with_bad_values_lists_every_one(tw, keys, settings):
    body = json.loads(_export(tw))
    body["document"]["person"]["sex"] = "unknown"
    body["document"]["parts"]["disabilities"][0]["kind"] = "x"
    settings.JIRITSU_TRANSFER_SIGNING_KEY = str(keys / "other" / "private.pem")
    data = json.dumps(personfile.sign(body), ensure_ascii=False).encode()
    settings.JIRITSU_TRANSFER_SIGNING_KEY = str(keys / "own" / "private.pem")
    with pytest.raises(personfile.PersonFileRefused) as e:
        personfile.read(data)
    assert e.value.code == "person_file_invalid"
    assert {(d["where"], d["field"]) for d in e.value.details} == {("世帯員", "sex"),
                                                                 ("障害 1件目", "kind")}


def test_only_deciders_export_and_take_in(tw, keys):
    with pytest.raises(Forbidden):
        personfile.export(actor=tw.m(tw.caseworker), person=tw.person)
    with pytest.raises(Forbidden):
        personfile.take_in(actor=tw.m(tw.outsider, tw.other_office), data=_export(tw))


def test_the_import_command_reports_a_refusal_and_keeps_nothing(tw, keys, tmp_path):
    path = tmp_path / "bad.json"
    body = json.loads(_export(tw))
    body["document"]["records"] = []
    path.write_text(json.dumps(body, ensure_ascii=False))
    with pytest.raises(CommandError, match="person_file_tampered"):
        call_command("import_person", str(path), office="B001", user="sv_b", accept="B-8")
    assert not Person.objects.filter(office=tw.other_office, name="髙橋 𠮷子").exists()


def test_a_refused_acceptance_leaves_no_offer_behind(tw, keys, tmp_path):
    path = tmp_path / "person.json"
    path.write_bytes(_export(tw))
    Household.objects.create(office=tw.other_office, case_number="B-9", household_type="other")
    with pytest.raises(CommandError, match="ケース番号"):
        call_command("import_person", str(path), office="B001", user="sv_b", accept="B-9")
    assert not Transfer.objects.filter(target_office=tw.other_office).exists()
