"""Merging two records of one person, undoing a merge, and keeping a checked pair apart.

A merge is one transaction: guard (role, office, reason, the records' conflicts) → set aside
the merged person's duplicates → move every row that points at the merged person to the
survivor (``links.person_links``) → keep the merged person's fields in the merge record and
delete their row → the audit trail alias (``audit.log.alias_person``) and the audit row. An
unmerge does the reverse until the office's next fiscal-year freeze (:func:`frozen_since`).
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from jiritsu.audit.log import alias_person, record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.merging.links import REFUSE, Link, link_for, person_links
from jiritsu.merging.models import NotDuplicate, PersonMerge
from jiritsu.offices.guards import require, same_office
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person
from jiritsu.reports.disclosure import model_title
from jiritsu.reports.models import FrozenReport

REASON_MAX = 2000


def _reason(text: str, *, what: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise ValidationFailed(f"{what}を入力してください。", code="reason_required",
                               field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"{what}は{REASON_MAX}文字以内で入力してください。",
                               field="reason")
    return reason


def _conflicts(links: list[Link], survivor: Person, merged: Person
               ) -> tuple[list[tuple[Link, models.Model]], list[tuple[Link, models.Model]]]:
    """(rows to refuse on, rows to set aside): the merged person's rows that a unique
    constraint allows only once and that the survivor already holds."""
    refused: list[tuple[Link, models.Model]] = []
    aside: list[tuple[Link, models.Model]] = []
    for link in links:
        for u in link.uniques:
            mine = link.rows(merged.pk)
            theirs = link.rows(survivor.pk)
            if u.condition is not None:
                mine, theirs = mine.filter(u.condition), theirs.filter(u.condition)
            for row in mine:
                names = [_attname(link.model, f) for f in u.others]
                same = {name: getattr(row, name) for name in names}
                if theirs.filter(**same).exists():
                    (refused if u.policy == REFUSE else aside).append((link, row))
    return refused, aside


def _attname(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.attname


def _restore(model: type[models.Model], data: dict[str, Any]) -> models.Model:
    """Insert a row again from its snapshot, with its own id and timestamps."""
    fields = {f.attname: f.to_python(data[f.attname]) for f in model._meta.concrete_fields
              if f.attname in data}
    obj = model(**fields)
    obj.save(force_insert=True)
    stamps = {f.attname: fields[f.attname] for f in model._meta.concrete_fields
              if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
              and f.attname in fields}
    if stamps:
        model._base_manager.filter(pk=obj.pk).update(**stamps)
    return obj


@transaction.atomic
def person_merge(*, actor: Membership, survivor: Person, merged: Person,
                 reason: str) -> PersonMerge:
    """Merge ``merged`` into ``survivor``: every row of the merged person follows."""
    require(actor, "person.merge")
    same_office(actor, survivor, merged)
    reason = _reason(reason, what="統合の理由")
    if survivor.pk == merged.pk:
        raise ValidationFailed("同じ記録どうしは統合できません。別の人を選んでください。",
                               code="merge_same_person", field="merged_person_id")
    list(Person._base_manager.select_for_update().filter(pk__in=[survivor.pk, merged.pk]))
    links = person_links()
    refused, aside = _conflicts(links, survivor, merged)
    if refused:
        details: list[dict[str, object]] = [
            {"model": link.model._meta.label, "id": row.pk, "label": str(row)}
            for link, row in refused]
        names = "、".join(f"{model_title(link.model)}「{row}」" for link, row in refused)
        raise IllegalTransition(
            f"両方の記録に同時には一つしか持てないものがあります（{names}）。"
            "先にどちらかを終了してから統合してください。",
            code="merge_conflict", details=details)
    set_aside: dict[str, list[dict[str, Any]]] = {}
    for link, row in aside:
        set_aside.setdefault(link.model._meta.label, []).append(snapshot(row))
        link.model._base_manager.filter(pk=row.pk).delete()
    moved: dict[str, list[int]] = {}
    for link in links:
        ids = list(link.rows(merged.pk).values_list("pk", flat=True))
        if ids:
            link.model._base_manager.filter(pk__in=ids).update(**{f"{link.field}_id": survivor.pk})
            moved[link.key] = ids
    merge = PersonMerge.objects.create(
        office=actor.office, survivor_id=survivor.pk, survivor_label=_label(survivor),
        merged_id=merged.pk, merged_label=_label(merged), reason=reason, merged_by=actor.user,
        merged_at=clock.now(), person_snapshot=snapshot(merged), moved=moved,
        set_aside=set_aside)
    Person._base_manager.filter(pk=merged.pk).delete()
    alias_person(office_id=actor.office_id, person_id=merged.pk, into_id=survivor.pk,
                 merge_id=merge.pk)
    record(actor=actor.user, office=actor.office, action="person.merge",
           kind=AuditEvent.Kind.UPDATE, target=survivor, person=survivor, people=[merged.pk],
           changes={"merge_id": merge.pk, "merged_person_id": merged.pk,
                    "merged_person": merge.merged_label, **merge.summary()},
           note=reason)
    return merge


def _label(person: Person) -> str:
    case = f"ケース{person.household.case_number}-{person.member_number}" if (
        person.household is not None) else "被保護者以外"
    return f"{person.name}（{person.kana}、{case}）"[:200]


def frozen_since(merge: PersonMerge) -> FrozenReport | None:
    """The office's first fiscal-year report frozen after the merge: from then on the merge
    stays (the submitted figures were counted with the two records as one)."""
    return (FrozenReport.objects.filter(office_id=merge.office_id, fiscal_year__isnull=False,
                                        frozen_at__gt=merge.merged_at)
            .order_by("frozen_at", "id").first())


def may_unmerge(merge: PersonMerge) -> bool:
    return not merge.is_undone and frozen_since(merge) is None


@transaction.atomic
def person_unmerge(*, actor: Membership, merge: PersonMerge, reason: str) -> Person:
    """Undo a merge: the merged person's record comes back with the rows that moved."""
    require(actor, "person.merge")
    same_office(actor, merge)
    reason = _reason(reason, what="取消しの理由")
    merge = PersonMerge._base_manager.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise IllegalTransition("この統合はすでに取り消されています。",
                                code="merge_already_undone")
    frozen = frozen_since(merge)
    if frozen is not None:
        raise IllegalTransition(
            f"統合の後に年度の報告（{frozen.label}）が確定しているため、取り消せません。",
            code="merge_frozen")
    survivor = (Person._base_manager.select_for_update()
                .filter(pk=merge.survivor_id, office_id=merge.office_id).first())
    if survivor is None:
        raise IllegalTransition(
            "残した記録がその後さらに別の記録に統合されています。先にそちらの統合を取り消してください。",
            code="merge_survivor_gone")
    data = merge.person_snapshot
    household_id, member_number = data.get("household_id"), data.get("member_number")
    if household_id is not None and Person._base_manager.filter(
            household_id=household_id, member_number=member_number).exists():
        raise IllegalTransition(
            f"元の世帯の世帯員番号{member_number}がその後ほかの人に使われているため、取り消せません。",
            code="merge_member_number_taken")
    person = _restore(Person, data)
    assert isinstance(person, Person)
    for key, ids in merge.moved.items():
        link = link_for(key)
        link.model._base_manager.filter(pk__in=ids, **{f"{link.field}_id": survivor.pk}).update(
            **{f"{link.field}_id": person.pk})
    for label, rows in merge.set_aside.items():
        model = next(link.model for link in person_links() if link.model._meta.label == label)
        for row in rows:
            _restore(model, row)
    merge.undone_at, merge.undone_by, merge.undo_reason = clock.now(), actor.user, reason
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    alias_person(office_id=actor.office_id, person_id=person.pk, into_id=None,
                 merge_id=merge.pk)
    person = Person._base_manager.select_related("household").get(pk=person.pk)
    record(actor=actor.user, office=actor.office, action="person.unmerge",
           kind=AuditEvent.Kind.UPDATE, target=person, person=person, people=[survivor.pk],
           changes={"merge_id": merge.pk, "survivor_id": survivor.pk}, note=reason)
    return person


@transaction.atomic
def duplicate_dismiss(*, actor: Membership, first: Person, second: Person,
                      note: str = "") -> NotDuplicate:
    """別人と確認: the pair is checked and kept apart; it is no longer offered."""
    require(actor, "person.merge")
    same_office(actor, first, second)
    if first.pk == second.pk:
        raise ValidationFailed("同じ記録です。別の人を選んでください。",
                               code="merge_same_person", field="second_person_id")
    a, b = sorted((first.pk, second.pk))
    row, _ = NotDuplicate.objects.get_or_create(
        office=actor.office, first_id=a, second_id=b,
        defaults={"note": note.strip()[:REASON_MAX], "recorded_by": actor.user})
    record(actor=actor.user, office=actor.office, action="person.not_duplicate",
           kind=AuditEvent.Kind.CREATE, target=first, person=first, people=[second.pk],
           changes={"second_person_id": second.pk}, note=row.note)
    return row
