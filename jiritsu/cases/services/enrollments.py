"""Enrolment episodes: the one state machine.

    candidate ──select──▶ selected ──start──▶ active ──end(reason)──▶ ended
        │                    │                  │ change_phase / set_menus / extend / continue
        └──────start─────────┴──────────────────┘
    any open state ──end(declined | not_needed | assistance_ended)──▶ ended
    selected/active ──transfer──▶ ended(transferred) + a new episode in the other program

Every transition is guarded (:class:`IllegalTransition` with a Japanese message),
dated (never before the previous event), written to :class:`EnrollmentEvent` with
the conference or approval behind it, and audited — all in one transaction.
Decisions the program marks as needing 決裁 return an :class:`ApprovalRequest`
instead of taking effect; the approval applies them later through the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases import next_review
from jiritsu.cases.models import ApprovalRequest, Conference, Enrollment, EnrollmentEvent
from jiritsu.cases.services.approval_requests import approval_request_create
from jiritsu.cases.terms import consent_in_force, needs_approval, terms
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.core.wareki import add_months, format_wareki
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person
from jiritsu.people.signals import assistance_ended
from jiritsu.programs.models import Phase, Program, ProgramVersion, SupportMenu
from jiritsu.programs.services.catalogue import DECISION_ATTENDEES

S = Enrollment.Status
R = Enrollment.EndReason

ACTION_LABELS = {
    "create": "候補登録", "select": "選定", "start": "支援開始", "change_phase": "段階変更",
    "set_menus": "支援メニュー変更", "extend": "期間延長", "continue": "継続", "end": "終了",
    "transfer": "移行", "transfer_in": "移行受入", "no_change": "変更なし",
    "flag": "条件非該当の検出",
}

# action → states it may start from
ALLOWED_FROM: dict[str, set[str]] = {
    "select": {S.CANDIDATE},
    "start": {S.CANDIDATE, S.SELECTED},
    "change_phase": {S.ACTIVE},
    "set_menus": {S.SELECTED, S.ACTIVE},
    "extend": {S.ACTIVE},
    "continue": {S.ACTIVE},
    "no_change": {S.CANDIDATE, S.SELECTED, S.ACTIVE},
    "end": {S.CANDIDATE, S.SELECTED, S.ACTIVE},
    "transfer": {S.SELECTED, S.ACTIVE},
}
# end reason → states it may end from (transferred only through transfer)
END_FROM: dict[str, set[str]] = {
    R.ACHIEVED: {S.ACTIVE},
    R.NOT_NEEDED: {S.CANDIDATE, S.SELECTED, S.ACTIVE},
    R.SUSPENDED: {S.ACTIVE},
    R.STOPPED: {S.ACTIVE},
    R.DECLINED: {S.CANDIDATE, S.SELECTED, S.ACTIVE},
    R.ASSISTANCE_ENDED: {S.CANDIDATE, S.SELECTED, S.ACTIVE},
}


def current_version(program: Program) -> ProgramVersion:
    return ProgramVersion.objects.get(program=program, number=program.current_version)


def on_assistance(person: Person, on: dt.date) -> bool:
    h = person.household
    return (h is not None and (h.assistance_started_on is None or h.assistance_started_on <= on)
            and (h.assistance_ended_on is None or h.assistance_ended_on > on))


def last_event_date(enrollment: Enrollment) -> dt.date | None:
    last = enrollment.events.order_by("-occurred_on", "-id").first()
    return last.occurred_on if last else None


def _status_label(status: str) -> str:
    return S(status).label


# action → what its date is called in messages (each is a date something happened on)
DATE_LABELS = {
    "create": "候補登録日", "select": "選定日", "start": "支援開始日", "change_phase": "段階変更日",
    "set_menus": "支援メニュー変更日", "extend": "延長の決定日", "continue": "継続の決定日",
    "no_change": "日付", "end": "終了日", "transfer": "移行日",
}


def decision_attendees_missing(program: Program, conference: Conference | None) -> list[str]:
    """The seats of ``program.decision_attendees`` (善通寺: 課長・課長補佐・査察指導員・就労支援員)
    nobody at ``conference`` filled, in Japanese: a staff attendee fills the seat of their
    role and of their profession in the office; an attendee without an account, the role
    written for them. Everything is missing when there was no conference."""
    required = list(program.decision_attendees or [])
    if not required:
        return []
    seats: set[str] = set()
    if conference is not None:
        attendees = list(conference.attendees.all())
        members = {m.user_id: m for m in Membership.objects.filter(
            office_id=conference.office_id, user_id__in=[a.user_id for a in attendees
                                                         if a.user_id is not None])}
        for a in attendees:
            if a.role:
                seats.add(a.role)
            m = members.get(a.user_id) if a.user_id is not None else None
            if m is not None:
                seats.update({m.role, m.profession} - {""})
    return [DECISION_ATTENDEES.get(k, k) for k in required if k not in seats]


def require_decision_attendees(enrollment: Enrollment, conference: Conference | None,
                                what: str) -> None:
    """A decision to continue or stop an episode is made with the people its program names
    (``Program.decision_attendees``), recorded as the conference's attendees."""
    missing = decision_attendees_missing(enrollment.program, conference)
    if missing:
        where = "検討会を選び、" if conference is None else "検討会の出席者に"
        raise ValidationFailed(
            f"{what}は、{'・'.join(DECISION_ATTENDEES.get(k, k) for k in enrollment.program.decision_attendees)}"
            f"が出席した検討会で決めます。{where}{'・'.join(missing)}を含めてください。",
            code="decision_attendees_missing", field="conference")


