"""Case screens, one module per area: the program page and its board (``program_page``),
screening and 台帳 (``selection``), consents (``consents``), episodes with their transitions,
plans, records, reviews and outcomes (``enrollments``), conferences (``conferences``), the results
検討会 (``results``), 決裁 and reviews due (``approvals``). Each view parses, goes through ``jiritsu.cases.access``,
calls one service of ``jiritsu.cases.services`` and renders or redirects; refusals come back
beside the field they concern. ``jiritsu.cases.urls`` names the views of this package and the
catalogue screens of ``jiritsu.programs.views``.
"""

from __future__ import annotations

from jiritsu.cases.views.approvals import (
    approval_detail,
    approval_route,
    approvals_inbox,
    enroll_choose,
    reviews_due,
)
from jiritsu.cases.views.conferences import (
    conference_create,
    conference_detail,
    conference_list,
)
from jiritsu.cases.views.consents import (
    consent_create,
    consent_withdraw,
)
from jiritsu.cases.views.enrollments import (
    enrollment_assign,
    enrollment_detail,
    enrollment_transition,
    outcome_create,
    plan_create,
    record_create,
    review_create,
)
from jiritsu.cases.views.program_page import board_column, program_detail
from jiritsu.cases.views.results import program_results, results_conference_create
from jiritsu.cases.views.selection import (
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
    "program_detail",
    "program_results",
    "record_create",
    "results_conference_create",
    "review_create",
    "reviews_due",
    "screening_view",
]
