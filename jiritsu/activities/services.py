"""Writes for the seed programs' own features: guard → change → audit row, one transaction.

Size (over 600 lines): independent sections, one per seed-program feature (templates,
職場適応訓練, group sessions, Hello Work, health tracks, family and receiving places, volunteer
placements, people not on assistance) that share only the guard and audit helpers at the top.
The split is a ``services/`` package with one module per section, re-exported here so callers
keep ``services.<name>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from jiritsu.activities import catalog, selectors, work_capacity
from jiritsu.activities.access import visible_referrals
from jiritsu.activities.models import (
    FamilyContact,
    FamilyRequest,
    GroupSession,
    HealthTrack,
    HelloWorkInterviewAttendee,
    HelloWorkReferral,
    ReceivingRequest,
    Recruitment,
    SeriesExpense,
    SessionAttendance,
    SessionSeries,
    StaffTraining,
    StaffTrainingAttendance,
    TrainingDay,
    TrainingEmployer,
    TrainingMonthlyStatus,
    TrainingPlacement,
    Volunteer,
    VolunteerPlacement,
    WorkRouteDecision,
)
from jiritsu.activities.selectors import open_enrollments, series_eligible, series_people
from jiritsu.audit.log import record, snapshot
from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.services import enrollment_create
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, IllegalTransition, NotFound, StaleEdit, ValidationFailed
from jiritsu.core.versioning import save_versioned
from jiritsu.core.wareki import add_months, format_wareki
from jiritsu.offices.guards import require as _require
from jiritsu.offices.guards import same_office as _same_office
from jiritsu.offices.models import Membership, PartnerOrganisation
from jiritsu.offices.services import partner_create
from jiritsu.people.models import Person
from jiritsu.programs.models import Program
from jiritsu.programs.services import program_create

MAX_HOURS_PER_DAY = Decimal("4")
MAX_DAYS_PER_MONTH = 20




def _audit(actor: Membership, action: str, kind: str, target: Any, person: Any = None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           note: str = "") -> None:
    record(actor=actor.user, office=actor.office, action=action, kind=kind, target=target,
           person=person, before=before, after=after, note=note)


# --- templates ----------------------------------------------------------------

OVERRIDABLE = frozenset({
    "name", "code", "established_on", "review_interval_months", "standard_length_months",
    "max_length_months", "capacity", "budget_yen", "consent_required", "allows_non_recipients",
    "description", "target_description", "extension_approval", "rules",
})


def _register_seed_partners(actor: Membership, template: catalog.ProgramTemplate) -> None:
    """The organisations the seed names for the template that the office has not registered
    (by name) yet, through the partner service (its checks, its audit row)."""
    if not actor.can("office.admin"):
        raise ValidationFailed("関係機関の登録はシステム管理者が行います。登録せずに作成するか、"
                               "システム管理者に依頼してください。", field="register_partners")
    have = set(PartnerOrganisation.objects.filter(office=actor.office)
               .values_list("name", flat=True))
    for spec in template.seed_partners:
        if spec.name not in have:
            partner_create(actor=actor, data={"kind": spec.kind, "name": spec.name,
                                              "operator": spec.operator,
                                              "areas": list(spec.areas)})


@transaction.atomic
def program_instantiate_template(*, actor: Membership, template_code: str,
                                 overrides: dict[str, Any] | None = None,
                                 register_partners: bool = False) -> Program:
    """Create the office's Program from a catalogue template (phases, menus, outcomes, targets).
    ``register_partners`` first registers the organisations the seed names for it
    (``seed_partners``, e.g. 和歌山's four centres) that the office does not have."""
    _require(actor, "program.manage")
    template = catalog.get_template(template_code)
    if template is None:
        raise ValidationFailed("指定されたテンプレートがありません。", field="template_code")
    if register_partners and template.seed_partners:
        _register_seed_partners(actor, template)
    overrides = dict(overrides or {})
    unknown = set(overrides) - OVERRIDABLE
    if unknown:
        raise ValidationFailed(f"変更できない項目です: {', '.join(sorted(unknown))}")
    fields = template.program_fields()
    fields["code"] = template.code
    fields.update({k: v for k, v in overrides.items() if v is not None and v != ""})
    code = str(fields["code"]).strip()
    if not code:
        raise ValidationFailed("プログラムコードを入力してください。", field="code")
    fields["code"] = code
    if template.follow_up_after_discharge_months:
        fields["post_discharge_review_months"] = template.follow_up_after_discharge_months
    program = program_create(
        actor=actor, data=fields,
        phases=[{"order": i, "name": p.name, "standard_months": p.months}
                for i, p in enumerate(template.phases, start=1)],
        menus=[{"order": i, "name": m.name, "description": m.description}
               for i, m in enumerate(template.menus, start=1)],
        outcome_types=[{"kind": o.kind, "name": o.name,
                        "counts_as_achievement": o.counts_as_achievement}
                       for o in template.outcomes],
        targets=[{"label": t.label, "metric": t.metric, "value": t.value,
                  "fiscal_year_from": t.fiscal_year_from, "fiscal_year_to": t.fiscal_year_to,
                  "outcome_kind": t.outcome_kind, "baseline": t.baseline}
                 for t in template.targets],
        partners=list(PartnerOrganisation.objects.filter(
            office=actor.office, kind__in=template.partner_kinds, is_active=True)))
    _audit(actor, "program.instantiate_template", AuditEvent.Kind.CREATE, program,
           after=snapshot(program, ["code", "name", "template_code", "established_on"]),
           note=f"テンプレート {template.code}（{template.office}）")
    return program


# --- 職場適応訓練 -----------------------------------------------------------------

def _is_director(actor: Membership) -> bool:
    return actor.can("training.approve")


@transaction.atomic
def training_employer_approve(*, actor: Membership, partner: PartnerOrganisation,
                              approved_on: dt.date, work_offered: str = "") -> TrainingEmployer:
    """所長が訓練実施機関として認める."""
    if not _is_director(actor):
        raise Forbidden("訓練実施機関の承認は所長（課長・所長の権限）が行います。")
    _same_office(actor, partner)
    if partner.kind != PartnerOrganisation.Kind.EMPLOYER:
        raise ValidationFailed("訓練実施機関にできるのは「事業所（雇用主）」として登録された関係機関だけです。",
                               field="partner")
    employer, created = TrainingEmployer.objects.get_or_create(
        partner=partner, defaults={"office": actor.office, "approved_on": approved_on,
                                   "approved_by": actor.user, "work_offered": work_offered})
    if not created:
        if employer.is_approved and employer.withdrawn_on is None:
            raise ValidationFailed(f"{partner.name}は既に訓練実施機関として承認されています。",
                                   field="partner")
        employer.is_approved, employer.withdrawn_on = True, None
        employer.approved_on, employer.approved_by = approved_on, actor.user
        employer.work_offered = work_offered or employer.work_offered
        employer.save(update_fields=["is_approved", "withdrawn_on", "approved_on", "approved_by",
                                     "work_offered"])
    _audit(actor, "training_employer.approve", AuditEvent.Kind.CREATE, employer,
           after=snapshot(employer, ["partner_id", "approved_on", "work_offered"]))
    return employer


@transaction.atomic
def training_placement_start(*, actor: Membership, enrollment: Enrollment,
                             employer: TrainingEmployer, visited_on: dt.date, starts_on: dt.date,
                             duties: str = "") -> TrainingPlacement:
    _require(actor, "enrollment.manage")
    _same_office(actor, enrollment, employer)
    if not employer.is_approved or employer.withdrawn_on is not None:
        raise ValidationFailed(f"{employer.partner.name}は所長が認めた訓練実施機関ではありません。",
                               field="employer")
    if enrollment.status not in (Enrollment.Status.SELECTED, Enrollment.Status.ACTIVE):
        raise IllegalTransition("訓練を始められるのは選定済みまたは参加中の人だけです。")
    if visited_on > starts_on:
        raise ValidationFailed("仕事場の見学は訓練開始日より前に行ってください。", field="visited_on")
    if TrainingPlacement.objects.filter(enrollment=enrollment,
                                        status=TrainingPlacement.Status.ACTIVE).exists():
        raise IllegalTransition("この人は既に訓練中です。前の訓練を終了してから始めてください。")
    months = enrollment.program.standard_length_months or 6
    placement = TrainingPlacement.objects.create(
        office=actor.office, enrollment=enrollment, employer=employer, visited_on=visited_on,
        starts_on=starts_on, ends_on=add_months(starts_on, months) - dt.timedelta(days=1),
        duties=duties, created_by=actor.user)
    _audit(actor, "training_placement.start", AuditEvent.Kind.CREATE, placement,
           person=enrollment.person,
           after=snapshot(placement, ["employer_id", "visited_on", "starts_on", "ends_on"]))
    return placement


def training_latest_end(placement: TrainingPlacement) -> dt.date:
    """The last day a placement may run: the program's maximum (伊丹: 1 year) from its start."""
    months = placement.enrollment.program.max_length_months or 12
    return add_months(placement.starts_on, months) - dt.timedelta(days=1)


@transaction.atomic
def training_placement_extend(*, actor: Membership, placement: TrainingPlacement,
                              until: dt.date, approved_on: dt.date,
                              expected_version: int) -> TrainingPlacement:
    """Extend beyond the standard period: only the director, and never past the maximum."""
    if not _is_director(actor):
        raise Forbidden("訓練期間の延長は所長の承認が必要です。所長（課長・所長の権限）が操作してください。")
    _same_office(actor, placement)
    if placement.status != TrainingPlacement.Status.ACTIVE:
        raise IllegalTransition("終了した訓練は延長できません。")
    latest = training_latest_end(placement)
    if until <= placement.ends_on:
        raise ValidationFailed("延長後の終了日は現在の終了予定日より後にしてください。", field="until")
    if until > latest:
        raise ValidationFailed(
            f"訓練期間は最長{placement.enrollment.program.max_length_months or 12}か月"
            f"（{format_wareki(latest)}まで）です。それより後には延長できません。", field="until")
    before = snapshot(placement, ["ends_on", "extended_by_id", "extended_on"])
    placement.ends_on, placement.extended_by, placement.extended_on = until, actor.user, approved_on
    save_versioned(placement, expected_version, ["ends_on", "extended_by", "extended_on"])
    _audit(actor, "training_placement.extend", AuditEvent.Kind.TRANSITION, placement,
           person=placement.enrollment.person, before=before,
           after=snapshot(placement, ["ends_on", "extended_by_id", "extended_on"]))
    return placement


@transaction.atomic
def training_day_record(*, actor: Membership, placement: TrainingPlacement, day: dt.date,
                        hours: Decimal | float | str, note: str = "") -> TrainingDay:
    """Record a day of training. Refuses more than 4 hours a day or 20 days a month."""
    _require(actor, "record.write")
    _same_office(actor, placement)
    hours = Decimal(str(hours))
    placement = TrainingPlacement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != TrainingPlacement.Status.ACTIVE:
        raise IllegalTransition("終了した訓練には出席を記録できません。")
    if not placement.starts_on <= day <= placement.ends_on:
        raise ValidationFailed(
            f"{format_wareki(day)}は訓練期間（{format_wareki(placement.starts_on)}〜"
            f"{format_wareki(placement.ends_on)}）の外です。", field="day")
    if hours <= 0:
        raise ValidationFailed("訓練時間を入力してください。", field="hours")
    if hours > MAX_HOURS_PER_DAY:
        raise ValidationFailed(
            f"訓練時間は1日4時間以内です（入力: {hours.normalize()}時間）。4時間以内で記録してください。",
            code="training_day_over_4_hours", field="hours")
    if TrainingDay.objects.filter(placement=placement, day=day).exists():
        raise ValidationFailed(f"{format_wareki(day)}の訓練は既に記録されています。", field="day")
    month_start = day.replace(day=1)
    days_in_month = TrainingDay.objects.filter(
        placement=placement, day__gte=month_start, day__lt=add_months(month_start, 1)).count()
    if days_in_month >= MAX_DAYS_PER_MONTH:
        raise ValidationFailed(
            f"訓練は1か月20日までです。{day.year}年{day.month}月は既に{days_in_month}日記録されています。",
            code="training_month_over_20_days", field="day")
    row = TrainingDay.objects.create(placement=placement, day=day, hours=hours, note=note,
                                     recorded_by=actor.user)
    _audit(actor, "training_day.record", AuditEvent.Kind.CREATE, placement,
           person=placement.enrollment.person, after={"day": day, "hours": hours})
    return row


@transaction.atomic
def training_month_status(*, actor: Membership, placement: TrainingPlacement, month: dt.date,
                          assessment: str, decision: str) -> TrainingMonthlyStatus:
    _require(actor, "record.write")
    _same_office(actor, placement)
    if not assessment.strip():
        raise ValidationFailed("状況を入力してください。", field="assessment")
    if decision not in TrainingMonthlyStatus.Decision.values:
        raise ValidationFailed("期間等の判断を選んでください。", field="decision")
    month = month.replace(day=1)
    row, _ = TrainingMonthlyStatus.objects.update_or_create(
        placement=placement, month=month,
        defaults={"assessment": assessment, "decision": decision, "recorded_by": actor.user})
    _audit(actor, "training_month.status", AuditEvent.Kind.UPDATE, placement,
           person=placement.enrollment.person,
           after={"month": month, "decision": decision})
    return row


@transaction.atomic
def training_placement_end(*, actor: Membership, placement: TrainingPlacement, ended_on: dt.date,
                           follow_up: str, follow_up_note: str = "",
                           expected_version: int) -> TrainingPlacement:
    """End the training and record what follows it (訓練終了後の処遇)."""
    _require(actor, "enrollment.manage")
    _same_office(actor, placement)
    if placement.status != TrainingPlacement.Status.ACTIVE:
        raise IllegalTransition("この訓練は既に終了しています。")
    if follow_up not in TrainingPlacement.FollowUp.values:
        raise ValidationFailed("訓練終了後の処遇を選んでください。", field="follow_up")
    if ended_on < placement.starts_on:
        raise ValidationFailed("終了日は開始日以降にしてください。", field="ended_on")
    before = snapshot(placement, ["status", "ended_on", "follow_up"])
    placement.status, placement.ended_on = TrainingPlacement.Status.ENDED, ended_on
    placement.follow_up, placement.follow_up_note = follow_up, follow_up_note
    save_versioned(placement, expected_version,
                   ["status", "ended_on", "follow_up", "follow_up_note"])
    _audit(actor, "training_placement.end", AuditEvent.Kind.TRANSITION, placement,
           person=placement.enrollment.person, before=before,
           after=snapshot(placement, ["status", "ended_on", "follow_up"]))
    return placement


# --- group sessions -----------------------------------------------------------

@transaction.atomic
def series_create(*, actor: Membership, program: Program, kind: str, title: str,
                  starts_on: dt.date, venue: str = "", lecturer: str = "", schedule: str = "",
                  budget_yen: int | None = None, host: PartnerOrganisation | None = None,
                  ends_on: dt.date | None = None,
                  districts: list[str] | None = None) -> SessionSeries:
    _require(actor, "enrollment.manage")
    _same_office(actor, program, host)
    districts = _clean_districts(districts)
    if kind not in SessionSeries.Kind.values:
        raise ValidationFailed("種類を選んでください。", field="kind")
    if not title.strip():
        raise ValidationFailed("名称を入力してください。", field="title")
    if ends_on and ends_on < starts_on:
        raise ValidationFailed("終了日は開始日以降にしてください。", field="ends_on")
    series = SessionSeries.objects.create(
        office=actor.office, program=program, kind=kind, title=title.strip(), venue=venue,
        lecturer=lecturer, schedule=schedule, starts_on=starts_on, ends_on=ends_on,
        budget_yen=(program.budget_yen or 0) if budget_yen is None else budget_yen, host=host,
        districts=districts, created_by=actor.user)
    _audit(actor, "session_series.create", AuditEvent.Kind.CREATE, series,
           after=snapshot(series, ["title", "kind", "venue", "budget_yen", "starts_on",
                                   "districts"]))
    return series


def _clean_districts(districts: list[str] | None) -> list[str]:
    out = list(dict.fromkeys(d.strip() for d in districts or [] if d and d.strip()))
    if any(len(d) > 50 for d in out):
        raise ValidationFailed("地区名は50文字以内で入力してください。", field="districts")
    return out


@transaction.atomic
def series_set_districts(*, actor: Membership, series: SessionSeries,
                         districts: list[str]) -> SessionSeries:
    """Change where the series recruits (募集地域; empty: wherever the program's rule reaches)."""
    _require(actor, "enrollment.manage")
    _same_office(actor, series)
    before = snapshot(series, ["districts"])
    series.districts = _clean_districts(districts)
    save_versioned(series, series.version, ["districts"])
    _audit(actor, "session_series.districts", AuditEvent.Kind.UPDATE, series, before=before,
           after=snapshot(series, ["districts"]))
    return series


@transaction.atomic
def volunteer_add(*, actor: Membership, series: SessionSeries, name: str, kind: str,
                  affiliation: str = "") -> Volunteer:
    _require(actor, "enrollment.manage")
    _same_office(actor, series)
    if not name.strip():
        raise ValidationFailed("氏名を入力してください。", field="name")
    if kind not in Volunteer.Kind.values:
        raise ValidationFailed("区分を選んでください。", field="kind")
    v = Volunteer.objects.create(series=series, name=name.strip(), kind=kind,
                                 affiliation=affiliation)
    _audit(actor, "volunteer.add", AuditEvent.Kind.CREATE, series,
           after={"volunteer": v.name, "kind": kind, "affiliation": affiliation})
    return v


@transaction.atomic
def recruitment_invite(*, actor: Membership, series: SessionSeries, people: list[Person],
                       invited_on: dt.date) -> list[Recruitment]:
    """案内: invite people the program's rules select on ``invited_on`` and who have not
    been invited to the series yet (the list the screen and ``eligible-people`` offer).
    Anyone else refuses the whole invitation: ``422 not_eligible`` naming ``people``."""
    _require(actor, "enrollment.manage")
    _same_office(actor, series, *people)
    people = list({p.pk: p for p in people}.values())
    eligible = set(series_eligible(series, invited_on).filter(
        pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    refused = [p for p in people if p.pk not in eligible]
    if refused:
        raise ValidationFailed(
            "案内できるのは、プログラムの対象条件に合い、まだ案内していない人だけです。",
            code="not_eligible", field="people",
            details=[{"person_id": p.pk, "message": f"{p.name}さんは案内できません。"}
                     for p in refused])
    new = [Recruitment(series=series, person=p, invited_on=invited_on) for p in people]
    Recruitment.objects.bulk_create(new)
    _audit(actor, "recruitment.invite", AuditEvent.Kind.CREATE, series,
           after={"invited": len(new), "invited_on": invited_on})
    return new


@transaction.atomic
def recruitment_answer(*, actor: Membership, recruitment: Recruitment, status: str) -> Recruitment:
    """Record the answer; a joiner is linked to their open enrolment in the series' program."""
    _require(actor, "enrollment.manage")
    _same_office(actor, recruitment.series)
    if status not in Recruitment.Status.values:
        raise ValidationFailed("回答を選んでください。", field="status")
    before = snapshot(recruitment, ["status"])
    recruitment.status = status
    if status == Recruitment.Status.JOINED:
        recruitment.enrollment = Enrollment.objects.filter(
            person=recruitment.person, program=recruitment.series.program,
            status__in=Enrollment.OPEN_STATUSES).first()
    recruitment.save(update_fields=["status", "enrollment"])
    _audit(actor, "recruitment.answer", AuditEvent.Kind.UPDATE, recruitment.series,
           person=recruitment.person, before=before, after=snapshot(recruitment, ["status"]))
    return recruitment


@transaction.atomic
def session_hold(*, actor: Membership, series: SessionSeries, held_on: dt.date,
                 venue: str = "", lecturer: str = "", topic: str = "",
                 volunteers: list[Volunteer] | None = None,
                 present: list[Person] | None = None,
                 absent: list[Person] | None = None) -> GroupSession:
    """Record a session that took place, with who helped and who attended."""
    _require(actor, "record.write")
    _same_office(actor, series, *(present or []), *(absent or []))
    if held_on < series.starts_on:
        raise ValidationFailed("開催日がシリーズの開始日より前です。", field="held_on")
    venue = venue or series.venue
    if not venue:
        raise ValidationFailed("会場を入力してください。", field="venue")
    session = GroupSession.objects.create(series=series, held_on=held_on, venue=venue,
                                          lecturer=lecturer or series.lecturer, topic=topic)
    if volunteers:
        if any(v.series_id != series.pk for v in volunteers):
            raise ValidationFailed("このシリーズの協力者ではない人が含まれています。", field="volunteers")
        session.volunteers.set(volunteers)
    rows = [SessionAttendance(session=session, person=p, present=True) for p in present or []]
    rows += [SessionAttendance(session=session, person=p, present=False) for p in absent or []]
    SessionAttendance.objects.bulk_create(rows)
    _audit(actor, "group_session.hold", AuditEvent.Kind.CREATE, series,
           after={"held_on": held_on, "present": len(present or []),
                  "volunteers": len(volunteers or [])})
    return session


@transaction.atomic
def session_record(*, actor: Membership, series: SessionSeries, held_on: dt.date,
                   venue: str = "", lecturer: str = "", topic: str = "",
                   volunteers: list[Volunteer] | None = None,
                   present: list[Person] | None = None) -> GroupSession:
    """Record a session with its roll call: ``present`` must be on the series' roll (joined
    recruits and people enrolled in the program); everyone else on the roll is absent."""
    _require(actor, "record.write")
    _same_office(actor, series)
    present = list(present or [])
    roll = series_people(series)
    on_roll = set(roll.values_list("pk", flat=True))
    if any(p.pk not in on_roll for p in present):
        raise ValidationFailed("出席者には、このシリーズの参加者（参加と回答した人・プログラムの参加者）だけを選んでください。",
                               code="not_on_roll", field="present")
    absent = list(roll.exclude(pk__in=[p.pk for p in present]))
    return session_hold(actor=actor, series=series, held_on=held_on, venue=venue,
                        lecturer=lecturer, topic=topic, volunteers=volunteers, present=present,
                        absent=absent)


def series_spent(series: SessionSeries) -> int:
    return int(SeriesExpense.objects.filter(series=series).aggregate(s=Sum("amount_yen"))["s"] or 0)


@transaction.atomic
def expense_record(*, actor: Membership, series: SessionSeries, spent_on: dt.date, item: str,
                   amount_yen: int) -> SeriesExpense:
    """Charge an expense to the series. Refused when it would exceed the budget."""
    _require(actor, "enrollment.manage")
    _same_office(actor, series)
    series = SessionSeries.objects.select_for_update().get(pk=series.pk)
    if amount_yen <= 0:
        raise ValidationFailed("金額を入力してください。", field="amount_yen")
    if not item.strip():
        raise ValidationFailed("費目を入力してください。", field="item")
    spent = series_spent(series)
    remaining = series.budget_yen - spent
    if amount_yen > remaining:
        raise ValidationFailed(
            f"予算を超えるため記録できません。予算{series.budget_yen:,}円のうち支出済み{spent:,}円、"
            f"残り{max(remaining, 0):,}円です（今回{amount_yen:,}円）。",
            code="over_budget", field="amount_yen")
    row = SeriesExpense.objects.create(series=series, spent_on=spent_on, item=item.strip(),
                                       amount_yen=amount_yen, recorded_by=actor.user)
    _audit(actor, "series_expense.record", AuditEvent.Kind.CREATE, series,
           after={"item": row.item, "amount_yen": amount_yen, "spent_on": spent_on})
    return row


# --- Hello Work referral ------------------------------------------------------

HW_STEPS: dict[str, tuple[str, ...]] = {
    # step → statuses it may follow
    "form_a": (HelloWorkReferral.Status.CONSENTED,),
    "request": (HelloWorkReferral.Status.CONSENTED,),
    "interview": (HelloWorkReferral.Status.REQUESTED,),
    "supporting": (HelloWorkReferral.Status.INTERVIEWED,),
    "employed": (HelloWorkReferral.Status.INTERVIEWED, HelloWorkReferral.Status.SUPPORTING),
    "ended": (HelloWorkReferral.Status.CONSENTED, HelloWorkReferral.Status.REQUESTED,
              HelloWorkReferral.Status.INTERVIEWED, HelloWorkReferral.Status.SUPPORTING),
}


PARTNER_STEPS = ("supporting", "employed", "ended")


@dataclass(frozen=True)
class InterviewAttendee:
    """One attendee of the interview at Hello Work as asked for: a membership of the office (a
    member of staff, or a partner's contact on file) or a partner organisation on file whose
    attendee has no account, in one of the seed's seats."""

    membership: Membership | None = None
    partner: PartnerOrganisation | None = None
    seat: str = HelloWorkInterviewAttendee.Seat.OTHER


def _interview_attendees(referral: HelloWorkReferral,
                         attendees: Sequence[InterviewAttendee]) -> list[InterviewAttendee]:
    """The attendees, each on file in the referral's office, in a seat they can fill, with
    someone of the office's staff and someone of the Hello Work the referral went to among
    them (「本人、担当CW、査察…、安定所担当コーディネーター…にて協議し」)."""
    Seat = HelloWorkInterviewAttendee.Seat
    unique: dict[tuple[int | None, int | None, str], InterviewAttendee] = {}
    for a in attendees:
        if (a.membership is None) == (a.partner is None):
            raise ValidationFailed("出席者は職員・関係機関の担当者か、関係機関を一つずつ選んでください。",
                                   code="hw.attendee_not_on_file", field="attendees")
        if a.membership is not None and (a.membership.office_id != referral.office_id
                                         or not a.membership.is_active):
            raise ValidationFailed(
                "出席者には、この事務所に登録された職員・関係機関の担当者を選んでください。",
                code="hw.attendee_not_on_file", field="attendees",
                details=[{"membership_id": a.membership.pk}])
        if a.partner is not None and (a.partner.office_id != referral.office_id
                                      or not a.partner.is_active):
            raise ValidationFailed("出席者には、この事務所に登録された関係機関を選んでください。",
                                   code="hw.attendee_not_on_file", field="attendees",
                                   details=[{"partner_id": a.partner.pk}])
        if a.seat not in Seat.values:
            raise ValidationFailed("出席者の立場を選んでください。", field="attendees")
        organisation = a.partner or (a.membership.partner if a.membership else None)
        if a.seat in HelloWorkInterviewAttendee.STAFF_SEATS and organisation is not None:
            raise ValidationFailed(f"「{Seat(a.seat).label}」には事務所の職員を選んでください。",
                                   code="hw.attendee_seat", field="attendees")
        if (a.seat in HelloWorkInterviewAttendee.HELLO_WORK_SEATS
                and (organisation is None or organisation.pk != referral.hello_work_id)):
            raise ValidationFailed(
                f"「{Seat(a.seat).label}」には{referral.hello_work}の担当者（または{referral.hello_work}）を選んでください。",
                code="hw.attendee_seat", field="attendees")
        key = (a.membership.pk if a.membership else None, a.partner.pk if a.partner else None,
               a.seat)
        unique.setdefault(key, a)
    chosen = list(unique.values())
    missing = []
    if not any(a.membership is not None and a.membership.partner_id is None for a in chosen):
        missing.append("事務所の職員（担当CW など）")
    if not any((a.partner or (a.membership.partner if a.membership else None)) == referral.hello_work
               for a in chosen):
        missing.append(f"{referral.hello_work}の担当者")
    if missing:
        raise ValidationFailed(
            f"面接相談の出席者に{'と'.join(missing)}を選んでください（ハローワークで本人・担当CW・"
            "コーディネーターが協議して支援メニューを決めます）。",
            code="hw.attendees_missing", field="attendees")
    return chosen


def _attendee_names(referral: HelloWorkReferral) -> list[str]:
    return [f"{a.get_seat_display()}: {a.name}" for a in
            referral.attendees.select_related("membership__user", "membership__partner",
                                              "partner")]


def _set_attendees(referral: HelloWorkReferral, attendees: list[InterviewAttendee]) -> None:
    referral.attendees.all().delete()
    HelloWorkInterviewAttendee.objects.bulk_create([
        HelloWorkInterviewAttendee(referral=referral, membership=a.membership, partner=a.partner,
                                   seat=a.seat) for a in attendees])


@transaction.atomic
def hw_referral_start(*, actor: Membership, enrollment: Enrollment,
                      hello_work: PartnerOrganisation, consented_on: dt.date,
                      consent: Any = None) -> HelloWorkReferral:
    """① 当該事業の説明をし同意を得る."""
    _require(actor, "enrollment.manage")
    _same_office(actor, enrollment, hello_work, consent)
    if hello_work.kind != PartnerOrganisation.Kind.HELLO_WORK:
        raise ValidationFailed("紹介先はハローワークを選んでください。", field="hello_work")
    if enrollment.status == Enrollment.Status.ENDED:
        raise IllegalTransition("終了した参加には支援要請できません。")
    if work_capacity.is_routed(enrollment.program):
        decision = work_capacity.current_decision(enrollment)
        if decision is None or decision.route != WorkRouteDecision.Route.HELLO_WORK:
            now = decision.get_route_display() if decision else "未決定"
            raise IllegalTransition(
                "生活保護受給者等就労支援事業への支援要請は、初回面接の結果による振り分けで"
                f"「生活保護受給者等就労支援事業」と決めた参加について行います（現在の振り分け：{now}）。",
                code="work_route.not_hello_work", field="enrollment")
    if HelloWorkReferral.objects.filter(enrollment=enrollment).exclude(
            status__in=[HelloWorkReferral.Status.EMPLOYED, HelloWorkReferral.Status.ENDED]).exists():
        raise IllegalTransition("この人には進行中のハローワークへの支援要請があります。")
    ref = HelloWorkReferral.objects.create(
        office=actor.office, enrollment=enrollment, hello_work=hello_work, consent=consent,
        consented_on=consented_on, created_by=actor.user)
    _audit(actor, "hw_referral.start", AuditEvent.Kind.CREATE, ref, person=enrollment.person,
           after=snapshot(ref, ["hello_work_id", "consented_on", "status"]))
    return ref


@transaction.atomic
def hw_referral_advance(*, actor: Membership, referral: HelloWorkReferral, step: str,
                        on: dt.date, expected_version: int, menu: str = "",
                        attendees: Sequence[InterviewAttendee] = (),
                        person_present: bool = False, note: str = "") -> HelloWorkReferral:
    """Move a referral along: 個人票A, 支援要請書, 面接相談 (menu chosen, who attended: staff
    and partners on file), 支援中, result.

    The Hello Work the referral went to may itself report 支援中 / 就職 / 支援終了."""
    _same_office(actor, referral)
    if referral.version != expected_version:
        raise StaleEdit()
    if actor.is_partner:
        if not visible_referrals(actor).filter(pk=referral.pk).exists():
            raise NotFound()  # not its referral, or the person withdrew consent
        if step not in PARTNER_STEPS:
            raise Forbidden()
    else:
        _require(actor, "enrollment.manage")
    S = HelloWorkReferral.Status
    if step not in HW_STEPS:
        raise ValidationFailed("手続きを選んでください。", field="step")
    if step == "form_a":
        if referral.form_a_on:
            raise IllegalTransition("個人票Aは既に提出されています。")
    elif referral.status not in HW_STEPS[step]:
        raise IllegalTransition(
            f"「{referral.get_status_display()}」の段階ではこの手続きはできません。")
    fields: list[str] = []
    before = snapshot(referral, ["status", "menu", "form_a_on", "request_sent_on",
                                 "interview_on", "result_on"])
    if step == "form_a":
        referral.form_a_on = on
        fields = ["form_a_on"]
    elif step == "request":
        if not referral.form_a_on:
            raise ValidationFailed("支援要請書の前に個人票Aを提出してもらってください。", field="step")
        referral.request_sent_on, referral.status = on, S.REQUESTED
        fields = ["request_sent_on", "status"]
    elif step == "interview":
        if menu not in HelloWorkReferral.Menu.values:
            raise ValidationFailed("面接相談で決めた支援メニューを5つの中から選んでください。", field="menu")
        chosen = _interview_attendees(referral, attendees)
        referral.interview_on, referral.menu, referral.status = on, menu, S.INTERVIEWED
        referral.interview_person_present = person_present
        _set_attendees(referral, chosen)
        fields = ["interview_on", "menu", "status", "interview_person_present"]
    elif step == "supporting":
        referral.status = S.SUPPORTING
        fields = ["status"]
    else:
        referral.status = S.EMPLOYED if step == "employed" else S.ENDED
        referral.result_on, referral.result_note = on, note
        fields = ["status", "result_on", "result_note"]
    save_versioned(referral, expected_version, fields)
    after = snapshot(referral, ["status", "menu", "form_a_on", "request_sent_on",
                                "interview_on", "result_on"])
    if step == "interview":
        after |= {"interview_person_present": person_present,
                  "attendees": _attendee_names(referral)}
    _audit(actor, f"hw_referral.{step}", AuditEvent.Kind.TRANSITION, referral,
           person=referral.enrollment.person, before=before, after=after)
    return referral


@transaction.atomic
def hw_referral_set_attendees(*, actor: Membership, referral: HelloWorkReferral,
                              attendees: Sequence[InterviewAttendee], person_present: bool,
                              expected_version: int) -> HelloWorkReferral:
    """Correct who attended the interview (the screen and the API send the whole list). The
    text recorded before attendees were chosen from those on file stays as it was."""
    _require(actor, "enrollment.manage")
    _same_office(actor, referral)
    if referral.interview_on is None:
        raise IllegalTransition("面接相談がまだ記録されていません。出席者は面接相談の記録と一緒に入力してください。",
                                code="hw.no_interview", field="attendees")
    chosen = _interview_attendees(referral, attendees)
    before = {"interview_person_present": referral.interview_person_present,
              "attendees": _attendee_names(referral)}
    referral.interview_person_present = person_present
    save_versioned(referral, expected_version, ["interview_person_present"])
    _set_attendees(referral, chosen)
    _audit(actor, "hw_referral.attendance", AuditEvent.Kind.UPDATE, referral,
           person=referral.enrollment.person, before=before,
           after={"interview_person_present": person_present,
                  "attendees": _attendee_names(referral)})
    return referral


# --- 福井: health tracks ------------------------------------------------------

TRACK_FIELDS: dict[str, tuple[str, ...]] = {
    HealthTrack.Track.CHRONIC: ("clinic_attendance", "medication", "doctor_instructions"),
    HealthTrack.Track.WITHDRAWN: ("withdrawal_reason", "referral", "referral_place"),
    HealthTrack.Track.NUTRITION: ("preference_survey", "menu_examples", "low_cost_food_info"),
    HealthTrack.Track.DEMENTIA: ("can_live_at_home", "care_certification_applied_on",
                                 "facility_option"),
}
COMMON_TRACK_FIELDS = ("living_environment", "health_state", "mental_state")


def _check_track_data(track: str, data: dict[str, Any]) -> None:
    allowed = set(TRACK_FIELDS[track]) | set(COMMON_TRACK_FIELDS)
    wrong = [k for k, v in data.items() if k not in allowed and v not in (None, "")]
    if wrong:
        label = HealthTrack.Track(track).label
        labels = {f.name: str(f.verbose_name) for f in HealthTrack._meta.fields}
        names = "、".join(labels[k] for k in wrong if k in labels)
        raise ValidationFailed(f"「{label}」の記録には使わない項目です: {names or ', '.join(wrong)}",
                               field=wrong[0])
    if track == HealthTrack.Track.WITHDRAWN:
        if data.get("withdrawal_reason") not in (None, "", *HealthTrack.WithdrawalReason.values):
            raise ValidationFailed("閉じこもりの理由は「精神的なもの」か「体力的なもの」を選んでください。",
                                   field="withdrawal_reason")
        if data.get("referral") not in (None, "", *HealthTrack.Referral.values):
            raise ValidationFailed("通所の働きかけ先を選んでください。", field="referral")


@transaction.atomic
def health_track_open(*, actor: Membership, enrollment: Enrollment, track: str,
                      started_on: dt.date, data: dict[str, Any] | None = None) -> HealthTrack:
    _require(actor, "plan.write")
    _same_office(actor, enrollment)
    if track not in HealthTrack.Track.values:
        raise ValidationFailed("支援対象を選んでください。", field="track")
    data = dict(data or {})
    _check_track_data(track, data)
    if HealthTrack.objects.filter(enrollment=enrollment, track=track).exists():
        raise ValidationFailed(f"「{HealthTrack.Track(track).label}」の記録は既にあります。",
                               field="track")
    row = HealthTrack.objects.create(office=actor.office, enrollment=enrollment, track=track,
                                     started_on=started_on, created_by=actor.user,
                                     **{k: v for k, v in data.items() if v is not None})
    _audit(actor, "health_track.open", AuditEvent.Kind.CREATE, row, person=enrollment.person,
           after=snapshot(row, ["track", "started_on", *data]))
    return row


@transaction.atomic
def health_track_open_for_person(*, actor: Membership, person: Person, track: str,
                                 started_on: dt.date,
                                 data: dict[str, Any] | None = None) -> HealthTrack:
    """The support page's form: the track belongs to the person's first open episode."""
    _require(actor, "plan.write")
    _same_office(actor, person)
    enrollment = open_enrollments(person).first()
    if enrollment is None:
        raise IllegalTransition("参加中のプログラムがないため記録できません。",
                                code="no_open_enrollment")
    return health_track_open(actor=actor, enrollment=enrollment, track=track,
                             started_on=started_on, data=data)


@transaction.atomic
def health_track_update(*, actor: Membership, track: HealthTrack, expected_version: int,
                        data: dict[str, Any]) -> HealthTrack:
    _require(actor, "plan.write")
    _same_office(actor, track)
    _check_track_data(track.track, data)
    fields = list(data)
    before = snapshot(track, fields)
    for k, v in data.items():
        setattr(track, k, v)
    save_versioned(track, expected_version, fields)
    _audit(actor, "health_track.update", AuditEvent.Kind.UPDATE, track,
           person=track.enrollment.person, before=before, after=snapshot(track, fields))
    return track


# --- 尼崎: family and receiving places -----------------------------------------

@transaction.atomic
def family_contact_add(*, actor: Membership, person: Person, name: str, relationship: str,
                       is_support_obligor: bool = True, phone: str = "",
                       address: str = "") -> FamilyContact:
    _require(actor, "person.edit")
    _same_office(actor, person)
    if not name.strip() or not relationship.strip():
        raise ValidationFailed("氏名と続柄を入力してください。", field="name")
    c = FamilyContact.objects.create(office=actor.office, person=person, name=name.strip(),
                                     relationship=relationship.strip(),
                                     is_support_obligor=is_support_obligor, phone=phone,
                                     address=address, created_by=actor.user)
    _audit(actor, "family_contact.add", AuditEvent.Kind.CREATE, c, person=person,
           after=snapshot(c, ["name", "relationship", "is_support_obligor", "phone", "address"]))
    return c


@transaction.atomic
def family_request_record(*, actor: Membership, contact: FamilyContact, ask: str,
                          asked_on: dt.date, enrollment: Enrollment | None = None,
                          note: str = "") -> FamilyRequest:
    _require(actor, "record.write")
    _same_office(actor, contact, enrollment)
    if ask not in FamilyRequest.Ask.values:
        raise ValidationFailed("依頼内容を選んでください。", field="ask")
    r = FamilyRequest.objects.create(contact=contact, enrollment=enrollment, ask=ask,
                                     asked_on=asked_on, note=note, recorded_by=actor.user)
    _audit(actor, "family_request.record", AuditEvent.Kind.CREATE, contact,
           person=contact.person, after={"ask": ask, "asked_on": asked_on})
    return r


@transaction.atomic
def family_request_answer(*, actor: Membership, request: FamilyRequest, answer: str,
                          answered_on: dt.date, note: str = "") -> FamilyRequest:
    _require(actor, "record.write")
    _same_office(actor, request.contact)
    if answer not in FamilyRequest.Answer.values or answer == FamilyRequest.Answer.PENDING:
        raise ValidationFailed("回答を選んでください。", field="answer")
    if answered_on < request.asked_on:
        raise ValidationFailed("回答日は依頼日以降にしてください。", field="answered_on")
    before = snapshot(request, ["answer", "answered_on"])
    request.answer, request.answered_on = answer, answered_on
    if note:
        request.note = f"{request.note}\n{note}".strip()
    request.save(update_fields=["answer", "answered_on", "note"])
    _audit(actor, "family_request.answer", AuditEvent.Kind.UPDATE, request.contact,
           person=request.contact.person, before=before,
           after=snapshot(request, ["answer", "answered_on"]))
    return request


RECEIVING_KINDS = (PartnerOrganisation.Kind.RELIEF_FACILITY, PartnerOrganisation.Kind.GROUP_HOME,
                   PartnerOrganisation.Kind.FACILITY)


@transaction.atomic
def receiving_request_make(*, actor: Membership, enrollment: Enrollment,
                           facility: PartnerOrganisation, requested_on: dt.date,
                           note: str = "") -> ReceivingRequest:
    _require(actor, "enrollment.manage")
    _same_office(actor, enrollment, facility)
    if facility.kind not in RECEIVING_KINDS:
        raise ValidationFailed("受入先には救護施設・グループホーム・施設を選んでください。", field="facility")
    if ReceivingRequest.objects.filter(enrollment=enrollment, facility=facility,
                                       status=ReceivingRequest.Status.REQUESTED).exists():
        raise ValidationFailed(f"{facility.name}には既に依頼中です。", field="facility")
    r = ReceivingRequest.objects.create(office=actor.office, enrollment=enrollment,
                                        facility=facility, requested_on=requested_on, note=note,
                                        recorded_by=actor.user)
    _audit(actor, "receiving_request.make", AuditEvent.Kind.CREATE, r, person=enrollment.person,
           after=snapshot(r, ["facility_id", "requested_on"]))
    return r


@transaction.atomic
def receiving_request_answer(*, actor: Membership, request: ReceivingRequest, status: str,
                             answered_on: dt.date, note: str = "") -> ReceivingRequest:
    """Record the facility's answer. Accepting beyond the facility's capacity is refused."""
    _require(actor, "enrollment.manage")
    _same_office(actor, request)
    if status not in ReceivingRequest.Status.values or status == ReceivingRequest.Status.REQUESTED:
        raise ValidationFailed("回答を選んでください。", field="status")
    facility = PartnerOrganisation.objects.select_for_update().get(pk=request.facility_id)
    if status == ReceivingRequest.Status.ACCEPTED and facility.capacity is not None:
        used = selectors.facility_occupied(facility)
        if used >= facility.capacity:
            raise ValidationFailed(
                f"{facility.name}の定員{facility.capacity}人に対し、既に{used}人の受入が決まっています。"
                "「空き待ち」として記録してください。", code="facility_full", field="status")
    before = snapshot(request, ["status", "answered_on"])
    request.status, request.answered_on = status, answered_on
    if note:
        request.note = f"{request.note}\n{note}".strip()
    request.save(update_fields=["status", "answered_on", "note"])
    _audit(actor, "receiving_request.answer", AuditEvent.Kind.UPDATE, request,
           person=request.enrollment.person, before=before,
           after=snapshot(request, ["status", "answered_on"]))
    return request


# --- 加西: volunteer placements ------------------------------------------------

@transaction.atomic
def volunteer_placement_start(*, actor: Membership, enrollment: Enrollment,
                              host: PartnerOrganisation, activity: str,
                              started_on: dt.date) -> VolunteerPlacement:
    _require(actor, "enrollment.manage")
    _same_office(actor, enrollment, host)
    if enrollment.status == Enrollment.Status.ENDED:
        raise IllegalTransition("終了した参加にはボランティア活動を斡旋できません。")
    if not activity.strip():
        raise ValidationFailed("活動内容を入力してください。", field="activity")
    vp = VolunteerPlacement.objects.create(office=actor.office, enrollment=enrollment, host=host,
                                           activity=activity.strip(), started_on=started_on,
                                           created_by=actor.user)
    _audit(actor, "volunteer_placement.start", AuditEvent.Kind.CREATE, vp,
           person=enrollment.person, after=snapshot(vp, ["host_id", "activity", "started_on"]))
    return vp


# --- people not on assistance, triggers, the yearly cycle ------------------------

@transaction.atomic
def person_register_non_recipient(*, actor: Membership, program: Program,
                                  data: dict[str, Any]) -> Person:
    """Register someone who is not on assistance (大津: 一人親世帯の中学3年生) for a program
    that allows it. The person has no household; the enrolment is created by the caller
    through the enrolment service."""
    _require(actor, "person.edit")
    _same_office(actor, program)
    if not program.allows_non_recipients:
        raise ValidationFailed(f"「{program.name}」は被保護者以外を対象にしていません。", field="program")
    allowed = {"name", "kana", "birth_date", "sex", "school_name", "school_grade", "phone",
               "note", "single_parent"}
    extra = set(data) - allowed
    if extra:
        raise ValidationFailed(f"登録できない項目です: {', '.join(sorted(extra))}")
    for f, label in (("name", "氏名"), ("kana", "ふりがな"), ("birth_date", "生年月日"),
                     ("sex", "性別")):
        if not data.get(f):
            raise ValidationFailed(f"{label}を入力してください。", field=f)
    person = Person.objects.create(office=actor.office, household=None, member_number=1, **data)
    _audit(actor, "person.register_non_recipient", AuditEvent.Kind.CREATE, person, person=person,
           after=snapshot(person, ["name", "kana", "birth_date", "school_grade",
                                   "single_parent"]),
           note=f"被保護者以外として登録（{program.name}）")
    return person


@transaction.atomic
def person_register_and_enrol(*, actor: Membership, program: Program, data: dict[str, Any],
                              on: dt.date) -> Enrollment:
    """Register a non-recipient and make them a candidate of ``program`` in one step."""
    _require(actor, "enrollment.manage")
    person = person_register_non_recipient(actor=actor, program=program, data=data)
    return enrollment_create(actor=actor, person=person, program=program, on=on,
                             note="被保護者以外の参加者として登録")


def _record(actor: Membership, person: Person, on: dt.date, text: str, data: dict[str, Any],
            enrollment: Enrollment | None = None,
            kind: str = ActivityRecord.Kind.OTHER) -> ActivityRecord:
    # A task's record carries its date only: no time of day (「時刻なし」).
    when = dt.datetime.combine(on, dt.time(0), tzinfo=clock.JAPAN)
    return ActivityRecord.objects.create(office=actor.office, person=person,
                                         enrollment=enrollment, occurred_at=when,
                                         time_known=False, kind=kind,
                                         text=text, data=data, author=actor.user)


# Why a person was considered for a program without being offered it now: the text of the
# record, and the mark :func:`selectors._considered_for` reads.
CONSIDERED = {
    "new_case": ("新規開始ケースの就労支援プログラム利用を検討", "new_case_considered"),
    "after_discharge": ("退院して居宅生活に移った方の移行を検討", "after_discharge_considered"),
}


@transaction.atomic
def new_case_mark_considered(*, actor: Membership, program: Program, person: Person,
                             on: dt.date, note: str, reason: str = "new_case") -> ActivityRecord:
    """Record that a person was considered for ``program`` and not offered it now: a newly
    started case (善通寺, e.g. 通院中で受療状況の確認待ち), or someone who moved home after a
    discharge (竹原: 在宅生活支援・就労支援プログラムへの移行を検討). Offering it is an enrolment
    instead."""
    _require(actor, "enrollment.manage")
    _same_office(actor, program, person)
    if reason not in CONSIDERED:
        raise ValidationFailed("検討のきっかけを選んでください。", field="reason")
    if not note.strip():
        raise ValidationFailed("検討の結果（見送る理由）を入力してください。", field="note")
    text, trigger = CONSIDERED[reason]
    if reason != "new_case":
        text = f"{text}（{program.name}）"
    rec = _record(actor, person, on, f"{text}: {note.strip()}",
                  {"trigger": trigger, "program": program.pk})
    _audit(actor, "new_case.considered" if reason == "new_case" else "after_discharge.considered",
           AuditEvent.Kind.CREATE, rec, person=person, after={"program": program.pk, "on": on})
    return rec


CYCLE_TASKS = {
    "condition_survey": "病状調査",
    "doctor_consultation": "嘱託医協議",
    "individual_sheet": "個人票の作成",
}


@transaction.atomic
def cycle_task_record(*, actor: Membership, program: Program, person: Person, task: str,
                      on: dt.date, text: str) -> ActivityRecord:
    """竹原: record a condition survey / doctor consultation / 個人票 for a ledger person."""
    _require(actor, "record.write")
    _same_office(actor, program, person)
    if task not in CYCLE_TASKS:
        raise ValidationFailed("作業の種類を選んでください。", field="task")
    if not text.strip():
        raise ValidationFailed("内容を入力してください。", field="text")
    enrollment = Enrollment.objects.filter(person=person, program=program).order_by("-id").first()
    rec = _record(actor, person, on, f"{CYCLE_TASKS[task]}: {text.strip()}",
                  {"cycle_task": task, "program": program.pk}, enrollment=enrollment,
                  kind=ActivityRecord.Kind.AGENCY_CONTACT)
    _audit(actor, f"cycle.{task}", AuditEvent.Kind.CREATE, rec, person=person,
           after={"program": program.pk, "on": on})
    return rec



# --- staff training (甲州・善通寺) ------------------------------------------------------

_TRAINING_FIELDS = ["kind", "title", "held_on", "venue", "lecturer", "content", "program_id"]


def _clean_training(actor: Membership, data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in ("kind", "title", "held_on", "venue", "lecturer", "content",
                                   "program") if k in data}
    if "kind" in values and values["kind"] not in StaffTraining.Kind.values:
        raise ValidationFailed("種類を選んでください。", field="kind")
    if "title" in values:
        values["title"] = str(values["title"] or "").strip()
        if not values["title"]:
            raise ValidationFailed("名称を入力してください。", field="title")
    if "held_on" in values and values["held_on"] is None:
        raise ValidationFailed("開催日を入力してください。", field="held_on")
    for f in ("venue", "lecturer", "content"):
        if f in values:
            values[f] = str(values[f] or "").strip()
    _same_office(actor, values.get("program"))
    return values


def _training_attendees(actor: Membership, attendees: list[Membership]) -> list[Membership]:
    """The attendees, each an active membership of the actor's office (staff members);
    anyone else refuses the whole list, naming them."""
    attendees = list({m.pk: m for m in attendees}.values())
    wrong = [m for m in attendees if m.office_id != actor.office_id or not m.is_active]
    if wrong:
        raise ValidationFailed("出席者には、この事務所の職員（有効な所属）だけを選んでください。",
                               code="not_staff", field="attendees",
                               details=[{"membership_id": m.pk} for m in wrong])
    return attendees


def _attendance_names(training: StaffTraining) -> list[str]:
    return sorted(str(a.membership.user) for a in
                  training.attendance.select_related("membership__user"))


@transaction.atomic
def staff_training_create(*, actor: Membership, data: dict[str, Any],
                          attendees: list[Membership] | None = None) -> StaffTraining:
    """Record a training or learning meeting for the office's staff, with who attended."""
    _require(actor, "conference.manage")
    values = _clean_training(actor, {"venue": "", "lecturer": "", "content": "", **data})
    for f, label in (("kind", "種類"), ("title", "名称"), ("held_on", "開催日")):
        if f not in values:
            raise ValidationFailed(f"{label}を入力してください。", field=f)
    people = _training_attendees(actor, attendees or [])
    training = StaffTraining.objects.create(office=actor.office, created_by=actor.user, **values)
    StaffTrainingAttendance.objects.bulk_create(
        [StaffTrainingAttendance(training=training, membership=m) for m in people])
    _audit(actor, "staff_training.create", AuditEvent.Kind.CREATE, training,
           after={**snapshot(training, _TRAINING_FIELDS),
                  "attendees": _attendance_names(training)})
    return training


@transaction.atomic
def staff_training_update(*, actor: Membership, training: StaffTraining, expected_version: int,
                          data: dict[str, Any]) -> StaffTraining:
    """Correct what was recorded (name, kind, date, venue, lecturer, content, program)."""
    _require(actor, "conference.manage")
    _same_office(actor, training)
    values = _clean_training(actor, data)
    before = snapshot(training, _TRAINING_FIELDS)
    for k, v in values.items():
        setattr(training, k, v)
    save_versioned(training, expected_version,
                   [("program_id" if k == "program" else k) for k in values])
    _audit(actor, "staff_training.update", AuditEvent.Kind.UPDATE, training, before=before,
           after=snapshot(training, _TRAINING_FIELDS))
    return training


@transaction.atomic
def staff_training_set_attendance(*, actor: Membership, training: StaffTraining,
                                  attendees: list[Membership]) -> StaffTraining:
    """Who attended: replaces the list (the screen and the API send the whole list)."""
    _require(actor, "conference.manage")
    _same_office(actor, training)
    people = _training_attendees(actor, attendees)
    before = _attendance_names(training)
    training.attendance.exclude(membership__in=people).delete()
    have = set(training.attendance.values_list("membership_id", flat=True))
    StaffTrainingAttendance.objects.bulk_create(
        [StaffTrainingAttendance(training=training, membership=m) for m in people
         if m.pk not in have])
    _audit(actor, "staff_training.attendance", AuditEvent.Kind.UPDATE, training,
           before={"attendees": before}, after={"attendees": _attendance_names(training)})
    return training
