"""Caseload import screen and template downloads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.people import importing

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label="取り込むファイル（CSV または Excel .xlsx）",
                           error_messages={"required": "ファイルを選んでください。"})

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("ファイルが大きすぎます（20MBまで）。")
        if not f.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError("CSV（.csv）または Excel（.xlsx）のファイルを選んでください。")
        return f


@action_required("caseload.import")
def caseload_import(request: OfficeRequest) -> HttpResponse:
    membership = request.membership
    errors: list[dict[str, object]] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = importing.read_table(upload.read(), upload.name)
                result = importing.upsert_caseload(actor=membership, rows=rows)
            except importing.CaseloadImportError as exc:
                form.add_error(None, exc.message)
                errors = exc.errors
            else:
                messages.success(
                    request,
                    f"{result.rows}行を取り込みました。世帯：新規{result.households_created}件・"
                    f"更新{result.households_updated}件、世帯員：新規{result.people_created}件・"
                    f"更新{result.people_updated}件・変更なし{result.people_unchanged}件。",
                )
                return redirect("people:import")
    else:
        form = ImportForm()
    return render(request, "people/import.html",
                  {"form": form, "errors": errors, "columns": importing.COLUMNS})


@action_required("caseload.import")
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "csv":
        resp = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = 'attachment; filename="caseload_template.csv"'
    elif fmt == "xlsx":
        resp = HttpResponse(
            importing.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = 'attachment; filename="caseload_template.xlsx"'
    else:
        raise Http404
    return resp
