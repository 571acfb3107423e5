"""名寄せ through the API (``person.merge``): an office's possible duplicates, merging two
records of one person, keeping a checked pair apart, the merge history and unmerging.

The same access functions (``merging.access``, ``cases.access``), rule (``merging.candidates``)
and services (``merging.services``) as the screens under ``/people/duplicates/``. Refusals
carry stable codes: ``reason_required``, ``merge_same_person``, ``merge_conflict`` (with the
conflicting records in ``details``), ``merge_already_undone``, ``merge_frozen``,
``merge_survivor_gone``, ``merge_member_number_taken``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Id,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    person_ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.cases.access import log_list
from jiritsu.merging import services
from jiritsu.merging.access import get_merge_for_user, log_merge_view, visible_merges
from jiritsu.merging.candidates import Candidate, office_candidates
from jiritsu.merging.models import NotDuplicate, PersonMerge
from jiritsu.people.models import Person

router = Router()


class DuplicatePerson(Schema):
    id: int
    name: str
    kana: str
    birth_date: dt.date
    case_number: str | None = Field(..., description="ケース番号（被保護者以外は null）")
    member_number: int

    @staticmethod
    def resolve_case_number(obj: Person) -> str | None:
        return obj.household.case_number if obj.household is not None else None


class DuplicatePairOut(Schema):
    first: DuplicatePerson
    second: DuplicatePerson
    score: int = Field(..., description="一致度（高いほど同一人物の可能性が高い）")
    reasons: list[str] = Field(..., description="候補とした理由（日本語）")


class MergeOut(Schema):
    id: int
    survivor_id: int
    survivor_label: str
    merged_id: int
    merged_label: str
    reason: str
    merged_by: str
    merged_at: dt.datetime
    moved: dict[str, int] = Field(..., description="移した記録の件数（app.Model.field ごと）")
    set_aside: dict[str, int] = Field(..., description="重複のため外した記録の件数（取消しで戻る）")
    undone_at: dt.datetime | None
    undone_by: str | None
    undo_reason: str
    may_unmerge: bool = Field(..., description="今取り消せるか（取消し済み・年度の確定後は false）")

    @staticmethod
    def resolve_merged_by(obj: PersonMerge) -> str:
        return str(obj.merged_by)

    @staticmethod
    def resolve_undone_by(obj: PersonMerge) -> str | None:
        return str(obj.undone_by) if obj.undone_by is not None else None

    @staticmethod
    def resolve_moved(obj: PersonMerge) -> dict[str, int]:
        return {k: len(v) for k, v in obj.moved.items()}

    @staticmethod
    def resolve_set_aside(obj: PersonMerge) -> dict[str, int]:
        return {k: len(v) for k, v in obj.set_aside.items()}

    @staticmethod
    def resolve_may_unmerge(obj: PersonMerge) -> bool:
        return services.may_unmerge(obj)


class NotDuplicateOut(Schema):
    id: int
    first_id: int
    second_id: int
    note: str
    recorded_at: dt.datetime


class MergeIn(InputSchema):
    merged_person_id: Id = Field(..., description="統合して消す方の記録（本人ID）")
    reason: str = Field(..., max_length=2000, description="統合の理由（必須）")


class UnmergeIn(InputSchema):
    reason: str = Field(..., max_length=2000, description="取消しの理由（必須）")


class DismissIn(InputSchema):
    first_person_id: Id
    second_person_id: Id
    note: str = Field("", max_length=2000, description="確認の内容")


@router.get("/people/duplicates", response=responses(page_of(DuplicatePairOut)),
            summary="重複の候補（同じ方が二重に登録されている可能性のある組）")
def duplicate_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "person.merge")
    out = paginate(request, office_candidates(m.office), page)
    shown: list[Candidate] = out["results"]
    log_list(m, [p for c in shown for p in (c.first, c.second)], what="person.duplicates")
    return out


@router.post("/people/duplicates/dismiss", response=responses(NotDuplicateOut, 201),
             summary="重複の候補を別人と確認する（候補から外す）")
def duplicate_dismiss(request: ApiRequest, body: DismissIn) -> tuple[int, NotDuplicate]:
    m = acting(request, "person.merge")
    first = person_ref(m, body.first_person_id, "first_person_id")
    second = person_ref(m, body.second_person_id, "second_person_id")
    return 201, services.duplicate_dismiss(actor=m, first=first, second=second, note=body.note)


@router.post("/people/{person_id}/merge", response=responses(MergeOut, 201),
             summary="同じ方の別の記録をこの記録に統合する（名寄せ）")
def person_merge(request: ApiRequest, person_id: Id, body: MergeIn) -> tuple[int, PersonMerge]:
    m = acting(request, "person.merge")
    survivor = person_ref(m, person_id, "person_id")
    merged = person_ref(m, body.merged_person_id, "merged_person_id")
    return 201, services.person_merge(actor=m, survivor=survivor, merged=merged,
                                      reason=body.reason)


@router.get("/person-merges", response=responses(page_of(MergeOut)), summary="統合の履歴")
def merge_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(request, visible_merges(acting(request, "person.merge")), page)


@router.get("/person-merges/{merge_id}", response=responses(MergeOut),
            summary="統合の記録（閲覧を監査ログに記録）")
def merge_detail(request: ApiRequest, merge_id: Id) -> PersonMerge:
    m = acting(request, "person.merge")
    merge = get_merge_for_user(m, merge_id)
    log_merge_view(m, merge)
    return merge


@router.post("/person-merges/{merge_id}/unmerge", response=responses(MergeOut),
             summary="統合を取り消す（次に年度の報告を確定するまで）")
def merge_undo(request: ApiRequest, merge_id: Id, body: UnmergeIn) -> PersonMerge:
    m = acting(request, "person.merge")
    merge = get_merge_for_user(m, merge_id)
    services.person_unmerge(actor=m, merge=merge, reason=body.reason)
    return get_merge_for_user(m, merge_id)
