"""Where the templates followed the seed only loosely: each rule driven from inputs, with the
people it must leave out (issue: the fifteen programs as the seed tells them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jiritsu import testing as t
from jiritsu.activities.tests.helpers import program_from
from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import ValidationFailed
from jiritsu.offices import services as office_services
from jiritsu.people.models import HospitalStay, HouseholdType
from jiritsu.programs import screening

D = dt.date
AS_OF = D(2026, 10, 1)


def _stay(person, admitted_on, *, psychiatric=True, discharged_on=None):
    return HospitalStay.objects.create(person=person, hospital_name="こころ病院",
                                       psychiatric=psychiatric, admitted_on=admitted_on,
                                       discharged_on=discharged_on)


def _person(office, **hh):
    household = t.make_household(office, **hh)
    return t.make_person(office, household=household)


def _names(program, as_of=AS_OF):
    return set(screening.matching(program, as_of).values_list("pk", flat=True))


# --- 尼崎・和歌山: 長期入院 is the office's setting ----------------------------------------

@pytest.mark.parametrize("code", ["amagasaki_discharge", "wakayama_discharge"])
def test_long_stay_follows_each_offices_own_setting(world, code):
    office_services.office_update(actor=world.admin, office=world.office,
                                  data={"long_stay_months": 6})
    world.office.refresh_from_db()
    seven = _person(world.office)
    _stay(seven, D(2026, 3, 1))                       # 7 months: long in A (6)
    five = _person(world.office)
    _stay(five, D(2026, 5, 1))                        # 5 months: not yet
    general = _person(world.office)
    _stay(general, D(2025, 1, 1), psychiatric=False)  # long, but not psychiatric
    discharged = _person(world.office)
    _stay(discharged, D(2025, 1, 1), discharged_on=D(2026, 9, 1))
    ended = _person(world.office, assistance_ended_on=D(2026, 6, 30))
    _stay(ended, D(2025, 1, 1))                       # no longer on assistance
    a = program_from(world.m(world.manager), code)
    assert _names(a) == {seven.pk}
    assert "精神科入院 7か月" in screening.preview(a, AS_OF).candidates[0].reasons[0]

    # Office B keeps the default (12 months): its 7-month patient is not long-stay there.
    b_manager = t.make_user(world.other_office, "manager")
    b_seven = _person(world.other_office)
    _stay(b_seven, D(2026, 3, 1))
    b_year = _person(world.other_office)
    _stay(b_year, D(2025, 9, 1))
    b = program_from(t.membership_of(b_manager, world.other_office), code)
    assert world.other_office.long_stay_months == 12
    assert _names(b) == {b_year.pk}
    # The rule itself names no number: changing the setting changes who matches.
    office_services.office_update(actor=world.admin, office=world.office,
                                  data={"long_stay_months": 4})
    assert _names(a) == {seven.pk, five.pk}


def test_long_stay_setting_is_checked_shown_and_audited(world):
    with pytest.raises(ValidationFailed) as e:
        office_services.office_update(actor=world.admin, office=world.office,
                                      data={"long_stay_months": 0})
    assert e.value.field == "long_stay_months" and "1か月から120か月" in e.value.message
    c = Client()
    c.force_login(world.admin)
    page = c.get(reverse("offices:settings")).content.decode()
    assert "長期入院とみなす入院期間（月）" in page
    event_count = AuditEvent.objects.filter(action="office.settings_update").count()
    office_services.office_update(actor=world.admin, office=world.office,
                                  data={"long_stay_months": 18})
    event = AuditEvent.objects.filter(action="office.settings_update").order_by("-id")[0]
    assert AuditEvent.objects.filter(action="office.settings_update").count() == event_count + 1
    assert event.changes["long_stay_months"] == [12, 18]


def _api(world, user):
    return t.ApiClient(t.token_for(world, user))


def test_long_stay_setting_through_the_api(world):
    c = _api(world, world.admin)
    assert c.get("office/settings").json()["long_stay_months"] == 12
    r = c.patch("office/settings", {"long_stay_months": 24})
    assert r.status_code == 200 and r.json()["long_stay_months"] == 24
    assert c.patch("office/settings", {"long_stay_months": 0}).status_code == 422
    assert _api(world, world.caseworker).patch("office/settings", {"long_stay_months": 6}).status_code == 403


# --- 福井: 在宅 households of any type ---------------------------------------------------

def test_fukui_takes_everyone_at_home_on_assistance_whatever_the_household_type(world):
    program = program_from(world.m(world.manager), "fukui_health")
    single_mother = _person(world.office, household_type=HouseholdType.SINGLE_MOTHER)
    other = _person(world.office, household_type=HouseholdType.OTHER)
    elderly = _person(world.office, household_type=HouseholdType.ELDERLY)
    in_hospital = _person(world.office, household_type=HouseholdType.SICK)
    _stay(in_hospital, D(2026, 8, 1), psychiatric=False)
    ended = _person(world.office, household_type=HouseholdType.ELDERLY,
                    assistance_ended_on=D(2026, 4, 30))
    matched = _names(program)
    assert {single_mother.pk, other.pk, elderly.pk} <= matched
    assert in_hospital.pk not in matched and ended.pk not in matched
    assert world.other_person.pk not in matched
