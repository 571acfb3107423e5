"""Reads for the merge screens and the API: two people side by side, with what each holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from jiritsu.core import wareki
from jiritsu.merging.links import person_links
from jiritsu.merging.models import PersonMerge
from jiritsu.people.models import Person
from jiritsu.reports.disclosure import model_title


@dataclass
class Row:
    label: str
    first: str
    second: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


def _case(p: Person) -> str:
    if p.household is None:
        return "（被保護者以外）"
    return f"{p.household.case_number}（世帯員番号{p.member_number}）"


def _assistance(p: Person) -> str:
    hh = p.household
    if hh is None:
        return ""
    start = wareki.format_wareki(hh.assistance_started_on) if hh.assistance_started_on else "不明"
    if hh.assistance_ended_on:
        return f"{start}開始、{wareki.format_wareki(hh.assistance_ended_on)}廃止"
    return f"{start}開始（保護中）"


FIELDS = [
    ("氏名", lambda p: p.name), ("ふりがな", lambda p: p.kana),
    ("生年月日", lambda p: wareki.format_wareki(p.birth_date)),
    ("性別", lambda p: p.get_sex_display()), ("ケース番号", _case),
    ("続柄", lambda p: p.get_relationship_display() if p.household_id else ""),
    ("住所", lambda p: p.household.address if p.household else ""),
    ("保護", _assistance),
    ("地区担当員", lambda p: str(p.household.caseworker or "") if p.household else ""),
    ("電話", lambda p: p.phone), ("宛名番号", lambda p: p.address_number),
    ("登録日", lambda p: wareki.format_wareki(p.created_at.date())),
]


def side_by_side(first: Person, second: Person) -> tuple[list[Row], list[Row]]:
    """(the two people's fields, the number of records of each kind each holds)."""
    fields = [Row(label, get(first), get(second)) for label, get in FIELDS]
    counts = []
    for link in person_links():
        a, b = link.rows(first.pk).count(), link.rows(second.pk).count()
        if a or b:
            counts.append(Row(model_title(link.model), f"{a}件", f"{b}件"))
    return fields, counts


def merge_rows(merge: PersonMerge) -> list[tuple[str, int]]:
    """What a merge moved to the kept record, and what it set aside, per kind of record (its
    Japanese title, the number of rows)."""
    out: list[tuple[str, int]] = []
    for key, ids in merge.moved.items():
        out.append((_title(key.rsplit(".", 1)[0]), len(ids)))
    for label, rows in merge.set_aside.items():
        out.append((f"{_title(label)}（重複のため外した分）", len(rows)))
    return out


def _title(label: str) -> str:
    try:
        return model_title(apps.get_model(label))
    except (LookupError, ValueError):
        return label
