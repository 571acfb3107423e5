"""Screening (選定) screens: the preview, saved 台帳, nominations and enrolling a candidate."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from jiritsu.cases import forms as F
from jiritsu.cases import services
from jiritsu.cases.access import get_person_for_user
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required, require
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs import screening
from jiritsu.programs.access import get_ledger_for_user, get_program_for_user
from jiritsu.programs.views.common import acting_membership, form_error, page_number, today

# ------------------------------------------------------------------ screening

@action_required("screening.run")
def screening_view(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    program = get_program_for_user(m, pk)
    form = F.ScreeningForm(request.GET or {"as_of": today().isoformat()})
    ledger_form = F.LedgerForm(prefix="ledger",
                               initial={"as_of": request.GET.get("as_of") or today()})
    if request.method == "POST":
        require(m, "screening.run")
        ledger_form = F.LedgerForm(request.POST, prefix="ledger")
        if ledger_form.is_valid():
            try:
                ledger = services.ledger_save(actor=m, program=program,
                                              as_of=ledger_form.cleaned_data["as_of"],
                                              title=ledger_form.cleaned_data["title"])
            except DomainError as exc:
                form_error(ledger_form, exc)
            else:
                messages.success(request, f"台帳「{ledger.title}」を保存しました（{ledger.entries.count()}人）。")
                return redirect("programs:ledger", pk=ledger.pk)
    # Counts for everyone; reasons only for the page of candidates shown.
    page = page_number(request.GET.get("page", ""))
    preview = (screening.preview(program, form.cleaned_data["as_of"],
                                 limit=SCREENING_PAGE_SIZE,
                                 offset=(page - 1) * SCREENING_PAGE_SIZE,
                                 caseworker=request.user if form.cleaned_data["mine"] else None)
               if form.is_valid() else None)
    pager = _screening_pager(preview, page, form) if preview is not None else None
    return render(request, "cases/screening.html", {
        "program": program, "form": form, "ledger_form": ledger_form, "preview": preview,
        "pager": pager, "rules_text": screening.describe_rules(program.rules),
        "can_conference": m.can("conference.manage"), "here": request.get_full_path()})


SCREENING_PAGE_SIZE = 50


def _screening_pager(preview: screening.Preview, page: int,
                     form: F.ScreeningForm) -> dict[str, Any]:
    """Where this page sits among the matches, with links keeping the 基準日."""
    pages = max(1, -(-preview.total // SCREENING_PAGE_SIZE))
    query = {"as_of": form.cleaned_data["as_of"].isoformat()}
    if form.cleaned_data.get("mine"):
        query["mine"] = "on"
    base = "?" + urlencode(query)
    shown = sum(1 for c in preview.candidates if c.matched)
    return {
        "page": page, "pages": pages,
        "first": preview.offset + 1 if shown else 0, "last": preview.offset + shown,
        "previous": f"{base}&page={page - 1}" if page > 1 else "",
        "next": f"{base}&page={page + 1}" if page < pages else "",
    }


@action_required("screening.run")
def ledger_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    ledger = get_ledger_for_user(acting_membership(request), pk)
    entries = list(ledger.entries.select_related("person", "person__household")
                   .order_by("person__kana_key", "id"))
    return render(request, "cases/ledger.html", {
        "ledger": ledger, "entries": entries, "rules_text": screening.describe_rules(ledger.rules)})


@action_required("nomination.record")
def nomination_create(request: OfficeRequest, pk: int, person_pk: int) -> HttpResponse:
    m = acting_membership(request)
    program = get_program_for_user(m, pk)
    person = get_person_for_user(m, person_pk)
    if request.method == "POST":
        form = F.NominationForm(request.POST, office=m.office)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                services.nomination_record(actor=m, program=program, person=person,
                                           source=cd["source"], nominated_by=cd["nominated_by"],
                                           nominated_on=cd["nominated_on"], note=cd["note"],
                                           partner=cd["partner"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{person.name}さんの推薦を記録しました。")
                return redirect(_back_to_list(cd.get("next"), program))
    else:
        # The signed-in caseworker nominates, unless they say otherwise.
        form = F.NominationForm(office=m.office, initial={
            "person_id": person.pk, "nominated_on": today(), "source": "caseworker",
            "nominated_by": str(request.user), "next": request.GET.get("next", "")})
    return render(request, "cases/simple_form.html", {
        "form": form, "title": f"推薦の記録：{person.name}（{program.name}）",
        "back": reverse("programs:detail", args=[program.pk]), "submit": "推薦を記録"})


def _back_to_list(nxt: str | None, program: Any) -> str:
    """The page of the list the form was opened from (its page and filters), else the list."""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts=None) and nxt.startswith("/"):
        return nxt
    return reverse("programs:screening", args=[program.pk])


@action_required("enrollment.manage")
def enroll(request: OfficeRequest, pk: int, person_pk: int) -> HttpResponse:
    m = acting_membership(request)
    program = get_program_for_user(m, pk)
    person = get_person_for_user(m, person_pk)
    if request.method == "POST":
        form = F.EnrollForm(request.POST)
        if form.is_valid():
            try:
                e = services.enrollment_create(actor=m, person=person, program=program,
                                               on=form.cleaned_data["on"],
                                               note=form.cleaned_data["note"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{person.name}さんを候補に登録しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.EnrollForm(initial={"person_id": person.pk, "on": today()})
    return render(request, "cases/simple_form.html", {
        "form": form, "title": f"候補登録：{person.name}（{program.name}）",
        "back": reverse("people:person", args=[person.pk]), "submit": "候補に登録"})
