"""Report actions: freeze a period as submitted, export files, disclose a person's data.

Every export (report files, people lists, disclosure) writes an audit row of kind
``export`` in the same transaction that produces the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, NotFound, ValidationFailed
from jiritsu.offices.guards import require as _require
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person
from jiritsu.programs.models import Program
from jiritsu.reports import disclosure, exports, figures, selectors
from jiritsu.reports.access import can_see_people
from jiritsu.reports.models import FrozenReport
from jiritsu.reports.periods import Period


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


PEOPLE_EXPORT_LIMIT = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



@transaction.atomic
def report_freeze(*, actor: Membership, period: Period, note: str = "") -> FrozenReport:
    """確定（提出済み）: keep the full figures as they are now, with who and when."""
    _require(actor, "report.freeze")
    if len(note) > 2000:
        raise ValidationFailed("備考は2000文字以内で入力してください。", field="note")
    report = figures.office_report(actor.office, period)
    frozen = FrozenReport.objects.create(
        office=actor.office, period_start=period.start, period_end=period.end,
        fiscal_year=period.fiscal_year, label=period.label, figures=report, note=note,
        frozen_by=actor.user)
    record(actor=actor.user, office=actor.office, action="report.freeze",
           kind=AuditEvent.Kind.CREATE, target=frozen,
           after={"period_start": period.start, "period_end": period.end, "note": note})
    return frozen


def _stem(actor: Membership, period: Period, program: Program | None) -> str:
    base = f"report_{actor.office.code}_{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    return f"{base}_{program.code}" if program else base


@transaction.atomic
def report_export(*, actor: Membership, period: Period, fmt: str, table: str = "programs",
                  encoding: str = "utf-8", program: Program | None = None) -> ExportFile:
    """The report as xlsx / csv / pdf. Refusals (cp932) are raised before anything is logged."""
    _require(actor, "report.view")
    _require(actor, "export.run")
    data = selectors.report_with_delta(actor.office, period, program)
    report = data["report"]
    stem = _stem(actor, period, program)
    if fmt == "xlsx":
        out = ExportFile(exports.report_xlsx(report), f"{stem}.xlsx", XLSX)
    elif fmt == "pdf":
        out = ExportFile(exports.report_pdf(report, data["deltas"]), f"{stem}.pdf",
                         "application/pdf")
    elif fmt == "csv":
        if table not in exports.CSV_TABLES:
            raise ValidationFailed("出力する表を選んでください。", field="table")
        _, headers, rows = exports.CSV_TABLES[table]
        content = exports.to_csv(headers, rows(report), encoding)
        out = ExportFile(content, f"{stem}_{table}_{encoding}.csv",
                         f"text/csv; charset={'Shift_JIS' if encoding == 'cp932' else 'utf-8'}")
    else:
        raise ValidationFailed("出力形式は xlsx・csv・pdf のいずれかです。", field="format")
    record(actor=actor.user, office=actor.office, action="report.export",
           kind=AuditEvent.Kind.EXPORT, target=program,
           changes={"format": fmt, "table": table if fmt == "csv" else "",
                    "encoding": encoding if fmt == "csv" else "",
                    "period": [period.start.isoformat(), period.end.isoformat()]},
           note=out.filename)
    return out


@transaction.atomic
def people_export(*, actor: Membership, period: Period, figure: str, people: list[Person],
                  label: str, encoding: str = "utf-8", fmt: str = "csv") -> ExportFile:
    """The list of people behind one figure as CSV or Excel; the audit row names every
    person it carried (one link each), so the export is in each person's history."""
    _require(actor, "export.run")
    if not can_see_people(actor):
        raise Forbidden()
    stem = f"people_{actor.office.code}_{figure}_{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    rows = exports.people_rows(people)
    if fmt == "csv":
        out = ExportFile(exports.to_csv(exports.PEOPLE_HEADERS, rows, encoding),
                         f"{stem}_{encoding}.csv",
                         f"text/csv; charset={'Shift_JIS' if encoding == 'cp932' else 'utf-8'}")
    elif fmt == "xlsx":
        out = ExportFile(exports.people_xlsx(label, rows), f"{stem}.xlsx", XLSX)
    else:
        raise ValidationFailed("出力形式は csv・xlsx のいずれかです。", field="format")
    record(actor=actor.user, office=actor.office, action="report.people_export",
           kind=AuditEvent.Kind.EXPORT,
           changes={"figure": figure, "label": label, "people": [p.pk for p in people],
                    "period": [period.start.isoformat(), period.end.isoformat()],
                    "format": fmt, "encoding": encoding if fmt == "csv" else ""},
           note=out.filename, people=people)
    return out


