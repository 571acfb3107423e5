"""A4 documents an office mails: 指導指示書, 弁明の機会の付与について, 決定通知書.

Rendered from Django templates with WeasyPrint. The print stylesheet is read from
static/css/guidance-print.css on disk (no network); fonts come from the system
(Noto CJK), subset into the PDF — never embedded whole.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings as django_settings
from django.template.loader import render_to_string

from jiritsu.core.wareki import format_wareki
from jiritsu.guidance.models import GuidanceSettings, GuidanceStep

K = GuidanceStep.Kind
PRINT_CSS = Path(django_settings.BASE_DIR) / "static" / "css" / "guidance-print.css"

DECISION_TITLES: dict[str, str] = {
    GuidanceStep.DecisionKind.CHANGE: "保護変更決定通知書",
    GuidanceStep.DecisionKind.SUSPEND: "保護停止決定通知書",
    GuidanceStep.DecisionKind.ABOLISH: "保護廃止決定通知書",
}
DECISION_VERBS: dict[str, str] = {
    GuidanceStep.DecisionKind.CHANGE: "変更",
    GuidanceStep.DecisionKind.SUSPEND: "停止",
    GuidanceStep.DecisionKind.ABOLISH: "廃止",
}


def document_title(step: GuidanceStep) -> str:
    if step.kind == K.WRITTEN_INSTRUCTION:
        return "指導指示書"
    if step.kind == K.NOTICE:
        return "弁明の機会の付与について"
    return DECISION_TITLES[step.decision_kind]


def document_date(step: GuidanceStep) -> str:
    """The date printed on the document: issue date, or the approval date for a decision."""
    day = step.approved_on if step.kind == K.DECISION else step.occurred_on
    return format_wareki(day)


def render_step_html(step: GuidanceStep, *, settings: GuidanceSettings) -> tuple[str, str]:
    case = step.case
    person = case.person
    household = person.household
    steps = list(case.steps.order_by("occurred_on", "id"))
    template = {K.WRITTEN_INSTRUCTION: "guidance/print/instruction.html",
                K.NOTICE: "guidance/print/notice.html",
                K.DECISION: "guidance/print/decision.html"}[GuidanceStep.Kind(step.kind)]
    title = document_title(step)
    context = {
        "title": title,
        "step": step,
        "case": case,
        "person": person,
        "household": household,
        "office": case.office,
        "settings": settings,
        "date": document_date(step),
        "verb": DECISION_VERBS.get(step.decision_kind, ""),
        "written": [s for s in steps if s.kind == K.WRITTEN_INSTRUCTION],
        "noncompliance": {s.instruction_id: s for s in steps if s.kind == K.NONCOMPLIANCE},
        "notice": next((s for s in reversed(steps) if s.kind == K.NOTICE
                        and s.pk != step.pk), None),
        "hearing": next((s for s in reversed(steps) if s.kind == K.HEARING), None),
    }
    return title, render_to_string(template, context)


def render_step_pdf(step: GuidanceStep, *, settings: GuidanceSettings) -> tuple[str, bytes]:
    from weasyprint import CSS, HTML

    title, html = render_step_html(step, settings=settings)
    pdf = HTML(string=html, base_url=str(PRINT_CSS.parent)).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))])
    assert pdf is not None
    return title, pdf
