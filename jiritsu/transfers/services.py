"""Writes of a transfer (実施責任の移管): propose → accept or decline, and continuing a
transferred episode in the receiving office. Each is one transaction with audit rows in both
offices' trails (guard → change → audit).

The two offices never read each other's rows through request code: the proposal freezes the
hand-over document (:mod:`jiritsu.transfers.handover`) in the sending office; on acceptance the
receiving office registers the person from that document as its own household and person
(its own case number and caseworker), and — in the sending office's scope, on the sending
office's behalf (the membership that proposed) — the sending office's open episodes end with
the reason 移管, and, when nobody of the household is left, its assistance ends (転出).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django_scopes import scope

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.cases import services as cases
from jiritsu.cases.models import Enrollment
from jiritsu.core import clock
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import IllegalTransition, NotFound, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership, Office, User
from jiritsu.people import services as people
from jiritsu.people.models import Household, Person
from jiritsu.programs.models import Program
from jiritsu.transfers import handover
from jiritsu.transfers.models import Transfer, TransferredEpisode

S = Transfer.Status


def _pending_error() -> IllegalTransition:
    return IllegalTransition("この方の移管は既に協議中です。移管先の回答を待ってください。",
                             code="transfer_pending", field="person")


@transaction.atomic
def transfer_propose(*, actor: Membership, person: Person, target_office: Office, reason: str,
                     moved_on: dt.date | None = None, new_address: str = "",
                     note: str = "") -> Transfer:
    """The sending office offers the person to ``target_office`` (移管の申出) with the frozen
    hand-over document. The receiving office sees who it is about, the reason and the move;
    the document itself once it accepts."""
    require(actor, "transfer.propose")
    same_office(actor, person)
    if target_office.pk == actor.office_id:
        raise ValidationFailed("移管先には別の事務所を選んでください。", field="target_office")
    if reason not in Transfer.Reason.values:
        raise ValidationFailed("移管の理由を選んでください。", field="reason")
    if Transfer.objects.filter(source_person=person, status=S.PROPOSED).exists():
        raise _pending_error()
    if Transfer.objects.filter(source_person=person, status=S.ACCEPTED).exists():
        raise IllegalTransition("この方は既に他の事務所へ移管されています。",
                                code="already_transferred", field="person")
    household = person.household
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                source_office=actor.office, source_label=actor.office.name, source_person=person,
                source_case_number=household.case_number if household else "",
                target_office=target_office, person_name=person.name, person_kana=person.kana,
                birth_date=person.birth_date, reason=reason, moved_on=moved_on,
                new_address=new_address, note=note, proposed_by=actor.user,
                hand_over=handover.document(person))
    except IntegrityError:
        raise _pending_error() from None
    facts = {"target_office": target_office.name, "reason": transfer.get_reason_display(),
             "moved_on": moved_on}
    audit(actor, "transfer.propose", Kind.CREATE, transfer, person=person, after=facts)
    # The receiving office's own trail: an offer arrived (no person of its own yet).
    record(actor=actor.user, office=target_office, action="transfer.receive",
           kind=AuditEvent.Kind.CREATE, target=transfer, note=f"{actor.office.name}から")
    return transfer


def _decidable(actor: Membership, transfer: Transfer) -> Transfer:
    require(actor, "transfer.decide")
    if transfer.target_office_id != actor.office_id:
        raise NotFound()
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.status != S.PROPOSED:
        raise IllegalTransition(f"この移管は既に「{locked.get_status_display()}」です。",
                                code="transfer_decided", field="status")
    return locked


def _register(actor: Membership, transfer: Transfer, *, case_number: str, caseworker: User | None,
              accepted_on: dt.date) -> Person:
    """The person as the receiving office's own: a household with its case number and
    caseworker, the person, and the carried person parts — through the registry's services
    (their checks and audit rows, in the receiving office)."""
    doc = transfer.hand_over
    household = people.household_create(actor=actor, data={
        "case_number": case_number, "caseworker": caseworker,
        "household_type": doc.get("household", {}).get("household_type") or "other",
        "address": transfer.new_address, "assistance_started_on": accepted_on})
    person = people.person_create(actor=actor, household=household,
                                  data={**handover.person_values(doc), "member_number": 1})
    for kind in handover.PART_KINDS_CARRIED:
        for row in doc.get("parts", {}).get(kind, []):
            people.part_create(actor=actor, person=person, kind=kind,
                               data=handover.part_values(kind, row))
    return person


def _episode_rows(transfer: Transfer, episodes: list[dict[str, Any]]) -> None:
    TransferredEpisode.objects.bulk_create([TransferredEpisode(
        transfer=transfer, program_code=e.get("program_code", ""),
        program_name=e.get("program_name", ""), status_label=e.get("status_label", ""),
        phase_name=e.get("phase_name", ""),
        candidate_on=dt.date.fromisoformat(e["candidate_on"]) if e.get("candidate_on") else None,
        started_on=dt.date.fromisoformat(e["started_on"]) if e.get("started_on") else None)
        for e in episodes])


def _close_in_source(actor: Membership, transfer: Transfer, accepted_on: dt.date) -> None:
    """The sending office's side, in its own scope and on its own behalf (the membership that
    proposed): open episodes end with 移管; with nobody of the household left, assistance
    ends (転出), which ends any episode left through the registry's own signal."""
    source, person = transfer.source_office, transfer.source_person
    assert source is not None
    with scope(office=source):
        proposer = Membership.objects.select_related("office", "user").get(
            user=transfer.proposed_by, office=source)
        if person is not None:
            person = Person.objects.select_related("household").get(pk=person.pk)
            open_now = [{"program_code": e.program.code, "program_name": e.program.name,
                         "status_label": e.get_status_display(),
                         "phase_name": e.phase.name if e.phase else "",
                         "candidate_on": e.candidate_on.isoformat(),
                         "started_on": e.started_on.isoformat() if e.started_on else None}
                        for e in Enrollment.objects.filter(
                            person=person, status__in=Enrollment.OPEN_STATUSES)
                        .select_related("program", "phase").order_by("id")]
            cases.end_for_office_transfer(actor=proposer, person=person, on=accepted_on,
                                          note=f"{transfer.target_office.name}へ移管")
            _episode_rows(transfer, open_now)
            household = person.household
            if household is not None and household.assistance_ended_on is None:
                handed = Transfer.objects.filter(source_person__household=household,
                                                 status=S.ACCEPTED).values("source_person")
                if not Person.objects.filter(household=household).exclude(pk__in=handed).exists():
                    people.household_end_assistance(
                        actor=proposer, household=household, ended_on=accepted_on,
                        end_reason=Household.EndReason.MOVED, person=person,
                        note=f"実施責任の移管（{transfer.target_office.name}へ）")
        record(actor=actor.user, office=source, action="transfer.accepted",
               kind=AuditEvent.Kind.TRANSITION, target=transfer, person=person,
               note=f"{actor.office.name}が受入れ")


