"""The one template base every form (帳票) is printed on, and the act of printing one.

A form is a :class:`FormSpec`: its key, title, where the seed describes it, what it is printed
from (an episode, a consent, a conference …), the actions it needs, and a ``build`` function
that gathers the context and names every required field the record lacks. Printing:

1. ``build`` → a :class:`MissingFields` refusal naming each field (never a blank form);
2. the page is drawn to HTML on ``documents/print/base.html`` (header, 文書番号 where the form
   carries one, the office's name and its head's title and name, page numbers in the footer);
3. the text is checked for characters no installed font can draw (``glyphs``): reported as
   ``form_glyph_missing`` unless the user chose to print anyway;
4. WeasyPrint makes the A4 PDF; the print is audited (who printed which form, for whom).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.template.loader import render_to_string

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock, wareki
from jiritsu.core.errors import ValidationFailed
from jiritsu.documents.glyphs import MissingGlyph, missing_glyphs
from jiritsu.documents.models import FormIssue
from jiritsu.offices.models import Membership, Office
from jiritsu.offices.numbering import next_document_number

PRINT_CSS = Path(django_settings.BASE_DIR) / "static" / "css" / "forms-print.css"


class MissingFields(ValidationFailed):
    """The record lacks what the form must show: each missing field is named."""

    code = "form_missing_field"

    def __init__(self, title: str, missing: list[tuple[str, str]]) -> None:
        names = "、".join(f"「{label}」" for _, label in missing)
        super().__init__(f"{title}を印刷できません。{names}が記録されていません。",
                         details=[{"field": key, "code": "missing",
                                   "message": f"「{label}」が記録されていません。"}
                                  for key, label in missing])
        self.missing = missing


class GlyphsMissing(ValidationFailed):
    code = "form_glyph_missing"

    def __init__(self, title: str, glyphs: list[MissingGlyph]) -> None:
        chars = "、".join(f"「{g.char}」（{g.code}）" for g in glyphs)
        super().__init__(
            f"{title}に、インストールされたどのフォントにもない文字 {chars} があります。"
            "このまま印刷するとその文字は空白の四角になります。",
            details=[{"field": g.code, "code": "glyph_missing",
                      "message": f"「{g.char}」（{g.code}）: …{g.context}…"} for g in glyphs])
        self.glyphs = glyphs


class Need:
    """Collects the required fields a record lacks while a form's context is gathered."""

    def __init__(self) -> None:
        self.missing: list[tuple[str, str]] = []

    def __call__(self, value: Any, key: str, label: str) -> Any:
        if value is None or value == "" or value == [] or (hasattr(value, "exists")
                                                            and not value.exists()):
            self.missing.append((key, label))
        return value


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str
    source: str  # where the seed describes it (docs/forms.md)
    target: str  # what it is printed from: enrollment, referral, consent, conference …
    template: str
    build: Callable[[Any, Need], dict[str, Any]]
    actions: tuple[str, ...] = ("form.print",)
    numbered: bool = False  # an outgoing document: carries a 文書番号
    api_path: str = ""
    landscape: bool = False
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Printed:
    title: str
    filename: str
    pdf: bytes
    document_number: str


def _document_number(spec: FormSpec, office: Office, obj: Any, actor: Membership) -> str:
    """The form's 文書番号 in the office's format: given once per form and record (a reprint
    shows the same number), from the office's one running number (``offices.numbering``)."""
    pk = getattr(obj, "pk", 0) or 0
    issue = FormIssue.objects.filter(office=office, form_key=spec.key, object_id=pk).first()
    if issue is not None:
        return issue.document_number
    issued = next_document_number(office)  # the office's one running number
    FormIssue.objects.create(office=office, form_key=spec.key, object_id=pk,
                             fiscal_year=issued.fiscal_year, number=issued.number,
                             document_number=issued.text, issued_by=actor.user)
    return issued.text


def page_html(spec: FormSpec, obj: Any, *, office: Office, document_number: str = "") -> str:
    need = Need()
    context = spec.build(obj, need)
    if need.missing:
        raise MissingFields(spec.title, need.missing)
    context.update({
        "form": spec, "title": context.get("title", spec.title), "office": office,
        "head_title": office.head_title, "head_name": office.head_name,
        "document_number": document_number, "printed_on": wareki.format_wareki(clock.today()),
    })
    return render_to_string(spec.template, context)


_TAG = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.S)


def text_of(page: str) -> str:
    return html.unescape(_TAG.sub(" ", page))


def check(spec: FormSpec, obj: Any, *, office: Office) -> list[MissingGlyph]:
    """Refuse a form with missing fields; return the characters no font can draw."""
    return missing_glyphs(text_of(page_html(spec, obj, office=office)))


def to_pdf(page: str) -> bytes:
    from weasyprint import CSS, HTML  # heavy; loaded only when a PDF is made

    pdf = HTML(string=page, base_url=str(PRINT_CSS.parent)).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))])
    assert pdf is not None
    return pdf


def form_print(*, actor: Membership, spec: FormSpec, obj: Any, person: Any,
               people: tuple[Any, ...] = (), allow_missing_glyphs: bool = False) -> Printed:
    """Print ``spec`` from ``obj`` (already reached through its access function): refusals
    first, then the PDF, then one audit event naming the form and the person."""
    office = actor.office
    glyphs = check(spec, obj, office=office)
    if glyphs and not allow_missing_glyphs:
        raise GlyphsMissing(spec.title, glyphs)
    with transaction.atomic():
        number = _document_number(spec, office, obj, actor) if spec.numbered else ""
        pdf = to_pdf(page_html(spec, obj, office=office, document_number=number))
        record(actor=actor.user, office=office, action="form.print",
               kind=AuditEvent.Kind.EXPORT, target=obj if hasattr(obj, "_meta") else None,
               person=person, changes={"form": spec.key, "format": "pdf",
                                       "missing_glyphs": [g.code for g in glyphs]},
               note=f"{spec.title} {number}".strip(), people=people)
    stem = f"{spec.title}_{number or getattr(obj, 'pk', '')}".rstrip("_")
    return Printed(spec.title, f"{stem}.pdf", pdf, number)
