"""Report files: Excel laid out like a submission sheet, CSV (UTF-8 with BOM or cp932), PDF.

Builders are pure: report dict in, bytes out. Access checks and the audit row live in
services.py, which is the only caller.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jiritsu.core import wareki
from jiritsu.core.cp932 import unencodable_chars
from jiritsu.core.errors import ValidationFailed
from jiritsu.core.spreadsheet import append_row, csv_writer
from jiritsu.people.models import Person
from jiritsu.reports.charts import report_charts

Cell = str | int | float | None

# ---- tables (shared by Excel, CSV and PDF) ----------------------------------------------

# The program's name leads (its internal code is not for readers and widened the first column).
PROGRAM_HEADERS = ["プログラム名", "自立の種類", "策定年月", "対象者数", "参加者数",
                   "開始者数", "終了者数", "継続者数", "達成者数", "達成までの日数（中央値）"]
TAKEHARA_HEADERS = ["プログラム名", "策定年月", "支援対象者数", "達成者数"]


def program_rows(report: dict[str, Any]) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [p["name"], p["kind_label"], p["established_label"], p["eligible"],
         p["participants"], p["started"], p["ended"], p["continuing"], p["achieved"],
         p["median_days_to_achievement"]] for p in report["programs"]]
    t = report["totals"]
    rows.append(["合計（実人数）", "", "", t["eligible"], t["participants"], t["started"],
                 t["ended"], t["continuing"], t["achieved"], t["median_days_to_achievement"]])
    return rows


def takehara_rows(report: dict[str, Any]) -> list[list[Cell]]:
    return [[p["name"], p["established_label"], p["eligible"], p["achieved"]]
            for p in report["programs"]]


def breakdown_rows(report: dict[str, Any]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for p in [*report["programs"], {"name": "合計（実人数）", **report["totals"]}]:
        for section, title in (("outcomes_by_kind", "成果"), ("destinations", "退院先"),
                               ("ended_by_reason", "終了理由"), ("results", "結果検討会")):
            rows.extend([p["name"], title, item["label"], item["n"]]
                        for item in p.get(section, []))
    return rows


def target_rows(report: dict[str, Any]) -> list[list[Cell]]:
    return [[t["program_name"], t["label"], t["metric_label"], t["span_label"], t["value"],
             t["baseline"], t["progress"], t["rate"], t["remaining"]] for t in report["targets"]]


TARGET_HEADERS = ["プログラム名", "目標", "指標", "対象年度", "目標値", "基準値", "実績（累計）",
                  "達成率（％）", "残り"]
KPI_HEADERS = ["指標", "分子（人・世帯）", "分母（人・世帯）", "率（％）", "国の目標（％）"]
CASELOAD_HEADERS = ["地区担当員", "担当世帯数", "標準数", "標準超過"]


def kpi_rows(report: dict[str, Any]) -> list[list[Cell]]:
    return [[k["label"], k["numerator"], k["denominator"], k["rate"], k["national_target"]]
            for k in (report.get("kpis") or {}).values()]


def caseload_rows(report: dict[str, Any]) -> list[list[Cell]]:
    cl = report.get("caseload") or {"rows": []}
    return [[r["name"], r["households"], r["standard"], "超過" if r["over"] else ""]
            for r in cl["rows"]]


EFFECT_HEADERS = [
    "プログラム名", "就労・増収者数", "就労収入認定額の増加（月額・世帯計、円）", "増加の算定世帯数",
    "効果額（達成後12か月、円）", "効果額（年度末まで、円）", "効果額の算定世帯数",
    "就労による保護廃止（人）", "医療の比較対象者数",
    "6か月 人数", "6か月 医療費 開始前（円）", "6か月 医療費 退院・終了後（円）", "6か月 医療費 増減（円）",
    "6か月 入院日数 開始前", "6か月 入院日数 退院・終了後", "6か月 減った入院日数",
    "12か月 人数", "12か月 医療費 開始前（円）", "12か月 医療費 退院・終了後（円）",
    "12か月 医療費 増減（円）", "12か月 入院日数 開始前", "12か月 入院日数 退院・終了後",
    "12か月 減った入院日数"]


def effect_rows(report: dict[str, Any]) -> list[list[Cell]]:
    """The effects section: one row per program and the office total (rules: docs/reports.md)."""
    rows: list[list[Cell]] = []
    for name, e in [*((p["name"], p["effects"]) for p in report["programs"]),
                    ("合計（実人数・世帯は1回）", report["totals"]["effects"])]:
        medical: list[Cell] = []
        for n in (6, 12):
            m = e[f"m{n}"]
            medical += ([m["people"], m["cost_before"], m["cost_after"], m["cost_change"],
                         m["days_before"], m["days_after"], m["days_avoided"]]
                        if e["is_health"] else [None] * 7)
        rows.append([name, e["work"], e["income_increase"], e["income_households"],
                     e["effect_12"], e["effect_to_end"], e["amount_households"],
                     e["closed_by_work"], e["medical_people"] if e["is_health"] else None,
                     *medical])
    return rows


PEOPLE_HEADERS = ["ケース番号", "世帯員番号", "氏名", "ふりがな", "生年月日", "性別"]


def people_rows(people: Iterable[Person]) -> list[list[Cell]]:
    return [[p.household.case_number if p.household else "", p.member_number, p.name, p.kana,
             wareki.format_wareki(p.birth_date), p.get_sex_display()] for p in people]


def people_xlsx(label: str, rows: Sequence[Sequence[Cell]]) -> bytes:
    """The people behind one figure as a one-sheet workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "対象者一覧", label, PEOPLE_HEADERS, rows, [14, 10, 20, 24, 16, 8])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def heading(report: dict[str, Any]) -> str:
    return f"{report['period']['label']} 自立支援プログラム実施状況（{report['office']['name']}）"


