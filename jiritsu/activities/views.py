"""Screens for the seed programs: templates, training, sessions, referrals, a person's
support details, the partner directory and the derived task list. Parse → access → service."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from jiritsu.activities import catalog, forms, selectors, services, work_views
from jiritsu.activities.access import (
    get_person_support_for_user,
    get_placement_for_user,
    get_referral_for_user,
    get_series_for_user,
    require_staff,
)
from jiritsu.activities.models import (
    FamilyContact,
    FamilyRequest,
    HealthTrack,
    HelloWorkReferral,
    ReceivingRequest,
    Recruitment,
    StaffTraining,
    TrainingMonthlyStatus,
    VolunteerPlacement,
)
from jiritsu.cases.access import get_person_for_user, log_view, visible_people
from jiritsu.cases.models import Enrollment
from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.core.forms import form_field
from jiritsu.core.wareki import fiscal_year_of
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.people.models import Person
from jiritsu.programs.models import Program


def _m(request: OfficeRequest) -> Any:
    return request.membership


def _attempt(form: djforms.Form, fn: Callable[[dict[str, Any]], Any]) -> Any:
    """Run a service with the form's data; a refusal lands beside the field it concerns."""
    if not form.is_valid():
        return None
    try:
        return fn(form.cleaned_data) or True
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _today() -> dt.date:
    return clock.today()


# --- templates ------------------------------------------------------------------

@action_required("program.view")
def template_list(request: OfficeRequest) -> HttpResponse:
    used = dict(Program.objects.filter(office=request.office).exclude(
        template_code="").values_list("template_code", "name"))
    rows = [{"t": t, "used": used.get(t.code), "companions": catalog.companions_of(t.code)}
            for t in catalog.TEMPLATES]
    return render(request, "activities/template_list.html",
                  {"rows": rows, "used": used, "can_manage": _m(request).can("program.manage")})


@action_required("program.manage")
def template_create(request: OfficeRequest, code: str) -> HttpResponse:
    template = catalog.get_template(code)
    if template is None:
        from django.http import Http404

        raise Http404
    initial = {"name": template.name, "code": template.code,
               "established_on": template.established_on,
               "review_interval_months": template.review_interval_months,
               "standard_length_months": template.standard_length_months,
               "max_length_months": template.max_length_months,
               "budget_yen": template.budget_yen}
    form = forms.InstantiateForm(request.POST or None, initial=initial,
                                 seed_partners=template.seed_partners)
    if request.method == "POST":
        program = _attempt(form, lambda d: services.program_instantiate_template(
            actor=_m(request), template_code=code,
            register_partners=bool(d.pop("register_partners", False)), overrides=d))
        if program:
            messages.success(request, f"「{program.name}」を作成しました。")
            return redirect("programs:list")
    return render(request, "activities/template_create.html", {"t": template, "form": form})


# --- workplace adaptation training ------------------------------------------------

@action_required("program.view")
def training_list(request: OfficeRequest) -> HttpResponse:
    m, office = _m(request), request.office
    require_staff(m, "program.view")
    employers = selectors.approved_training_employers(office)
    approve = forms.EmployerApproveForm(
        request.POST if request.POST.get("action") == "approve" else None,
        partners=PartnerOrganisation.objects.filter(office=office, kind="employer", is_active=True))
    start = forms.PlacementStartForm(
        request.POST if request.POST.get("action") == "start" else None,
        enrollments=selectors.training_enrollments(office), employers=employers)
    if request.method == "POST":
        if request.POST.get("action") == "approve":
            ok = _attempt(approve, lambda d: services.training_employer_approve(actor=m, **d))
        else:
            ok = _attempt(start, lambda d: services.training_placement_start(actor=m, **d))
        if ok:
            messages.success(request, "登録しました。")
            return redirect("activities:training_list")
    return render(request, "activities/training_list.html", {
        "placements": selectors.placements_for(office), "employers": employers,
        "approve": approve, "start": start, "is_director": services._is_director(m)})


