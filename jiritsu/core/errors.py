"""Domain errors: a stable machine-readable code plus a Japanese message.

Services raise these; views turn them into a message next to the form (or a
banner), the API into ``{"error": {"code": ..., "message": ..., "field": ...}}``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation. ``code`` is stable (API contract); ``message`` is for users."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 details: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.details = details or []

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.details:
            data["details"] = self.details
        return data


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


class StaleEdit(DomainError):
    """Optimistic locking: the row changed since the form was loaded."""

    code = "stale_edit"
    status = 409

    def __init__(self, message: str = "他の職員がこの記録を先に更新しました。画面を開き直して内容を確認してから、もう一度保存してください。") -> None:
        super().__init__(message)


class NotFound(DomainError):
    """Missing and not-yours answer the same way."""

    code = "not_found"
    status = 404

    def __init__(self, message: str = "対象が見つかりません。", *, field: str | None = None) -> None:
        super().__init__(message, field=field)


class Forbidden(DomainError):
    code = "forbidden"
    status = 403

    def __init__(self, message: str = "この操作を行う権限がありません。") -> None:
        super().__init__(message)
