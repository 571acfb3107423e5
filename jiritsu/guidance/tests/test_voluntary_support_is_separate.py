"""Voluntary support (法27条の2, 55条の7) never feeds the 指導指示 track.

Declining or leaving a 自立支援プログラム is not a breach of an instruction: there is
no code path from programs, enrolments, consents or activities into guidance, and
guidance holds no link to them. A guidance case exists only because staff opened one.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from jiritsu.guidance import services
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep

pytestmark = pytest.mark.django_db

APPS = Path(__file__).resolve().parents[2]
VOLUNTARY_APPS = ("programs", "activities", "people", "reports", "offices", "core", "audit")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_voluntary_support_module_imports_guidance():
    offenders = []
    for app in VOLUNTARY_APPS:
        for path in (APPS / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if any(name.startswith("jiritsu.guidance") for name in _imports(path)):
                offenders.append(str(path.relative_to(APPS)))
    assert offenders == []


def test_guidance_rows_have_no_link_to_programs_or_enrolments():
    linked = set()
    for model in (GuidanceCase, GuidanceStep, GuidanceSettings):
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if related is not None:
                linked.add(related._meta.label)
    # The only case models guidance refers to are the case conference it holds and the
    # 決裁 request of a decision (the office's one 決裁 mechanism), never an episode:
    # a 法62条 decision's request names the person and no episode.
    assert {label for label in linked if label.startswith("cases.")} == {
        "cases.Conference", "cases.ApprovalRequest"}


def test_no_guidance_service_takes_an_enrolment_or_program():
    for name, fn in inspect.getmembers(services, inspect.isfunction):
        if name.startswith("guidance_"):
            params = set(inspect.signature(fn).parameters)
            assert not params & {"enrollment", "program", "consent", "nomination"}, name



@pytest.mark.parametrize("after", ["candidate", "active"])
def test_declining_a_program_creates_no_guidance_case(world, after):
    """Declining (辞退) through the programs services leaves guidance untouched."""
    from jiritsu.audit.models import AuditEvent
    from jiritsu.cases import services as programs
    from jiritsu.cases.testing import make_consent
    from jiritsu.guidance.tests.helpers import days_ago
    from jiritsu.programs.testing import make_program

    actor = world.m(world.caseworker)
    program = make_program(world.office, name="稼働能力活用推進プログラム",
                           consent_required=False)
    enrollment = programs.enrollment_create(actor=actor, person=world.person, program=program,
                                            on=days_ago(30))
    if after == "active":
        make_consent(world.person, program, given_on=days_ago(30), recorded_by=world.caseworker)
        programs.enrollment_select(actor=actor, enrollment=enrollment, on=days_ago(29))
        programs.enrollment_start(actor=actor, enrollment=enrollment, on=days_ago(28))
    programs.enrollment_end(actor=actor, enrollment=enrollment, reason="declined",
                            on=days_ago(20), note="本人が参加を辞退")
    enrollment.refresh_from_db()
    assert enrollment.status == "ended" and enrollment.end_reason == "declined"
    assert not GuidanceCase.objects.filter(person=world.person).exists()
    assert not GuidanceStep.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="guidance.").exists()
