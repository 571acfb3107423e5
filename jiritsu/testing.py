"""Test support shared by every app's tests: factories, frozen moments in Japan time and an
API client. Plain functions, explicit arguments.

The factories write directly (no audit rows) — they build the world a test starts from;
the behaviour under test goes through services, views or the API. This module sits above
every app (it builds offices and people and calls the API's tokens), so it lives outside
them; no application module imports it (the import contracts in ``pyproject.toml``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import time_machine
from django.test import Client

from jiritsu.api.tokens import token_create
from jiritsu.core import clock
from jiritsu.offices.models import Membership, Office, PartnerOrganisation, User
from jiritsu.people.models import Household, HouseholdType, Person

_seq = itertools.count(1)
PASSWORD = "test-password-123"

# ---- frozen moments in Japan time ----------------------------------------------------------

# The hard moments for anything that depends on "today": just after midnight, before the office
# opens at 08:30–09:00 (UTC is still the previous day until 09:00 JST), and just before midnight,
# on the last and first days of a fiscal year and across the era change 平成 → 令和.
HARD_TIMES = ("00:05", "08:45", "23:55")
HARD_DAYS = ("2026-03-31", "2026-04-01", "2019-04-30", "2019-05-01")
HARD_MOMENTS = tuple(f"{day} {time}" for day in HARD_DAYS for time in HARD_TIMES)


def japan_moment(moment: str | dt.datetime) -> dt.datetime:
    """``"2026-04-01 08:45"`` (or a naive datetime) as an aware datetime in Japan time."""
    value = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return clock.to_japan(value)


@contextmanager
def at_japan_time(moment: str | dt.datetime, *, tick: bool = False) -> Iterator[Any]:
    """Freeze the clock at ``moment`` in Japan time (``"2026-04-01 08:45"``), whatever the
    machine's clock and ``TZ`` are. ``clock.now()``/``clock.today()``, Django's timestamps and
    ``time.time()`` all see it. With ``tick=True`` time runs on from there. Use it only around
    what needs it: not around a live server or the browser (their threads would see it too)."""
    with time_machine.travel(japan_moment(moment), tick=tick) as traveller:
        yield traveller


def make_office(code: str | None = None, **kw: Any) -> Office:
    n = next(_seq)
    code = code or f"T{n:04d}"
    defaults: dict[str, Any] = {"name": f"テスト福祉事務所{n}", "municipality": "テスト市",
                                "kind": Office.Kind.CITY}
    defaults.update(kw)
    return Office.objects.create(code=code, **defaults)


def make_partner(office: Office, kind: str = PartnerOrganisation.Kind.HELLO_WORK,
                 name: str | None = None, **kw: Any) -> PartnerOrganisation:
    return PartnerOrganisation.objects.create(
        office=office, kind=kind, name=name or f"関係機関{next(_seq)}", **kw)


def make_user(office: Office, role: str = Membership.Role.CASEWORKER, *,
              username: str | None = None, display_name: str | None = None,
              profession: str = "", partner: PartnerOrganisation | None = None) -> User:
    n = next(_seq)
    user = User.objects.create_user(username=username or f"{role}{n}", password=PASSWORD,
                                    display_name=display_name or f"{role}職員{n}")
    if role == Membership.Role.PARTNER and partner is None:
        partner = make_partner(office)
    Membership.objects.create(user=user, office=office, role=role, profession=profession,
                              partner=partner)
    return user


def membership_of(user: User, office: Office) -> Membership:
    return Membership.objects.select_related("office", "partner").get(user=user, office=office)


def make_household(office: Office, *, caseworker: User | None = None,
                   household_type: str = HouseholdType.OTHER, **kw: Any) -> Household:
    n = next(_seq)
    defaults: dict[str, Any] = {"case_number": f"{n:06d}", "district": "中央地区",
                                "assistance_started_on": dt.date(2024, 4, 1)}
    defaults.update(kw)
    return Household.objects.create(office=office, caseworker=caseworker,
                                    household_type=household_type, **defaults)


def make_person(office: Office, *, household: Household | None = None, **kw: Any) -> Person:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "name": f"山田 太郎{n}", "kana": "やまだ たろう", "birth_date": dt.date(1980, 5, 1),
        "sex": Person.Sex.MALE, "member_number": n,
    }
    defaults.update(kw)
    return Person.objects.create(office=office, household=household, **defaults)


# ---- the API, as a client sees it ----------------------------------------------------------

class ApiClient:
    """Thin JSON client over Django's test client, authenticating with an API token."""

    def __init__(self, token: str | None, **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, data: Any = None, headers: dict[str, str] | None = None,
              **kw: Any) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        h = {**self.headers, **(headers or {})}
        if method == "get":
            return self.client.get(url, data, headers=h)
        body = json.dumps(data, ensure_ascii=False) if data is not None else ""
        return getattr(self.client, method)(url, body, content_type="application/json", headers=h)

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self._call("get", path, params, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("post", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("patch", path, data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("put", path, data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("delete", path, None, **kw)


def token_for(world: Any, user: User, office: Any = None) -> str:
    if office is None:
        office = user.memberships.select_related("office").order_by("office__code")[0].office
    return token_create(actor=world.m(user, office), name="テスト")[1]
