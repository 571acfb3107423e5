"""The person page's line about merges (``cases.person_notes``): this record absorbed another
one, whether the merge can still be undone, or that a merge was undone. The office's staff who
reach the person read the line; the link to the merge record and the word on undoing are for
those who may open it and undo it (``person.merge``: 査察指導員, 課長・所長). Partners see
nothing (``merges_about``)."""

from __future__ import annotations

from django.urls import reverse

from jiritsu.cases.person_notes import PersonNote, register
from jiritsu.core import clock, wareki
from jiritsu.merging.access import merges_about
from jiritsu.merging.models import PersonMerge
from jiritsu.merging.services import frozen_since
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person


def _on(merge: PersonMerge) -> str:
    return wareki.format_wareki(clock.japan_date(merge.merged_at))


def _note(membership: Membership, person: Person, merge: PersonMerge) -> PersonNote:
    may_open = membership.can("person.merge")
    url = reverse("merging:detail", args=[merge.pk]) if may_open else ""
    link = "統合の記録" if may_open else ""
    if merge.undone_at is not None:
        undone = wareki.format_wareki(clock.japan_date(merge.undone_at))
        if merge.merged_id == person.pk:
            text = (f"この記録は{_on(merge)}に{merge.survivor_label}の記録へ統合され、"
                    f"{undone}に統合の取消しで戻りました。")
        else:
            text = f"{_on(merge)}に統合した{merge.merged_label}の記録は、{undone}に統合を取り消して戻しました。"
        return PersonNote("統合の取消し", text, url=url, link_text=link)
    text = f"{_on(merge)}に{merge.merged_label}の記録をこの記録に統合しました（{merge.merged_by}）。"
    if may_open:
        frozen = frozen_since(merge)
        text += (f"{frozen.label}を確定したため、取り消せません。" if frozen is not None
                 else "次に年度の報告を確定するまでは取り消せます。")
    return PersonNote("統合", text, tone="info", url=url, link_text=link)


def merge_notes(membership: Membership, person: Person) -> list[PersonNote]:
    return [_note(membership, person, m) for m in merges_about(membership, person)]


def connect() -> None:
    """Register the line with the person page (``MergingConfig.ready``)."""
    register(merge_notes)
