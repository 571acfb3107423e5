"""Office administration: offices and their settings, staff accounts, memberships and partner
organisations (audited)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import Forbidden, ValidationFailed
from jiritsu.offices.models import (
    Membership,
    Office,
    PartnerOrganisation,
    User,
    validate_document_number_format,
)
from jiritsu.offices.permissions import may_manage_offices

_MEMBERSHIP_FIELDS = ["role", "profession", "partner_id", "is_active"]
_PARTNER_FIELDS = ["kind", "name", "operator", "areas", "capacity", "address", "phone", "is_active"]


def _guard(actor: Membership, action: str) -> None:
    if not actor.can(action):
        raise Forbidden()


def _check_role(actor: Membership, role: str, profession: str,
                partner: PartnerOrganisation | None) -> None:
    if role not in Membership.Role.values:
        raise ValidationFailed("役割を選んでください。", field="role")
    if role == Membership.Role.PARTNER:
        if partner is None:
            raise ValidationFailed("関係機関職員には所属する関係機関を選んでください。", field="partner")
        if partner.office_id != actor.office.pk:
            raise ValidationFailed("この事務所の関係機関を選んでください。", field="partner")
    elif partner is not None:
        raise ValidationFailed("関係機関は役割が「関係機関職員」のときだけ選べます。", field="partner")
    if role == Membership.Role.SUPPORT_STAFF and not profession:
        raise ValidationFailed("支援員には職種を選んでください。", field="profession")


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from None


@transaction.atomic
def staff_create(*, actor: Membership, username: str, display_name: str, password: str,
                 role: str, profession: str = "",
                 partner: PartnerOrganisation | None = None) -> Membership:
    """Create a staff (or partner) account with its membership in the actor's office."""
    _guard(actor, "user.manage")
    username = username.strip()
    if not username:
        raise ValidationFailed("ユーザー名を入力してください。", field="username")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("このユーザー名は既に使われています。", field="username")
    _check_role(actor, role, profession, partner)
    _check_password(password, User(username=username, display_name=display_name))
    user = User.objects.create_user(username=username, password=password,
                                    display_name=display_name.strip())
    membership = Membership.objects.create(user=user, office=actor.office, role=role,
                                           profession=profession, partner=partner)
    record(actor=actor.user, office=actor.office, action="membership.create",
           kind=AuditEvent.Kind.CREATE, target=membership,
           after={"username": user.username, "display_name": user.display_name,
                  **snapshot(membership, _MEMBERSHIP_FIELDS), "password": "set"})
    return membership


@transaction.atomic
def membership_update(*, actor: Membership, membership: Membership, data: dict[str, Any]) -> Membership:
    """Change role, profession, partner, active flag, display name or password."""
    _guard(actor, "user.manage")
    if membership.office_id != actor.office.pk:
        raise ValidationFailed("対象が見つかりません。")
    role = data.get("role", membership.role)
    profession = data.get("profession", membership.profession) or ""
    partner = data.get("partner", membership.partner)
    is_active = data.get("is_active", membership.is_active)
    if membership.pk == actor.pk and (role != membership.role or not is_active):
        raise ValidationFailed("自分自身の役割の変更や無効化はできません。別の管理者に依頼してください。",
                               field="role" if role != membership.role else "is_active")
    _check_role(actor, role, profession, partner)
    user = membership.user
    before = snapshot(membership, _MEMBERSHIP_FIELDS) | {"display_name": user.display_name}
    membership.role, membership.profession, membership.partner = role, profession, partner
    membership.is_active = bool(is_active)
    membership.save(update_fields=["role", "profession", "partner", "is_active"])
    user_fields = []
    if "display_name" in data and data["display_name"].strip() != user.display_name:
        user.display_name = data["display_name"].strip()
        user_fields.append("display_name")
    password = data.get("password") or ""
    if password:
        _check_password(password, user)
        user.set_password(password)
        user_fields.append("password")
    if user_fields:
        user.save(update_fields=user_fields)
    after = snapshot(membership, _MEMBERSHIP_FIELDS) | {"display_name": user.display_name}
    changes_after = after | ({"password": "changed"} if password else {})
    record(actor=actor.user, office=actor.office, action="membership.update",
           kind=AuditEvent.Kind.UPDATE, target=membership, before=before, after=changes_after)
    return membership


def _clean_partner(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in _PARTNER_FIELDS if k in data}
    if "name" in values:
        values["name"] = values["name"].strip()
        if not values["name"]:
            raise ValidationFailed("名称を入力してください。", field="name")
    if "kind" in values and values["kind"] not in PartnerOrganisation.Kind.values:
        raise ValidationFailed("種別を選んでください。", field="kind")
    if "areas" in values:
        values["areas"] = [a.strip() for a in values["areas"] if a and a.strip()]
    return values


