"""訪問計画 screens: the month and week calendar with the households due, planning and
recording a visit, and the supervisor's view of each caseworker's plan against the grades."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiritsu.cases.access import get_household_for_user
from jiritsu.casework import services, visits
from jiritsu.casework.access import get_planned_visit_for_user, plan_caseworker
from jiritsu.casework.forms import PlanForm, VisitRecordForm
from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import User
from jiritsu.offices.permissions import has_own_caseload

WEEKDAYS = "月火水木金土日"


def _day(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return default


def _caseworker(request: OfficeRequest) -> User:
    """Whose plan: a caseworker's own; a supervisor picks one (``?cw=``)."""
    m = request.membership
    raw = "" if has_own_caseload(m) else (request.GET.get("cw", "") or request.POST.get("cw", ""))
    cw = plan_caseworker(m, None if has_own_caseload(m)
                         else int(raw) if raw.isdigit() and len(raw) < 10 else 0)
    if cw is None:
        raise Http404
    return cw


def _weeks(start: dt.date, end: dt.date, planned: list[Any], today: dt.date
           ) -> list[list[dict[str, Any]]]:
    by_day: dict[dt.date, list[Any]] = {}
    for v in planned:
        by_day.setdefault(v.planned_on, []).append(v)
    weeks, day = [], start
    while day <= end:
        weeks.append([{"day": day + dt.timedelta(days=i),
                       "visits": by_day.get(day + dt.timedelta(days=i), []),
                       "today": day + dt.timedelta(days=i) == today}
                      for i in range(7)])
        day += dt.timedelta(days=7)
    return weeks


@action_required("visit.plan")
def visit_calendar(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    if not has_own_caseload(m) and not request.GET.get("cw"):
        return redirect("casework:team_visits")
    cw = _caseworker(request)
    today = clock.today()
    view = "month" if request.GET.get("view") == "month" else "week"
    anchor = _day(request.GET.get("d", ""), today)
    if view == "month":
        first = anchor.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        start = first - dt.timedelta(days=first.weekday())
        end = last + dt.timedelta(days=6 - last.weekday())
        prev_d, next_d = (first - dt.timedelta(days=1)).replace(day=1), last + dt.timedelta(days=1)
    else:
        start = anchor - dt.timedelta(days=anchor.weekday())
        end = start + dt.timedelta(days=6)
        prev_d, next_d = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    households = visits.caseload_households(m.office, cw.pk)
    dues = visits.visits_due(m.office, households, today=today)
    due_rows = sorted(((hh, dues[hh.pk]) for hh in households if dues[hh.pk].due_on),
                      key=lambda r: (r[1].due_on or dt.date.max, r[0].case_number))
    only = request.GET.get("show", "")
    if only == "overdue":
        due_rows = [r for r in due_rows if r[1].overdue]
    elif only != "all":
        due_rows = [r for r in due_rows if r[1].due_on and r[1].due_on <= end]
    chosen = request.GET.get("household", "")
    ctx = {
        "cw": cw, "own": has_own_caseload(m), "view": view, "anchor": anchor, "today": today,
        "weeks": _weeks(start, end, visits.planned_between(m.office, cw.pk, start, end), today),
        "weekdays": WEEKDAYS, "month_of": anchor.month, "start": start, "end": end,
        "prev_d": prev_d, "next_d": next_d, "due_rows": due_rows, "show": only,
        "chosen": int(chosen) if chosen.isdigit() else None,
        "overdue_count": sum(1 for d in dues.values() if d.overdue),
        "never_count": sum(1 for d in dues.values() if d.never_visited),
        "households": len(households),
    }
    return render(request, "casework/visits.html", ctx)


@require_POST
@action_required("visit.plan")
def visit_plan(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    form = PlanForm(request.POST)
    back = request.POST.get("next", "") or reverse("casework:visits")
    if not back.startswith("/"):
        back = reverse("casework:visits")
    if not form.is_valid():
        messages.error(request, "訪問予定日を正しく入力してください（例: 2026-12-04 または 令和8年12月4日）。")
        return redirect(back)
    household = get_household_for_user(m, form.cleaned_data["household"])
    try:
        v = services.visit_plan(actor=m, household=household,
                                planned_on=form.cleaned_data["planned_on"],
                                note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, f"{household.case_number}: {exc.message}")
    else:
        messages.success(request, f"{household.case_number} の訪問を {format_wareki(v.planned_on)} に計画しました。")
    return redirect(back)


@require_POST
@action_required("visit.plan")
def visit_cancel(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    visit = get_planned_visit_for_user(m, pk)
    try:
        services.visit_cancel(actor=m, visit=visit)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "訪問予定を取りやめました。")
    return redirect(f"{reverse('casework:visits')}?d={visit.planned_on.isoformat()}")


@action_required("visit.plan")
def visit_record(request: OfficeRequest, pk: int) -> HttpResponse:
    """Record a planned visit: the 経過記録 is written from here."""
    m = request.membership
    visit = get_planned_visit_for_user(m, pk)
    head = visits.head_of([visit.household_id]).get(visit.household_id)
    today = clock.today()
    if request.method == "POST" and visit.is_open:
        form = VisitRecordForm(request.POST)
        if form.is_valid():
            try:
                rec = services.visit_record(actor=m, visit=visit, values=form.values(),
                                            expected_version=form.cleaned_data["version"])
            except DomainError as exc:
                field = "occurred_on" if exc.field == "occurred_at" else exc.field
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, "訪問を経過記録に記録しました。")
                return redirect(f"{reverse('casework:visits')}?d={rec.occurred_on.isoformat()}")
    else:
        form = VisitRecordForm(initial={"version": visit.version,
                                        "occurred_on": min(visit.planned_on, today)})
    return render(request, "casework/visit_record.html",
                  {"visit": visit, "head": head, "form": form})


@action_required("caseload.team")
def team_visits(request: OfficeRequest) -> HttpResponse:
    """The supervisor's view: each caseworker's households by grade, overdue and planned."""
    m = request.membership
    cws = visits.team_caseworkers(m.office)
    page = Paginator(cws, 20).get_page(request.GET.get("page"))
    rows = visits.team_plan(m.office, list(page.object_list), today=clock.today())
    grades = sorted({g for r in rows for g in (r.by_grade or {})})
    return render(request, "casework/team_visits.html",
                  {"rows": rows, "grades": grades, "page": page, "today": clock.today()})
