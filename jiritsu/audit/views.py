"""Browsing the audit log (supervisors and managers): by person, staff member and date."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiritsu.audit.models import AuditEvent
from jiritsu.core import wareki
from jiritsu.offices.access import action_required


@action_required("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    office = request.office  # type: ignore[attr-defined]
    qs = AuditEvent.objects.filter(office_id=office.pk)
    errors: dict[str, str] = {}
    person_id = request.GET.get("person", "").strip()
    actor_id = request.GET.get("actor", "").strip()
    if person_id.isdigit():
        qs = qs.filter(person_id=int(person_id))
    if actor_id.isdigit():
        qs = qs.filter(actor_id=int(actor_id))
    for key, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        raw = request.GET.get(key, "").strip()
        if raw:
            try:
                qs = qs.filter(**{lookup: wareki.parse_date(raw)})
            except ValueError as exc:
                errors[key] = str(exc)
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "errors": errors,
                                               "params": request.GET})
