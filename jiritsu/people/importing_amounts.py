"""Importing assistance and medical amounts (保護費・医療扶助) from the main 生活保護 system.

The caseload import's pipeline (:mod:`jiritsu.people.importing`) with two more layouts: the
same file reading (CSV in UTF-8/cp932, .xlsx), the same row checks and messages, the same
error (:class:`~jiritsu.people.importing.CaseloadImportError`, code ``import_invalid``, every
error by row and column), the same bulk writes (:mod:`jiritsu.core.bulk`) in one transaction.
The import screen (/people/import/) and the API's bulk upserts call :data:`LAYOUTS`.

- :data:`ASSISTANCE_COLUMNS` — one row per household and month → ``AssistanceMonth``
  (key: office + ケース番号 + 年月).
- :data:`MEDICAL_COLUMNS` — one row per person, month, kind and institution (a レセプト
  summary) → ``MedicalClaimMonth`` (key: office + ケース番号 + 世帯員番号 + 診療年月 + 種類 +
  医療機関).

Re-importing updates; a row equal to what is stored writes nothing; a column absent from the
file leaves that field unchanged (a new row takes 0). Only the office's own households and
people are found: another office's case number is an error of its row. Audit: one summary row
(``assistance.import`` / ``medical.import``) linked to every person whose amounts were created
or changed (the amounts themselves are not copied into the log).

One pipeline for the file and the API, sized for a month of a large office (10⁵ rows a call):

1. check — column by column (:mod:`jiritsu.people.importing_columns`): each rule once per
   distinct cell, its errors to every row holding the cell;
2. find — the case numbers (and members) in one query of the office's own households, then
   dictionary look-ups; duplicates by key;
3. write — :func:`jiritsu.core.bulk.upsert_rows` keyed by owner and month: the stored keys of
   the office in the batch's months (one index range), the new rows copied straight in, the
   others compared in SQL (``IS DISTINCT FROM``) and only those that differ updated; one
   import of a table at a time per office (an advisory lock on PostgreSQL);
4. audit — the summary row and its people links.

The number of statements does not grow with the rows (docs/performance.md, "Amounts").
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django_scopes import scope

from jiritsu.audit.log import link_people, record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock, wareki
from jiritsu.core.bulk import analyze_after_commit, upsert_rows
from jiritsu.offices.access import require
from jiritsu.offices.models import Membership
from jiritsu.people.amounts import POINT_YEN
from jiritsu.people.importing import (
    COLUMNS,
    Column,
    _case_number_cell,
    _choice,
    _choices,
    _code,
    _member_number_cell,
    _RowErrors,
    _text,
    _yen,
    header_keys,
    upsert_caseload,
)
from jiritsu.people.importing_columns import _ABSENT, _Table, paused_gc
from jiritsu.people.models import (
    PAID_FIELDS,
    AssistanceKind,
    AssistanceMonth,
    Household,
    MedicalClaimKind,
    MedicalClaimMonth,
    Person,
)

_KIND_LABELS = {k.value: str(k.label) for k in AssistanceKind}

ASSISTANCE_COLUMNS: tuple[Column, ...] = (
    Column("case_number", "ケース番号", True, "household", "世帯を識別する番号（ケース台帳と同じ）", "100001", "100001"),
    Column("month", "年月", True, "household", "2025-04、2025年4月、R7.4 など（月の単位）", "2025-04", "2025-05"),
    Column("minimum_living_cost", "最低生活費", False, "household", "月額（円）。整数", "132000", "132000"),
    Column("earned_income_recognised", "収入認定額（就労）", False, "household", "就労収入の認定額（円）", "40000", "95000"),
    Column("other_income_recognised", "収入認定額（その他）", False, "household", "年金・手当等の認定額（円）", "0", "0"),
    *(Column(f, _KIND_LABELS[k], False, "household", "支給額（円）" + ("。現物給付の費用" if k in ("medical", "care") else ""),
             ex1, ex2)
      for (k, f), ex1, ex2 in zip(PAID_FIELDS.items(),
                                  ("55000", "37000", "0", "21000", "0", "0", "0", "0"),
                                  ("0", "0", "0", "0", "0", "0", "0", "0"), strict=True)),
    Column("status", "状態", False, "household", "支給 / 停止 / 廃止（省略時は支給）", "支給", "廃止"),
    Column("status_reason", "停止・廃止の理由", False, "household", "停止・廃止の場合は必須。廃止理由の一覧から", "", "就労による収入増"),
)
MEDICAL_COLUMNS: tuple[Column, ...] = (
    Column("case_number", "ケース番号", True, "household", "世帯を識別する番号（ケース台帳と同じ）", "100001", "100001"),
    Column("member_number", "世帯員番号", True, "person", "世帯内の番号（ケース台帳と同じ）", "1", "1"),
    Column("month", "診療年月", True, "person", "2025-04、2025年4月、R7.4 など（月の単位）", "2025-04", "2025-04"),
    Column("kind", "種類", True, "person", "入院 / 入院外 / 調剤 / 歯科", "入院外", "調剤"),
    Column("institution_name", "医療機関", True, "person", "医療機関・薬局の名称", "みなと中央病院", "みなと薬局"),
    Column("institution_code", "医療機関コード", False, "person", "10桁以内の数字", "1312345678", ""),
    Column("days", "日数", False, "person", "診療実日数（入院は入院日数）。0〜31", "2", "1"),
    Column("points", "点数", False, "person", "レセプトの点数（金額がなければ 1点＝10円 で計算）", "1520", ""),
    Column("amount", "金額", False, "person", "医療扶助額（円）", "", "3800"),
)
_ASSISTANCE_BY_KEY = {c.key: c for c in ASSISTANCE_COLUMNS}
_MEDICAL_BY_KEY = {c.key: c for c in MEDICAL_COLUMNS}
_ASSISTANCE_HEADERS = header_keys(ASSISTANCE_COLUMNS) | {"生活": "paid_living", "住宅": "paid_housing",
                                                         "教育": "paid_education", "医療": "paid_medical",
                                                         "介護": "paid_care", "出産": "paid_childbirth",
                                                         "生業": "paid_occupation", "葬祭": "paid_funeral"}
_MEDICAL_HEADERS = header_keys(MEDICAL_COLUMNS)

_STATUS = _choices(AssistanceMonth.Status.choices)
_REASON = _choices(Household.EndReason.choices)
_CLAIM_KIND = _choices(MedicalClaimKind.choices, ("外来", "outpatient"), ("医科入院", "inpatient"),
                       ("医科入院外", "outpatient"), ("医科外来", "outpatient"), ("薬局", "pharmacy"))
ASSISTANCE_VALUES = ["minimum_living_cost", "earned_income_recognised", "other_income_recognised",
                      *PAID_FIELDS.values(), "status", "status_reason"]
_MEDICAL_VALUES = ["institution_code", "days", "points", "amount"]


@dataclass
class AmountImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    audit_event_id: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return dict(self.__dict__)


def _month(value: Any, row: int, key: str, errors: _RowErrors) -> dt.date | None:
    text = _text(value)
    if isinstance(value, dt.datetime):
        month = value.date().replace(day=1)
    elif isinstance(value, dt.date):
        month = value.replace(day=1)
    elif not text:
        errors.add(row, key, f"{errors.label(key)}を入力してください。")
        return None
    else:
        try:
            month = wareki.parse_month(text)
        except ValueError as exc:
            errors.add(row, key, str(exc))
            return None
    if month > clock.today():
        errors.add(row, key, f"{errors.label(key)}に先の月（{wareki.format_wareki_month(month)}）は入力できません。")
        return None
    return month


def _month_rule(key: str) -> Callable[[Any, _RowErrors], Any]:
    return lambda cell, errors: _month(cell, 0, key, errors)


def _yen_rule(key: str) -> Callable[[Any, _RowErrors], Any]:
    return lambda cell, errors: _yen(cell, 0, key, errors)


def _case_rule(cell: Any, errors: _RowErrors) -> str:
    return _case_number_cell(cell, 0, errors)


#: Up to this many case numbers are looked up by name; more, and the office's are read whole.
_FEW = 1000


def _office_cases(office_id: int, case_numbers: set[str], select: str, joins: str = "") -> list[Any]:
    """Rows of ``select`` over the office's households (``h``) named in ``case_numbers``, or
    over all of them when there are many (the caller looks its cases up): one query."""
    household = Household._meta.db_table
    sql = f"SELECT {select} FROM {household} h {joins} WHERE h.office_id = %s"
    params: list[Any] = [office_id]
    if len(case_numbers) <= _FEW:
        numbers = sorted(case_numbers)
        if connection.vendor == "postgresql":
            sql += " AND h.case_number = ANY(%s)"
            params.append(numbers)
        else:
            sql += " AND h.case_number IN (SELECT value FROM json_each(%s))"
            params.append(json.dumps(numbers))
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


class _Cases:
    """The office's own households among a call's case numbers, with their members (one
    query; the dictionaries are built as they are asked for)."""

    def __init__(self, office_id: int, case_numbers: set[str]) -> None:
        self.rows = _office_cases(office_id, case_numbers, "h.case_number, h.id, p.member_number, p.id",
                                  f"LEFT JOIN {Person._meta.db_table} p ON p.household_id = h.id")

    def households(self) -> dict[str, int]:
        """Case number → household id."""
        return {c: h for c, h, _, _ in self.rows}

    def people(self) -> dict[tuple[str, int], int]:
        """(case number, 世帯員番号) → person id."""
        return {(c, m): p for c, _, m, p in self.rows if p is not None}

    def people_of(self, households: set[int]) -> list[int]:
        """The members of ``households`` (the 保護費 of a household is each member's)."""
        return [p for _, h, _, p in self.rows if p is not None and h in households] if households else []


def _not_found(t: _Table, i: int, case_number: str) -> None:
    t.fail(i, "case_number", f"ケース番号 {case_number} の世帯はこの事務所のケース台帳にありません。"
                             "先にケース台帳を取り込んでください。")


def _write(actor: Membership, t: _Table, model: type[Model], key: list[str], key_columns: list[list[Any]],
           values: dict[str, list[Any]], always: list[str], owner: str,
           months: list[dt.date]) -> tuple[set[int], int, int]:
    """The one write of both layouts: each group of rows (by the columns they have; ``always``:
    values every row has) goes through :func:`jiritsu.core.bulk.upsert_rows` keyed by
    ``key``. Returns the owners (households or people) whose rows were created or changed,
    and the two counts."""
    now = clock.now()
    if connection.vendor == "postgresql":
        # One import of a table at a time per office: the new keys are told from the stored
        # ones before they are written (upsert_rows).
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                        [zlib.crc32(model._meta.db_table.encode()) & 0x7FFFFFFF, actor.office.pk])
    # The stored rows compared are the office's in the batch's months (an index range).
    within = {"office_id": actor.office.pk, "month": (months[0], months[-1])} if months else None
    touched: set[int] = set()
    created = updated = 0
    for fields, at in t.groups([k for k in values if k not in always]):
        fields = [*fields, *always]
        columns = [*key_columns, *(values[f] for f in fields)]
        if at is not None:
            columns = [[c[i] for i in at] for c in columns]
        new, changed = upsert_rows(model, key=key, fields=fields, columns=columns,
                                   fixed={"office_id": actor.office.pk, "received_at": now},
                                   returning=owner, within=within)
        created += len(new)
        updated += len(changed)
        touched.update(new, changed)
    return touched, created, updated


