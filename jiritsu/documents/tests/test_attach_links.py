"""「書類を添付」 where the record lives: a guidance step, a 経過記録 (on the episode page, the
person's timeline and the 供覧 page) opens the upload form with that record chosen as 添付先
and the usual document type pre-selected; the attachment is linked to the record; the user
comes back to the screen. Roles that may not attach to the record see no link."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client

from jiritsu.cases.models import ActivityRecord
from jiritsu.cases.testing import refer
from jiritsu.core import clock
from jiritsu.documents.models import Attachment, suggested_type
from jiritsu.documents.testing import pdf_bytes
from jiritsu.guidance.tests.helpers import Walker

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*attachments/new/[^"]*)"', page)]


def _record(world, kind="accompany_hospital", days_ago=0, enrollment=None):
    return ActivityRecord.objects.create(
        office=world.office, person=world.person, enrollment=enrollment, kind=kind,
        text="病院に同行した。", occurred_at=clock.now() - dt.timedelta(days=days_ago),
        author=world.caseworker)


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.S)
    assert match is not None, pattern
    return match.group(1)


def _upload_from(client, link: str) -> tuple[str, Any]:
    form = client.get(link)
    assert form.status_code == 200
    page = form.content.decode()
    target = _found(r'<option value="([^"]+)" selected', page)
    kind = _found(r'name="document_type"[^>]*>.*?<option value="([^"]+)" selected', page)
    nxt = html.unescape(_found(r'name="next" value="([^"]*)"', page))
    done = client.post(link, {"target": target, "document_type": kind,
                              "document_date": "2026-04-01", "note": "", "next": nxt,
                              "file": SimpleUploadedFile("scan.pdf", pdf_bytes())})
    return target, done


def test_a_guidance_step_attaches_a_document_to_itself_and_comes_back(world):
    walk = Walker(world, required=1)
    step = walk.oral()
    c = client_for(world.caseworker)
    page = c.get(f"/guidance/cases/{walk.case.pk}/").content.decode()
    links = [u for u in _links(page) if f"guidance_step%3A{step.pk}" in u]
    assert len(links) == 1 and "この手続に書類を添付" in page
    target, done = _upload_from(c, links[0])
    assert target == f"guidance_step:{step.pk}"
    assert done.status_code == 302 and done["Location"] == f"/guidance/cases/{walk.case.pk}/"
    a = Attachment.objects.get()
    assert a.guidance_step_id == step.pk and a.document_type == "other"


def test_a_record_on_the_episode_page_pre_selects_the_record_and_the_kind(world):
    e = refer(world.person, world.partner_org)
    rec = _record(world, enrollment=e)
    c = client_for(world.caseworker)
    page = c.get(f"/programs/enrollments/{e.pk}/").content.decode()
    links = [u for u in _links(page) if f"record%3A{rec.pk}" in u]
    assert len(links) == 1 and "type=doctor_opinion" in links[0]
    target, done = _upload_from(c, links[0])
    assert target == f"record:{rec.pk}"
    assert done["Location"] == f"/programs/enrollments/{e.pk}/"
    a = Attachment.objects.get()
    assert (a.record_id, a.document_type) == (rec.pk, "doctor_opinion")


def test_the_timeline_offers_the_interview_form_and_attaching_for_a_record_without_an_episode(
        world):
    rec = _record(world, kind="home_visit")  # a visit recorded from the visit plan has no episode
    c = client_for(world.caseworker)
    page = c.get(f"/people/{world.person.pk}/").content.decode()
    assert f"/documents/forms/interview-record/{rec.pk}/" in page
    assert any(f"record%3A{rec.pk}" in u for u in _links(page))
    pdf = c.get(f"/documents/forms/interview-record/{rec.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_older_record_than_the_list_holds_is_still_the_chosen_target(world):
    old = _record(world, days_ago=400)
    for i in range(55):
        _record(world, days_ago=i)
    c = client_for(world.caseworker)
    page = c.get(f"/documents/people/{world.person.pk}/attachments/new/",
                 {"target": f"record:{old.pk}", "type": "doctor_opinion"}).content.decode()
    assert f'<option value="record:{old.pk}" selected' in page
    done = c.post(f"/documents/people/{world.person.pk}/attachments/new/", {
        "target": f"record:{old.pk}", "document_type": "doctor_opinion",
        "document_date": "2026-04-01", "file": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert done.status_code == 302 and Attachment.objects.get().record_id == old.pk


def test_roles_that_may_not_attach_see_no_link_and_a_foreign_next_is_ignored(world, rf):
    rec = _record(world)
    # support staff write records, so they attach to them
    ss_page = client_for(world.support_staff).get(f"/people/{world.person.pk}/").content.decode()
    assert any(f"record%3A{rec.pk}" in u for u in _links(ss_page))
    tag = Template('{% load documents %}{% attach_link "guidance_step" 5 7 %}'
                   '{% attach_link "record" 6 7 "home_visit" %}')
    def links(user):
        return tag.render(Context({"membership": world.m(user), "request": rf.get("/")})
                          ).count("attachments/new")

    # a guidance step needs guidance.manage; a record record.write (partners write records
    # about the people referred to them, and the upload checks that person and record)
    assert (links(world.caseworker), links(world.support_staff), links(world.partner),
            links(world.admin)) == (2, 1, 1, 0)
    c = client_for(world.caseworker)
    done = c.post(f"/documents/people/{world.person.pk}/attachments/new/", {
        "target": f"record:{rec.pk}", "document_type": "other", "document_date": "2026-04-01",
        "next": "//evil.example/", "file": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert done["Location"] == f"/people/{world.person.pk}/#attachments"


def test_the_suggested_type_rule():
    assert suggested_type("consent") == "consent"
    assert suggested_type("record", "accompany_interview") == "resume"
    assert suggested_type("record", "home_visit") == "other"
    assert suggested_type("guidance_step", "hearing") == "other"
