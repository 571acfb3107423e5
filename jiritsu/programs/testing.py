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
