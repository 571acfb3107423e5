"""指導指示 screens: the supervisor's board, a person's cases, one case with its next steps.

Parse → access → service → respond. A refused step is shown beside its own form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.cases.access import get_person_for_user, log_view, visible_people
from jiritsu.cases.services import can_decide
from jiritsu.core.errors import DomainError
from jiritsu.guidance import selectors, services
from jiritsu.guidance.access import get_case_for_user, get_step_for_user, require_settings_access
from jiritsu.guidance.forms import ACTION_FORMS, CaseOpenForm, NoticeForm, SettingsForm, StepForm
from jiritsu.guidance.models import GuidanceCase
from jiritsu.guidance.rules import NextStep, Track
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Membership


@action_required("guidance.manage")
def board(request: OfficeRequest) -> HttpResponse:
    membership: Membership = request.membership
    settings = services.settings_for(membership.office)
    rows = selectors.open_cases_board(membership.office, settings)
    found = None
    q = request.GET.get("case_number", "").strip()
    if q:
        found = list(visible_people(membership).filter(household__case_number=q)
                     .select_related("household").order_by("member_number"))
    return render(request, "guidance/board.html",
                  {"rows": rows, "settings": settings, "q": q, "found": found})


@action_required("guidance.manage")
def person_page(request: OfficeRequest, person_pk: int) -> HttpResponse:
    membership: Membership = request.membership
    person = get_person_for_user(membership, person_pk)
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.guidance_case_open(actor=membership, person=person,
                                               opened_on=form.cleaned_data["opened_on"],
                                               ground_category=form.cleaned_data["ground_category"],
                                               ground=form.cleaned_data["ground"])
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "指導指示の記録を開始しました。")
            return redirect("guidance:case", pk=case.pk)
    log_view(membership, person, what="guidance.person_view")
    cases = selectors.person_cases(person.pk, membership.office)
    has_open = any(c.is_open for c in cases)
    return render(request, "guidance/person.html",
                  {"person": person, "cases": cases, "form": form, "has_open": has_open})


def _form_key(n: NextStep) -> str:
    return "-".join(x for x in (n.action, n.subject, str(n.step_id or "")) if x)


def _may_decide(membership: Membership, track: Track, n: NextStep) -> bool:
    """The 決裁 form is offered to whoever holds the request's current step (the same rule as
    the 決裁 inbox: ``cases.services.can_decide``)."""
    step = next((s for s in track.steps if s.pk == n.step_id), None)
    req = step.approval_request if step is not None else None
    return req is not None and can_decide(membership, req)


def _forms_for(track: Track, membership: Membership, bound: tuple[str, Any] | None
               ) -> list[tuple[NextStep, str, StepForm]]:
    out = []
    steps = track.next_steps()
    if track.case.is_open and not track.pending_decision:
        steps.append(NextStep("close", "指導指示を終結する（処分をせずに終える）"))
    for n in steps:
        if n.action == "approve" and not _may_decide(membership, track, n):
            continue
        key = _form_key(n)
        data = bound[1] if bound is not None and bound[0] == key else None
        form = ACTION_FORMS[n.action](data, prefix=key, office=track.case.office,
                                      settings=track.settings)
        out.append((n, key, form))
    return out


def _perform(n: NextStep, form: StepForm, membership: Membership, case: GuidanceCase,
             track: Track) -> str:
    d = form.cleaned_data
    a = n.action
    if a == "oral_instruction":
        services.guidance_oral_instruction_record(
            actor=membership, case=case, occurred_on=d["occurred_on"], content=d["content"],
            supervisor_present=d["supervisor_present"], note=d["note"])
    elif a == "conference":
        services.guidance_conference_record(
            actor=membership, case=case, held_on=d["held_on"], subject=n.subject,
            outcome=d["outcome"], minutes=d["minutes"], place=d["place"],
            attendees=list(d["attendees"]))
    elif a == "written_instruction":
        services.guidance_written_instruction_issue(
            actor=membership, case=case, occurred_on=d["occurred_on"], content=d["content"],
            reason=d["reason"], deadline=d["deadline"])
    elif a == "delivery":
        step = next(s for s in track.steps if s.pk == n.step_id)
        services.guidance_delivery_record(actor=membership, step=step,
                                          delivered_on=d["delivered_on"], method=d["method"])
    elif a == "noncompliance":
        services.guidance_noncompliance_record(actor=membership, case=case,
                                               occurred_on=d["occurred_on"], note=d["note"])
    elif a == "compliance":
        services.guidance_compliance_record(actor=membership, case=case,
                                            occurred_on=d["occurred_on"], note=d["note"])
    elif a == "notice":
        if not isinstance(form, NoticeForm):
            raise TypeError("a notice is recorded from a NoticeForm (ACTION_FORMS)")
        services.guidance_notice_issue(
            actor=membership, case=case, occurred_on=d["occurred_on"], reason=d["reason"],
            hearing_at=form.hearing_at(), hearing_place=d["hearing_place"],
            content=d["content"])
    elif a == "hearing":
        services.guidance_hearing_record(actor=membership, case=case,
                                         occurred_on=d["occurred_on"], outcome=d["outcome"],
                                         content=d["content"])
    elif a == "decision":
        services.guidance_decision_draft(
            actor=membership, case=case, occurred_on=d["occurred_on"],
            decision_kind=d["decision_kind"], effective_on=d["effective_on"],
            reason=d["reason"], content=d["content"], standard_applied=d["standard_applied"])
    elif a == "approve":
        step = next(s for s in track.steps if s.pk == n.step_id)
        services.guidance_decision_approve(actor=membership, step=step, approve=d["approve"],
                                           comment=d["comment"])
        return "決裁しました。" if d["approve"] else "差し戻しました。"
    elif a == "close":
        services.guidance_case_close(actor=membership, case=case, closed_on=d["closed_on"],
                                     note=d["note"])
    return "記録しました。"


@action_required("guidance.manage")
def case_page(request: OfficeRequest, pk: int, key: str | None = None) -> HttpResponse:
    membership: Membership = request.membership
    case = get_case_for_user(membership, pk)
    track = services.track_for(case)
    bound = (key, request.POST) if request.method == "POST" and key else None
    forms = _forms_for(track, membership, bound)
    if bound is not None:
        match = [(n, f) for n, k, f in forms if k == key]
        if not match:
            # The step is no longer (or not yet) lawful: say so instead of a silent no-op.
            messages.error(request, "この手続は現在記録できません。画面を開き直して、次に行える手続を確認してください。")
            return redirect("guidance:case", pk=case.pk)
        n, form = match[0]
        if form.is_valid():
            try:
                done = _perform(n, form, membership, case, track)
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                if field is None and exc.field == "hearing_at":
                    field = "hearing_date"
                form.add_error(field, exc.message)
            else:
                messages.success(request, done)
                return redirect("guidance:case", pk=case.pk)
    elif request.method == "POST":
        raise Http404
    log_view(membership, case.person, what="guidance.case_view")
    decision_blockers = (track.decision_blockers(kind=None)
                         if case.is_open and track.written else [])
    return render(request, "guidance/case.html", {
        "case": case, "person": case.person, "track": track, "steps": track.steps,
        "forms": forms, "decision_blockers": decision_blockers, "settings": track.settings,
        "bound_key": key,
    })


@action_required("guidance.manage")
def document(request: OfficeRequest, pk: int) -> HttpResponse:
    membership: Membership = request.membership
    step = get_step_for_user(membership, pk)
    try:
        filename, data = services.guidance_document_export(actor=membership, step=step)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("guidance:case", pk=step.case_id)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return resp


@action_required("guidance.settings")
def settings_page(request: HttpRequest) -> HttpResponse:
    """Managers (and the office's system administrator) set what the law leaves to the office."""
    membership = require_settings_access(getattr(request, "membership", None))
    obj = services.settings_for(membership.office)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.guidance_settings_update(actor=membership, expected_version=version,
                                                  data=data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "指導指示の設定を保存しました。")
                return redirect("guidance:settings")
    else:
        form = SettingsForm(initial={f: getattr(obj, f) for f in services.SETTINGS_FIELDS}
                            | {"version": obj.version})
    return render(request, "guidance/settings.html", {"form": form, "settings": obj})

