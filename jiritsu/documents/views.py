"""Attachment screens: the person's list (with previews), upload, download, delete."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.cases.access import get_person_for_user
from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.documents import preview, services
from jiritsu.documents.access import (
    TARGET_ACTIONS,
    get_attachment_for_user,
    get_form_target,
    person_attachments,
    resolve_target,
    target_choices,
    target_kind,
)
from jiritsu.documents.forms import AttachmentForm, DeleteForm
from jiritsu.documents.models import Attachment, DocumentType
from jiritsu.documents.printing import FormSpec, GlyphsMissing, MissingFields, form_print
from jiritsu.offices.access import action_required, deny
from jiritsu.offices.http import OfficeRequest


def _file_response(data: bytes, attachment: Attachment, *, inline: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=attachment.content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(attachment.original_name)}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@action_required("person.view")
def person_list(request: OfficeRequest, person_pk: int) -> HttpResponse:
    m = request.membership
    person = get_person_for_user(m, person_pk)
    rows = person_attachments(m, person)
    template = "documents/_attachments.html" if request.htmx else "documents/attachments.html"
    return render(request, template, {
        "person": person, "attachments": rows,
        "can_attach": bool(target_choices(m, person)),
        "deletable": {a.pk for a in rows if m.can(TARGET_ACTIONS[target_kind(a)])}})


def _back(request: OfficeRequest, person_pk: int) -> str:
    """Where the upload returns: the screen whose 「書類を添付」 link opened it, or the person."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith(("//", "/\\")):
        return nxt
    return f"/people/{person_pk}/#attachments"


@action_required("person.view")
def upload(request: OfficeRequest, person_pk: int) -> HttpResponse:
    m = request.membership
    person = get_person_for_user(m, person_pk)
    wanted = (request.POST.get("target") if request.method == "POST"
              else request.GET.get("target")) or ""
    targets = target_choices(m, person, include=wanted)
    if not targets:
        raise deny()
    back = _back(request, person.pk)
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES, targets=targets)
        if form.is_valid():
            cd = form.cleaned_data
            kind, _, pk = cd["target"].partition(":")
            upload_file = cd["file"]
            try:
                target = resolve_target(m, person, kind, pk or None)
                data = services.read_upload(upload_file, size=upload_file.size)
                services.attachment_add(
                    actor=m, person=person, target=target, data=data,
                    original_name=upload_file.name or "", document_type=cd["document_type"],
                    document_date=cd["document_date"], note=cd["note"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "添付書類を保存しました。")
                return redirect(back)
    else:
        kind = request.GET.get("type", "")
        initial = {"document_date": clock.today(),
                   "target": wanted if wanted in dict(targets) else targets[0][0],
                   "document_type": kind if kind in DocumentType.values else "consent"}
        form = AttachmentForm(targets=targets, initial=initial)
    return render(request, "documents/upload.html", {"form": form, "person": person,
                                                     "back": back})


@action_required("person.view")
def download(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    attachment = get_attachment_for_user(m, pk)
    try:
        data = services.attachment_read(actor=m, attachment=attachment)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return _file_response(data, attachment, inline=request.GET.get("inline") == "1")


@action_required("person.view")
def thumbnail(request: OfficeRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(request.membership, pk)
    data = preview.thumbnail(attachment)
    if data is None:
        raise Http404
    return HttpResponse(data, content_type="image/png")


@action_required("person.view")
def delete(request: OfficeRequest, pk: int) -> HttpResponse:
    m = request.membership
    attachment = get_attachment_for_user(m, pk, write=True)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_delete(actor=m, attachment=attachment,
                                       reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "添付書類を削除しました（削除の記録は残ります）。")
            return redirect(f"/people/{attachment.person_id}/#attachments")
    return render(request, "documents/delete.html", {"form": form, "attachment": attachment,
                                                     "person": attachment.person})


# ---------------------------------------------------------------- forms (帳票)

def form_view(spec: FormSpec) -> Callable[..., HttpResponse]:
    """The screen action of one form: the PDF, or a page naming what stops it from printing."""

    @action_required("form.print")
    def view(request: OfficeRequest, pk: int = 0) -> HttpResponse:
        m = request.membership
        raw_year = request.GET.get("fiscal_year", "")
        fiscal_year = int(raw_year) if raw_year.isdigit() and 1900 < int(raw_year) < 2100 else None
        target = get_form_target(m, spec.target, pk, fiscal_year=fiscal_year)
        try:
            printed = form_print(actor=m, spec=spec, obj=target.obj, person=target.person,
                                 people=target.people,
                                 allow_missing_glyphs=request.GET.get("confirm") == "1")
        except (MissingFields, GlyphsMissing) as exc:
            return render(request, "documents/form_problem.html", {
                "spec": spec, "error": exc, "person": target.person,
                "missing": getattr(exc, "missing", []), "glyphs": getattr(exc, "glyphs", []),
                "confirm_url": f"{request.path}?{_with_confirm(request)}"})
        response = HttpResponse(printed.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(printed.filename)}"
        return response

    view.__name__ = f"form_{spec.key.replace('-', '_')}"
    return view


def _with_confirm(request: OfficeRequest) -> str:
    query = request.GET.copy()
    query["confirm"] = "1"
    return query.urlencode()
