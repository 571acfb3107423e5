"""The hand-over document (移管時の引継ぎ書類): what of a person's file goes to the receiving
office, decided here once — for a hand-over inside the installation and for the signed
person file sent to another installation alike.

It is the paper a Japanese office sends on 移管: the 保護台帳 (the registry of the person and
their household) and a copy of the ケース記録 (the office's own progress records and the
programme episodes), frozen on the day it is written. What is left out, and why
(docs/transfers.md, "What goes with the person"):

* 宛名番号 (address number): the old municipality's number, meaningless and not to be used
  elsewhere (its purpose ends with the municipality);
* consents and what they allowed partners to see: a consent is given to an office for its
  programs; the receiving office asks the person again;
* records written by partner organisations: shared with the old office under a consent for a
  referral there; that purpose ends with the hand-over;
* 法27条・法62条 guidance: a disposition of the old 実施機関, which the new one decides afresh;
  稼働能力の評価: the old office's judgment, made again where the person now lives;
* the audit log: each office keeps its own.

Values are plain JSON (dates as ISO strings) so the document can be stored, signed and read
back; :func:`sections` turns it into labelled rows for a screen.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.core import clock
from jiritsu.core.labels import field_label, value_label
from jiritsu.people.models import Household, Person
from jiritsu.people.services import PART_KINDS

# The registry fields that go with the person (宛名番号 does not: see above).
PERSON_FIELDS = ("name", "kana", "birth_date", "sex", "relationship", "employment_status",
                 "employer_name", "earned_income", "school_name", "school_grade", "phone", "note")
HOUSEHOLD_FIELDS = ("case_number", "household_type", "assistance_started_on")
# The person parts that go with the person, re-created as the receiving office's own rows.
PART_KINDS_CARRIED = ("disabilities", "illnesses", "stays", "work", "qualifications", "care")
_PART_SKIP = {"id", "person", "person_id", "version", "hospital", "hospital_id", "office",
              "office_id", "assessed_by", "assessed_by_id"}

LEFT_OUT = (
    "宛名番号（移管元の自治体の番号のため）",
    "同意と関係機関への情報提供の範囲（移管先で改めて本人の同意を得ます）",
    "関係機関が記録した経過記録（移管元での紹介のために共有された記録のため）",
    "指導指示（法27条・法62条）と稼働能力の評価（移管先で改めて判断します）",
    "監査ログ（各事務所がそれぞれ保持します）",
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return clock.to_japan(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _part_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in _PART_SKIP]


def document(person: Person) -> dict[str, Any]:
    """The hand-over document of ``person`` as their office holds it today. Read inside that
    office's scope by the office's own staff (the proposal or the export)."""
    household: Household | None = person.household
    parts: dict[str, list[dict[str, Any]]] = {}
    for kind in PART_KINDS_CARRIED:
        model: Any = PART_KINDS[kind].model
        fields = _part_fields(model)
        parts[kind] = [{f: _plain(getattr(row, f)) for f in fields}
                       for row in model.objects.filter(person=person).order_by("id")]
    episodes = [{
        "program_code": e.program.code, "program_name": e.program.name,
        "status": e.status, "status_label": e.get_status_display(),
        "open": e.status in Enrollment.OPEN_STATUSES,
        "phase_name": e.phase.name if e.phase else "",
        "candidate_on": _plain(e.candidate_on), "started_on": _plain(e.started_on),
        "ended_on": _plain(e.ended_on), "end_reason_label": e.get_end_reason_display(),
    } for e in Enrollment.objects.filter(person=person).select_related("program", "phase")
        .order_by("candidate_on", "id")]
    records = [{
        "occurred_on": _plain(r.occurred_on), "time": r.time_label, "kind": r.get_kind_display(),
        "program_name": r.enrollment.program.name if r.enrollment else "",
        "author": str(r.author), "text": r.text,
    } for r in ActivityRecord.objects.filter(person=person, author_partner__isnull=True)
        .select_related("author", "enrollment__program").order_by("occurred_at", "id")]
    return {
        "made_on": clock.today().isoformat(),
        "office": {"code": person.office.code, "name": person.office.name},
        "person": {f: _plain(getattr(person, f)) for f in PERSON_FIELDS},
        "household": ({f: _plain(getattr(household, f)) for f in HOUSEHOLD_FIELDS}
                      if household is not None else {}),
        "parts": parts,
        "episodes": episodes,
        "records": records,
        "left_out": list(LEFT_OUT),
    }


def _rows(values: dict[str, Any], target_type: str) -> list[tuple[str, str]]:
    return [(field_label(k, target_type), value_label(v, field=k, target_type=target_type))
            for k, v in values.items()]


def sections(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as a screen shows it: labels in Japanese, choices by label, dates in 和暦."""
    parts = []
    for kind in PART_KINDS_CARRIED:
        spec = PART_KINDS[kind]
        target = f"people.{spec.model.__name__}"
        rows = [_rows(row, target) for row in doc.get("parts", {}).get(kind, [])]
        if rows:
            parts.append({"label": spec.label, "rows": rows})
    return {
        "made_on": value_label(doc.get("made_on")),
        "office": doc.get("office", {}).get("name", ""),
        "person": _rows(doc.get("person", {}), "people.Person"),
        "household": _rows(doc.get("household", {}), "people.Household"),
        "parts": parts,
        "episodes": [{**e, "candidate_on": value_label(e.get("candidate_on")),
                      "started_on": value_label(e.get("started_on")),
                      "ended_on": value_label(e.get("ended_on"))}
                     for e in doc.get("episodes", [])],
        "records": [{**r, "occurred_on": value_label(r.get("occurred_on"))}
                    for r in doc.get("records", [])],
        "left_out": doc.get("left_out", []),
    }


