"""Synthetic 保護費 and 医療扶助 shaped like the published statistics, for the demo office and the
benchmark generator (one rule for both; never used for real data).

The shape (../shared/STATISTICS.md, "Money"; docs/performance.md repeats it):

- per assisted household and month, all kinds together, about 180,000–190,000 yen on average,
  of which 医療扶助 ≈ 50 %, 生活扶助 ≈ 30 %, 住宅扶助 ≈ 16–17 %, 介護扶助 ≈ 3 %, the rest under 1 %;
- 最低生活費 of a single person in a city ≈ 120,000–130,000 yen including rent, more per member;
- earned income is recognised after the 勤労控除 (so assistance falls by less than the wage);
  about seven elderly heads in ten have a pension (その他の収入);
- about 85 % of people receive 医療扶助; a psychiatric inpatient costs ≈ 15,000 yen a day
  (400,000–500,000 a month), a general ward more per day for shorter stays; out-patient care a
  few tens of thousands a month, with the pharmacy's bill beside it.

``household_months`` returns plain values (no model instances) so that the demo
(``bulk_create``) and the benchmark generator (COPY rows) write them alike. Medical assistance
paid to the household (``paid_medical``) is the sum of its members' claims that month.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from jiritsu.core.wareki import add_months

PSYCHIATRIC_DAY_YEN = 15_000
GENERAL_WARD_DAY_YEN = 30_000
HOSPITALS = ("みなと中央病院", "みなと市民病院", "港の丘クリニック", "山手内科医院", "川沿整形外科")
PSYCHIATRIC_HOSPITALS = ("こころの丘病院", "みなと精神医療センター")
PHARMACIES = ("みなと薬局", "中央調剤薬局", "港町ファーマシー")
DENTISTS = ("みなと歯科医院", "山手デンタルクリニック")


@dataclass(frozen=True)
class Member:
    """What the amounts depend on for one member."""

    person_id: int
    age: int
    earned_income: int = 0  # monthly wage today (yen)
    chronic: bool = False
    in_hospital_since: dt.date | None = None  # a current stay
    psychiatric: bool = False


@dataclass
class Month:
    """One household-month: the assistance values and the members' claims."""

    month: dt.date
    assistance: dict[str, int | str]
    claims: list[tuple[int, str, str, int, int]] = field(default_factory=list)
    # (person_id, kind, institution, days, yen)


def _claims(rng: random.Random, m: Member, month: dt.date) -> list[tuple[int, str, str, int, int]]:
    out: list[tuple[int, str, str, int, int]] = []
    if m.in_hospital_since is not None and m.in_hospital_since <= add_months(month, 1) - dt.timedelta(days=1):
        first = max(m.in_hospital_since, month)
        days = (add_months(month, 1) - first).days
        if m.psychiatric:
            yen = days * PSYCHIATRIC_DAY_YEN + rng.randint(-20, 20) * 1000
            out.append((m.person_id, "inpatient", PSYCHIATRIC_HOSPITALS[m.person_id % 2], days, max(0, yen)))
        else:
            yen = days * GENERAL_WARD_DAY_YEN + rng.randint(0, 60) * 1000
            out.append((m.person_id, "inpatient", HOSPITALS[m.person_id % 2], days, yen))
        return out
    # Out-patients: about 85 % of people are on medical assistance in a month; the chronically
    # ill and the old nearly always.
    p = 0.97 if m.chronic or m.age >= 65 else 0.7
    if rng.random() < p:
        base = 36_000 if m.chronic else (24_000 if m.age >= 65 else 9_000)
        yen = int(base * rng.lognormvariate(0, 0.45)) // 10 * 10
        days = max(1, min(20, int(yen / 6_000) + rng.randint(0, 2)))
        out.append((m.person_id, "outpatient", HOSPITALS[2 + m.person_id % 3], days, yen))
        if rng.random() < 0.8:
            out.append((m.person_id, "pharmacy", PHARMACIES[m.person_id % 3], max(1, days // 2),
                        int(yen * rng.uniform(0.5, 1.1)) // 10 * 10))
    if rng.random() < 0.08:
        out.append((m.person_id, "dental", DENTISTS[m.person_id % 2], rng.randint(1, 3),
                    rng.randint(60, 200) * 100))
    return out


def household_months(rng: random.Random, *, household_type: str, members: list[Member],
                     months: list[dt.date], ended_on: dt.date | None = None,
                     end_reason: str = "") -> list[Month]:
    """The household's assistance and claims for each of ``months`` (first days, oldest
    first) up to the month assistance ended (that month carries the status 廃止 and its reason)."""
    n = len(members)
    children = sum(1 for m in members if m.age < 18)
    school = sum(1 for m in members if 6 <= m.age <= 15)
    living_min = 72_000 + 43_000 * (n - 1) - 4_000 * children + (
        18_000 if household_type == "single_mother" else 0)  # 母子加算
    housing = 37_000 if n == 1 else (44_000 if n == 2 else 48_000)
    pension = 0
    head = members[0]
    if head.age >= 65 and rng.random() < 0.7:
        pension = rng.randint(30, 75) * 1000
    care = rng.randint(15, 50) * 1000 if head.age >= 70 and rng.random() < 0.25 else 0
    # A wage that began inside the window (about four earners in ten): the months before it
    # carry no earned income, so the figures show what work changes.
    wages = [(m.earned_income, rng.choice(months) if m.earned_income and rng.random() < 0.4 else None)
             for m in members]
    out: list[Month] = []
    for month in months:
        if ended_on is not None and month > ended_on:
            break
        wage = sum(w for w, since in wages if since is None or month >= since)
        # 勤労控除: about 15,000 yen plus a tenth of the wage stays with the earner.
        earned = max(0, wage - 15_000 - wage // 10) if wage else 0
        claims = [c for m in members for c in _claims(rng, m, month)]
        medical = sum(c[4] for c in claims)
        living_paid = max(0, living_min - earned - pension)
        over = max(0, earned + pension - living_min)
        ended = ended_on is not None and month == ended_on.replace(day=1)
        out.append(Month(month, {
            "minimum_living_cost": living_min + housing + school * 3_000 + care + medical,
            "earned_income_recognised": earned, "other_income_recognised": pension,
            "paid_living": living_paid, "paid_housing": max(0, housing - over),
            "paid_education": school * 3_000, "paid_medical": medical, "paid_care": care,
            "paid_childbirth": 0, "paid_occupation": 5_000 if wage and rng.random() < 0.05 else 0,
            "paid_funeral": 0, "status": "ended" if ended else "paid",
            "status_reason": end_reason if ended else "",
        }, claims))
    return out
