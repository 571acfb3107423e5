"""Sign-in security screens: the second factor (verify, register, recovery codes), the
user's own sessions, a member of staff's sign-in for the office's administrator, and the
office's policy."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jiritsu.api.tokens import tokens_visible_to
from jiritsu.core import clock
from jiritsu.core.errors import ValidationFailed
from jiritsu.offices.access import action_required, get_membership_for_user
from jiritsu.offices.http import AttachedRequest, OfficeRequest
from jiritsu.offices.models import User
from jiritsu.signin import services
from jiritsu.signin.forms import CodeForm, PasswordLoginForm, PolicyForm, ReasonForm, SetupCodeForm
from jiritsu.signin.models import SignInPolicy
from jiritsu.signin.oidc import sso_configured
from jiritsu.signin.policy import enforced, second_factor_required


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "/"


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    user = _user(request)
    if services.pending(request) != services.VERIFY:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify(request, user, form.cleaned_data["code"])
        except services.LockedOut:
            logout(request)
            return render(request, "registration/locked_out.html", status=429)
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            return redirect(_next(request))
    return render(request, "signin/verify.html",
                  {"form": form, "next": _next(request), "hide_menu": True})


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Register an authenticator app: scan the code, type the number it shows; then the
    recovery codes are shown once."""
    user = _user(request)
    owed = services.pending(request)
    if owed == services.VERIFY:
        return redirect("signin:verify")
    device = services.draft_totp(user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.confirm_totp(request, user, form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            return render(request, "signin/recovery_codes.html",
                          {"codes": done.recovery_codes, "next": _next(request), "first": True})
    url = device.config_url  # otpauth://totp/Jiritsu:<user>?secret=…&issuer=Jiritsu
    secret = _secret_groups(device)
    return render(request, "signin/setup.html", {
        "form": form, "qr_svg": segno.make(url, error="m").svg_inline(scale=4, title="QRコード"),
        "secret": secret, "next": _next(request), "required": owed == services.SETUP,
        "replacing": services.has_second_factor(user), "hide_menu": owed == services.SETUP})


def _secret_groups(device: Any) -> str:
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


@login_required
def account(request: AttachedRequest) -> HttpResponse:
    """The user's own sign-in: second factor, recovery codes left, open sessions."""
    user = _user(request)
    return render(request, "signin/account.html", {
        "enforced": enforced(),
        "has_second_factor": services.has_second_factor(user),
        "required": second_factor_required(user),
        "codes_left": services.recovery_codes_left(user),
        "sessions": services.open_sessions(user, current_key=request.session.session_key),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT_SECONDS // 60,
        "now": clock.now(),
    })


@login_required
@require_POST
def renew_codes(request: AttachedRequest) -> HttpResponse:
    user = _user(request)
    if not services.has_second_factor(user):
        return redirect("signin:account")
    codes = services.renew_recovery_codes(user, office=request.office)
    return render(request, "signin/recovery_codes.html", {"codes": codes, "next": "/"})


@login_required
@require_POST
def remove(request: AttachedRequest) -> HttpResponse:
    user = _user(request)
    if second_factor_required(user):
        messages.error(request, "あなたの役割または事務所の設定により、二要素認証は解除できません。"
                                "端末を替えるときは「認証アプリを登録し直す」を使ってください。")
        return redirect("signin:account")
    services.remove_second_factor(user, actor=user, office=request.office)
    messages.success(request, "二要素認証を解除しました。")
    return redirect("signin:account")


@login_required
@require_POST
def end_own_sessions(request: AttachedRequest) -> HttpResponse:
    user = _user(request)
    key = request.POST.get("session", "")
    current = request.session.session_key
    if key == "others":
        n = services.end_sessions(user, actor=user, office=request.office, keep=current,
                                  reason="本人が他のセッションを終了")
    else:
        n = services.end_sessions(user, actor=user, office=request.office, keys=[key],
                                  keep=current, reason="本人がセッションを終了")
    messages.success(request, f"{n}件のセッションを終了しました。" if n else
                     "終了したセッションはありません。")
    return redirect("signin:account")


class LoginView(auth_views.LoginView):
    """The password form, with the identity provider's button when single sign-on is set."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = PasswordLoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["sso"] = sso_configured()
        ctx["sso_label"] = settings.JIRITSU_OIDC_LABEL
        form = ctx.get("form")
        if form is not None and form.errors:
            refused = [e for e in form.errors.as_data().get("__all__", [])
                       if e.code == "password_not_allowed"]
            ctx["password_refused"] = refused[0].messages[0] if refused else ""
        return ctx


@action_required("office.admin")
def policy(request: OfficeRequest) -> HttpResponse:
    current = SignInPolicy.objects.filter(office=request.office).first() or SignInPolicy()
    form = PolicyForm(request.POST or None, initial={
        "two_factor": current.two_factor, "password_allowed": current.password_allowed})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_policy(actor=request.membership, two_factor=form.cleaned_data["two_factor"],
                                password_allowed=form.cleaned_data["password_allowed"])
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "サインインの設定を保存しました。次回のログインから適用されます。")
            return redirect("signin:policy")
    return render(request, "signin/policy.html", {"form": form, "enforced": enforced(),
                                                  "sso": sso_configured(),
                                                  "labels": SignInPolicy.TwoFactor})


@action_required("user.manage")
def staff_security(request: OfficeRequest, pk: int) -> HttpResponse:
    """A member of staff's sign-in, for the office's administrator: end every session and
    API token at once (a lost laptop, a departure), or reset a lost phone's second factor."""
    target = get_membership_for_user(request.membership, pk)
    target_user = target.user
    tokens = tokens_visible_to(request.membership).filter(user=target_user,
                                                          revoked_at__isnull=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if request.POST.get("do") == "reset":
            services.remove_second_factor(target_user, actor=_user(request), office=request.office,
                                          reason=reason, own=False)
            services.end_sessions(target_user, actor=_user(request), office=request.office,
                                  reason=f"管理者が二要素認証をリセット：{reason}")
            messages.success(request, "二要素認証をリセットしました。次回のログインで登録し直します。")
        else:
            n, revoked = services.sign_out_everywhere(target, actor=request.membership,
                                                      reason=reason)
            messages.success(request, f"セッション{n}件を終了し、APIトークン{revoked}件を失効させました。")
        return redirect("signin:staff", pk=pk)
    return render(request, "signin/staff.html", {
        "target": target, "form": form,
        "has_second_factor": services.has_second_factor(target_user),
        "required": second_factor_required(target_user),
        "sessions": services.open_sessions(target_user),
        "tokens": list(tokens),
    })
