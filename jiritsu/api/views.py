"""Screens for API tokens, and the JSON 404 for unknown /api/v1/ paths."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiritsu.api import tokens as svc
from jiritsu.api.errors import error_response
from jiritsu.core.errors import DomainError
from jiritsu.core.forms import JapaneseDateField
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest


def api_not_found(request: HttpRequest) -> HttpResponse:
    return error_response(404, "not_found")


class TokenForm(forms.Form):
    name = forms.CharField(label="名前（用途）", max_length=100,
                           help_text="例: 生活保護システム夜間連携")
    expires_on = JapaneseDateField(
        label="有効期限", required=False,
        help_text=f"この日まで使えます。空欄なら発行日から{settings.API_TOKEN_DAYS}日"
                  f"（最長{settings.API_TOKEN_MAX_DAYS}日）。期限が切れたら新しいトークンを発行してください。")


@action_required("apitoken.manage")
def token_list(request: OfficeRequest) -> HttpResponse:
    membership = request.membership
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = svc.token_create(actor=membership, name=form.cleaned_data["name"],
                                                  expires_on=form.cleaned_data["expires_on"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = TokenForm()
    tokens = list(svc.tokens_visible_to(membership))
    return render(request, "api/tokens.html", {
        "form": form, "tokens": tokens, "new_secret": new_secret,
        "is_admin": membership.can("user.manage"),
    }, status=422 if form.errors else 200)


@action_required("apitoken.manage")
@require_POST
def token_revoke(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    token = svc.tokens_visible_to(membership).filter(pk=pk).first()
    if token is None:
        raise Http404
    svc.token_revoke(actor=membership, token=token)
    messages.success(request, f"APIトークン「{token.name}」を失効させました。")
    return redirect("api:tokens")