@transaction.atomic
def partner_create(*, actor: Membership, data: dict[str, Any]) -> PartnerOrganisation:
    """Register a partner organisation (関係機関) with its service areas and capacity."""
    _guard(actor, "office.admin")
    values = _clean_partner(data)
    if PartnerOrganisation.objects.filter(office=actor.office, name=values.get("name")).exists():
        raise ValidationFailed("同じ名称の関係機関が既に登録されています。", field="name")
    partner = PartnerOrganisation.objects.create(office=actor.office, **values)
    record(actor=actor.user, office=actor.office, action="partner.create",
           kind=AuditEvent.Kind.CREATE, target=partner, after=snapshot(partner, _PARTNER_FIELDS))
    return partner


@transaction.atomic
def partner_update(*, actor: Membership, partner: PartnerOrganisation,
                   data: dict[str, Any]) -> PartnerOrganisation:
    _guard(actor, "office.admin")
    if partner.office_id != actor.office.pk:
        raise ValidationFailed("対象が見つかりません。")
    values = _clean_partner(data)
    if "name" in values and PartnerOrganisation.objects.filter(
        office=actor.office, name=values["name"]).exclude(pk=partner.pk).exists():
        raise ValidationFailed("同じ名称の関係機関が既に登録されています。", field="name")
    before = snapshot(partner, _PARTNER_FIELDS)
    for k, v in values.items():
        setattr(partner, k, v)
    partner.save(update_fields=list(values))
    record(actor=actor.user, office=actor.office, action="partner.update",
           kind=AuditEvent.Kind.UPDATE, target=partner, before=before,
           after=snapshot(partner, _PARTNER_FIELDS))
    return partner


# ---------------------------------------------------------------- offices and their settings

# What an office's own system administrator may change (``office.settings``) …
OFFICE_OWN_SETTINGS = ["name", "head_title", "head_name", "document_number_format",
                       "record_retention_years", "log_retention_days", "long_stay_months",
                       "survey_period_ends"]
# … and what identifies the office in the installation, which only the installation
# administrator changes (``office.create``): the code is in logs, file names, the national
# roll-up and the API; the kind decides the standard caseload.
OFFICE_SETTINGS = ["code", "municipality", "kind", *OFFICE_OWN_SETTINGS]
OFFICE_CODE = re.compile(r"[A-Za-z0-9_-]{2,20}")
RECORD_RETENTION_YEARS = (1, 100)
LOG_RETENTION_DAYS = (30, 3650)
LONG_STAY_MONTHS = (1, 120)


