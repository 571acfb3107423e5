"""開示請求: everything the office holds on one person, as sections.

Sections come from providers. The built-in ones below cover the people and programs
apps and the audit log. Any app can add its own by defining ``disclosure_sections(person)``
in ``<app>/disclosure.py`` (returning a list of :class:`Section`, and optionally a
``DISCLOSURE_MODELS`` tuple of the models it covers). Any other model of the project that
points at the person (or at one of their enrolments) and that no provider covers is
still included, generically, so a newly added record type is never silently left out.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.template.loader import render_to_string

from jiritsu.audit.models import AuditEvent, action_label, format_label
from jiritsu.audit.selectors import about_person
from jiritsu.cases import models as cm
from jiritsu.core import clock, wareki
from jiritsu.people.models import (
    AssistanceMonth,
    CareDuty,
    Disability,
    HospitalStay,
    Household,
    HouseholdTypeChange,
    Illness,
    MedicalClaimMonth,
    MedicalEvidence,
    Person,
    Qualification,
    WorkCapacityAssessment,
    WorkHistory,
)
from jiritsu.programs import models as pm
from jiritsu.reports.exports import html_to_pdf


@dataclass
class Section:
    key: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


Provider = Callable[[Person], list[Section]]
STATUS_LABELS = dict(cm.Enrollment.Status.choices)

_SKIP_FIELDS = {"id", "office", "kana_key", "name_key", "version", "snapshot", "person"}


# Labels for fields the models leave without a Japanese verbose name.
FIELD_LABELS = {
    "created_at": "登録日時", "updated_at": "更新日時", "recorded_at": "登録日時",
    "created_by": "作成者", "recorded_by": "記録者", "requested_by": "依頼者", "actor": "職員",
    "enrollment": "参加", "plan": "計画", "review": "見直し", "goal": "目標",
    "request": "決裁案件", "step_no": "順番", "role": "役割", "decided_by": "決裁者",
    "approved": "承認", "decided_at": "決裁日時", "consent": "同意", "conference": "検討会",
    "reviewer": "評価者", "outcome_type": "成果の区分", "current_step": "現在の決裁段階",
    "moved_from": "移行元", "program": "プログラム", "partner": "関係機関", "household": "世帯",
    "from_status": "変更前", "to_status": "変更後", "note": "備考", "phase": "段階",
    "decision": "決定", "end_reason": "終了理由", "target_program": "移行先",
    "extend_until": "延長期限", "user": "職員", "name": "名称", "author": "記録者",
    "author_partner": "記録者（関係機関）", "ledger": "台帳", "number": "版",
}

# Section titles for record types whose models leave the verbose name in English (the
# generic sections below); a model with a Japanese verbose name needs no entry.
MODEL_TITLES = {
    "guidance.guidancecase": "指導指示", "guidance.guidancestep": "指導指示の経過",
    "activities.trainingplacement": "職場適応訓練", "activities.trainingday": "訓練日",
    "activities.trainingmonthlystatus": "訓練の毎月の状況把握",
    "activities.recruitment": "学習会・講座の募集", "activities.sessionattendance": "学習会・講座の出席",
    "activities.helloworkreferral": "生活保護受給者等就労支援事業（ハローワーク）",
    "activities.healthtrack": "健康管理支援", "activities.familycontact": "扶養義務者・親族",
    "activities.familyrequest": "親族への協力依頼", "activities.receivingrequest": "受入先への受入依頼",
    "activities.volunteerplacement": "ボランティア活動の斡旋",
    # The record types of the built-in sections, by the same titles (the merge screen counts
    # a person's records by type: merging.selectors).
    "people.disability": "障害", "people.illness": "傷病と治療状況", "people.hospitalstay": "入院歴",
    "people.workhistory": "職歴", "people.qualification": "資格・免許", "people.careduty": "育児・介護",
    "people.workcapacityassessment": "稼働能力の評価", "people.medicalevidence": "医学的な根拠",
    "people.assistancemonth": "保護費（月別）",
    "people.medicalclaimmonth": "医療扶助（月別・レセプト集計）",
    "programs.ledgerentry": "支援対象者台帳への掲載", "programs.nomination": "推薦",
    "cases.consent": "同意", "cases.enrollment": "プログラムへの参加",
    "cases.conferencedecision": "検討会の決定", "cases.approvalrequest": "決裁",
    "cases.activityrecord": "経過記録",
}


def model_title(model: type[models.Model]) -> str:
    """A record type's Japanese title: :data:`MODEL_TITLES`, else its verbose name."""
    return MODEL_TITLES.get(model._meta.label_lower, str(model._meta.verbose_name))


