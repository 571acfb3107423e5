"""Screens of 供覧, the work list, notices, the digest opt-in and the office's settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiritsu.cases.access import get_record_for_user
from jiritsu.casework import confirm, services, worklist
from jiritsu.casework.access import get_saved_filter_for_user
from jiritsu.casework.forms import ConfirmForm, SaveFilterForm, SettingsForm
from jiritsu.casework.models import DigestPreference, Notice, SavedFilter, SupervisorAssignment
from jiritsu.casework.visits import casework_settings, grade_intervals
from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required, deny
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Membership, User
from jiritsu.people import evidence
from jiritsu.people import services as people_services
from jiritsu.people.models import DEFAULT_VALIDITY_MONTHS, MedicalEvidence, VisitGrade

CONFIRM_PAGE_SIZE = 20


# --- 供覧 ----------------------------------------------------------------------------------


@action_required("record.confirm")
def confirm_list(request: OfficeRequest) -> HttpResponse:
    """Records waiting for this supervisor, a page at a time; confirm the ticked ones."""
    m = request.membership
    queue = confirm.confirm_queue(m)
    page = Paginator(queue, CONFIRM_PAGE_SIZE).get_page(request.GET.get("page"))
    form = ConfirmForm()
    if request.method == "POST":
        form = ConfirmForm(request.POST)
        ids = [int(i) for i in request.POST.getlist("records") if i.isdigit()]
        records = list(queue.model.objects.filter(office=m.office, pk__in=ids))
        if form.is_valid():
            try:
                done = services.records_confirm(actor=m, records=records,
                                                outcome=form.cleaned_data["outcome"],
                                                comment=form.cleaned_data["comment"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{len(done)}件の記録を供覧しました。")
                return redirect(f"{reverse('casework:confirm_list')}?page={page.number}")
    return render(request, "casework/confirm_list.html",
                  {"page": page, "form": form, "total": page.paginator.count})


@action_required("record.confirm")
def confirm_record(request: OfficeRequest, pk: int) -> HttpResponse:
    """One record with its seal column; confirm it or ask for an addition."""
    m = request.membership
    rec = get_record_for_user(m, pk)
    waiting = confirm.is_waiting(m, rec)
    form = ConfirmForm()
    if request.method == "POST":
        form = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.records_confirm(actor=m, records=[rec],
                                         outcome=form.cleaned_data["outcome"],
                                         comment=form.cleaned_data["comment"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "記録を供覧しました。")
                nxt = confirm.confirm_queue(m).first()
                return redirect("casework:confirm_record", pk=nxt.pk) if nxt else \
                    redirect("casework:confirm_list")
    return render(request, "casework/confirm_record.html",
                  {"record": rec, "seals": confirm.seals(rec), "waiting": waiting,
                   "form": form})


@action_required("record.write")
def my_records(request: OfficeRequest) -> HttpResponse:
    """The author's records with their seal column (confirmed by whom and when)."""
    m = request.membership
    return render(request, "casework/my_records.html",
                  {"rows": confirm.my_records(m), "additions": confirm.additions_requested(m)})


# --- work list -----------------------------------------------------------------------------


def _filter_params(request: OfficeRequest) -> dict[str, Any]:
    kinds = [k for k in request.GET.getlist("kind") if k in worklist.KINDS]
    window = request.GET.get("window", "week")
    return {"kinds": kinds, "window": window if window in worklist.WINDOWS else "week"}


