"""Office administration: staff accounts, memberships and partner organisations (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.core.errors import Forbidden, ValidationFailed
from jiritsu.offices.models import Membership, PartnerOrganisation, User

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
