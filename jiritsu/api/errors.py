"""One error shape for the whole API: ``{"error": {code, message, field?, details?}}``.

Codes are stable (clients branch on them); messages are Japanese (people read them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from jiritsu.core.errors import DomainError

logger = logging.getLogger("jiritsu.api")

MESSAGES: dict[str, str] = {
    "validation_error": "入力内容に誤りがあります。",
    "not_found": "対象が見つかりません。",
    "forbidden": "この操作を行う権限がありません。",
    "unauthenticated": "認証が必要です。APIトークンまたはログインが必要です。",
    "invalid_token": "APIトークンが無効です（失効済み、または存在しません）。",
    "token_expired": "APIトークンの有効期限が切れています。新しいトークンを発行してください。",
    "csrf_failed": "CSRF検証に失敗しました。画面を開き直してから、もう一度実行してください。",
    "method_not_allowed": "このメソッドは使用できません。",
    "conflict": "他のデータと重複するため保存できません。",
    "idempotency_conflict": "同じIdempotency-Keyで異なる内容のリクエストが送信されました。",
    "office_required": "複数の事務所に所属しています。X-Jiritsu-Office ヘッダーで事務所コードを指定してください。",
    "no_office": "有効な事務所の所属がありません。",
    "rate_limited": "リクエストが多すぎます。しばらく待ってから再実行してください。",
    "bad_request": "リクエストの形式が正しくありません。",
    "payload_too_large": "リクエストの本文が大きすぎます（20MBまで）。分割して送信してください。",
    "server_error": "サーバーで予期しないエラーが発生しました。時間をおいて再度お試しください。",
}

STATUS_CODES: dict[int, str] = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 422: "validation_error",
    429: "rate_limited",
}


def error_body(code: str, message: str | None = None, *, field: str | None = None,
               details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message or MESSAGES.get(code, code)}
    if field:
        err["field"] = field
    if details:
        err["details"] = details
    return {"error": err}


def error_response(status: int, code: str, message: str | None = None, *,
                   field: str | None = None,
                   details: list[dict[str, Any]] | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, field=field, details=details), status=status,
                        json_dumps_params={"ensure_ascii": False})


_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "必須項目です。",
    "int_parsing": "整数を入力してください。",
    "int_type": "整数を入力してください。",
    "float_parsing": "数値を入力してください。",
    "bool_parsing": "真偽値（true/false）を入力してください。",
    "bool_type": "真偽値（true/false）を入力してください。",
    "date_from_datetime_parsing": "日付はYYYY-MM-DD形式で入力してください。",
    "date_parsing": "日付はYYYY-MM-DD形式で入力してください。",
    "date_type": "日付はYYYY-MM-DD形式で入力してください。",
    "datetime_parsing": "日時はISO 8601形式で入力してください。",
    "datetime_from_date_parsing": "日時はISO 8601形式で入力してください。",
    "datetime_type": "日時はISO 8601形式で入力してください。",
    "string_type": "文字列を入力してください。",
    "string_too_long": "文字数が多すぎます。",
    "string_too_short": "入力してください。",
    "too_long": "項目が多すぎます。",
    "too_short": "項目が足りません。",
    "enum": "選択肢にない値です。",
    "literal_error": "選択肢にない値です。",
    "greater_than_equal": "値が小さすぎます。",
    "greater_than": "値が小さすぎます。",
    "less_than_equal": "値が大きすぎます。",
    "less_than": "値が大きすぎます。",
    "list_type": "配列を指定してください。",
    "dict_type": "オブジェクトを指定してください。",
    "model_attributes_type": "オブジェクトを指定してください。",
    "json_invalid": "JSONの形式が正しくありません。",
    "extra_forbidden": "定義されていない項目です。",
    "value_error": "値が正しくありません。",
}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """Ninja locations look like ("body", "payload", "birth_date") or ("query", "page")."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        source, rest = parts[0], parts[1:]
        if source == "body" and len(rest) > 1:
            rest = rest[1:]  # drop the handler's parameter name
        return ".".join(rest) or source
    return ".".join(parts)


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for e in errors:
        kind = str(e.get("type", "value_error"))
        own = str(e.get("msg", "")).removeprefix("Value error, ")
        if kind == "value_error" and own and not own.isascii():
            message = own  # a Japanese message from one of our validators
        else:
            message = _PYDANTIC_MESSAGES.get(kind, "値が正しくありません。")
        details.append({"field": _field_name(e.get("loc", ())), "code": kind, "message": message})
    return details


def install(api: NinjaAPI) -> None:
    """Replace Ninja's default handlers so every failure has the same shape."""

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = validation_details(list(exc.errors))
        field = details[0]["field"] if details else None
        message = details[0]["message"] if len(details) == 1 else None
        return error_response(422, "validation_error", message, field=field, details=details)

    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message, field=exc.field,
                              details=list(exc.details))

    def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(404, "not_found")

    def on_403(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = str(exc) if str(exc) and not str(exc).isascii() else None
        return error_response(403, "forbidden", message)

    def on_auth(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(401, "unauthenticated")

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in str(exc):
            return error_response(403, "csrf_failed")
        code = STATUS_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "server_error")
        message = str(exc) if not str(exc).isascii() else None
        return error_response(exc.status_code, code, message)

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        details: list[dict[str, Any]] = []
        if hasattr(exc, "error_dict"):
            for name, errs in exc.message_dict.items():
                details += [{"field": name, "code": "invalid", "message": m} for m in errs]
        else:
            details = [{"field": "", "code": "invalid", "message": m} for m in exc.messages]
        field = details[0]["field"] if details and details[0]["field"] else None
        return error_response(422, "validation_error", field=field, details=details)

    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("integrity error on %s: %s", request.path, exc)
        return error_response(409, "conflict")

    def on_any(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "server_error")

    _on(api, Exception, on_any)
    _on(api, NinjaValidationError, on_validation)
    _on(api, DomainError, on_domain)
    _on(api, Http404, on_404)
    _on(api, PermissionDenied, on_403)
    _on(api, AuthenticationError, on_auth)
    _on(api, HttpError, on_http)
    _on(api, DjangoValidationError, on_django_validation)
    _on(api, IntegrityError, on_integrity)


_E = TypeVar("_E", bound=Exception)


def _on(api: NinjaAPI, kind: type[_E], handle: Callable[[HttpRequest, _E], HttpResponse]) -> None:
    """Register ``handle`` for ``kind``. Ninja hands a handler the raised exception (its
    signature also admits the class, which it never passes)."""

    def handler(request: HttpRequest, exc: _E | type[_E]) -> HttpResponse:
        if not isinstance(exc, kind):
            raise TypeError(f"expected a raised {kind.__name__}, got {exc!r}")
        return handle(request, exc)

    api.add_exception_handler(kind, handler)
