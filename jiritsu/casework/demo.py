"""The demo office's caseworker's day: 供覧 works out of the box.

Each caseworker's records go to one supervisor (cw01…cw06 → sv01, the rest → sv02 and so on,
in even shares); the office reads its visit and interview records from two months ago, and
the supervisors have already read everything older than a week. Each caseworker visited a few
of their most overdue households in the last week — so a supervisor signing in finds those
records waiting, and older ones carry their seals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiritsu.cases.models import ActivityRecord
from jiritsu.casework.confirm import office_caseworkers
from jiritsu.casework.models import CaseworkSettings, Confirmation, SupervisorAssignment
from jiritsu.casework.visits import caseload_households, head_of, visits_due
from jiritsu.core import clock

CONFIRM_FROM_DAYS = 60  # the office reads records from two months ago
WAITING_DAYS = 7  # the last week's records are still waiting
READ_AFTER = dt.timedelta(days=2, hours=6)  # when the supervisor read an older record
VISITS_LAST_WEEK = 3  # home visits each caseworker recorded in the last week
VISIT_TEXTS = ["定期訪問。生活状況に大きな変化なし。服薬は守れている。",
               "定期訪問。室内は整理されている。通院は月2回継続。",
               "訪問。求職活動の状況を聴取し、次回までにハローワークへ行くことを確認した。"]


def step_casework(ctx: Any) -> None:
    office = ctx.office
    assert office is not None
    supervisors = [u for name, u in sorted(ctx.staff.items()) if name.startswith("sv")]
    cw_ids = set(office_caseworkers(office))
    caseworkers = [u for u in ctx.caseworkers if u.pk in cw_ids]
    if not supervisors or not caseworkers:
        return
    share = -(-len(caseworkers) // len(supervisors))  # ceiling: cw01…cw06 → sv01 for 12 / 2
    reader = {cw.pk: supervisors[i // share] for i, cw in enumerate(caseworkers)}
    SupervisorAssignment.objects.bulk_create([
        SupervisorAssignment(office=office, caseworker_id=cw, supervisor=sv)
        for cw, sv in reader.items()])
    start = ctx.today - dt.timedelta(days=CONFIRM_FROM_DAYS)
    conf = CaseworkSettings.objects.create(office=office, confirm_from=start)
    since = dt.datetime.combine(start, dt.time(0), tzinfo=clock.JAPAN)
    until = dt.datetime.combine(ctx.today - dt.timedelta(days=WAITING_DAYS), dt.time(0),
                                tzinfo=clock.JAPAN)
    _last_week_visits(ctx, caseworkers)
    older = list(ActivityRecord.objects.filter(
        office=office, kind__in=conf.confirm_kinds, author_id__in=list(reader),
        occurred_at__gte=since, occurred_at__lt=until).only("pk", "version", "author_id",
                                                            "occurred_at"))
    seals = Confirmation.objects.bulk_create([
        Confirmation(office=office, record=r, record_version=r.version,
                     outcome=Confirmation.Outcome.CONFIRMED, confirmed_by=reader[r.author_id])
        for r in older])
    for seal, r in zip(seals, older, strict=True):
        seal.confirmed_at = r.occurred_at + READ_AFTER
    Confirmation.objects.bulk_update(seals, ["confirmed_at"], batch_size=500)
    ctx.log(f"供覧: {len(reader)}人のケースワーカーに供覧先、確認済み{len(seals)}件")


def _last_week_visits(ctx: Any, caseworkers: list[Any]) -> None:
    """Each caseworker's home visits of the last weekdays to their most overdue households
    (about the household's head, as a visit recorded from the plan is)."""
    office = ctx.office
    days = [d for d in (ctx.today - dt.timedelta(days=n) for n in range(1, 8))
            if d.weekday() < 5][:VISITS_LAST_WEEK]
    rows = []
    for cw in caseworkers:
        households = caseload_households(office, cw.pk)
        dues = visits_due(office, households, today=ctx.today)
        chosen = sorted((h for h in households if dues[h.pk].due_on),
                        key=lambda h: (dues[h.pk].due_on, h.case_number))[:len(days)]
        heads = head_of([h.pk for h in chosen])
        for i, (hh, day) in enumerate(zip(chosen, days, strict=False)):
            person = heads.get(hh.pk)
            if person is None:
                continue
            rows.append(ActivityRecord(
                office=office, person=person, kind=ActivityRecord.Kind.HOME_VISIT,
                occurred_at=dt.datetime.combine(day, dt.time(10 + i * 2), tzinfo=clock.JAPAN),
                text=VISIT_TEXTS[i % len(VISIT_TEXTS)], duration_minutes=30, author=cw))
    ActivityRecord.objects.bulk_create(rows)
