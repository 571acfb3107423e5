"""One timeline of everything that happened to a person, newest first.

Records, reviews, conference decisions, consents, plan versions, outcomes and
enrolment events each come from one query (capped at ``limit``), are merged in
Python and cut to ``limit`` again: the query count is fixed by the number of kinds,
never by the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Prefetch, Q

from jiritsu.cases.access import partner_categories
from jiritsu.cases.models import (
    ActivityRecord,
    ConferenceDecision,
    Consent,
    ConsentGrant,
    DataCategory,
    EnrollmentEvent,
    Outcome,
    Plan,
    Review,
)
from jiritsu.core import clock
from jiritsu.core.forms import JapaneseDateField, PlainSelect, PlainTextInput, form_field
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person

TIMELINE_LIMIT = 200

KINDS: dict[str, str] = {
    "record": "経過記録",
    "review": "見直し",
    "conference": "検討会の決定",
    "consent": "同意",
    "plan": "計画",
    "outcome": "成果",
    "enrollment": "参加状況",
    "guidance": "指導指示",
}

_STATUS_LABELS = {"candidate": "候補", "selected": "選定", "active": "参加中", "ended": "終了",
                  "": ""}


@dataclass
class Entry:
    kind: str
    on: dt.date
    sort_at: dt.datetime
    title: str
    body: str = ""
    program: str = ""
    who: str = ""
    time: str = ""
    details: list[str] = field(default_factory=list)
    # A 経過記録's id and version, for what other apps add to it (the seal column).
    record_id: int | None = None
    record_version: int = 0
    record_kind: str = ""
    # The record's seal column (供覧欄), filled by ``RECORD_ANNOTATORS``: seals as read by the
    # template (confirmed_by, confirmed_at, outcome, record_version, comment) and the state of
    # the current version: "" (not read by a supervisor), waiting, confirmed or addition.
    seals: list[Any] = field(default_factory=list)
    seal_state: str = ""

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass
class TimelineFilter:
    kinds: set[str] = field(default_factory=lambda: set(KINDS))
    program_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# Entries from apps this one must not depend on (指導指示 is registered by jiritsu.web so
# that voluntary support never imports guidance). Staff only; each returns its own kind.
EXTRA_SOURCES: list[Callable[[Person, TimelineFilter, int], list[Entry]]] = []
# What other apps add to the record entries shown (staff only), e.g. the seal column of 供覧
# (registered by jiritsu.casework): each is called once with all the record entries.
RECORD_ANNOTATORS: list[Callable[[Membership, list[Entry]], None]] = []


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=clock.JAPAN)


def day_range(field_name: str, f: TimelineFilter) -> Q:
    q = Q()
    if f.date_from:
        q &= Q(**{f"{field_name}__gte": f.date_from})
    if f.date_to:
        q &= Q(**{f"{field_name}__lte": f.date_to})
    return q


def _time_range(field_name: str, f: TimelineFilter) -> Q:
    q = Q()
    if f.date_from:
        q &= Q(**{f"{field_name}__gte": _midnight(f.date_from)})
    if f.date_to:
        q &= Q(**{f"{field_name}__lt": _midnight(f.date_to + dt.timedelta(days=1))})
    return q


def person_timeline(person: Person, *, membership: Membership | None = None,
                    filters: TimelineFilter | None = None,
                    limit: int = TIMELINE_LIMIT,
                    consents: list[Any] | None = None,
                    enrollments: list[Any] | None = None,
                    plans: list[Any] | None = None,
                    present: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """Entries (newest first), whether the list was cut, and the kinds shown.

    ``consents`` (already read with their grants, as the person page does) saves a query.
    ``enrollments`` (all of the person's enrolments, as the person page reads them) saves
    four when there are none: reviews, plans, outcomes and enrolment events all hang off an
    enrolment, and most people in an office have never had one. ``plans`` (all of the
    person's plan versions, newest first, with goals and commitments, as the person page
    reads them) saves three. ``present`` (which of the person's records and conference
    decisions exist at all, as ``person_file`` asks) saves the query of a kind found empty.
    """
    f = filters or TimelineFilter()
    kinds = set(f.kinds)
    record_q = Q()
    if membership is not None and membership.is_partner:
        # A partner sees records only: all of them with the 支援記録 category granted,
        # otherwise just what its own organisation wrote.
        kinds &= {"record"}
        if "records" not in partner_categories(membership, person):
            record_q = Q(author_partner=membership.partner)
    pid = f.program_id
    entries: list[Entry] = []
    if enrollments is not None and not enrollments:
        kinds -= {"review", "plan", "outcome", "enrollment"}
    # Kinds not read because the person has no row of them at all (what is offered stays).
    empty = {kind for kind, name in (("record", "records"), ("conference", "decisions"))
             if present is not None and not present.get(name, True)}

    if "record" in kinds and "record" not in empty:
        qs = (ActivityRecord.objects.filter(person=person).filter(record_q)
              .filter(_time_range("occurred_at", f))
              .select_related("author", "author_partner", "enrollment__program")
              .prefetch_related("staff_present", "partners_present"))
        if pid:
            qs = qs.filter(enrollment__program_id=pid)
        for r in qs.order_by("-occurred_at", "-id")[:limit]:
            details: list[str] = []
            staff = [str(u) for u in r.staff_present.all()]
            partners = [p.name for p in r.partners_present.all()]
            if staff or partners:
                details.append("同席：" + "、".join(staff + partners))
            if r.duration_minutes:
                details.append(f"所要 {r.duration_minutes}分")
            if r.life_check:
                details.append(f"退院後の生活状況：{r.get_life_check_display()}")
            if r.systolic_bp and r.diastolic_bp:
                details.append(f"血圧 {r.systolic_bp}/{r.diastolic_bp}")
            if r.weight_kg is not None:
                details.append(f"体重 {r.weight_kg}kg")
            who = str(r.author) + (f"（{r.author_partner.name}）" if r.author_partner else "")
            entries.append(Entry("record", r.occurred_on, r.occurred_at, r.get_kind_display(),
                                 r.text, r.enrollment.program.name if r.enrollment else "",
                                 who, r.time_label, details, record_id=r.pk,
                                 record_version=r.version, record_kind=r.kind))

    if "review" in kinds:
        reviews = (Review.objects.filter(enrollment__person=person).filter(day_range("reviewed_on", f))
              .select_related("enrollment__program", "reviewer", "conference"))
        if pid:
            reviews = reviews.filter(enrollment__program_id=pid)
        for v in reviews.order_by("-reviewed_on", "-id")[:limit]:
            details = []
            if v.next_due_on:
                details.append(f"次回見直し {_w(v.next_due_on)}")
            if v.conference:
                details.append(f"{v.conference.get_kind_display()}（{_w(v.conference.held_on)}）")
            entries.append(Entry("review", v.reviewed_on, midnight_or_created(v.reviewed_on, v.created_at),
                                 f"見直し：{v.get_decision_display()}", v.evaluation,
                                 v.enrollment.program.name, str(v.reviewer), details=details))

    if "conference" in kinds and "conference" not in empty:
        decisions = (ConferenceDecision.objects.filter(person=person)
              .filter(day_range("conference__held_on", f))
              .select_related("conference", "enrollment__program", "conference__program",
                              "phase", "target_program"))
        if pid:
            decisions = decisions.filter(Q(enrollment__program_id=pid) | Q(conference__program_id=pid))
        for d in decisions.order_by("-conference__held_on", "-id")[:limit]:
            conf = d.conference
            prog = d.enrollment.program.name if d.enrollment else (
                conf.program.name if conf.program else "")
            details = [f"{conf.get_kind_display()}「{conf.title}」"]
            if d.phase:
                details.append(f"段階：{d.phase.name}")
            if d.extend_until:
                details.append(f"延長：{_w(d.extend_until)}まで")
            if d.target_program:
                details.append(f"移行先：{d.target_program.name}")
            entries.append(Entry("conference", conf.held_on, midnight_or_created(conf.held_on, conf.created_at),
                                 f"決定：{d.get_decision_display()}", d.reason, prog,
                                 details=details))

    if "consent" in kinds:
        if consents is None:
            consents = list(Consent.objects.filter(person=person)
                            .select_related("program", "recorded_by")
                            .prefetch_related(Prefetch("grants", queryset=ConsentGrant.objects
                                                       .select_related("partner")))
                            .order_by("-given_on", "-id"))
        for c in consents[:limit]:
            if pid and c.program_id not in (pid, None):
                continue
            grants = [f"{g.partner.name}（{_categories(g.categories)}）" for g in c.grants.all()]
            prog = c.program.name if c.program else "プログラム共通"
            entries.append(Entry("consent", c.given_on, midnight_or_created(c.given_on, c.created_at),
                                 f"同意（{c.get_form_display()}）", c.note, prog,
                                 str(c.recorded_by),
                                 details=["情報提供先：" + "、".join(grants)] if grants else []))
            if c.withdrawn_on:
                entries.append(Entry("consent", c.withdrawn_on, midnight_or_created(c.withdrawn_on, None),
                                     "同意の撤回", "", prog))
        entries = [e for e in entries if e.kind != "consent" or _in_range(e.on, f)]

    if "plan" in kinds:
        if plans is not None:
            start = _midnight(f.date_from) if f.date_from else None
            end = _midnight(f.date_to + dt.timedelta(days=1)) if f.date_to else None
            chosen = [p for p in plans
                      if (start is None or p.created_at >= start)
                      and (end is None or p.created_at < end)
                      and (not pid or p.enrollment.program_id == pid)][:limit]
        else:
            plans_qs = (Plan.objects.filter(enrollment__person=person)
                  .filter(_time_range("created_at", f))
                  .select_related("enrollment__program", "created_by")
                  .prefetch_related("goals", "commitments"))
            if pid:
                plans_qs = plans_qs.filter(enrollment__program_id=pid)
            chosen = list(plans_qs.order_by("-created_at", "-id")[:limit])
        for p in chosen:
            details = [f"目標：{g.text}" + (f"（{_w(g.target_on)}まで）" if g.target_on else "")
                       for g in p.goals.all()]
            details += [f"約束：{m.get_kind_display()} {m.quantity}回／{m.get_per_display()}"
                        for m in p.commitments.all()]
            if p.agreed_on:
                details.append(f"本人同意日 {_w(p.agreed_on)}")
            local = clock.to_japan(p.created_at)
            entries.append(Entry("plan", local.date(), p.created_at, f"計画 第{p.number}版",
                                 p.policy, p.enrollment.program.name, str(p.created_by),
                                 details=details))

    if "outcome" in kinds:
        outcomes = (Outcome.objects.filter(enrollment__person=person)
              .filter(day_range("occurred_on", f))
              .select_related("enrollment__program", "recorded_by"))
        if pid:
            outcomes = outcomes.filter(enrollment__program_id=pid)
        for o in outcomes.order_by("-occurred_on", "-id")[:limit]:
            details = []
            if o.employer or o.job_kind:
                details.append(f"就労先：{o.employer} {o.job_kind}".strip())
            if o.hours_per_week:
                details.append(f"週{o.hours_per_week}時間")
            if o.monthly_income:
                details.append(f"月収 {o.monthly_income:,}円")
            if o.income_increase:
                details.append(f"増収 {o.income_increase:,}円")
            if o.destination:
                details.append(f"退院先：{o.get_destination_display()}")
            if o.school_name:
                details.append(f"進学先：{o.school_name}")
            entries.append(Entry("outcome", o.occurred_on, midnight_or_created(o.occurred_on, o.created_at),
                                 f"成果：{o.get_kind_display()}", o.note,
                                 o.enrollment.program.name, str(o.recorded_by), details=details))

    if "enrollment" in kinds:
        events = (EnrollmentEvent.objects.filter(enrollment__person=person)
              .filter(day_range("occurred_on", f))
              .select_related("enrollment__program", "phase", "conference", "actor"))
        if pid:
            events = events.filter(enrollment__program_id=pid)
        for ev in events.order_by("-occurred_on", "-id")[:limit]:
            frm = _STATUS_LABELS.get(ev.from_status, ev.from_status)
            to = _STATUS_LABELS.get(ev.to_status, ev.to_status)
            title = f"{frm} → {to}" if frm else to
            details = []
            if ev.phase:
                details.append(f"段階：{ev.phase.name}")
            if ev.conference:
                details.append(f"{ev.conference.get_kind_display()}（{_w(ev.conference.held_on)}）で決定")
            entries.append(Entry("enrollment", ev.occurred_on, midnight_or_created(ev.occurred_on, ev.created_at),
                                 title, ev.note, ev.enrollment.program.name, str(ev.actor),
                                 details=details))

    if membership is None or not membership.is_partner:
        for source in EXTRA_SOURCES:
            entries += source(person, TimelineFilter(kinds, pid, f.date_from, f.date_to), limit)

    entries.sort(key=lambda e: (e.on, e.sort_at), reverse=True)
    if membership is not None and not membership.is_partner:
        records = [e for e in entries[:limit] if e.record_id is not None]
        for annotate in RECORD_ANNOTATORS if records else ():
            annotate(membership, records)
    return {"entries": entries[:limit], "cut": len(entries) > limit, "limit": limit,
            "kinds_available": {k: v for k, v in KINDS.items() if k in kinds or not
                                (membership is not None and membership.is_partner)}}


def _in_range(day: dt.date, f: TimelineFilter) -> bool:
    return (f.date_from is None or day >= f.date_from) and (f.date_to is None or day <= f.date_to)


def midnight_or_created(day: dt.date, created: dt.datetime | None) -> dt.datetime:
    """Sort key inside a day: the row's creation time when it was written that day."""
    base = _midnight(day)
    if created is not None and clock.japan_date(created) == day:
        return created
    return base


def _w(day: dt.date) -> str:
    return format_wareki(day)


def _categories(codes: list[str]) -> str:
    labels = dict(DataCategory.choices)
    return "・".join(labels.get(c, c).split("（")[0] for c in codes)



class TimelineFilterForm(forms.Form):
    """The timeline's filters: kind, program, period (dates as ISO or 和暦)."""

    # Widgets written in Python (the same markup as Django's): the form is drawn on every
    # view of a person.
    kind = forms.ChoiceField(label="種類", required=False, widget=PlainSelect,
                             choices=[("", "すべて"), *KINDS.items()])
    program = forms.TypedChoiceField(label="プログラム", required=False, coerce=int,
                                     empty_value=None, choices=[("", "すべて")],
                                     widget=PlainSelect)
    date_from = JapaneseDateField(label="期間（から）", required=False)
    date_to = JapaneseDateField(label="期間（まで）", required=False)

    def __init__(self, *args: Any, programs: list[tuple[int, str]] | None = None,
                 **kw: Any) -> None:
        super().__init__(*args, **kw)
        form_field(self, "program", forms.ChoiceField).choices = [("", "すべて"), *(programs or [])]
        for name in ("date_from", "date_to"):
            self.fields[name].widget = PlainTextInput(attrs={
                "placeholder": "R8.4.1 / 2026-04-01", "inputmode": "numeric",
                "autocomplete": "off", "size": 12})

    def to_filter(self) -> TimelineFilter:
        self.is_valid()  # keep the fields that are valid; errors show beside the others
        d = self.cleaned_data
        kind = d.get("kind") or ""
        return TimelineFilter(kinds={kind} if kind else set(KINDS),
                              program_id=d.get("program"), date_from=d.get("date_from"),
                              date_to=d.get("date_to"))
