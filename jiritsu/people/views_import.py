"""The import screen and template downloads: the caseload, and the assistance and medical
amounts (one screen, one pipeline; the file's layout is chosen on the form)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiritsu.offices.access import action_required
from jiritsu.offices.http import OfficeRequest
from jiritsu.people import importing
from jiritsu.people.importing_amounts import LAYOUTS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    layout = forms.ChoiceField(label="取り込む内容", choices=[(k, v.label) for k, v in LAYOUTS.items()],
                               initial="caseload", required=False,
                               error_messages={"invalid_choice": "取り込む内容を一覧から選んでください。"})
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
            layout = LAYOUTS[form.cleaned_data["layout"] or "caseload"]
            try:
                rows = importing.read_table(upload.read(), upload.name, layout.columns)
                result = layout.upsert(actor=membership, rows=rows)
            except importing.CaseloadImportError as exc:
                form.add_error(None, exc.message)
                errors = exc.errors
            else:
                messages.success(request, f"{layout.label}：{layout.describe(result)}")
                return redirect("people:import")
    else:
        form = ImportForm()
    return render(request, "people/import.html",
                  {"form": form, "errors": errors, "layouts": LAYOUTS.values()})


@action_required("caseload.import")
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The layout's template (``?layout=assistance`` …; the caseload's by default)."""
    layout = request.GET.get("layout", "caseload")
    found = LAYOUTS.get(layout)
    if found is None:
        raise Http404
    name = f"{layout}_template"
    if fmt == "csv":
        resp = HttpResponse(importing.template_csv(found.columns), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    elif fmt == "xlsx":
        resp = HttpResponse(
            importing.template_xlsx(found.columns, found.sheet),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        raise Http404
    return resp