def person_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The registry fields to register the person with in the receiving office."""
    values = {f: doc["person"].get(f) for f in PERSON_FIELDS if f in doc.get("person", {})}
    values["birth_date"] = dt.date.fromisoformat(values["birth_date"])
    return {k: ("" if v is None and k not in {"earned_income"} else v)
            for k, v in values.items() if not (k == "earned_income" and v is None)}


def part_values(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """One carried person part's values, typed back for its model."""
    model: Any = PART_KINDS[kind].model
    values: dict[str, Any] = {}
    for name in _part_fields(model):
        if name not in row:
            continue
        field = model._meta.get_field(name)
        value = row[name]
        if value is not None and isinstance(field, models.DateField):
            value = dt.date.fromisoformat(value)
        values[name] = value
    return values


def problems(doc: dict[str, Any]) -> list[dict[str, object]]:
    """Every value of a document (from another installation) that the registry would refuse,
    each with where it is and the Japanese reason; empty when it can be taken in."""
    found: list[dict[str, object]] = []

    def check(obj: models.Model, where: str, exclude: list[str]) -> None:
        try:
            obj.clean_fields(exclude=exclude)
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                found.append({"where": where, "field": name, "message": "、".join(messages)})

    try:
        check(Person(**person_values(doc)), "世帯員",
              ["office", "household", "kana_key", "name_key"])
    except (KeyError, TypeError, ValueError):
        return [{"where": "世帯員", "field": "birth_date", "message": "氏名・生年月日が読めません。"}]
    for kind in PART_KINDS_CARRIED:
        spec = PART_KINDS[kind]
        for i, row in enumerate(doc.get("parts", {}).get(kind, []) or []):
            try:
                check(spec.model(**part_values(kind, row)), f"{spec.label} {i + 1}件目",
                      ["person", "hospital"])
            except (TypeError, ValueError):
                found.append({"where": f"{spec.label} {i + 1}件目", "field": "",
                              "message": "日付などの値が読めません。"})
    return found
