"""The one way request code reaches attachments, and what an upload may be attached to.

An attachment is read under the same rules as the record it belongs to: the person
(``cases.access``), and its episode, 経過記録, consent or guidance step through their own
access rules. A partner sees an attachment only where the person's consent in force gives
the partner the attachment's data category (``cases.access.partner_categories``). Missing,
another office's, deleted and not-visible all answer 404; a role without the action 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from jiritsu.activities.access import get_referral_for_user
from jiritsu.cases.access import (
    get_conference_for_user,
    get_consent_for_user,
    get_enrollment_for_user,
    get_record_for_user,
    partner_categories,
    visible_consents,
    visible_enrollments,
    visible_people,
    visible_records,
)
from jiritsu.core import clock
from jiritsu.core.wareki import fiscal_year_of
from jiritsu.documents.catalogue import YearTable
from jiritsu.documents.models import Attachment
from jiritsu.guidance.access import visible_cases
from jiritsu.guidance.models import GuidanceStep
from jiritsu.offices.access import deny, get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import is_partner
from jiritsu.people.models import Person
from jiritsu.programs.access import get_ledger_for_user

# What an attachment may belong to → the action that attaching (and deleting) needs.
TARGET_ACTIONS: dict[str, str] = {
    "person": "person.edit", "enrollment": "enrollment.manage", "record": "record.write",
    "consent": "consent.record", "guidance_step": "guidance.manage",
}
TARGET_LABELS: dict[str, str] = {
    "person": "本人", "enrollment": "プログラムへの参加", "record": "経過記録",
    "consent": "同意", "guidance_step": "指導指示の経過",
}


@dataclass(frozen=True)
class Target:
    """Where an upload goes: the person and at most one of their records."""

    kind: str
    obj: Any

    def fields(self) -> dict[str, Any]:
        return {} if self.kind == "person" else {self.kind: self.obj}


def _visible(m: Membership) -> QuerySet[Attachment]:
    return (Attachment.objects.filter(office=m.office, deleted_at__isnull=True,
                                      person__in=visible_people(m))
            .filter(Q(enrollment__isnull=True) | Q(enrollment__in=visible_enrollments(m)))
            .filter(Q(record__isnull=True) | Q(record__in=visible_records(m)))
            .filter(Q(consent__isnull=True) | Q(consent__in=visible_consents(m)))
            .filter(Q(guidance_step__isnull=True)
                    | Q(guidance_step__case__in=visible_cases(m))))


def _within_consent(m: Membership, attachments: list[Attachment]) -> list[Attachment]:
    if not is_partner(m):
        return attachments
    categories: dict[int, set[str]] = {}
    out = []
    for a in attachments:
        if a.person_id not in categories:
            categories[a.person_id] = partner_categories(m, a.person)
        if a.category in categories[a.person_id]:
            out.append(a)
    return out


def person_attachments(m: Membership, person: Person) -> list[Attachment]:
    """The attachments of ``person`` this membership may see (the person is already visible)."""
    require(m, "person.view")
    rows = list(_visible(m).filter(person=person).select_related(
        "person", "enrollment", "enrollment__program", "record", "consent", "guidance_step",
        "uploaded_by"))
    return _within_consent(m, rows)


def get_attachment_for_user(membership: Membership | None, pk: Any, *,
                            write: bool = False) -> Attachment:
    m = require(membership, "person.view")
    attachment: Attachment = get_or_404(_visible(m).select_related(
        "person", "office", "enrollment", "record", "consent", "guidance_step"), pk)
    if not _within_consent(m, [attachment]):
        raise Http404
    if write and not m.can(TARGET_ACTIONS[target_kind(attachment)]):
        raise deny()
    return attachment


def target_kind(attachment: Attachment) -> str:
    for kind in ("guidance_step", "consent", "record", "enrollment"):
        if getattr(attachment, f"{kind}_id") is not None:
            return kind
    return "person"


def resolve_target(m: Membership, person: Person, kind: str, pk: Any) -> Target:
    """The record an upload is attached to, reached through its own access rule; the role
    must hold the action that writing to it needs (403), the record must be the person's (404)."""
    if kind not in TARGET_ACTIONS:
        raise Http404
    require(m, TARGET_ACTIONS[kind])
    if kind == "person":
        return Target("person", person)
    qs: QuerySet[Any] = {
        "enrollment": lambda: visible_enrollments(m).filter(person=person),
        "record": lambda: visible_records(m).filter(person=person),
        "consent": lambda: visible_consents(m).filter(person=person),
        "guidance_step": lambda: GuidanceStep.objects.filter(
            case__in=visible_cases(m), case__person=person),
    }[kind]()
    return Target(kind, get_or_404(qs, pk))


