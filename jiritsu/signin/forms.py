from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from jiritsu.signin.models import SignInPolicy
from jiritsu.signin.policy import password_allowed


class PasswordLoginForm(AuthenticationForm):
    """The password form, refused for an office that signs in only through its provider."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not password_allowed(user):
            raise forms.ValidationError(
                "この事務所ではパスワードでのログインは停止されています。"
                "「庁内の認証でログイン」から入ってください。", code="password_not_allowed")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="確認コード", max_length=40,
        help_text="認証アプリに表示されている6桁の数字。端末が手元にないときは回復コード（xxxxx-xxxxx）。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                      "autofocus": True, "spellcheck": "false"}))


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label="認証アプリの6桁の数字", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200,
                             help_text="例：端末の紛失、退職、異動")


class PolicyForm(forms.Form):
    two_factor = forms.ChoiceField(label="二要素認証が必要な職員", choices=SignInPolicy.TwoFactor.choices,
                                   widget=forms.RadioSelect,
                                   help_text="所長と管理者には常に必要です。設定の変更は次回のログインから適用されます。")
    password_allowed = forms.BooleanField(
        label="パスワードでのログインを認める", required=False,
        help_text="外すと、職員は自治体の認証（シングルサインオン）でだけログインできます。"
                  "シングルサインオンが設定されていないときは外せません。")
