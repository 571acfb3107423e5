"""The merge screens (``person.merge``: 査察指導員 and 課長・所長): the office's possible
duplicates, two people side by side with the merge form, the merge history, one merge's record
(reached from the history and from the kept person's page) and its unmerge."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jiritsu.cases.access import log_list, log_view
from jiritsu.core.errors import DomainError
from jiritsu.merging import services
from jiritsu.merging.access import (
    get_merge_for_user,
    get_pair_for_user,
    log_merge_view,
    visible_merges,
)
from jiritsu.merging.candidates import compare, office_candidates
from jiritsu.merging.forms import DismissForm, MergeForm, UnmergeForm
from jiritsu.merging.selectors import merge_rows, side_by_side
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.people.models import Person

PAGE_SIZE = 30


@action_required("person.merge")
def candidates(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    page = Paginator(office_candidates(m.office), PAGE_SIZE).get_page(request.GET.get("page"))
    log_list(m, [p for c in page.object_list for p in (c.first, c.second)],
             what="person.duplicates")
    return render(request, "merging/candidates.html", {"page": page})


@action_required("person.merge")
def compare_view(request: OfficeRequest, first: int, second: int) -> HttpResponse:
    m = request.membership
    a, b = get_pair_for_user(m, first, second)
    form, dismiss = MergeForm(), DismissForm()
    if request.method == "POST":
        if request.POST.get("action") == "dismiss":
            dismiss = DismissForm(request.POST)
            if dismiss.is_valid():
                try:
                    services.duplicate_dismiss(actor=m, first=a, second=b,
                                               note=dismiss.cleaned_data["note"])
                except DomainError as exc:
                    dismiss.add_error(None, exc.message)
                else:
                    messages.success(request, f"{a.name}さんと{b.name}さんを別人として記録しました。")
                    return redirect("merging:candidates")
        else:
            form = MergeForm(request.POST)
            if form.is_valid():
                keep, drop = (a, b) if form.cleaned_data["keep"] == "first" else (b, a)
                try:
                    merge = services.person_merge(actor=m, survivor=keep, merged=drop,
                                                  reason=form.cleaned_data["reason"])
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.success(request, f"{merge.merged_label}の記録を{keep.name}さんの記録に統合しました。")
                    return redirect("people:person", pk=keep.pk)
    for p in (a, b):
        log_view(m, p, what="person.compare")
    fields, counts = side_by_side(a, b)
    return render(request, "merging/compare.html", {
        "first": a, "second": b, "candidate": compare(a, b), "fields": fields,
        "counts": counts, "form": form, "dismiss": dismiss})


@action_required("person.merge")
def history(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    page = Paginator(visible_merges(m), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(merge, services.frozen_since(merge)) for merge in page.object_list]
    return render(request, "merging/history.html", {"page": page, "rows": rows})


@action_required("person.merge")
def detail(request: OfficeRequest, pk: int) -> HttpResponse:
    """統合の記録: who merged which record into which, why, what moved, and whether it can
    still be undone. Reading it is audited (both records)."""
    m = request.membership
    merge = get_merge_for_user(m, pk)
    log_merge_view(m, merge)
    here = set(Person.objects.filter(office=m.office, pk__in=[merge.survivor_id, merge.merged_id])
               .values_list("pk", flat=True))
    return render(request, "merging/detail.html", {
        "merge": merge, "rows": merge_rows(merge), "frozen": services.frozen_since(merge),
        "survivor_here": merge.survivor_id in here, "merged_here": merge.merged_id in here})


@action_required("person.merge")
def unmerge(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    merge = get_merge_for_user(m, pk)
    form = UnmergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_unmerge(actor=m, merge=merge,
                                             reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"統合を取り消し、{person.name}さんの記録を元に戻しました。")
            return redirect(reverse("merging:history"))
    return render(request, "merging/unmerge.html", {
        "merge": merge, "form": form, "frozen": services.frozen_since(merge)})
