"""The amounts' reads (people.amounts): months as first days, sums by person, month and kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from jiritsu.core import clock
from jiritsu.people import amounts
from jiritsu.people.models import AssistanceMonth, MedicalClaimMonth

pytestmark = pytest.mark.django_db
APR, MAY = dt.date(2025, 4, 1), dt.date(2025, 5, 1)


def _assistance(world, month, **kw):
    return AssistanceMonth.objects.create(office=world.office, household=world.household, month=month,
                                          received_at=clock.now(), **kw)


def _claim(world, person, month, kind, amount, days, institution="港の丘病院"):
    return MedicalClaimMonth.objects.create(office=person.office, person=person, month=month, kind=kind,
                                            institution_name=institution, amount=amount, days=days,
                                            received_at=clock.now())


def test_person_months_pairs_household_assistance_with_own_medical(world):
    _assistance(world, APR, minimum_living_cost=130_000, earned_income_recognised=40_000,
                paid_living=60_000, paid_housing=37_000, paid_medical=250_000)
    _claim(world, world.person, APR, "inpatient", 240_000, 20)
    _claim(world, world.person, APR, "pharmacy", 10_000, 2, institution="みなと薬局")
    _claim(world, world.person, MAY, "outpatient", 8_000, 3)
    _claim(world, world.other_person, MAY, "inpatient", 999_999, 30)  # another office's person
    rows = amounts.person_months(world.person, last=dt.date(2025, 5, 20), months=12)
    assert [r.month for r in rows] == [MAY, APR]
    may, apr = rows
    assert may.assistance is None and may.medical.amount == 8_000 and may.medical.inpatient_days == 0
    assert apr.assistance is not None and apr.assistance.paid_total == 347_000
    assert apr.paid_by_kind["housing"] == 37_000
    assert (apr.medical.amount, apr.medical.days, apr.medical.inpatient_days) == (250_000, 22, 20)


def test_month_is_stored_as_its_first_day(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        _assistance(world, dt.date(2025, 4, 2))
    assert amounts.month_range(dt.date(2024, 12, 15), dt.date(2025, 2, 1)) == [
        dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
