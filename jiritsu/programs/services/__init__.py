"""Programs services: every write of the program life cycle.

Import from here: ``from jiritsu.programs import services`` then
``services.enrollment_start(actor=membership, enrollment=e, on=day)``. Each function is
keyword-only, runs in one transaction, re-checks the role table, refuses another
office's rows (404), raises ``jiritsu.core.errors`` domain errors with Japanese
messages, and writes an audit row. Topics live in the submodules.
"""

from jiritsu.programs.services.approvals import (
    approval_decide,
    approval_request_create,
    approval_route_set,
    can_decide,
    route_steps,
)
from jiritsu.programs.services.catalogue import (
    program_create,
    program_set_rules,
    program_snapshot,
    program_update,
)
from jiritsu.programs.services.conferences import conference_create
from jiritsu.programs.services.consents import consent_record, consent_withdraw
from jiritsu.programs.services.enrollments import (
    consent_in_force,
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
    needs_approval,
    open_enrollment,
    terms,
)
from jiritsu.programs.services.outcomes import outcome_record
from jiritsu.programs.services.plans import plan_create, plan_record_final_achievement
from jiritsu.programs.services.records import record_create, record_update
from jiritsu.programs.services.reviews import review_create
from jiritsu.programs.services.screening import flag_non_matching, ledger_save, nomination_record

__all__ = [
    "approval_decide", "approval_request_create", "approval_route_set", "can_decide",
    "conference_create", "consent_in_force", "consent_record", "consent_withdraw",
    "enrollment_assign", "enrollment_change_phase", "enrollment_continue", "enrollment_create",
    "enrollment_end", "enrollment_extend", "enrollment_select", "enrollment_set_menus",
    "enrollment_start", "enrollment_transfer", "flag_non_matching", "ledger_save",
    "needs_approval", "nomination_record", "open_enrollment", "outcome_record",
    "plan_create", "plan_record_final_achievement", "program_create",
    "program_set_rules", "program_snapshot", "program_update", "record_create", "record_update",
    "review_create", "route_steps", "terms",
]
