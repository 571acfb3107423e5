"""The demo office's 保護費 and 医療扶助: the last 24 months of every household, shaped like the
published statistics by :mod:`jiritsu.people.synthetic_amounts` (the benchmark generator's
rule too). A step of ``load_demo`` (:data:`jiritsu.people.demo.DEMO_STEPS`)."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from jiritsu.core import clock
from jiritsu.core.wareki import add_months, age_on
from jiritsu.people.amounts import first_of_month
from jiritsu.people.models import (
    AssistanceMonth,
    HospitalStay,
    Household,
    Illness,
    MedicalClaimMonth,
    Person,
)
from jiritsu.people.synthetic_amounts import Member, household_months

DEMO_AMOUNT_MONTHS = 24


def step_amounts(ctx: Any) -> None:
    office = ctx.office
    assert office is not None
    rng = random.Random(ctx.seed * 7 + 18)
    today = ctx.today
    last = first_of_month(today)
    months = [add_months(last, -k) for k in range(DEMO_AMOUNT_MONTHS - 1, -1, -1)]
    chronic = set(Illness.objects.filter(person__office=office, is_chronic=True)
                  .values_list("person_id", flat=True))
    stays = {s.person_id: s for s in HospitalStay.objects.filter(person__office=office,
                                                                 discharged_on__isnull=True)}
    members: dict[int, list[Person]] = defaultdict(list)
    for p in Person.objects.filter(office=office, household__isnull=False).order_by("household_id",
                                                                                   "member_number"):
        assert p.household_id is not None
        members[p.household_id].append(p)
    now = clock.now()
    assistance: list[AssistanceMonth] = []
    claims: list[MedicalClaimMonth] = []
    for h in Household.objects.filter(office=office).order_by("id"):
        people = members.get(h.pk)
        if not people:
            continue
        started = first_of_month(h.assistance_started_on) if h.assistance_started_on else months[0]
        facts = [Member(p.pk, age_on(p.birth_date, today), p.earned_income, p.pk in chronic,
                        stays[p.pk].admitted_on if p.pk in stays else None,
                        bool(p.pk in stays and stays[p.pk].psychiatric)) for p in people]
        for m in household_months(rng, household_type=h.household_type, members=facts,
                                  months=[m for m in months if m >= started],
                                  ended_on=h.assistance_ended_on, end_reason=h.end_reason):
            assistance.append(AssistanceMonth(office=office, household=h, month=m.month, received_at=now,
                                              **m.assistance))
            claims += [MedicalClaimMonth(office=office, person_id=pid, month=m.month, kind=kind,
                                         institution_name=inst, days=days, amount=yen, received_at=now)
                       for pid, kind, inst, days, yen in m.claims]
    AssistanceMonth.objects.bulk_create(assistance, batch_size=2000)
    MedicalClaimMonth.objects.bulk_create(claims, batch_size=2000)
    ctx.log(f"  保護費 {len(assistance)} 件（{DEMO_AMOUNT_MONTHS}か月）・ 医療扶助 {len(claims)} 件")
