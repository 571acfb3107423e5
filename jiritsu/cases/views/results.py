"""結果検討会 screens: a program's results over a fiscal year (就労につながった／つながらなかった／
未分類, what is left after each sorting) and recording a results 検討会 for a period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jiritsu.cases import forms as F
from jiritsu.cases import results as selectors
from jiritsu.cases import services
from jiritsu.cases.access import log_list, visible_enrollments
from jiritsu.cases.models import Enrollment, Outcome
from jiritsu.core import wareki
from jiritsu.core.errors import DomainError
from jiritsu.core.forms import JapaneseDateField
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.programs.access import get_program_for_user
from jiritsu.programs.views.common import acting_membership, form_error, today


def _fiscal_year(raw: str | None) -> int:
    current = wareki.fiscal_year_of(today())
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= current + 1 else current


@action_required("activity.view")
def program_results(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    program = get_program_for_user(m, pk)
    fy = _fiscal_year(request.GET.get("fy"))
    start, end = wareki.fiscal_year_bounds(fy)
    found = selectors.program_results(program, visible_enrollments(m), start, end)
    log_list(m, [r.enrollment.person for r in found["rows"]]
             + [e.person for e in found["unsorted_rows"]], what="conference_result.list",
             note=f"{program.name} {wareki.format_fiscal_year(fy)}")
    current = wareki.fiscal_year_of(today())
    return render(request, "cases/results.html", {
        "program": program, "fy": fy, "found": found,
        "years": sorted({*range(current, max(current - 5, 1999), -1), fy}, reverse=True),
        "can_record": m.can("conference.manage") and program.is_employment,
    })


def _period(source: Any) -> tuple[dt.date, dt.date]:
    """The period whose participants the form lists: as typed, else this fiscal year so far."""
    field = JapaneseDateField(required=False)
    try:
        start = field.clean(source.get("results_from", ""))
        end = field.clean(source.get("results_to", ""))
    except forms.ValidationError:  # a date that does not parse: the form says so beside it
        start = end = None
    if start and end and start <= end:
        return start, end
    return wareki.fiscal_year_bounds(wareki.fiscal_year_of(today()))[0], today()


@action_required("conference.manage")
def results_conference_create(request: OfficeRequest, pk: int) -> HttpResponse:
    m = acting_membership(request)
    program = get_program_for_user(m, pk)
    source = request.POST if request.method == "POST" else request.GET
    start, end = _period(source)
    achieved = Exists(Outcome.objects.filter(
        enrollment=OuterRef("pk"), outcome_type__counts_as_achievement=True,
        occurred_on__gte=start, occurred_on__lte=end))
    episodes = list(visible_enrollments(m).filter(program=program)
                    .filter(selectors.participating_q(start, end))
                    .annotate(achieved_in_period=achieved)
                    .select_related("person", "person__household")
                    .order_by("person__kana_key", "-started_on", "id"))
    saving = request.method == "POST" and "show" not in request.POST
    if saving:
        form = F.ResultsConferenceForm(request.POST, office=m.office)
        rows = [F.ResultSortForm(request.POST, prefix=f"r{e.pk}") for e in episodes]
    else:
        # A first visit, or 「この期間の参加者を表示」 (what was typed is kept, nothing checked).
        typed = {k: source.get(k, "") for k in ("kind", "held_on", "title", "place", "agenda",
                                                "minutes", "outside") if source.get(k)}
        form = F.ResultsConferenceForm(office=m.office, initial={
            "held_on": today(), "kind": program.conference_kind or "case_diagnosis",
            "title": f"{program.name} 結果検討会",
            "staff": source.getlist("staff") if "staff" in source else [m.user],
            **typed, "results_from": start, "results_to": end})
        rows = [F.ResultSortForm(prefix=f"r{e.pk}", initial={
            "result": "worked" if getattr(e, "achieved_in_period", False) else ""})
            for e in episodes]
    if saving and form.is_valid() and all(r.is_valid() for r in rows):
        cd = form.cleaned_data
        results = [{"enrollment": e, **r.cleaned_data}
                   for e, r in zip(episodes, rows, strict=True) if r.cleaned_data.get("result")]
        try:
            conf = services.results_conference_create(
                actor=m, program=program, kind=cd["kind"], held_on=cd["held_on"],
                title=cd["title"], results_from=cd["results_from"], results_to=cd["results_to"],
                place=cd["place"], agenda=cd["agenda"], minutes=cd["minutes"],
                attendees=form.attendees(), results=results)
        except DomainError as exc:
            detail = next(iter(exc.details or []), None)
            row = next((r for e, r in zip(episodes, rows, strict=True)
                        if detail and e.pk == detail.get("enrollment_id")), None)
            if row is not None:
                field = str(detail.get("field") if detail else "")
                row.add_error(field if field in row.fields else "result", exc.message)
                form.add_error(None, exc.message)
            else:
                form_error(form, exc)
        else:
            messages.success(request, f"「{conf.title}」を保存し、{len(results)}人の結果を記録しました。")
            return redirect("programs:conference", pk=conf.pk)
    return render(request, "cases/results_form.html", {
        "form": form, "program": program, "start": start, "end": end,
        "rows": list(zip(episodes, rows, strict=True)),
        "active": Enrollment.Status.ACTIVE,
    })
