"""Test factories for cases (used by this app's tests and by others').

Like ``jiritsu.testing`` they write directly, without audit rows: they build the
world a test starts from. Behaviour under test goes through services, views or the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiritsu.cases import services
from jiritsu.cases.models import Consent, ConsentGrant, Enrollment
from jiritsu.programs.models import Program
from jiritsu.programs.testing import make_program


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
    program = program or make_program(person.office)
    enrollment = Enrollment.objects.create(
        office=person.office, person=person, program=program,
        program_version=program.versions.order_by("-number")[0], status="active",
        candidate_on=dt.date(2025, 4, 1), selected_on=dt.date(2025, 4, 1),
        started_on=dt.date(2025, 4, 1))
    enrollment.referred_partners.add(partner)
    return enrollment