@action_required("program.view")
def training_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
    placement = get_placement_for_user(m, pk, write=request.method == "POST")
    action = request.POST.get("action", "")
    day = forms.TrainingDayForm(request.POST if action == "day" else None)
    month = forms.TrainingMonthForm(request.POST if action == "month" else None)
    extend = forms.TrainingExtendForm(request.POST if action == "extend" else None,
                                      initial={"version": placement.version})
    end = forms.TrainingEndForm(request.POST if action == "end" else None,
                                initial={"version": placement.version})
    if request.method == "POST":
        ok = None
        if action == "day":
            ok = _attempt(day, lambda d: services.training_day_record(actor=m, placement=placement,
                                                                       **d))
        elif action == "month":
            ok = _attempt(month, lambda d: services.training_month_status(
                actor=m, placement=placement, **d))
        elif action == "extend":
            ok = _attempt(extend, lambda d: services.training_placement_extend(
                actor=m, placement=placement, until=d["until"], approved_on=d["approved_on"],
                expected_version=d["version"]))
        elif action == "end":
            ok = _attempt(end, lambda d: services.training_placement_end(
                actor=m, placement=placement, ended_on=d["ended_on"], follow_up=d["follow_up"],
                follow_up_note=d["follow_up_note"], expected_version=d["version"]))
        if ok:
            messages.success(request, "記録しました。")
            return redirect("activities:training_detail", pk=placement.pk)
    log_view(m, placement.enrollment.person, what="training.view")
    return render(request, "activities/training_detail.html", {
        "p": placement, "months": selectors.training_months(placement),
        "days": placement.days.all(), "statuses": TrainingMonthlyStatus.objects.filter(
            placement=placement), "latest_end": services.training_latest_end(placement),
        "day_form": day, "month_form": month, "extend_form": extend, "end_form": end,
        "is_director": services._is_director(m)})


# --- group sessions -----------------------------------------------------------------

@action_required("program.view")
def series_list(request: OfficeRequest) -> HttpResponse:
    m, office = _m(request), request.office
    require_staff(m, "program.view")
    form = forms.SeriesForm(request.POST or None, programs=selectors.series_programs(office))
    if request.method == "POST":
        if not m.can("enrollment.manage"):
            raise PermissionDenied("この操作を行う権限がありません。")
        series = _attempt(form, lambda d: services.series_create(actor=m, **d))
        if series:
            messages.success(request, f"「{series.title}」を作成しました。")
            return redirect("activities:series_detail", pk=series.pk)
    return render(request, "activities/series_list.html",
                  {"series": selectors.series_overview(office), "form": form})


@action_required("program.view")
def series_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
    series = get_series_for_user(m, pk, write=request.method == "POST")
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    session = forms.SessionForm(data if action == "session" else None,
                                volunteers=series.volunteers.all(),
                                people=selectors.series_people(series))
    volunteer = forms.VolunteerForm(data if action == "volunteer" else None)
    expense = forms.ExpenseForm(data if action == "expense" else None)
    invite = forms.InviteForm(data if action == "invite" else None,
                              people=selectors.series_eligible(series, _today()))
    area = forms.SeriesDistrictsForm(data if action == "districts" else None,
                                     initial={"districts": "、".join(series.districts)})
    if request.method == "POST":
        ok = None
        if action == "districts":
            ok = _attempt(area, lambda d: services.series_set_districts(
                actor=m, series=series, districts=d["districts"]))
        elif action == "session":
            ok = _attempt(session, lambda d: services.session_record(
                actor=m, series=series, held_on=d["held_on"], venue=d["venue"],
                lecturer=d["lecturer"], topic=d["topic"], volunteers=list(d["volunteers"]),
                present=list(d["present"])))
        elif action == "volunteer":
            ok = _attempt(volunteer, lambda d: services.volunteer_add(actor=m, series=series, **d))
        elif action == "expense":
            ok = _attempt(expense, lambda d: services.expense_record(actor=m, series=series, **d))
        elif action == "invite":
            ok = _attempt(invite, lambda d: services.recruitment_invite(
                actor=m, series=series, people=list(d["people"]), invited_on=d["invited_on"]))
        elif action == "answer":
            rec = Recruitment.objects.filter(series=series,
                                             pk=request.POST.get("recruitment", "0")).first()
            if rec is not None:
                try:
                    ok = services.recruitment_answer(actor=m, recruitment=rec,
                                                     status=request.POST.get("status", ""))
                except DomainError as exc:
                    messages.error(request, exc.message)
        if ok:
            messages.success(request, "記録しました。")
            return redirect("activities:series_detail", pk=series.pk)
    return render(request, "activities/series_detail.html", {
        "d": selectors.series_detail(series), "session_form": session,
        "volunteer_form": volunteer, "expense_form": expense, "invite_form": invite,
        "districts_form": area, "reach": selectors.series_reach(series, _today()),
        "answers": Recruitment.Status.choices})


