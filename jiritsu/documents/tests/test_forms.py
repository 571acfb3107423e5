"""Every form of the seed prints from the record: a page of each is drawn to PNG (pdftoppm),
is not blank and carries its Japanese text (pdftotext); a missing field is named instead of
printing blanks; a character no installed font draws is reported before printing; prints
are audited; the 法62条 決定通知書 carries the 教示."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from jiritsu import testing as t
from jiritsu.activities.models import HelloWorkReferral
from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.cases.models import (
    ActivityRecord,
    Conference,
    ConferenceAttendee,
    ConferenceDecision,
    Enrollment,
    Plan,
    PlanCommitment,
    PlanGoal,
    Review,
)
from jiritsu.cases.testing import make_consent
from jiritsu.documents.catalogue import FORM_TEMPLATES, FORMS
from jiritsu.documents.models import FormIssue
from jiritsu.guidance import services as gs
from jiritsu.guidance.tests.helpers import Walker
from jiritsu.people.models import HospitalStay, Illness, Qualification, WorkHistory
from jiritsu.programs.models import LedgerEntry, ScreeningLedger
from jiritsu.programs.testing import make_program

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(os.environ.get("JIRITSU_FORM_PNG_DIR", "")) if os.environ.get(
    "JIRITSU_FORM_PNG_DIR") else None


@pytest.fixture
def paper(world):
    """A person with everything the forms print: an episode with a plan, records and a review,
    a psychiatric stay, a consent, a Hello Work referral, a ledger and a conference."""
    office, cw = world.office, world.caseworker
    office.head_name = "山田 太郎"
    office.document_number_format = "清福第{number}号"
    office.save()
    person = world.person
    person.household.address = "愛知県清須市須ケ口1238番地"
    person.household.save()
    program = make_program(office, template_code="kiyosu_work_capacity", name="稼働能力活用推進プログラム")
    e = Enrollment.objects.create(
        office=office, person=person, program=program, program_version=program.versions.get(),
        status="active", candidate_on=dt.date(2026, 4, 1), started_on=dt.date(2026, 4, 6),
        planned_end_on=dt.date(2026, 10, 5), lead_staff=world.support_staff)
    e.referred_partners.add(world.partner_org)
    plan = Plan.objects.create(enrollment=e, number=1, created_by=cw, policy="早期の就労開始を目指し、求職活動を具体的に支援する。",
                               target_start_on=dt.date(2026, 7, 1), agreed_on=dt.date(2026, 4, 6))
    PlanGoal.objects.create(plan=plan, text="ハローワークで週2回求職する", target_on=dt.date(2026, 6, 30))
    PlanCommitment.objects.create(plan=plan, kind="job_search_report", quantity=2, per="month")
    for i, kind in enumerate(("office_interview", "accompany_hello_work", "overnight_trial")):
        ActivityRecord.objects.create(
            office=office, person=person, enrollment=e, author=cw, kind=kind,
            occurred_at=dt.datetime(2026, 4, 10 + i, 10, 0, tzinfo=dt.UTC), text=f"面接で求職状況を確認した（{i + 1}回目）。")
    Review.objects.create(enrollment=e, reviewed_on=dt.date(2026, 7, 6), evaluation="求職活動は継続中。",
                          decision="continue", reviewer=cw)
    HospitalStay.objects.create(person=person, hospital_name="竹原病院", psychiatric=True,
                                admitted_on=dt.date(2020, 5, 1))
    Illness.objects.create(person=person, name="統合失調症", is_psychiatric=True)
    WorkHistory.objects.create(person=person, employer="株式会社﨑山製作所", job="製造")
    Qualification.objects.create(person=person, name="普通自動車免許")
    consent = make_consent(person, program, partners=[world.partner_org],
                           categories=["basic", "employment"], recorded_by=cw)
    referral = HelloWorkReferral.objects.create(
        office=office, enrollment=e, hello_work=world.partner_org, consent=consent,
        consented_on=dt.date(2026, 4, 6), form_a_on=dt.date(2026, 4, 7), created_by=cw)
    ledger = ScreeningLedger.objects.create(office=office, program=program, title="令和8年度 入院患者台帳",
                                            as_of=dt.date(2026, 4, 1), created_by=cw)
    LedgerEntry.objects.create(ledger=ledger, person=person, reasons=["精神科入院5年以上"], nominated=True)
    conference = Conference.objects.create(office=office, kind="employment_review", program=program,
                                           held_on=dt.date(2026, 4, 3), title="就労支援検討会",
                                           agenda="支援対象者の選定", minutes="対象者として選定した。", created_by=cw)
    ConferenceAttendee.objects.create(conference=conference, user=cw, name="佐藤 一郎", role="caseworker")
    ConferenceDecision.objects.create(conference=conference, person=person, enrollment=e,
                                      decision=ConferenceDecision.Decision.values[0], reason="就労意欲あり")
    record = ActivityRecord.objects.filter(enrollment=e).order_by("id")[0]
    return {"enrollment": e.pk, "referral": referral.pk, "ledger": ledger.pk, "consent": consent.pk,
            "conference": conference.pk, "record": record.pk, "year": None}


def _print(client, spec, ids, **query):
    name = f"documents:form_{spec.key.replace('-', '_')}"
    url = reverse(name) if spec.target == "year" else reverse(name, args=[ids[spec.target]])
    return client.get(url, {"fiscal_year": 2026, **query} if spec.target == "year" else query)


def page_png(pdf: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "f.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(Path(tmp) / "f.pdf"), str(Path(tmp) / "p")], check=True, timeout=60)
        return (Path(tmp) / "p.png").read_bytes()


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True, timeout=60).stdout.decode()


def inked_share(png: bytes) -> float:
    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return sum(histogram[:160]) / (image.width * image.height)


@pytest.mark.parametrize("key", sorted(FORMS))
def test_each_form_prints_a_page_with_its_japanese_text(world, paper, key):
    spec = FORMS[key]
    client = Client()
    client.force_login(world.caseworker)
    response = _print(client, spec, paper)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf", response.content.decode()[:2000]
    pdf = response.content
    png = page_png(pdf)
    if ARTIFACTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{key}.png").write_bytes(png)
    assert inked_share(png) > 0.005, "the page is blank"
    text = pdf_text(pdf)
    assert spec.title.replace(" ", "")[:4] in text.replace(" ", "")
    assert world.office.name in text
    if spec.target not in ("year", "conference", "ledger"):
        assert "髙橋" in text  # the person's name exactly as entered (outside JIS X 0208: 髙)
    event = AuditEvent.objects.get(action="form.print")
    assert event.changes["form"] == key and event.actor_id == world.caseworker.pk
    if spec.target not in ("year",):
        assert event.person_id == world.person.pk or world.person.pk in set(
            AuditPerson.objects.filter(event_id=event.pk).values_list("person_id", flat=True))


def test_the_support_request_carries_a_document_number_kept_on_reprint(world, paper):
    client = Client()
    client.force_login(world.caseworker)
    spec = FORMS["kiyosu-request"]
    first = pdf_text(_print(client, spec, paper).content)
    again = pdf_text(_print(client, spec, paper).content)
    assert "清福第1号" in first and "清福第1号" in again
    assert FormIssue.objects.count() == 1
    assert "福祉事務所長" in first and "山田 太郎" in first


def test_a_missing_required_field_is_named_instead_of_printing_blanks(world, paper):
    Plan.objects.filter(enrollment_id=paper["enrollment"]).update(target_start_on=None)
    client = Client()
    client.force_login(world.caseworker)
    response = _print(client, FORMS["kiyosu-plan"], paper)
    assert response["Content-Type"].startswith("text/html")
    assert "「就労開始の目標時期」が記録されていません" in response.content.decode()
    assert not AuditEvent.objects.filter(action="form.print").exists()
    api = Client().get(f"/api/v1/enrollments/{paper['enrollment']}/forms/self-reliance-plan",
                       headers={"Authorization": f"Bearer {t.token_for(world, world.caseworker)}"})
    assert api.status_code == 422
    body = api.json()["error"]
    assert body["code"] == "form_missing_field"
    assert body["details"][0]["field"] == "plan.target_start_on"


def test_a_character_no_font_can_draw_is_reported_before_printing(world, paper):
    world.person.name = "髙橋 \U000253b4子"  # U+253B4: in no installed CJK font
    world.person.save()
    client = Client()
    client.force_login(world.caseworker)
    spec = FORMS["support-plan"]
    response = _print(client, spec, paper)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "U+253B4" in page and "このまま印刷する" in page
    assert not AuditEvent.objects.filter(action="form.print").exists()
    printed = _print(client, spec, paper, confirm="1")
    assert printed["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.get(action="form.print").changes["missing_glyphs"] == ["U+253B4"]


def test_partners_and_administrators_do_not_print_the_offices_forms(world, paper):
    for user in (world.partner, world.admin):
        client = Client()
        client.force_login(user)
        assert _print(client, FORMS["support-plan"], paper).status_code == 403


def test_another_offices_record_is_not_found(world, paper):
    client = Client()
    client.force_login(world.outsider)
    assert _print(client, FORMS["consent"], paper).status_code == 404


def test_the_article_62_decision_notice_carries_the_kyouji(world):
    walk = Walker(world, required=1)
    step = walk.to_draft("suspend")
    step = gs.guidance_decision_approve(actor=world.m(world.manager), step=step, approve=True)
    _, pdf = gs.guidance_document_export(actor=world.m(world.manager), step=step)
    text = "".join(pdf_text(pdf).split())  # lines joined, spaces (also 全角) dropped
    assert "教示" in text
    assert "3か月以内に" in text and "愛知県知事に対して審査請求" in text
    assert "6か月以内" in text and "取消しの訴え" in text


def test_every_form_is_one_action_on_the_screen_of_its_data_and_one_api_operation(world, paper):
    """Each form of the issue: a link on the screen where its data lives (the print menu),
    and an operation in the OpenAPI document on the path of its record."""
    from jiritsu.api.api import api

    c = Client()
    c.force_login(world.caseworker)
    screens = {
        "enrollment": [reverse("programs:enrollment", args=[paper["enrollment"]])],
        "referral": [reverse("activities:referral_detail", args=[paper["referral"]])],
        "ledger": [reverse("programs:ledger", args=[paper["ledger"]])],
        # the consent: on the person page, and beside the referral that rests on it
        "consent": [reverse("people:person", args=[world.person.pk]),
                    reverse("activities:referral_detail", args=[paper["referral"]])],
        "conference": [reverse("programs:conference", args=[paper["conference"]])],
        # a record: on its episode's page and on the person's timeline
        "record": [reverse("programs:enrollment", args=[paper["enrollment"]]),
                   reverse("people:person", args=[world.person.pk])],
        "year": [reverse("reports:report") + "?fiscal_year=2026"],
    }
    paths = set(api.get_openapi_schema()["paths"])
    program = Enrollment.objects.get(pk=paper["enrollment"]).program
    for key, spec in FORMS.items():
        # a seed's own form is offered on the episodes of the program made from that seed
        template = FORM_TEMPLATES.get(key, ("kiyosu_work_capacity",))[0]
        type(program).objects.filter(pk=program.pk).update(template_code=template)
        name = f"documents:form_{key.replace('-', '_')}"
        url = reverse(name) if spec.target == "year" else reverse(name, args=[paper[spec.target]])
        for screen in screens[spec.target]:
            page = c.get(screen)
            assert page.status_code == 200, screen
            assert url in page.content.decode(), f"{spec.title} is not printed from {screen}"
        assert f"/api/v1{spec.api_path}" in paths, spec.title


def test_forms_and_guidance_documents_share_the_offices_one_running_number(world):
    """A 支援要請書 and a 法27条 written instruction of the same office in the same fiscal year
    never carry the same 文書番号, even where the office's format is the guidance's old prefix."""
    from jiritsu.guidance.services import _next_document_number
    from jiritsu.offices.models import DocumentCounter
    from jiritsu.offices.numbering import next_document_number

    first = next_document_number(world.office)
    second = _next_document_number(world.office)
    third = next_document_number(world.office)
    assert [first.number, third.number] == [1, 3]
    assert len({first.text, second, third.text}) == 3
    assert second == world.office.format_document_number(2)
    other = next_document_number(world.other_office)
    assert other.number == 1  # each office counts its own
    assert DocumentCounter.objects.get(office=world.office).last_number == 3