@transaction.atomic
def transfer_accept(*, actor: Membership, transfer: Transfer, case_number: str,
                    caseworker: User | None, accepted_on: dt.date) -> Transfer:
    """The receiving office accepts (受入れ): it registers the person under its own case
    number and caseworker, the sending office's open episodes end with 移管, and the
    transfer lists them for the receiving office to continue."""
    transfer = _decidable(actor, transfer)
    not_after_today(accepted_on, field="accepted_on", what="受入日")
    if not case_number.strip():
        raise ValidationFailed("ケース番号を入力してください。", field="case_number")
    person = _register(actor, transfer, case_number=case_number.strip(), caseworker=caseworker,
                       accepted_on=accepted_on)
    transfer.status, transfer.decided_by, transfer.decided_on = S.ACCEPTED, actor.user, accepted_on
    transfer.target_person = person
    save_versioned(transfer, transfer.version,
                   ["status", "decided_by", "decided_on", "target_person"])
    audit(actor, "transfer.accept", Kind.TRANSITION, transfer, person=person,
          after={"status": transfer.status, "case_number": case_number.strip()},
          note=f"{transfer.source_label}から")
    if transfer.source_office is not None:
        _close_in_source(actor, transfer, accepted_on)
    else:  # a person file from another installation: its episodes as that office listed them
        _episode_rows(transfer, [e for e in transfer.hand_over.get("episodes", [])
                                 if e.get("open")])
    return transfer


