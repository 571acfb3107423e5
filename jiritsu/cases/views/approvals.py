"""決裁 screens (inbox, route, detail), reviews due and choosing a program to enrol in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jiritsu.cases import forms as F
from jiritsu.cases import selectors, services
from jiritsu.cases.access import get_approval_for_user, get_person_for_user
from jiritsu.cases.approval_context import approval_context
from jiritsu.cases.models import Enrollment
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs.access import get_program_for_user, visible_programs
from jiritsu.programs.views.common import acting_membership, form_error

# ------------------------------------------------------------------ approvals, reviews due

@action_required("program.view")
def approvals_inbox(request: OfficeRequest) -> HttpResponse:
    m = acting_membership(request)
    return render(request, "cases/approvals.html", {
        "waiting": selectors.approvals_waiting(m), "mine": selectors.approvals_mine(m),
        "route": services.route_steps(m.office), "can_manage": m.can("program.manage"),
        "route_form": F.ApprovalRouteForm() if m.can("program.manage") else None})


@action_required("program.manage")
def approval_route(request: OfficeRequest) -> HttpResponse:
    m = acting_membership(request)
    form = F.ApprovalRouteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_route_set(actor=m, name=form.cleaned_data["name"],
                                        steps=form.cleaned_data["steps"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "決裁ルートを保存しました。")
            return redirect("programs:approvals")
    return render(request, "cases/simple_form.html", {
        "form": form, "title": "決裁ルートの設定", "back": reverse("programs:approvals"),
        "submit": "保存"})


@action_required("program.view")
def approval_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    req = get_approval_for_user(m, pk)
    can = services.can_decide(m, req)
    form = F.ApprovalDecideForm(initial={"version": req.version})
    if request.method == "POST":
        if not m.can("approval.decide"):
            raise PermissionDenied("この操作を行う権限がありません。")
        form = F.ApprovalDecideForm(request.POST)
        if form.is_valid():
            try:
                services.approval_decide(actor=m, request=req,
                                         approve=form.cleaned_data["approve"] == "yes",
                                         comment=form.cleaned_data["comment"],
                                         expected_version=form.cleaned_data["version"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                req.refresh_from_db()
                messages.success(request, {"approved": "決裁しました。決定を反映しました。",
                                           "rejected": "差し戻しました。",
                                           "pending": "承認しました。次の決裁者に回ります。"}[req.status])
                return redirect("programs:approvals")
    return render(request, "cases/approval.html", {
        "req": req, "form": form, "can_decide": can, **approval_context(req),
        "steps": list(req.decisions.select_related("decided_by")),
        "role_labels": F.ROLE_LABELS})


@action_required("review.write")
def reviews_due(request: OfficeRequest) -> HttpResponse:
    m = acting_membership(request)
    office_wide = m.can("caseload.team") and request.GET.get("mine") != "1"
    context: dict[str, Any] = {"office_wide": office_wide}
    if office_wide:
        context["groups"] = selectors.reviews_due_by_caseworker(m)
    else:
        context["due"] = selectors.reviews_due(m, mine_only=True)
    return render(request, "cases/reviews_due.html", context)


@action_required("enrollment.manage")
def enroll_choose(request: OfficeRequest, person_pk: int) -> HttpResponse:
    """The person page's 「候補に登録」: pick a program, then the candidate form."""
    m = acting_membership(request)
    person = get_person_for_user(m, person_pk)
    if request.GET.get("program"):
        program = get_program_for_user(m, request.GET.get("program"))
        return redirect("programs:enroll", pk=program.pk, person_pk=person.pk)
    open_ids = set(Enrollment.objects.filter(person=person, status__in=Enrollment.OPEN_STATUSES)
                   .values_list("program_id", flat=True))
    programs = [p for p in visible_programs(m).filter(is_active=True).order_by("code")
                if p.pk not in open_ids]
    return render(request, "cases/enroll_choose.html", {"person": person, "programs": programs})
