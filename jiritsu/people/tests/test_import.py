"""Caseload import: all-or-nothing, every error by row and column, re-import updates."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from jiritsu.audit.models import AuditEvent
from jiritsu.core.clock import JAPAN
from jiritsu.people import importing
from jiritsu.people.importing import CaseloadImportError, read_table, upsert_caseload
from jiritsu.people.models import Disability, HospitalStay, Household, HouseholdTypeChange, Person

pytestmark = pytest.mark.django_db

HEADER = ["ケース番号", "世帯員番号", "世帯類型", "地区", "地区担当員", "保護開始日", "氏名", "ふりがな",
          "生年月日", "性別", "続柄", "就労状況", "就労収入", "学年", "障害", "傷病", "入院日", "入院先",
          "精神科病棟"]


def rows_csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


GOOD = [
    ["200001", "1", "母子", "港地区", "cw_a", "R6.4.1", "髙橋 花子", "たかはし はなこ", "1985-06-01", "女",
     "世帯主", "パート", "85000", "", "", "高血圧症", "", "", ""],
    ["200001", "2", "", "", "", "", "髙橋 一郎", "タカハシ イチロウ", "H23.5.10", "男", "子", "就学中",
     "0", "中3", "", "", "", "", ""],
    ["200002", "1", "障害者", "北地区", "cw_a", "2020-01-15", "山﨑 太郎", "やまさき たろう",
     "昭和40年3月3日", "男", "世帯主", "", "", "", "精神2級", "統合失調症（精神）", "2025-01-10",
     "港の丘病院", "はい"],
]


def import_file(world, data: bytes, name: str = "caseload.csv"):
    return upsert_caseload(actor=world.m(world.supervisor), rows=read_table(data, name))


def test_import_creates_households_people_and_parts_with_audit(world):
    result = import_file(world, rows_csv(GOOD))
    assert (result.households_created, result.people_created) == (2, 3)
    h = Household.objects.get(office=world.office, case_number="200001")
    assert h.household_type == "single_mother" and h.caseworker == world.caseworker
    assert h.assistance_started_on == dt.date(2024, 4, 1)
    child = Person.objects.get(household=h, member_number=2)
    assert child.school_grade == "j3" and child.birth_date == dt.date(2011, 5, 10)
    taro = Person.objects.get(household__case_number="200002")
    assert taro.name == "山﨑 太郎"
    assert Disability.objects.get(person=taro).grade == "2級"
    stay = HospitalStay.objects.get(person=taro)
    assert stay.psychiatric and stay.admitted_on == dt.date(2025, 1, 10) and stay.discharged_on is None
    assert taro.illnesses.get().is_psychiatric
    assert HouseholdTypeChange.objects.filter(household=h).count() == 1
    summary = AuditEvent.objects.get(action="caseload.import")
    assert summary.changes["people_created"] == 3 and summary.actor_id == world.supervisor.pk
    assert AuditEvent.objects.filter(action="person.import_create").count() == 3


def test_any_bad_row_writes_nothing_and_reports_every_error_by_row_and_column(world):
    bad = [list(r) for r in GOOD]
    bad[0][8] = "1985-02-30"  # no such date
    bad[1][7] = "Ichiro"  # not kana
    bad[2][4] = "nobody"  # unknown caseworker
    bad[2][2] = "富裕層"  # unknown type
    with pytest.raises(CaseloadImportError) as exc:
        import_file(world, rows_csv(bad))
    errors = {(e["row"], e["column"]) for e in exc.value.errors}
    assert errors == {(2, "生年月日"), (3, "ふりがな"), (4, "地区担当員"), (4, "世帯類型")}
    assert all(e["message"] for e in exc.value.errors)
    assert not Household.objects.filter(case_number__in=["200001", "200002"]).exists()
    assert not AuditEvent.objects.filter(action__startswith="caseload").exists()


def test_future_dated_facts_are_refused_per_row_and_nothing_is_written(world):
    """Start of assistance, admission and birth are facts: never after today in Japan (the
    one rule of jiritsu.core.clock.not_after_today), reported with their row and column."""
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 45, tzinfo=JAPAN), tick=False):
        bad = [list(r) for r in GOOD]
        bad[0][5] = "R8.11.21"  # assistance starts tomorrow
        bad[1][8] = "2026-12-01"  # born next month
        bad[2][16] = "2027-01-10"  # admitted next year
        with pytest.raises(CaseloadImportError) as exc:
            import_file(world, rows_csv(bad))
        errors = {(e["row"], e["column"]): e["message"] for e in exc.value.errors}
        assert set(errors) == {(2, "保護開始日"), (3, "生年月日"), (4, "入院日")}
        assert str(errors[(2, "保護開始日")]).startswith("保護開始日に未来の日付（令和8年11月21日）")
        assert not Household.objects.filter(case_number__in=["200001", "200002"]).exists()
        bad[0][5], bad[1][8], bad[2][16] = "R8.11.20", "2026-11-20", "2026-11-20"
        assert import_file(world, rows_csv(bad)).people_created == 3


def test_reimport_updates_instead_of_duplicating(world):
    import_file(world, rows_csv(GOOD))
    again = import_file(world, rows_csv(GOOD))
    assert (again.households_created, again.people_created, again.people_updated) == (0, 0, 0)
    assert again.people_unchanged == 3
    changed = [list(r) for r in GOOD]
    changed[0][12] = "120000"
    changed[0][2] = "その他"
    result = import_file(world, rows_csv(changed))
    assert (result.people_updated, result.households_updated) == (1, 1)
    assert Person.objects.filter(household__case_number="200001").count() == 2
    hanako = Person.objects.get(household__case_number="200001", member_number=1)
    assert hanako.earned_income == 120000 and hanako.version == 2
    h = hanako.household
    assert h is not None and h.household_type == "other"
    assert list(h.type_history.values_list("household_type", flat=True)) == ["single_mother", "other"]
    ev = AuditEvent.objects.get(action="person.import_update", person_id=hanako.pk)
    assert ev.changes["earned_income"] == [85000, 120000]


def test_duplicate_keys_and_inconsistent_household_columns_are_reported(world):
    dup = [list(r) for r in GOOD] + [list(GOOD[1])]
    dup[1][3] = "南地区"
    with pytest.raises(CaseloadImportError) as exc:
        import_file(world, rows_csv(dup))
    errors = {(e["row"], e["column"]) for e in exc.value.errors}
    assert (5, "世帯員番号") in errors and (3, "地区") in errors


def test_cp932_file_with_taka_imports(world):
    result = import_file(world, rows_csv(GOOD, encoding="cp932"))
    assert result.people_created == 3
    assert Person.objects.filter(name="髙橋 花子").exists()


def test_utf8_with_bom_keeps_characters_outside_cp932(world):
    rows = [list(GOOD[0])]
    rows[0][6] = "𠮷田 𩸽子"
    rows[0][7] = "よしだ ほっけこ"
    data = b"\xef\xbb\xbf" + rows_csv(rows)
    import_file(world, data)
    assert Person.objects.get(household__case_number="200001").name == "𠮷田 𩸽子"


def test_ivs_sequence_survives_import_unchanged(world):
    rows = [list(GOOD[0])]
    rows[0][6] = "葛\U000E0100城 花子"
    import_file(world, rows_csv(rows))
    assert Person.objects.get(household__case_number="200001").name == "葛\U000E0100城 花子"


def test_xlsx_template_and_file_import(world):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in GOOD:
        row: list[object] = list(r)
        row[1] = int(r[1])  # numbers come as numbers from Excel
        row[0] = float(r[0])
        ws.append(row)
    ws.cell(row=2, column=9).value = dt.datetime(1985, 6, 1)  # noqa: DTZ001 (a spreadsheet cell has no zone)
    buf = io.BytesIO()
    wb.save(buf)
    result = import_file(world, buf.getvalue(), "caseload.xlsx")
    assert result.people_created == 3
    assert Person.objects.get(name="髙橋 花子").birth_date == dt.date(1985, 6, 1)
    # The downloadable templates read back with every column recognised.
    assert len(read_table(importing.template_xlsx(), "t.xlsx")) == 2
    assert len(read_table(importing.template_csv(), "t.csv")) == 2


def test_unknown_and_missing_columns_are_reported(world):
    data = "ケース番号,氏名,年収\n1,山田,0\n".encode()
    with pytest.raises(CaseloadImportError) as exc:
        read_table(data, "x.csv")
    columns = {e["column"] for e in exc.value.errors}
    assert {"年収", "世帯員番号", "ふりがな", "生年月日", "性別"} <= columns


def test_caseworker_cannot_import(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upsert_caseload(actor=world.m(world.caseworker), rows=[])


def test_import_screen_shows_errors_and_imports(client, world):
    client.force_login(world.supervisor)
    url = reverse("people:import")
    assert client.get(url).status_code == 200
    bad = [list(r) for r in GOOD]
    bad[0][9] = "?"
    resp = client.post(url, {"file": _upload(rows_csv(bad))})
    body = resp.content.decode()
    assert resp.status_code == 200 and "性別" in body and "2" in body
    assert not Household.objects.filter(case_number="200001").exists()
    resp = client.post(url, {"file": _upload(rows_csv(GOOD))})
    assert resp.status_code == 302
    assert Household.objects.filter(case_number="200001").exists()
    assert client.get(reverse("people:import_template", args=["csv"])).status_code == 200
    xlsx = client.get(reverse("people:import_template", args=["xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_caseworker_gets_403_on_import_screen(client, world):
    client.force_login(world.caseworker)
    assert client.get(reverse("people:import")).status_code == 403


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("caseload.csv", data, content_type="text/csv")


def test_nul_byte_is_a_row_error_not_a_server_error(client, world):
    """PostgreSQL refuses NUL in text: the file's cell is named instead (screen and service)."""
    bad = [list(r) for r in GOOD]
    bad[1][6] = "髙橋\x00一郎"
    with pytest.raises(CaseloadImportError) as exc:
        import_file(world, rows_csv(bad))
    assert [(e["row"], e["column"]) for e in exc.value.details] == [(3, "氏名")]
    assert "NUL" in str(exc.value.details[0]["message"])
    client.force_login(world.supervisor)
    resp = client.post(reverse("people:import"), {"file": _upload(rows_csv(bad))})
    assert resp.status_code == 200 and "NUL" in resp.content.decode()
    assert not Household.objects.filter(case_number="200001").exists()