def _guard(enrollment: Enrollment, action: str, on: dt.date) -> None:
    not_after_today(on, field="on", what=DATE_LABELS[action])
    if enrollment.status not in ALLOWED_FROM[action]:
        raise IllegalTransition(
            f"「{_status_label(enrollment.status)}」の参加に対して「{ACTION_LABELS[action]}」はできません。",
            code="illegal_transition", field="action")
    last = last_event_date(enrollment)
    if last is not None and on < last:
        raise IllegalTransition(
            f"日付（{format_wareki(on)}）が直前の記録（{format_wareki(last)}）より前です。"
            "日付を確認してください。", code="backdated", field="occurred_on")


_SNAP_FIELDS = ["status", "end_reason", "phase_id", "selected_on", "started_on",
                "planned_end_on", "ended_on", "program_version_id", "lead_staff_id"]


def _apply(actor: Membership, enrollment: Enrollment, action: str, on: dt.date, *,
           changes: dict[str, Any], expected_version: int | None,
           conference: Conference | None, approval: ApprovalRequest | None,
           note: str = "", event_phase: Phase | None = None) -> EnrollmentEvent:
    """change → event → audit, for one guarded transition."""
    before = snapshot(enrollment, _SNAP_FIELDS)
    from_status = enrollment.status
    for k, v in changes.items():
        setattr(enrollment, k, v)
    save_versioned(enrollment, enrollment.version if expected_version is None else expected_version,
                   [*changes.keys(), "updated_at"] if changes else ["updated_at"])
    # save_versioned writes with an UPDATE (no post_save): keep the stored due date of the
    # next review in step with the new status, start and planned end.
    next_review.refresh([enrollment.pk])
    event = EnrollmentEvent.objects.create(
        enrollment=enrollment, occurred_on=on, from_status=from_status,
        to_status=enrollment.status, action=action,
        phase=event_phase or (enrollment.phase if enrollment.status == S.ACTIVE else None),
        conference=conference, approval=approval, note=note, actor=actor.user)
    audit(actor, f"enrollment.{action}", Kind.TRANSITION, enrollment, person=enrollment.person,
          before=before, after=snapshot(enrollment, _SNAP_FIELDS),
          note=note or (str(conference) if conference else ""))
    return event


def _request_approval(actor: Membership, enrollment: Enrollment, kind: str, subject: str,
                      payload: dict[str, Any], conference: Conference | None) -> ApprovalRequest:
    return approval_request_create(actor=actor, enrollment=enrollment, kind=kind,
                                   subject=subject, payload=payload, conference=conference)


# ---------------------------------------------------------------- creation