# --- Hello Work referral --------------------------------------------------------------

def _on_file(m: Any, referral: HelloWorkReferral) -> dict[str, Any]:
    """Who may be named as an attendee of the interview: the office's staff, the contacts
    of Hello Work organisations on file (their partner accounts) and those organisations.
    A partner's own account sees none of them (it reports results only)."""
    if m.is_partner:
        none = Membership.objects.none()
        return {"staff": none, "contacts": none, "partners": PartnerOrganisation.objects.none()}
    members = (Membership.objects.filter(office=referral.office_id, is_active=True)
               .select_related("user", "partner").order_by("user__display_name", "id"))
    hello_works = PartnerOrganisation.objects.filter(
        office=referral.office_id, is_active=True, kind=PartnerOrganisation.Kind.HELLO_WORK)
    return {"staff": list(members.filter(partner__isnull=True)),
            "contacts": list(members.filter(partner__in=hello_works)),
            "partners": list(hello_works.order_by("name"))}


@action_required("program.view")
def referral_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
    referral = get_referral_for_user(m, pk, write=request.method == "POST")
    action = request.POST.get("action", "step")
    if action == "attendees" and request.method == "POST" and not m.can("enrollment.manage"):
        raise PermissionDenied  # correcting the attendees is the office's own staff's
    on_file = _on_file(m, referral)
    initial = forms.AttendeesForm.initial_for(referral)
    if not referral.attendees.exists():
        cw = referral.enrollment.person.household
        caseworker = next((s for s in on_file["staff"]
                           if cw is not None and s.user_id == cw.caseworker_id), None)
        initial["caseworker"] = f"m{caseworker.pk}" if caseworker else ""
    posted = request.POST if request.method == "POST" else None
    form = forms.HwAdvanceForm(posted if action == "step" else None, referral=referral,
                               initial=initial, **on_file)
    attendees_form = forms.AttendeesForm(posted if action == "attendees" else None,
                                         referral=referral, initial=initial, **on_file)
    if m.is_partner:
        form_field(form, "step", djforms.ChoiceField).choices = [
            c for c in form.STEPS if c[0] in services.PARTNER_STEPS]
        for name in ("person_present", "caseworker", "office_coordinator", "hw_coordinator",
                     "hw_chief", "others"):
            del form.fields[name]
    if request.method == "POST":
        if action == "attendees":
            ok = _attempt(attendees_form, lambda d: services.hw_referral_set_attendees(
                actor=m, referral=referral, attendees=attendees_form.attendees(),
                person_present=d["person_present"], expected_version=d["version"]))
        else:
            ok = _attempt(form, lambda d: services.hw_referral_advance(
                actor=m, referral=referral, step=d["step"], on=d["on"], menu=d["menu"],
                attendees=form.attendees(), person_present=bool(d.get("person_present")),
                note=d["note"], expected_version=d["version"]))
        if ok:
            messages.success(request, "記録しました。")
            return redirect("activities:referral_detail", pk=referral.pk)
    log_view(m, referral.enrollment.person, what="hw_referral.view")
    return render(request, "activities/referral_detail.html", {
        "r": referral, "form": form, "attendees_form": attendees_form,
        "can_manage": m.can("enrollment.manage"),
        "attendees": referral.attendees.select_related("membership__user", "membership__partner",
                                                       "partner")})


