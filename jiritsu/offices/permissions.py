"""Role → actions: the one table of who may do what, and the only place roles are compared.

Object-level limits (own office; a partner's referred people within consent) are applied by
the access functions (``cases/access.py``, ``programs/access.py`` …) on top of this table.
Code elsewhere asks ``membership.can("action")`` or one of the named predicates below; it
never compares ``membership.role`` with a role itself.
"""

from __future__ import annotations

from typing import Any

CASEWORKER, SUPERVISOR, MANAGER = "caseworker", "supervisor", "manager"
SUPPORT_STAFF, PARTNER, ADMIN = "support_staff", "partner", "admin"

# Every action the application checks. Keep names `<object>.<verb>`.
ACTIONS: frozenset[str] = frozenset(
    {
        "person.view", "person.edit", "household.view", "household.edit",
        "caseload.import", "audit.view", "office.admin", "user.manage",
        "program.view", "program.manage", "screening.run", "nomination.record",
        "enrollment.manage", "consent.record", "conference.manage", "approval.decide",
        "plan.write", "record.write", "review.write", "outcome.record",
        "guidance.manage", "guidance.approve", "guidance.settings",
        "report.view", "report.people", "report.freeze", "export.run", "person.disclose",
        "apitoken.manage",
        # Office-wide activity lists and pages (training placements, group sessions, the
        # task list, a person's support details): they name people across the office.
        "activity.view",
        # The Hello Work referral's steps: the office's staff, and the Hello Work itself
        # for the steps it reports (支援中・就職・支援終了).
        "referral.advance",
        # 所長 decisions outside the guidance procedure (e.g. approving a training employer).
        "training.approve",
        # The team's caseload and due reviews office-wide by default (supervisors, managers).
        "caseload.team",
        # The caseworker's day (casework): plan home visits; read and confirm records (供覧);
        # one's own work list; the office's visit intervals, 供覧 kinds and digest.
        "visit.plan", "record.confirm", "worklist.view", "casework.settings",
        # The national roll-up (全国集計): counts over every office; an installation role's.
        "national.view",
        # Printing the office's forms (帳票) from the record: the office's own staff.
        "form.print",
        # The installation's scheduled jobs and their runs (system administrators).
        "jobs.view",
        # The office's own settings (name, head, document numbers, retention): its system
        # administrator, and the installation administrator for every office.
        "office.settings",
        # Creating an office with its first administrator, and what identifies an office in the
        # installation (code, municipality, kind): the installation administrator's alone.
        "office.create",
        # Assistance and medical amounts (保護費・医療扶助, 要配慮個人情報) on a person's or
        # household's page and through the API: the office's own staff, never partners.
        "amounts.view",
        # 実施責任の移管 (jiritsu.transfers): proposing to hand a person over to another
        # office (caseworkers prepare it), and deciding on a hand-over — accepting or
        # declining one offered to the office, and the signed person file exchanged with
        # another installation (export and import) — which the 査察指導員 and 課長 decide.
        "transfer.propose", "transfer.decide",
        # Finding people registered twice and merging their files (名寄せ), and undoing a
        # merge: a decision about who a record is about, taken by 査察指導員 and 課長・所長.
        "person.merge",
        # Retention (保存年限): the list of case files due for deletion, and requesting their
        # deletion through 決裁 (supervisors, managers, the office's system administrator).
        "retention.view", "retention.request",
    }
)

_CASEWORKER = {
    "person.view", "person.edit", "household.view", "household.edit",
    "program.view", "screening.run", "nomination.record", "enrollment.manage",
    "consent.record", "conference.manage", "plan.write", "record.write", "review.write",
    "outcome.record", "guidance.manage", "report.view", "report.people", "export.run",
    "apitoken.manage", "activity.view", "referral.advance", "visit.plan", "worklist.view",
    "form.print", "amounts.view", "transfer.propose",
}
_SUPERVISOR = _CASEWORKER | {"audit.view", "approval.decide", "caseload.import", "person.disclose",
                             "caseload.team", "record.confirm", "transfer.decide",
                             "person.merge", "retention.view", "retention.request"}
_MANAGER = _SUPERVISOR | {"program.manage", "guidance.approve", "guidance.settings",
                          "report.freeze", "training.approve", "casework.settings"}
_SUPPORT_STAFF = {
    "person.view", "household.view", "program.view", "record.write", "review.write",
    "plan.write", "apitoken.manage", "activity.view", "report.people", "worklist.view",
    "form.print", "amounts.view",
}
_PARTNER = {"person.view", "program.view", "record.write", "apitoken.manage", "referral.advance"}
_ADMIN = {"office.admin", "user.manage", "program.view", "program.manage", "caseload.import",
          "audit.view", "apitoken.manage", "activity.view", "guidance.settings",
          "casework.settings", "jobs.view", "office.settings", "retention.view",
          "retention.request"}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    CASEWORKER: frozenset(_CASEWORKER),
    SUPERVISOR: frozenset(_SUPERVISOR),
    MANAGER: frozenset(_MANAGER),
    SUPPORT_STAFF: frozenset(_SUPPORT_STAFF),
    PARTNER: frozenset(_PARTNER),
    ADMIN: frozenset(_ADMIN),
}

