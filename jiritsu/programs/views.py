"""Program screens: parse → access → service → respond. Every write goes through
``jiritsu.programs.services``; refusals come back beside the field they concern.

Size (over 600 lines): the program screens by area — catalogue and settings, screening and
ledgers, episodes and their transitions, conferences, plans, reviews and outcomes, 決裁. The
split is a ``views/`` package with one module per area, keeping the URL names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.access import action_required, require
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Membership
from jiritsu.people.access import get_person_for_user, log_view, visible_people
from jiritsu.people.models import Person
from jiritsu.programs import forms as F
from jiritsu.programs import screening, selectors, services
from jiritsu.programs.access import (
    get_approval_for_user,
    get_conference_for_user,
    get_consent_for_user,
    get_enrollment_for_user,
    get_ledger_for_user,
    get_program_for_user,
    partner_may_record,
    visible_conferences,
    visible_enrollments,
    visible_programs,
)
from jiritsu.programs.models import (
    ApprovalRequest,
    Enrollment,
    Program,
)

PROFESSIONS = dict(Membership.Profession.choices)


def _m(request: OfficeRequest) -> Any:
    return request.membership


def _error(form: forms.Form, exc: DomainError) -> None:
    """Put a refusal beside its field when the form has one, else at the top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _today() -> dt.date:
    return clock.today()


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


# ------------------------------------------------------------------ screening