def target_choices(m: Membership, person: Person, include: str = "") -> list[tuple[str, str]]:
    """``kind:pk`` → label for every record of the person this membership may attach to (the
    latest 50 records and guidance steps; ``include``, a ``kind:pk`` a screen's link chose, is
    added when it is an older one the membership may attach to)."""
    out = _target_choices(m, person)
    kind, _, pk = include.partition(":")
    if include and include not in dict(out) and kind in TARGET_ACTIONS and pk.isdigit() \
            and len(pk) < 10 and m.can(TARGET_ACTIONS[kind]):
        try:
            target = resolve_target(m, person, kind, pk)
        except Http404:
            return out
        label = (f"指導指示: {target.obj}" if kind == "guidance_step"
                 else f"参加: {target.obj.program.name}" if kind == "enrollment"
                 else str(target.obj))
        out.append((include, label))
    return out


def _target_choices(m: Membership, person: Person) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if m.can("person.edit"):
        out.append(("person:", "本人の書類（特定の記録に属さない）"))
    if m.can("enrollment.manage"):
        out += [(f"enrollment:{e.pk}", f"参加: {e.program.name}")
                for e in visible_enrollments(m).filter(person=person).select_related("program")]
    if m.can("consent.record"):
        out += [(f"consent:{c.pk}", str(c)) for c in visible_consents(m).filter(person=person)]
    if m.can("record.write"):
        out += [(f"record:{r.pk}", str(r))
                for r in visible_records(m).filter(person=person).order_by("-occurred_at")[:50]]
    if m.can("guidance.manage"):
        out += [(f"guidance_step:{s.pk}", f"指導指示: {s}") for s in GuidanceStep.objects.filter(
            case__in=visible_cases(m), case__person=person).order_by("-occurred_on")[:50]]
    return out


# ---------------------------------------------------------------- forms (帳票)

@dataclass(frozen=True)
class FormTarget:
    """What a form prints from, reached through its own access function, and whom it is about."""

    obj: Any
    person: Person | None
    people: tuple[Any, ...] = ()


def get_form_target(membership: Membership | None, target: str, pk: Any, *,
                    fiscal_year: int | None = None) -> FormTarget:
    """The record a form is printed from. ``form.print`` first (403), then the record's own
    access rule (its action → 403, another office or missing → 404)."""
    m = require(membership, "form.print")
    if target == "enrollment":
        e = get_enrollment_for_user(m, pk)
        return FormTarget(e, e.person)
    if target == "referral":
        r = get_referral_for_user(m, pk)
        return FormTarget(r, r.enrollment.person)
    if target == "ledger":
        ledger = get_ledger_for_user(m, pk)
        return FormTarget(ledger, None,
                          tuple(ledger.entries.values_list("person_id", flat=True)))
    if target == "consent":
        c = get_consent_for_user(m, pk)
        return FormTarget(c, c.person)
    if target == "conference":
        conf = get_conference_for_user(m, pk)
        return FormTarget(conf, None,
                          tuple(conf.decisions.values_list("person_id", flat=True)))
    if target == "record":
        r2 = get_record_for_user(m, pk)
        return FormTarget(r2, r2.person)
    if target == "year":
        require(m, "report.view")
        return FormTarget(YearTable(m.office, fiscal_year or fiscal_year_of(clock.today())), None)
    raise Http404
