"""The office's sign-in policy and the sessions each user holds.

The second factor's devices are django-otp's own models (``otp_totp.TOTPDevice`` for the
authenticator app, ``otp_static.StaticDevice`` for the recovery codes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jiritsu.core import clock


class SignInPolicy(models.Model):
    """How an office's staff sign in. Managers and administrators always need a second
    factor (the permission table says so); the office decides for everyone else."""

    class TwoFactor(models.TextChoices):
        MANAGERS = "managers", "所長・管理者のみ必須（他の職員は任意）"
        EVERYONE = "everyone", "全職員に必須"

    office = models.OneToOneField("offices.Office", on_delete=models.CASCADE,
                                  related_name="signin_policy", verbose_name="事務所")
    two_factor = models.CharField("二要素認証", max_length=20, choices=TwoFactor.choices,
                                  default=TwoFactor.MANAGERS)
    password_allowed = models.BooleanField(
        "パスワードでのログイン", default=True,
        help_text="外すと、この事務所の職員は自治体の認証（シングルサインオン）でだけログインできます。")
    updated_at = models.DateTimeField("更新日時", default=clock.now)

    class Meta:
        verbose_name = "サインインの設定"

    def __str__(self) -> str:
        return f"{self.office}のサインインの設定"


class UserSession(models.Model):
    """A browser session a user signed in with: listed on the user's security page so that
    they (or their office's administrator) can end it. The session itself lives in Django's
    session store; this row names it, with where and when it began."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="signin_sessions", verbose_name="職員")
    session_key = models.CharField("セッション", max_length=40, unique=True)
    started_at = models.DateTimeField("ログイン日時", default=clock.now)
    ip_address = models.GenericIPAddressField("接続元", null=True, blank=True)
    user_agent = models.CharField("ブラウザ", max_length=300, blank=True, default="")
    ended_at = models.DateTimeField("終了日時", null=True, blank=True)
    end_reason = models.CharField("終了の理由", max_length=100, blank=True, default="")

    class Meta:
        verbose_name = "サインイン中のセッション"
        indexes = [models.Index(fields=["user", "ended_at"], name="signin_session_user_open")]

    def __str__(self) -> str:
        return f"{self.user}のセッション（{clock.to_japan(self.started_at):%Y-%m-%d %H:%M}）"