@transaction.atomic
def enrollment_create(*, actor: Membership, person: Person, program: Program, on: dt.date,
                      note: str = "", conference: Conference | None = None,
                      lead_staff: Any = None) -> Enrollment:
    """A new episode as 候補. Re-entry after an ended episode is a new row dated after that
    episode's end (episodes never overlap: ``episode_overlap``); a second open episode in
    the same program is refused (and the database refuses it too)."""
    require(actor, "enrollment.manage")
    same_office(actor, person, program)
    not_after_today(on, field="on", what=DATE_LABELS["create"])
    if person.office_id != program.office_id:
        raise ValidationFailed("対象者とプログラムの事務所が異なります。", field="program")
    if not program.is_active:
        raise IllegalTransition(f"「{program.name}」は実施していないプログラムです。",
                                field="program")
    if not program.allows_non_recipients and not on_assistance(person, on):
        raise IllegalTransition(
            f"「{program.name}」は保護を受給している方だけが対象です（{format_wareki(on)}時点で受給していません）。",
            code="not_recipient", field="person")
    _refuse_second_open(person, program)
    _refuse_overlap(person, program, on)
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                office=program.office, person=person, program=program,
                program_version=current_version(program), status=S.CANDIDATE,
                candidate_on=on, note=note, lead_staff=lead_staff)
    except IntegrityError:
        raise _second_open_error(program) from None
    EnrollmentEvent.objects.create(enrollment=enrollment, occurred_on=on, from_status="",
                                   to_status=S.CANDIDATE, action="create", conference=conference,
                                   note=note, actor=actor.user)
    audit(actor, "enrollment.create", Kind.CREATE, enrollment, person=person,
          after=snapshot(enrollment, _SNAP_FIELDS), note=note)
    return enrollment


def _second_open_error(program: Program) -> IllegalTransition:
    return IllegalTransition(
        f"この方は既に「{program.name}」に参加中（または候補・選定済み）です。"
        "同じプログラムに同時に2つの参加は登録できません。", code="already_enrolled",
        field="program")


def _refuse_second_open(person: Person, program: Program) -> None:
    if Enrollment.objects.filter(person=person, program=program,
                                 status__in=Enrollment.OPEN_STATUSES).exists():
        raise _second_open_error(program)


def _refuse_overlap(person: Person, program: Program, on: dt.date) -> None:
    """Episodes of one person in one program never overlap: a new episode (a re-entry, or
    one opened by a transfer) starts after the previous episode's end. An open episode is
    refused by :func:`_refuse_second_open` (and the database)."""
    previous = (Enrollment.objects.filter(person=person, program=program, ended_on__isnull=False)
                .order_by("-ended_on", "-id").first())
    if previous is None or previous.ended_on is None or on > previous.ended_on:
        return
    began = previous.started_on or previous.candidate_on
    raise IllegalTransition(
        f"この方の「{program.name}」の前回の参加（{format_wareki(began)}〜"
        f"{format_wareki(previous.ended_on)}）と期間が重なります。新しい参加は前回の終了日"
        f"（{format_wareki(previous.ended_on)}）より後の日付で登録してください。",
        code="episode_overlap", field="on")


def open_enrollment(person: Person, program: Program) -> Enrollment | None:
    return (Enrollment.objects.filter(person=person, program=program,
                                      status__in=Enrollment.OPEN_STATUSES)
            .select_related("program", "program_version", "person", "person__household").first())


# ---------------------------------------------------------------- transitions

@transaction.atomic
def enrollment_select(*, actor: Membership, enrollment: Enrollment, on: dt.date,
                      conference: Conference | None = None, note: str = "",
                      expected_version: int | None = None) -> Enrollment:
    """候補 → 選定."""
    require(actor, "enrollment.manage")
    same_office(actor, enrollment)
    _guard(enrollment, "select", on)
    _apply(actor, enrollment, "select", on, changes={"status": S.SELECTED, "selected_on": on},
           expected_version=expected_version, conference=conference, approval=None, note=note)
    return enrollment


