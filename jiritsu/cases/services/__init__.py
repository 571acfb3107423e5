"""Cases services: every write of what happens to a person in a program.

Import from here: ``from jiritsu.cases import services`` then
``services.enrollment_start(actor=membership, enrollment=e, on=day)``. Each function is
keyword-only, runs in one transaction, re-checks the role table, refuses another
office's rows (404), raises ``jiritsu.core.errors`` domain errors with Japanese
messages, and writes an audit row. Topics live in the submodules. The catalogue
(programs and their versions) is written by ``jiritsu.programs.services``.
"""

from jiritsu.cases.services.approval_requests import (
    ApprovalKind,
    approval_request_create,
    approval_request_withdraw,
    approval_route_set,
    can_decide,
    register_kind,
    route_for,
    route_steps,
)
from jiritsu.cases.services.approvals import approval_decide
from jiritsu.cases.services.conferences import conference_create
from jiritsu.cases.services.consents import consent_record, consent_withdraw
from jiritsu.cases.services.enrollments import (
    end_for_office_transfer,
    enrollment_assign,
    enrollment_change_phase,
    enrollment_continue,
    enrollment_create,
    enrollment_end,
    enrollment_extend,
    enrollment_select,
    enrollment_set_menus,
    enrollment_start,
    enrollment_transfer,
    open_enrollment,
)
from jiritsu.cases.services.outcomes import outcome_record
from jiritsu.cases.services.plans import plan_create, plan_record_final_achievement
from jiritsu.cases.services.records import record_create, record_update
from jiritsu.cases.services.results import results_conference_create
from jiritsu.cases.services.reviews import review_create
from jiritsu.cases.services.screening import flag_non_matching, ledger_save, nomination_record
from jiritsu.cases.terms import consent_in_force, needs_approval, terms

__all__ = [
    "ApprovalKind", "approval_decide", "approval_request_create", "approval_request_withdraw", "approval_route_set", "can_decide",
    "conference_create", "consent_in_force", "consent_record", "consent_withdraw",
    "enrollment_assign", "enrollment_change_phase", "enrollment_continue", "enrollment_create",
    "enrollment_end", "enrollment_extend", "enrollment_select", "enrollment_set_menus",
    "enrollment_start", "enrollment_transfer", "end_for_office_transfer", "flag_non_matching", "ledger_save",
    "needs_approval", "nomination_record", "open_enrollment", "outcome_record",
    "plan_create", "plan_record_final_achievement", "record_create", "record_update",
    "register_kind", "results_conference_create", "review_create", "route_for", "route_steps", "terms",
]
