"""Office administration screens (role ``admin``): staff accounts and partner organisations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jiritsu.core.errors import DomainError
from jiritsu.offices import selectors, services
from jiritsu.offices.access import action_required, get_membership_for_user, get_partner_for_user
from jiritsu.offices.forms import MembershipForm, PartnerForm, StaffCreateForm
from jiritsu.offices.http import OfficeRequest


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