@action_required("screening.run")
def screening_view(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
    program = get_program_for_user(m, pk)
    form = F.ScreeningForm(request.GET or {"as_of": _today().isoformat()})
    ledger_form = F.LedgerForm(prefix="ledger",
                               initial={"as_of": request.GET.get("as_of") or _today()})
    if request.method == "POST":
        require(m, "screening.run")
        ledger_form = F.LedgerForm(request.POST, prefix="ledger")
        if ledger_form.is_valid():
            try:
                ledger = services.ledger_save(actor=m, program=program,
                                              as_of=ledger_form.cleaned_data["as_of"],
                                              title=ledger_form.cleaned_data["title"])
            except DomainError as exc:
                _error(ledger_form, exc)
            else:
                messages.success(request, f"台帳「{ledger.title}」を保存しました（{ledger.entries.count()}人）。")
                return redirect("programs:ledger", pk=ledger.pk)
    # Counts for everyone; reasons only for the page of candidates shown.
    page = _page_number(request.GET.get("page", ""))
    preview = (screening.preview(program, form.cleaned_data["as_of"],
                                 limit=SCREENING_PAGE_SIZE,
                                 offset=(page - 1) * SCREENING_PAGE_SIZE)
               if form.is_valid() else None)
    pager = _screening_pager(preview, page, form) if preview is not None else None
    return render(request, "programs/screening.html", {
        "program": program, "form": form, "ledger_form": ledger_form, "preview": preview,
        "pager": pager, "rules_text": screening.describe_rules(program.rules),
        "can_conference": m.can("conference.manage")})


SCREENING_PAGE_SIZE = 50


def _page_number(raw: str) -> int:
    return max(int(raw), 1) if raw.isdigit() else 1


def _screening_pager(preview: screening.Preview, page: int,
                     form: F.ScreeningForm) -> dict[str, Any]:
    """Where this page sits among the matches, with links keeping the 基準日."""
    pages = max(1, -(-preview.total // SCREENING_PAGE_SIZE))
    base = "?" + urlencode({"as_of": form.cleaned_data["as_of"].isoformat()})
    shown = sum(1 for c in preview.candidates if c.matched)
    return {
        "page": page, "pages": pages,
        "first": preview.offset + 1 if shown else 0, "last": preview.offset + shown,
        "previous": f"{base}&page={page - 1}" if page > 1 else "",
        "next": f"{base}&page={page + 1}" if page < pages else "",
    }


@action_required("screening.run")
def ledger_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    ledger = get_ledger_for_user(_m(request), pk)
    entries = list(ledger.entries.select_related("person", "person__household")
                   .order_by("person__kana_key", "id"))
    return render(request, "programs/ledger.html", {
        "ledger": ledger, "entries": entries, "rules_text": screening.describe_rules(ledger.rules)})


@action_required("nomination.record")
def nomination_create(request: OfficeRequest, pk: int, person_pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                messages.success(request, f"{person.name}さんの推薦を記録しました。")
                return redirect("programs:screening", pk=program.pk)
    else:
        form = F.NominationForm(office=m.office, initial={
            "person_id": person.pk, "nominated_on": _today(), "source": "caseworker"})
    return render(request, "programs/simple_form.html", {
        "form": form, "title": f"推薦の記録：{person.name}（{program.name}）",
        "back": reverse("programs:detail", args=[program.pk]), "submit": "推薦を記録"})


@action_required("enrollment.manage")
def enroll(request: OfficeRequest, pk: int, person_pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                messages.success(request, f"{person.name}さんを候補に登録しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.EnrollForm(initial={"person_id": person.pk, "on": _today()})
    return render(request, "programs/simple_form.html", {
        "form": form, "title": f"候補登録：{person.name}（{program.name}）",
        "back": reverse("people:person", args=[person.pk]), "submit": "候補に登録"})


# ------------------------------------------------------------------ consent

@action_required("consent.record")
def consent_create(request: OfficeRequest, person_pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                messages.success(request, f"{person.name}さんの同意を記録しました。")
                nxt = request.POST.get("next") or ""
                if nxt.startswith("/") and not nxt.startswith("//"):
                    return redirect(nxt)
                return redirect("people:person", pk=person.pk)
    else:
        initial: dict[str, Any] = {"given_on": _today(), "form": "written"}
        if request.GET.get("program"):
            initial["program"] = request.GET["program"]
        form = F.ConsentForm(office=m.office, initial=initial)
    return render(request, "programs/consent_form.html", {
        "form": form, "person": person, "next": request.GET.get("next", "")})


@action_required("consent.record")
def consent_withdraw(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                messages.success(request, "同意の撤回を記録しました。")
                return redirect("people:person", pk=consent.person_id)
    else:
        form = F.WithdrawForm(initial={"withdrawn_on": _today(), "version": consent.version})
    return render(request, "programs/simple_form.html", {
        "form": form, "title": f"同意の撤回：{consent.person.name}（{format_wareki(consent.given_on)}の同意）",
        "back": reverse("people:person", args=[consent.person_id]), "submit": "撤回を記録",
        "danger": True})


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
        kwargs["initial"] = {"on": _today(), "version": enrollment.version}
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
    })
    ctx.update(extra)
    return ctx


@action_required("person.view")
def enrollment_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
    e = get_enrollment_for_user(m, pk)
    log_view(m, e.person, what="enrollment.view")
    return render(request, "programs/enrollment.html", _enrollment_context(m, e))


@action_required("enrollment.manage")
def enrollment_transition(request: OfficeRequest, pk: int, action: str) -> HttpResponse:
    m = _m(request)
    e = get_enrollment_for_user(m, pk, write=True)
    if action not in TRANSITION_FORMS or request.method != "POST":
        raise Http404
    form = _transition_form(action, e, request.POST)
    if form.is_valid():
        try:
            result = _do_transition(m, action, e, form.cleaned_data)
        except DomainError as exc:
            _error(form, exc)
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
    return render(request, "programs/enrollment.html", ctx, status=422)


@action_required("enrollment.manage")
def enrollment_assign(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
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
            _error(form, exc)
        else:
            messages.success(request, "担当・紹介先を保存しました。")
            return redirect("programs:enrollment", pk=e.pk)
    return render(request, "programs/enrollment.html",
                  _enrollment_context(m, e, assign_form=form, open_action="assign"), status=422)


@action_required("plan.write")
def plan_create(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                messages.success(request, f"計画（第{plan.number}版）を保存しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.PlanForm(previous_goals=prev_goals,
                          initial=F.PlanForm.initial_from(previous) if previous
                          else {"based_on_number": 0})
    return render(request, "programs/plan_form.html", {
        "form": form, "enrollment": e, "previous": previous,
        "goal_rows": range(F.GOAL_ROWS), "commit_rows": range(3)})


def _record_form(m: Any, person: Person, data: Any = None, **kw: Any) -> F.RecordForm:
    enrollments = visible_enrollments(m).filter(person=person).select_related("program")
    return F.RecordForm(data, office=m.office, enrollments=enrollments, **kw)


@action_required("record.write")
def record_create(request: OfficeRequest, person_pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                messages.success(request, "経過記録を保存しました。")
                if rec.enrollment_id and not m.is_partner:
                    return redirect("programs:enrollment", pk=rec.enrollment_id)
                return redirect("people:person", pk=person.pk)
    else:
        initial: dict[str, Any] = {"occurred_on": _today(), "kind": "home_visit",
                                   "staff_present": [m.user]}
        if request.GET.get("enrollment"):
            initial["enrollment"] = request.GET["enrollment"]
        form = _record_form(m, person, initial=initial)
    return render(request, "programs/record_form.html", {"form": form, "person": person})


@action_required("review.write")
def review_create(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
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
                    extend_until=cd["extend_until"], phase=cd["phase"])
            except DomainError as exc:
                _error(form, exc)
            else:
                if pending is not None:
                    messages.warning(request, "見直しを記録しました。判断の反映には決裁が必要なため、決裁を依頼しました。")
                else:
                    messages.success(request, "見直しを記録しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.ReviewForm(enrollment=e, goals=goals,
                            initial={"reviewed_on": _today(), "decision": "continue"})
    due = selectors.enrollment_detail(e)["due"]
    return render(request, "programs/review_form.html",
                  {"form": form, "enrollment": e, "due": due})


@action_required("outcome.record")
def outcome_create(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                if isinstance(result, ApprovalRequest):
                    messages.warning(request, "達成の記録には決裁が必要です。決裁を依頼しました（承認されると記録されます）。")
                else:
                    messages.success(request, "成果を記録しました。")
                return redirect("programs:enrollment", pk=e.pk)
    else:
        form = F.OutcomeForm(enrollment=e, initial={"occurred_on": _today()})
    return render(request, "programs/simple_form.html", {
        "form": form, "title": f"成果の記録：{e.person.name}（{e.program.name}）",
        "back": reverse("programs:enrollment", args=[e.pk]), "submit": "成果を記録"})


# ------------------------------------------------------------------ conferences

def _conference_people(m: Any, program: Program | None, ids: list[int]) -> list[Person]:
    qs = visible_people(m)
    cond = Q(pk__in=ids)
    if program is not None:
        cond |= Q(enrollments__program=program, enrollments__status__in=Enrollment.OPEN_STATUSES)
    return list(qs.filter(cond).distinct().select_related("household").order_by("kana_key", "id"))


@action_required("conference.manage")
def conference_list(request: OfficeRequest) -> HttpResponse:
    m = _m(request)
    conferences = list(visible_conferences(m).select_related("program")
                       .annotate(n=Count("decisions")).order_by("-held_on", "-id")[:100])
    return render(request, "programs/conference_list.html", {"conferences": conferences})


@action_required("conference.manage")
def conference_create(request: OfficeRequest) -> HttpResponse:
    m = _m(request)
    source = request.POST if request.method == "POST" else request.GET
    program = None
    if source.get("program"):
        program = get_program_for_user(m, source.get("program"))
    ids = [int(x) for x in source.getlist("people") if str(x).isdigit()]
    people = _conference_people(m, program, ids)
    open_by_person = {e.person_id: e for e in Enrollment.objects.filter(
        program=program, status__in=Enrollment.OPEN_STATUSES,
        person__in=people).select_related("phase")} if program else {}
    if request.method == "POST":
        form = F.ConferenceForm(request.POST, office=m.office)
        rows = [F.DecisionForm(request.POST, prefix=f"d{p.pk}", program=program,
                               office=m.office) for p in people]
        if form.is_valid() and all(r.is_valid() for r in rows):
            decisions = []
            by_id = {p.pk: p for p in people}
            for r in rows:
                cd = r.cleaned_data
                if not cd.get("decision"):
                    continue
                decisions.append({"person": by_id[cd["person_id"]], "decision": cd["decision"],
                                  "reason": cd["reason"], "phase": cd["phase"],
                                  "end_reason": cd["end_reason"],
                                  "target_program": cd["target_program"],
                                  "extend_until": cd["extend_until"], "program": program})
            cd = form.cleaned_data
            try:
                conf = services.conference_create(
                    actor=m, kind=cd["kind"], held_on=cd["held_on"], title=cd["title"],
                    program=program, place=cd["place"], agenda=cd["agenda"],
                    minutes=cd["minutes"], attendees=form.attendees(), decisions=decisions)
            except DomainError as exc:
                form.add_error(None, exc.message)
                for d in exc.details or []:
                    row = next((r for r in rows if r.cleaned_data.get("person_id") ==
                                d.get("person_id")), None)
                    if row is not None:
                        row.add_error("decision", str(d.get("message")))
            else:
                messages.success(request, f"「{conf.title}」を保存し、{len(decisions)}人の決定を反映しました。")
                return redirect("programs:conference", pk=conf.pk)
    else:
        form = F.ConferenceForm(office=m.office, initial={
            "held_on": _today(), "kind": (program.conference_kind if program and
                                          program.conference_kind else "internal"),
            "title": f"{program.name} 検討会" if program else "", "staff": [m.user]})
        rows = [F.DecisionForm(prefix=f"d{p.pk}", program=program, office=m.office,
                               initial={"person_id": p.pk,
                                        "decision": "select" if p.pk in ids and
                                        p.pk not in open_by_person else ""})
                for p in people]
    return render(request, "programs/conference_form.html", {
        "form": form, "program": program,
        "rows": [(p, r, open_by_person.get(p.pk)) for p, r in zip(people, rows, strict=True)],
        "picked": ids})


@action_required("conference.manage")
def conference_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    conf = get_conference_for_user(_m(request), pk)
    return render(request, "programs/conference.html", {
        "conference": conf,
        "attendees": list(conf.attendees.select_related("user", "partner")),
        "decisions": list(conf.decisions.select_related("person", "enrollment", "phase",
                                                        "target_program")),
        "approvals": list(conf.approval_requests.all()),
    })


# ------------------------------------------------------------------ approvals, reviews due

@action_required("program.view")
def approvals_inbox(request: OfficeRequest) -> HttpResponse:
    m = _m(request)
    return render(request, "programs/approvals.html", {
        "waiting": selectors.approvals_waiting(m), "mine": selectors.approvals_mine(m),
        "route": services.route_steps(m.office), "can_manage": m.can("program.manage"),
        "route_form": F.ApprovalRouteForm() if m.can("program.manage") else None})


@action_required("program.manage")
def approval_route(request: OfficeRequest) -> HttpResponse:
    m = _m(request)
    form = F.ApprovalRouteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_route_set(actor=m, name=form.cleaned_data["name"],
                                        steps=form.cleaned_data["steps"])
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, "決裁ルートを保存しました。")
            return redirect("programs:approvals")
    return render(request, "programs/simple_form.html", {
        "form": form, "title": "決裁ルートの設定", "back": reverse("programs:approvals"),
        "submit": "保存"})


@action_required("program.view")
def approval_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
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
                _error(form, exc)
            else:
                req.refresh_from_db()
                messages.success(request, {"approved": "決裁しました。決定を反映しました。",
                                           "rejected": "差し戻しました。",
                                           "pending": "承認しました。次の決裁者に回ります。"}[req.status])
                return redirect("programs:approvals")
    return render(request, "programs/approval.html", {
        "req": req, "form": form, "can_decide": can,
        "steps": list(req.decisions.select_related("decided_by")),
        "role_labels": F.ROLE_LABELS})


@action_required("review.write")
def reviews_due(request: OfficeRequest) -> HttpResponse:
    m = _m(request)
    office_wide = m.can("caseload.team") and request.GET.get("mine") != "1"
    context: dict[str, Any] = {"office_wide": office_wide}
    if office_wide:
        context["groups"] = selectors.reviews_due_by_caseworker(m)
    else:
        context["due"] = selectors.reviews_due(m, mine_only=True)
    return render(request, "programs/reviews_due.html", context)


@action_required("enrollment.manage")
def enroll_choose(request: OfficeRequest, person_pk: int) -> HttpResponse:
    """The person page's 「候補に登録」: pick a program, then the candidate form."""
    m = _m(request)
    person = get_person_for_user(m, person_pk)
    if request.GET.get("program"):
        program = get_program_for_user(m, request.GET.get("program"))
        return redirect("programs:enroll", pk=program.pk, person_pk=person.pk)
    open_ids = set(Enrollment.objects.filter(person=person, status__in=Enrollment.OPEN_STATUSES)
                   .values_list("program_id", flat=True))
    programs = [p for p in visible_programs(m).filter(is_active=True).order_by("code")
                if p.pk not in open_ids]
    return render(request, "programs/enroll_choose.html", {"person": person, "programs": programs})
