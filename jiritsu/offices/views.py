"""Office administration screens: staff accounts, partner organisations and the office's
settings (role ``admin``); offices and their first administrator (the installation
administrator, an installation role: ``permissions.may_manage_offices``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.core.errors import DomainError
from jiritsu.offices import selectors, services
from jiritsu.offices.access import (
    action_required,
    deny,
    get_membership_for_user,
    get_or_404,
    get_partner_for_user,
)
from jiritsu.offices.forms import (
    MembershipForm,
    OfficeCreateForm,
    OfficeForm,
    OfficeSettingsForm,
    PartnerForm,
    StaffCreateForm,
)
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Office, User
from jiritsu.offices.permissions import may_manage_offices


def _add_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@action_required("user.manage")
def staff_list(request: OfficeRequest) -> HttpResponse:
    office = request.office
    staff = selectors.office_staff(office)
    return render(request, "offices/staff_list.html", {"staff": staff})


@action_required("user.manage")
def staff_create(request: OfficeRequest) -> HttpResponse:
    membership = request.membership
    form = StaffCreateForm(request.POST or None, office=membership.office)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_create(actor=membership, **form.cleaned_data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "職員アカウントを作成しました。")
            return redirect("offices:staff")
    return render(request, "offices/form.html", {"form": form, "title": "職員アカウントの作成",
                                                 "back": "offices:staff"})


@action_required("user.manage")
def staff_edit(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    target = get_membership_for_user(membership, pk)
    if request.method == "POST":
        form = MembershipForm(request.POST, office=membership.office)
        if form.is_valid():
            try:
                services.membership_update(actor=membership, membership=target,
                                           data=form.cleaned_data)
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, "保存しました。")
                return redirect("offices:staff")
    else:
        form = MembershipForm(office=membership.office, initial={
            "display_name": target.user.display_name, "role": target.role,
            "profession": target.profession, "partner": target.partner_id,
            "is_active": target.is_active})
    return render(request, "offices/form.html",
                  {"form": form, "title": f"{target.user.username}（{target.user}）の編集",
                   "back": "offices:staff"})


@action_required("office.admin")
def partner_list(request: OfficeRequest) -> HttpResponse:
    office = request.office
    partners = selectors.office_partners(office)
    return render(request, "offices/partner_list.html", {"partners": partners})


@action_required("office.admin")
def partner_create(request: OfficeRequest) -> HttpResponse:
    membership = request.membership
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_create(actor=membership, data=form.cleaned_data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "関係機関を登録しました。")
            return redirect("offices:partners")
    return render(request, "offices/form.html", {"form": form, "title": "関係機関の登録",
                                                 "back": "offices:partners"})


@action_required("office.admin")
def partner_edit(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    partner = get_partner_for_user(membership, pk)
    if request.method == "POST":
        form = PartnerForm(request.POST)
        if form.is_valid():
            try:
                services.partner_update(actor=membership, partner=partner, data=form.cleaned_data)
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, "保存しました。")
                return redirect("offices:partners")
    else:
        form = PartnerForm(initial=PartnerForm.initial_for(partner))
    return render(request, "offices/form.html", {"form": form, "title": f"{partner.name} の編集",
                                                 "back": "offices:partners"})


# ---------------------------------------------------------------- the office's own settings

@action_required("office.settings")
def office_settings(request: OfficeRequest) -> HttpResponse:
    office = request.office
    form = OfficeSettingsForm(request.POST or None, initial=OfficeSettingsForm.initial_for(office))
    if request.method == "POST" and form.is_valid():
        try:
            services.office_update(actor=request.membership.user, office=office,
                                   data=form.cleaned_data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "事務所の設定を保存しました。")
            return redirect("offices:settings")
    return render(request, "offices/office_settings.html", {"form": form, "office": office})


# ---------------------------------------------------------------- installation administrator

def _installation_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # signed in: installation_admin_required
    return user


def installation_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and the account's installation role may manage offices; else 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_manage_offices(request.user):
            raise deny()
        return view(request, *args, **kwargs)

    return wrapper


@installation_admin_required
def installation_offices(request: HttpRequest) -> HttpResponse:
    return render(request, "offices/installation_offices.html",
                  {"offices": selectors.installation_offices()})


@installation_admin_required
def installation_office_create(request: HttpRequest) -> HttpResponse:
    form = OfficeCreateForm(request.POST or None, initial={
        "head_title": "福祉事務所長", "document_number_format": "福第{number}号",
        "record_retention_years": 5, "log_retention_days": 400, "long_stay_months": 12})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        admin = {k: data.pop(k) for k in ("admin_username", "admin_display_name", "admin_email",
                                          "admin_password")}
        try:
            membership = services.office_create(actor=_installation_user(request), data=data, **admin)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, f"{membership.office.name}（{membership.office.code}）を作成しました。"
                             f"システム管理者 {membership.user.username} でログインできます。")
            return redirect("installation:offices")
    return render(request, "offices/form.html", {"form": form, "title": "事務所の作成",
                                                 "back": "installation:offices"})


@installation_admin_required
def installation_office_edit(request: HttpRequest, pk: int) -> HttpResponse:
    office: Office = get_or_404(Office.objects.all(), pk)
    form = OfficeForm(request.POST or None, initial=OfficeForm.initial_for(office))
    if request.method == "POST" and form.is_valid():
        try:
            services.office_update(actor=_installation_user(request), office=office,
                                   data=form.cleaned_data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, "事務所の設定を保存しました。")
            return redirect("installation:offices")
    return render(request, "offices/form.html", {"form": form, "title": f"{office.name} の設定",
                                                 "back": "installation:offices"})
