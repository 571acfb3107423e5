"""API tokens through the API: list, create (the secret is returned once), revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from jiritsu.api.common import (
    Day,
    Extended,
    Id,
    InputSchema,
    PageParams,
    acting,
    page_of,
    paginate,
    responses,
)
from jiritsu.api.http import ApiRequest
from jiritsu.api.models import ApiToken
from jiritsu.api.tokens import token_create, token_revoke, tokens_visible_to

router = Router()


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="表示用の先頭文字（秘密部分ではありません）")
    username: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime = Field(..., description="有効期限。この日時以降は 401 token_expired")
    expires_on: dt.date = Field(..., description="使える最後の日（日本時間）")
    is_active: bool = Field(..., description="失効しておらず、有効期限内")

    @staticmethod
    def resolve_username(obj: ApiToken) -> str:
        return obj.user.username


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="トークン本体。この応答でのみ表示されます。")


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100, description="用途がわかる名前")
    expires_on: Day | None = Field(
        None, description="使える最後の日（日本時間）。省略時は発行日から既定の日数"
                          "（JIRITSU_API_TOKEN_DAYS、既定365日）。最長 JIRITSU_API_TOKEN_MAX_DAYS 日")


@router.get("", response=responses(page_of(TokenOut)), summary="APIトークンの一覧")
def list_tokens(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    membership = acting(request, "apitoken.manage")
    return paginate(request, tokens_visible_to(membership), page)


@router.post("", response=responses(TokenCreatedOut, 201), summary="APIトークンの発行")
def create_token(request: ApiRequest, payload: TokenIn) -> tuple[int, Extended]:
    membership = acting(request, "apitoken.manage")
    token, raw = token_create(actor=membership, name=payload.name, expires_on=payload.expires_on)
    # The secret is not on the record (only its hash): the one field added to the row.
    return 201, Extended(token, token=raw)


@router.post("/{token_id}/revoke", response=responses(TokenOut), summary="APIトークンの失効")
def revoke_token(request: ApiRequest, token_id: Id) -> ApiToken:
    membership = acting(request, "apitoken.manage")
    token = tokens_visible_to(membership).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token_revoke(actor=membership, token=token)
