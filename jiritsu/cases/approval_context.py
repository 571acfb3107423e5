"""What an approver needs to decide a 決裁, and what a form says before it is sent.

- :func:`approval_context`: what is asked (before → after), the rule it is checked
  against (the program's standard and maximum period as the episode runs under them, how
  often the episode was extended), the episode's history and the justification (the
  requester's note, the conference, the latest records and review).
- :func:`approval_notices`: for the episode page's forms, which actions need 決裁 and who
  decides, said before the form is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from jiritsu.cases.models import ActivityRecord, ApprovalRequest, Enrollment, Review
from jiritsu.cases.services.approval_requests import KIND_LABELS, KINDS, route_steps
from jiritsu.cases.services.enrollments import ACTION_LABELS
from jiritsu.cases.terms import needs_approval, terms
from jiritsu.core.wareki import add_months, format_wareki
from jiritsu.offices.models import Membership
from jiritsu.programs.models import OutcomeType

ROLE_LABELS = {"supervisor": "査察指導員", "manager": "課長・所長"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def route_label(steps: list[str]) -> str:
    return " → ".join(ROLE_LABELS.get(s, s) for s in steps)


def _date(value: dt.date | None) -> str:
    return format_wareki(value) if value else "（未定）"


def _iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass
class Rule:
    standard_months: int | None
    standard_end: dt.date | None
    max_months: int | None
    max_end: dt.date | None
    extensions: int
    lines: list[str] = field(default_factory=list)


def episode_rule(enrollment: Enrollment, until: dt.date | None = None) -> Rule:
    """The period rule the episode runs under (its program version), with the asked date
    checked against it when there is one."""
    t = terms(enrollment)
    start = enrollment.started_on
    std, mx = t["standard_length_months"], t["max_length_months"]
    std_end = add_months(start, std) - dt.timedelta(days=1) if start and std else None
    max_end = add_months(start, mx) - dt.timedelta(days=1) if start and mx else None
    extensions = enrollment.events.filter(action="extend").count()
    lines = [f"支援開始：{_date(start)}"]
    lines.append(f"標準期間：{std}か月（{_date(std_end)}まで）" if std else "標準期間：定めなし")
    lines.append(f"最長期間：{mx}か月（{_date(max_end)}まで）" if mx else "最長期間：定めなし")
    lines.append(f"これまでの延長：{extensions}回")
    needed = [kind_label(k) for k in (t["approvals_needed"] or [])]
    lines.append(f"決裁が必要な決定：{'・'.join(needed) if needed else 'なし'}")
    if until is not None:
        if max_end and until > max_end:
            lines.append("依頼の終了予定日は最長期間を超えています（この延長は認められません）。")
        elif std_end and until > std_end:
            months = (until.year - start.year) * 12 + until.month - start.month if start else None
            lines.append(f"依頼の終了予定日は標準期間を超え、最長期間の範囲内です"
                         f"{f'（開始から約{months}か月）' if months else ''}。")
        else:
            lines.append("依頼の終了予定日は標準期間の範囲内です。")
    return Rule(std, std_end, mx, max_end, extensions, lines)


def _asked(req: ApprovalRequest, e: Enrollment) -> list[tuple[str, str, str]]:
    p = req.payload or {}
    rows: list[tuple[str, str, str]] = []
    if req.kind == "extend":
        rows.append(("終了予定日", _date(e.planned_end_on), _date(_iso(p.get("until")))))
    elif req.kind == "end":
        reason = dict(Enrollment.EndReason.choices).get(p.get("reason", ""), "")
        rows.append(("状態", e.get_status_display(), f"終了（{reason}）" if reason else "終了"))
    elif req.kind == "achieve":
        outcome_id = p.get("outcome_type_id")
        outcome = (OutcomeType.objects.filter(pk=int(outcome_id)).first()
                   if isinstance(outcome_id, int | str) and str(outcome_id).isdigit() else None)
        rows.append(("成果", "（未記録）", f"{outcome.name if outcome else '成果'}"
                     f"（{_date(_iso(p.get('occurred_on')))}）"))
        if p.get("end_as_achieved"):
            rows.append(("状態", e.get_status_display(), "終了（達成）"))
    if p.get("on"):
        rows.append(("決定日", "", _date(_iso(p.get("on")))))
    return rows


def approval_context(req: ApprovalRequest) -> dict[str, Any]:
    """Everything the approval page shows beside the request itself."""
    ctx: dict[str, Any] = {"kind_label": kind_label(req.kind), "route_label": route_label(req.steps),
                           "justification": (req.payload or {}).get("note", "")}
    e = req.enrollment
    if e is None:
        # Another app's kind (e.g. a 法62条 decision) says what its approver reads.
        spec = KINDS.get(req.kind)
        if spec is not None and spec.context is not None:
            ctx.update(spec.context(req))
        return ctx
    until = _iso((req.payload or {}).get("until")) if req.kind == "extend" else None
    ctx["asked"] = _asked(req, e)
    ctx["rule"] = episode_rule(e, until)
    ctx["history"] = [
        {"on": ev.occurred_on, "action": ACTION_LABELS.get(ev.action, ev.action),
         "status": dict(Enrollment.Status.choices).get(ev.to_status, ""),
         "changed": ev.to_status != ev.from_status, "note": ev.note, "actor": ev.actor}
        for ev in e.events.select_related("actor").order_by("occurred_on", "id")]
    ctx["records"] = list(ActivityRecord.objects.filter(enrollment=e)
                          .select_related("author").order_by("-occurred_at", "-id")[:3])
    ctx["review"] = (Review.objects.filter(enrollment=e).select_related("reviewer")
                     .order_by("-reviewed_on", "-id").first())
    return ctx


def approval_notices(membership: Membership, enrollment: Enrollment) -> dict[str, str]:
    """Action → the sentence the form shows up front when the action needs 決裁."""
    who = route_label(route_steps(membership.office))
    notes: dict[str, str] = {}
    if needs_approval(enrollment, "extend"):
        rule = episode_rule(enrollment)
        beyond = f"標準期間（{_date(rule.standard_end)}まで）を超える" if rule.standard_end else ""
        notes["extend"] = (f"{beyond}延長は決裁が必要です（決裁者：{who}）。"
                           "送ると決裁の依頼になり、決裁が終わるまで反映されません。")
    ends = [label for kind, label in (("end", "支援中の参加の終了"), ("achieve", "達成による終了"))
            if needs_approval(enrollment, kind)]
    if ends and enrollment.status == Enrollment.Status.ACTIVE:
        notes["end"] = (f"{'・'.join(ends)}は決裁が必要です（決裁者：{who}）。"
                        "送ると決裁の依頼になり、決裁が終わるまで反映されません。")
    return notes
