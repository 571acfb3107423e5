"""Caseload import: households and people from the office's main 生活保護 system.

One row per person; household columns repeat on every row of the same case (they may be
left blank after the first row). The column layout is :data:`COLUMNS` and is documented
in docs/import.md. Files: CSV in UTF-8, UTF-8 with BOM or cp932 (detected), and .xlsx.

Every row is validated first; if any row is bad nothing is written and the caller gets
every error as ``{row, column, message}``. Re-importing updates (key: office + case
number + member number) and never duplicates. Writes use bulk operations in one
transaction (:mod:`jiritsu.core.bulk`: COPY on PostgreSQL), with one summary audit row plus
one row per created or changed person and changed household, written together
(:func:`jiritsu.audit.log.record_many`). The number of statements does not grow with the
rows: lookups are one query per kind (chunked by 500–1,000 keys).

Size (over 600 lines): one pipeline — read the file, parse every row, write in bulk — whose
steps share :data:`COLUMNS` and the private row types. The split would be reading and
templates, row parsing (``_parse_row``), and the bulk write (``_upsert`` / ``_write_parts``).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django_scopes import scope

from jiritsu.audit.log import Entry, diff, link_people, record, record_many, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock, wareki
from jiritsu.core.bulk import analyze_after_commit, insert_many, update_many
from jiritsu.core.errors import ValidationFailed
from jiritsu.core.kana import is_kana, search_key
from jiritsu.core.spreadsheet import append_row, csv_writer
from jiritsu.offices.access import require
from jiritsu.offices.models import Membership
from jiritsu.people import signals
from jiritsu.people.models import (
    Disability,
    HospitalStay,
    Household,
    HouseholdType,
    HouseholdTypeChange,
    Illness,
    Person,
    VisitGrade,
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    level: str  # "household" or "person"
    help: str
    example: str
    example2: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("case_number", "ケース番号", True, "household", "世帯を識別する番号（事務所内で一意）", "100001", "100001"),
    Column("member_number", "世帯員番号", True, "person", "世帯内の番号（1, 2, …）。ケース番号と合わせて世帯員を識別", "1", "2"),
    Column("household_type", "世帯類型", True, "household", "高齢者 / 母子 / 障害者 / 傷病者 / その他（新しい世帯では必須）", "母子", ""),
    Column("district", "地区", False, "household", "地区名", "中央地区", ""),
    Column("address", "住所", False, "household", "住所（監査ログでは伏せ字）", "みなと市中央1丁目2番3号", ""),
    Column("caseworker", "地区担当員", False, "household", "担当ケースワーカーのユーザー名", "cw01", ""),
    Column("assistance_started_on", "保護開始日", False, "household", "ISO（2024-04-01）または和暦（R6.4.1）", "2024-04-01", ""),
    Column("assistance_ended_on", "保護廃止日", False, "household", "廃止した場合のみ", "", ""),
    Column("end_reason", "廃止理由", False, "household", "就労による収入増 / 年金等の収入増 / 死亡 / 転出 / 施設入所 / 仕送り・扶養 / 辞退 / 指導指示違反 / その他", "", ""),
    Column("visit_grade", "訪問格付け", False, "household", "事務所の訪問格付けコード（A, B, …）", "B", ""),
    Column("name", "氏名", True, "person", "入力どおりに保存（髙・﨑・𠮷 なども変換しません）", "髙橋 花子", "髙橋 𠮷太"),
    Column("kana", "ふりがな", True, "person", "ひらがなまたはカタカナ", "たかはし はなこ", "たかはし よした"),
    Column("birth_date", "生年月日", True, "person", "ISO（1985-06-01）または和暦（S60.6.1、昭和60年6月1日）", "1985-06-01", "H23.5.10"),
    Column("sex", "性別", True, "person", "男 / 女 / その他", "女", "男"),
    Column("relationship", "続柄", False, "person", "世帯主 / 配偶者 / 子 / 父母 / 兄弟姉妹 / 孫 / その他（省略時は世帯主）", "世帯主", "子"),
    Column("address_number", "宛名番号", False, "person", "住民記録の宛名番号（マイナンバーは入力しないでください）", "", ""),
    Column("employment_status", "就労状況", False, "person", "常用就労 / パート・アルバイト / 自営 / 求職中 / 未就労 / 就学中 / 非稼働（高齢等）", "パート・アルバイト", "就学中"),
    Column("employer_name", "勤務先", False, "person", "", "スーパーみなと", ""),
    Column("earned_income", "就労収入", False, "person", "月額（円）。整数", "85000", "0"),
    Column("school_name", "学校名", False, "person", "", "", "みなと市立港中学校"),
    Column("school_grade", "学年", False, "person", "未就学 / 小学1年〜小学6年 / 中学1年〜中学3年（中3 も可）/ 高校1年〜高校3年 / 大学・専門学校等", "", "中学3年"),
    Column("disabilities", "障害", False, "person", "種別と等級を「;」区切りで（例: 身体3級;精神2級、知的B1）", "", ""),
    Column("illnesses", "傷病", False, "person", "傷病名を「;」区切りで。精神疾患は末尾に（精神）", "高血圧症", ""),
    Column("admitted_on", "入院日", False, "person", "現在入院中の場合の入院日", "", ""),
    Column("hospital_name", "入院先", False, "person", "入院中の医療機関名（入院日がある場合は必須）", "", ""),
    Column("psychiatric_ward", "精神科病棟", False, "person", "はい / いいえ（入院中の病棟が精神科か）", "", ""),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


def header_keys(columns: Sequence[Column]) -> dict[str, str]:
    """Header text (the Japanese label or the English key) → column key."""
    return ({c.label: c.key for c in columns} | {c.key: c.key for c in columns}
            | {unicodedata.normalize("NFKC", c.label): c.key for c in columns})


_HEADER_TO_KEY = header_keys(COLUMNS)
HOUSEHOLD_KEYS = [c.key for c in COLUMNS if c.level == "household" and c.key != "case_number"]

_TYPES = {"高齢者": HouseholdType.ELDERLY, "高齢者世帯": HouseholdType.ELDERLY,
          "母子": HouseholdType.SINGLE_MOTHER, "母子世帯": HouseholdType.SINGLE_MOTHER,
          "障害者": HouseholdType.DISABLED, "障害者世帯": HouseholdType.DISABLED,
          "傷病者": HouseholdType.SICK, "傷病者世帯": HouseholdType.SICK,
          "その他": HouseholdType.OTHER, "その他の世帯": HouseholdType.OTHER}
_SEX = {"男": Person.Sex.MALE, "男性": Person.Sex.MALE, "女": Person.Sex.FEMALE,
        "女性": Person.Sex.FEMALE, "その他": Person.Sex.OTHER, "不明": Person.Sex.OTHER}
_YES = {"はい", "1", "○", "〇", "有", "あり", "yes", "true", "y"}
_NO = {"いいえ", "0", "", "×", "無", "なし", "no", "false", "n"}


def _choices(choices: Iterable[tuple[str, str]], *aliases: tuple[str, str]) -> dict[str, str]:
    out = {}
    for value, label in choices:
        out[value] = value
        out[label] = value
    out.update(dict(aliases))
    return out


_RELATIONSHIP = _choices(Person.Relationship.choices, ("本人", "head"), ("妻", "spouse"),
                         ("夫", "spouse"), ("長男", "child"), ("長女", "child"), ("次男", "child"),
                         ("次女", "child"), ("父", "parent"), ("母", "parent"))
_EMPLOYMENT = _choices(Person.EmploymentStatus.choices, ("パート", "part_time"),
                       ("アルバイト", "part_time"), ("常用", "full_time"), ("無職", "not_working"))
_GRADE = _choices(Person.SchoolGrade.choices)
for _n, _g in ((1, "e1"), (2, "e2"), (3, "e3"), (4, "e4"), (5, "e5"), (6, "e6")):
    _GRADE[f"小{_n}"] = _g
for _n, _g in ((1, "j1"), (2, "j2"), (3, "j3")):
    _GRADE[f"中{_n}"] = _g
for _n, _g in ((1, "h1"), (2, "h2"), (3, "h3")):
    _GRADE[f"高{_n}"] = _g
_END_REASON = _choices(Household.EndReason.choices)
_DISABILITY_PREFIX = {"身体": (Disability.Kind.PHYSICAL, "身体障害者手帳"),
                      "知的": (Disability.Kind.INTELLECTUAL, "療育手帳"),
                      "療育": (Disability.Kind.INTELLECTUAL, "療育手帳"),
                      "精神": (Disability.Kind.MENTAL, "精神障害者保健福祉手帳")}
_PSY_MARKS = ("（精神）", "(精神)")

# Names and their readings repeat across a caseload (families, common names): the kana
# checks and search keys are pure functions of the text, computed once per distinct value.
_is_kana = functools.lru_cache(maxsize=16384)(is_kana)
_kana_key = functools.lru_cache(maxsize=16384)(search_key)

PERSON_FIELDS = ["name", "kana", "birth_date", "sex", "relationship", "address_number",
                 "employment_status", "employer_name", "earned_income", "school_name",
                 "school_grade"]
_PERSON_DEFAULTS: dict[str, Any] = {"relationship": Person.Relationship.HEAD, "address_number": "",
                                    "employment_status": Person.EmploymentStatus.NOT_WORKING,
                                    "employer_name": "", "earned_income": 0, "school_name": "",
                                    "school_grade": ""}
HOUSEHOLD_FIELDS = {"household_type": "household_type", "district": "district",
                    "address": "address", "caseworker": "caseworker_id",
                    "assistance_started_on": "assistance_started_on",
                    "assistance_ended_on": "assistance_ended_on", "end_reason": "end_reason",
                    "visit_grade": "visit_grade_id"}
_HOUSEHOLD_DEFAULTS: dict[str, Any] = {"district": "", "address": "", "caseworker_id": None,
                                       "assistance_started_on": None, "assistance_ended_on": None,
                                       "end_reason": "", "visit_grade_id": None}


class CaseloadImportError(ValidationFailed):
    """The file (or row list) has errors; nothing was written. ``details`` lists them all."""

    code = "import_invalid"

    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__(f"取り込みできませんでした（エラー {len(errors)} 件）。"
                         "内容を修正して、もう一度取り込んでください。何も登録・変更していません。",
                         details=errors)
        self.errors = errors


@dataclass
class ImportResult:
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    audit_event_id: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return dict(self.__dict__)


# ---------------------------------------------------------------- reading files


def read_table(data: bytes, filename: str, columns: Sequence[Column] = COLUMNS) -> list[dict[str, Any]]:
    """Rows of a CSV or .xlsx file as dicts keyed by column key, with ``_row`` = line number.

    ``columns``: the file's layout (the caseload's :data:`COLUMNS`, or another import's, e.g.
    ``importing_amounts.ASSISTANCE_COLUMNS``). Raises :class:`CaseloadImportError` for a file
    that cannot be read at all.
    """
    header_to_key = header_keys(columns)
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data)
    else:
        table = list(csv.reader(io.StringIO(decode_csv(data))))
    if not table or not any(cell not in (None, "") for cell in table[0]):
        raise CaseloadImportError([{"row": 1, "column": "", "message": "見出し行がありません。"}])
    header = [unicodedata.normalize("NFKC", str(h or "")).strip() for h in table[0]]
    keys: list[str | None] = []
    errors: list[dict[str, object]] = []
    for h in header:
        key = header_to_key.get(h) or header_to_key.get(h.replace(" ", ""))
        if key is None and h:
            errors.append({"row": 1, "column": h, "message": f"「{h}」は取り込みできない列です。"
                           "テンプレートの見出しを使ってください。"})
        keys.append(key)
    missing = [c.label for c in columns if c.required and c.key not in keys]
    for label in missing:
        errors.append({"row": 1, "column": label, "message": f"必須の列「{label}」がありません。"})
    if errors:
        raise CaseloadImportError(errors)
    rows: list[dict[str, Any]] = []
    for n, raw in enumerate(table[1:], start=2):
        if not any(cell not in (None, "") and str(cell).strip() for cell in raw):
            continue
        row: dict[str, Any] = {"_row": n}
        for key, cell in zip(keys, raw, strict=False):
            if key is not None:
                row[key] = cell
        rows.append(row)
    return rows


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or cp932, detected."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise CaseloadImportError([{"row": 0, "column": "", "message":
                                    "文字コードを判別できません。UTF-8 または Shift_JIS（cp932）の"
                                    "CSV、または Excel（.xlsx）で保存してください。"}]) from None


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise CaseloadImportError([{"row": 0, "column": "", "message":
                                    "Excel ファイルを読み込めません。.xlsx 形式で保存してください。"}]) from None
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


# ---------------------------------------------------------------- templates


def template_csv(columns: Sequence[Column] = COLUMNS) -> bytes:
    """The column layout with two example rows, UTF-8 with BOM (opens in Excel)."""
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\r\n")
    w.writerow([c.label for c in columns])
    w.writerow([c.example for c in columns])
    w.writerow([c.example2 for c in columns])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def template_xlsx(columns: Sequence[Column] = COLUMNS, sheet: str = "世帯員") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    append_row(ws, [c.label for c in columns])
    append_row(ws, [c.example for c in columns])
    append_row(ws, [c.example2 for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in ws.columns:
        letter = col[0].column_letter
        ws.column_dimensions[letter].width = 16
        for cell in col:
            cell.number_format = "@"  # text: keeps leading zeros in case numbers
    doc = wb.create_sheet("列の説明")
    append_row(doc, ["見出し", "必須", "単位", "説明"])
    for c in columns:
        append_row(doc, [c.label, "必須" if c.required else "", "世帯" if c.level == "household" else "世帯員",
                    c.help])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- validation


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _code(value: Any) -> str:
    """Codes and numbers: full-width digits and letters made plain (NFKC)."""
    if type(value) is str and value.isascii():  # NFKC leaves ASCII as it is
        return value.strip()
    return unicodedata.normalize("NFKC", _text(value)).strip()


class _RowErrors:
    def __init__(self, columns: Mapping[str, Column] = COLUMN_BY_KEY) -> None:
        self.items: list[dict[str, object]] = []
        self.columns = columns

    def label(self, key: str) -> str:
        return self.columns[key].label if key in self.columns else key

    def add(self, row: int, key: str, message: str) -> None:
        self.items.append({"row": row, "column": self.label(key), "field": key, "message": message})

    def raise_if_any(self) -> None:
        """All or nothing: every error found so far, by row then column."""
        if self.items:
            raise CaseloadImportError(sorted(self.items, key=lambda e: (int(str(e["row"])),
                                                                        str(e["column"]))))


def _date(value: Any, row: int, key: str, errors: _RowErrors) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return wareki.parse_date(text)
    except ValueError as exc:
        errors.add(row, key, str(exc))
        return None


def _happened(day: dt.date | None, row: int, key: str, errors: _RowErrors) -> dt.date | None:
    """A dated fact (birth, start or end of assistance, admission) is never after today
    in Japan: the one rule of :func:`jiritsu.core.clock.not_after_today`, reported per row."""
    try:
        clock.not_after_today(day, field=key, what=errors.label(key))
    except ValidationFailed as exc:
        errors.add(row, key, exc.message)
        return None
    return day


def _choice(value: Any, table: Mapping[str, str], row: int, key: str, errors: _RowErrors,
            allowed: str) -> str:
    text = _code(value)
    if not text:
        return ""
    found = table.get(text) or table.get(text.replace(" ", ""))
    if found is None:
        errors.add(row, key, f"「{text}」は使えません。{allowed} のいずれかを入力してください。")
        return ""
    return found


def _yen(value: Any, row: int, key: str, errors: _RowErrors, *, limit: int = 100_000_000) -> int:
    """An amount in whole yen (``85,000``, ``85000円``, full-width digits); blank is 0."""
    if type(value) is int and 0 <= value <= limit:  # the API's rows: already a number
        return value
    text = _code(value).replace(",", "").removesuffix("円")
    if text and not text.isdigit():
        errors.add(row, key, f"「{text}」は金額として読めません。0以上の整数（円）で入力してください。")
        return 0
    if text and int(text) > limit:
        errors.add(row, key, f"{limit:,}円以下で入力してください。")
        return 0
    return int(text or 0)


@dataclass
class _Parsed:
    row: int
    case_number: str
    member_number: int
    person: dict[str, Any] = field(default_factory=dict)
    household: dict[str, Any] = field(default_factory=dict)
    disabilities: list[tuple[str, str, str]] | None = None
    illnesses: list[tuple[str, bool]] | None = None
    stay: tuple[dt.date, str, bool] | None = None


def _cells(raw: Mapping[str, Any], n: int, errors: _RowErrors,
           header_to_key: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """A row's line number and its cells keyed by column key; unknown columns and NUL
    characters are errors of that row and column."""
    row = int(raw.get("_row") or n)
    data = {(header_to_key.get(k) or k): v for k, v in raw.items() if k != "_row"}
    for key in data:
        if key not in errors.columns:
            errors.add(row, key, f"「{key}」は取り込みできない項目です。")
    for key, value in data.items():
        # A NUL character cannot be stored (PostgreSQL refuses it in text): name the cell.
        if isinstance(value, str) and "\x00" in value:
            errors.add(row, key, "使用できない制御文字（NUL）が含まれています。"
                                 "元のファイルを確認して保存し直してください。")
            data[key] = value.replace("\x00", "")
    return row, data


def _case_number(data: Mapping[str, Any], row: int, errors: _RowErrors) -> str:
    return _case_number_cell(data.get("case_number"), row, errors)


def _case_number_cell(value: Any, row: int, errors: _RowErrors) -> str:
    """A ケース番号 cell: plain (NFKC), required, at most 30 characters."""
    case_number = _code(value)
    if not case_number:
        errors.add(row, "case_number", "ケース番号を入力してください。")
    elif len(case_number) > 30:
        errors.add(row, "case_number", "ケース番号は30文字以内で入力してください。")
    return case_number


def _member_number(data: Mapping[str, Any], row: int, errors: _RowErrors) -> int:
    return _member_number_cell(data.get("member_number"), row, errors)


def _member_number_cell(value: Any, row: int, errors: _RowErrors) -> int:
    """A 世帯員番号 cell: an integer 1–99."""
    member_text = _code(value)
    if not member_text:
        errors.add(row, "member_number", "世帯員番号を入力してください。")
    elif not member_text.isdigit() or not 1 <= int(member_text) <= 99:
        errors.add(row, "member_number", "世帯員番号は1〜99の整数で入力してください。")
    else:
        return int(member_text)
    return 0


def _parse_row(raw: dict[str, Any], n: int, errors: _RowErrors, caseworkers: dict[str, int],
               grades: dict[str, int]) -> _Parsed | None:
    row, data = _cells(raw, n, errors, _HEADER_TO_KEY)
    before = len(errors.items)
    case_number = _case_number(data, row, errors)
    member_number = _member_number(data, row, errors)
    p = _Parsed(row, case_number, member_number)

    # Person columns.
    if "name" in data:
        name = _text(data["name"])
        if not name:
            errors.add(row, "name", "氏名を入力してください。")
        elif len(name) > 100:
            errors.add(row, "name", "氏名は100文字以内で入力してください。")
        p.person["name"] = name
    if "kana" in data:
        kana = _text(data["kana"])
        if not kana:
            errors.add(row, "kana", "ふりがなを入力してください。")
        elif not _is_kana(kana):
            errors.add(row, "kana", f"「{kana}」はふりがなとして使えません。ひらがなまたはカタカナで入力してください。")
        p.person["kana"] = kana
    if "birth_date" in data:
        birth = _date(data["birth_date"], row, "birth_date", errors)
        if birth is None and not _text(data["birth_date"]):
            errors.add(row, "birth_date", "生年月日を入力してください。")
        else:
            birth = _happened(birth, row, "birth_date", errors)
        p.person["birth_date"] = birth
    if "sex" in data:
        sex = _choice(data["sex"], _SEX, row, "sex", errors, "男・女・その他")
        if not sex and not _code(data["sex"]):
            errors.add(row, "sex", "性別を入力してください。")
        p.person["sex"] = sex
    if "relationship" in data:
        p.person["relationship"] = _choice(data["relationship"], _RELATIONSHIP, row, "relationship",
                                           errors, "世帯主・配偶者・子・父母・兄弟姉妹・孫・その他") \
            or Person.Relationship.HEAD
    if "address_number" in data:
        number = _code(data["address_number"])
        if len(number) > 20:
            errors.add(row, "address_number", "宛名番号は20文字以内で入力してください。")
        elif len(number) == 12 and number.isdigit():
            errors.add(row, "address_number", "12桁の番号はマイナンバーの可能性があります。宛名番号を入力してください。")
        p.person["address_number"] = number
    if "employment_status" in data:
        p.person["employment_status"] = _choice(
            data["employment_status"], _EMPLOYMENT, row, "employment_status", errors,
            "常用就労・パート・アルバイト・自営・求職中・未就労・就学中・非稼働（高齢等）",
        ) or Person.EmploymentStatus.NOT_WORKING
    for key, limit in (("employer_name", 200), ("school_name", 100)):
        if key in data:
            text = _text(data[key])
            if len(text) > limit:
                errors.add(row, key, f"{limit}文字以内で入力してください。")
            p.person[key] = text
    if "earned_income" in data:
        p.person["earned_income"] = _yen(data["earned_income"], row, "earned_income", errors)
    if "school_grade" in data:
        p.person["school_grade"] = _choice(data["school_grade"], _GRADE, row, "school_grade", errors,
                                           "未就学・小学1年〜6年・中学1年〜3年・高校1年〜3年・大学・専門学校等")

    # Household columns (only the non-blank ones; blank on later rows means "as above").
    if "household_type" in data:
        p.household["household_type"] = _choice(data["household_type"], _TYPES, row, "household_type",
                                                errors, "高齢者・母子・障害者・傷病者・その他")
    for key in ("district", "address"):
        if key in data:
            text = _text(data[key])
            if len(text) > (50 if key == "district" else 200):
                errors.add(row, key, "長すぎます。")
            p.household[key] = text
    if "caseworker" in data:
        username = _code(data["caseworker"])
        if username and username not in caseworkers:
            errors.add(row, "caseworker", f"「{username}」はこの事務所のケースワーカーとして登録されていません。")
        p.household["caseworker"] = caseworkers.get(username)
    for key in ("assistance_started_on", "assistance_ended_on"):
        if key in data:
            p.household[key] = _happened(_date(data[key], row, key, errors), row, key, errors)
    if "end_reason" in data:
        p.household["end_reason"] = _choice(data["end_reason"], _END_REASON, row, "end_reason", errors,
                                            "廃止理由の一覧")
    if "visit_grade" in data:
        code = _code(data["visit_grade"]).upper()
        if code and code not in grades:
            errors.add(row, "visit_grade", f"訪問格付け「{code}」はこの事務所にありません。")
        p.household["visit_grade"] = grades.get(code)
    started, ended = p.household.get("assistance_started_on"), p.household.get("assistance_ended_on")
    if started and ended and ended < started:
        errors.add(row, "assistance_ended_on", "保護廃止日が保護開始日より前です。")

    # Parts.
    if "disabilities" in data:
        p.disabilities = []
        for item in _split(data["disabilities"]):
            kind = next((k for k in _DISABILITY_PREFIX if item.startswith(k)), None)
            if kind is None:
                errors.add(row, "disabilities", f"「{item}」の障害種別が読めません。身体・知的・精神で始めてください（例: 身体3級）。")
                continue
            grade = item[len(kind):].removeprefix("障害").strip()
            p.disabilities.append((_DISABILITY_PREFIX[kind][0], grade[:20], _DISABILITY_PREFIX[kind][1]))
    if "illnesses" in data:
        p.illnesses = []
        for item in _split(data["illnesses"], normalise=False):
            psychiatric = item.endswith(_PSY_MARKS)
            for mark in _PSY_MARKS:
                item = item.removesuffix(mark)
            if len(item) > 100:
                errors.add(row, "illnesses", "傷病名は100文字以内で入力してください。")
            p.illnesses.append((item.strip(), psychiatric))
    if "admitted_on" in data:
        admitted = _happened(_date(data["admitted_on"], row, "admitted_on", errors), row,
                             "admitted_on", errors)
        hospital = _text(data.get("hospital_name"))
        psych_text = _code(data.get("psychiatric_ward")).lower()
        if psych_text not in _YES | _NO:
            errors.add(row, "psychiatric_ward", "精神科病棟は「はい」か「いいえ」で入力してください。")
        if admitted is not None:
            if not hospital:
                errors.add(row, "hospital_name", "入院日がある場合は入院先を入力してください。")
            p.stay = (admitted, hospital[:200], psych_text in _YES)
        elif hospital:
            errors.add(row, "admitted_on", "入院先がある場合は入院日を入力してください。")
    if len(errors.items) > before:
        return None
    return p


def _split(value: Any, *, normalise: bool = True) -> list[str]:
    text = _text(value)
    if normalise:
        text = unicodedata.normalize("NFKC", text)
    for sep in ("；", "、", "，", ","):
        text = text.replace(sep, ";")
    return [t.strip() for t in text.split(";") if t.strip()]


# ---------------------------------------------------------------- the service


def upsert_caseload(*, actor: Membership, rows: list[dict[str, Any]]) -> ImportResult:
    """Create or update households and people in the actor's office from caseload rows.

    ``rows``: one dict per person. Keys are the column keys of :data:`COLUMNS` (or their
    Japanese labels, as in the CSV header); values are strings (or ints/dates). A row may
    carry ``_row`` (its line number in a file) for error reports; otherwise rows are
    numbered from 1. Household columns may be blank on all but one row of a case.
    A column absent from a row leaves that field unchanged; a blank cell clears it.

    All rows are validated first. If any is bad, nothing is written and
    :class:`CaseloadImportError` (a ``ValidationFailed``; code ``import_invalid``) is raised
    with ``details``/``errors`` = ``[{"row", "column", "field", "message"}, …]`` (Japanese,
    every error). Otherwise everything is written in one transaction, keyed by office +
    case number + member number (re-importing updates, never duplicates), with one
    summary audit row (action ``caseload.import``) and one audit row per created or
    changed person. The actor needs the action ``caseload.import``.
    """
    require(actor, "caseload.import")
    office = actor.office
    with scope(office=office), transaction.atomic():
        return _upsert(actor, rows)


def _upsert(actor: Membership, rows: list[dict[str, Any]]) -> ImportResult:
    office = actor.office
    caseworkers = dict(
        Membership.objects.filter(office=office, is_active=True,
                                  role__in=["caseworker", "supervisor", "manager"])
        .values_list("user__username", "user_id")
    )
    grades = dict(VisitGrade.objects.filter(office=office).values_list("code", "id"))
    today = clock.today()
    errors = _RowErrors()
    if not rows:
        errors.add(0, "", "取り込む行がありません。")
        raise CaseloadImportError(errors.items)
    parsed: list[_Parsed] = []
    for n, raw in enumerate(rows, start=1):
        p = _parse_row(raw, n, errors, caseworkers, grades)
        if p is not None:
            parsed.append(p)

    # Cross-row checks: duplicate keys; household columns consistent within a case.
    # Only the cases named in the file: an office may hold 100,000 households.
    existing_households: dict[str, Household] = {}
    for chunk in _chunks(sorted({p.case_number for p in parsed}), 1000):
        # Timestamps are not compared and only set (never read) on changed rows.
        for found_household in Household.objects.filter(office=office, case_number__in=chunk) \
                .defer("created_at", "updated_at"):
            existing_households[found_household.case_number] = found_household
    seen: dict[tuple[str, int], int] = {}
    households: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    for p in parsed:
        key = (p.case_number, p.member_number)
        if key in seen:
            errors.add(p.row, "member_number", f"ケース番号 {p.case_number} の世帯員番号 {p.member_number} が"
                       f"{seen[key]}行目と重複しています。")
            continue
        seen[key] = p.row
        merged = households.setdefault(p.case_number, {})
        first_row.setdefault(p.case_number, p.row)
        for k, v in p.household.items():
            if v in (None, ""):
                merged.setdefault(k, v)
                continue
            if merged.get(k) not in (None, "") and merged[k] != v:
                errors.add(p.row, k, f"同じケース番号 {p.case_number} の他の行と値が異なります。")
            else:
                merged[k] = v
    for case_number, values in households.items():
        if case_number not in existing_households and not values.get("household_type"):
            errors.add(first_row[case_number], "household_type", "新しい世帯の世帯類型を入力してください。")
    existing_people: dict[tuple[int, int], Person] = {}
    if existing_households:
        ids = [h.pk for h in existing_households.values() if h.case_number in households]
        for chunk in _chunks(ids, 500):
            for person in Person.objects.filter(household_id__in=chunk).defer("created_at",
                                                                              "updated_at"):
                assert person.household_id is not None
                existing_people[(person.household_id, person.member_number)] = person
    for p in parsed:
        h = existing_households.get(p.case_number)
        if (h is None or (h.pk, p.member_number) not in existing_people) and any(
            k not in p.person for k in ("name", "kana", "birth_date", "sex")
        ):
            missing = [COLUMN_BY_KEY[k].label for k in ("name", "kana", "birth_date", "sex")
                       if k not in p.person]
            errors.add(p.row, "name", f"新しい世帯員には {'・'.join(missing)} が必要です。")
    errors.raise_if_any()

    result = ImportResult(rows=len(parsed))
    now = clock.now()

    # Households.
    new_households: list[Household] = []
    changed_households: list[Household] = []
    type_changes: list[HouseholdTypeChange] = []
    household_audit: list[tuple[Household, dict[str, Any], dict[str, Any], str]] = []
    assistance_ended: list[tuple[int, dt.date]] = []  # (household, 保護廃止日) newly ended
    for case_number, values in households.items():
        attrs = {HOUSEHOLD_FIELDS[k]: v for k, v in values.items()}
        h = existing_households.get(case_number)
        if h is None:
            h = Household(office_id=office.pk, case_number=case_number, **(_HOUSEHOLD_DEFAULTS | attrs))
            new_households.append(h)
            continue
        fields = [f for f in attrs if not (f == "household_type" and not attrs[f])]
        before = snapshot(h, fields)
        old_type = h.household_type
        was_ended = h.assistance_ended_on
        for f in fields:
            setattr(h, f, attrs[f])
        after = snapshot(h, fields)
        if before != after:
            h.version += 1
            h.updated_at = now
            changed_households.append(h)
            household_audit.append((h, before, after, "household.import_update"))
            if was_ended is None and h.assistance_ended_on is not None:
                assistance_ended.append((h.pk, h.assistance_ended_on))
            if h.household_type != old_type:
                type_changes.append(HouseholdTypeChange(household_id=h.pk, household_type=h.household_type,
                                                        valid_from=today))
    insert_many(Household, new_households)
    for h in new_households:
        existing_households[h.case_number] = h
        type_changes.append(HouseholdTypeChange(household_id=h.pk, household_type=h.household_type,
                                                valid_from=h.assistance_started_on or today))
    if changed_households:
        update_many(Household, changed_households,
                    [*HOUSEHOLD_FIELDS.values(), "version", "updated_at"])
    insert_many(HouseholdTypeChange, type_changes)
    result.households_created = len(new_households)
    result.households_updated = len(changed_households)

    # People.
    new_people: list[tuple[Person, _Parsed]] = []
    changed_people: list[tuple[Person, _Parsed, dict[str, Any], dict[str, Any]]] = []
    touched: list[tuple[Person, _Parsed]] = []
    for p in parsed:
        h = existing_households[p.case_number]
        found = existing_people.get((h.pk, p.member_number))
        if found is None:
            values = _PERSON_DEFAULTS | p.person
            person = Person(office_id=office.pk, household_id=h.pk, member_number=p.member_number,
                            kana_key=_kana_key(values["kana"]),
                            name_key=_kana_key(values["name"]), **values)
            new_people.append((person, p))
        else:
            person = found
            fields = list(p.person)
            before = snapshot(person, fields)
            for f, v in p.person.items():
                setattr(person, f, v)
            after = snapshot(person, fields)
            if before != after:
                person.kana_key = _kana_key(person.kana)
                person.name_key = _kana_key(person.name)
                person.version += 1
                person.updated_at = now
                changed_people.append((person, p, before, after))
            else:
                result.people_unchanged += 1
        touched.append((person, p))
    insert_many(Person, [x[0] for x in new_people])
    if changed_people:
        update_many(Person, [x[0] for x in changed_people],
                    [*PERSON_FIELDS, "kana_key", "name_key", "version", "updated_at"])
    result.people_created = len(new_people)
    result.people_updated = len(changed_people)

    parts_changed = _write_parts(touched)

    # Audit: a summary row, then one row per created or changed person (and household).
    summary = record(actor=actor.user, office=office, action="caseload.import",
                     kind=AuditEvent.Kind.IMPORT,
                     changes={"rows": result.rows, "households_created": result.households_created,
                              "households_updated": result.households_updated,
                              "people_created": result.people_created,
                              "people_updated": result.people_updated})
    result.audit_event_id = summary.pk
    # A changed household (address, type…) concerns every member, changed or not: the
    # import is in each member's history.
    changed_ids = {h.pk for h in changed_households}
    link_people(summary, [person.pk for (household_id, _), person in existing_people.items()
                          if household_id in changed_ids])
    entries: list[Entry] = []
    created = {id(p) for _, p in new_people}
    updated = {id(p): (before, after) for _, p, before, after in changed_people}
    for person, p in touched:
        parts = parts_changed.get(id(p), {})
        if id(p) in created:
            changes = diff(None, snapshot(person, ["household_id", "member_number", *PERSON_FIELDS]))
            entries.append(Entry("person.import_create", AuditEvent.Kind.CREATE, person, person,
                                 changes | parts))
        elif id(p) in updated or parts:
            changes = diff(*updated[id(p)]) if id(p) in updated else {}
            entries.append(Entry("person.import_update", AuditEvent.Kind.UPDATE, person, person,
                                 changes | parts))
    for h, before, after, action in household_audit:
        entries.append(Entry(action, AuditEvent.Kind.UPDATE, h, None, diff(before, after)))
    record_many(actor=actor.user, office=office, entries=entries,
                note=f"caseload.import #{summary.pk}")
    # 保護廃止 in the file ends the members' open episodes in this same transaction.
    signals.send_assistance_ended(actor, assistance_ended)
    # A large load refreshes the planner statistics of the tables it wrote (after commit).
    analyze_after_commit({
        Household: len(new_households) + len(changed_households),
        HouseholdTypeChange: len(type_changes),
        Person: result.people_created + result.people_updated,
        Disability: sum(1 for _, p in touched if p.disabilities is not None),
        Illness: sum(1 for _, p in touched if p.illnesses is not None),
        HospitalStay: sum(1 for _, p in touched if p.stay is not None),
        AuditEvent: len(entries) + 1,
    })
    return result


def _write_parts(touched: list[tuple[Person, _Parsed]]) -> dict[int, dict[str, Any]]:
    """Replace imported disabilities/illnesses; record current hospital stays.

    Returns audit changes per parsed row (by ``id(parsed)``) for parts that changed.
    """
    changes: dict[int, dict[str, Any]] = {}
    with_dis = [(person, p) for person, p in touched if p.disabilities is not None]
    with_ill = [(person, p) for person, p in touched if p.illnesses is not None]
    with_stay = [(person, p) for person, p in touched if p.stay is not None]

    def current(model: type[Model], pairs: list[tuple[Person, _Parsed]], *values: str) -> dict[int, list[tuple[Any, ...]]]:
        out: dict[int, list[tuple[Any, ...]]] = {}
        for chunk in _chunks([person.pk for person, _ in pairs], 500):
            for row in model._default_manager.filter(person_id__in=chunk).values_list("person_id", *values):
                out.setdefault(row[0], []).append(tuple(row[1:]))
        return out

    old_dis = current(Disability, with_dis, "kind", "grade")
    replace_dis = [(person, p) for person, p in with_dis
                   if sorted(old_dis.get(person.pk, [])) != sorted((k, g) for k, g, _ in p.disabilities or [])]
    for chunk in _chunks([person.pk for person, _ in replace_dis], 500):
        Disability.objects.filter(person_id__in=chunk).delete()
    insert_many(Disability, [Disability(person_id=person.pk, kind=k, grade=g, certificate=c)
                             for person, p in replace_dis for k, g, c in p.disabilities or []])
    for person, p in replace_dis:
        changes.setdefault(id(p), {})["disabilities"] = [
            [f"{k}{g}" for k, g in old_dis.get(person.pk, [])],
            [f"{k}{g}" for k, g, _ in p.disabilities or []]]

    old_ill = current(Illness, with_ill, "name", "is_psychiatric")
    replace_ill = [(person, p) for person, p in with_ill
                   if sorted(old_ill.get(person.pk, [])) != sorted(p.illnesses or [])]
    for chunk in _chunks([person.pk for person, _ in replace_ill], 500):
        Illness.objects.filter(person_id__in=chunk).delete()
    insert_many(Illness, [Illness(person_id=person.pk, name=name, is_psychiatric=psy, is_chronic=True)
                          for person, p in replace_ill for name, psy in p.illnesses or []])
    for person, p in replace_ill:
        changes.setdefault(id(p), {})["illnesses"] = [[n for n, _ in old_ill.get(person.pk, [])],
                                                     [n for n, _ in p.illnesses or []]]

    stays: dict[tuple[int, dt.date], HospitalStay] = {}
    for chunk in _chunks([person.pk for person, _ in with_stay], 500):
        for s in HospitalStay.objects.filter(person_id__in=chunk, discharged_on__isnull=True):
            stays[(s.person_id, s.admitted_on)] = s
    new_stays: list[HospitalStay] = []
    changed_stays: list[HospitalStay] = []
    for person, p in with_stay:
        assert p.stay is not None
        admitted, hospital, psychiatric = p.stay
        stay = stays.get((person.pk, admitted))
        if stay is None:
            new_stays.append(HospitalStay(person_id=person.pk, admitted_on=admitted, hospital_name=hospital,
                                          psychiatric=psychiatric))
            changes.setdefault(id(p), {})["hospital_stay"] = [None, f"{admitted.isoformat()} {hospital}"]
        elif (stay.hospital_name, stay.psychiatric) != (hospital, psychiatric):
            stay.hospital_name, stay.psychiatric = hospital, psychiatric
            changed_stays.append(stay)
            changes.setdefault(id(p), {})["hospital_stay"] = ["", f"{admitted.isoformat()} {hospital}"]
    insert_many(HospitalStay, new_stays)
    if changed_stays:
        update_many(HospitalStay, changed_stays, ["hospital_name", "psychiatric"])
    return changes


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
