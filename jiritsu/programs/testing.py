"""Test factories for programs (used by this app's tests and by others').

Like ``jiritsu.testing`` they write directly, without audit rows: they build the
world a test starts from. Behaviour under test goes through services, views or the API.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from jiritsu.offices.models import Office
from jiritsu.programs.models import (
    Consent,
    ConsentGrant,
    OutcomeKind,
    OutcomeType,
    Phase,
    Program,
    ProgramVersion,
    SupportMenu,
)
from jiritsu.programs.services.catalogue import program_snapshot

_seq = itertools.count(1)


def make_program(office: Office, *, phases: list[str] | None = None,
                 menus: list[str] | None = None,
                 outcomes: list[tuple[str, str, bool]] | None = None, **kw: Any) -> Program:
    """A program with phases, menus and outcome types, at version 1 (snapshot included)."""
    n = next(_seq)
    defaults: dict[str, Any] = {
        "code": f"P{n:03d}", "name": f"テスト就労支援プログラム{n}", "kind": Program.Kind.ECONOMIC,
        "established_on": dt.date(2024, 4, 1), "review_interval_months": 3,
        "standard_length_months": 6, "max_length_months": 12, "consent_required": True,
    }
    defaults.update(kw)
    program = Program.objects.create(office=office, **defaults)
    for i, name in enumerate(phases or []):
        Phase.objects.create(program=program, order=i + 1, name=name)
    for i, name in enumerate(menus or []):
        SupportMenu.objects.create(program=program, order=i + 1, name=name)
    for kind, name, achieves in outcomes if outcomes is not None else [
        (OutcomeKind.EMPLOYMENT_START, "就労開始", True),
        (OutcomeKind.INCOME_INCREASE, "増収", True),
        (OutcomeKind.DISCHARGE, "退院", True),
    ]:
        OutcomeType.objects.create(program=program, kind=kind, name=name,
                                   counts_as_achievement=achieves)
    ProgramVersion.objects.create(program=program, number=1, snapshot=program_snapshot(program))
    return program


def make_consent(person: Any, program: Program | None, *, given_on: dt.date = dt.date(2025, 4, 1),
                 partners: list[Any] | None = None, categories: list[str] | None = None,
                 recorded_by: Any, **kw: Any) -> Consent:
    consent = Consent.objects.create(office=person.office, person=person, program=program,
                                     given_on=given_on, form=Consent.Form.WRITTEN,
                                     recorded_by=recorded_by, **kw)
    for p in partners or []:
        ConsentGrant.objects.create(consent=consent, partner=p,
                                    categories=categories or ["basic", "employment"])
    return consent


def open_episodes_for_assistance_end(actor: Any, person: Any, *, on: dt.date = dt.date(2025, 4, 1)
                                     ) -> dict[str, Any]:
    """Episodes for the 保護廃止 tests, made through the services: ``active`` and
    ``candidate`` in recipient-only programs, ``open_to_all`` in a program that also takes
    people not on assistance, and ``ended`` (declined before)."""
    from jiritsu.programs import services

    programs = {k: make_program(person.office, consent_required=False,
                                allows_non_recipients=(k == "open_to_all"))
                for k in ("active", "candidate", "open_to_all", "ended")}
    out = {k: services.enrollment_create(actor=actor, person=person, program=p, on=on)
           for k, p in programs.items()}
    services.enrollment_start(actor=actor, enrollment=out["active"], on=on)
    services.enrollment_end(actor=actor, enrollment=out["ended"], reason="declined", on=on)
    return out


def refer(person: Any, partner: Any, program: Program | None = None) -> Any:
    """An open episode of ``person`` referred to ``partner`` (紹介先): with a consent that names
    the partner, this is what lets the partner see the person."""
    from jiritsu.programs.models import Enrollment

    program = program or make_program(person.office)
    enrollment = Enrollment.objects.create(
        office=person.office, person=person, program=program,
        program_version=program.versions.order_by("-number")[0], status="active",
        candidate_on=dt.date(2025, 4, 1), selected_on=dt.date(2025, 4, 1),
        started_on=dt.date(2025, 4, 1))
    enrollment.referred_partners.add(partner)
    return enrollment
