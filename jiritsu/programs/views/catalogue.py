"""The program catalogue screens: list, create and edit. The program page with its board of
episodes is ``jiritsu.cases.views.program_page``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from jiritsu.core.errors import DomainError
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs import forms as F
from jiritsu.programs import screening, services
from jiritsu.programs.access import get_program_for_user, visible_programs
from jiritsu.programs.models import Program
from jiritsu.programs.rule_form import RuleForm
from jiritsu.programs.views.common import acting_membership, form_error, today

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


def _program_form_save(request: OfficeRequest, form: F.ProgramForm, rule_form: RuleForm,
                       outcomes: Any, targets_fs: Any, program: Program | None) -> Program | None:
    cd = dict(form.cleaned_data)
    cd["rules"] = rule_form.rules
    phases, menus = cd.pop("phases"), cd.pop("menus")
    outcome_types, targets = F.formset_rows(outcomes), F.formset_rows(targets_fs)
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
        if exc.field == "rules":
            rule_form.errors.append(exc.message)
        else:
            form_error(form, exc)
        return None


def _program_form_page(request: OfficeRequest, program: Program | None) -> HttpResponse:
    """Create (``program`` None) or edit. A ``rule_action`` button (add or remove a condition,
    redraw after choosing an item) redraws the page with the count of matching people
    instead of saving — the editor works without JavaScript."""
    m = acting_membership(request)
    creating = program is None
    preview: dict[str, Any] | None = None
    if request.method == "POST":
        form = F.ProgramForm(request.POST, office=m.office, creating=creating)
        outcomes, targets = F.program_formsets(request.POST)
        rule_form = RuleForm(request.POST)
        action = request.POST.get("rule_action", "")
        if action:
            rule_form.apply(action)
            preview = _rule_count(m, rule_form, request.POST)
        elif all([form.is_valid(), outcomes.is_valid(), targets.is_valid(),
                  rule_form.is_valid()]):
            saved = _program_form_save(request, form, rule_form, outcomes, targets, program)
            if saved is not None:
                messages.success(request, f"「{saved.name}」を登録しました。" if creating
                                 else f"保存しました（第{saved.current_version}版）。")
                return redirect("programs:detail", pk=saved.pk)
        if not action and (form.errors or rule_form.error_list()):
            form.add_error(None, "入力に誤りがあります。各項目の説明を確かめてください。")
    else:
        if program is None:
            form = F.ProgramForm(office=m.office, creating=True,
                                 initial={"review_interval_months": 3, "consent_required": True,
                                          "is_active": True, "legal_basis": "art27_2"})
        else:
            form = F.ProgramForm(office=m.office, initial=F.ProgramForm.initial_for(program))
        outcomes, targets = F.program_formsets(None, program)
        rule_form = RuleForm(rules=program.rules if program else None)
        preview = _rule_count(m, rule_form, None, program)
    return render(request, "programs/program_form.html", {
        "form": form, "program": program, "rule_form": rule_form, "outcomes": outcomes,
        "targets": targets, "rule_preview": preview})


def _rule_count(m: Any, rule_form: RuleForm, data: Any,
                program: Program | None = None) -> dict[str, Any]:
    """The count of the office's people the rule (as built so far) keeps today."""
    if not rule_form.is_valid():
        return {"ok": False, "errors": rule_form.error_list()}
    non_recipients = (bool(data.get("allows_non_recipients")) if data is not None
                      else bool(program and program.allows_non_recipients))
    matching, population = screening.count_matching(
        m.office, rule_form.rules, allows_non_recipients=non_recipients, as_of=today())
    return {"ok": True, "count": matching, "population": population,
            "summary": screening.rules_summary(rule_form.rules), "as_of": today(),
            "empty": not rule_form.rules}


@action_required("program.manage")
def program_create(request: OfficeRequest) -> HttpResponse:
    return _program_form_page(request, None)


@action_required("program.manage")
def program_edit(request: OfficeRequest, pk: int) -> HttpResponse:
    return _program_form_page(request, get_program_for_user(acting_membership(request), pk, write=True))


@action_required("program.manage")
def rule_count(request: OfficeRequest) -> JsonResponse:
    """The program editor's live count: the draft rule in the posted form → how many of the
    office's people it keeps today (no one is named, so nothing is recorded in the log)."""
    data = request.POST if request.method == "POST" else request.GET
    rule_form = RuleForm(data)
    result = _rule_count(acting_membership(request), rule_form, data)
    if result.get("as_of"):
        result["as_of"] = format_wareki(result["as_of"])
    return JsonResponse(result)


@action_required("program.manage")
def rule_rows(request: OfficeRequest) -> HttpResponse:
    """The 選定条件 rows redrawn after a button (add, remove, another item chosen)."""
    data = request.POST if request.method == "POST" else request.GET
    rule_form = RuleForm(data)
    rule_form.apply(data.get("rule_action", ""))
    return render(request, "programs/_rule_rows.html", {"rule_form": rule_form})
