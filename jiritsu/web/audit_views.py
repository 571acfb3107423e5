"""The audit-log browser (supervisors and managers) and its export.

Read as a supervisor reads it: who (staff name), did what (the action in Japanese),
to whom (the person's name), when (和暦), and what changed, with Japanese field labels
(``core.labels``). Filters take a person's name or furigana and a staff member's name
(the search rule of the person search), or the ids the rows link to; and dates.

It lives with the screens, above `offices`, because it needs the permission table while
`offices` writes to the audit log (docs/architecture.md, Import contracts)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from jiritsu.audit import selectors
from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.cases.access import visible_people
from jiritsu.core import clock, labels, wareki
from jiritsu.core.kana import search_key
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Membership

MAX_ID = 2_147_483_647
_DIGITS = re.compile(r"[0-9]{1,10}")
EXPORT_LIMIT = 10_000
# Kinds whose changes are before → after pairs; the others carry facts (an export's format).
DIFFED = {AuditEvent.Kind.CREATE, AuditEvent.Kind.UPDATE, AuditEvent.Kind.DELETE,
          AuditEvent.Kind.TRANSITION}


def _id(raw: str) -> int | None:
    """An id from the query string. Not ASCII digits (``abc``, ``²``): no filter. Beyond a
    32-bit key: 0, which matches nothing — never a ValueError or a database overflow."""
    if not raw.isascii() or not raw.isdigit():
        return None
    return int(raw) if _DIGITS.fullmatch(raw) and int(raw) <= MAX_ID else 0


@dataclass
class Entry:
    """One audit row as a person reads it."""

    event: AuditEvent
    when: str
    action: str
    kind: str
    target: str
    changes: list[tuple[str, str, str | None]]


def entry(event: AuditEvent) -> Entry:
    kind_label = labels.model_label(event.target_type)
    target = event.target_label
    if kind_label and target and not target.startswith(kind_label):
        target = f"{kind_label}：{target}"
    moment = clock.to_japan(event.created_at)
    return Entry(event=event,
                 when=f"{wareki.format_wareki(moment.date())} {moment:%H:%M:%S}",
                 action=labels.action_label(event.action), kind=event.get_kind_display(),
                 target=target,
                 changes=labels.changes_lines(event.changes, target_type=event.target_type,
                                              diffed=event.kind in DIFFED,
                                              created=event.kind == AuditEvent.Kind.CREATE))


def _people_matching(request: OfficeRequest, text: str) -> Q:
    """Events about the office's people whose name or furigana matches ``text``."""
    key = search_key(text)
    if not key:
        return Q()
    ids = list(visible_people(request.membership)
               .filter(Q(name_key__contains=key) | Q(kana_key__contains=key))
               .values_list("pk", flat=True)[:500])
    cond = Q(person_label__contains=text.strip())
    if ids:
        linked = (AuditPerson.objects.filter(person_id__in=ids, office_id=request.office.pk)
                  .values_list("event_id", flat=True))
        cond |= Q(person_id__in=ids) | Q(pk__in=list(linked[:5000]))
    return cond


def _staff_matching(request: OfficeRequest, text: str) -> Q:
    key = search_key(text)
    if not key:
        return Q()
    users = Membership.objects.filter(office=request.office).select_related("user")
    ids = [m.user_id for m in users
           if key in search_key(str(m.user)) or key in search_key(m.user.username)]
    return Q(actor_id__in=ids) | Q(actor_label__contains=text.strip())


def _events(request: OfficeRequest, params: QueryDict
            ) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    errors: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {"from": None, "to": None}
    for key in dates:
        raw = params.get(key, "").strip()
        if raw:
            try:
                dates[key] = wareki.parse_date(raw)
            except ValueError as exc:
                errors[key] = str(exc)
    qs = selectors.office_events(
        request.office.pk, person_id=_id(params.get("person", "").strip()),
        actor_id=_id(params.get("actor", "").strip()),
        date_from=dates["from"], date_to=dates["to"])
    who = params.get("who", "").strip()[:100]
    if who:
        qs = qs.filter(_people_matching(request, who))
    staff = params.get("staff", "").strip()[:100]
    if staff:
        qs = qs.filter(_staff_matching(request, staff))
    return qs, errors


@action_required("audit.view")
def audit_list(request: OfficeRequest) -> HttpResponse:
    qs, errors = _events(request, request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [entry(e) for e in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"page": page, "rows": rows, "errors": errors,
                                               "params": request.GET,
                                               "query": query.urlencode()})


EXPORT_HEADER = ["日時", "職員", "操作", "種別", "本人", "対象", "変更内容", "備考"]


@action_required("audit.view")
def audit_export(request: OfficeRequest) -> HttpResponse:
    """The filtered log as CSV (UTF-8 with BOM, opens in Excel), newest first; the export
    itself is an audit entry."""
    qs, errors = _events(request, request.GET)
    if errors:
        return audit_list(request)
    events = list(qs[:EXPORT_LIMIT])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    for e in events:
        row = entry(e)
        changed = "／".join(f"{label}：{old} → {new}" if new is not None else f"{label}：{old}"
                           for label, old, new in row.changes)
        writer.writerow([row.when, e.actor_label, row.action, row.kind, e.person_label,
                         row.target, changed, e.note])
    filters = {k: v for k, v in request.GET.items() if v and k != "page"}
    record(actor=request.user, office=request.office, action="audit.export",
           kind=AuditEvent.Kind.EXPORT,
           changes={"format": "csv", "encoding": "utf-8", "rows": len(events),
                    **({"filters": filters} if filters else {})})
    response = HttpResponse(out.getvalue().encode("utf-8-sig"),
                            content_type="text/csv; charset=utf-8")
    name = f"audit-{clock.today():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