@transaction.atomic
def enrollment_start(*, actor: Membership, enrollment: Enrollment, on: dt.date,
                     phase: Phase | None = None, menus: list[SupportMenu] | None = None,
                     planned_end_on: dt.date | None = None, lead_staff: Any = None,
                     conference: Conference | None = None, note: str = "",
                     expected_version: int | None = None) -> Enrollment:
    """(候補 | 選定) → 参加中. Needs consent in force when the program requires it."""
    require(actor, "enrollment.manage")
    same_office(actor, enrollment)
    _guard(enrollment, "start", on)
    program = enrollment.program
    version = current_version(program)
    snap = version.snapshot
    if snap.get("consent_required", program.consent_required) and consent_in_force(
            enrollment.person, program, on) is None:
        raise IllegalTransition(
            f"「{program.name}」は支援開始前に本人の同意が必要です。{format_wareki(on)}時点で有効な同意が記録されていません。"
            "先に同意を記録してください。", code="consent_required", field="consent")
    if phase is None:
        phase = program.phases.order_by("order", "id").first()
    elif phase.program_id != program.pk:
        raise ValidationFailed("このプログラムの段階を選んでください。", field="phase")
    std = snap.get("standard_length_months", program.standard_length_months)
    if planned_end_on is None and std:
        planned_end_on = add_months(on, std) - dt.timedelta(days=1)
    if planned_end_on is not None and planned_end_on < on:
        raise ValidationFailed("終了予定日は支援開始日より後にしてください。", field="planned_end_on")
    changes: dict[str, Any] = {"status": S.ACTIVE, "started_on": on, "phase": phase,
                               "planned_end_on": planned_end_on, "program_version": version,
                               "flagged_no_longer_matching": None}
    if enrollment.selected_on is None:
        changes["selected_on"] = on
    if lead_staff is not None:
        changes["lead_staff"] = lead_staff
    _apply(actor, enrollment, "start", on, changes=changes, expected_version=expected_version,
           conference=conference, approval=None, note=note, event_phase=phase)
    if menus is not None:
        _set_menus(enrollment, menus)
    return enrollment


# Rules an app above adds (from its ``AppConfig.ready``) on the menus an episode may hold:
# each gets the episode and the menus asked for and raises a DomainError to refuse (清洲: a
# path menu follows the route decided after the first interview, activities.work_capacity).
MENU_RULES: list[Callable[[Enrollment, list[SupportMenu]], None]] = []


def register_menu_rule(rule: Callable[[Enrollment, list[SupportMenu]], None]) -> None:
    if rule not in MENU_RULES:
        MENU_RULES.append(rule)


def _set_menus(enrollment: Enrollment, menus: list[SupportMenu]) -> None:
    for m in menus:
        if m.program_id != enrollment.program_id:
            raise ValidationFailed("このプログラムの支援メニューを選んでください。", field="menus")
    for rule in MENU_RULES:
        rule(enrollment, menus)
    enrollment.menus.set(menus)


@transaction.atomic
def enrollment_set_menus(*, actor: Membership, enrollment: Enrollment, menus: list[SupportMenu],
                         on: dt.date, note: str = "", conference: Conference | None = None,
                         expected_version: int | None = None) -> Enrollment:
    require(actor, "enrollment.manage")
    same_office(actor, enrollment)
    _guard(enrollment, "set_menus", on)
    before = sorted(m.name for m in enrollment.menus.all())
    _set_menus(enrollment, menus)
    _apply(actor, enrollment, "set_menus", on, changes={}, expected_version=expected_version,
           conference=conference, approval=None,
           note=note or f"{'・'.join(before) or 'なし'} → {'・'.join(m.name for m in menus) or 'なし'}")
    return enrollment


@transaction.atomic
def enrollment_change_phase(*, actor: Membership, enrollment: Enrollment, phase: Phase,
                            on: dt.date, conference: Conference | None = None, note: str = "",
                            expected_version: int | None = None) -> Enrollment:
    require(actor, "enrollment.manage")
    same_office(actor, enrollment)
    _guard(enrollment, "change_phase", on)
    if phase.program_id != enrollment.program_id:
        raise ValidationFailed("このプログラムの段階を選んでください。", field="phase")
    if phase.pk == enrollment.phase_id:
        raise IllegalTransition(f"既に「{phase.name}」の段階です。", field="phase")
    changes: dict[str, Any] = {"phase": phase}
    ends = phase_end(phase, on)
    if ends is not None:
        changes["planned_end_on"] = ends
        note = note or f"{phase.name}（{phase.standard_months}か月、{format_wareki(ends)}まで）"
    _apply(actor, enrollment, "change_phase", on, changes=changes,
           expected_version=expected_version, conference=conference, approval=None, note=note,
           event_phase=phase)
    return enrollment


