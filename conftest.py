"""Shared pytest fixtures: two offices and a persona of every role (healthchecks-style)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from django_scopes import scopes_disabled

from jiritsu import testing as t
from jiritsu.offices.models import Membership, Office, PartnerOrganisation, User
from jiritsu.people.models import Household, Person

# The browser harness's fixtures, registered once for the whole suite: a session-scoped
# Chromium defined in two modules would start a second Playwright inside the first's loop.
pytest_plugins = ["jiritsu.web.tests.browser"]


@pytest.fixture(scope="session", autouse=True)
def _second_factor_off_unless_tested() -> Iterator[None]:
    """Tests sign managers and administrators in with force_login, in module-wide worlds too;
    the second factor is tested on its own (jiritsu/signin/tests), where it is switched on."""
    from django.test import override_settings

    with override_settings(JIRITSU_TWO_FACTOR="off"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _attachments_in_a_temporary_folder(tmp_path_factory: Any) -> Iterator[None]:
    """Attached files written by tests go to a throw-away folder, never under var/."""
    from django.conf import settings
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("attachments")
    stores = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder)}}}
    with override_settings(STORAGES=stores):
        yield


@pytest.fixture(autouse=True)
def _fast_hasher_and_no_scope(settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Test set-up runs unscoped; requests through the client enter the office scope
    # in OfficeMiddleware exactly as in production.
    with scopes_disabled():
        yield


@pytest.fixture
def japan_time() -> Iterator[Callable[..., Any]]:
    """Freeze the moment in Japan time for the rest of the test:
    ``japan_time("2026-04-01 08:45")`` (returns time-machine's traveller, e.g. ``.shift()``).
    Request it before ``world`` (or call it first) so the test's data and log-ins happen at
    that moment. Not for live-server/browser tests."""
    with ExitStack() as stack:
        def freeze(moment: str, *, tick: bool = False) -> Any:
            return stack.enter_context(t.at_japan_time(moment, tick=tick))

        yield freeze


@dataclass
class World:
    office: Office
    other_office: Office
    partner_org: PartnerOrganisation
    caseworker: User
    caseworker2: User
    supervisor: User
    manager: User
    support_staff: User
    partner: User
    admin: User
    outsider: User  # caseworker of the other office
    household: Household
    person: Person
    other_person: Person  # belongs to the other office

    def m(self, user: User, office: Office | None = None) -> Membership:
        return t.membership_of(user, office or self.office)


@pytest.fixture
def world(db: Any) -> World:
    office = t.make_office("A001", name="Ａ市福祉事務所")
    other = t.make_office("B001", name="Ｂ市福祉事務所")
    hw = t.make_partner(office, PartnerOrganisation.Kind.HELLO_WORK, "ハローワークＡ")
    cw = t.make_user(office, "caseworker", username="cw_a", display_name="佐藤 一郎")
    cw2 = t.make_user(office, "caseworker", username="cw2_a", display_name="鈴木 花子")
    sv = t.make_user(office, "supervisor", username="sv_a", display_name="高橋 次郎")
    mgr = t.make_user(office, "manager", username="mgr_a", display_name="田中 三郎")
    ss = t.make_user(office, "support_staff", username="ss_a", display_name="伊藤 保子",
                     profession=Membership.Profession.PUBLIC_HEALTH_NURSE)
    partner = t.make_user(office, "partner", username="hw_a", display_name="渡辺 職安",
                          partner=hw)
    admin = t.make_user(office, "admin", username="admin_a", display_name="管理 者")
    outsider = t.make_user(other, "caseworker", username="cw_b", display_name="中村 四郎")
    hh = t.make_household(office, caseworker=cw, case_number="100001")
    person = t.make_person(office, household=hh, name="髙橋 𠮷子", kana="たかはし よしこ",
                           sex=Person.Sex.FEMALE, member_number=1)
    hh_b = t.make_household(other, caseworker=outsider, case_number="100001")
    other_person = t.make_person(other, household=hh_b, name="別市 太郎", kana="べっし たろう",
                                 member_number=1)
    return World(office, other, hw, cw, cw2, sv, mgr, ss, partner, admin, outsider, hh, person,
                 other_person)
