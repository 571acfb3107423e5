"""業務一覧 ("mine"): what is due for the signed-in user today and this week, by role, each
line linking to the screen where it is done.

Nothing is computed here twice: every kind of line comes from the rule's own home —
visits from :mod:`jiritsu.casework.visits`, reviews from ``cases.selectors.reviews_due``,
退院後の確認 from ``activities.selectors.discharge_follow_ups``, opinions falling due from
``people.evidence.evidence_due``, guidance deadlines from the
guidance procedure's next step (``guidance.selectors.open_cases_board``), 同意待ち from
``cases.selectors.consents_pending``, 決裁 from ``cases.selectors.approvals_waiting``
and 供覧 from :mod:`jiritsu.casework.confirm`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from jiritsu.activities import selectors as activity_selectors
from jiritsu.cases import selectors as program_selectors
from jiritsu.cases.access import caseload_person_ids
from jiritsu.casework import confirm, visits
from jiritsu.guidance import selectors as guidance_selectors
from jiritsu.guidance.services import settings_for as guidance_settings
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import has_own_caseload
from jiritsu.people import evidence

KINDS: dict[str, str] = {
    "visit": "訪問",
    "review": "見直し",
    "follow_up": "退院後の確認",
    "opinion": "意見書などの期限",
    "guidance": "指導指示の期限",
    "consent": "同意の取得",
    "approval": "決裁待ち",
    "confirm": "供覧待ち",
    "addition": "追記依頼",
}
WINDOWS: dict[str, str] = {"week": "今週（7日以内）と期限超過", "today": "今日と期限超過",
                           "overdue": "期限超過のみ"}
# Lines per kind read as objects; the counts stay whole (a supervisor may have hundreds
# of records waiting, which the 供覧 page shows a page at a time).
KIND_LIMIT = 50


@dataclass
class WorkItem:
    kind: str
    due_on: dt.date | None
    title: str
    url: str
    today: dt.date

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < self.today

    @property
    def due_today(self) -> bool:
        return self.due_on is not None and self.due_on <= self.today


@dataclass
class WorkList:
    items: list[WorkItem]
    counts: dict[str, int]  # kind → lines due within the window (all of them, not only shown)
    today: dt.date
    until: dt.date


def _in(due_on: dt.date | None, until: dt.date) -> bool:
    """Undated lines (approvals, records to read) are always "now"."""
    return due_on is None or due_on <= until


def work_list(membership: Membership, *, today: dt.date, window: str = "week",
              kinds: list[str] | None = None) -> WorkList:
    """The user's lines of ``kinds`` (all when None) due by the window's end."""
    until = {"today": today, "overdue": today - dt.timedelta(days=1)}.get(
        window, today + dt.timedelta(days=6))
    wanted = set(kinds or KINDS)
    items: list[WorkItem] = []
    counts: Counter[str] = Counter()

    def add(kind: str, due_on: dt.date | None, title: str, url: str) -> None:
        if _in(due_on, until) and (window != "overdue" or due_on is not None):
            counts[kind] += 1
            if counts[kind] <= KIND_LIMIT:
                items.append(WorkItem(kind, due_on, title, url, today))

    office, user = membership.office, membership.user
    own = has_own_caseload(membership)
    if "visit" in wanted and own and membership.can("visit.plan"):
        households = visits.caseload_households(office, user.pk)
        dues = visits.visits_due(office, households, today=today)
        for hh in households:
            d = dues[hh.pk]
            if d.planned_id is not None and d.planned_on is not None and d.planned_on <= until:
                add("visit", d.planned_on, f"{hh.case_number} 訪問予定",
                    reverse("casework:visit_record", args=[d.planned_id]))
            elif d.due_on is not None:
                add("visit", d.due_on, f"{hh.case_number} {d.reason_label}",
                    reverse("casework:visits") + "?" + urlencode(
                        {"household": hh.pk, "d": max(d.due_on, today).isoformat()}))
    if "review" in wanted and membership.can("review.write"):
        data = program_selectors.reviews_due(membership, today=today, within_days=7,
                                             mine_only=True)
        for r in data["overdue"] + data["due_soon"]:
            e = r.enrollment
            add("review", r.due_on, f"{e.person.name} {e.program.name}",
                reverse("programs:review_new", args=[e.pk]))
    if "follow_up" in wanted and own:
        for f in activity_selectors.discharge_follow_ups(office, today=today, caseworker=user):
            if f.done_on is None:
                p = f.enrollment.person
                add("follow_up", f.checked_on if f.needs_consultation else f.due_on,
                    f"{p.name} {f.step_label}", reverse("programs:record_new", args=[p.pk]))
    if "opinion" in wanted and own and membership.can("person.edit"):
        for ev in evidence.evidence_due(caseload_person_ids(membership) or [], today=today,
                                        until=until):
            doc = ev.evidence
            add("opinion", ev.due_on, f"{doc.person.name} {ev.label}",
                reverse("people:part_add", args=[doc.person_id, "evidence"]) + "?" + urlencode(
                    {"kind": doc.kind, "issuer": doc.issuer, "care_setting": doc.care_setting}))
    if "guidance" in wanted and own:
        # A 法62条 decision waiting for 決裁 is the approvers' 決裁待ち line below.
        for row in guidance_selectors.open_cases_board(office, guidance_settings(office)):
            home = row.case.person.household
            mine = home is not None and home.caseworker_id == user.pk
            if row.next is not None and mine:
                add("guidance", row.next.due_on, f"{row.case.person.name} {row.next.label}",
                    reverse("guidance:case", args=[row.case.pk]))
    if "consent" in wanted and own and membership.can("consent.record"):
        for e in program_selectors.consents_pending(caseload_person_ids(membership) or []):
            add("consent", None, f"{e.person.name} {e.program.name}",
                reverse("programs:consent_new", args=[e.person_id]))
    if "approval" in wanted:
        for a in program_selectors.approvals_waiting(membership):
            what = (f"{a.enrollment.person.name} {a.enrollment.program.name}"
                    if a.enrollment is not None else a.subject)
            add("approval", None, what, reverse("programs:approval", args=[a.pk]))
    if "confirm" in wanted and membership.can("record.confirm"):
        queue = confirm.confirm_queue(membership)
        for rec in queue[:KIND_LIMIT]:
            add("confirm", None, f"{rec.person.name} {rec.get_kind_display()}（{rec.author}）",
                reverse("casework:confirm_record", args=[rec.pk]))
        if counts["confirm"] >= KIND_LIMIT:
            counts["confirm"] = queue.count()
    if "addition" in wanted and membership.can("record.write"):
        for rec in confirm.additions_requested(membership):
            add("addition", None, f"{rec.person.name} {rec.get_kind_display()}",
                reverse("casework:my_records"))
    items.sort(key=lambda i: (i.due_on or today, list(KINDS).index(i.kind), i.title))
    return WorkList(items, dict(counts), today, until)
