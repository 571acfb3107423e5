"""Files: Excel read back, CSV in both encodings with the cp932 refusal, PDF rendered."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import ValidationFailed
from jiritsu.reports import services
from jiritsu.reports.periods import Period
from jiritsu.reports.tests import factories as f
from jiritsu.reports.tests.conftest import D, History

FY2025 = Period.for_fiscal_year(2025)


def test_excel_is_a_submission_sheet_with_numbers_as_numbers(world: Any, history: History) -> None:
    out = services.report_export(actor=world.m(world.caseworker), period=FY2025, fmt="xlsx")
    wb = load_workbook(io.BytesIO(out.content))
    assert wb.sheetnames == ["概要", "プログラム別", "策定状況", "成果・終了理由", "目標", "月別",
                             "効果", "移行", "担当員別世帯数"]
    ws = wb["プログラム別"]
    assert ws["A1"].value.startswith("令和7年度 自立支援プログラム実施状況")
    assert [c.value for c in ws[3]][:5] == ["プログラム名", "自立の種類", "策定年月",
                                            "対象者数", "参加者数"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    emp = rows["精神障害者就労支援プログラム"]
    assert emp[3:9] == (5, 4, 3, 2, 3, 2)
    assert all(isinstance(v, int) for v in emp[3:9])
    assert emp[9] == 139.5
    total = rows["合計（実人数）"]
    assert total[3:9] == (8, 5, 4, 3, 4, 3)
    assert ws.column_dimensions["A"].width == 40
    takehara = list(wb["策定状況"].iter_rows(min_row=4, values_only=True))
    assert ("精神障害者就労支援プログラム", "平成18年9月", 5, 2) in takehara
    kpi = wb["概要"]
    assert (kpi["A4"].value, kpi["E4"].value) == ("事業参加率", 65)
    assert isinstance(kpi["B4"].value, int) and isinstance(kpi["C4"].value, int)
    event = AuditEvent.objects.get(action="report.export")
    assert (event.kind, event.changes["format"]) == ("export", "xlsx")


def test_csv_utf8_with_bom_and_cp932(world: Any, history: History) -> None:
    m = world.m(world.caseworker)
    utf8 = services.report_export(actor=m, period=FY2025, fmt="csv", table="takehara").content
    assert utf8.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(utf8.decode("utf-8-sig"))))
    assert rows[0] == ["プログラム名", "策定年月", "支援対象者数", "達成者数"]
    assert ["精神障害者就労支援プログラム", "平成18年9月", "5", "2"] in rows
    sjis = services.report_export(actor=m, period=FY2025, fmt="csv", table="takehara",
                                  encoding="cp932").content
    assert list(csv.reader(io.StringIO(sjis.decode("cp932")))) == rows
    assert AuditEvent.objects.filter(action="report.export", kind="export").count() == 2


def test_cp932_refusal_names_rows_and_characters(world: Any, history: History) -> None:
    m = world.m(world.caseworker)
    cw = world.caseworker
    ivs = "葛\U000e0100城 太郎"
    odd = [f.person(world.office, name=name) for name in ("吉田 𠮷男", ivs, "𩸽野 一")]
    for p in odd:
        f.enroll(p, history.employment, cw, candidate_on=D(2025, 5, 1), started_on=D(2025, 5, 1))
    people = list(history.employment.enrollments.filter(person__in=odd).values_list("person", flat=True))
    from jiritsu.people.models import Person
    listed = list(Person.objects.filter(pk__in=people).order_by("pk"))
    with pytest.raises(ValidationFailed) as exc:
        services.people_export(actor=m, period=FY2025, figure="participants", people=listed,
                               label="参加者数", encoding="cp932")
    err = exc.value
    assert err.code == "cp932_unencodable"
    assert "2行目" in err.message and "「𠮷」" in err.message
    assert "3行目" in err.message and "\U000e0100" in err.message
    assert "4行目" in err.message and "「𩸽」" in err.message
    assert [d["row"] for d in err.details] == [2, 3, 4]
    assert not AuditEvent.objects.filter(action="report.people_export").exists()
    # UTF-8 carries every character exactly.
    out = services.people_export(actor=m, period=FY2025, figure="participants", people=listed,
                                 label="参加者数", encoding="utf-8")
    text = out.content.decode("utf-8-sig")
    assert "吉田 𠮷男" in text and ivs in text and "𩸽野 一" in text
    assert AuditEvent.objects.get(action="report.people_export").changes["people"] == [p.pk for p in listed]


def test_cp932_refusal_through_the_screen(client: Any, world: Any, history: History) -> None:
    cw = world.caseworker
    f.enroll(world.person, history.employment, cw, candidate_on=D(2025, 5, 1),
             started_on=D(2025, 5, 1))
    client.force_login(cw)
    url = (f"/reports/people/?fy=2025&figure=participants&program={history.employment.pk}"
           "&format=csv-cp932")
    res = client.get(url, follow=True)
    html = res.content.decode()
    assert "Shift_JIS（cp932）で表せない文字" in html and "髙橋 𠮷子" in html and "「𠮷」" in html


def test_pdf_is_a4_with_embedded_japanese_font_and_charts(world: Any, history: History,
                                                          tmp_path: Path) -> None:
    out = services.report_export(actor=world.m(world.supervisor), period=FY2025, fmt="pdf")
    assert out.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(out.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-JP" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "令和7年度 自立支援プログラム実施状況" in text
    assert "平成18年9月" in text and "月別の参加者数と達成者数" in text
    assert "令和7年4月1日〜令和8年3月31日" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_export_refuses_unknown_format_and_table(world: Any, history: History) -> None:
    m = world.m(world.caseworker)
    with pytest.raises(ValidationFailed):
        services.report_export(actor=m, period=FY2025, fmt="docx")
    with pytest.raises(ValidationFailed):
        services.report_export(actor=m, period=FY2025, fmt="csv", table="everything")
    assert not AuditEvent.objects.filter(action="report.export").exists()
