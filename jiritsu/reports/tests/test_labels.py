"""Labels people read in the audit log and the 開示 export are Japanese: every model has
its own ``__str__`` (never 「ApprovalRequest object (3)」) and every record section a
Japanese title."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ApprovalRequest, ApprovalStep
from jiritsu.cases.services.approval_requests import approval_request_create
from jiritsu.reports import disclosure
from jiritsu.reports.tests import factories as f
from jiritsu.reports.tests.test_disclosure import build_file

pytestmark = pytest.mark.django_db
DEFAULT_STR = re.compile(r"\b[A-Z][A-Za-z]+ object \(\d+\)")


def test_every_model_of_the_project_has_its_own_label() -> None:
    missing = [m._meta.label for m in apps.get_models()
               if m.__module__.startswith("jiritsu.") and m.__str__ is models.Model.__str__]
    assert missing == []


def test_every_generic_disclosure_section_has_a_japanese_title() -> None:
    covered = set(disclosure.COVERED)
    for _, more in disclosure._app_providers():
        covered |= more
    english = [m._meta.label for m in apps.get_models()
               if m.__module__.startswith("jiritsu.") and m not in covered
               and m._meta.app_label not in {"audit", "offices", "reports"}
               and disclosure.person_paths(m) and disclosure.model_title(m).isascii()]
    assert english == []


def test_approval_labels_in_the_audit_log_and_the_disclosure(client: Any, world: Any) -> None:
    person = build_file(world)
    enrollment = person.enrollments.get()
    req = approval_request_create(actor=world.m(world.caseworker), enrollment=enrollment,
                                  kind="extend", subject="期間延長（6か月）", payload={})
    ApprovalStep.objects.create(request=req, step_no=0, role="supervisor",
                                decided_by=world.supervisor, approved=True)
    assert str(req) == "決裁「期間延長（6か月）」（決裁待ち）"
    event = AuditEvent.objects.get(action="approval.request")
    assert event.target_label.startswith("決裁「期間延長")
    client.force_login(world.supervisor)
    res = client.post(f"/reports/disclose/{person.pk}/", {"format": "json"})
    text = res.content.decode()
    assert not DEFAULT_STR.search(text), DEFAULT_STR.search(text)
    doc = json.loads(text)
    titles = [s["title"] for s in doc["sections"]]
    assert all(not t.isascii() for t in titles), titles
    page = client.get(f"/audit/?person={person.pk}").content.decode()
    assert "決裁「期間延長（6か月）」" in page and not DEFAULT_STR.search(page)


def test_labels_of_records_without_their_own_screen(world: Any) -> None:
    program = f.make_program(world.office, code="X01", name="テスト")
    enrollment = f.enroll(world.person, program, world.caseworker,
                          candidate_on=dt.date(2025, 4, 1), started_on=dt.date(2025, 4, 2))
    event = enrollment.events.first()
    assert event is not None and str(event).startswith("支援の経過（")
    assert str(ApprovalRequest(subject="終了", status="approved")) == "決裁「終了」（決裁済）"
