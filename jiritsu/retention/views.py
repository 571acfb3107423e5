"""The retention screen (/manage/retention/): the office's periods per kind, what is due for
deletion — households' case files, people without a household, 移管 records — (supervisors,
managers, the system administrator; each view audited), the deletion request that goes to
決裁, and each request's result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.retention import selectors, services
from jiritsu.retention.access import get_batch_for_user, visible_batches
from jiritsu.retention.forms import PeriodsForm, RequestForm
from jiritsu.retention.kinds import DELETED_KINDS

RECENT_BATCHES = 20


def _page(request: OfficeRequest, *, periods_form: PeriodsForm | None = None,
          request_form: RequestForm | None = None, status: int = 200) -> HttpResponse:
    m = request.membership
    summary = services.due_list(actor=m)
    return render(request, "retention/index.html", {
        "summary": summary,
        "periods": selectors.period_rows(m.office),
        "periods_form": periods_form or PeriodsForm(initial=selectors.periods(m.office)),
        "request_form": request_form or RequestForm(),
        "may_set": m.can("office.settings"),
        "may_request": m.can("retention.request"),
        "batches": list(visible_batches(m)[:RECENT_BATCHES]),
    }, status=status)


@action_required("retention.view")
def index(request: OfficeRequest) -> HttpResponse:
    return _page(request)


@require_POST
@action_required("office.settings")
def periods_edit(request: OfficeRequest) -> HttpResponse:
    form = PeriodsForm(request.POST)
    if form.is_valid():
        try:
            services.periods_set(actor=request.membership, values=form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "保存年限を保存しました。")
            return redirect("retention:index")
    return _page(request, periods_form=form, status=422)


@require_POST
@action_required("retention.request")
def request_deletion(request: OfficeRequest) -> HttpResponse:
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            batch = services.deletion_request(actor=request.membership,
                                              note=form.cleaned_data["note"])
        except DomainError as exc:
            form.add_error("note", exc.message)
        else:
            messages.success(request, "削除を起案しました。決裁が終わると削除されます。")
            return redirect("retention:batch", pk=batch.pk)
    return _page(request, request_form=form, status=422)


@action_required("retention.view")
def batch(request: OfficeRequest, pk: int) -> HttpResponse:
    b = get_batch_for_user(request.membership, pk)
    households, people, transfers = services.batch_viewed(actor=request.membership, batch=b)
    result = b.result or {}
    rows = [(kind, result.get("planned", {}).get(kind.code, 0),
             result.get("deleted", {}).get(kind.code) if "deleted" in result else None)
            for kind in DELETED_KINDS]
    skipped = sum(len(result.get(k, [])) for k in ("skipped", "skipped_people",
                                                  "skipped_transfers"))
    return render(request, "retention/batch.html", {
        "batch": b, "households": households, "people": people, "transfers": transfers,
        "rows": rows, "skipped": skipped, "files": result.get("files"),
        "returned": result.get("returned", "")})
