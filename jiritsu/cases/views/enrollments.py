"""Enrolment (episode) screens: the episode page, transitions, assignment, plans, records,
reviews and outcomes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jiritsu.cases import forms as F
from jiritsu.cases import selectors, services
from jiritsu.cases.access import (
    get_enrollment_for_user,
    get_person_for_user,
    log_view,
    partner_may_record,
    visible_enrollments,
)
from jiritsu.cases.approval_context import approval_notices
from jiritsu.cases.models import ApprovalRequest, Enrollment
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.people.models import Person
from jiritsu.programs.views.common import acting_membership, form_error, today

# ------------------------------------------------------------------ enrolment

TRANSITION_FORMS: dict[str, tuple[type[forms.Form], str]] = {
    "select": (F.TransitionForm, "選定"),
    "start": (F.StartForm, "支援開始"),
    "change_phase": (F.PhaseForm, "段階変更"),
    "set_menus": (F.MenusForm, "支援メニュー変更"),
    "extend": (F.ExtendForm, "期間延長"),
    "end": (F.EndForm, "終了"),
    "transfer": (F.TransferForm, "移行"),
}
_NEEDS_ENROLLMENT = {"start", "change_phase", "set_menus", "transfer"}


def _transition_form(action: str, enrollment: Enrollment, data: Any = None) -> forms.Form:
    cls, _ = TRANSITION_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action}
    if action in _NEEDS_ENROLLMENT:
        kwargs["enrollment"] = enrollment
    if data is None:
        kwargs["initial"] = {"on": today(), "version": enrollment.version}
        if action == "set_menus":
            kwargs["initial"]["menus"] = list(enrollment.menus.all())
    return cls(data, **kwargs) if data is not None else cls(**kwargs)


def _do_transition(m: Any, action: str, e: Enrollment, cd: dict[str, Any]) -> Any:
    common = {"actor": m, "enrollment": e, "on": cd["on"], "note": cd.get("note", ""),
              "expected_version": cd["version"]}
    if action == "select":
        return services.enrollment_select(**common)
    if action == "start":
        return services.enrollment_start(**common, phase=cd.get("phase"),
                                         menus=list(cd.get("menus") or []),
                                         planned_end_on=cd.get("planned_end_on"))
    if action == "change_phase":
        return services.enrollment_change_phase(**common, phase=cd["phase"])
    if action == "set_menus":
        return services.enrollment_set_menus(**common, menus=list(cd.get("menus") or []))
    if action == "extend":
        return services.enrollment_extend(**common, until=cd["until"])
    if action == "end":
        return services.enrollment_end(**common, reason=cd["reason"])
    if action == "transfer":
        return services.enrollment_transfer(**common, target_program=cd["target_program"],
                                            start=cd.get("start", False))
    raise Http404


def _enrollment_context(m: Any, e: Enrollment, **extra: Any) -> dict[str, Any]:
    ctx = selectors.enrollment_detail(e)
    allowed = services.enrollments.ALLOWED_FROM
    can_manage = m.can("enrollment.manage")
    actions = [a for a in TRANSITION_FORMS if can_manage and e.status in allowed[a]]
    if not ctx["phases"]:
        actions = [a for a in actions if a != "change_phase"]
    ctx["transition_forms"] = extra.pop("transition_forms", None) or {
        a: _transition_form(a, e) for a in actions}
    ctx["transition_labels"] = {a: TRANSITION_FORMS[a][1] for a in TRANSITION_FORMS}
    ctx["assign_form"] = extra.pop("assign_form", None) or (F.AssignForm(
        enrollment=e, prefix="assign", initial={
            "lead_staff": e.lead_staff_id, "referred_partners": ctx["referred_partners"],
            "version": e.version}) if can_manage else None)
    ctx.update({
        "can_manage": can_manage, "can_plan": m.can("plan.write"),
        "can_record": m.can("record.write"), "can_review": m.can("review.write"),
        "can_outcome": m.can("outcome.record"), "is_partner": m.is_partner,
        "person": e.person,
        "approval_notices": approval_notices(m, e) if can_manage else {},
    })
    ctx.update(extra)
    return ctx


@action_required("person.view")
def enrollment_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    e = get_enrollment_for_user(m, pk)
    log_view(m, e.person, what="enrollment.view")
    return render(request, "cases/enrollment.html", _enrollment_context(m, e))


@action_required("enrollment.manage")
def enrollment_transition(request: OfficeRequest, pk: int, action: str) -> HttpResponse:
    m = acting_membership(request)
    e = get_enrollment_for_user(m, pk, write=True)
    if action not in TRANSITION_FORMS or request.method != "POST":
        raise Http404
    form = _transition_form(action, e, request.POST)
    if form.is_valid():
        try:
            result = _do_transition(m, action, e, form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            label = TRANSITION_FORMS[action][1]
            if isinstance(result, ApprovalRequest):
                messages.warning(request, f"「{label}」は決裁が必要です。決裁を依頼しました（完了するまで反映されません）。")
            else:
                messages.success(request, f"「{label}」を記録しました。")
            if action == "transfer" and isinstance(result, Enrollment):
                return redirect("programs:enrollment", pk=result.pk)
            return redirect("programs:enrollment", pk=e.pk)
    e.refresh_from_db()
    ctx = _enrollment_context(m, e)
    ctx["transition_forms"][action] = form
    ctx["open_action"] = action
    return render(request, "cases/enrollment.html", ctx, status=422)


@action_required("enrollment.manage")
def enrollment_assign(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    e = get_enrollment_for_user(m, pk, write=True)
    if request.method != "POST":
        raise Http404
    form = F.AssignForm(request.POST, enrollment=e, prefix="assign")
    if form.is_valid():
        try:
            services.enrollment_assign(actor=m, enrollment=e,
                                       lead_staff=form.cleaned_data["lead_staff"],
                                       referred_partners=list(form.cleaned_data["referred_partners"]),
                                       expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "担当・紹介先を保存しました。")
            return redirect("programs:enrollment", pk=e.pk)
    return render(request, "cases/enrollment.html",
                  _enrollment_context(m, e, assign_form=form, open_action="assign"), status=422)


@action_required("plan.write")
def plan_create(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    e = get_enrollment_for_user(m, pk, write=True, action="plan.write")
    previous = e.plans.order_by("-number").prefetch_related("goals", "commitments").first()
    prev_goals = list(previous.goals.all()) if previous else []
    if request.method == "POST":
        form = F.PlanForm(request.POST, previous_goals=prev_goals)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                plan = services.plan_create(actor=m, enrollment=e, goals=form.goals(),
                                            commitments=form.commitments(),
                                            agreed_on=cd["agreed_on"], policy=cd["policy"],
                                            target_start_on=cd["target_start_on"],
                                            based_on_number=cd["based_on_number"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"計画（第{plan.number}版）を保存しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.PlanForm(previous_goals=prev_goals,
                          initial=F.PlanForm.initial_from(previous) if previous
                          else {"based_on_number": 0})
    return render(request, "cases/plan_form.html", {
        "form": form, "enrollment": e, "previous": previous,
        "goal_rows": range(F.GOAL_ROWS), "commit_rows": range(3)})


def _record_form(m: Any, person: Person, data: Any = None, **kw: Any) -> F.RecordForm:
    enrollments = visible_enrollments(m).filter(person=person).select_related("program")
    return F.RecordForm(data, office=m.office, enrollments=enrollments, **kw)


@action_required("record.write")
def record_create(request: OfficeRequest, person_pk: int) -> HttpResponse:
    m = acting_membership(request)
    person = get_person_for_user(m, person_pk)
    if m.is_partner and not partner_may_record(m, person):
        raise Http404
    if request.method == "POST":
        form = _record_form(m, person, request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                rec = services.record_create(actor=m, person=person, values=form.values(),
                                             enrollment=cd["enrollment"],
                                             staff_present=list(cd["staff_present"]),
                                             partners_present=list(cd["partners_present"]))
            except DomainError as exc:
                if exc.field == "occurred_at":  # the form asks for the date as occurred_on
                    exc.field = "occurred_on"
                form_error(form, exc)
            else:
                messages.success(request, "経過記録を保存しました。")
                if rec.enrollment_id and not m.is_partner:
                    return redirect("programs:enrollment", pk=rec.enrollment_id)
                return redirect("people:person", pk=person.pk)
    else:
        initial: dict[str, Any] = {"occurred_on": today(), "kind": "home_visit",
                                   "staff_present": [m.user]}
        if request.GET.get("enrollment"):
            initial["enrollment"] = request.GET["enrollment"]
        form = _record_form(m, person, initial=initial)
    return render(request, "cases/record_form.html", {"form": form, "person": person})


@action_required("review.write")
def review_create(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    e = get_enrollment_for_user(m, pk, write=True, action="review.write")
    plan = e.plans.order_by("-number").first()
    goals = list(plan.goals.all()) if plan else []
    if request.method == "POST":
        form = F.ReviewForm(request.POST, enrollment=e, goals=goals)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                _, pending = services.review_create(
                    actor=m, enrollment=e, reviewed_on=cd["reviewed_on"],
                    evaluation=cd["evaluation"], decision=cd["decision"],
                    next_due_on=cd["next_due_on"], goal_levels=form.goal_levels(),
                    extend_until=cd["extend_until"], phase=cd["phase"],
                    conference=cd["conference"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                if pending is not None:
                    messages.warning(request, "見直しを記録しました。判断の反映には決裁が必要なため、決裁を依頼しました。")
                else:
                    messages.success(request, "見直しを記録しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.ReviewForm(enrollment=e, goals=goals,
                            initial={"reviewed_on": today(), "decision": "continue"})
    detail = selectors.enrollment_detail(e)
    return render(request, "cases/review_form.html",
                  {"form": form, "enrollment": e, "due": detail["due"],
                   "last_sort": next(iter(detail["result_sorts"]), None)})


@action_required("outcome.record")
def outcome_create(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    e = get_enrollment_for_user(m, pk, write=True, action="outcome.record")
    if request.method == "POST":
        form = F.OutcomeForm(request.POST, enrollment=e)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                result = services.outcome_record(
                    actor=m, enrollment=e, outcome_type=cd["outcome_type"],
                    occurred_on=cd["occurred_on"], data=form.data_fields(),
                    end_as_achieved=cd["end_as_achieved"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                if isinstance(result, ApprovalRequest):
                    messages.warning(request, "達成の記録には決裁が必要です。決裁を依頼しました（承認されると記録されます）。")
                else:
                    messages.success(request, "成果を記録しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.OutcomeForm(enrollment=e, initial={"occurred_on": today()})
    return render(request, "cases/simple_form.html", {
        "form": form, "title": f"成果の記録：{e.person.name}（{e.program.name}）",
        "back": reverse("programs:enrollment", args=[e.pk]), "submit": "成果を記録"})
