"""The audit-log browser (supervisors and managers): by person, staff member and date.

It lives with the screens, above `offices`, because it needs the permission table while
`offices` writes to the audit log (docs/architecture.md, Import contracts)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from jiritsu.audit import selectors
from jiritsu.core import wareki
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest

MAX_ID = 2_147_483_647
_DIGITS = re.compile(r"[0-9]{1,10}")


def _id(raw: str) -> int | None:
    """An id from the query string. Not ASCII digits (``abc``, ``²``): no filter. Beyond a
    32-bit key: 0, which matches nothing — never a ValueError or a database overflow."""
    if not raw.isascii() or not raw.isdigit():
        return None
    return int(raw) if _DIGITS.fullmatch(raw) and int(raw) <= MAX_ID else 0


@action_required("audit.view")
def audit_list(request: OfficeRequest) -> HttpResponse:
    office = request.office
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
        office.pk, person_id=_id(person_id), actor_id=_id(actor_id),
        date_from=dates["from"], date_to=dates["to"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "errors": errors,
                                               "params": request.GET})
