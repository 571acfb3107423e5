"""Role → actions: the one table of who may do what.

Object-level limits (own office; a partner's referred people within consent) are
applied by the access functions in each app, on top of this table.
"""

from __future__ import annotations

# Every action the application checks. Keep names `<object>.<verb>`.
ACTIONS: frozenset[str] = frozenset(
    {
        "person.view", "person.edit", "household.view", "household.edit",
        "caseload.import", "audit.view", "office.admin", "user.manage",
        "program.view", "program.manage", "screening.run", "nomination.record",
        "enrollment.manage", "consent.record", "conference.manage", "approval.decide",
        "plan.write", "record.write", "review.write", "outcome.record",
        "guidance.manage", "guidance.approve",
        "report.view", "report.freeze", "export.run", "person.disclose",
        "apitoken.manage",
    }
)

_CASEWORKER = {
    "person.view", "person.edit", "household.view", "household.edit",
    "program.view", "screening.run", "nomination.record", "enrollment.manage",
    "consent.record", "conference.manage", "plan.write", "record.write", "review.write",
    "outcome.record", "guidance.manage", "report.view", "export.run", "apitoken.manage",
}
_SUPERVISOR = _CASEWORKER | {"audit.view", "approval.decide", "caseload.import", "person.disclose"}
_MANAGER = _SUPERVISOR | {"program.manage", "guidance.approve", "report.freeze"}
_SUPPORT_STAFF = {
    "person.view", "household.view", "program.view", "record.write", "review.write",
    "plan.write", "apitoken.manage",
}
_PARTNER = {"person.view", "program.view", "record.write", "apitoken.manage"}
_ADMIN = {"office.admin", "user.manage", "program.view", "program.manage", "caseload.import",
          "audit.view", "apitoken.manage"}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "caseworker": frozenset(_CASEWORKER),
    "supervisor": frozenset(_SUPERVISOR),
    "manager": frozenset(_MANAGER),
    "support_staff": frozenset(_SUPPORT_STAFF),
    "partner": frozenset(_PARTNER),
    "admin": frozenset(_ADMIN),
}

assert all(actions <= ACTIONS for actions in ROLE_ACTIONS.values())


def role_can(role: str, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return action in ROLE_ACTIONS.get(role, frozenset())
