"""Permissions as one table, tested as a matrix: every role × every action, and every view
across two offices (anonymous → log-in, no permission → 403, other office → 404, allowed → 200)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiritsu.offices.permissions import (
    ACTIONS,
    INSTALLATION_ROLE_ACTIONS,
    ROLE_ACTIONS,
    installation_role_can,
    may_view_national,
    role_can,
)

pytestmark = pytest.mark.django_db

C, S, M, SS, P, A = "caseworker", "supervisor", "manager", "support_staff", "partner", "admin"

# Written out independently of permissions.py: a change there must be a change here.
EXPECTED: dict[str, set[str]] = {
    "person.view": {C, S, M, SS, P},
    "person.edit": {C, S, M},
    "household.view": {C, S, M, SS},
    "household.edit": {C, S, M},
    "caseload.import": {S, M, A},
    "audit.view": {S, M, A},
    "office.admin": {A},
    "user.manage": {A},
    "program.view": {C, S, M, SS, P, A},
    "program.manage": {M, A},
    "screening.run": {C, S, M},
    "nomination.record": {C, S, M},
    "enrollment.manage": {C, S, M},
    "consent.record": {C, S, M},
    "conference.manage": {C, S, M},
    "approval.decide": {S, M},
    "plan.write": {C, S, M, SS},
    "record.write": {C, S, M, SS, P},
    "review.write": {C, S, M, SS},
    "outcome.record": {C, S, M},
    "guidance.manage": {C, S, M},
    "guidance.approve": {M},
    "report.view": {C, S, M},
    "report.people": {C, S, M, SS},
    "activity.view": {C, S, M, SS, A},
    "referral.advance": {C, S, M, P},
    "training.approve": {M},
    "caseload.team": {S, M},
    "visit.plan": {C, S, M}, "record.confirm": {S, M},
    "worklist.view": {C, S, M, SS}, "casework.settings": {M, A},
    "guidance.settings": {M, A},
    "report.freeze": {M},
    "export.run": {C, S, M},
    "person.disclose": {S, M},
    "apitoken.manage": {C, S, M, SS, P, A},
    "form.print": {C, S, M, SS},
    "jobs.view": {A},
    # Assistance and medical amounts (要配慮個人情報): the office's staff, never partners.
    "amounts.view": {C, S, M, SS},
    # 移管: caseworkers propose; the receiving office's 査察指導員・課長 decide, and exchange the
    # signed person file with another installation.
    "transfer.propose": {C, S, M},
    "transfer.decide": {S, M},
    "person.merge": {S, M},
    # The office's own settings: its administrator (and the installation administrator, below).
    "office.settings": {A},
    # The case files due for deletion and requesting their deletion (decided through 決裁).
    "retention.view": {S, M, A}, "retention.request": {S, M, A},
    # An installation role's (below), never an office role's.
    "national.view": set(),
    "office.create": set(),
}

# Installation roles (held by the account, without an office): role → actions.
INSTALLATION_EXPECTED: dict[str, set[str]] = {
    "statistician": {"national.view"},
    "installation_admin": {"office.create", "office.settings"},
}


@pytest.mark.parametrize("role", sorted(ROLE_ACTIONS))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_action_matrix(role, action):
    if action not in EXPECTED:
        pytest.fail(f"action {action!r} has no expected row in this matrix; add one")
    assert role_can(role, action) == (role in EXPECTED[action]), (role, action)


@pytest.mark.parametrize("role", sorted(INSTALLATION_ROLE_ACTIONS))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_installation_role_action_matrix(role, action):
    assert set(INSTALLATION_ROLE_ACTIONS) == set(INSTALLATION_EXPECTED)
    assert installation_role_can(role, action) == (action in INSTALLATION_EXPECTED[role]), (role, action)


def test_the_national_rollup_follows_the_installation_role_only(world):
    user = world.manager
    assert not may_view_national(user)  # no office role reaches it, managers included
    user.installation_role = "statistician"
    assert may_view_national(user)
    user.is_active = False
    assert not may_view_national(user)


def test_unknown_action_is_an_error_not_a_silent_no():
    with pytest.raises(KeyError):
        role_can("manager", "person.delete_everything")


def test_inactive_membership_can_do_nothing(world):
    m = world.m(world.manager)
    m.is_active = False
    assert not any(m.can(a) for a in ACTIONS)


# (url name, how to build args from the world, action, reaches a person's record)
VIEWS = [
    ("people:person", lambda w: [w.person.pk], "person.view", True),
    ("people:person_edit", lambda w: [w.person.pk], "person.edit", True),
    ("people:parts", lambda w: [w.person.pk], "person.edit", True),
    ("people:part_add", lambda w: [w.person.pk, "illnesses"], "person.edit", True),
    ("people:household", lambda w: [w.household.pk], "household.view", True),
    ("people:household_edit", lambda w: [w.household.pk], "household.edit", True),
    ("people:household_new", lambda w: [], "household.edit", False),
    ("people:person_new", lambda w: [], "person.edit", False),
    ("people:import", lambda w: [], "caseload.import", False),
    ("audit:list", lambda w: [], "audit.view", False),
    ("offices:staff", lambda w: [], "user.manage", False),
    ("offices:partners", lambda w: [], "office.admin", False),
]
PERSONAS = ["caseworker", "supervisor", "manager", "support_staff", "partner", "admin"]


@pytest.mark.parametrize(("name", "args", "action", "personal"), VIEWS, ids=[v[0] for v in VIEWS])
def test_view_matrix(client, world, name, args, action, personal):
    url = reverse(name, args=args(world))
    resp = client.get(url)
    assert resp.status_code == 302 and resp["Location"].startswith("/login/"), "anonymous"
    for persona in PERSONAS:
        user = getattr(world, persona)
        client.force_login(user)
        status = client.get(url).status_code
        role = world.m(user).role
        if role not in EXPECTED[action]:
            expected = 403
        elif personal and role == "partner":
            expected = 404  # no consent names this partner: the person does not exist for them
        else:
            expected = 200
        assert status == expected, (persona, status)


OTHER_OFFICE_VIEWS = [
    ("people:person", lambda w: [w.other_person.pk]),
    ("people:person_edit", lambda w: [w.other_person.pk]),
    ("people:parts", lambda w: [w.other_person.pk]),
    ("people:part_add", lambda w: [w.other_person.pk, "illnesses"]),
    ("people:household", lambda w: [w.other_person.household_id]),
    ("people:household_edit", lambda w: [w.other_person.household_id]),
]


@pytest.mark.parametrize(("name", "args"), OTHER_OFFICE_VIEWS, ids=[v[0] for v in OTHER_OFFICE_VIEWS])
def test_another_offices_record_is_404_exactly_like_a_missing_one(client, world, name, args):
    client.force_login(world.manager)
    foreign = client.get(reverse(name, args=args(world)))
    missing_args = [999999 if isinstance(a, int) else a for a in args(world)]
    missing = client.get(reverse(name, args=missing_args))
    assert foreign.status_code == missing.status_code == 404
    # Same page, bar the CSRF token and the request's own 問い合わせ番号.
    assert _main(foreign.content) == _main(missing.content)


def _main(content: bytes) -> str:
    body = content.decode()
    main = body[body.index("<main"):body.index("</main>")]
    return re.sub(r"<code>[0-9a-f]{32}</code>", "<code>REQUEST-ID</code>", main)
