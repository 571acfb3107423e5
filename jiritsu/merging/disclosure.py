"""The merges in the person's 開示 export: every merge the person's record took part in,
either as the record kept or as the record merged into it, and its undoing. (The audit
events of a merged record are in the audit section already: ``audit.selectors.about_person``
follows the merge.)"""

from __future__ import annotations

from django.db.models import Q

from jiritsu.merging.models import PersonMerge
from jiritsu.people.models import Person
from jiritsu.reports.disclosure import Section

DISCLOSURE_MODELS = (PersonMerge,)


def disclosure_sections(person: Person) -> list[Section]:
    merges = (PersonMerge.objects.filter(office_id=person.office_id)
              .filter(Q(survivor_id=person.pk) | Q(merged_id=person.pk))
              .select_related("merged_by", "undone_by").order_by("merged_at", "id"))
    rows = [{
        "統合日時": m.merged_at, "残した記録": m.survivor_label, "統合した記録": m.merged_label,
        "統合した記録の本人ID": m.merged_id, "統合の理由": m.reason, "統合した職員": str(m.merged_by),
        "取消し日時": m.undone_at, "取消しの理由": m.undo_reason,
        "取り消した職員": str(m.undone_by or ""),
    } for m in merges]
    if not rows:
        return []
    return [Section("merges", "記録の統合（名寄せ）", rows,
                    note="同じ方が二重に登録されていた記録を一つにまとめた記録です。"
                         "統合した記録の閲覧・操作の記録も「閲覧・操作の記録」に含まれます。")]
