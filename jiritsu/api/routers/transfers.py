"""実施責任の移管 (docs/transfers.md): the offers in and out of the office, proposing,
accepting or declining, continuing a transferred episode, and the signed person file between
installations. Through ``jiritsu.transfers.services`` / ``personfile`` and the one door
``jiritsu.transfers.access``: the same checks and audit rows as the screens under /transfers/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from jiritsu.api.common import (
    Day,
    Id,
    InputSchema,
    PageParams,
    acting,
    download,
    file_operation,
    label_of,
    page_of,
    paginate,
    person_ref,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.core.errors import NotFound, ValidationFailed
from jiritsu.offices.models import Membership, Office, User
from jiritsu.programs.models import Program
from jiritsu.transfers import personfile, services
from jiritsu.transfers.access import (
    get_transfer_for_user,
    get_transferred_episode_for_user,
    log_read,
    sees_hand_over,
    visible_transfers,
)
from jiritsu.transfers.models import Transfer, TransferredEpisode

router = Router()
OPTIONAL_FILE = File(None)


def _outgoing(obj: Transfer, context: dict[str, Any]) -> bool:
    return obj.source_office_id == acting(context["request"]).office_id


class TransferredEpisodeOut(Schema):
    id: int
    program_code: str
    program_name: str
    status_label: str
    phase_name: str
    started_on: dt.date | None
    continued_as_id: int | None = Field(None, description="この事務所で継続した参加のID")


class TransferOut(Schema):
    id: int
    status: str
    status_label: str
    direction: Literal["incoming", "outgoing"] = Field(
        ..., description="incoming: この事務所への移管 / outgoing: この事務所からの移管")
    source_label: str = Field(..., description="移管元（事務所名、他の設置からは設置名と事務所名）")
    target_office: str = Field(..., description="移管先の事務所名")
    person_name: str
    person_kana: str
    birth_date: dt.date
    reason: str
    reason_label: str
    moved_on: dt.date | None
    new_address: str
    note: str = Field(..., description="引継ぎ事項")
    proposed_at: dt.datetime
    decided_on: dt.date | None
    decline_reason: str
    person_id: int | None = Field(
        None, description="この事務所の世帯員ID（移管元では元の世帯員、移管先では受入れ後の新しい世帯員）")

    resolve_status_label = label_of("status")
    resolve_reason_label = label_of("reason")

    @staticmethod
    def resolve_target_office(obj: Transfer) -> str:
        return obj.target_office.name

    @staticmethod
    def resolve_direction(obj: Transfer, context: dict[str, Any]) -> str:
        # Depends on who asks: the same transfer is one office's offer and the other's arrival.
        return "outgoing" if _outgoing(obj, context) else "incoming"

    @staticmethod
    def resolve_person_id(obj: Transfer, context: dict[str, Any]) -> int | None:
        return obj.source_person_id if _outgoing(obj, context) else obj.target_person_id


class TransferDetailOut(TransferOut):
    hand_over: dict[str, Any] | None = Field(
        None, description="引継ぎ書類（移管元、または受入れ後の移管先だけ）")
    episodes: list[TransferredEpisodeOut] = Field(default_factory=list,
                                       description="移管された参加（受入れ後の移管先だけ）")

    @staticmethod
    def resolve_hand_over(obj: Transfer, context: dict[str, Any]) -> dict[str, Any] | None:
        return obj.hand_over if sees_hand_over(acting(context["request"]), obj) else None

    @staticmethod
    def resolve_episodes(obj: Transfer, context: dict[str, Any]) -> list[TransferredEpisode]:
        return [] if _outgoing(obj, context) else list(obj.episodes.order_by("id"))


class TransferListParams(Schema):
    direction: Literal["incoming", "outgoing"] | None = None
    status: Transfer.Status | None = None


@router.get("/transfers", response=responses(page_of(TransferOut)),
            summary="移管の一覧（この事務所への移管・この事務所からの移管）")
def transfer_list(request: ApiRequest, params: Query[TransferListParams],
                  page: Query[PageParams]) -> dict[str, Any]:
    m = acting(request, "transfer.propose")
    qs = visible_transfers(m).select_related("target_office")
    if params.direction == "incoming":
        qs = qs.filter(target_office=m.office)
    elif params.direction == "outgoing":
        qs = qs.filter(source_office=m.office)
    if params.status:
        qs = qs.filter(status=params.status)
    return paginate(request, qs, page)


def _transfer(m: Membership, pk: int, *, decide: bool = False) -> Transfer:
    try:
        return get_transfer_for_user(m, pk, decide=decide)
    except Http404:
        raise NotFound(field="transfer_id") from None


@router.get("/transfers/{transfer_id}", response=responses(TransferDetailOut),
            summary="移管の内容（引継ぎ書類は移管元と受入れ後の移管先だけ。閲覧を監査ログに記録）")
def transfer_detail(request: ApiRequest, transfer_id: Id) -> Transfer:
    m = acting(request, "transfer.propose")
    t = _transfer(m, transfer_id)
    log_read(m, t)
    return t


class TransferProposeIn(InputSchema):
    person_id: Id
    target_office_id: Id
    reason: Transfer.Reason
    moved_on: Day | None = None
    new_address: str = Field("", max_length=200)
    note: str = Field("", max_length=4000, description="引継ぎ事項")


@router.post("/transfers", response=responses(TransferDetailOut, 201),
             summary="移管の申出（引継ぎ書類をこの時点で作成。監査ログに記録）")
def transfer_propose(request: ApiRequest, payload: TransferProposeIn) -> tuple[int, Transfer]:
    m = acting(request, "transfer.propose")
    person = person_ref(m, payload.person_id)
    target = Office.objects.filter(pk=payload.target_office_id).first()
    if target is None:
        raise NotFound(field="target_office_id")
    t = services.transfer_propose(actor=m, person=person, target_office=target,
                                  reason=payload.reason, moved_on=payload.moved_on,
                                  new_address=payload.new_address, note=payload.note)
    return 201, t


class TransferAcceptIn(InputSchema):
    case_number: str = Field(..., min_length=1, max_length=30, description="この事務所のケース番号")
    caseworker_id: Id | None = Field(None, description="地区担当員（この事務所の職員）のユーザーID")
    accepted_on: Day = Field(..., description="受入日（今日以前）")


@router.post("/transfers/{transfer_id}/accept", response=responses(TransferDetailOut),
             summary="移管の受入れ（査察指導員・課長。世帯・世帯員を登録し、移管元の参加を「移管」で終了）")
def transfer_accept(request: ApiRequest, transfer_id: Id, payload: TransferAcceptIn) -> Transfer:
    m = acting(request, "transfer.decide")
    t = _transfer(m, transfer_id, decide=True)
    caseworker = None
    if payload.caseworker_id is not None:
        caseworker = User.objects.filter(pk=payload.caseworker_id,
                                         memberships__office=m.office).first()
        if caseworker is None:
            raise ValidationFailed("この事務所のケースワーカーを選んでください。", field="caseworker_id")
    t = services.transfer_accept(actor=m, transfer=t, case_number=payload.case_number,
                                 caseworker=caseworker, accepted_on=payload.accepted_on)
    return t


class TransferDeclineIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=4000, description="受入れできない理由")


@router.post("/transfers/{transfer_id}/decline", response=responses(TransferDetailOut),
             summary="移管の受入れ不可（査察指導員・課長。理由を移管元に回答）")
def transfer_decline(request: ApiRequest, transfer_id: Id, payload: TransferDeclineIn) -> Transfer:
    m = acting(request, "transfer.decide")
    t = _transfer(m, transfer_id, decide=True)
    t = services.transfer_decline(actor=m, transfer=t, reason=payload.reason)
    return t


class TransferWithdrawIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=4000, description="取下げの理由")


@router.post("/transfers/{transfer_id}/withdraw", response=responses(TransferDetailOut),
             summary="移管の申出の取下げ（移管元。移管先の回答前に限る）")
def transfer_withdraw(request: ApiRequest, transfer_id: Id,
                      payload: TransferWithdrawIn) -> Transfer:
    m = acting(request, "transfer.propose")
    try:
        t = get_transfer_for_user(m, transfer_id, withdraw=True)
    except Http404:
        raise NotFound(field="transfer_id") from None
    return services.transfer_withdraw(actor=m, transfer=t, reason=payload.reason)


class TransferContinueIn(InputSchema):
    program_id: Id = Field(..., description="この事務所のプログラム")
    on: Day = Field(..., description="候補登録日")


@router.post("/transferred-episodes/{episode_id}/continue", response=responses(TransferredEpisodeOut, 201),
             summary="移管された参加をこの事務所のプログラムで継続（候補として登録。continued_as_id が新しい参加）")
def episode_continue(request: ApiRequest, episode_id: Id,
                     payload: TransferContinueIn) -> tuple[int, TransferredEpisode]:
    m = acting(request, "enrollment.manage")
    try:
        episode: TransferredEpisode = get_transferred_episode_for_user(m, episode_id)
    except Http404:
        raise NotFound(field="episode_id") from None
    program = Program.objects.filter(pk=payload.program_id, office=m.office).first()
    if program is None:
        raise NotFound(field="program_id")
    services.transfer_continue(actor=m, episode=episode, program=program, on=payload.on)
    return 201, episode


@router.get("/people/{person_id}/person-file", response=responses({}),
            openapi_extra=file_operation("application/json",
                                         description="署名つきの個人ファイル（JSON）"),
            summary="個人ファイルの出力（写し。プログラムはそのまま。査察指導員・課長。監査ログに記録）")
def person_file_export(request: ApiRequest, person_id: Id) -> HttpResponse:
    m = acting(request, "transfer.decide")
    person = person_ref(m, person_id)
    data = personfile.export(actor=m, person=person)
    return download(data, f"person-file-{person.pk}.json", "application/json")


class PersonFileExportIn(InputSchema):
    hand_over: bool = Field(..., description=(
        "true: 移管として出力（この事務所の参加中・検討中のプログラムを ended_on に「移管」で終了し、"
        "ファイルの handed_over_on に記録。出力と同じトランザクション）／false: 写し（何も変えない）"))
    ended_on: Day | None = Field(None, description="移管日（hand_over のとき必須。今日以前）")


@router.post("/people/{person_id}/person-file", response=responses({}),
             openapi_extra=file_operation("application/json",
                                          description="署名つきの個人ファイル（JSON）"),
             summary="個人ファイルの出力（他の設置への移管として、または写しとして。査察指導員・課長。監査ログに記録）")
def person_file_hand_over(request: ApiRequest, person_id: Id,
                          payload: PersonFileExportIn) -> HttpResponse:
    m = acting(request, "transfer.decide")
    person = person_ref(m, person_id)
    data = personfile.export(actor=m, person=person, hand_over=payload.hand_over,
                             on=payload.ended_on if payload.hand_over else None)
    return download(data, f"person-file-{person.pk}.json", "application/json")


@router.post("/person-files", response=responses(TransferDetailOut, 201),
             summary="個人ファイルの取込み（署名・版を確認し、この事務所への移管の申出にする。全件か無し）")
def person_file_import(request: ApiRequest,
                       file: UploadedFile | None = OPTIONAL_FILE) -> tuple[int, Transfer]:
    m = acting(request, "transfer.decide")
    if file is None:
        raise ValidationFailed("個人ファイルを指定してください。", field="file")
    if file.size is not None and file.size > personfile.MAX_BYTES:
        raise ValidationFailed("ファイルが大きすぎます。", code="person_file_too_large", field="file")
    t = personfile.take_in(actor=m, data=file.read())
    return 201, t