def _label(f: models.Field | models.ManyToManyField) -> str:
    verbose = str(f.verbose_name)
    if verbose == f.name.replace("_", " "):
        return FIELD_LABELS.get(f.name, verbose)
    return verbose


def _value(obj: models.Model, f: models.Field) -> Any:
    if f.choices:
        return getattr(obj, f"get_{f.name}_display")()
    if isinstance(f, models.ForeignKey):
        related = getattr(obj, f.name)
        return str(related) if related is not None else ""
    value = getattr(obj, f.attname)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def model_rows(objects: Iterable[models.Model], *, skip: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Rows keyed by each field's Japanese verbose name (the labels people see on screen)."""
    rows = []
    skipped = _SKIP_FIELDS | set(skip)
    for obj in objects:
        row: dict[str, Any] = {}
        for f in obj._meta.concrete_fields:
            if f.name in skipped:
                continue
            row[_label(f)] = _value(obj, f)
        for m2m in obj._meta.many_to_many:
            row[_label(m2m)] = "、".join(str(x) for x in getattr(obj, m2m.name).all())
        rows.append(row)
    return rows


# ---- built-in providers -----------------------------------------------------------------


def _profile(person: Person) -> list[Section]:
    sections = [Section("profile", "本人情報", model_rows([person]))]
    parts: list[tuple[str, str, type[models.Model]]] = [
        ("disabilities", "障害", Disability), ("illnesses", "傷病と治療状況", Illness),
        ("hospital_stays", "入院歴", HospitalStay), ("work_history", "職歴", WorkHistory),
        ("qualifications", "資格・免許", Qualification), ("care_duties", "育児・介護", CareDuty),
        ("assessments", "稼働能力の評価", WorkCapacityAssessment),
        ("medical_evidence", "医学的な根拠", MedicalEvidence),
    ]
    for key, title, model in parts:
        sections.append(Section(key, title, model_rows(model._default_manager.filter(person=person))))
    return sections


def _household(person: Person) -> list[Section]:
    if person.household_id is None:
        return [Section("household", "世帯", [], note="世帯に属していません（被保護者以外）。")]
    hh = Household.objects.select_related("caseworker", "visit_grade").get(pk=person.household_id)
    history = HouseholdTypeChange.objects.filter(household=hh)
    return [
        Section("household", "世帯", model_rows([hh]),
                note="他の世帯員の個人情報は含みません。"),
        Section("household_types", "世帯類型の変更履歴", model_rows(history, skip={"household"})),
    ]


def _amounts(person: Person) -> list[Section]:
    """保護費 of the person's household and their own 医療扶助, every month received."""
    assistance = (AssistanceMonth.objects.filter(household_id=person.household_id).order_by("month")
                  if person.household_id else AssistanceMonth.objects.none())
    skip = {"household", "received_at"}
    rows = []
    for a, row in zip(assistance, model_rows(assistance, skip=skip), strict=True):
        row["年月"] = wareki.format_wareki_month(a.month)
        rows.append({**row, "支給額の合計": a.paid_total})
    claims = MedicalClaimMonth.objects.filter(person=person).order_by("month", "kind", "institution_name")
    medical = []
    for c, row in zip(claims, model_rows(claims, skip={"received_at"}), strict=True):
        row["診療年月"] = wareki.format_wareki_month(c.month)
        medical.append(row)
    return [
        Section("assistance_months", "保護費（世帯・月別）", rows,
                note="世帯の額です（世帯員ごとには分かれていません）。生活保護システムから受信したものです。"),
        Section("medical_claims", "医療扶助（レセプト集計・月別）", medical,
                note="生活保護システムから受信したレセプトの集計です。"),
    ]


def _programs(person: Person) -> list[Section]:
    enrollments = list(cm.Enrollment.objects.filter(person=person)
                       .select_related("program", "phase", "lead_staff", "moved_from")
                       .prefetch_related("menus", "referred_partners").order_by("candidate_on", "id"))
    events = (cm.EnrollmentEvent.objects.filter(enrollment__person=person)
              .select_related("enrollment__program", "conference", "actor", "phase")
              .order_by("occurred_on", "id"))
    plans = cm.Plan.objects.filter(enrollment__person=person).select_related(
        "enrollment__program", "created_by").order_by("enrollment_id", "number")
    goals = cm.PlanGoal.objects.filter(plan__enrollment__person=person).select_related("plan")
    commitments = cm.PlanCommitment.objects.filter(plan__enrollment__person=person).select_related("plan")
    reviews = cm.Review.objects.filter(enrollment__person=person).select_related(
        "enrollment__program", "reviewer", "conference")
    assessments = cm.GoalAssessment.objects.filter(review__enrollment__person=person).select_related(
        "review", "goal")
    outcomes = cm.Outcome.objects.filter(enrollment__person=person).select_related(
        "enrollment__program", "outcome_type", "recorded_by")
    approvals = cm.ApprovalRequest.objects.filter(enrollment__person=person).select_related(
        "requested_by")
    steps = cm.ApprovalStep.objects.filter(request__enrollment__person=person).select_related(
        "request", "decided_by")
    return [
        Section("ledger", "支援対象者台帳への掲載",
                [{"プログラム": e.ledger.program.name, "台帳名": e.ledger.title,
                  "基準日": e.ledger.as_of, "該当理由": "、".join(map(str, e.reasons)),
                  "推薦": "あり" if e.nominated else ""}
                 for e in pm.LedgerEntry.objects.filter(person=person)
                 .select_related("ledger__program")]),
        Section("nominations", "推薦", model_rows(
            pm.Nomination.objects.filter(person=person).select_related("program", "partner",
                                                                        "recorded_by"))),
        Section("enrollments", "プログラムへの参加", [
            {"プログラム": e.program.name, **model_rows([e], skip={"program", "program_version",
                                                                  "flagged_no_longer_matching"})[0]}
            for e in enrollments]),
        Section("enrollment_events", "参加の経過（状態の変更）", [
            {"日付": ev.occurred_on, "プログラム": ev.enrollment.program.name,
             "変更前": STATUS_LABELS.get(ev.from_status, ev.from_status),
             "変更後": STATUS_LABELS.get(ev.to_status, ev.to_status), "操作": ev.action,
             "段階": str(ev.phase or ""), "検討会": str(ev.conference or ""), "備考": ev.note,
             "職員": str(ev.actor)} for ev in events]),
        Section("plans", "自立計画・支援計画", model_rows(plans)),
        Section("plan_goals", "計画の目標", model_rows(goals)),
        Section("plan_commitments", "本人が取り組むこと", model_rows(commitments)),
        Section("reviews", "見直し・評価", model_rows(reviews)),
        Section("goal_assessments", "目標の達成度", model_rows(assessments)),
        Section("outcomes", "成果", model_rows(outcomes)),
        Section("approvals", "決裁", model_rows(approvals, skip={"payload", "office"})),
        Section("approval_steps", "決裁の記録", model_rows(steps)),
    ]


def _records(person: Person) -> list[Section]:
    records = (cm.ActivityRecord.objects.filter(person=person)
               .select_related("enrollment__program", "author", "author_partner")
               .prefetch_related("staff_present", "partners_present").order_by("occurred_at", "id"))
    rows = model_rows(records, skip={"data", "time_known"})
    label = str(cm.ActivityRecord._meta.get_field("occurred_at").verbose_name)
    for row, r in zip(rows, records, strict=True):
        if not r.time_known:  # a record without a time of day shows its date only
            row[label] = r.occurred_on
    return [Section("records", "経過記録", rows)]


def _conferences(person: Person) -> list[Section]:
    decisions = (cm.ConferenceDecision.objects.filter(person=person)
                 .select_related("conference", "enrollment__program", "phase", "target_program")
                 .order_by("conference__held_on", "id"))
    via_events = (cm.Conference.objects.filter(enrollment_events__enrollment__person=person)
                  .exclude(decisions__person=person).distinct())
    rows = [{"開催日": d.conference.held_on, "種類": d.conference.get_kind_display(),
             "件名": d.conference.title, "決定": d.get_decision_display(), "理由": d.reason,
             "終了理由": d.get_end_reason_display() if d.end_reason else "",
             "移行先": str(d.target_program or ""), "延長期限": d.extend_until}
            for d in decisions]
    rows += [{"開催日": c.held_on, "種類": c.get_kind_display(), "件名": c.title, "決定": "",
              "理由": "", "終了理由": "", "移行先": "", "延長期限": None} for c in via_events]
    sorts = (cm.ConferenceResult.objects.filter(enrollment__person=person)
             .select_related("conference", "enrollment__program")
             .order_by("conference__held_on", "id"))
    return [Section("conferences", "本人について協議した検討会・会議", rows,
                    note="議事録のうち他の方に関する部分は含みません。"),
            Section("conference_results", "結果検討会での振り返り", [
                {"開催日": s.conference.held_on, "件名": s.conference.title,
                 "プログラム": str(s.enrollment.program),
                 "対象期間": f"{wareki.format_wareki(s.conference.results_from)}〜"
                             f"{wareki.format_wareki(s.conference.results_to)}",
                 "結果": s.get_result_display(), "要因": s.reason,
                 "今後の支援": s.get_next_step_display() if s.next_step else ""}
                for s in sorts])]


def _consents(person: Person) -> list[Section]:
    consents = cm.Consent.objects.filter(person=person).select_related("program", "recorded_by")
    grants = (cm.ConsentGrant.objects.filter(consent__person=person)
              .select_related("consent__program", "partner"))
    labels = dict(cm.DataCategory.choices)
    return [
        Section("consents", "同意", model_rows(consents)),
        Section("consent_grants", "情報提供先と提供する情報", [
            {"同意日": g.consent.given_on, "プログラム": str(g.consent.program or "（全般）"),
             "提供先": g.partner.name,
             "提供する情報": "、".join(labels.get(c, c) for c in g.categories)} for g in grants]),
    ]


def _audit(person: Person) -> list[Section]:
    """Every event about the person, including lists and files that carried them among
    others (who, when, in which format)."""
    events = AuditEvent.objects.filter(
        about_person(person.pk, person.office_id), office_id=person.office_id).order_by(
        "created_at", "id")
    return [Section("audit", "閲覧・操作の記録（誰がいつ本人の記録を見たか・変えたか・出力したか）", [
        {"日時": clock.to_japan(e.created_at), "職員": e.actor_label,
         "種別": e.get_kind_display(), "操作": action_label(e), "形式": format_label(e),
         "対象": e.target_label}
        for e in events])]


BUILTIN: list[Provider] = [_profile, _household, _amounts, _programs, _records, _conferences, _consents,
                           _audit]
COVERED: set[type[models.Model]] = {
    Person, Household, HouseholdTypeChange, AssistanceMonth, MedicalClaimMonth, Disability,
    Illness, HospitalStay, WorkHistory, Qualification, CareDuty, WorkCapacityAssessment,
    MedicalEvidence, pm.LedgerEntry, pm.Nomination,
    cm.Enrollment, cm.EnrollmentEvent, cm.Plan, cm.PlanGoal, cm.PlanCommitment, cm.Review,
    cm.GoalAssessment, cm.Outcome, cm.ApprovalRequest, cm.ApprovalStep, cm.ActivityRecord,
    cm.ConferenceDecision, cm.ConferenceResult, cm.Consent, cm.ConsentGrant,
}


def _app_modules() -> list[Any]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jiritsu.") or config.name == "jiritsu.reports":
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.disclosure"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.disclosure":
                raise
    return found


def _app_providers() -> list[tuple[Provider, set[type[models.Model]]]]:
    found = []
    for module in _app_modules():
        provider = getattr(module, "disclosure_sections", None)
        if callable(provider):
            found.append((provider, set(getattr(module, "DISCLOSURE_MODELS", ()))))
    return found


def collect_files(person: Person) -> dict[str, bytes]:
    """Files the office keeps for the person (attached scans and photos), for the zip: an
    app adds them by defining ``disclosure_files(person)`` (path in the zip → bytes)."""
    files: dict[str, bytes] = {}
    for module in _app_modules():
        provider = getattr(module, "disclosure_files", None)
        if callable(provider):
            files.update(provider(person))
    return files


def person_paths(model: type[models.Model], depth: int = 3,
                 seen: frozenset[type[models.Model]] = frozenset()) -> list[str]:
    """Lookups from ``model`` to the person it is about, following foreign keys up to
    ``depth`` hops (e.g. a guidance step → its case → the person: ``case__person``)."""
    paths = []
    for f in model._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey):
            continue
        target = f.related_model
        if isinstance(target, str):  # "self" before the app registry resolves it
            continue
        if target is Person:
            paths.append(f.name)
        elif (depth > 1 and target not in seen and target is not model
              and target._meta.app_label in _PERSON_APPS):
            paths += [f"{f.name}__{rest}"
                      for rest in person_paths(target, depth - 1, seen | {model})]
    return paths


