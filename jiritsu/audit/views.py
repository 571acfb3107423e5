"""Browsing the audit log (supervisors and managers): by person, staff member and date."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiritsu.audit import selectors
from jiritsu.core import wareki
from jiritsu.offices.access import action_required


@action_required("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    office = request.office  # type: ignore[attr-defined]
    errors: dict[str, str] = {}
    person_id = request.GET.get("person", "").strip()
    actor_id = request.GET.get("actor", "").strip()
    dates: dict[str, dt.date | None] = {"from": None, "to": None}
    for key in dates:
        raw = request.GET.get(key, "").strip()
        if raw:
            try:
                dates[key] = wareki.parse_date(raw)
            except ValueError as exc:
                errors[key] = str(exc)
    qs = selectors.office_events(
        office.pk, person_id=int(person_id) if person_id.isdigit() else None,
        actor_id=int(actor_id) if actor_id.isdigit() else None,
        date_from=dates["from"], date_to=dates["to"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "errors": errors,
                                               "params": request.GET})