def phase_end(phase: Phase, on: dt.date) -> dt.date | None:
    """When an episode entering ``phase`` on ``on`` is planned to end: the program's last
    phase with a length (出雲's 退院後の生活・就労訓練, 6 months) ends the episode with it.
    The date becomes the episode's planned end, so it comes due as a review like any
    planned end (home pages, 業務一覧, the API) and the review ends the episode or extends
    it (``enrollment_extend``, with 決裁 where the program asks). A timed phase in the
    middle (伊丹's 職場適応訓練) does not end the episode and sets nothing."""
    if not phase.standard_months:
        return None
    if Phase.objects.filter(program_id=phase.program_id, order__gt=phase.order).exists():
        return None
    return add_months(on, phase.standard_months) - dt.timedelta(days=1)


@transaction.atomic
def enrollment_continue(*, actor: Membership, enrollment: Enrollment, on: dt.date,
                        conference: Conference | None = None, note: str = "",
                        no_change: bool = False) -> Enrollment:
    """Record that a conference (or review) decided to carry on unchanged."""
    require(actor, "enrollment.manage")
    same_office(actor, enrollment)
    action = "no_change" if no_change else "continue"
    _guard(enrollment, action, on)
    require_decision_attendees(enrollment, conference, "支援の継続")
    _apply(actor, enrollment, action, on, changes={}, expected_version=None,
           conference=conference, approval=None, note=note)
    return enrollment


@transaction.atomic
def enrollment_extend(*, actor: Membership, enrollment: Enrollment, until: dt.date, on: dt.date,
                      conference: Conference | None = None, note: str = "",
                      expected_version: int | None = None,
                      approval: ApprovalRequest | None = None) -> Enrollment | ApprovalRequest:
    """Move the planned end later. Never beyond the maximum length; beyond the standard
    length it needs 決裁 when the program says so (returns the ApprovalRequest)."""
    require(actor, "enrollment.manage")
    same_office(actor, enrollment)
    _guard(enrollment, "extend", on)
    t = terms(enrollment)
    start = enrollment.started_on or on
    if enrollment.planned_end_on and until <= enrollment.planned_end_on:
        raise ValidationFailed(
            f"延長後の終了予定日は現在の終了予定日（{format_wareki(enrollment.planned_end_on)}）より後にしてください。",
            field="extend_until")
    if until <= on:
        raise ValidationFailed("延長後の終了予定日は決定日より後にしてください。", field="extend_until")
    if t["max_length_months"]:
        limit = add_months(start, t["max_length_months"]) - dt.timedelta(days=1)
        if until > limit:
            raise IllegalTransition(
                f"最長期間（{t['max_length_months']}か月、{format_wareki(limit)}まで）を超えて延長することはできません。",
                code="beyond_max_length", field="extend_until")
    beyond_standard = bool(t["standard_length_months"]) and until > (
        add_months(start, t["standard_length_months"]) - dt.timedelta(days=1))
    if approval is None and beyond_standard and needs_approval(enrollment, "extend"):
        return _request_approval(
            actor, enrollment, "extend",
            f"{enrollment.person.name} {enrollment.program.name} 期間延長（{format_wareki(until)}まで）",
            {"until": until.isoformat(), "on": on.isoformat(), "note": note}, conference)
    _apply(actor, enrollment, "extend", on, changes={"planned_end_on": until},
           expected_version=expected_version, conference=conference, approval=approval,
           note=note or f"{format_wareki(until)}まで延長")
    return enrollment


