"""The program catalogue screens: list, create and edit. The program page with its board of
episodes is ``jiritsu.cases.views.program_page``."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs import forms as F
from jiritsu.programs import screening, services
from jiritsu.programs.access import get_program_for_user, visible_programs
from jiritsu.programs.models import Program
from jiritsu.programs.views.common import acting_membership, form_error

# ------------------------------------------------------------------ catalogue

@action_required("program.view")
def program_list(request: OfficeRequest) -> HttpResponse:
    programs = (
        visible_programs(acting_membership(request))
        .annotate(active_count=Count("enrollments", filter=Q(enrollments__status="active")),
                  open_count=Count("enrollments", filter=Q(
                      enrollments__status__in=["candidate", "selected"])))
        .order_by("code")
    )
    return render(request, "programs/list.html", {"programs": programs})


def _program_form_save(request: OfficeRequest, form: F.ProgramForm,
                       program: Program | None) -> Program | None:
    cd = dict(form.cleaned_data)
    phases, menus = cd.pop("phases"), cd.pop("menus")
    outcome_types, targets = cd.pop("outcome_types"), cd.pop("targets")
    partners = list(cd.pop("partners"))
    version = cd.pop("version", None)
    try:
        if program is None:
            return services.program_create(actor=acting_membership(request), data=cd, phases=phases, menus=menus,
                                           outcome_types=outcome_types, targets=targets,
                                           partners=partners)
        F.match_rows(list(program.phases.all()), phases)
        F.match_rows(list(program.menus.all()), menus)
        F.match_rows(list(program.outcome_types.all()), outcome_types)
        F.match_rows(list(program.targets.all()), targets, key="label")
        return services.program_update(actor=acting_membership(request), program=program,
                                       expected_version=version, data=cd, phases=phases,
                                       menus=menus, outcome_types=outcome_types, targets=targets,
                                       partners=partners)
    except DomainError as exc:
        form_error(form, exc)
        for d in getattr(exc, "details", []) or []:
            if d.get("message") and d.get("message") not in exc.message:
                form.add_error("rules", str(d["message"]))
        return None


@action_required("program.manage")
def program_create(request: OfficeRequest) -> HttpResponse:
    m = acting_membership(request)
    if request.method == "POST":
        form = F.ProgramForm(request.POST, office=m.office, creating=True)
        if form.is_valid():
            program = _program_form_save(request, form, None)
            if program is not None:
                messages.success(request, f"「{program.name}」を登録しました。")
                return redirect("programs:detail", pk=program.pk)
    else:
        form = F.ProgramForm(office=m.office, creating=True,
                             initial={"review_interval_months": 3, "consent_required": True,
                                      "is_active": True, "legal_basis": "art27_2"})
    return render(request, "programs/program_form.html", {"form": form, "program": None})


@action_required("program.manage")
def program_edit(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    program = get_program_for_user(m, pk, write=True)
    if request.method == "POST":
        form = F.ProgramForm(request.POST, office=m.office)
        if form.is_valid():
            saved = _program_form_save(request, form, program)
            if saved is not None:
                messages.success(request, f"保存しました（第{saved.current_version}版）。")
                return redirect("programs:detail", pk=program.pk)
    else:
        form = F.ProgramForm(office=m.office, initial=F.ProgramForm.initial_for(program))
    return render(request, "programs/program_form.html", {
        "form": form, "program": program, "fields_doc": screening.FIELDS})