@transaction.atomic
def transfer_decline(*, actor: Membership, transfer: Transfer, reason: str) -> Transfer:
    """The receiving office cannot take the person over (e.g. the address is not in its area):
    the offer ends with its reason, and the sending office keeps the person as before."""
    transfer = _decidable(actor, transfer)
    if not reason.strip():
        raise ValidationFailed("受入れできない理由を入力してください。", field="decline_reason")
    transfer.status, transfer.decided_by, transfer.decided_on = S.DECLINED, actor.user, clock.today()
    transfer.decline_reason = reason.strip()
    save_versioned(transfer, transfer.version,
                   ["status", "decided_by", "decided_on", "decline_reason"])
    audit(actor, "transfer.decline", Kind.TRANSITION, transfer, note=reason.strip()[:200])
    if transfer.source_office is not None:
        with scope(office=transfer.source_office):
            record(actor=actor.user, office=transfer.source_office, action="transfer.declined",
                   kind=AuditEvent.Kind.TRANSITION, target=transfer,
                   person=transfer.source_person, note=reason.strip()[:200])
    return transfer


@transaction.atomic
def transfer_withdraw(*, actor: Membership, transfer: Transfer, reason: str) -> Transfer:
    """The sending office takes its offer back (取下げ) before the receiving office decided
    (e.g. the person did not move after all): both trails record it."""
    require(actor, "transfer.propose")
    if transfer.source_office_id != actor.office_id:
        raise NotFound()
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != S.PROPOSED:
        raise IllegalTransition(f"この移管は既に「{transfer.get_status_display()}」です。",
                                code="transfer_decided", field="status")
    if not reason.strip():
        raise ValidationFailed("取下げの理由を入力してください。", field="reason")
    transfer.status, transfer.decided_on = S.WITHDRAWN, clock.today()
    transfer.decline_reason = reason.strip()
    save_versioned(transfer, transfer.version, ["status", "decided_on", "decline_reason"])
    audit(actor, "transfer.withdraw", Kind.TRANSITION, transfer, person=transfer.source_person,
          note=reason.strip()[:200])
    record(actor=actor.user, office=transfer.target_office, action="transfer.withdrawn",
           kind=AuditEvent.Kind.TRANSITION, target=transfer, note=reason.strip()[:200])
    return transfer


@transaction.atomic
def transfer_continue(*, actor: Membership, episode: TransferredEpisode, program: Program,
                      on: dt.date) -> Enrollment:
    """Continue a transferred episode in the receiving office: a new episode (候補) of the
    person in one of the office's own programs, linked to what it continues. The office's
    own rules then apply (selection, its consent, its 決裁)."""
    transfer = episode.transfer
    require(actor, "enrollment.manage")
    if transfer.target_office_id != actor.office_id:
        raise NotFound()
    if transfer.status != S.ACCEPTED or transfer.target_person is None:
        raise IllegalTransition("受入れ前の移管の参加は継続できません。", code="transfer_not_accepted")
    if episode.continued_as_id is not None:
        raise IllegalTransition("この参加は既に継続の登録がされています。", code="already_continued")
    enrollment = cases.enrollment_create(
        actor=actor, person=transfer.target_person, program=program, on=on,
        note=f"{transfer.source_label}の「{episode.program_name}」から移管により継続")
    episode.continued_as = enrollment
    episode.save(update_fields=["continued_as"])
    audit(actor, "transfer.continue", Kind.CREATE, transfer, person=transfer.target_person,
          after={"program": program.name, "from": episode.program_name})
    return enrollment