@transaction.atomic
def enrollment_end(*, actor: Membership, enrollment: Enrollment, reason: str, on: dt.date,
                   conference: Conference | None = None, note: str = "",
                   expected_version: int | None = None,
                   approval: ApprovalRequest | None = None) -> Enrollment | ApprovalRequest:
    """End an open episode with a reason. Ending active support (or ending it as
    achieved) goes through 決裁 when the program says so."""
    require(actor, "enrollment.manage")
    same_office(actor, enrollment)
    if reason == R.TRANSFERRED:
        raise IllegalTransition("移行は「移行」の操作で行ってください（移行先のプログラムを指定します）。",
                                field="end_reason")
    if reason not in END_FROM:
        raise ValidationFailed("終了理由を選んでください。", field="end_reason")
    _guard(enrollment, "end", on)
    if enrollment.status not in END_FROM[reason]:
        raise IllegalTransition(
            f"「{_status_label(enrollment.status)}」の参加を「{R(reason).label}」で終了することはできません。",
            field="end_reason")
    if enrollment.started_on and on < enrollment.started_on:
        raise IllegalTransition("終了日が支援開始日より前です。", code="backdated",
                                field="occurred_on")
    if approval is None and enrollment.status == S.ACTIVE and reason in (R.STOPPED,
                                                                        R.SUSPENDED):
        require_decision_attendees(enrollment, conference, f"支援の{R(reason).label}")
    if approval is None and enrollment.status == S.ACTIVE and (
            needs_approval(enrollment, "end")
            or (reason == R.ACHIEVED and needs_approval(enrollment, "achieve"))):
        return _request_approval(
            actor, enrollment, "end",
            f"{enrollment.person.name} {enrollment.program.name} 支援終了（{R(reason).label}）",
            {"reason": reason, "on": on.isoformat(), "note": note}, conference)
    _apply(actor, enrollment, "end", on,
           changes={"status": S.ENDED, "end_reason": reason, "ended_on": on},
           expected_version=expected_version, conference=conference, approval=approval,
           note=note or R(reason).label)
    return enrollment


def end_for_assistance_ended(*, actor: Membership, ended: list[tuple[int, dt.date]]) -> list[Enrollment]:
    """保護廃止: end the open episodes of the members of households whose assistance
    ended, with the reason 保護廃止, dated the end of assistance (or the episode's last
    event when that is later). Programs that also take people not on assistance
    (``allows_non_recipients``) keep their episodes. No 決裁 and no role check: the end
    of assistance was decided and authorised by the registry's service that calls this
    (through ``people.signals.assistance_ended``), in the same transaction. Each episode
    gets its event and its audit row (``enrollment.end``) in the person's trail."""
    on_by_household = dict(ended)
    episodes = list(
        Enrollment.objects.filter(office_id=actor.office_id,
                                  person__household_id__in=list(on_by_household),
                                  status__in=Enrollment.OPEN_STATUSES,
                                  program__allows_non_recipients=False)
        .select_for_update(of=("self",)).select_related("person", "program")
        .order_by("pk"))
    for e in episodes:
        assert e.person.household_id is not None
        ended_on = on_by_household[e.person.household_id]
        last = last_event_date(e)
        on = max(ended_on, last) if last is not None else ended_on
        _apply(actor, e, "end", on,
               changes={"status": S.ENDED, "end_reason": R.ASSISTANCE_ENDED, "ended_on": on},
               expected_version=None, conference=None, approval=None,
               note=f"保護廃止（{format_wareki(ended_on)}）による終了")
    return episodes


def end_for_office_transfer(*, actor: Membership, person: Person, on: dt.date,
                            note: str) -> list[Enrollment]:
    """実施責任の移管: end the person's open episodes in ``actor``'s office with the reason
    移管, dated ``on`` (or the episode's last event when that is later). Called by the
    transfer service when the receiving office accepts (``jiritsu.transfers``); the
    proposal was made by ``actor`` with its own role check, so none is made here. Programs
    that take people not on assistance end too: the office no longer serves the person.
    Each episode gets its event and its ``enrollment.end`` audit row in the person's trail."""
    same_office(actor, person)
    episodes = list(
        Enrollment.objects.filter(office_id=actor.office_id, person=person,
                                  status__in=Enrollment.OPEN_STATUSES)
        .select_for_update(of=("self",)).select_related("person", "program").order_by("pk"))
    for e in episodes:
        last = last_event_date(e)
        ended = max(on, last) if last is not None else on
        _apply(actor, e, "end", ended,
               changes={"status": S.ENDED, "end_reason": R.OFFICE_TRANSFERRED, "ended_on": ended},
               expected_version=None, conference=None, approval=None, note=note)
    return episodes


