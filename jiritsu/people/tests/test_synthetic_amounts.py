"""The demo's and the benchmarks' synthetic amounts: shaped like the published statistics,
consistent (a household's 医療扶助 is its members' claims), ending where assistance ended."""

from __future__ import annotations

import datetime as dt
import random

from jiritsu.people.synthetic_amounts import Member, household_months

MONTHS = [dt.date(2025, m, 1) for m in range(4, 13)] + [dt.date(2026, m, 1) for m in range(1, 4)]


def _sample(seed: int = 3) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(1500):
        htype = rng.choices(["elderly", "single_mother", "disabled", "sick", "other"], [55, 4, 12, 13, 16])[0]
        size = 1 if htype == "elderly" else rng.choice([1, 1, 2, 3])
        members = []
        for k in range(size):
            age = rng.randint(65, 90) if htype == "elderly" else (rng.randint(20, 60) if k == 0 else rng.randint(3, 17))
            r = rng.random()
            stay = dt.date(2020, 1, 1) if r < 0.023 else (dt.date(2025, rng.randint(1, 12), 1) if r < 0.055 else None)
            wage = rng.randint(30, 150) * 1000 if htype in ("other", "single_mother") and k == 0 and rng.random() < 0.45 else 0
            members.append(Member(i * 10 + k, age, wage, rng.random() < 0.4, stay, r < 0.023))
        out += household_months(rng, household_type=htype, members=members, months=MONTHS)
    return out


def test_amounts_are_shaped_like_the_statistics():
    months = _sample()
    paid = [{k: v for k, v in m.assistance.items() if k.startswith("paid_")} for m in months]
    total = sum(sum(p.values()) for p in paid)
    average = total / len(months)
    assert 150_000 <= average <= 220_000  # all kinds, per household and month (≈ 180–190k)
    share = {k: sum(p[k] for p in paid) / total for k in paid[0]}
    assert 0.38 <= share["paid_medical"] <= 0.58  # ≈ 50 %
    assert 0.24 <= share["paid_living"] <= 0.40  # ≈ 30 %
    assert 0.12 <= share["paid_housing"] <= 0.24  # ≈ 16–17 %
    assert 0.005 <= share["paid_care"] <= 0.05  # ≈ 3 %
    for m in months:
        assert m.assistance["paid_medical"] == sum(c[4] for c in m.claims)


def test_the_same_seed_gives_the_same_amounts_and_assistance_stops_at_its_end():
    assert [m.assistance for m in _sample(5)[:50]] == [m.assistance for m in _sample(5)[:50]]
    rng = random.Random(1)
    months = household_months(rng, household_type="other", members=[Member(1, 40, 120_000)],
                              months=MONTHS, ended_on=dt.date(2025, 9, 20), end_reason="work")
    assert [m.month for m in months][-1] == dt.date(2025, 9, 1)
    assert (months[-1].assistance["status"], months[-1].assistance["status_reason"]) == ("ended", "work")
    assert all(m.assistance["status"] == "paid" for m in months[:-1])