# ---------------------------------------------------------------- assistance


def upsert_assistance(*, actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    """Create or update households' monthly assistance (``AssistanceMonth``) from rows of
    :data:`ASSISTANCE_COLUMNS` (keys or Japanese labels; ``_row`` = line number). All or
    nothing: :class:`~jiritsu.people.importing.CaseloadImportError` lists every error.
    Needs ``caseload.import``."""
    require(actor, "caseload.import")
    with scope(office=actor.office), transaction.atomic(), paused_gc():
        return _upsert_assistance(actor, rows)


def _upsert_assistance(actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    t = _Table(rows, _ASSISTANCE_BY_KEY, _ASSISTANCE_HEADERS)
    if not rows:
        t.errors.add(0, "", "取り込む行がありません。")
    case = t.convert("case_number", _case_rule, required=True)
    month = t.convert("month", _month_rule("month"), required=True)
    values: dict[str, list[Any]] = {}
    for key in ("minimum_living_cost", "earned_income_recognised", "other_income_recognised",
                *PAID_FIELDS.values()):
        if t.has(key):
            values[key] = t.convert(key, _yen_rule(key))
    if t.has("status"):
        values["status"] = t.convert("status", lambda cell, errors: _choice(
            cell, _STATUS, 0, "status", errors, "支給・停止・廃止") or AssistanceMonth.Status.PAID)
    if t.has("status_reason"):
        values["status_reason"] = t.convert("status_reason", lambda cell, errors: _choice(
            cell, _REASON, 0, "status_reason", errors, "廃止理由の一覧"))
    if t.has("status") or t.has("status_reason"):
        _check_reasons(t, values.get("status"), values.get("status_reason"))

    cases = _Cases(actor.office.pk, {case[i] for i in t.good()})
    households = cases.households()
    owners: list[Any] = list(map(households.get, case))
    keys = list(zip(owners, month, strict=True))
    if t.bad or None in owners or len(set(keys)) < len(keys):
        seen: dict[tuple[Any, ...], int] = {}
        for i in list(t.good()):
            if owners[i] is None:
                _not_found(t, i, case[i])
            elif keys[i] in seen:
                t.fail(i, "month", f"ケース番号 {case[i]} の{wareki.format_wareki_month(month[i])}が"
                                   f"{seen[keys[i]]}行目と重複しています。")
            else:
                seen[keys[i]] = t.numbers[i]
    t.errors.raise_if_any()

    months = sorted(set(month))
    touched, created, updated = _write(actor, t, AssistanceMonth, ["household_id", "month"],
                                       [owners, month], values, [], "household_id", months)
    people = cases.people_of(touched)
    return _finish(actor, "assistance.import", AssistanceMonth, t.size, created, updated, months, people)


def _check_reasons(t: _Table, status: list[Any] | None, reason: list[Any] | None) -> None:
    """停止・廃止 needs its reason; 支給 takes none (the rule of a row; checked per distinct
    pair). A reason cell already in error is not asked for again."""
    column = status or [_ABSENT] * t.size
    reason = reason or [_ABSENT] * t.size
    wrong: dict[tuple[Any, Any], str] = {}
    for s, r in set(zip(column, reason, strict=True)):
        s, r = (None if s is _ABSENT else s), (None if r is _ABSENT else r)
        if s in (AssistanceMonth.Status.STOPPED, AssistanceMonth.Status.ENDED) and not r:
            wrong[(s, r)] = "停止・廃止の月は理由を入力してください。"
        elif s == AssistanceMonth.Status.PAID and r:
            wrong[(s, r)] = "支給の月に停止・廃止の理由は入力できません。"
    if not wrong:
        return
    in_error = t.failed.get("status_reason", set())
    for i, (s, r) in enumerate(zip(column, reason, strict=True)):
        message = wrong.get((None if s is _ABSENT else s, None if r is _ABSENT else r))
        if message and i not in in_error:
            t.fail(i, "status_reason", message)


# ---------------------------------------------------------------- medical


def upsert_medical(*, actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    """Create or update people's monthly medical claims (``MedicalClaimMonth``) from rows of
    :data:`MEDICAL_COLUMNS`. All or nothing, as :func:`upsert_assistance`. Needs
    ``caseload.import``."""
    require(actor, "caseload.import")
    with scope(office=actor.office), transaction.atomic(), paused_gc():
        return _upsert_medical(actor, rows)


def _kind_rule(cell: Any, errors: _RowErrors) -> str:
    kind = _choice(cell, _CLAIM_KIND, 0, "kind", errors, "入院・入院外・調剤・歯科")
    if not kind and not _code(cell):
        errors.add(0, "kind", "種類を入力してください。")
    return kind


def _institution_rule(cell: Any, errors: _RowErrors) -> str:
    institution = _text(cell)
    if not institution:
        errors.add(0, "institution_name", "医療機関を入力してください。")
    elif len(institution) > 200:
        errors.add(0, "institution_name", "医療機関は200文字以内で入力してください。")
    return institution


def _code_rule(cell: Any, errors: _RowErrors) -> str:
    code = _code(cell)
    if code and (not code.isdigit() or len(code) > 10):
        errors.add(0, "institution_code", "医療機関コードは10桁以内の数字で入力してください。")
    return code


def _days_rule(cell: Any, errors: _RowErrors) -> int:
    text = _code(cell).removesuffix("日")
    if text and (not text.isdigit() or int(text) > 31):
        errors.add(0, "days", "日数は0〜31の整数で入力してください。")
        text = ""
    return int(text or 0)


def _points_rule(cell: Any, errors: _RowErrors) -> int | None:
    points = _code(cell).replace(",", "").removesuffix("点")
    if points and not points.isdigit():
        errors.add(0, "points", f"「{points}」は点数として読めません。0以上の整数で入力してください。")
        return None
    return int(points) if points else None


def _amount_rule(cell: Any, errors: _RowErrors) -> int | None:
    """The yen of a filled 金額 cell; None for a blank one (then the points decide)."""
    return _yen(cell, 0, "amount", errors) if _code(cell) else None


def _member_rule(cell: Any, errors: _RowErrors) -> int:
    return _member_number_cell(cell, 0, errors)


def _upsert_medical(actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    t = _Table(rows, _MEDICAL_BY_KEY, _MEDICAL_HEADERS)
    if not rows:
        t.errors.add(0, "", "取り込む行がありません。")
    case = t.convert("case_number", _case_rule, required=True)
    member = t.convert("member_number", _member_rule, required=True)
    month = t.convert("month", _month_rule("month"), required=True)
    kind = t.convert("kind", _kind_rule, required=True)
    institution = t.convert("institution_name", _institution_rule, required=True)
    values: dict[str, list[Any]] = {}
    if t.has("institution_code"):
        values["institution_code"] = t.convert("institution_code", _code_rule)
    if t.has("days"):
        values["days"] = t.convert("days", _days_rule)
    points: list[Any] | None = None
    if t.has("points"):
        points = values["points"] = t.convert("points", _points_rule)
    amount = t.convert("amount", _amount_rule)
    # No 金額: points × 10 yen; neither: an error of the 金額 column.
    if None in amount or _ABSENT in amount:
        for i, yen in enumerate(amount):
            if yen is None or yen is _ABSENT:
                p = points[i] if points is not None else None
                if p is not None and p is not _ABSENT:
                    amount[i] = p * POINT_YEN
                else:
                    t.fail(i, "amount", "点数か金額のどちらかを入力してください。")
    values["amount"] = amount

    found = _Cases(actor.office.pk, {case[i] for i in t.good()})
    cases, people = found.households(), found.people()
    owners: list[Any] = list(map(people.get, zip(case, member, strict=True)))
    keys = list(zip(owners, month, kind, institution, strict=True))
    if t.bad or None in owners or len(set(keys)) < len(keys):
        seen: dict[tuple[Any, ...], int] = {}
        for i in list(t.good()):
            if case[i] not in cases:
                _not_found(t, i, case[i])
            elif owners[i] is None:
                t.fail(i, "member_number", f"ケース番号 {case[i]} に世帯員番号 {member[i]} の世帯員がいません。")
            elif keys[i] in seen:
                t.fail(i, "institution_name", f"同じ世帯員・診療年月・種類・医療機関の行が{seen[keys[i]]}行目に"
                                              "あります。")
            else:
                seen[keys[i]] = t.numbers[i]
    t.errors.raise_if_any()

    months = sorted(set(month))
    touched, created, updated = _write(actor, t, MedicalClaimMonth,
                                       ["person_id", "month", "kind", "institution_name"],
                                       [owners, month, kind, institution], values, ["amount"], "person_id",
                                       months)
    return _finish(actor, "medical.import", MedicalClaimMonth, t.size, created, updated, months,
                   sorted(touched))


def _finish(actor: Membership, action: str, model: type[Model], rows: int, created: int, updated: int,
            months: list[dt.date], people: list[int]) -> AmountImportResult:
    """The summary audit row, linked to every person whose amounts changed; statistics."""
    result = AmountImportResult(rows=rows, created=created, updated=updated,
                                unchanged=rows - created - updated)
    summary = record(actor=actor.user, office=actor.office, action=action, kind=AuditEvent.Kind.IMPORT,
                     changes={"rows": rows, "created": result.created, "updated": result.updated,
                              "months": [months[0].isoformat()[:7], months[-1].isoformat()[:7]]
                              if months else []})
    result.audit_event_id = summary.pk
    link_people(summary, people)
    analyze_after_commit({model: created + updated}, min_share=0.1)
    return result


# ---------------------------------------------------------------- the import's layouts


@dataclass(frozen=True)
class Layout:
    """One kind of file the import screen takes: its columns, service and result sentence."""

    key: str
    label: str
    columns: tuple[Column, ...]
    upsert: Callable[..., Any]
    describe: Callable[[Any], str]
    sheet: str


def _caseload_sentence(r: Any) -> str:
    return (f"{r.rows}行を取り込みました。世帯：新規{r.households_created}件・更新{r.households_updated}件、"
            f"世帯員：新規{r.people_created}件・更新{r.people_updated}件・変更なし{r.people_unchanged}件。")


def _amount_sentence(r: AmountImportResult) -> str:
    return f"{r.rows}行を取り込みました。新規{r.created}件・更新{r.updated}件・変更なし{r.unchanged}件。"


def _layouts() -> dict[str, Layout]:
    return {
        "caseload": Layout("caseload", "ケース台帳（世帯・世帯員）", COLUMNS, upsert_caseload,
                           _caseload_sentence, "世帯員"),
        "assistance": Layout("assistance", "保護費（世帯・月別）", ASSISTANCE_COLUMNS, upsert_assistance,
                             _amount_sentence, "保護費"),
        "medical": Layout("medical", "医療扶助（レセプト・月別）", MEDICAL_COLUMNS, upsert_medical,
                          _amount_sentence, "医療扶助"),
    }


LAYOUTS: Mapping[str, Layout] = _layouts()
