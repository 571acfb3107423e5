"""The transfer screens (/transfers/): the office's offers in and out, a person's transfers
with the offer form, a transfer's page (decide, read the hand-over, continue episodes), and
the person file between installations. Each: parse → access → service → respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jiritsu.cases.access import get_person_for_user, log_view
from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.people.models import Person
from jiritsu.transfers import handover, personfile, services
from jiritsu.transfers.access import (
    get_transfer_for_user,
    get_transferred_episode_for_user,
    log_read,
    sees_hand_over,
    visible_transfers,
)
from jiritsu.transfers.forms import (
    AcceptForm,
    ContinueForm,
    DeclineForm,
    ExportForm,
    ImportForm,
    ProposeForm,
    WithdrawForm,
)
from jiritsu.transfers.models import Transfer


def _error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    for d in exc.details:
        form.add_error(None, f"{d.get('where', '')}：{d.get('message', '')}")


@action_required("transfer.propose")
def transfer_list(request: OfficeRequest) -> HttpResponse:
    office = request.office
    qs = visible_transfers(request.membership).select_related("source_office", "target_office")
    return render(request, "transfers/list.html", {
        "incoming": qs.filter(target_office=office), "outgoing": qs.filter(source_office=office),
        "may_decide": request.membership.can("transfer.decide")})


@action_required("transfer.propose")
def person_transfers(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    person = get_person_for_user(m, pk)
    form = ProposeForm(request.POST or None, office=m.office)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_propose(actor=m, person=person, **form.cleaned_data)
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, f"{transfer.target_office.name}へ移管を申し出ました。")
            return redirect("transfers:detail", transfer.pk)
    return _person_page(request, person, form=form)


def _person_page(request: OfficeRequest, person: Person, *, form: ProposeForm | None = None,
                 export_form: ExportForm | None = None, status: int = 200) -> HttpResponse:
    m = request.membership
    log_view(m, person, what="transfer.view")
    transfers = visible_transfers(m).filter(source_person=person).select_related("target_office")
    return render(request, "transfers/person.html", {
        "person": person, "form": form or ProposeForm(office=m.office), "transfers": transfers,
        "received": visible_transfers(m).filter(target_person=person),
        # An offer under discussion or accepted stops a new one; a declined or withdrawn
        # offer does not.
        "open_transfer": transfers.filter(status__in=[Transfer.Status.PROPOSED,
                                                      Transfer.Status.ACCEPTED]).first(),
        "may_decide": m.can("transfer.decide"),
        "export_form": export_form or ExportForm(initial={"ended_on": clock.today()}),
    }, status=status)


def _detail_context(request: OfficeRequest, transfer: Transfer) -> dict[str, Any]:
    m = request.membership
    incoming = transfer.target_office_id == m.office_id
    ctx: dict[str, Any] = {"t": transfer, "incoming": incoming,
                           "decidable": incoming and transfer.status == Transfer.Status.PROPOSED
                           and m.can("transfer.decide")}
    if sees_hand_over(m, transfer):
        ctx["doc"] = handover.sections(transfer.hand_over)
    if incoming and transfer.status == Transfer.Status.ACCEPTED:
        ctx["episodes"] = [(e, ContinueForm(office=m.office, prefix=f"e{e.pk}", initial={
            "on": clock.today(), "program": m.office.programs.filter(
                code=e.program_code, is_active=True).first() if e.program_code else None}))
            for e in transfer.episodes.select_related("continued_as__program")]
        ctx["may_continue"] = m.can("enrollment.manage")
    if (not incoming and transfer.status == Transfer.Status.PROPOSED
            and m.can("transfer.propose")):
        ctx.setdefault("withdraw_form", WithdrawForm())
    if ctx["decidable"]:
        ctx.setdefault("accept_form", AcceptForm(office=m.office, initial={"accepted_on": clock.today()}))
        ctx.setdefault("decline_form", DeclineForm())
    return ctx


@action_required("transfer.propose")
def transfer_detail(request: OfficeRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for_user(request.membership, pk)
    log_read(request.membership, transfer)
    return render(request, "transfers/detail.html", _detail_context(request, transfer))


@action_required("transfer.decide")
def transfer_accept(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    transfer = get_transfer_for_user(m, pk, decide=True)
    if request.method != "POST":
        return redirect("transfers:detail", transfer.pk)
    form = AcceptForm(request.POST, office=m.office)
    if form.is_valid():
        try:
            services.transfer_accept(actor=m, transfer=transfer, **form.cleaned_data)
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, "受け入れました。移管された参加を継続できます。")
            return redirect("transfers:detail", transfer.pk)
    return render(request, "transfers/detail.html",
                  {**_detail_context(request, transfer), "accept_form": form}, status=422)


@action_required("transfer.decide")
def transfer_decline(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    transfer = get_transfer_for_user(m, pk, decide=True)
    if request.method != "POST":
        return redirect("transfers:detail", transfer.pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_decline(actor=m, transfer=transfer,
                                      reason=form.cleaned_data["decline_reason"])
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, "受入れ不可として回答しました。")
            return redirect("transfers:detail", transfer.pk)
    return render(request, "transfers/detail.html",
                  {**_detail_context(request, transfer), "decline_form": form}, status=422)


@action_required("transfer.propose")
def transfer_withdraw(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    transfer = get_transfer_for_user(m, pk, withdraw=True)
    if request.method != "POST":
        return redirect("transfers:detail", transfer.pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_withdraw(actor=m, transfer=transfer, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, "移管の申出を取り下げました。")
            return redirect("transfers:detail", transfer.pk)
    return render(request, "transfers/detail.html",
                  {**_detail_context(request, transfer), "withdraw_form": form}, status=422)


@action_required("enrollment.manage")
def episode_continue(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    episode = get_transferred_episode_for_user(m, pk)
    if request.method != "POST":
        return redirect("transfers:detail", episode.transfer_id)
    form = ContinueForm(request.POST, office=m.office, prefix=f"e{episode.pk}")
    if form.is_valid():
        try:
            enrollment = services.transfer_continue(actor=m, episode=episode, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"「{enrollment.program.name}」の候補として登録しました。")
    else:
        messages.error(request, "、".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("transfers:detail", episode.transfer_id)


@action_required("transfer.decide")
def person_file_export(request: OfficeRequest, pk: int) -> HttpResponse:
    """個人ファイルの出力: as the hand-over (the open programs end with 移管 in the same
    transaction) or as a copy; a refusal is shown beside the form."""
    m = request.membership
    person = get_person_for_user(m, pk)
    if request.method != "POST":
        return redirect("transfers:person", person.pk)
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            data = personfile.export(actor=m, person=person, **form.service_args())
        except DomainError as exc:
            form.add_error("ended_on" if exc.field == "ended_on" else None, exc.message)
        else:
            response = HttpResponse(data, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="person-file-{person.pk}.json"'
            return response
    return _person_page(request, person, export_form=form, status=422)


@action_required("transfer.decide")
def person_file_import(request: OfficeRequest) -> HttpResponse:
    m = request.membership
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = personfile.take_in(actor=m, data=form.cleaned_data["file"].read())
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, "取り込みました。内容を確認して受入れを判断してください。")
            return redirect("transfers:detail", transfer.pk)
    return render(request, "transfers/import.html", {"form": form},
                  status=422 if form.errors else 200)
