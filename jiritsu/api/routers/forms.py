"""Forms (帳票) through the API: one operation per form, on the path of the record it prints
from (``/enrollments/{enrollment_id}/forms/support-plan`` …). The answer is the PDF; a record
missing a required field answers 422 ``form_missing_field`` naming each field, and a character
no installed font can draw 422 ``form_glyph_missing`` unless ``confirm=true``. Every print is
audited (who printed which form, for whom)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from ninja import Query, Router

from jiritsu.api.common import ERRORS, Id, acting, download, file_operation
from jiritsu.api.http import ApiRequest
from jiritsu.documents.access import get_form_target
from jiritsu.documents.catalogue import FORMS
from jiritsu.documents.printing import FormSpec, form_print

router = Router()


def _print(request: ApiRequest, spec: FormSpec, pk: int, *, confirm: bool,
           fiscal_year: int | None = None) -> HttpResponse:
    m = acting(request, "form.print")
    target = get_form_target(m, spec.target, pk, fiscal_year=fiscal_year)
    printed = form_print(actor=m, spec=spec, obj=target.obj, person=target.person,
                         people=target.people, allow_missing_glyphs=confirm)
    return download(printed.pdf, printed.filename, "application/pdf")


def _operation(spec: FormSpec) -> Callable[..., HttpResponse]:
    """An operation whose path parameter is named as in ``spec.api_path`` (``{consent_id}``)."""
    if spec.target == "year":
        def year_op(request: ApiRequest, fiscal_year: int | None = None,
                    confirm: bool = False) -> HttpResponse:
            return _print(request, spec, 0, confirm=confirm, fiscal_year=fiscal_year)

        year_op.__dict__["__signature__"] = inspect.Signature([
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              annotation=ApiRequest),
            inspect.Parameter("fiscal_year", inspect.Parameter.KEYWORD_ONLY,
                              default=Query(None, ge=1990, le=2100, description="年度（西暦。省略時は今年度）"),
                              annotation=int | None),
            inspect.Parameter("confirm", inspect.Parameter.KEYWORD_ONLY, default=False,
                              annotation=bool)])
        return year_op
    name = spec.api_path.split("{", 1)[1].split("}", 1)[0]

    def op(request: ApiRequest, confirm: bool = False, **path: Any) -> HttpResponse:
        return _print(request, spec, path[name], confirm=confirm)

    op.__dict__["__signature__"] = inspect.Signature([
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=ApiRequest),
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Id),
        inspect.Parameter("confirm", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=bool)])
    return op


for _spec in FORMS.values():
    _view = _operation(_spec)
    _view.__name__ = f"form_{_spec.key.replace('-', '_')}"
    router.add_api_operation(
        _spec.api_path, ["GET"], _view, response=dict(ERRORS),
        operation_id=f"form_{_spec.key.replace('-', '_')}",
        openapi_extra=file_operation("application/pdf", description=f"{_spec.title}（A4 PDF）"),
        summary=f"帳票「{_spec.title}」のPDF（必須項目の不足は422 form_missing_field、"
                "描けない文字は422 form_glyph_missing〔confirm=trueで印刷〕。出力は監査ログに記録）")
