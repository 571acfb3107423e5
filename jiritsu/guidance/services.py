"""Writes on the 指導指示 track. Each is guard → change → audit row, in one transaction.

The guards come from :mod:`jiritsu.guidance.rules` (which step may follow which, what
a decision needs) plus the date rules here: nothing in the future (``jiritsu.core.clock.not_after_today``, the one
rule for every service, code ``future_date``), nothing dated
before the case's latest recorded date (no back-dating).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ApprovalRequest, Conference
from jiritsu.cases.services import conferences as program_conferences
from jiritsu.cases.services.approval_requests import (
    approval_request_create,
    approval_request_withdraw,
    route_for,
)
from jiritsu.cases.services.approvals import approval_decide
from jiritsu.core import clock
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import DomainError, Forbidden, IllegalTransition, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.core.wareki import format_wareki
from jiritsu.guidance.models import GuidanceCase, GuidanceSettings, GuidanceStep
from jiritsu.guidance.pdf import render_step_pdf
from jiritsu.guidance.rules import (
    Blocker,
    Track,
    hearing_date,
    notice_gap_message,
    voluntary_blocker,
)
from jiritsu.offices.models import Membership, Office, User
from jiritsu.offices.numbering import next_document_number
from jiritsu.people import services as people_services
from jiritsu.people.models import Household, Person
from jiritsu.programs.models import Program

K = GuidanceStep.Kind
SUBJ = GuidanceStep.ConferenceSubject
HO = GuidanceStep.HearingOutcome
AP = GuidanceStep.Approval
DK = GuidanceStep.DecisionKind

# The 決裁 kind of a 法62条 decision (registered by ``guidance.decisions``).
DECISION_KIND = "guidance_decision"
WITHDRAWN_NOTE = "指示の履行により決定案を取り下げ"

SETTINGS_FIELDS = [
    "required_written_instructions", "min_notice_days", "appeal_authority",
    "appeal_period_months", "sanction_standard", "office_head_title",
]


# --- helpers -----------------------------------------------------------------------------
def settings_for(office: Office) -> GuidanceSettings:
    """The office's settings, created with the law's defaults on first use."""
    obj, _ = GuidanceSettings.objects.get_or_create(
        office=office, defaults={"office_head_title": f"{office.name}長"})
    return obj


def track_for(case: GuidanceCase, settings: GuidanceSettings | None = None) -> Track:
    steps = list(GuidanceStep.objects.filter(case=case).order_by("occurred_on", "id"))
    return Track(case, steps, settings or settings_for(case.office))


def refuse(blockers: Sequence[Blocker], cls: type[DomainError] = IllegalTransition) -> None:
    """Raise one error naming everything that is missing (first blocker's code)."""
    if blockers:
        first = blockers[0]
        raise cls("\n".join(b.message for b in blockers), code=first.code, field=first.field,
                  details=[{"code": b.code, "message": b.message} for b in blockers])


def _today() -> dt.date:
    return clock.today()


def _require_manage(actor: Membership) -> None:
    if not actor.can("guidance.manage"):
        raise Forbidden()


def _load(actor: Membership, case: GuidanceCase) -> Track:
    """Lock the case row and read its track (serialises concurrent steps on one case)."""
    _require_manage(actor)
    if case.office_id != actor.office_id:
        raise DomainError("対象が見つかりません。", code="not_found")
    locked = GuidanceCase.objects.select_for_update().get(pk=case.pk)
    case.status, case.closed_reason, case.version = (locked.status, locked.closed_reason,
                                                     locked.version)
    return track_for(case)


def check_date(track: Track, day: dt.date | None, field: str, label: str = "日付") -> dt.date:
    """No future dates; nothing before the case's latest recorded date (no back-dating)."""
    if day is None:
        raise ValidationFailed(f"{label}を入力してください。", code="guidance.date_missing",
                               field=field)
    not_after_today(day, field=field, what=label)
    latest = track.latest_date
    if day < latest:
        step = track.latest_step
        what = step.get_kind_display() if step is not None and step.latest_date == latest else "指導の開始"
        raise ValidationFailed(
            f"{label}（{format_wareki(day)}）が、既に記録された「{what}」の日付（{format_wareki(latest)}）"
            "より前です。手続の記録をさかのぼって入れることはできません。",
            code="guidance.backdated", field=field)
    return day


def refuse_retroactive(effective_on: dt.date, decided_on: dt.date, *, field: str,
                       approving: bool = False) -> None:
    """A 法62条 sanction never takes effect before it is decided (決裁) and notified: its
    適用年月日 is on or after the 決定日. Approving a draft whose effective date has passed
    is refused; the caseworker drafts it again with a new date."""
    if effective_on >= decided_on:
        return
    if approving:
        raise IllegalTransition(
            f"適用日（{format_wareki(effective_on)}）が既に過ぎています。処分を決定・通知より前に"
            f"さかのぼって適用することはできません（決定日は本日{format_wareki(decided_on)}）。"
            "この決定案を差し戻し、担当者が本日以降の適用日で起案し直してください。",
            code="guidance.effective_on_passed", field=field)
    raise ValidationFailed(
        f"適用日（{format_wareki(effective_on)}）は本日（{format_wareki(decided_on)}）以降の日付に"
        "してください。処分は決裁・通知の日より前にさかのぼって適用できません。",
        code="guidance.effective_on_passed", field=field)


def _require_text(value: str, field: str, label: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"{label}を入力してください。", code=code, field=field)
    return value


def _next_document_number(office: Office) -> str:
    """The office's one running 文書番号 (shared with the forms; ``offices.numbering``)."""
    return next_document_number(office).text


def _audit(actor: Membership, action: str, step: GuidanceStep | GuidanceCase, *,
           kind: str = AuditEvent.Kind.CREATE, before: dict[str, Any] | None = None,
           note: str = "") -> None:
    case = step.case if isinstance(step, GuidanceStep) else step
    record(actor=actor.user, office=actor.office, action=action, kind=kind, target=step,
           person=case.person, before=before, after=snapshot(step), note=note)


def _add_step(actor: Membership, case: GuidanceCase, kind: str, occurred_on: dt.date,
              **fields: Any) -> GuidanceStep:
    step = GuidanceStep.objects.create(case=case, kind=kind, occurred_on=occurred_on,
                                       recorded_by=actor.user, **fields)
    _audit(actor, f"guidance.{kind}", step)
    return step


def _close(actor: Membership, case: GuidanceCase, on: dt.date, reason: str, note: str) -> None:
    before = snapshot(case, ["status", "closed_on", "closed_reason", "closed_note"])
    case.status = GuidanceCase.Status.CLOSED
    case.closed_on = on
    case.closed_reason = reason
    case.closed_note = note
    save_versioned(case, case.version, ["status", "closed_on", "closed_reason", "closed_note"])
    _audit(actor, "guidance.case_close", case, kind=AuditEvent.Kind.TRANSITION, before=before)


# --- settings and opening ----------------------------------------------------------------
@transaction.atomic
def guidance_settings_update(*, actor: Membership, expected_version: int,
                             data: dict[str, Any]) -> GuidanceSettings:
    if not actor.can("guidance.settings"):
        raise Forbidden()
    obj = settings_for(actor.office)
    if data.get("required_written_instructions", 1) < 1:
        raise ValidationFailed("文書指示は少なくとも1回必要です（施行規則19条）。",
                               code="guidance.settings_invalid",
                               field="required_written_instructions")
    if data.get("appeal_period_months", 3) < 3:
        raise ValidationFailed("審査請求期間は3か月を下回れません（行政不服審査法18条）。",
                               code="guidance.settings_invalid", field="appeal_period_months")
    before = snapshot(obj, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(obj, name, data[name])
    save_versioned(obj, expected_version, SETTINGS_FIELDS)
    record(actor=actor.user, office=actor.office, action="guidance.settings_update",
           kind=AuditEvent.Kind.UPDATE, target=obj, before=before,
           after=snapshot(obj, SETTINGS_FIELDS))
    return obj


def refuse_voluntary(office: Office, **texts: str) -> None:
    """No ground, instruction or reason may order (or rest on) a voluntary program: the line
    between 法27条の2 support and 法27条/62条 guidance, held in the data."""
    names = list(Program.objects.filter(office=office).values_list("name", flat=True))
    refuse([b for field, text in texts.items()
            if (b := voluntary_blocker(text or "", names, field)) is not None][:1],
           ValidationFailed)


@transaction.atomic
def guidance_case_open(*, actor: Membership, person: Person, opened_on: dt.date,
                       ground_category: str, ground: str) -> GuidanceCase:
    """Open a track on one of the duties 法27条 guidance may concern (``ground_category``,
    :class:`GuidanceCase.Ground`), with the facts as ``ground``."""
    _require_manage(actor)
    if person.office_id != actor.office_id:
        raise DomainError("対象が見つかりません。", code="not_found")
    if person.household_id is None:
        raise IllegalTransition("法27条の指導指示は被保護者に対してのみ行えます（この方は被保護者ではありません）。",
                                code="guidance.not_recipient")
    if GuidanceCase.objects.filter(person=person, status=GuidanceCase.Status.OPEN).exists():
        raise IllegalTransition("この方には進行中の指導指示があります。",
                                code="guidance.case_already_open")
    not_after_today(opened_on, field="opened_on", what="開始日")
    if ground_category not in GuidanceCase.OPENING_GROUNDS:
        raise ValidationFailed(
            "指導の根拠となる義務（稼働能力の活用、医療の受診・療養、世帯の生活維持など）を選んでください。",
            code="guidance.ground_category_missing", field="ground_category")
    ground = _require_text(ground, "ground", "指導を要する事情", "guidance.ground_missing")
    refuse_voluntary(actor.office, ground=ground)
    case = GuidanceCase.objects.create(office=actor.office, person=person, opened_on=opened_on,
                                       ground_category=ground_category, ground=ground,
                                       opened_by=actor.user)
    _audit(actor, "guidance.case_open", case)
    return case


# --- steps -------------------------------------------------------------------------------
@transaction.atomic
def guidance_oral_instruction_record(*, actor: Membership, case: GuidanceCase,
                                     occurred_on: dt.date, content: str,
                                     supervisor_present: User | None,
                                     given_by: User | None = None,
                                     note: str = "") -> GuidanceStep:
    track = _load(actor, case)
    refuse(track.blockers_for("oral_instruction"))
    check_date(track, occurred_on, "occurred_on")
    content = _require_text(content, "content", "指導の内容", "guidance.content_missing")
    refuse_voluntary(case.office, content=content)
    if supervisor_present is None or not Membership.objects.filter(
            user=supervisor_present, office=case.office, is_active=True,
            role=Membership.Role.SUPERVISOR).exists():
        raise ValidationFailed("法27条の口頭指導には査察指導員の同席が必要です。同席した査察指導員を選んでください。",
                               code="guidance.supervisor_absent", field="supervisor_present")
    return _add_step(actor, case, K.ORAL_INSTRUCTION, occurred_on, content=content, note=note,
                     given_by=given_by or actor.user, supervisor_present=supervisor_present)


@transaction.atomic
def guidance_conference_record(*, actor: Membership, case: GuidanceCase, held_on: dt.date,
                               subject: str, outcome: str, minutes: str, place: str = "",
                               attendees: Sequence[User] = ()) -> GuidanceStep:
    """A ケース診断会議 on this case: the cases.Conference row it refers to is created by
    the programs service that owns conferences (in the person's audit trail)."""
    track = _load(actor, case)
    if subject not in SUBJ.values:
        raise ValidationFailed("協議事項を選んでください。", code="guidance.subject_missing",
                               field="subject")
    refuse(track.blockers_for("conference", subject=subject))
    check_date(track, held_on, "held_on", "開催日")
    if outcome not in GuidanceStep.ConferenceOutcome.values:
        raise ValidationFailed("会議の結論を選んでください。", code="guidance.outcome_missing",
                               field="outcome")
    minutes = _require_text(minutes, "minutes", "協議の内容（議事録）", "guidance.minutes_missing")
    label = SUBJ(subject).label
    conference = program_conferences.conference_create(
        actor=actor, kind=Conference.Kind.CASE_DIAGNOSIS, held_on=held_on,
        title=f"ケース診断会議（{case.person}：{label}）", place=place, agenda=label,
        minutes=minutes, attendees=[{"user": user} for user in attendees],
        about=case.person)
    return _add_step(actor, case, K.CONFERENCE, held_on, conference=conference,
                     conference_subject=subject, conference_outcome=outcome, content=minutes)


@transaction.atomic
def guidance_written_instruction_issue(*, actor: Membership, case: GuidanceCase,
                                       occurred_on: dt.date, content: str, reason: str,
                                       deadline: dt.date | None) -> GuidanceStep:
    track = _load(actor, case)
    refuse(track.blockers_for("written_instruction"))
    check_date(track, occurred_on, "occurred_on", "指示日")
    content = _require_text(content, "content", "指導指示の内容", "guidance.content_missing")
    reason = _require_text(reason, "reason", "指導指示の理由", "guidance.reason_missing")
    refuse_voluntary(case.office, content=content, reason=reason)
    if deadline is None or deadline <= occurred_on:
        raise ValidationFailed("履行期限は指示日より後の日付にしてください。",
                               code="guidance.deadline_invalid", field="deadline")
    return _add_step(actor, case, K.WRITTEN_INSTRUCTION, occurred_on, content=content,
                     reason=reason, deadline=deadline,
                     document_number=_next_document_number(case.office))


@transaction.atomic
def guidance_delivery_record(*, actor: Membership, step: GuidanceStep, delivered_on: dt.date,
                             method: str) -> GuidanceStep:
    """The written instruction or the notice reached the person (交付)."""
    track = _load(actor, step.case)
    step = next(s for s in track.steps if s.pk == step.pk)
    refuse(track.common_blockers())
    if step.kind not in (K.WRITTEN_INSTRUCTION, K.NOTICE):
        raise IllegalTransition("交付を記録できるのは指導指示書と弁明通知だけです。",
                                code="guidance.not_a_document")
    if step.delivered_on is not None:
        raise IllegalTransition("交付は既に記録されています。", code="guidance.already_delivered")
    current = track.pending_written if step.kind == K.WRITTEN_INSTRUCTION else track.latest_notice
    if current is None or current.pk != step.pk or (step.kind == K.NOTICE and track.hearing):
        raise IllegalTransition("この文書は既に次の手続に進んでいるため、交付を記録できません。",
                                code="guidance.document_superseded")
    check_date(track, delivered_on, "delivered_on", "交付日")
    if method not in GuidanceStep.DeliveryMethod.values:
        raise ValidationFailed("交付方法を選んでください。", code="guidance.delivery_method_missing",
                               field="method")
    if step.kind == K.WRITTEN_INSTRUCTION and step.deadline and delivered_on >= step.deadline:
        raise ValidationFailed("履行期限の当日以降の交付では、指示に従う機会がありません。新たに文書指示を行ってください。",
                               code="guidance.delivered_after_deadline", field="delivered_on")
    before = snapshot(step, ["delivered_on", "delivery_method"])
    step.delivered_on = delivered_on
    step.delivery_method = method
    step.save(update_fields=["delivered_on", "delivery_method"])
    _audit(actor, "guidance.delivery", step, kind=AuditEvent.Kind.UPDATE, before=before)
    return step


@transaction.atomic
def guidance_noncompliance_record(*, actor: Membership, case: GuidanceCase,
                                  occurred_on: dt.date, note: str) -> GuidanceStep:
    track = _load(actor, case)
    refuse(track.blockers_for("noncompliance"))
    check_date(track, occurred_on, "occurred_on", "確認日")
    pending = track.pending_written
    assert pending is not None and pending.deadline is not None
    if occurred_on <= pending.deadline:
        raise ValidationFailed(
            f"履行期限（{format_wareki(pending.deadline)}）が経過していません。不履行は期限の翌日以降に確認してください。",
            code="guidance.deadline_not_passed", field="occurred_on")
    note = _require_text(note, "note", "確認した事実", "guidance.note_missing")
    return _add_step(actor, case, K.NONCOMPLIANCE, occurred_on, instruction=pending,
                     content=note)


@transaction.atomic
def guidance_compliance_record(*, actor: Membership, case: GuidanceCase, occurred_on: dt.date,
                               note: str) -> GuidanceStep:
    """The person did what was asked: the track closes, whatever stage it had reached."""
    track = _load(actor, case)
    refuse(track.blockers_for("compliance"))
    check_date(track, occurred_on, "occurred_on", "確認日")
    note = _require_text(note, "note", "履行の内容", "guidance.note_missing")
    step = _add_step(actor, case, K.COMPLIANCE, occurred_on, content=note,
                     instruction=track.pending_written)
    pending = track.pending_decision
    if pending is not None:
        before = snapshot(pending, ["approval"])
        pending.approval = AP.REJECTED
        pending.approval_comment = WITHDRAWN_NOTE
        pending.save(update_fields=["approval", "approval_comment"])
        _audit(actor, "guidance.decision_withdraw", pending, kind=AuditEvent.Kind.TRANSITION,
               before=before)
        if pending.approval_request is not None:
            approval_request_withdraw(actor=actor, request=pending.approval_request,
                                      note=WITHDRAWN_NOTE)
    _close(actor, case, occurred_on, GuidanceCase.ClosedReason.COMPLIED, note)
    return step


@transaction.atomic
def guidance_notice_issue(*, actor: Membership, case: GuidanceCase, occurred_on: dt.date,
                          reason: str, hearing_at: dt.datetime | None, hearing_place: str,
                          content: str = "") -> GuidanceStep:
    """弁明の機会の付与通知 (法62条4項): in writing, in advance, with reason, date/time, place."""
    track = _load(actor, case)
    refuse(track.blockers_for("notice"))
    check_date(track, occurred_on, "occurred_on", "通知日")
    reason = _require_text(reason, "reason", "処分の原因となる事実（理由）",
                           "guidance.notice_reason_missing")
    if hearing_at is None:
        raise ValidationFailed("弁明の日時を入力してください。", code="guidance.notice_time_missing",
                               field="hearing_at")
    hearing_place = _require_text(hearing_place, "hearing_place", "弁明の場所",
                                  "guidance.notice_place_missing")
    hearing_day = clock.japan_date(hearing_at)
    settings = track.settings
    if (hearing_day - occurred_on).days < settings.min_notice_days:
        raise ValidationFailed(
            notice_gap_message("通知日", occurred_on, hearing_day, settings.min_notice_days)
            + f"弁明の日は通知日から{settings.min_notice_days}日以上後にしてください。",
            code="guidance.notice_too_late", field="hearing_at")
    return _add_step(actor, case, K.NOTICE, occurred_on, reason=reason, content=content,
                     hearing_at=hearing_at, hearing_place=hearing_place,
                     document_number=_next_document_number(case.office))


@transaction.atomic
def guidance_hearing_record(*, actor: Membership, case: GuidanceCase, occurred_on: dt.date,
                            outcome: str, content: str) -> GuidanceStep:
    track = _load(actor, case)
    refuse(track.blockers_for("hearing"))
    check_date(track, occurred_on, "occurred_on", "弁明日")
    if outcome not in HO.values:
        raise ValidationFailed("弁明の結果を選んでください。", code="guidance.outcome_missing",
                               field="outcome")
    notice = track.latest_notice
    assert notice is not None
    scheduled = hearing_date(notice)
    if occurred_on < scheduled:
        raise ValidationFailed(
            f"通知した弁明の日（{format_wareki(scheduled)}）より前に弁明の聴取を記録することはできません。",
            code="guidance.hearing_before_scheduled", field="occurred_on")
    refuse(track.notice_blockers(), ValidationFailed)
    if outcome == HO.ABSENT and occurred_on != scheduled:
        raise ValidationFailed("不出頭は、通知した弁明の日について記録してください。",
                               code="guidance.absence_date_mismatch", field="occurred_on")
    content = _require_text(content, "content", "弁明の内容（不出頭の場合はその経過）",
                            "guidance.content_missing")
    step = _add_step(actor, case, K.HEARING, occurred_on, hearing_outcome=outcome,
                     content=content)
    if outcome == HO.ACCEPTED:
        _close(actor, case, occurred_on, GuidanceCase.ClosedReason.EXPLANATION_ACCEPTED, content)
    return step


@transaction.atomic
def guidance_decision_draft(*, actor: Membership, case: GuidanceCase, occurred_on: dt.date,
                            decision_kind: str, effective_on: dt.date | None, reason: str,
                            content: str = "", standard_applied: str = "") -> GuidanceStep:
    """決定案 (起案): every precondition of 法62条 is checked; the manager's approval follows."""
    track = _load(actor, case)
    refuse(track.common_blockers())
    if decision_kind not in DK.values:
        raise ValidationFailed("決定の内容を選んでください。", code="guidance.decision_kind_missing",
                               field="decision_kind")
    refuse(track.decision_blockers(kind=decision_kind))
    check_date(track, occurred_on, "occurred_on", "起案日")
    reason = _require_text(reason, "reason", "決定の理由（行政手続法14条）",
                           "guidance.decision_reason_missing")
    standard = standard_applied.strip() or track.settings.sanction_standard
    if decision_kind != DK.NONE:
        standard = _require_text(standard, "standard_applied", "適用した処分基準（行政手続法12条）",
                                 "guidance.standard_missing")
        if effective_on is None:
            raise ValidationFailed("適用日を入力してください。",
                                   code="guidance.effective_on_invalid", field="effective_on")
        # On or after today (so never before the draft, nor before the 決裁 that follows).
        refuse_retroactive(effective_on, _today(), field="effective_on")
    if decision_kind == DK.CHANGE:
        content = _require_text(content, "content", "変更の内容", "guidance.content_missing")
    step = _add_step(actor, case, K.DECISION, occurred_on, decision_kind=decision_kind,
                     effective_on=effective_on if decision_kind != DK.NONE else None,
                     reason=reason, content=content, standard_applied=standard,
                     approval=AP.PENDING)
    # The 決裁 that follows is the office's one 決裁 mechanism: the inbox, the approval page.
    step.approval_request = approval_request_create(
        actor=actor, enrollment=None, person=case.person, kind=DECISION_KIND,
        subject=f"{case.person.name} 法62条の決定（{step.get_decision_kind_display()}）",
        payload={"case_id": case.pk, "step_id": step.pk, "decision_kind": decision_kind,
                 "effective_on": step.effective_on.isoformat() if step.effective_on else None,
                 "note": reason},
        steps=route_for(actor, DECISION_KIND))
    step.save(update_fields=["approval_request"])
    return step


@transaction.atomic
def guidance_decision_approve(*, actor: Membership, step: GuidanceStep, approve: bool,
                              comment: str = "") -> GuidanceStep:
    """決裁 of a 法62条 decision from the case page or ``POST /guidance/steps/{id}/approve``:
    the same 決裁 as the inbox (``cases.services.approvals.approval_decide`` on the step's
    request), one step of the office's route. The final approval (課長・所長) makes the
    decision final and closes the case (``guidance.decisions.decision_approved``)."""
    req = (ApprovalRequest.objects.filter(pk=step.approval_request_id).first()
           if step.approval_request_id else None)
    if step.kind != K.DECISION or req is None or req.status != ApprovalRequest.Status.PENDING:
        raise IllegalTransition("決裁待ちの決定案ではありません。", code="guidance.not_pending")
    if step.case.office_id != actor.office_id:
        raise DomainError("対象が見つかりません。", code="not_found")
    approval_decide(actor=actor, request=req, approve=approve, comment=comment)
    step.refresh_from_db()
    return step


def _end_assistance(actor: Membership, household_id: int, step: GuidanceStep) -> None:
    """法62条3項の廃止: the household's assistance ends through the registry's own
    service, which also ends the members' open program episodes (保護廃止)."""
    people_services.household_end_assistance(
        actor=actor, household=Household.objects.get(pk=household_id),
        ended_on=step.effective_on, end_reason=Household.EndReason.SANCTION,
        person=step.case.person, note=f"法62条3項による保護廃止（{step.document_number}）")


@transaction.atomic
def guidance_case_close(*, actor: Membership, case: GuidanceCase, closed_on: dt.date,
                        note: str) -> GuidanceCase:
    """End the guidance without a decision (no longer needed, assistance ended otherwise …)."""
    track = _load(actor, case)
    refuse(track.common_blockers())
    check_date(track, closed_on, "closed_on", "終結日")
    note = _require_text(note, "note", "終結の経緯", "guidance.note_missing")
    _close(actor, case, closed_on, GuidanceCase.ClosedReason.ENDED, note)
    return case


def guidance_document_export(*, actor: Membership, step: GuidanceStep) -> tuple[str, bytes]:
    """Print a 指導指示書 / 弁明通知 / 決定通知書 as PDF. Every print is an audited export."""
    _require_manage(actor)
    if step.case.office_id != actor.office_id:
        raise DomainError("対象が見つかりません。", code="not_found")
    if step.kind == K.DECISION and step.approval != AP.APPROVED:
        raise IllegalTransition("決裁されていない決定の通知書は出力できません（課長決裁が必要です）。",
                                code="guidance.not_approved")
    if step.kind == K.DECISION and step.decision_kind == DK.NONE:
        raise IllegalTransition("処分を行わない決定には決定通知書はありません。",
                                code="guidance.no_document")
    if step.kind not in (K.WRITTEN_INSTRUCTION, K.NOTICE, K.DECISION):
        raise IllegalTransition("この手続には印刷する文書がありません。", code="guidance.no_document")
    title, data = render_step_pdf(step, settings=settings_for(step.case.office))
    with transaction.atomic():
        record(actor=actor.user, office=actor.office, action="guidance.document_export",
               kind=AuditEvent.Kind.EXPORT, target=step, person=step.case.person,
               note=f"{title} {step.document_number}")
    filename = f"{title}_{step.document_number or step.pk}.pdf"
    return filename, data
