"""Importing assistance and medical amounts: the caseload import's pipeline (all or nothing,
every error by row and column in Japanese, idempotent), the office's own cases only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.people.importing import CaseloadImportError, read_table
from jiritsu.people.importing_amounts import (
    ASSISTANCE_COLUMNS,
    MEDICAL_COLUMNS,
    upsert_assistance,
    upsert_medical,
)
from jiritsu.people.models import AssistanceMonth, MedicalClaimMonth

pytestmark = pytest.mark.django_db

A_HEADER = ["ケース番号", "年月", "最低生活費", "収入認定額（就労）", "生活扶助", "住宅扶助", "医療扶助",
            "状態", "停止・廃止の理由"]
A_GOOD = [
    ["100001", "2025-04", "132,000", "40000", "55000", "37000", "21000", "支給", ""],
    ["100001", "R7.5", "132000", "95000", "0", "37000", "0", "廃止", "就労による収入増"],
]
M_HEADER = ["ケース番号", "世帯員番号", "診療年月", "種類", "医療機関", "医療機関コード", "日数", "点数", "金額"]
M_GOOD = [
    ["100001", "1", "2025-04", "入院", "みなと中央病院", "1312345678", "20", "45000", ""],
    ["100001", "1", "2025-04", "調剤", "みなと薬局", "", "2", "", "3,800円"],
]


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _assistance(world, rows, header=A_HEADER):
    return upsert_assistance(actor=world.m(world.supervisor),
                             rows=read_table(_csv(header, rows), "a.csv", ASSISTANCE_COLUMNS))


def _medical(world, rows, header=M_HEADER):
    return upsert_medical(actor=world.m(world.supervisor),
                          rows=read_table(_csv(header, rows), "m.csv", MEDICAL_COLUMNS))


def test_assistance_import_creates_then_reimport_is_idempotent_and_updates(world):
    result = _assistance(world, A_GOOD)
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    april = AssistanceMonth.objects.get(household=world.household, month=dt.date(2025, 4, 1))
    assert (april.minimum_living_cost, april.earned_income_recognised, april.paid_total) == (
        132_000, 40_000, 113_000)
    assert april.status == "paid" and april.office_id == world.office.pk
    may = AssistanceMonth.objects.get(household=world.household, month=dt.date(2025, 5, 1))
    assert (may.status, may.status_reason) == ("ended", "work")
    # The summary row names the household's members (the amounts are not copied into the log).
    event = AuditEvent.objects.get(pk=result.audit_event_id)
    assert event.action == "assistance.import" and "132000" not in str(event.changes)
    assert AuditPerson.objects.filter(event=event, person_id=world.person.pk).exists()

    again = _assistance(world, A_GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AssistanceMonth.objects.filter(household=world.household).count() == 2
    assert not AuditPerson.objects.filter(event_id=again.audit_event_id).exists()

    changed = [row[:] for row in A_GOOD]
    changed[0][4] = "56000"
    assert (_assistance(world, changed).updated) == 1
    april.refresh_from_db()
    assert april.paid_living == 56_000
    # A column left out of the file leaves the field as it is.
    assert _assistance(world, [["100001", "2025-04", "0"]], header=["ケース番号", "年月", "生活扶助"]).updated == 1
    april.refresh_from_db()
    assert (april.paid_living, april.paid_housing, april.minimum_living_cost) == (0, 37_000, 132_000)


def test_assistance_import_reports_every_bad_row_and_writes_nothing(world):
    t.make_household(world.other_office, case_number="900001")  # another office's case
    bad = [
        A_GOOD[0],
        ["100001", "2025-13", "1", "0", "0", "0", "0", "", ""],                   # 3: month
        ["100001", "2025-06", "abc", "0", "0", "0", "0", "", ""],                 # 4: amount
        ["100001", "2025-07", "1", "0", "0", "0", "0", "廃止", ""],                # 5: reason missing
        ["100001", "2025-08", "1", "0", "0", "0", "0", "支払", ""],                # 6: status
        ["900001", "2025-04", "1", "0", "0", "0", "0", "", ""],                   # 7: other office
        ["100001", "2025-04", "1", "0", "0", "0", "0", "", ""],                   # 8: duplicate of 2
        ["100001", "2099-04", "1", "0", "0", "0", "0", "", ""],                   # 9: future month
    ]
    with pytest.raises(CaseloadImportError) as exc:
        _assistance(world, bad)
    found = {(e["row"], e["column"]) for e in exc.value.errors}
    assert found == {(3, "年月"), (4, "最低生活費"), (5, "停止・廃止の理由"), (6, "状態"),
                     (7, "ケース番号"), (8, "年月"), (9, "年月")}
    messages = {e["row"]: str(e["message"]) for e in exc.value.errors}
    assert "この事務所のケース台帳にありません" in messages[7]
    assert "2行目と重複" in messages[8] and "金額として読めません" in messages[4]
    assert exc.value.code == "import_invalid"
    assert not AssistanceMonth.objects.exists()


def test_medical_import_points_become_yen_and_reimport_is_idempotent(world):
    result = _medical(world, M_GOOD)
    assert (result.created, result.updated) == (2, 0)
    inpatient = MedicalClaimMonth.objects.get(person=world.person, kind="inpatient")
    assert (inpatient.points, inpatient.amount, inpatient.days) == (45_000, 450_000, 20)
    assert inpatient.institution_code == "1312345678"
    pharmacy = MedicalClaimMonth.objects.get(person=world.person, kind="pharmacy")
    assert (pharmacy.points, pharmacy.amount) == (None, 3_800)
    assert _medical(world, M_GOOD).unchanged == 2
    assert MedicalClaimMonth.objects.count() == 2


def test_medical_import_errors_by_row_and_column(world):
    t.make_household(world.other_office, case_number="900001")
    bad = [
        ["100001", "7", "2025-04", "入院", "病院", "", "3", "10", ""],        # 2: no such member
        ["100001", "1", "2025-04", "往診", "病院", "", "3", "10", ""],        # 3: kind
        ["100001", "1", "2025-04", "入院外", "", "", "3", "10", ""],          # 4: institution
        ["100001", "1", "2025-04", "入院外", "病院", "ABC", "40", "", ""],    # 5: code, days, amount
        ["900001", "1", "2025-04", "入院外", "病院", "", "1", "10", ""],      # 6: other office
    ]
    with pytest.raises(CaseloadImportError) as exc:
        _medical(world, bad)
    found = {(e["row"], e["column"]) for e in exc.value.errors}
    assert found == {(2, "世帯員番号"), (3, "種類"), (4, "医療機関"), (5, "医療機関コード"), (5, "日数"),
                     (5, "金額"), (6, "ケース番号")}
    assert not MedicalClaimMonth.objects.exists()


def test_import_screen_takes_amount_files_csv_and_xlsx(client, world):
    client.force_login(world.supervisor)
    url = reverse("people:import")
    resp = client.post(url, {"layout": "assistance",
                             "file": SimpleUploadedFile("a.csv", _csv(A_HEADER, A_GOOD))}, follow=True)
    assert "保護費（世帯・月別）：2行を取り込みました。新規2件" in resp.content.decode()
    book = Workbook()
    ws = book.active
    ws.append(M_HEADER)
    ws.append([100001, 1, dt.date(2025, 4, 1), "入院外", "みなと中央病院", None, 2, 1520, None])
    data = io.BytesIO()
    book.save(data)
    resp = client.post(url, {"layout": "medical", "file": SimpleUploadedFile("m.xlsx", data.getvalue())},
                       follow=True)
    assert "医療扶助（レセプト・月別）：1行を取り込みました。" in resp.content.decode()
    assert MedicalClaimMonth.objects.get(person=world.person).amount == 15_200
    # A bad file: the errors by row and column, beside the form.
    body = client.post(url, {"layout": "medical", "file": SimpleUploadedFile(
        "m.csv", _csv(M_HEADER, [["100001", "1", "2025-04", "往診", "x", "", "", "1", ""]]))}).content.decode()
    assert "2行目" in body and "種類" in body and "入院・入院外・調剤・歯科" in body
    template = client.get(reverse("people:import_template", args=["xlsx"]), {"layout": "medical"})
    header = next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows(values_only=True))
    assert list(header) == [c.label for c in MEDICAL_COLUMNS]
    assert client.get(reverse("people:import_template", args=["csv"]), {"layout": "nope"}).status_code == 404


def test_caseworker_cannot_import_amounts(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upsert_assistance(actor=world.m(world.caseworker), rows=[{"case_number": "100001", "month": "2025-04"}])


def _rows(world, rows):
    return upsert_assistance(actor=world.m(world.supervisor), rows=rows)


def test_a_bad_cell_is_reported_on_every_row_holding_it_and_duplicates_are_found_after_normalising(world):
    # Rules are checked once per distinct cell: each row holding a bad one is still named.
    rows = [{"case_number": "100001", "month": "2025-13"},
            {"case_number": "１００００１", "month": "2025-04", "paid_living": "55,000円"},
            {"case_number": "100001", "month": "2025-13"},
            {"case_number": "100001", "month": "R7.4", "paid_living": 55000},
            {"case_number": "100001", "month": "2025-05", "paid_living": True},
            {"case_number": "100001", "month": "2025-06", "paid_living": 1}]
    with pytest.raises(CaseloadImportError) as exc:
        _rows(world, rows)
    found = {(e["row"], e["column"]) for e in exc.value.errors}
    assert found == {(1, "年月"), (3, "年月"), (4, "年月"), (5, "生活扶助")}
    messages = {(e["row"], e["column"]): str(e["message"]) for e in exc.value.errors}
    assert "2行目と重複" in messages[(4, "年月")]
    assert "「True」は金額として読めません" in messages[(5, "生活扶助")]
    assert not AssistanceMonth.objects.exists()


def test_rows_of_different_columns_change_only_their_own_fields(world):
    other = t.make_household(world.office, case_number="100002")
    _rows(world, [{"case_number": "100001", "month": "2025-04", "paid_living": 55000, "paid_housing": 37000},
                  {"case_number": "100002", "month": "2025-04", "paid_living": 60000, "paid_housing": 30000}])
    # The API's rows carry the fields they set: a field a row leaves out keeps its value.
    result = _rows(world, [{"case_number": "100001", "month": "2025-04", "paid_living": 56000},
                           {"case_number": "100002", "month": "2025-04", "paid_housing": 31000},
                           {"case_number": "100002", "month": "2025-05", "status": "停止",
                            "status_reason": "その他"}])
    assert (result.created, result.updated, result.unchanged) == (1, 2, 0)
    first = AssistanceMonth.objects.get(household=world.household)
    second = AssistanceMonth.objects.get(household=other, month=dt.date(2025, 4, 1))
    assert (first.paid_living, first.paid_housing) == (56_000, 37_000)
    assert (second.paid_living, second.paid_housing) == (60_000, 31_000)
    may = AssistanceMonth.objects.get(household=other, month=dt.date(2025, 5, 1))
    assert (may.status, may.status_reason, may.paid_living) == ("stopped", "other", 0)


def test_another_offices_case_numbers_and_members_are_never_written(world):
    # The other office has its own 100001 (member 1) and a member 2 there; this office's
    # 100001 has member 1 only.
    t.make_person(world.other_office, household=world.other_person.household, member_number=2)
    result = _medical(world, [M_GOOD[0]])
    assert result.created == 1
    assert MedicalClaimMonth.objects.get().person_id == world.person.pk
    with pytest.raises(CaseloadImportError) as exc:
        _medical(world, [["100001", "2", "2025-05", "入院外", "みなと医院", "", "1", "100", ""],
                         ["100001", "1", "2025-05", "入院外", "みなと医院", "", "1", "100", ""]])
    assert {(e["row"], e["column"]) for e in exc.value.errors} == {(2, "世帯員番号")}
    assert MedicalClaimMonth.objects.count() == 1
    assert not MedicalClaimMonth.objects.filter(person=world.other_person).exists()


def test_medical_reimport_unchanged_keeps_the_received_time_and_links_nobody(world):
    _medical(world, M_GOOD)
    before = dict(MedicalClaimMonth.objects.values_list("kind", "received_at"))
    again = _medical(world, M_GOOD)
    assert (again.rows, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert dict(MedicalClaimMonth.objects.values_list("kind", "received_at")) == before
    assert not AuditPerson.objects.filter(event_id=again.audit_event_id).exists()
    changed = [row[:] for row in M_GOOD]
    changed[1][8] = "3,900"
    result = _medical(world, changed)
    assert (result.updated, result.unchanged) == (1, 1)
    assert MedicalClaimMonth.objects.get(kind="pharmacy").received_at > before["pharmacy"]
    assert MedicalClaimMonth.objects.get(kind="inpatient").received_at == before["inpatient"]
    assert set(AuditPerson.objects.filter(event_id=result.audit_event_id).values_list("person_id", flat=True)) \
        == {world.person.pk}