# --- a person's support details ---------------------------------------------------------

@action_required("person.view")
def person_support(request: OfficeRequest, pk: int) -> HttpResponse:
    m = _m(request)
    person = get_person_support_for_user(m, pk)
    office = request.office
    enrollments = Enrollment.objects.filter(person=person).select_related("program")
    open_enrollments = selectors.open_enrollments(person)
    contacts = FamilyContact.objects.filter(person=person)
    facilities = PartnerOrganisation.objects.filter(office=office, is_active=True,
                                                    kind__in=services.RECEIVING_KINDS)
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    f = {
        "track": forms.HealthTrackForm(data if action == "track" else None),
        "contact": forms.FamilyContactForm(data if action == "contact" else None),
        "family_request": forms.FamilyRequestForm(data if action == "family_request" else None,
                                                  contacts=contacts),
        "family_answer": forms.AnswerForm(data if action == "family_answer" else None,
                                          choices=forms.FAMILY_ANSWERS),
        "receiving": forms.ReceivingRequestForm(data if action == "receiving" else None,
                                                enrollments=open_enrollments,
                                                facilities=facilities),
        "receiving_answer": forms.AnswerForm(data if action == "receiving_answer" else None,
                                             choices=forms.RECEIVING_ANSWERS),
        "hw": forms.HwStartForm(data if action == "hw" else None, enrollments=open_enrollments,
                                hello_works=PartnerOrganisation.objects.filter(
                                    office=office, kind="hello_work", is_active=True)),
    }
    today = _today()
    work = work_views.work_page(m, person, today,
                                data if action.startswith("work_") else None)
    if request.method == "POST":
        if action.startswith("work_"):
            ok: Any = work_views.handle(m, person, work, request.POST)
        else:
            ok = _handle_person_post(request, m, person, action, f, open_enrollments)
        if ok:
            if isinstance(ok, HelloWorkReferral):
                return redirect("activities:referral_detail", pk=ok.pk)
            messages.success(request, "記録しました。")
            return redirect("activities:person_support", pk=person.pk)
    log_view(m, person, what="person.support_view")
    bp_chart, weight_chart, rows = selectors.measurement_charts(person)
    job_search = [(e, selectors.job_search_status(e, today)) for e in open_enrollments]
    return render(request, "activities/person_support.html", {
        "person": person, "enrollments": enrollments, "bp": bp_chart, "weight": weight_chart,
        "measurements": rows[-12:],
        "tracks": HealthTrack.objects.filter(enrollment__person=person).select_related(
            "enrollment__program"),
        "contacts": contacts.prefetch_related("requests"),
        "receiving": selectors.receiving_requests_with_occupancy(
            ReceivingRequest.objects.filter(enrollment__person=person).select_related(
                "facility", "enrollment__program")),
        "referrals": HelloWorkReferral.objects.filter(enrollment__person=person).select_related(
            "hello_work"),
        "placements": VolunteerPlacement.objects.filter(enrollment__person=person).select_related(
            "host"),
        "centres": selectors.suggest_centres(person),
        "job_search": [(e, s) for e, s in job_search if s is not None],
        "forms": f, "has_open": open_enrollments.exists(), "work": work})


