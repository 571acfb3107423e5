"""Conference (会議) screens: list, record with decisions, detail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jiritsu.cases import forms as F
from jiritsu.cases import services
from jiritsu.cases.access import get_conference_for_user, visible_conferences, visible_people
from jiritsu.cases.models import Enrollment
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.people.models import Person
from jiritsu.programs.access import get_program_for_user
from jiritsu.programs.models import Program
from jiritsu.programs.views.common import acting_membership, today

# ------------------------------------------------------------------ conferences

def _conference_people(m: Any, program: Program | None, ids: list[int]) -> list[Person]:
    qs = visible_people(m)
    cond = Q(pk__in=ids)
    if program is not None:
        cond |= Q(enrollments__program=program, enrollments__status__in=Enrollment.OPEN_STATUSES)
    return list(qs.filter(cond).distinct().select_related("household").order_by("kana_key", "id"))


@action_required("conference.manage")
def conference_list(request: OfficeRequest) -> HttpResponse:
    m = acting_membership(request)
    conferences = list(visible_conferences(m).select_related("program")
                       .annotate(n=Count("decisions")).order_by("-held_on", "-id")[:100])
    return render(request, "cases/conference_list.html", {"conferences": conferences})


@action_required("conference.manage")
def conference_create(request: OfficeRequest) -> HttpResponse:
    m = acting_membership(request)
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
            "held_on": today(), "kind": (program.conference_kind if program and
                                          program.conference_kind else "internal"),
            "title": f"{program.name} 検討会" if program else "", "staff": [m.user]})
        rows = [F.DecisionForm(prefix=f"d{p.pk}", program=program, office=m.office,
                               initial={"person_id": p.pk,
                                        "decision": "select" if p.pk in ids and
                                        p.pk not in open_by_person else ""})
                for p in people]
    return render(request, "cases/conference_form.html", {
        "form": form, "program": program,
        "rows": [(p, r, open_by_person.get(p.pk)) for p, r in zip(people, rows, strict=True)],
        "picked": ids})


@action_required("conference.manage")
def conference_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    conf = get_conference_for_user(acting_membership(request), pk)
    return render(request, "cases/conference.html", {
        "conference": conf,
        "attendees": list(conf.attendees.select_related("user", "partner")),
        "decisions": list(conf.decisions.select_related("person", "enrollment", "phase",
                                                        "target_program")),
        "approvals": list(conf.approval_requests.all()),
        "results": list(conf.results.select_related("enrollment__person", "review")),
    })