_PERSON_APPS = {"people", "programs", "cases", "guidance", "activities"}


def _generic(person: Person, covered: set[type[models.Model]]) -> list[Section]:
    """Rows of any other project model that leads to the person through foreign keys."""
    sections = []
    for model in apps.get_models():
        if model in covered or not model.__module__.startswith("jiritsu."):
            continue
        if model._meta.app_label in {"audit", "offices", "reports"}:
            continue
        paths = person_paths(model)
        if not paths:
            continue
        q = models.Q()
        for path in paths:
            q |= models.Q(**{path: person})
        rows = model_rows(model._default_manager.filter(q).distinct())
        if rows:
            sections.append(Section(model._meta.label_lower, model_title(model), rows))
    return sections


def collect(person: Person) -> list[Section]:
    sections: list[Section] = []
    for provider in BUILTIN:
        sections.extend(provider(person))
    covered = set(COVERED)
    for provider, models_covered in _app_providers():
        sections.extend(provider(person))
        covered |= models_covered
    sections.extend(_generic(person, covered))
    return sections


# ---- files ------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def as_json(person: Person, sections: list[Section], *, generated_at: dt.datetime,
            office_name: str, actor_label: str) -> bytes:
    doc = {
        "format": "jiritsu-disclosure/1",
        "office": office_name, "generated_at": generated_at, "generated_by": actor_label,
        "person": {"id": person.pk, "name": person.name, "kana": person.kana,
                   "birth_date": person.birth_date},
        "sections": [{"key": s.key, "title": s.title, "note": s.note, "rows": s.rows}
                     for s in sections],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def display(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, dt.datetime):
        local = clock.to_japan(value)
        return f"{wareki.format_wareki(local.date())} {local:%H:%M}"
    if isinstance(value, dt.date):
        return wareki.format_wareki(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def as_pdf(person: Person, sections: list[Section], *, generated_at: dt.datetime,
           office_name: str, actor_label: str) -> bytes:
    shown: list[dict[str, Any]] = [{"title": s.title, "note": s.note,
              "columns": list(dict.fromkeys(k for row in s.rows for k in row)),
              "rows": s.rows} for s in sections]
    for s in shown:
        s["cells"] = [[display(row.get(col)) for col in s["columns"]] for row in s["rows"]]
        s["wide"] = len(s["columns"]) > 6
        s["pairs"] = [list(zip(s["columns"], cells, strict=True)) for cells in s["cells"]]
    html = render_to_string("reports/disclosure_pdf.html", {
        "person": person, "sections": shown, "generated_at": display(generated_at),
        "office_name": office_name, "actor_label": actor_label})
    return html_to_pdf(html)


def as_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()