def _handle_person_post(request: OfficeRequest, m: Any, person: Person, action: str,
                        f: dict[str, Any], open_enrollments: Any) -> Any:
    if action == "track":
        form = f["track"]
        return _attempt(form, lambda d: services.health_track_open_for_person(
            actor=m, person=person, track=d["track"], started_on=d["started_on"],
            data=form.track_data()))
    if action == "contact":
        return _attempt(f["contact"], lambda d: services.family_contact_add(
            actor=m, person=person, **d))
    if action == "family_request":
        return _attempt(f["family_request"], lambda d: services.family_request_record(
            actor=m, contact=d["contact"], ask=d["ask"], asked_on=d["asked_on"],
            enrollment=open_enrollments.first(), note=d["note"]))
    if action == "family_answer":
        def answer(d: dict[str, Any]) -> Any:
            req = FamilyRequest.objects.get(pk=d["target"], contact__person=person)
            return services.family_request_answer(actor=m, request=req, answer=d["answer"],
                                                  answered_on=d["answered_on"], note=d["note"])
        return _attempt(f["family_answer"], answer)
    if action == "receiving":
        return _attempt(f["receiving"], lambda d: services.receiving_request_make(
            actor=m, **d))
    if action == "receiving_answer":
        def receive(d: dict[str, Any]) -> Any:
            req = ReceivingRequest.objects.get(pk=d["target"], enrollment__person=person)
            return services.receiving_request_answer(actor=m, request=req, status=d["answer"],
                                                     answered_on=d["answered_on"],
                                                     note=d["note"])
        return _attempt(f["receiving_answer"], receive)
    if action == "hw":
        return _attempt(f["hw"], lambda d: services.hw_referral_start(actor=m, **d))
    return None


# --- directory and tasks ------------------------------------------------------------------

@action_required("program.view")
def partner_areas(request: OfficeRequest) -> HttpResponse:
    office = request.office
    kind = request.GET.get("kind", PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE)
    if kind not in PartnerOrganisation.Kind.values:
        kind = PartnerOrganisation.Kind.LIFE_SUPPORT_CENTRE
    return render(request, "activities/partner_areas.html", {
        "areas": selectors.partners_by_area(office, kind), "kind": kind,
        "kinds": PartnerOrganisation.Kind.choices})


@action_required("program.view")
def tasks(request: OfficeRequest) -> HttpResponse:
    """Derived: new cases not yet considered, follow-ups after discharge, the yearly cycle."""
    m, office = _m(request), request.office
    require_staff(m, "program.view")
    today = _today()
    if request.method == "POST":
        return _tasks_post(request, m)
    raw_fy = request.GET.get("fy", "")
    fy = (int(raw_fy) if re.fullmatch(r"[0-9]{4}", raw_fy) and 1990 <= int(raw_fy) <= 2100
          else fiscal_year_of(today))
    overview = selectors.task_overview(office, role=m.role, user=m.user, today=today,
                                       fiscal_year=fy, everyone=request.GET.get("all") == "1")
    return render(request, "activities/tasks.html", {
        "new_cases": overview.new_cases, "follow_ups": overview.follow_ups,
        "companions": overview.companions,
        "follow_ups_total": overview.follow_ups_total,
        "cycles": overview.cycles, "fy": fy, "mine": overview.mine,
        "today": today, "considered_form": forms.ConsideredForm(initial={"on": today}),
        "cycle_form": forms.CycleTaskForm(initial={"on": today}),
        "perms_office_settings": m.can("office.settings")})


def _tasks_post(request: OfficeRequest, m: Any) -> HttpResponse:
    office = request.office
    kind = request.POST.get("action")
    form: djforms.Form
    if kind == "considered":
        form = forms.ConsideredForm(request.POST)
        ok = _attempt(form, lambda d: services.new_case_mark_considered(
            actor=m, program=get_object_or_404(Program, office=office, pk=d["program"]),
            person=get_person_for_user(m, d["person"]), on=d["on"], note=d["note"],
            reason=d.get("reason") or "new_case"))
    else:
        form = forms.CycleTaskForm(request.POST)
        program = Program.objects.filter(office=office, pk=request.POST.get("program", "0")).first()
        ok = program and _attempt(form, lambda d: services.cycle_task_record(
            actor=m, program=program, person=get_person_for_user(m, d["person"]),
            task=d["task"], on=d["on"], text=d["text"]))
    if ok:
        messages.success(request, "記録しました。")
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "記録できませんでした: " + "／".join(errors or ["入力を確認してください。"]))
    return redirect(reverse("activities:tasks"))