@dataclass(frozen=True)
class FigurePeople:
    """The people behind one figure: the figure's own cohort rule, in kana order."""

    figure: str
    label: str
    people: QuerySet[Person]


def figure_people(*, actor: Membership, period: Period, figure: str, key: str = "",
                  program: Program | None = None,
                  to_program: Program | None = None) -> FigurePeople:
    """Who a figure counts (same rule as the count). Only for staff who may see people's
    files; the caller logs what it shows with :func:`log_people_view` (or exports it)."""
    _require(actor, "report.view")
    if not can_see_people(actor):
        raise Forbidden()
    if figure not in figures.FIGURE_LABELS:
        exc = NotFound("この集計項目はありません。")
        exc.field = "figure"
        raise exc
    for obj in (program, to_program):
        if obj is not None and obj.office_id != actor.office_id:
            raise NotFound()
    people = figures.people_for(actor.office, period, figure,
                                program_id=program.pk if program else None, key=key,
                                to_program_id=to_program.pk if to_program else None)
    label = figures.figure_label(figure, key)
    if program:
        label = f"{program.name} {label}"
    if to_program:
        label = f"{label}（→ {to_program.name}）"
    return FigurePeople(figure, label, people.select_related("household", "household__caseworker")
                        .order_by("kana_key", "id"))


def frozen_with_deltas(frozen: FrozenReport) -> dict[str, Any]:
    """A frozen report, its period and what has changed in the figures since it was frozen."""
    period = Period(frozen.period_start, frozen.period_end, frozen.fiscal_year)
    current = figures.office_report(frozen.office, period)
    return {"frozen": frozen, "period": period, "report": frozen.figures,
            "deltas": figures.deltas(frozen.figures, current)}


def log_people_view(*, actor: Membership, period: Period, figure: str, label: str,
                    people: list[Person]) -> None:
    """Opening the people behind a figure is a read of each of their files: audited, with
    one link per person shown (in each person's history)."""
    record(actor=actor.user, office=actor.office, action="report.people",
           kind=AuditEvent.Kind.VIEW,
           changes={"figure": figure, "label": label, "people": [p.pk for p in people],
                    "period": [period.start.isoformat(), period.end.isoformat()]},
           people=people)


def frozen_summary(frozen: FrozenReport) -> dict[str, Any]:
    return {"id": frozen.pk, "label": frozen.label, "frozen_at": frozen.frozen_at.isoformat(),
            "frozen_by": str(frozen.frozen_by), "note": frozen.note}


@transaction.atomic
def person_disclose(*, actor: Membership, person: Person, fmt: str = "zip") -> ExportFile:
    """開示請求: everything held on one person as PDF + JSON (zip), or either alone."""

    _require(actor, "person.disclose")
    if person.office_id != actor.office_id:
        raise Forbidden()
    if fmt not in ("zip", "pdf", "json"):
        raise ValidationFailed("出力形式は zip・pdf・json のいずれかです。", field="format")
    sections = disclosure.collect(person)
    now = clock.now()
    stem = f"disclosure_{actor.office.code}_{person.pk}_{clock.to_japan(now):%Y%m%d}"
    files: dict[str, bytes] = {}
    if fmt in ("zip", "json"):
        files[f"{stem}.json"] = disclosure.as_json(
            person, sections, generated_at=now, office_name=actor.office.name,
            actor_label=str(actor.user))
    if fmt in ("zip", "pdf"):
        files[f"{stem}.pdf"] = disclosure.as_pdf(
            person, sections, generated_at=now, office_name=actor.office.name,
            actor_label=str(actor.user))
    if fmt == "zip":
        files.update({f"{stem}/{name}": data
                      for name, data in disclosure.collect_files(person).items()})
        out = ExportFile(disclosure.as_zip(files), f"{stem}.zip", "application/zip")
    elif fmt == "pdf":
        out = ExportFile(files[f"{stem}.pdf"], f"{stem}.pdf", "application/pdf")
    else:
        out = ExportFile(files[f"{stem}.json"], f"{stem}.json", "application/json")
    record(actor=actor.user, office=actor.office, action="person.disclose",
           kind=AuditEvent.Kind.EXPORT, target=person, person=person,
           changes={"format": fmt, "sections": [s.key for s in sections]}, note=out.filename)
    return out