def _text(values: dict[str, Any], field: str, label: str, *, required: bool = True,
          max_length: int = 100) -> None:
    if field not in values:
        return
    value = str(values[field] or "").strip()
    if required and not value:
        raise ValidationFailed(f"{label}を入力してください。", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{label}は{max_length}文字以内で入力してください。", field=field)
    values[field] = value


def _number(values: dict[str, Any], field: str, label: str, bounds: tuple[int, int],
            unit: str) -> None:
    if field not in values:
        return
    value = values[field]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{label}を数字で入力してください。", field=field)
    low, high = bounds
    if not low <= value <= high:
        raise ValidationFailed(f"{label}は{low}{unit}から{high}{unit}の間で入力してください。",
                               field=field)


MONTH_DAY = re.compile(r"\s*(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})\s*日?\s*")


def clean_month_day(value: Any, *, field: str, label: str) -> str:
    """A day of the year as "MM-DD" from "11-30", "11/30" or 「11月30日」 (full-width digits
    too); empty stays empty. A day that does not exist (「11月31日」, 2月29日) is refused
    with a message saying so."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return ""
    m = MONTH_DAY.fullmatch(text)
    if m is None:
        raise ValidationFailed(f"{label}は「11月30日」または「11-30」の形で入力してください。",
                               field=field)
    month, day = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2001, month, day)  # not a leap year: 2月29日 is not every year's day
    except ValueError:
        raise ValidationFailed(f"{month}月{day}日は毎年ある日ではありません。どの日を指すか"
                               f"（例: 11月30日）を入力してください。", field=field,
                               code="no_such_day") from None
    return f"{month:02d}-{day:02d}"


def _clean_office(data: dict[str, Any], allowed: list[str], office: Office | None = None) -> dict[str, Any]:
    """The office settings in ``data`` (only ``allowed`` ones), checked; one rule each here."""
    values = {k: data[k] for k in allowed if k in data}
    if "code" in values:
        code = str(values["code"] or "").strip()
        if not code:
            raise ValidationFailed("事務所コードを入力してください。", field="code")
        if not OFFICE_CODE.fullmatch(code):
            raise ValidationFailed("事務所コードは半角の英数字・「-」・「_」で2〜20文字にしてください。",
                                   field="code")
        same = Office.objects.filter(code__iexact=code)
        if office is not None:
            same = same.exclude(pk=office.pk)
        if same.exists():
            raise ValidationFailed("この事務所コードは既に使われています。", field="code",
                                   code="duplicate")
        values["code"] = code
    _text(values, "name", "名称")
    _text(values, "municipality", "自治体")
    _text(values, "head_title", "所長の職名")
    _text(values, "head_name", "所長の氏名", required=False)
    if "kind" in values and values["kind"] not in Office.Kind.values:
        raise ValidationFailed("種別を選んでください。", field="kind")
    if "document_number_format" in values:
        fmt = str(values["document_number_format"] or "").strip()
        if not fmt:
            raise ValidationFailed("文書番号の書式を入力してください。", field="document_number_format")
        if len(fmt) > 60:
            raise ValidationFailed("文書番号の書式は60文字以内で入力してください。",
                                   field="document_number_format")
        try:
            validate_document_number_format(fmt)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), field="document_number_format") from None
        values["document_number_format"] = fmt
    if "survey_period_ends" in values:
        values["survey_period_ends"] = clean_month_day(values["survey_period_ends"],
                                                       field="survey_period_ends",
                                                       label="病状調査等の期限")
    _number(values, "record_retention_years", "ケース記録の保存年限", RECORD_RETENTION_YEARS, "年")
    _number(values, "log_retention_days", "運用記録の保存期間", LOG_RETENTION_DAYS, "日")
    _number(values, "long_stay_months", "長期入院とみなす入院期間", LONG_STAY_MONTHS, "か月")
    return values


def may_edit_office_settings(user: Any, office: Office) -> bool:
    """The installation administrator for every office; an office's own administrator
    (``office.settings`` in the permission table) for that office."""
    if may_manage_offices(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    membership = Membership.objects.filter(user=user, office=office, is_active=True).first()
    return membership is not None and membership.can("office.settings")


@transaction.atomic
def office_create(*, actor: User | None, data: dict[str, Any], admin_username: str,
                  admin_display_name: str, admin_password: str,
                  admin_email: str = "") -> Membership:
    """Create an office with its first system administrator (one transaction, audited).

    ``actor`` is the installation administrator; ``None`` is the server's operator running
    ``manage.py create_office``. Returns the administrator's membership."""
    if actor is not None and not may_manage_offices(actor):
        raise Forbidden()
    values = _clean_office({"head_title": "福祉事務所長", "head_name": "",
                            "document_number_format": "福第{number}号",
                            "record_retention_years": 5, "log_retention_days": 400,
                            "kind": Office.Kind.CITY, **data}, OFFICE_SETTINGS)
    for field in ("code", "name", "municipality"):
        if field not in values:
            raise ValidationFailed("必須の項目です。入力してください。", field=field)
    username = (admin_username or "").strip()
    if not username:
        raise ValidationFailed("管理者のユーザー名を入力してください。", field="admin_username")
    if len(username) > 150 or not re.fullmatch(r"[\w.@+-]+", username):
        raise ValidationFailed("ユーザー名は150文字以内の英数字と「@ . + - _」で入力してください。",
                               field="admin_username")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed("このユーザー名は既に使われています。", field="admin_username",
                               code="duplicate")
    display_name = (admin_display_name or "").strip()
    if not display_name:
        raise ValidationFailed("管理者の氏名を入力してください。", field="admin_display_name")
    if len(display_name) > 100:
        raise ValidationFailed("氏名は100文字以内で入力してください。", field="admin_display_name")
    email = (admin_email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed("メールアドレスの形式が正しくありません。",
                                   field="admin_email") from None
    try:
        validate_password(admin_password or "", User(username=username, display_name=display_name))
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="admin_password") from None
    office = Office.objects.create(**values)
    user = User.objects.create_user(username=username, password=admin_password, email=email,
                                    display_name=display_name)
    membership = Membership.objects.create(user=user, office=office, role=Membership.Role.ADMIN)
    note = "" if actor is not None else "manage.py create_office"
    record(actor=actor, office=office, action="office.create", kind=AuditEvent.Kind.CREATE,
           target=office, after=snapshot(office, OFFICE_SETTINGS), note=note)
    record(actor=actor, office=office, action="membership.create", kind=AuditEvent.Kind.CREATE,
           target=membership, note=note,
           after={"username": user.username, "display_name": user.display_name,
                  "email": user.email, **snapshot(membership, _MEMBERSHIP_FIELDS),
                  "password": "set"})
    return membership


@transaction.atomic
def office_update(*, actor: User, office: Office, data: dict[str, Any]) -> Office:
    """Change an office's settings: the installation administrator any of them, the office's
    own administrator those in ``OFFICE_OWN_SETTINGS`` (audited with before and after)."""
    if not may_edit_office_settings(actor, office):
        raise Forbidden()
    installation = may_manage_offices(actor)
    allowed = OFFICE_SETTINGS if installation else OFFICE_OWN_SETTINGS
    for field in OFFICE_SETTINGS:
        if field in data and field not in allowed and data[field] != getattr(office, field):
            raise ValidationFailed("事務所コード・自治体・種別は設置管理者だけが変更できます。",
                                   field=field, code="forbidden_field")
    office = Office.objects.select_for_update().get(pk=office.pk)
    values = _clean_office(data, allowed, office)
    before = snapshot(office, OFFICE_SETTINGS)
    for key, value in values.items():
        setattr(office, key, value)
    office.save(update_fields=list(values) or None)
    after = snapshot(office, OFFICE_SETTINGS)
    if before != after:
        record(actor=actor, office=office, action="office.settings_update",
               kind=AuditEvent.Kind.UPDATE, target=office, before=before, after=after)
    return office
