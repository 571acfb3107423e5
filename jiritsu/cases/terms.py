"""What an episode runs under: the terms of its program version, whether a decision needs
決裁, and the consent in force. Read by the services (transitions, outcomes, reviews) and by
the selectors (reviews due, the episode page) alike, so the rule has one home and neither
imports the other for it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from jiritsu.cases.models import Consent, Enrollment
from jiritsu.people.models import Person
from jiritsu.programs.models import Program


def terms(enrollment: Enrollment) -> dict[str, Any]:
    """The program definition this episode runs under (its ProgramVersion), with the
    live program as fallback for keys an old snapshot lacks."""
    snap = enrollment.program_version.snapshot if enrollment.program_version_id else {}
    program = enrollment.program
    keys = ["review_interval_months", "standard_length_months", "max_length_months",
            "approvals_needed", "consent_required", "post_discharge_review_months",
            "allows_non_recipients"]
    return {k: snap[k] if k in snap else getattr(program, k) for k in keys}


def needs_approval(enrollment: Enrollment, kind: str) -> bool:
    return kind in (terms(enrollment).get("approvals_needed") or [])


def consent_in_force(person: Person, program: Program, on: dt.date) -> Consent | None:
    """An unwithdrawn consent for this program (or a general one) given on or before ``on``."""
    return (Consent.objects.filter(person=person, given_on__lte=on)
            .filter(Q(program=program) | Q(program__isnull=True))
            .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
            .order_by("-given_on").first())