# ---- Excel ------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")


def _sheet(wb: Workbook, title: str, caption: str, headers: Sequence[str],
           rows: Sequence[Sequence[Cell]], widths: Sequence[int],
           rate_columns: Sequence[int] = ()) -> Worksheet:
    ws = wb.create_sheet(title)
    append_row(ws, [caption])
    ws["A1"].font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    append_row(ws, [])
    append_row(ws, headers)
    for col in range(1, len(headers) + 1):
        cell = ws.cell(row=3, column=col)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        append_row(ws, row)
        r = ws.max_row
        for col in range(1, len(headers) + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = _BORDER
            if isinstance(cell.value, int | float):
                cell.number_format = "0.0" if col in rate_columns else "#,##0"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "3:3"
    return ws


def report_xlsx(report: dict[str, Any]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    title = heading(report)
    period = report["period"]
    summary = _sheet(wb, "概要", title, KPI_HEADERS, kpi_rows(report), [30, 16, 16, 12, 14],
                     rate_columns=(4, 5))
    append_row(summary, [])
    append_row(summary, ["対象期間", f"{wareki.format_wareki(_date(period['start']))}〜"
                    f"{wareki.format_wareki(_date(period['end']))}"])
    cl = report.get("caseload")
    if cl:
        append_row(summary, ["標準数（1人あたり世帯数）", cl["standard"]])
        append_row(summary, ["被保護世帯数（期末）", cl["open_households"]])
        append_row(summary, ["地区担当員数", cl["caseworkers"]])
        append_row(summary, ["1人あたり平均世帯数", cl["average"]])
    _sheet(wb, "プログラム別", title, PROGRAM_HEADERS, program_rows(report),
           [40, 14, 14, 10, 10, 10, 10, 10, 10, 14], rate_columns=(10,))
    _sheet(wb, "策定状況", f"{title}　（単位：人）", TAKEHARA_HEADERS, takehara_rows(report),
           [44, 14, 14, 12])
    _sheet(wb, "成果・終了理由", title, ["プログラム名", "区分", "項目", "人数"],
           breakdown_rows(report), [40, 12, 24, 10])
    _sheet(wb, "目標", title, TARGET_HEADERS, target_rows(report),
           [36, 30, 16, 24, 10, 10, 12, 12, 10], rate_columns=(8,))
    _sheet(wb, "月別", title, ["月", "参加者数", "達成者数"],
           [[m["wareki"], None if m.get("future") else m["participants"],
             None if m.get("future") else m["achieved"]] for m in report["monthly"]],
           [16, 12, 12])
    _sheet(wb, "効果", f"{title}　効果（受信済み：保護費 "
           f"{report['effects_horizon']['assistance_label']}、医療扶助 "
           f"{report['effects_horizon']['medical_label']}）", EFFECT_HEADERS, effect_rows(report),
           [40, *([14] * (len(EFFECT_HEADERS) - 1))])
    _sheet(wb, "移行", title, ["移行元", "移行先", "人数"],
           [[t["from"], t["to"], t["n"]] for t in report["transfers"]], [40, 40, 10])
    if cl:
        _sheet(wb, "担当員別世帯数", title, CASELOAD_HEADERS, caseload_rows(report),
               [24, 14, 10, 10])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _date(iso: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(iso)


# ---- CSV --------------------------------------------------------------------------------

ENCODINGS = {"utf-8": "utf-8-sig", "cp932": "cp932"}


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]], encoding: str) -> bytes:
    """UTF-8 with BOM (Excel opens it correctly) or cp932. For cp932, refuse with the rows
    and characters it cannot carry rather than writing '?' in someone's name."""
    if encoding not in ENCODINGS:
        raise ValidationFailed("文字コードは utf-8 または cp932 を指定してください。",
                               field="encoding")
    if encoding == "cp932":
        problems: list[tuple[int, list[str], str]] = []  # (line, characters, the row's text)
        for line_no, row in enumerate([headers, *rows], start=1):
            bad = unencodable_chars("".join("" if v is None else str(v) for v in row))
            if bad:
                problems.append((line_no, bad,
                                 "、".join(str(v) for v in row if v not in (None, ""))[:60]))
        if problems:
            listing = "／".join(
                f"{line}行目（{text}）の「{'」「'.join(chars)}」" for line, chars, text in problems[:20])
            more = f" ほか{len(problems) - 20}行" if len(problems) > 20 else ""
            raise ValidationFailed(
                "Shift_JIS（cp932）で表せない文字があるため、文字化けを防ぐために出力を中止しました。"
                f"UTF-8で出力してください。該当: {listing}{more}",
                code="cp932_unencodable", field="encoding",
                details=[{"row": line, "chars": chars} for line, chars, _ in problems])
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue().encode(ENCODINGS[encoding])


CSV_TABLES = {
    "programs": ("プログラム別", PROGRAM_HEADERS, program_rows),
    "takehara": ("策定状況", TAKEHARA_HEADERS, takehara_rows),
    "targets": ("目標", TARGET_HEADERS, target_rows),
    "kpis": ("指標", KPI_HEADERS, kpi_rows),
    "caseload": ("担当員別世帯数", CASELOAD_HEADERS, caseload_rows),
    "effects": ("効果", EFFECT_HEADERS, effect_rows),
}


# ---- PDF --------------------------------------------------------------------------------

PDF_CSS = Path(settings.BASE_DIR) / "static" / "css" / "reports_pdf.css"


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    # Fonts are subset (WeasyPrint's default); full_fonts is never used.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(PDF_CSS))])


def report_pdf(report: dict[str, Any], deltas: list[dict[str, Any]] | None = None) -> bytes:
    html = render_to_string("reports/report_pdf.html", {
        "report": report, "charts": report_charts(report), "heading": heading(report),
        "program_headers": PROGRAM_HEADERS, "program_rows": program_rows(report),
        "takehara_rows": takehara_rows(report), "deltas": deltas or [],
        "effect_rows": effect_rows(report),
    })
    return html_to_pdf(html)
