"""開示請求: one action produces everything on one person, as PDF and JSON; audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.access import log_view
from jiritsu.cases.models import (
    ActivityRecord,
    Conference,
    ConferenceDecision,
    Consent,
    ConsentGrant,
    Plan,
    PlanGoal,
)
from jiritsu.core import clock
from jiritsu.people.models import Illness
from jiritsu.programs.models import OutcomeKind
from jiritsu.reports.tests import factories as f

D = dt.date


def build_file(world: Any) -> Any:
    person, cw = world.person, world.caseworker
    Illness.objects.create(person=person, name="統合失調症", is_psychiatric=True)
    f.assess(person, D(2025, 4, 1))
    program = f.make_program(world.office, code="E01", name="就労支援プログラム")
    conf = Conference.objects.create(office=world.office, kind=Conference.Kind.EMPLOYMENT_REVIEW,
                                     program=program, held_on=D(2025, 5, 20),
                                     title="5月 就労支援検討会", minutes="他の方の話も含む議事録",
                                     created_by=cw)
    enr = f.enroll(person, program, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 6, 1))
    ConferenceDecision.objects.create(conference=conf, person=person, enrollment=enr,
                                      decision=ConferenceDecision.Decision.START, reason="意欲あり")
    plan = Plan.objects.create(enrollment=enr, number=1, agreed_on=D(2025, 6, 1),
                               policy="週1回ハローワークへ同行", created_by=cw)
    PlanGoal.objects.create(plan=plan, text="パート就労を始める")
    f.outcome(enr, OutcomeKind.EMPLOYMENT_START, D(2025, 9, 1), cw, employer="竹原工業")
    ActivityRecord.objects.create(office=world.office, person=person, enrollment=enr,
                                  occurred_at=dt.datetime(2025, 6, 10, 10, 0, tzinfo=clock.JAPAN),
                                  kind=ActivityRecord.Kind.ACCOMPANY_HELLO_WORK,
                                  text="ハローワークに同行した", author=cw)
    consent = Consent.objects.create(office=world.office, person=person, program=program,
                                     given_on=D(2025, 5, 25), form=Consent.Form.WRITTEN,
                                     recorded_by=cw)
    ConsentGrant.objects.create(consent=consent, partner=world.partner_org,
                                categories=["basic", "employment"])
    log_view(world.m(cw), person)
    return person


def test_disclosure_zip_has_pdf_and_json_with_every_section(client: Any, world: Any,
                                                            tmp_path: Path) -> None:
    person = build_file(world)
    client.force_login(world.supervisor)
    assert client.get(f"/reports/disclose/{person.pk}/").status_code == 200
    res = client.post(f"/reports/disclose/{person.pk}/", {"format": "zip"})
    assert res.status_code == 200
    assert res["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(res.content))
    names = sorted(zf.namelist())
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "pdf"]
    doc = json.loads(zf.read(names[0]))
    sections = {s["key"]: s for s in doc["sections"]}
    for key in ("profile", "illnesses", "assessments", "household", "enrollments",
                "enrollment_events", "plans", "plan_goals", "outcomes", "records", "conferences",
                "consents", "consent_grants", "audit"):
        assert key in sections, key
    assert doc["person"]["name"] == "髙橋 𠮷子"
    assert sections["profile"]["rows"][0]["氏名"] == "髙橋 𠮷子"
    assert sections["illnesses"]["rows"][0]["傷病名"] == "統合失調症"
    assert [e["変更後"] for e in sections["enrollment_events"]["rows"]] == ["候補", "選定", "参加中"]
    assert sections["outcomes"]["rows"][0]["就労先"] == "竹原工業"
    assert sections["records"]["rows"][0]["内容"] == "ハローワークに同行した"
    assert sections["conferences"]["rows"][0]["件名"] == "5月 就労支援検討会"
    assert "他の方の話も含む議事録" not in json.dumps(doc, ensure_ascii=False)
    assert sections["consent_grants"]["rows"][0]["提供する情報"] == "基本情報（氏名・連絡先）、就労・職歴"
    assert any(r["職員"] == "佐藤 一郎" and r["種別"] == "閲覧" for r in sections["audit"]["rows"])

    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(zf.read(names[1]))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("保有個人情報の開示", "本人情報", "経過記録", "同意", "閲覧・操作の記録"):
        assert heading in text
    assert "髙橋" in text and "竹原工業" in text

    event = AuditEvent.objects.get(action="person.disclose")
    assert (event.kind, event.person_id, event.actor_id) == ("export", person.pk, world.supervisor.pk)
    assert "audit" in event.changes["sections"]


def test_disclosure_single_formats(client: Any, world: Any) -> None:
    person = build_file(world)
    client.force_login(world.manager)
    res = client.post(f"/reports/disclose/{person.pk}/", {"format": "json"})
    assert res["Content-Type"] == "application/json"
    assert json.loads(res.content)["format"] == "jiritsu-disclosure/1"
    res = client.post(f"/reports/disclose/{person.pk}/", {"format": "pdf"})
    assert res.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="person.disclose").count() == 2


def test_disclosure_roles_and_offices(client: Any, world: Any) -> None:
    person = build_file(world)
    client.force_login(world.caseworker)
    assert client.post(f"/reports/disclose/{person.pk}/", {"format": "zip"}).status_code == 403
    other_supervisor = t.make_user(world.other_office, "supervisor")
    client.force_login(other_supervisor)
    assert client.post(f"/reports/disclose/{person.pk}/", {"format": "zip"}).status_code == 404
    assert not AuditEvent.objects.filter(action="person.disclose").exists()


def test_records_reached_through_other_records_are_found() -> None:
    from jiritsu.cases import models as cm
    from jiritsu.programs import models as pm
    from jiritsu.reports.disclosure import person_paths

    assert person_paths(cm.ConsentGrant) == ["consent__person"]
    # A 決裁 names its person directly (a 法62条 decision has no episode) and through its episode.
    assert person_paths(cm.ApprovalStep) == ["request__enrollment__person", "request__person"]
    assert person_paths(cm.GoalAssessment) == ["review__enrollment__person"]
    assert person_paths(pm.Program) == []


def test_a_record_type_no_section_covers_is_still_disclosed(world: Any) -> None:
    """A model of another app (e.g. guidance steps) with no provider lands in a generic
    section, found through its foreign keys; shown here by un-covering consent grants."""
    from jiritsu.cases import models as cm
    from jiritsu.reports import disclosure

    person = build_file(world)
    sections = disclosure._generic(person, disclosure.COVERED - {cm.ConsentGrant})
    assert [s.key for s in sections] == ["cases.consentgrant"]
    assert sections[0].rows[0]["関係機関"] == "ハローワークＡ"
    assert disclosure._generic(person, disclosure.COVERED) == []
