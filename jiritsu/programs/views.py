"""Program screens."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiritsu.offices.access import action_required
from jiritsu.programs.models import Program


@action_required("program.view")
def program_list(request: HttpRequest) -> HttpResponse:
    programs = (
        Program.objects.filter(office=request.office)  # type: ignore[attr-defined]
        .annotate(active_count=Count("enrollments", filter=Q(enrollments__status="active")))
        .order_by("code")
    )
    return render(request, "programs/list.html", {"programs": programs})
