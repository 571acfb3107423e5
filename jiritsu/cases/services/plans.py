"""自立計画書 / 支援計画: each revision is a new Plan row; goals carry across versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max

from jiritsu.cases.models import Achievement, Enrollment, Plan, PlanCommitment, PlanGoal
from jiritsu.core.clock import not_after_today
from jiritsu.core.errors import IllegalTransition, StaleEdit, ValidationFailed
from jiritsu.offices.guards import Kind, audit, require, same_office
from jiritsu.offices.models import Membership


def _check_goals(goals: list[dict[str, Any]]) -> None:
    if not goals:
        raise ValidationFailed("目標を1つ以上入力してください。", field="goals")
    for g in goals:
        if not str(g.get("text") or "").strip():
            raise ValidationFailed("目標の内容を入力してください。", field="goals")


@transaction.atomic
def plan_create(*, actor: Membership, enrollment: Enrollment, goals: list[dict[str, Any]],
                commitments: list[dict[str, Any]] | None = None,
                agreed_on: dt.date | None = None, policy: str = "",
                target_start_on: dt.date | None = None,
                based_on_number: int | None = None) -> Plan:
    """A new plan version. ``goals``: [{"text", "target_on", "carried_from": PlanGoal|None}];
    ``commitments``: [{"kind", "text", "quantity", "per"}]. Earlier versions stay as they were.

    ``based_on_number`` is the number of the version the user started from (0 when the
    episode had no plan yet); the form and the API always send it. When a colleague saved
    a newer version in between, the revision is refused with :class:`StaleEdit` and
    nothing is saved (the episode row is locked while the number is read, so two
    revisions from the same base cannot both pass)."""
    require(actor, "plan.write")
    same_office(actor, enrollment)
    Enrollment._base_manager.select_for_update().filter(pk=enrollment.pk).first()
    if enrollment.status not in (Enrollment.Status.SELECTED, Enrollment.Status.ACTIVE):
        raise IllegalTransition("計画は選定済みまたは参加中の方についてのみ作成できます。",
                                code="plan_not_open", field="enrollment")
    _check_goals(goals)
    not_after_today(agreed_on, field="agreed_on", what="本人同意日")
    previous = enrollment.plans.order_by("-number").first()
    current = enrollment.plans.aggregate(n=Max("number"))["n"] or 0
    if based_on_number is not None and based_on_number != current:
        raise StaleEdit(
            f"他の職員が先に計画を改訂しました（現在は第{current}版です）。"
            "画面を開き直して最新の版を確認してから、もう一度保存してください。")
    number = current + 1
    plan = Plan.objects.create(enrollment=enrollment, number=number, agreed_on=agreed_on,
                               policy=policy, target_start_on=target_start_on,
                               created_by=actor.user)
    for i, g in enumerate(goals):
        carried = g.get("carried_from")
        if carried is not None and (previous is None or carried.plan_id != previous.pk):
            raise ValidationFailed("引き継ぐ目標は直前の版の目標から選んでください。", field="goals")
        PlanGoal.objects.create(plan=plan, order=i + 1, text=g["text"].strip(),
                                target_on=g.get("target_on"), carried_from=carried)
    for c in commitments or []:
        if c.get("kind") not in PlanCommitment.Kind.values:
            raise ValidationFailed("取り組みの内容を一覧から選んでください。", field="commitments")
        if c.get("per", PlanCommitment.Per.MONTH) not in PlanCommitment.Per.values:
            raise ValidationFailed("取り組みの単位を一覧から選んでください。", field="commitments")
        PlanCommitment.objects.create(plan=plan, kind=c["kind"], text=c.get("text", ""),
                                      quantity=int(c.get("quantity") or 1),
                                      per=c.get("per", PlanCommitment.Per.MONTH))
    audit(actor, "plan.create", Kind.CREATE, plan, person=enrollment.person,
          after={"number": number, "agreed_on": agreed_on, "policy": policy,
                 "goals": [{"text": g["text"], "target_on": g.get("target_on")} for g in goals],
                 "commitments": [{k: c.get(k) for k in ("kind", "text", "quantity", "per")}
                                 for c in commitments or []]})
    return plan


@transaction.atomic
def plan_record_final_achievement(*, actor: Membership, plan: Plan,
                                  levels: dict[int, str]) -> Plan:
    """Achievement level of each goal at the end of support (達成 / 一部達成 / 未達成)."""
    require(actor, "plan.write")
    same_office(actor, plan.enrollment)
    goals = {g.pk: g for g in plan.goals.all()}
    before = {str(pk): g.achievement for pk, g in goals.items()}
    for pk, level in levels.items():
        if pk not in goals:
            raise ValidationFailed("この計画の目標ではありません。", field="goals")
        if level not in Achievement.values:
            raise ValidationFailed("達成度を選んでください。", field="goals")
        goals[pk].achievement = level
        goals[pk].save(update_fields=["achievement"])
    audit(actor, "plan.final_achievement", Kind.UPDATE, plan, person=plan.enrollment.person,
          before=before, after={str(pk): g.achievement for pk, g in goals.items()})
    return plan
