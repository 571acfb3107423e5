"""The program catalogue screens: list, program page and its board, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs import forms as F
from jiritsu.programs import screening, selectors, services
from jiritsu.programs.access import (
    get_program_for_user,
    visible_enrollments,
    visible_programs,
)
from jiritsu.programs.models import (
    Program,
)
from jiritsu.programs.views.common import PROFESSIONS, _error, _m, _page_number

# ------------------------------------------------------------------ catalogue

@action_required("program.view")
def program_list(request: OfficeRequest) -> HttpResponse:
    programs = (
        visible_programs(_m(request))
        .annotate(active_count=Count("enrollments", filter=Q(enrollments__status="active")),
                  open_count=Count("enrollments", filter=Q(
                      enrollments__status__in=["candidate", "selected"])))
        .order_by("code")
    )
    return render(request, "programs/list.html", {"programs": programs})


@action_required("program.view")
def program_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
    program = get_program_for_user(m, pk)
    board = selectors.program_board(program, visible_enrollments(m))
    due, due_total = selectors.program_reviews_due(program, m,
                                                   limit=selectors.BOARD_COLUMN_LIMIT)
    context = {
        "program": program,
        "rules_text": screening.describe_rules(program.rules),
        "rules_op": "すべてを満たす" if program.rules.get("op", "and") == "and" else "いずれかを満たす",
        "phases": list(program.phases.order_by("order", "id")),
        "menus": list(program.menus.order_by("order", "id")),
        "outcome_types": list(program.outcome_types.order_by("id")),
        "partners": list(program.partners.all()),
        "professions": [PROFESSIONS.get(x, x) for x in program.professions or []],
        "board": board,
        "open_total": sum(c.total for c in board),
        "due": due, "due_total": due_total,
        "figures": selectors.program_figures(program),
        "ledgers": list(program.ledgers.select_related("created_by")
                        .annotate(n=Count("entries")).order_by("-as_of", "-id")[:5]),
        "can_manage": m.can("program.manage"),
        "can_screen": m.can("screening.run"),
        "can_conference": m.can("conference.manage"),
    }
    return render(request, "programs/detail.html", context)


@action_required("program.view")
def board_column(request: OfficeRequest, pk: int, column: str) -> HttpResponse:
    """One column of the program board in full, 50 episodes a page (the board shows the
    first 20 of each column)."""
    m = _m(request)
    program = get_program_for_user(m, pk)
    found = selectors.board_column_page(program, visible_enrollments(m), column,
                                        page=_page_number(request.GET.get("page", "")))
    if found is None:
        raise Http404
    col, page, pages = found
    first = (page - 1) * selectors.COLUMN_PAGE_SIZE
    return render(request, "programs/board_column.html", {
        "program": program, "column": col, "page": page, "pages": pages,
        "first": first + 1 if col.enrollments else 0, "last": first + len(col.enrollments),
        "previous": f"?page={page - 1}" if page > 1 else "",
        "next": f"?page={page + 1}" if page < pages else "",
    })


def _program_form_save(request: OfficeRequest, form: F.ProgramForm,
                       program: Program | None) -> Program | None:
    cd = dict(form.cleaned_data)
    phases, menus = cd.pop("phases"), cd.pop("menus")
    outcome_types, targets = cd.pop("outcome_types"), cd.pop("targets")
    partners = list(cd.pop("partners"))
    version = cd.pop("version", None)
    try:
        if program is None:
            return services.program_create(actor=_m(request), data=cd, phases=phases, menus=menus,
                                           outcome_types=outcome_types, targets=targets,
                                           partners=partners)
        F.match_rows(list(program.phases.all()), phases)
        F.match_rows(list(program.menus.all()), menus)
        F.match_rows(list(program.outcome_types.all()), outcome_types)
        F.match_rows(list(program.targets.all()), targets, key="label")
        return services.program_update(actor=_m(request), program=program,
                                       expected_version=version, data=cd, phases=phases,
                                       menus=menus, outcome_types=outcome_types, targets=targets,
                                       partners=partners)
    except DomainError as exc:
        _error(form, exc)
        for d in getattr(exc, "details", []) or []:
            if d.get("message") and d.get("message") not in exc.message:
                form.add_error("rules", str(d["message"]))
        return None


@action_required("program.manage")
def program_create(request: OfficeRequest) -> HttpResponse:
    m = _m(request)
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
    m = _m(request)
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
