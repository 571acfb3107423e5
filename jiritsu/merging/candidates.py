"""Finding people registered twice in one office (重複候補).

Two people are a candidate pair when they were born on the same day and their names match:
the name or the furigana is the same once folded (``core.kana.search_key``: variant kanji
髙/高 﨑/崎, full and half width, spaces, katakana/hiragana), or one of the two is the same and
the other differs by one character (a typing slip). People born on different days are never
offered, nor people of another office, nor a pair already checked and kept apart
(``NotDuplicate``). Twins in one household (same day, different names) are not a pair.

Each pair carries a score and its reasons in Japanese, so staff see why it was offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count

from jiritsu.core.kana import address_key
from jiritsu.merging.models import NotDuplicate
from jiritsu.offices.models import Office
from jiritsu.people.models import Person


def one_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one character (changed, added or dropped)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@dataclass
class Candidate:
    """Two people who may be one: ``first`` is the older record."""

    first: Person
    second: Person
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def ids(self) -> tuple[int, int]:
        return (self.first.pk, self.second.pk)

    @property
    def pair(self) -> tuple[Person, Person]:
        return (self.first, self.second)


def _address(p: Person) -> str:
    return address_key(p.household.address) if p.household is not None else ""


def compare(a: Person, b: Person) -> Candidate | None:
    """The pair ``a``, ``b`` as a candidate (with score and reasons), or None when they are
    not alike enough to offer."""
    if a.office_id != b.office_id or a.pk == b.pk or a.birth_date != b.birth_date:
        return None
    first, second = (a, b) if a.pk < b.pk else (b, a)
    c = Candidate(first, second)
    same_name, same_kana = a.name_key == b.name_key, a.kana_key == b.kana_key
    if same_name:
        c.score += 40
        c.reasons.append("氏名が一致" if a.name == b.name
                         else "氏名が一致（異体字・全角半角・空白の違いのみ）")
    elif same_kana and one_apart(a.name_key, b.name_key):
        c.score += 20
        c.reasons.append("氏名が1文字違い（入力の誤りの可能性）")
    if same_kana:
        c.score += 30
        c.reasons.append("ふりがなが一致" if a.kana == b.kana
                         else "ふりがなが一致（カタカナ・ひらがな・全角半角・空白の違いのみ）")
    elif same_name and one_apart(a.kana_key, b.kana_key):
        c.score += 15
        c.reasons.append("ふりがなが1文字違い（入力の誤りの可能性）")
    if not (same_name or same_kana):
        return None
    if not (same_name or one_apart(a.name_key, b.name_key)):
        return None
    c.score += 20
    c.reasons.append("生年月日が一致")
    if _address(a) and _address(a) == _address(b):
        c.score += 10
        c.reasons.append("住所が一致")
    if a.sex != b.sex:
        c.score -= 20
        c.reasons.append("性別が異なる")
    if (a.household_id is None) != (b.household_id is None):
        c.reasons.append("一方は被保護者以外として登録")
    elif a.household_id is not None and a.household_id != b.household_id:
        c.reasons.append("別の世帯（ケース番号）に登録")
    return c


def office_candidates(office: Office) -> list[Candidate]:
    """Every candidate pair of the office, best first. People are read by birth date: only
    days with two or more people are compared."""
    days = (Person.objects.filter(office=office).values("birth_date")
            .annotate(n=Count("id")).filter(n__gt=1).values_list("birth_date", flat=True))
    people = list(Person.objects.filter(office=office, birth_date__in=list(days))
                  .select_related("household").order_by("birth_date", "id"))
    dismissed = set(NotDuplicate.objects.filter(office=office)
                    .values_list("first_id", "second_id"))
    by_day: dict[object, list[Person]] = {}
    for p in people:
        by_day.setdefault(p.birth_date, []).append(p)
    found = []
    for group in by_day.values():
        for a, b in combinations(group, 2):
            c = compare(a, b)
            if c is not None and c.ids not in dismissed:
                found.append(c)
    found.sort(key=lambda c: (-c.score, c.first.kana_key, c.first.pk, c.second.pk))
    return found