@action_required("worklist.view")
def worklist_view(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    saved = list(SavedFilter.objects.filter(office=m.office, user=m.user))
    if "saved" in request.GET and request.GET["saved"].isdigit():
        chosen = get_saved_filter_for_user(m, request.GET["saved"])
        params = chosen.params
    else:
        params = _filter_params(request)
    data = worklist.work_list(m, today=clock.today(), window=params.get("window", "week"),
                              kinds=params.get("kinds") or None)
    return render(request, "casework/worklist.html", {
        "wl": data, "params": params, "saved": saved,
        "kind_rows": [(k, label, data.counts.get(k, 0)) for k, label in worklist.KINDS.items()],
        "windows": worklist.WINDOWS, "save_form": SaveFilterForm(),
        "query": request.GET.urlencode()})


@require_POST
@action_required("worklist.view")
def filter_save(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    form = SaveFilterForm(request.POST)
    kinds = [k for k in request.POST.getlist("kind") if k in worklist.KINDS]
    window = request.POST.get("window", "week")
    params = {"kinds": kinds, "window": window if window in worklist.WINDOWS else "week"}
    if form.is_valid():
        try:
            obj = services.filter_save(actor=m, name=form.cleaned_data["name"], params=params)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"絞り込み「{obj.name}」を保存しました。")
            return redirect(f"{reverse('casework:worklist')}?saved={obj.pk}")
    else:
        messages.error(request, "名前を50文字以内で入力してください。")
    return redirect("casework:worklist")


@require_POST
@action_required("worklist.view")
def filter_delete(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    services.filter_delete(actor=m, saved=get_saved_filter_for_user(m, pk))
    messages.success(request, "保存した絞り込みを削除しました。")
    return redirect("casework:worklist")


# --- notices and the digest opt-in (every member of an office) ------------------------------


def _member(request: OfficeRequest) -> Membership:
    if request.membership is None:
        raise deny()
    return request.membership


@login_required
def notices(request: OfficeRequest) -> HttpResponse:
    m = _member(request)
    if request.method == "POST":
        services.notices_read(actor=m)
        return redirect("casework:notices")
    rows = list(Notice.objects.filter(office=m.office, user=m.user)[:100])
    return render(request, "casework/notices.html", {"rows": rows})


@login_required
def digest(request: OfficeRequest) -> HttpResponse:
    m = _member(request)
    pref = DigestPreference.objects.filter(office=m.office, user=m.user).first()
    error = ""
    if request.method == "POST":
        try:
            services.digest_opt(actor=m, enabled=request.POST.get("enabled") == "1")
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "お知らせメールの受信設定を保存しました。")
            return redirect("casework:digest")
    return render(request, "casework/digest.html", {
        "enabled": bool(pref and pref.enabled), "error": error,
        "office_sends": casework_settings(m.office).digest_enabled, "email": m.user.email})


# --- the office's settings -----------------------------------------------------------------


@action_required("casework.settings")
def settings_page(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    conf = casework_settings(m.office)
    grades = list(VisitGrade.objects.filter(office=m.office).order_by("code"))
    current = grade_intervals(m.office)
    errors: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("form") == "assign":
        cw = User.objects.filter(pk=request.POST.get("caseworker") or 0).first()
        sv_raw = request.POST.get("supervisor", "")
        sv = User.objects.filter(pk=sv_raw).first() if sv_raw.isdigit() else None
        try:
            if cw is None:
                raise deny()
            services.supervisor_assign(actor=m, caseworker=cw, supervisor=sv)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "供覧先を保存しました。")
        return redirect("casework:settings")
    if request.method == "POST" and request.POST.get("form") == "evidence":
        months: dict[str, int | None] = {}
        for kind in MedicalEvidence.Kind.values:
            raw = request.POST.get(f"validity_{kind}", "").strip()
            if raw and not raw.isdigit():
                errors[f"validity_{kind}"] = "数字で入力してください。"
            months[kind] = int(raw) if raw.isdigit() else None
        if not errors:
            try:
                people_services.evidence_validity_update(actor=m, months=months)
            except DomainError as exc:
                errors[exc.field or "form"] = exc.message
            else:
                messages.success(request, "医学的な根拠の有効期間を保存しました。")
                return redirect("casework:settings")
    if request.method == "POST" and request.POST.get("form") != "evidence":
        form = SettingsForm(request.POST)
        intervals: dict[int, int | None] = {}
        for g in grades:
            raw = request.POST.get(f"grade_{g.pk}", "").strip()
            if raw and not raw.isdigit():
                errors[f"grade_{g.pk}"] = "数字で入力してください。"
            intervals[g.pk] = int(raw) if raw.isdigit() else None
        if form.is_valid() and not errors:
            cd = form.cleaned_data
            try:
                services.settings_update(actor=m, expected_version=cd["version"],
                                         intervals=intervals, values={
                                             k: cd[k] for k in (
                                                 "event_visit_days", "confirm_kinds",
                                                 "confirm_from", "digest_enabled",
                                                 "digest_base_url")})
            except DomainError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    errors[exc.field or "form"] = exc.message
            else:
                messages.success(request, "設定を保存しました。")
                return redirect("casework:settings")
    if request.method != "POST" or request.POST.get("form") == "evidence":
        form = SettingsForm(initial={
            "version": conf.version, "event_visit_days": conf.event_visit_days,
            "confirm_kinds": conf.confirm_kinds, "confirm_from": conf.confirm_from,
            "digest_enabled": conf.digest_enabled, "digest_base_url": conf.digest_base_url})
    rows = [{"grade": g, "months": request.POST.get(f"grade_{g.pk}") if request.method == "POST"
             else current.get(g.pk, ""), "default": round(12 / g.visits_per_year)
             if g.visits_per_year else "―", "error": errors.get(f"grade_{g.pk}", "")}
            for g in grades]
    members = list(Membership.objects.filter(office=m.office, is_active=True)
                   .select_related("user").order_by("user__username"))
    cw_ids = set(confirm.office_caseworkers(m.office))
    cws = [x for x in members if x.user_id in cw_ids]
    svs = [x for x in members if x.can("record.confirm")]
    assigned = dict(SupervisorAssignment.objects.filter(office=m.office)
                    .values_list("caseworker_id", "supervisor_id"))
    table = evidence.validity_table(m.office)
    validity = [{"kind": kind, "label": label,
                 "value": (request.POST.get(f"validity_{kind}", "")
                           if request.POST.get("form") == "evidence" else table[kind]),
                 "default": DEFAULT_VALIDITY_MONTHS.get(kind, 0),
                 "error": errors.get(f"validity_{kind}", "")}
                for kind, label in MedicalEvidence.Kind.choices]
    return render(request, "casework/settings.html", {
        "form": form, "grade_rows": rows, "errors": errors, "caseworkers": cws,
        "supervisors": svs, "assigned": assigned, "validity": validity})
