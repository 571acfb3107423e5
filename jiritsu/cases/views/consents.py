"""Consent (同意) screens: record and withdraw."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jiritsu.cases import forms as F
from jiritsu.cases import services
from jiritsu.cases.access import get_consent_for_user, get_person_for_user
from jiritsu.core.errors import DomainError
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs.views.common import acting_membership, form_error, today

# ------------------------------------------------------------------ consent

@action_required("consent.record")
def consent_create(request: OfficeRequest, person_pk: int) -> HttpResponse:
    m = acting_membership(request)
    person = get_person_for_user(m, person_pk)
    if request.method == "POST":
        form = F.ConsentForm(request.POST, office=m.office)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                services.consent_record(actor=m, person=person, program=cd["program"],
                                        given_on=cd["given_on"], form=cd["form"],
                                        grants=form.grants(), note=cd["note"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{person.name}さんの同意を記録しました。")
                nxt = request.POST.get("next") or ""
                if nxt.startswith("/") and not nxt.startswith("//"):
                    return redirect(nxt)
                return redirect("people:person", pk=person.pk)
    else:
        initial: dict[str, Any] = {"given_on": today(), "form": "written"}
        if request.GET.get("program"):
            initial["program"] = request.GET["program"]
        form = F.ConsentForm(office=m.office, initial=initial)
    return render(request, "cases/consent_form.html", {
        "form": form, "person": person, "next": request.GET.get("next", "")})


@action_required("consent.record")
def consent_withdraw(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    consent = get_consent_for_user(m, pk, write=True)
    if request.method == "POST":
        form = F.WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.consent_withdraw(actor=m, consent=consent,
                                          on=form.cleaned_data["withdrawn_on"],
                                          expected_version=form.cleaned_data["version"],
                                          note=form.cleaned_data["note"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "同意の撤回を記録しました。")
                return redirect("people:person", pk=consent.person_id)
    else:
        form = F.WithdrawForm(initial={"withdrawn_on": today(), "version": consent.version})
    return render(request, "cases/simple_form.html", {
        "form": form, "title": f"同意の撤回：{consent.person.name}（{format_wareki(consent.given_on)}の同意）",
        "back": reverse("people:person", args=[consent.person_id]), "submit": "撤回を記録",
        "danger": True})
