"""The one place that turns codes into the office's Japanese.

Screens, PDFs, spreadsheets, CSV headers and the audit log read a person's words from
here, never a code: an action (``enrollment.extend`` → 「参加・期間延長」), a kind of
record (``cases.Consent`` → 「同意」), a field (``lead_staff_id`` → 「担当支援員」) and
a stored value (``employment_start`` → 「就労開始」, ``None`` → 「（なし）」, a date → 和暦).

Field and value labels come from the models themselves (``verbose_name`` and ``choices``,
read through Django's app registry, so ``core`` imports no app); the tables below cover
what a model cannot say: audit action codes, and the few field names whose model is not
known where they are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from jiritsu.core import wareki

NONE = "（なし）"

# The first part of an audit action code: what the action is about.
ENTITIES: dict[str, str] = {
    "apitoken": "APIトークン", "approval": "決裁", "approval_route": "決裁ルート",
    "caseload": "ケース台帳", "conference": "検討会",
    "conference_result": "結果検討会での振り返り", "consent": "同意", "cycle": "年間業務",
    "disability": "障害", "enrollment": "参加", "family_contact": "家族との連絡",
    "family_request": "家族への依頼", "group_session": "集団支援", "guidance": "指導指示",
    "health_track": "健康管理", "hospital_stay": "入院", "household": "世帯",
    "hw_referral": "ハローワーク連携", "membership": "職員", "national": "全国集計",
    "new_case": "新規ケース", "nomination": "推薦", "outcome": "成果", "partner": "関係機関",
    "person": "世帯員", "plan": "支援計画", "program": "プログラム",
    "receiving_request": "受入依頼", "record": "経過記録", "recruitment": "参加の呼びかけ",
    "report": "報告", "review": "見直し", "screening": "選定", "series_expense": "講座の経費",
    "session_series": "連続講座", "staff_training": "職員研修・勉強会", "training": "職場適応訓練", "training_day": "訓練日",
    "training_employer": "訓練先事業所", "training_month": "訓練月",
    "training_placement": "訓練", "volunteer": "ボランティア",
    "volunteer_placement": "ボランティア活動", "login": "ログイン", "visit_plan": "訪問計画",
    "document": "文書", "office": "事務所", "installation_admin": "設置管理者",
    "illness": "疾病", "work_history": "職歴", "assessment": "アセスメント",
    "second_factor": "二要素認証", "signin_session": "ログイン中のセッション",
    "signin_policy": "サインインの設定",
    "transfer": "移管", "person_file": "個人ファイル（設置間の移管）",
    "work_route": "稼働能力活用の振り分け", "work_barrier": "就労阻害要因",
    "work_barrier_step": "阻害要因の解消の手立て",
}

# The second part: what was done.
VERBS: dict[str, str] = {
    "create": "登録", "update": "変更", "delete": "削除", "view": "閲覧", "export": "出力",
    "districts": "募集地域の変更", "attendance": "出席者の記録",
    "record": "記録", "withdraw": "撤回", "approve": "承認", "reject": "差戻し",
    "request": "起案", "set": "設定", "import": "取込", "import_create": "取込（登録）",
    "import_update": "取込（変更）", "revoke": "失効", "list": "一覧の閲覧",
    "search": "検索", "select": "選定", "start": "支援開始", "change_phase": "段階変更",
    "set_menus": "支援メニュー変更", "extend": "期間延長", "continue": "継続", "end": "終了",
    "transfer": "移行", "transfer_in": "移行受入", "no_change": "変更なし",
    "flag": "条件非該当の検出", "flag_no_longer_matching": "条件非該当の検出",
    "propose": "申出", "receive": "申出の受付", "accept": "受入れ", "accepted": "移管先の受入れ",
    "decline": "受入れ不可", "declined": "移管先の受入れ不可",
    "unflag": "条件非該当の解除", "assign": "担当者の指定", "add": "追加",
    "answer": "回答", "make": "依頼", "invite": "呼びかけ", "hold": "実施",
    "open": "開始", "discharge": "退院", "assistance_end": "保護廃止",
    "register_non_recipient": "被保護者以外の登録", "disclose": "開示",
    "summary": "個人票の閲覧", "support_view": "支援情報の閲覧", "timeline": "経過の閲覧",
    "freeze": "確定", "people": "対象者一覧の閲覧", "people_export": "対象者一覧の出力",
    "considered": "検討済み", "write": "記入", "final_achievement": "最終達成度の記入",
    "status": "状況の記録", "instantiate_template": "テンプレートから作成",
    "save": "保存", "ledger_save": "台帳の保存", "case_open": "事案の開始",
    "case_close": "事案の終結", "case_view": "事案の閲覧", "person_view": "本人の閲覧",
    "decision_approve": "決定の承認", "decision_reject": "決定の差戻し",
    "decision_withdraw": "決定の取下げ", "delivery": "交付", "document_export": "文書の出力",
    "settings_update": "設定の変更", "test": "試験", "decide": "決定",
    # 指導指示 steps (guidance.GuidanceStep.Kind)
    "oral_instruction": "口頭指導（法27条）", "conference": "ケース診断会議",
    "written_instruction": "文書による指導指示（法27条）", "noncompliance": "履行期限の経過",
    "compliance": "指示の履行", "notice": "弁明の機会の付与通知", "hearing": "弁明の聴取",
    "decision": "法62条の決定",
    # ハローワーク連携 steps and yearly tasks
    "form_a": "個人票Aの提出", "interview": "面接相談", "supporting": "支援中",
    "employed": "就職", "ended": "終了", "condition_survey": "病状調査",
    "doctor_consultation": "嘱託医協議", "individual_sheet": "個人票の作成",
}

# Whole actions whose words are not entity + verb.
ACTIONS: dict[str, str] = {
    "transfer.withdraw": "移管・申出の取下げ", "transfer.withdrawn": "移管・移管元の取下げ",
    "report.people": "報告書の対象者一覧として閲覧",
    "report.people_export": "報告書の対象者一覧として出力",
    "caseload.import": "ケース台帳の取込",
    "assistance.import": "保護費の取込", "medical.import": "医療扶助（レセプト）の取込",
    "person.amounts_view": "保護費・医療扶助の閲覧",
    "household.amounts_view": "世帯の保護費・医療扶助の閲覧",
    "person.search": "検索結果の一覧として閲覧",
    "person.list": "世帯員の一覧として閲覧（API）",
    "audit.export": "監査ログの出力",
    "household.create": "世帯の作成", "household.update": "世帯の変更",
    "office.create": "事務所の作成", "office.settings_update": "事務所の設定の変更",
    "installation_admin.grant": "設置管理者の権限の付与",
    "installation_admin.revoke": "設置管理者の権限の取消し",
    "login.second_factor": "確認コードによるログイン（二要素認証）",
    "second_factor.setup": "認証アプリの登録（二要素認証）",
    "second_factor.renew_codes": "回復コードの作り直し",
    "second_factor.remove": "二要素認証の解除（本人）",
    "second_factor.reset": "二要素認証のリセット（管理者）",
    "signin_session.end": "ログイン中のセッションの終了",
    "person.merge": "同一人物の記録の統合（名寄せ）",
    "person.unmerge": "記録の統合の取消し",
    "person.merge_view": "記録の統合の閲覧",
    "retention.due_view": "保存年限を過ぎた記録（削除の対象）の閲覧",
    "retention.batch_view": "保存年限による削除の起案の閲覧",
    "retention.request": "保存年限による削除の起案",
    "retention.delete": "保存年限による削除",
    "retention.return": "保存年限による削除の差戻し",
    "retention.periods_update": "保存年限の変更",
    "retention.transfer_deleted": "移管の記録の削除（相手の事務所の保存年限による）",
    "person.duplicates": "重複候補の一覧として閲覧",
    "person.compare": "重複候補の比較として閲覧",
    "person.not_duplicate": "重複候補を別人と確認",
}

# Field names shown where their model is not at hand (or has no verbose name).
FIELDS: dict[str, str] = {
    "on": "決定日", "until": "延長後の終了予定日", "note": "備考", "reason": "理由",
    "format": "形式", "encoding": "文字コード", "rows": "件数", "people": "対象者",
    "households_created": "登録した世帯", "households_updated": "変更した世帯",
    "people_created": "登録した世帯員", "people_updated": "変更した世帯員",
    "created": "新規", "updated": "更新", "months": "対象の月",
    "kind": "種類", "subject": "件名", "payload": "内容", "steps": "決裁ルート",
    "status": "状態", "current_step": "決裁の段階", "name": "名称", "code": "コード",
    "program": "プログラム", "fiscal_year": "年度", "report": "報告",
    "occurred_on": "日付", "outcome_type_id": "成果の種類", "end_as_achieved": "達成として終了",
    "data": "内容", "text": "内容", "count": "件数", "filters": "条件", "q": "検索語",
    "lead_staff": "担当支援員", "started_on": "開始日", "ended_on": "終了日",
    "planned_end_on": "終了予定日", "candidate_on": "候補登録日", "selected_on": "選定日",
    "end_reason": "終了理由", "phase": "段階", "menus": "支援メニュー",
    "rules": "選定条件", "targets": "目標", "outcome_types": "成果の種類",
    "partners": "関係機関", "professions": "関与する職種", "is_active": "実施中",
    "template_code": "テンプレート", "version": "版", "role": "役割", "user": "職員",
    "categories": "提供する情報", "given_on": "同意日", "withdrawn_on": "撤回日",
    "flagged_no_longer_matching": "条件非該当",
    "phases": "段階", "counts_as_achievement": "達成に数える", "metric": "指標",
    "outcome_kind": "成果の種類", "target": "目標値", "label": "目標",
    "username": "ユーザー名", "display_name": "氏名", "email": "メールアドレス",
    "password": "パスワード",
    "two_factor": "二要素認証", "attendees": "出席者", "suggested": "面接の結果から導かれる振り分け",
    "first_step": "最初の手立て",
}

# Values an app knows how to put into words (``rules`` → the screening engine's sentences),
# registered from the app's ``ready()`` so that ``core`` imports no app.
FORMATTERS: dict[str, Callable[[Any], str]] = {}


def register_value_formatter(field: str, formatter: Callable[[Any], str]) -> None:
    FORMATTERS[field] = formatter

_AUTO_VERBOSE = re.compile(r"^[a-z0-9 _]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def action_label(action: str) -> str:
    """「参加・期間延長」 for ``enrollment.extend``; an unknown part stays as it is."""
    if action in ACTIONS:
        return ACTIONS[action]
    entity, _, verb = action.partition(".")
    ent = ENTITIES.get(entity, entity)
    if not verb:
        return ent
    return f"{ent}・{VERBS.get(verb, verb)}"


def _model(target_type: str) -> type[models.Model] | None:
    if not target_type or "." not in target_type:
        return None
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return _moved_model(target_type)


def _moved_model(target_type: str) -> type[models.Model] | None:
    """A model that moved to another app keeps its table (``app_model``): audit rows written
    before the move (``programs.Consent``) find it (now ``cases.Consent``) by that table."""
    table = target_type.replace(".", "_").lower()
    return next((m for m in apps.get_models() if m._meta.db_table == table), None)


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def model_label(target_type: str) -> str:
    """「同意」 for ``cases.Consent`` (the model's verbose name when it has a Japanese one)."""
    model = _model(target_type)
    if model is None:
        return ""
    name = str(model._meta.verbose_name)
    if not _AUTO_VERBOSE.match(name):
        return name
    return ENTITIES.get(re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower(), "")


def field_label(name: str, target_type: str = "") -> str:
    """The Japanese name of a field: the model's verbose name, else ``FIELDS``."""
    field = _field(_model(target_type), name)
    verbose = str(getattr(field, "verbose_name", "") or "")
    if verbose and not _AUTO_VERBOSE.match(verbose):
        return verbose
    key = name.removesuffix("_id")
    return FIELDS.get(name) or FIELDS.get(key) or ENTITIES.get(key) or name


def _choice(field: Any, value: Any) -> str | None:
    choices = getattr(field, "flatchoices", None) or []
    for key, label in choices:
        if key == value:
            return str(label)
    return None


def value_label(value: Any, *, field: str = "", target_type: str = "") -> str:
    """A stored value as a person reads it: choices by their label, dates in 和暦,
    related rows by their name, ``None`` as 「（なし）」, booleans as はい／いいえ."""
    if value is None or value == "" or value == [] or value == {}:
        return NONE
    if field in FORMATTERS:
        try:
            return FORMATTERS[field](value)
        except (TypeError, ValueError, KeyError, AttributeError):
            pass
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, dt.datetime):
        return wareki.format_wareki(value.date()) + value.strftime(" %H:%M")
    if isinstance(value, dt.date):
        return wareki.format_wareki(value)
    model_field = _field(_model(target_type), field) if field else None
    if isinstance(value, list):
        return "、".join(value_label(v, field=field, target_type=target_type) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{field_label(str(k))}：{value_label(v, field=str(k))}"
                        for k, v in value.items() if k != "id")
    if model_field is not None:
        chosen = _choice(model_field, value)
        if chosen is not None:
            return chosen
        related = getattr(model_field, "related_model", None)
        if related is not None and isinstance(value, int):
            obj = related._base_manager.filter(pk=value).first()
            return str(obj) if obj is not None else f"（削除済み・{value}）"
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            try:
                return wareki.format_wareki(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if _ISO_DATETIME.match(value):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            return wareki.format_wareki(moment.date()) + moment.strftime(" %H:%M")
        return VERBS.get(value) or CODES.get(value) or value
    return str(value)


# Codes stored in JSON (not in a model field with choices) that reach a reader.
CODES: dict[str, str] = {
    "supervisor": "査察指導員", "manager": "課長・所長", "caseworker": "ケースワーカー",
    "csv": "CSV", "xlsx": "Excel（xlsx）", "pdf": "PDF", "json": "JSON", "zip": "ZIP（PDF・JSON）",
    "utf-8": "UTF-8", "cp932": "Shift_JIS",
}


def changes_lines(changes: Mapping[str, Any] | None, *, target_type: str = "",
                  diffed: bool = True, created: bool = False
                  ) -> list[tuple[str, str, str | None]]:
    """The rows of an audit entry's changes: (field label, before, after) for a change,
    (label, value, None) for a fact (an export's format, the number of rows …)."""
    out: list[tuple[str, str, str | None]] = []
    for key, value in (changes or {}).items():
        label = field_label(str(key), target_type)
        if key == "people" and isinstance(value, list):
            out.append((label, f"{len(value)}人", None))
        elif created and isinstance(value, list | tuple) and len(value) == 2 and value[0] is None:
            # a creation: the value alone, not 「（なし） → value」
            out.append((label, value_label(value[1], field=str(key), target_type=target_type),
                        None))
        elif diffed and isinstance(value, list | tuple) and len(value) == 2:
            out.append((label, value_label(value[0], field=str(key), target_type=target_type),
                        value_label(value[1], field=str(key), target_type=target_type)))
        else:
            out.append((label, value_label(value, field=str(key), target_type=target_type),
                        None))
    return out


def choices_labels(values: Iterable[str], choices: Iterable[tuple[str, str]]) -> list[str]:
    """Labels of ``values`` from a choices list, in the given order (unknown codes kept)."""
    table = dict(choices)
    return [str(table.get(v, v)) for v in values]
