"""Report screens and files: parse → access → service → respond."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiritsu.cases.access import get_person_amounts_for_user, get_person_for_user, log_view
from jiritsu.core import clock, wareki
from jiritsu.core.errors import DomainError
from jiritsu.core.replica import replica_reads
from jiritsu.offices.access import action_required, require
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs.models import Program
from jiritsu.reports import effects, figures, selectors, services
from jiritsu.reports.access import can_see_people, get_frozen_for_user, get_program_for_report
from jiritsu.reports.charts import person_effects_chart, report_charts
from jiritsu.reports.periods import Period, period_from_params

PEOPLE_PAGE_LIMIT = services.PEOPLE_EXPORT_LIMIT


def _period(request: HttpRequest) -> tuple[Period, str]:
    try:
        return period_from_params(request.GET), ""
    except DomainError as exc:
        return period_from_params({}), exc.message


def period_refused(request: HttpRequest, exc: DomainError, *, heading: str, back: str,
                   keep: tuple[str, ...] = ()) -> HttpResponse:
    """A wrong period (e.g. given backwards) is refused: the error beside the field it is
    about, the values as entered, and no figures (never another period's figures instead)."""
    return render(request, "reports/period_refused.html", {
        "error": exc.message, "field": exc.field, "params": request.GET, "heading": heading,
        "back": back, "keep": [(k, request.GET[k]) for k in keep if request.GET.get(k)],
    }, status=422)


def _fy_choices(period: Period) -> list[tuple[int, str]]:
    current = wareki.fiscal_year_of(period.end)
    latest = max(current, wareki.fiscal_year_of(clock.today()))
    return [(fy, wareki.format_fiscal_year(fy)) for fy in range(latest, latest - 8, -1)]


def _render_report(request: OfficeRequest, program: Program | None) -> HttpResponse:
    membership = request.membership
    try:
        period, error = period_from_params(request.GET), ""
    except DomainError as exc:
        back = (reverse("reports:program", args=[program.pk]) if program
                else reverse("reports:report"))
        return period_refused(request, exc, back=back,
                              heading=f"{program.name + ' — ' if program else ''}実施状況")
    data = selectors.report_with_delta(membership.office, period, program)
    context: dict[str, Any] = {
        **data, "period": period, "period_query": period.as_query(), "period_error": error,
        "charts": report_charts(data["report"]), "program": program,
        "can_people": can_see_people(membership), "can_freeze": membership.can("report.freeze"),
        "can_export": membership.can("export.run"), "fy_choices": _fy_choices(period),
        "history": selectors.frozen_history(membership.office, period) if program is None else [],
    }
    return render(request, "reports/report.html", context)


@action_required("report.view")
@replica_reads
def report(request: OfficeRequest) -> HttpResponse:
    return _render_report(request, None)


@action_required("report.view")
@replica_reads
def program_report(request: OfficeRequest, pk: int) -> HttpResponse:
    program = get_program_for_report(request.membership, pk)
    return _render_report(request, program)


@action_required("report.view")
@replica_reads
def people(request: OfficeRequest) -> HttpResponse:
    """The people behind one figure. Only for staff who may see people; the read is audited."""
    membership = request.membership
    require(membership, "person.view")
    if not can_see_people(membership):
        require(None, "person.view")
    try:
        period, error = period_from_params(request.GET), ""
    except DomainError as exc:
        return period_refused(request, exc, heading="集計の対象者", back=reverse("reports:report"),
                              keep=("figure", "key", "program", "to"))
    figure = request.GET.get("figure", "")
    key = request.GET.get("key", "")
    program = to_program = None
    if request.GET.get("program"):
        program = get_program_for_report(membership, request.GET["program"])
    if request.GET.get("to"):
        to_program = get_program_for_report(membership, request.GET["to"])
    if figure not in figures.FIGURE_LABELS:
        return render(request, "404.html", status=404)
    result = services.figure_people(actor=membership, period=period, figure=figure, key=key,
                                    program=program, to_program=to_program)
    found = list(result.people[:PEOPLE_PAGE_LIMIT + 1])
    truncated = len(found) > PEOPLE_PAGE_LIMIT
    found = found[:PEOPLE_PAGE_LIMIT]
    label = result.label
    file_format = request.GET.get("format", "")
    if file_format in ("csv", "csv-cp932", "xlsx"):
        require(membership, "export.run")
        try:
            out = services.people_export(
                actor=membership, period=period, figure=figure, people=found, label=label,
                fmt="xlsx" if file_format == "xlsx" else "csv",
                encoding="cp932" if file_format == "csv-cp932" else "utf-8")
        except DomainError as exc:
            messages.error(request, exc.message)
            params = request.GET.copy()
            params.pop("format", None)
            return redirect(f"{reverse('reports:people')}?{params.urlencode()}")
        return _download(out)
    services.log_people_view(actor=membership, period=period, figure=figure, label=label,
                             people=found)
    return render(request, "reports/people.html", {
        "people": found, "truncated": truncated, "limit": PEOPLE_PAGE_LIMIT, "label": label,
        "period": period, "period_error": error, "query": request.GET.urlencode(),
        "can_export": membership.can("export.run"), "program": program,
        "back": f"{reverse('reports:program', args=[program.pk]) if program else reverse('reports:report')}"
                f"?{urlencode(period.as_query())}",
    })


def _download(out: services.ExportFile) -> HttpResponse:
    response = HttpResponse(out.content, content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response


@action_required("export.run")
@replica_reads
def export(request: OfficeRequest, fmt: str) -> HttpResponse:
    membership = request.membership
    require(membership, "report.view")
    period, error = _period(request)
    program = None
    if request.GET.get("program"):
        program = get_program_for_report(membership, request.GET["program"])
    back = (reverse("reports:program", args=[program.pk]) if program else reverse("reports:report"))
    back = f"{back}?{request.GET.urlencode()}"
    if error:
        messages.error(request, error)
        return redirect(back)
    try:
        out = services.report_export(actor=membership, period=period, fmt=fmt,
                                     table=request.GET.get("table", "programs"),
                                     encoding=request.GET.get("encoding", "utf-8"),
                                     program=program)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return _download(out)


@require_POST
@action_required("report.freeze")
def freeze(request: OfficeRequest) -> HttpResponse:
    membership = request.membership
    try:
        period = period_from_params(request.POST)
        frozen = services.report_freeze(actor=membership, period=period,
                                        note=request.POST.get("note", "").strip())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report")
    messages.success(request, f"{frozen.label}の数値を提出済みとして確定しました。")
    query = urlencode(period.as_query())
    return redirect(f"{reverse('reports:report')}?{query}")


@action_required("report.view")
def frozen_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    membership = request.membership
    data = services.frozen_with_deltas(get_frozen_for_user(membership, pk))
    return render(request, "reports/frozen.html", {
        **data, "period_query": data["period"].as_query(), "can_people": False,
    })


@action_required("person.disclose")
def disclose(request: OfficeRequest, person_pk: int) -> HttpResponse:
    membership = request.membership
    person = get_person_for_user(membership, person_pk)
    if request.method == "POST":
        try:
            out = services.person_disclose(actor=membership, person=person,
                                           fmt=request.POST.get("format", "zip"))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("reports:disclose", person_pk=person.pk)
        return _download(out)
    return render(request, "reports/disclose.html", {"person": person})


@action_required("amounts.view")
def person_effects(request: OfficeRequest, person_pk: int) -> HttpResponse:
    """One person's earned income, assistance paid and medical cost around each start
    (their page loads it into its 「収入・保護費・医療費の推移」 section). Audited as a read."""
    membership = request.membership
    person = get_person_amounts_for_user(membership, person_pk)
    log_view(membership, person, what="person.effects")
    episodes = [{**e, "chart": person_effects_chart(
        f"{person.name} {e['program']}（{e['started_label']}開始）の収入・保護費・医療費", e)}
        for e in effects.person_series(person)]
    template = "reports/_person_effects.html" if request.htmx else "reports/person_effects.html"
    return render(request, template, {"person": person, "episodes": episodes})
