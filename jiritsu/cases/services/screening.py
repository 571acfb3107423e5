"""Screening writes: nominations, dated candidate ledgers, flags on participants who
no longer match. The rule engine itself is ``jiritsu.programs.screening``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from jiritsu.cases.models import Enrollment
from jiritsu.core import clock
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import ValidationFailed
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.people.models import Person
from jiritsu.programs import screening
from jiritsu.programs.models import LedgerEntry, Nomination, Program, ScreeningLedger


@transaction.atomic
def nomination_record(*, actor: Membership, program: Program, person: Person, source: str,
                      nominated_by: str, nominated_on: dt.date, note: str = "",
                      partner: PartnerOrganisation | None = None) -> Nomination:
    """推薦 from a doctor, council, caseworker …, recorded whether or not the rules select them."""
    require(actor, "nomination.record")
    same_office(actor, program, person, partner)
    if source not in Nomination.Source.values:
        raise ValidationFailed("推薦元を選んでください。", field="source")
    if not nominated_by.strip() and partner is None:
        raise ValidationFailed("推薦者（氏名または機関）を入力してください。", field="nominated_by")
    not_after_today(nominated_on, field="nominated_on", what="推薦日")
    n = Nomination.objects.create(office=actor.office, program=program, person=person,
                                  source=source, nominated_by=nominated_by.strip(),
                                  partner=partner, nominated_on=nominated_on, note=note,
                                  recorded_by=actor.user)
    audit(actor, "nomination.record", Kind.CREATE, n, person=person,
          after={"program": program.pk, "source": source, "nominated_by": nominated_by,
                 "nominated_on": nominated_on})
    return n


@transaction.atomic
def ledger_save(*, actor: Membership, program: Program, as_of: dt.date,
                title: str = "") -> ScreeningLedger:
    """支援対象者台帳: the candidates (with reasons) and nominated people on ``as_of``.
    Also flags current participants who no longer match (see :func:`flag_non_matching`)."""
    require(actor, "screening.run")
    same_office(actor, program)
    candidates = screening.ledger_candidates(program, as_of)
    ledger = ScreeningLedger.objects.create(
        office=actor.office, program=program, as_of=as_of,
        title=title.strip() or f"{program.name} 支援対象者台帳（{format_wareki(as_of)}）",
        rules=program.rules, created_by=actor.user)
    LedgerEntry.objects.bulk_create([
        LedgerEntry(ledger=ledger, person=c.person, reasons=c.reasons, nominated=c.nominated)
        for c in candidates], batch_size=1000)
    flagged = flag_non_matching(actor=actor, program=program, as_of=as_of)
    audit(actor, "screening.ledger_save", Kind.CREATE, ledger,
          after={"program": program.pk, "as_of": as_of, "entries": len(candidates),
                 "matched": sum(1 for c in candidates if c.matched), "flagged": flagged})
    return ledger


@transaction.atomic
def flag_non_matching(*, actor: Membership, program: Program, as_of: dt.date) -> int:
    """Mark selected/active participants who no longer match the rules (date of detection)
    and clear the mark on those who match again. Changes nothing else.
    Returns how many were newly flagged. Programs without rules flag nobody."""
    require(actor, "screening.run")
    same_office(actor, program)
    if not program.rules or not program.rules.get("conditions"):
        return 0
    open_qs = Enrollment.objects.filter(program=program,
                                        status__in=(Enrollment.Status.SELECTED,
                                                    Enrollment.Status.ACTIVE))
    match_ids = screening.matching(program, as_of).values("pk")
    newly = list(open_qs.filter(flagged_no_longer_matching__isnull=True)
                 .exclude(person_id__in=match_ids).select_related("person"))
    cleared = list(open_qs.filter(flagged_no_longer_matching__isnull=False,
                                  person_id__in=match_ids).select_related("person"))
    now = clock.now()
    Enrollment.objects.filter(pk__in=[e.pk for e in newly]).update(
        flagged_no_longer_matching=as_of, updated_at=now)
    Enrollment.objects.filter(pk__in=[e.pk for e in cleared]).update(
        flagged_no_longer_matching=None, updated_at=now)
    for e in newly:
        audit(actor, "enrollment.flag_no_longer_matching", Kind.UPDATE, e, person=e.person,
              before={"flagged_no_longer_matching": None},
              after={"flagged_no_longer_matching": as_of})
    for e in cleared:
        audit(actor, "enrollment.unflag", Kind.UPDATE, e, person=e.person,
              before={"flagged_no_longer_matching": e.flagged_no_longer_matching},
              after={"flagged_no_longer_matching": None})
    return len(newly)
