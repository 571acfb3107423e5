"""API tokens (per user, stored hashed) and Idempotency-Key records."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from jiritsu.core import clock


class ApiToken(models.Model):
    """An integration's credential. Acts as its user, with that user's memberships and roles.

    Only the SHA-256 of the secret is stored; ``prefix`` (the first characters) is kept so
    people can tell their tokens apart on screen.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name="利用者")
    name = models.CharField("名前", max_length=100)
    prefix = models.CharField("先頭文字", max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)
    expires_at = models.DateTimeField("有効期限", help_text="この日時以降は使えません（401 token_expired）")
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        """Usable: not revoked and not expired."""
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()

    @property
    def expires_on(self) -> dt.date:
        """The last day (in Japan) on which the token works."""
        return clock.japan_date(self.expires_at - dt.timedelta(microseconds=1))


class IdempotencyRecord(models.Model):
    """The stored answer to a POST made with an ``Idempotency-Key`` header."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"再送防止キーの記録（{self.pk}）"
