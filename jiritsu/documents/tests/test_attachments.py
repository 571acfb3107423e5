"""Attachments: type read from the bytes, size limits, access like the record they belong to,
partner scope by consent category, audited downloads, the 開示 export, deletion with a reason."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import Enrollment
from jiritsu.cases.testing import make_consent
from jiritsu.documents import services
from jiritsu.documents.access import Target
from jiritsu.documents.models import Attachment
from jiritsu.documents.testing import HEIC_HEAD, jpeg_bytes, pdf_bytes, png_bytes
from jiritsu.guidance.tests.helpers import Walker
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def upload(client, person, data, *, name="scan.pdf", document_type="doctor_opinion",
           target="person:", **extra):
    return client.post(reverse("documents:upload", args=[person.pk]), {
        "target": target, "document_type": document_type, "document_date": "2026-04-01",
        "note": "", "file": SimpleUploadedFile(name, data), **extra})


def attach(world, data=None, *, document_type="doctor_opinion", person=None, target=None):
    person = person or world.person
    return services.attachment_add(
        actor=world.m(world.caseworker), person=person, target=target or Target("person", person),
        data=data or pdf_bytes(), original_name="意見書.pdf", document_type=document_type,
        document_date=dt.date(2026, 4, 1))


def stored(attachment: Attachment) -> bool:
    return storages["attachments"].exists(attachment.storage_name)


# ------------------------------------------------------------------ type and size

@pytest.mark.parametrize(("data", "kind"), [(pdf_bytes(), "application/pdf"),
                                            (jpeg_bytes(), "image/jpeg"),
                                            (png_bytes(), "image/png")])
def test_pdf_jpeg_and_png_are_kept_with_checksum_size_and_type_from_the_bytes(world, data, kind):
    # The name claims .txt: the bytes decide.
    response = upload(client_for(world.caseworker), world.person, data, name="なまえ.txt")
    assert response.status_code == 302
    a = Attachment.objects.get()
    assert (a.content_type, a.size, a.original_name) == (kind, len(data), "なまえ.txt")
    assert len(a.sha256) == 64 and stored(a)
    assert AuditEvent.objects.filter(action="attachment.add", person_id=world.person.pk).exists()


@pytest.mark.parametrize(("data", "message"), [
    (b"MZ\x90\x00 not a document at all" * 10, "PDF・JPEG・PNG"),
    (HEIC_HEAD, "HEIC形式"),
    (b"%PDF-1.7\n1 0 obj\n", "途中で切れて"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "壊れている"),
])
def test_a_file_that_is_not_an_intact_pdf_jpeg_or_png_is_refused_and_nothing_is_stored(
        world, data, message):
    response = upload(client_for(world.caseworker), world.person, data, name="photo.pdf")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attachment.add").exists()


def test_a_file_over_the_limit_is_refused(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = upload(client_for(world.caseworker), world.person, pdf_bytes() + b" " * 2000)
    assert "ファイルが大きすぎます" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_offices_quota_is_enforced_over_all_its_files(world, settings):
    first = attach(world)
    settings.ATTACHMENT_OFFICE_QUOTA_BYTES = first.size + 10
    response = upload(client_for(world.caseworker), world.person, pdf_bytes("#000000"))
    assert "保存容量" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_api_refuses_heic_with_a_stable_code(world):
    token = t.token_for(world, world.caseworker)
    response = Client().post(
        f"/api/v1/people/{world.person.pk}/attachments",
        {"file": SimpleUploadedFile("IMG_0001.HEIC", HEIC_HEAD), "document_type": "resume",
         "document_date": "2026-04-01"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.json()
    assert response.json()["error"]["code"] == "attachment_heic", response.json()
    assert not Attachment.objects.exists()


# ------------------------------------------------------------------ access and audit

def test_download_is_audited_as_a_read_of_the_person(world):
    a = attach(world)
    response = client_for(world.supervisor).get(reverse("documents:download", args=[a.pk]))
    assert response.status_code == 200
    assert response.content == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="attachment.download")
    assert (event.kind, event.person_id, event.actor_id) == ("view", world.person.pk,
                                                             world.supervisor.pk)


def test_another_offices_attachment_is_not_found(world):
    a = attach(world)
    assert client_for(world.outsider).get(reverse("documents:download", args=[a.pk])
                                          ).status_code == 404
    token = t.token_for(world, world.outsider, world.other_office)
    assert Client().get(f"/api/v1/attachments/{a.pk}/content",
                        headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_an_attachment_on_a_guidance_step_is_read_only_by_roles_that_see_guidance(world):
    walk = Walker(world, required=1)
    walk.oral()
    step = walk.conference()
    a = attach(world, target=Target("guidance_step", step))
    assert client_for(world.caseworker).get(reverse("documents:download", args=[a.pk])
                                            ).status_code == 200
    # Support staff see the person but not the guidance procedure.
    assert client_for(world.support_staff).get(reverse("documents:download", args=[a.pk])
                                               ).status_code == 404


def _referred(world, categories, *, withdrawn=None):
    program = make_program(world.office)
    enrollment = Enrollment.objects.create(
        office=world.office, person=world.person, program=program,
        program_version=program.versions.get(), status="active",
        candidate_on=dt.date(2026, 4, 1), started_on=dt.date(2026, 4, 1))
    enrollment.referred_partners.add(world.partner_org)
    make_consent(world.person, program, partners=[world.partner_org], categories=categories,
                 recorded_by=world.caseworker, withdrawn_on=withdrawn)
    return enrollment


def test_a_partner_sees_only_the_categories_the_consent_gives_it(world):
    _referred(world, ["basic", "employment"])
    resume = attach(world, document_type="resume")          # employment
    opinion = attach(world, document_type="doctor_opinion")  # health
    token = t.token_for(world, world.partner)
    headers = {"Authorization": f"Bearer {token}"}
    listed = Client().get(f"/api/v1/people/{world.person.pk}/attachments", headers=headers)
    assert [r["id"] for r in listed.json()["results"]] == [resume.pk]
    assert Client().get(f"/api/v1/attachments/{resume.pk}/content",
                        headers=headers).status_code == 200
    assert Client().get(f"/api/v1/attachments/{opinion.pk}/content",
                        headers=headers).status_code == 404
    assert client_for(world.partner).get(reverse("documents:download", args=[opinion.pk])
                                         ).status_code == 404


def test_a_withdrawn_consent_ends_the_partners_access_to_attachments(world):
    _referred(world, ["employment"], withdrawn=dt.date(2026, 4, 2))
    resume = attach(world, document_type="resume")
    assert client_for(world.partner).get(reverse("documents:download", args=[resume.pk])
                                         ).status_code == 404


# ------------------------------------------------------------------ person page and preview

@pytest.mark.parametrize("data", [pdf_bytes(), jpeg_bytes(), png_bytes()])
def test_the_person_page_lists_attachments_with_a_preview_image(world, data):
    a = attach(world, data)
    c = client_for(world.caseworker)
    page = c.get(reverse("documents:person_list", args=[world.person.pk]))
    assert "主治医意見書" in page.content.decode()
    assert reverse("documents:thumbnail", args=[a.pk]) in page.content.decode()
    thumb = c.get(reverse("documents:thumbnail", args=[a.pk]))
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")
    person_page = c.get(reverse("people:person", args=[world.person.pk])).content.decode()
    assert reverse("documents:person_list", args=[world.person.pk]) in person_page


# ------------------------------------------------------------------ disclosure

def test_attachments_are_in_the_persons_disclosure_export_with_their_files(world):
    a = attach(world, png_bytes())
    c = client_for(world.supervisor)
    response = c.post(reverse("reports:disclose", args=[world.person.pk]), {"format": "zip"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = [n for n in archive.namelist() if "添付書類/" in n]
    assert len(files) == 1 and archive.read(files[0]) == png_bytes()
    data = json.loads(next(archive.read(n) for n in archive.namelist() if n.endswith(".json")))
    text = json.dumps(data, ensure_ascii=False)
    assert "添付書類" in text and a.sha256 in text


# ------------------------------------------------------------------ deletion

def test_delete_needs_a_reason_and_keeps_the_bytes_until_retention_ends(world, settings):
    a = attach(world)
    c = client_for(world.caseworker)
    url = reverse("documents:delete", args=[a.pk])
    refused = c.post(url, {"reason": ""})
    assert refused.status_code == 200 and Attachment.objects.get().deleted_at is None
    assert c.post(url, {"reason": "別人の書類を誤って添付"}).status_code == 302
    a.refresh_from_db()
    assert a.deleted_reason == "別人の書類を誤って添付" and a.purge_after and stored(a)
    assert c.get(reverse("documents:download", args=[a.pk])).status_code == 404
    event = AuditEvent.objects.get(action="attachment.delete")
    assert event.changes["reason"] == "別人の書類を誤って添付"
    # Nothing is due yet; once the retention period has passed, the purge removes the bytes.
    call_command("purge_attachments")
    assert stored(a)
    call_command("purge_attachments", today=(a.purge_after + dt.timedelta(days=1)).isoformat())
    a.refresh_from_db()
    assert a.purged_at is not None and not stored(a)
    assert AuditEvent.objects.filter(action="attachment.purge").count() == 1


def test_support_staff_cannot_delete_a_persons_document(world):
    a = attach(world)
    response = client_for(world.support_staff).post(reverse("documents:delete", args=[a.pk]),
                                                    {"reason": "x"})
    assert response.status_code == 403
    assert Attachment.objects.get().deleted_at is None


def test_a_signed_consent_is_attached_from_the_consent_row(world):
    consent = make_consent(world.person, None, partners=[world.partner_org],
                           recorded_by=world.caseworker)
    c = client_for(world.caseworker)
    page = c.get(reverse("people:person", args=[world.person.pk])).content.decode()
    url = reverse("documents:upload", args=[world.person.pk])
    assert f"{url}?target=consent:{consent.pk}&amp;type=consent" in page
    form = c.get(url, {"target": f"consent:{consent.pk}", "type": "consent"}).content.decode()
    assert f'value="consent:{consent.pk}" selected' in form
    response = upload(c, world.person, pdf_bytes(), document_type="consent",
                      target=f"consent:{consent.pk}")
    assert response.status_code == 302
    assert Attachment.objects.get().consent_id == consent.pk
    support_page = client_for(world.support_staff).get(
        reverse("people:person", args=[world.person.pk])).content.decode()
    assert "署名済みの同意書を添付" not in support_page


def test_the_api_reads_an_attachment_through_its_schema(world):
    """The output is read from the record (``AttachmentOut``'s resolvers): what it is attached
    to, its id and label, the document type's label — the same in the list, the detail and
    the answer to a delete."""
    walk = Walker(world, required=1)
    walk.oral()
    step = walk.conference()
    on_step = attach(world, target=Target("guidance_step", step))
    on_person = attach(world, document_type="resume")
    headers = {"Authorization": f"Bearer {t.token_for(world, world.caseworker)}"}
    detail = Client().get(f"/api/v1/attachments/{on_step.pk}", headers=headers).json()
    assert (detail["attached_to"], detail["attached_to_id"]) == ("guidance_step", step.pk)
    assert detail["attached_to_label"] == on_step.target_label
    assert detail["document_type_label"] == on_step.get_document_type_display()
    assert (detail["sha256"], detail["size"], detail["person_id"]) == (
        on_step.sha256, on_step.size, world.person.pk)
    listed = Client().get(f"/api/v1/people/{world.person.pk}/attachments",
                          headers=headers).json()["results"]
    assert {r["id"]: (r["attached_to"], r["attached_to_id"]) for r in listed} == {
        on_step.pk: ("guidance_step", step.pk), on_person.pk: ("person", None)}
    deleted = Client().post(f"/api/v1/attachments/{on_person.pk}/delete",
                            data=json.dumps({"reason": "重複"}), content_type="application/json",
                            headers=headers)
    assert deleted.status_code == 200, deleted.content
    assert (deleted.json()["id"], deleted.json()["attached_to"]) == (on_person.pk, "person")
