"""検討会・会議: attendees, people discussed, one decision per person.

Saving a conference applies every decision through the enrolment transition
services in ONE transaction: if any decision is illegal, nothing is saved and the
error names the person and the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import (
    ApprovalRequest,
    Conference,
    ConferenceAttendee,
    ConferenceDecision,
    Enrollment,
)
from jiritsu.cases.services import enrollments as E
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import DomainError, ValidationFailed
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person
from jiritsu.programs.models import Program

D = ConferenceDecision.Decision


def _attendee(conference: Conference, a: dict[str, Any], actor: Membership) -> None:
    user = a.get("user")
    partner = a.get("partner")
    same_office(actor, partner)
    name = (a.get("name") or (str(user) if user else "")).strip()
    if not name:
        raise ValidationFailed("出席者の氏名を入力してください。", field="attendees")
    role = a.get("role", "")
    if user is not None:
        m = Membership.objects.filter(user=user, office_id=actor.office_id).first()
        if m is None:
            raise ValidationFailed("職員の出席者は同じ事務所の職員から選んでください。", field="attendees")
        role = role or m.role
        profession = a.get("profession") or m.get_profession_display() if m.profession else a.get(
            "profession", "")
    else:
        profession = a.get("profession", "")
    ConferenceAttendee.objects.create(conference=conference, user=user, name=name, role=role,
                                      profession=profession or "", partner=partner,
                                      is_family=bool(a.get("is_family")))

# What a decision asks beyond its reason: the conference form shows these fields for it.
DECISION_FIELDS: dict[str, tuple[str, ...]] = {
    ConferenceDecision.Decision.START: ("phase",),
    ConferenceDecision.Decision.EXTEND: ("extend_until",),
    ConferenceDecision.Decision.CHANGE_PHASE: ("phase",),
    ConferenceDecision.Decision.END: ("end_reason",),
    ConferenceDecision.Decision.TRANSFER: ("target_program",),
}


def _apply_decision(actor: Membership, conference: Conference, d: dict[str, Any]) -> Any:
    """Move the episode as decided; returns the enrolment acted on (or an ApprovalRequest)."""
    person = d["person"]
    kind = d["decision"]
    program: Program | None = d.get("program") or conference.program
    enrollment: Enrollment | None = d.get("enrollment")
    on = conference.held_on
    note = d.get("reason", "")
    same_office(actor, person, program, enrollment)
    if enrollment is not None and enrollment.person_id != person.pk:
        raise ValidationFailed("この方の参加を選んでください。", field="enrollment")
    if enrollment is None and program is not None:
        enrollment = E.open_enrollment(person, program)
    if enrollment is None:
        if kind in (D.SELECT, D.START) and program is not None:
            enrollment = E.enrollment_create(actor=actor, person=person, program=program, on=on,
                                             conference=conference, note=note)
        elif kind == D.NO_CHANGE:
            return None
        else:
            raise ValidationFailed("このプログラムへの参加が登録されていません。", field="decision")
    if kind == D.SELECT:
        return E.enrollment_select(actor=actor, enrollment=enrollment, on=on,
                                   conference=conference, note=note)
    if kind == D.START:
        return E.enrollment_start(actor=actor, enrollment=enrollment, on=on, phase=d.get("phase"),
                                  menus=d.get("menus"), conference=conference, note=note)
    if kind == D.CONTINUE:
        return E.enrollment_continue(actor=actor, enrollment=enrollment, on=on,
                                     conference=conference, note=note)
    if kind == D.NO_CHANGE:
        return E.enrollment_continue(actor=actor, enrollment=enrollment, on=on,
                                     conference=conference, note=note, no_change=True)
    if kind == D.EXTEND:
        if not d.get("extend_until"):
            raise ValidationFailed("延長後の終了予定日を入力してください。", field="extend_until")
        return E.enrollment_extend(actor=actor, enrollment=enrollment, until=d["extend_until"],
                                   on=on, conference=conference, note=note)
    if kind == D.CHANGE_PHASE:
        if d.get("phase") is None:
            raise ValidationFailed("変更後の段階を選んでください。", field="phase")
        return E.enrollment_change_phase(actor=actor, enrollment=enrollment, phase=d["phase"],
                                         on=on, conference=conference, note=note)
    if kind == D.END:
        if not d.get("end_reason"):
            raise ValidationFailed("終了理由を選んでください。", field="end_reason")
        return E.enrollment_end(actor=actor, enrollment=enrollment, reason=d["end_reason"], on=on,
                                conference=conference, note=note)
    if kind == D.TRANSFER:
        if d.get("target_program") is None:
            raise ValidationFailed("移行先のプログラムを選んでください。", field="target_program")
        E.enrollment_transfer(actor=actor, enrollment=enrollment,
                              target_program=d["target_program"], on=on, conference=conference,
                              note=note)
        return enrollment
    raise ValidationFailed("決定の種類を選んでください。", field="decision")


@transaction.atomic
def conference_create(*, actor: Membership, kind: str, held_on: dt.date, title: str,
                      program: Program | None = None, place: str = "", agenda: str = "",
                      minutes: str = "", attendees: list[dict[str, Any]] | None = None,
                      decisions: list[dict[str, Any]] | None = None,
                      about: Person | None = None, results_from: dt.date | None = None,
                      results_to: dt.date | None = None) -> Conference:
    """``attendees``: [{"user"| "name", "role", "profession", "partner", "is_family"}];
    ``decisions``: [{"person", "decision", "reason", "program", "enrollment", "phase",
    "menus", "end_reason", "target_program", "extend_until"}]. ``about``: the one person
    a conference is held on when it decides nothing in programs (a ケース診断会議 on the
    guidance track); its audit row is then in that person's trail. ``results_from`` /
    ``results_to``: the period a results 検討会 looks back over (``services.results``)."""
    require(actor, "conference.manage")
    same_office(actor, program)
    if kind not in Conference.Kind.values:
        raise ValidationFailed("会議の種類を選んでください。", field="kind")
    if not title.strip():
        raise ValidationFailed("件名を入力してください。", field="title")
    not_after_today(held_on, field="held_on", what="開催日")
    conference = Conference.objects.create(office=actor.office, kind=kind, program=program,
                                           held_on=held_on, title=title, place=place,
                                           agenda=agenda, minutes=minutes,
                                           results_from=results_from, results_to=results_to,
                                           created_by=actor.user)
    for a in attendees or []:
        _attendee(conference, a, actor)
    seen: set[tuple[int, int | None]] = set()
    for i, d in enumerate(decisions or []):
        person = d.get("person")
        if person is None:
            raise ValidationFailed(f"{i + 1}人目：対象者を選んでください。", field="decisions")
        label = D(d["decision"]).label if d.get("decision") in D.values else "決定"
        key = (person.pk, getattr(d.get("program") or program, "pk", None))
        if key in seen:
            raise ValidationFailed(f"{person.name}さん：同じ会議で同じプログラムについて2つの決定はできません。",
                                   field="decisions")
        seen.add(key)
        try:
            with transaction.atomic():
                result = _apply_decision(actor, conference, d)
        except DomainError as exc:
            raise ValidationFailed(
                f"{person.name}さん（{label}）：{exc.message}", code=exc.code, field="decisions",
                details=[{"index": i, "person_id": person.pk, "message": exc.message}]) from exc
        enrollment = result.enrollment if isinstance(result, ApprovalRequest) else result
        ConferenceDecision.objects.create(
            conference=conference, person=person, enrollment=enrollment,
            decision=d["decision"], reason=d.get("reason", ""), phase=d.get("phase"),
            end_reason=d.get("end_reason") or "", target_program=d.get("target_program"),
            extend_until=d.get("extend_until"))
    audit(actor, "conference.create", Kind.CREATE, conference, person=about,
          after={**snapshot(conference, ["kind", "held_on", "title", "program_id",
                                         "results_from", "results_to"]),
                 "attendees": len(attendees or []),
                 "decisions": [{"person": d["person"].pk, "decision": d.get("decision")}
                               for d in decisions or []]})
    return conference
