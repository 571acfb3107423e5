"""成果: employment, income rise, closure through work, discharge, school admission …"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import transaction

from jiritsu.audit.log import snapshot
from jiritsu.cases.models import ApprovalRequest, Enrollment, Outcome
from jiritsu.cases.services.approval_requests import approval_request_create
from jiritsu.cases.services.enrollments import enrollment_end
from jiritsu.cases.terms import needs_approval
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import IllegalTransition, ValidationFailed
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership
from jiritsu.people import services as people_services
from jiritsu.programs.models import OutcomeKind, OutcomeType

OUTCOME_FIELDS = ["employer", "job_kind", "hours_per_week", "monthly_income", "income_increase",
                  "destination", "school_name", "note"]
REQUIRED_BY_KIND: dict[str, list[tuple[str, str]]] = {
    OutcomeKind.EMPLOYMENT_START: [("job_kind", "職種"), ("monthly_income", "月収")],
    OutcomeKind.INCOME_INCREASE: [("income_increase", "増収額")],
    OutcomeKind.DISCHARGE: [("destination", "退院先")],
    OutcomeKind.HIGH_SCHOOL: [("school_name", "進学先")],
}


def _clean(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data.get(k) for k in OUTCOME_FIELDS if data.get(k) not in (None, "")}
    for f, label in REQUIRED_BY_KIND.get(kind, []):
        if out.get(f) in (None, ""):
            raise ValidationFailed(f"{OutcomeKind(kind).label}の記録には{label}の入力が必要です。", field=f)
    if "destination" in out and out["destination"] not in Outcome.Destination.values:
        raise ValidationFailed("退院先を一覧から選んでください。", field="destination")
    if "hours_per_week" in out:
        out["hours_per_week"] = decimal.Decimal(str(out["hours_per_week"]))
    return out


@transaction.atomic
def outcome_record(*, actor: Membership, enrollment: Enrollment, outcome_type: OutcomeType,
                   occurred_on: dt.date, data: dict[str, Any] | None = None,
                   end_as_achieved: bool = False,
                   approval: ApprovalRequest | None = None) -> Outcome | ApprovalRequest:
    """Record an outcome. Refused on a candidate or a declined episode. An outcome that
    counts as achievement needs 決裁 when the program says so (the outcome is written
    when the approval completes); ``end_as_achieved`` then ends the episode as 達成."""
    require(actor, "outcome.record")
    same_office(actor, enrollment)
    data = dict(data or {})
    if enrollment.status == Enrollment.Status.CANDIDATE:
        raise IllegalTransition("候補の段階では成果を記録できません。支援を開始してから記録してください。",
                                code="outcome_on_candidate", field="outcome_type")
    if enrollment.status == Enrollment.Status.ENDED and \
            enrollment.end_reason == Enrollment.EndReason.DECLINED:
        raise IllegalTransition("辞退で終了した参加には成果を記録できません。",
                                code="outcome_on_declined", field="outcome_type")
    if outcome_type.program_id != enrollment.program_id:
        raise ValidationFailed("このプログラムの成果の種類を選んでください。", field="outcome_type")
    not_after_today(occurred_on, field="occurred_on", what="成果の日付")
    if enrollment.started_on and occurred_on < enrollment.started_on:
        raise ValidationFailed(
            f"成果の日付が支援開始日（{format_wareki(enrollment.started_on)}）より前です。",
            field="occurred_on")
    clean = _clean(outcome_type.kind, data)
    if end_as_achieved and enrollment.status != Enrollment.Status.ACTIVE:
        raise IllegalTransition("参加中でないため、達成として終了できません。", field="end_as_achieved")
    if (approval is None and outcome_type.counts_as_achievement
            and needs_approval(enrollment, "achieve")):
        payload_data = {k: str(v) if isinstance(v, decimal.Decimal) else v
                        for k, v in clean.items()}
        return approval_request_create(
            actor=actor, enrollment=enrollment, kind="achieve",
            subject=f"{enrollment.person.name} {outcome_type.name}（{format_wareki(occurred_on)}）",
            payload={"outcome_type_id": outcome_type.pk, "occurred_on": occurred_on.isoformat(),
                     "on": occurred_on.isoformat(), "data": payload_data,
                     "end_as_achieved": end_as_achieved})
    outcome = Outcome.objects.create(enrollment=enrollment, outcome_type=outcome_type,
                                     kind=outcome_type.kind, occurred_on=occurred_on,
                                     recorded_by=actor.user, **clean)
    audit(actor, "outcome.record", Kind.CREATE, outcome, person=enrollment.person,
          after=snapshot(outcome), note=outcome_type.name)
    if outcome_type.kind == OutcomeKind.DISCHARGE:
        # The person left hospital: their open stay ends on the discharge date, so they no
        # longer screen as an inpatient (the registry owns the stay and audits the change).
        people_services.stays_discharge(actor=actor, person=enrollment.person, on=occurred_on,
                                        destination=clean.get("destination", ""))
    if end_as_achieved:
        enrollment_end(actor=actor, enrollment=enrollment, reason=Enrollment.EndReason.ACHIEVED,
                       on=occurred_on, note=f"{outcome_type.name}により達成", approval=approval)
    return outcome
