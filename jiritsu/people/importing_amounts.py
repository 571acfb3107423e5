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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django_scopes import scope

from jiritsu.audit.log import link_people, record
from jiritsu.audit.models import AuditEvent
from jiritsu.core import clock, wareki
from jiritsu.core.bulk import analyze_after_commit, insert_many, update_many
from jiritsu.offices.access import require
from jiritsu.offices.models import Membership
from jiritsu.people.amounts import POINT_YEN
from jiritsu.people.importing import (
    COLUMNS,
    Column,
    _case_number,
    _cells,
    _choice,
    _choices,
    _chunks,
    _code,
    _member_number,
    _RowErrors,
    _text,
    _yen,
    header_keys,
    upsert_caseload,
)
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


def _households(office_id: int, case_numbers: set[str]) -> dict[str, int]:
    """Case number → household id, the office's own only (one query per 1,000)."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(case_numbers), 1000):
        found.update(Household.objects.filter(office_id=office_id, case_number__in=chunk)
                     .values_list("case_number", "id"))
    return found


def _not_found(row: int, case_number: str, errors: _RowErrors) -> None:
    errors.add(row, "case_number", f"ケース番号 {case_number} の世帯はこの事務所のケース台帳にありません。"
                                   "先にケース台帳を取り込んでください。")


# ---------------------------------------------------------------- assistance


def upsert_assistance(*, actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    """Create or update households' monthly assistance (``AssistanceMonth``) from rows of
    :data:`ASSISTANCE_COLUMNS` (keys or Japanese labels; ``_row`` = line number). All or
    nothing: :class:`~jiritsu.people.importing.CaseloadImportError` lists every error.
    Needs ``caseload.import``."""
    require(actor, "caseload.import")
    with scope(office=actor.office), transaction.atomic():
        return _upsert_assistance(actor, rows)


def _upsert_assistance(actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    office = actor.office
    errors = _RowErrors(_ASSISTANCE_BY_KEY)
    if not rows:
        errors.add(0, "", "取り込む行がありません。")
    parsed: list[tuple[int, str, dt.date, dict[str, Any]]] = []
    for n, raw in enumerate(rows, start=1):
        row, data = _cells(raw, n, errors, _ASSISTANCE_HEADERS)
        before = len(errors.items)
        case_number = _case_number(data, row, errors)
        month = _month(data.get("month"), row, "month", errors)
        values: dict[str, Any] = {}
        for key in ("minimum_living_cost", "earned_income_recognised", "other_income_recognised",
                    *PAID_FIELDS.values()):
            if key in data:
                values[key] = _yen(data[key], row, key, errors)
        if "status" in data:
            values["status"] = _choice(data["status"], _STATUS, row, "status", errors,
                                       "支給・停止・廃止") or AssistanceMonth.Status.PAID
        if "status_reason" in data:
            values["status_reason"] = _choice(data["status_reason"], _REASON, row, "status_reason",
                                              errors, "廃止理由の一覧")
        status, reason = values.get("status"), values.get("status_reason")
        if status in (AssistanceMonth.Status.STOPPED, AssistanceMonth.Status.ENDED) and not reason \
                and not any(e["row"] == row and e["field"] == "status_reason" for e in errors.items):
            errors.add(row, "status_reason", "停止・廃止の月は理由を入力してください。")
        elif status == AssistanceMonth.Status.PAID and reason:
            errors.add(row, "status_reason", "支給の月に停止・廃止の理由は入力できません。")
        if len(errors.items) == before and month is not None:
            parsed.append((row, case_number, month, values))

    households = _households(office.pk, {case for _, case, _, _ in parsed})
    seen: dict[tuple[str, dt.date], int] = {}
    for row, case_number, month, _ in parsed:
        if case_number not in households:
            _not_found(row, case_number, errors)
        elif (case_number, month) in seen:
            errors.add(row, "month", f"ケース番号 {case_number} の{wareki.format_wareki_month(month)}が"
                                     f"{seen[(case_number, month)]}行目と重複しています。")
        else:
            seen[(case_number, month)] = row
    errors.raise_if_any()

    existing: dict[tuple[int, dt.date], AssistanceMonth] = {}
    ids = sorted(set(households.values()))
    months = sorted({m for _, _, m, _ in parsed})
    for chunk in _chunks(ids, 1000):
        for found in AssistanceMonth.objects.filter(household_id__in=chunk, month__in=months):
            existing[(found.household_id, found.month)] = found
    now = clock.now()
    new: list[AssistanceMonth] = []
    changed: list[AssistanceMonth] = []
    for _, case_number, month, values in parsed:
        household_id = households[case_number]
        current = existing.get((household_id, month))
        if current is None:
            new.append(AssistanceMonth(office_id=office.pk, household_id=household_id, month=month,
                                       received_at=now, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.received_at = now
            changed.append(current)
    insert_many(AssistanceMonth, new)
    update_many(AssistanceMonth, changed, [*ASSISTANCE_VALUES, "received_at"])
    touched = {a.household_id for a in (*new, *changed)}
    people: list[int] = []
    for chunk in _chunks(sorted(touched), 1000):
        people += Person.objects.filter(household_id__in=chunk).values_list("id", flat=True)
    return _finish(actor, "assistance.import", AssistanceMonth, len(parsed), new, changed, months,
                   people)


# ---------------------------------------------------------------- medical


def upsert_medical(*, actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    """Create or update people's monthly medical claims (``MedicalClaimMonth``) from rows of
    :data:`MEDICAL_COLUMNS`. All or nothing, as :func:`upsert_assistance`. Needs
    ``caseload.import``."""
    require(actor, "caseload.import")
    with scope(office=actor.office), transaction.atomic():
        return _upsert_medical(actor, rows)


_MedicalKey = tuple[int, dt.date, str, str]  # person, month, kind, institution


def _upsert_medical(actor: Membership, rows: list[dict[str, Any]]) -> AmountImportResult:
    office = actor.office
    errors = _RowErrors(_MEDICAL_BY_KEY)
    if not rows:
        errors.add(0, "", "取り込む行がありません。")
    parsed: list[tuple[int, str, int, dt.date, str, str, dict[str, Any]]] = []
    for n, raw in enumerate(rows, start=1):
        row, data = _cells(raw, n, errors, _MEDICAL_HEADERS)
        before = len(errors.items)
        case_number = _case_number(data, row, errors)
        member_number = _member_number(data, row, errors)
        month = _month(data.get("month"), row, "month", errors)
        kind = _choice(data.get("kind"), _CLAIM_KIND, row, "kind", errors, "入院・入院外・調剤・歯科")
        if not kind and not _code(data.get("kind")):
            errors.add(row, "kind", "種類を入力してください。")
        institution = _text(data.get("institution_name"))
        if not institution:
            errors.add(row, "institution_name", "医療機関を入力してください。")
        elif len(institution) > 200:
            errors.add(row, "institution_name", "医療機関は200文字以内で入力してください。")
        values: dict[str, Any] = {}
        if "institution_code" in data:
            code = _code(data["institution_code"])
            if code and (not code.isdigit() or len(code) > 10):
                errors.add(row, "institution_code", "医療機関コードは10桁以内の数字で入力してください。")
            values["institution_code"] = code
        if "days" in data:
            text = _code(data["days"]).removesuffix("日")
            if text and (not text.isdigit() or int(text) > 31):
                errors.add(row, "days", "日数は0〜31の整数で入力してください。")
                text = ""
            values["days"] = int(text or 0)
        points = _code(data.get("points")).replace(",", "").removesuffix("点")
        if "points" in data:
            if points and not points.isdigit():
                errors.add(row, "points", f"「{points}」は点数として読めません。0以上の整数で入力してください。")
                points = ""
            values["points"] = int(points) if points else None
        if "amount" in data and _code(data["amount"]):
            values["amount"] = _yen(data["amount"], row, "amount", errors)
        elif points and points.isdigit():
            values["amount"] = int(points) * POINT_YEN
        else:
            errors.add(row, "amount", "点数か金額のどちらかを入力してください。")
        if len(errors.items) == before and month is not None:
            parsed.append((row, case_number, member_number, month, kind, institution, values))

    households = _households(office.pk, {p[1] for p in parsed})
    people: dict[tuple[int, int], int] = {}
    for chunk in _chunks(sorted(set(households.values())), 500):
        for pk, household_id, member in Person.objects.filter(household_id__in=chunk).values_list(
                "id", "household_id", "member_number"):
            people[(household_id, member)] = pk
    keyed: list[tuple[_MedicalKey, dict[str, Any]]] = []
    seen: dict[_MedicalKey, int] = {}
    for row, case_number, member_number, month, kind, institution, values in parsed:
        if case_number not in households:
            _not_found(row, case_number, errors)
            continue
        person_id = people.get((households[case_number], member_number))
        if person_id is None:
            errors.add(row, "member_number", f"ケース番号 {case_number} に世帯員番号 {member_number} の"
                                             "世帯員がいません。")
            continue
        key = (person_id, month, kind, institution)
        if key in seen:
            errors.add(row, "institution_name", f"同じ世帯員・診療年月・種類・医療機関の行が{seen[key]}行目に"
                                                "あります。")
            continue
        seen[key] = row
        keyed.append((key, values))
    errors.raise_if_any()

    existing: dict[_MedicalKey, MedicalClaimMonth] = {}
    months = sorted({k[1] for k, _ in keyed})
    for chunk in _chunks(sorted({k[0] for k, _ in keyed}), 1000):
        for found in MedicalClaimMonth.objects.filter(person_id__in=chunk, month__in=months):
            existing[(found.person_id, found.month, found.kind, found.institution_name)] = found
    now = clock.now()
    new: list[MedicalClaimMonth] = []
    changed: list[MedicalClaimMonth] = []
    for (person_id, month, kind, institution), values in keyed:
        current = existing.get((person_id, month, kind, institution))
        if current is None:
            new.append(MedicalClaimMonth(office_id=office.pk, person_id=person_id, month=month, kind=kind,
                                         institution_name=institution, received_at=now, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.received_at = now
            changed.append(current)
    insert_many(MedicalClaimMonth, new)
    update_many(MedicalClaimMonth, changed, [*_MEDICAL_VALUES, "received_at"])
    return _finish(actor, "medical.import", MedicalClaimMonth, len(keyed), new, changed, months,
                   sorted({c.person_id for c in (*new, *changed)}))


def _finish(actor: Membership, action: str, model: type[Model], rows: int, new: Sequence[Model],
            changed: Sequence[Model], months: list[dt.date], people: list[int]) -> AmountImportResult:
    """The summary audit row, linked to every person whose amounts changed; statistics."""
    result = AmountImportResult(rows=rows, created=len(new), updated=len(changed),
                                unchanged=rows - len(new) - len(changed))
    summary = record(actor=actor.user, office=actor.office, action=action, kind=AuditEvent.Kind.IMPORT,
                     changes={"rows": rows, "created": result.created, "updated": result.updated,
                              "months": [months[0].isoformat()[:7], months[-1].isoformat()[:7]]
                              if months else []})
    result.audit_event_id = summary.pk
    link_people(summary, people)
    analyze_after_commit({model: len(new) + len(changed)})
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