def _on_assistance_ended(sender: Any, *, actor: Membership, ended: list[tuple[int, dt.date]],
                         **kwargs: Any) -> None:
    end_for_assistance_ended(actor=actor, ended=ended)


def connect() -> None:
    """Listen to the registry: 保護廃止 ends the members' episodes (``ProgramsConfig.ready``)."""
    assistance_ended.connect(_on_assistance_ended, dispatch_uid="cases.assistance_ended")


@transaction.atomic
def enrollment_transfer(*, actor: Membership, enrollment: Enrollment, target_program: Program,
                        on: dt.date, conference: Conference | None = None, note: str = "",
                        start: bool = False, phase: Phase | None = None,
                        expected_version: int | None = None) -> Enrollment:
    """移行: close this episode (ended/transferred) and open one in ``target_program``
    (selected, or active when ``start``), linked through ``moved_from``."""
    require(actor, "enrollment.manage")
    same_office(actor, enrollment, target_program)
    if target_program.pk == enrollment.program_id:
        raise IllegalTransition("同じプログラムへは移行できません。移行先に別のプログラムを選んでください。",
                                code="same_program", field="target_program")
    _guard(enrollment, "transfer", on)
    person = enrollment.person
    if not target_program.is_active:
        raise IllegalTransition(f"「{target_program.name}」は実施していないプログラムです。",
                                field="target_program")
    if not target_program.allows_non_recipients and not on_assistance(person, on):
        raise IllegalTransition(f"「{target_program.name}」は保護を受給している方だけが対象です。",
                                code="not_recipient", field="target_program")
    _refuse_second_open(person, target_program)
    _refuse_overlap(person, target_program, on)
    _apply(actor, enrollment, "transfer", on,
           changes={"status": S.ENDED, "end_reason": R.TRANSFERRED, "ended_on": on},
           expected_version=expected_version, conference=conference, approval=None,
           note=note or f"「{target_program.name}」へ移行")
    try:
        with transaction.atomic():
            new = Enrollment.objects.create(
                office=target_program.office, person=person, program=target_program,
                program_version=current_version(target_program), status=S.SELECTED,
                candidate_on=on, selected_on=on, moved_from=enrollment,
                lead_staff=enrollment.lead_staff)
    except IntegrityError:
        raise _second_open_error(target_program) from None
    EnrollmentEvent.objects.create(
        enrollment=new, occurred_on=on, from_status="", to_status=S.SELECTED,
        action="transfer_in", conference=conference, actor=actor.user,
        note=f"「{enrollment.program.name}」から移行")
    audit(actor, "enrollment.transfer_in", Kind.CREATE, new, person=person,
          after=snapshot(new, _SNAP_FIELDS), note=f"from enrollment {enrollment.pk}")
    if start:
        enrollment_start(actor=actor, enrollment=new, on=on, phase=phase, conference=conference)
    return new


@transaction.atomic
def enrollment_assign(*, actor: Membership, enrollment: Enrollment,
                      lead_staff: Any = None, referred_partners: list[Any] | None = None,
                      expected_version: int) -> Enrollment:
    """担当支援員 and 紹介先関係機関 (partners may then write records, within consent)."""
    require(actor, "enrollment.manage")
    same_office(actor, enrollment, *(referred_partners or []))
    before = {"lead_staff_id": enrollment.lead_staff_id,
              "referred_partners": sorted(enrollment.referred_partners.values_list("pk", flat=True))}
    enrollment.lead_staff = lead_staff
    save_versioned(enrollment, expected_version, ["lead_staff", "updated_at"])
    if referred_partners is not None:
        enrollment.referred_partners.set(referred_partners)
    after = {"lead_staff_id": enrollment.lead_staff_id,
             "referred_partners": sorted(p.pk for p in (referred_partners or []))
             if referred_partners is not None else before["referred_partners"]}
    audit(actor, "enrollment.assign", Kind.UPDATE, enrollment, person=enrollment.person,
          before=before, after=after)
    return enrollment
