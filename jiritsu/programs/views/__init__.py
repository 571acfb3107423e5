"""Program screens, one module per area: the catalogue (``catalogue``), screening and 台帳
(``selection``), consents (``consents``), episodes with their transitions, plans, records,
reviews and outcomes (``enrollments``), conferences (``conferences``), 決裁 and reviews due
(``approvals``). Each view parses, goes through ``jiritsu.programs.access``, calls one
service of ``jiritsu.programs.services`` and renders or redirects; refusals come back beside
the field they concern. ``urls.py`` names the views from this package.
"""

from __future__ import annotations

from jiritsu.programs.views.approvals import (
    approval_detail,
    approval_route,
    approvals_inbox,
    enroll_choose,
    reviews_due,
)
from jiritsu.programs.views.catalogue import (
    board_column,
    program_create,
    program_detail,
    program_edit,
    program_list,
)
from jiritsu.programs.views.conferences import (
    conference_create,
    conference_detail,
    conference_list,
)
from jiritsu.programs.views.consents import (
    consent_create,
    consent_withdraw,
)
from jiritsu.programs.views.enrollments import (
    enrollment_assign,
    enrollment_detail,
    enrollment_transition,
    outcome_create,
    plan_create,
    record_create,
    review_create,
)
from jiritsu.programs.views.selection import (
    enroll,
    ledger_detail,
    nomination_create,
    screening_view,
)

__all__ = [
    "approval_detail",
    "approval_route",
    "approvals_inbox",
    "board_column",
    "conference_create",
    "conference_detail",
    "conference_list",
    "consent_create",
    "consent_withdraw",
    "enroll",
    "enroll_choose",
    "enrollment_assign",
    "enrollment_detail",
    "enrollment_transition",
    "ledger_detail",
    "nomination_create",
    "outcome_create",
    "plan_create",
    "program_create",
    "program_detail",
    "program_edit",
    "program_list",
    "record_create",
    "review_create",
    "reviews_due",
    "screening_view",
]