@action_required("person.edit")
def non_recipient_register(request: OfficeRequest, pk: int) -> HttpResponse:
    """大津: register someone not on assistance and enrol them as a candidate."""
    m = _m(request)
    program = Program.objects.filter(office=request.office, pk=pk).first()
    if program is None:
        from django.http import Http404

        raise Http404
    form = forms.NonRecipientForm(request.POST or None, initial={"registered_on": _today()})
    if request.method == "POST":
        def register(d: dict[str, Any]) -> Any:
            on = d.pop("registered_on")
            return services.person_register_and_enrol(actor=m, program=program, data=d, on=on)
        enrollment = _attempt(form, register)
        if enrollment:
            messages.success(request, f"{enrollment.person.name}さんを「{program.name}」の候補として登録しました。")
            return redirect("activities:person_support", pk=enrollment.person_id)
    return render(request, "activities/non_recipient.html", {"program": program, "form": form,
                                                             "visible": visible_people(m).exists()})


# --- staff training (甲州・善通寺) ----------------------------------------------------------

def _training_for(request: OfficeRequest, pk: int) -> StaffTraining:
    """One of the office's trainings (another office's and a missing one: the same 404)."""
    return get_object_or_404(StaffTraining.objects.filter(office=request.office), pk=pk)


@action_required("activity.view")
def staff_training_list(request: OfficeRequest) -> HttpResponse:
    m, office = _m(request), request.office
    form = forms.StaffTrainingForm(request.POST or None, initial={"held_on": _today()},
                                   programs=Program.objects.filter(office=office))
    attendance = forms.StaffAttendanceForm(request.POST or None,
                                           staff=selectors.training_staff(office))
    if request.method == "POST":
        if not m.can("conference.manage"):
            raise PermissionDenied("この操作を行う権限がありません。")
        if attendance.is_valid():
            training = _attempt(form, lambda d: services.staff_training_create(
                actor=m, data=d, attendees=list(attendance.cleaned_data["attendees"])))
            if training:
                messages.success(request, f"「{training.title}」を記録しました。")
                return redirect("activities:staff_training_detail", pk=training.pk)
    return render(request, "activities/staff_training_list.html", {
        "trainings": selectors.staff_trainings(office), "form": form,
        "attendance_form": attendance, "trained": selectors.trained_staff(office),
        "can_manage": m.can("conference.manage")})


@action_required("activity.view")
def staff_training_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    m, office = _m(request), request.office
    training = _training_for(request, pk)
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    initial = {f: getattr(training, f) for f in ("kind", "title", "held_on", "venue",
                                                 "lecturer", "content", "program")}
    form = forms.StaffTrainingForm(data if action == "edit" else None, initial=initial,
                                   programs=Program.objects.filter(office=office))
    attendance = forms.StaffAttendanceForm(
        data if action == "attendance" else None,
        initial={"attendees": list(training.attendance.values_list("membership", flat=True))},
        staff=selectors.training_staff(office))
    if request.method == "POST":
        if not m.can("conference.manage"):
            raise PermissionDenied("この操作を行う権限がありません。")
        ok = None
        if action == "edit":
            version = int(request.POST.get("version", "0") or 0)
            ok = _attempt(form, lambda d: services.staff_training_update(
                actor=m, training=training, expected_version=version, data=d))
        elif action == "attendance":
            ok = _attempt(attendance, lambda d: services.staff_training_set_attendance(
                actor=m, training=training, attendees=list(d["attendees"])))
        if ok:
            messages.success(request, "保存しました。")
            return redirect("activities:staff_training_detail", pk=training.pk)
    attendees = list(training.attendance.select_related("membership__user")
                     .order_by("membership__user__display_name"))
    return render(request, "activities/staff_training_detail.html", {
        "t": training, "attendees": attendees, "form": form, "attendance_form": attendance,
        "can_manage": m.can("conference.manage")})
