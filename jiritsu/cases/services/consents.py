"""同意: recorded explicitly (date, written/oral, which partner gets which data); withdrawable.

The partner access rule in ``jiritsu.cases.access`` reads these rows
(``consents__grants__partner``, ``consents__withdrawn_on__isnull``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import Consent, ConsentGrant, DataCategory
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.people.models import Person
from jiritsu.programs.models import Program


@transaction.atomic
def consent_record(*, actor: Membership, person: Person, program: Program | None,
                   given_on: dt.date, form: str,
                   grants: list[tuple[PartnerOrganisation, list[str]]] | None = None,
                   note: str = "") -> Consent:
    """Record a consent; ``grants`` lists (partner, data categories) the person agreed to share."""
    require(actor, "consent.record")
    same_office(actor, person, program)
    if form not in Consent.Form.values:
        raise ValidationFailed("同意の方法（書面・口頭）を選んでください。", field="form")
    not_after_today(given_on, field="given_on", what="同意日")
    seen: set[int] = set()
    for partner, cats in grants or []:
        same_office(actor, partner)
        if partner.pk in seen:
            raise ValidationFailed(f"「{partner.name}」が2回指定されています。", field="grants")
        seen.add(partner.pk)
        if not cats:
            raise ValidationFailed(f"「{partner.name}」に提供する情報を1つ以上選んでください。",
                                   field="grants")
        bad = [c for c in cats if c not in DataCategory.values]
        if bad:
            raise ValidationFailed(f"提供する情報の種類「{'、'.join(bad)}」は使えません。",
                                   field="grants")
    consent = Consent.objects.create(office=actor.office, person=person, program=program,
                                     given_on=given_on, form=form, note=note,
                                     recorded_by=actor.user)
    for partner, cats in grants or []:
        ConsentGrant.objects.create(consent=consent, partner=partner, categories=list(cats))
    audit(actor, "consent.record", Kind.CREATE, consent, person=person,
          after={**snapshot(consent, ["program_id", "given_on", "form"]),
                 "grants": {str(p.pk): list(c) for p, c in grants or []}})
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Membership, consent: Consent, on: dt.date,
                     expected_version: int, note: str = "") -> Consent:
    """撤回: partners lose access at once; open support is not ended by itself."""
    require(actor, "consent.record")
    same_office(actor, consent)
    if consent.withdrawn_on is not None:
        raise IllegalTransition(f"この同意は{format_wareki(consent.withdrawn_on)}に撤回済みです。",
                                field="withdrawn_on")
    if on < consent.given_on:
        raise ValidationFailed("撤回日が同意日より前です。", field="withdrawn_on")
    not_after_today(on, field="withdrawn_on", what="撤回日")
    consent.withdrawn_on = on
    if note:
        consent.note = (consent.note + "\n" if consent.note else "") + f"撤回：{note}"
    save_versioned(consent, expected_version, ["withdrawn_on", "note"])
    audit(actor, "consent.withdraw", Kind.TRANSITION, consent, person=consent.person,
          before={"withdrawn_on": None}, after={"withdrawn_on": on}, note=note)
    return consent


def grants_as_text(consent: Consent) -> list[dict[str, Any]]:
    labels = dict(DataCategory.choices)
    return [{"partner": g.partner.name, "categories": [labels.get(c, c) for c in g.categories]}
            for g in consent.grants.all()]