# Installation roles: held by an account for the whole installation, not in an office
# (``User.installation_role``). A statistician of the prefecture or ministry has no office
# membership and sees only the national roll-up, so its role cannot be a membership's.
STATISTICIAN = "statistician"
# The installation administrator (設置管理者): the IT department's account that creates
# offices with their first system administrator and keeps every office's settings. It reads
# no office's people: it holds no membership for that (an account may hold one besides).
INSTALLATION_ADMIN = "installation_admin"

INSTALLATION_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    STATISTICIAN: frozenset({"national.view"}),
    INSTALLATION_ADMIN: frozenset({"office.create", "office.settings"}),
}

assert all(actions <= ACTIONS for actions in ROLE_ACTIONS.values())
assert all(actions <= ACTIONS for actions in INSTALLATION_ROLE_ACTIONS.values())


def role_can(role: str, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return action in ROLE_ACTIONS.get(role, frozenset())


def roles_that_can(action: str) -> frozenset[str]:
    """The office roles whose table holds ``action`` (for counting, e.g. administrators)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return frozenset(role for role, actions in ROLE_ACTIONS.items() if action in actions)


def installation_role_can(role: str, action: str) -> bool:
    """The same question for an installation role (an account's, office or not)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return action in INSTALLATION_ROLE_ACTIONS.get(role, frozenset())


# ---------------------------------------------------------------- named predicates

def is_partner(membership: Any) -> bool:
    """An account of a partner organisation: it reaches only people referred to it within
    consent (``cases.access.partner_people``), never the office's own lists."""
    return bool(membership is not None and membership.role == PARTNER)


def has_own_caseload(membership: Any) -> bool:
    """A caseworker (地区担当員): lists start from the households assigned to them."""
    return membership is not None and role_has_own_caseload(membership.role)


def role_has_own_caseload(role: str) -> bool:
    return role == CASEWORKER


def holds_approval_step(membership: Any, step_role: str) -> bool:
    """An approval route names each step by role: does this membership fill that step?"""
    return bool(membership is not None and membership.role == step_role)


def home_page(membership: Any) -> str:
    """Which home page the role starts from: caseworker, team, support, partner or admin."""
    return {CASEWORKER: "caseworker", SUPERVISOR: "team", MANAGER: "team",
            SUPPORT_STAFF: "support", PARTNER: "partner"}.get(membership.role, "admin")


# ---------------------------------------------------------------- installation roles

def may_view_national(user: Any) -> bool:
    """The national roll-up (全国集計) is an action of an installation role, not of an office
    role: a statistician of the prefecture or ministry has no office. This is the one check
    (screen, API, office-less tokens, the home page's redirect, the menu)."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and installation_role_can(getattr(user, "installation_role", ""), "national.view"))


def may_manage_offices(user: Any) -> bool:
    """Creating offices and keeping every office's settings (設置管理者): an installation
    role's action. The one check (screens, API, the home page's redirect, the menu); an
    office's own administrator edits its own settings through ``office.settings``."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and installation_role_can(getattr(user, "installation_role", ""), "office.create"))


def acts_without_office(user: Any) -> bool:
    """An account whose installation role lets it work without an office membership (the
    statistician, the installation administrator): the API answers it office-less, and an
    office-less API token may be issued to it."""
    return may_view_national(user) or may_manage_offices(user)


def grant_national_rollup(user: Any, *, grant: bool = True) -> None:
    """Give (or take back) the statistician's installation role; with
    :func:`grant_installation_admin` the one place that writes it
    (``manage.py grant_national_rollup``, the demo office's statistician)."""
    user.installation_role = STATISTICIAN if grant else ""
    user.save(update_fields=["installation_role"])


def grant_installation_admin(user: Any, *, grant: bool = True) -> None:
    """Give (or take back) the installation administrator's role
    (``manage.py grant_installation_admin``). An account holds one installation role."""
    user.installation_role = INSTALLATION_ADMIN if grant else ""
    user.save(update_fields=["installation_role"])


# ---------------------------------------------------------------- signing in

# Roles that always sign in with a second factor: they decide (所長) and configure (管理者).
# An office may require it of everyone else too (signin.SignInPolicy); an installation role
# (national figures of every office) always needs it.
_SECOND_FACTOR_ROLES = frozenset({MANAGER, ADMIN})


def role_requires_second_factor(role: str) -> bool:
    return role in _SECOND_FACTOR_ROLES


def installation_role_requires_second_factor(role: str) -> bool:
    return bool(role)
