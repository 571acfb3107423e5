"""The /api/v1/ application: authentication, error handling, docs, and the resource routers."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from jiritsu.api import errors
from jiritsu.api.openapi import ContractAPI

DESCRIPTION = """\
Jiritsu（自立支援プログラム管理）の JSON API。画面と同じサービス・アクセス制御・監査ログを通ります。

* 認証: `Authorization: Bearer <APIトークン>`（連携システム）またはログイン済みセッション（ブラウザ、
  更新系は `X-CSRFToken` ヘッダー必須）。複数の事務所に所属する利用者のトークンは
  `X-Jiritsu-Office: <事務所コード>` で事務所を指定します。
* エラーは常に `{"error": {"code", "message", "field", "details"}}`。
* 一覧は `page` / `page_size`（最大200）でページ分割され、`count` と `next` を返します。
* POST は `Idempotency-Key` ヘッダーに対応します（同じキー・同じ内容 → 保存済みの応答を再送）。
"""


class TokenAuth(HttpBearer):
    """Bearer token. The middleware has already checked it and chosen the office."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if getattr(request, "api_token_auth", False):
            return request.user
        return None


class SessionAuth(APIKeyCookie):
    """The browser's log-in session; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        if getattr(request, "api_token_auth", False) or not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check Failed")
        return request.user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


class VendoredSwagger(Swagger):
    """Swagger UI from static/vendor (no CDN; the page's CSP allows only 'self')."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, "api/swagger.html", {
            "api": api,
            "openapi_url": reverse("api:api-v1:openapi-json"),
            "swagger_settings": json.dumps({"layout": "BaseLayout", "deepLinking": True,
                                            "validatorUrl": None}),
        })


api = ContractAPI(
    title="Jiritsu API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:api-v1",
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
)
errors.install(api)


def _register() -> None:
    from jiritsu.api.routers import (
        activities,
        activities_sessions,
        activities_support,
        admin,
        amounts,
        casework,
        documents,
        forms,
        guidance,
        lifecycle,
        merging,
        national,
        offices,
        parts,
        people,
        programs,
        reports,
        retention,
        tokens,
        transfers,
    )

    api.add_router("/tokens", tokens.router, tags=["APIトークン"])
    # Before the people router: its /people/{person_id} would take /people/duplicates.
    api.add_router("", merging.router, tags=["名寄せ（同一人物の記録の統合）"])
    api.add_router("", people.router, tags=["世帯・世帯員"])
    api.add_router("", amounts.router, tags=["保護費・医療扶助"])
    api.add_router("", parts.router, tags=["世帯員の詳細情報"])
    api.add_router("", programs.router, tags=["プログラム"])
    for lifecycle_router in lifecycle.ROUTERS:
        api.add_router("", lifecycle_router, tags=["プログラムの流れ"])
    api.add_router("", guidance.router, tags=["指導指示"])
    api.add_router("", reports.router, tags=["集計"])
    api.add_router("", national.router, tags=["全国集計"])
    for activities_router in activities.ROUTERS:
        api.add_router("", activities_router, tags=["活動"])
    api.add_router("", admin.router, tags=["事務所の管理・監査ログ"])
    api.add_router("", offices.router, tags=["事務所とその設定"])
    api.add_router("", activities_sessions.router, tags=["活動：学習会・講座"])
    api.add_router("", activities_support.router, tags=["活動：支援の詳細"])
    api.add_router("", documents.router, tags=["添付書類"])
    api.add_router("", forms.router, tags=["帳票"])
    api.add_router("", casework.router, tags=["ケースワーカーの一日（訪問計画・供覧）"])
    api.add_router("", transfers.router, tags=["移管"])
    api.add_router("", retention.router, tags=["保存年限と削除"])


_register()
