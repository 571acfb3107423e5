"""清洲市 稼働能力活用推進プログラム: the route after the first interview, decided from what
the interview found, and the 阻害要因の解消 the route waits for.

One rule, :func:`suggest`, decides the route; the support page, the API and the decision
service (``work_capacity_services.work_route_decide``) all read it through
:func:`route_state`. The seed's flow:

    稼働能力活用状況の把握（○就労阻害要因の把握 ○本人の能力の検証）
      ├ 稼働能力活用に問題なし → 導入しない
      └ 稼働能力が十分活用されていない
          ├ 就労意欲あり → ○就労阻害要因の解消 → 就労計画の協議（○自立計画書）→ ☆一般就労支援
          ├ 就労意欲の喚起のための相談助言・○生活保護主旨説明 →
          │   「福祉事務所の指導にもかかわらず、就労意欲のない者及び正当な理由がなく就労阻害
          │   要因を理由に就労努力をしない者」 → ☆指導指示
          └ 「稼働能力及び就労意欲があり、かつ、就労阻害要因がないか少ない者」
              → ☆生活保護受給者等就労支援事業の適用

As a table (the first row that applies; "the interview" is the latest 稼働能力の評価 on or
before the day):

=========================================================  =================================
what was found                                              route
=========================================================  =================================
no interview                                                none: interview first
活用状況 十分に活用している                                 導入しない
稼働能力なし                                                導入しない (not this program's)
a barrier still in the way (open, or named by the           一般就労支援: remove it first
interview and not settled since)
no will to work, or a barrier judged no legitimate reason,  指導指示
after 相談助言・趣旨説明 recorded before the interview
the same, without that advice before the interview          一般就労支援: advise first
will to work, no barrier or only minor ones                 生活保護受給者等就労支援事業
=========================================================  =================================

A barrier that is a legitimate reason keeps a person out of 指導指示 until it is removed;
declining the voluntary 事業 is never an input (法27条3項): the rule reads only the interview,
the barriers and the advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from jiritsu.activities import catalog
from jiritsu.activities.models import WorkBarrier, WorkBarrierStep, WorkRouteDecision
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.services.enrollments import register_menu_rule
from jiritsu.core import clock
from jiritsu.core.errors import IllegalTransition
from jiritsu.core.wareki import format_wareki
from jiritsu.people.models import Person, WorkCapacityAssessment
from jiritsu.programs.models import Program, SupportMenu

# The template feature of programs that route after the first interview (清洲).
ROUTING = "work_capacity_routing"
Route = WorkRouteDecision.Route
Usage = WorkCapacityAssessment.Usage
# The three paths' names, which are also the template's support menus.
PATHS = {Route.GENERAL.label: Route.GENERAL, Route.GUIDANCE.label: Route.GUIDANCE,
         Route.HELLO_WORK.label: Route.HELLO_WORK}
# The data key of a progress record that gave 就労意欲の喚起のための相談助言・生活保護の趣旨説明.
ADVICE = "work_advice"
ADVICE_TEXT = "就労意欲の喚起のための相談助言・生活保護の趣旨説明"

# The seed's steps per barrier: (把握, 解消).
SEED_STEPS: dict[str, tuple[str, str]] = {
    WorkBarrier.Kind.ILLNESS: ("主治医訪問（病状の把握）", "主治医同行訪問等"),
    WorkBarrier.Kind.DISABILITY: ("障害の実態の把握", "残存機能能力の活用指導"),
    WorkBarrier.Kind.CHILDCARE: ("", "保育園の利用"),
    WorkBarrier.Kind.NURSING_CARE: ("", "介護保険の利用"),
    WorkBarrier.Kind.OTHER: ("", ""),
}
_KINDS = dict(WorkBarrier.Kind.choices)


def is_routed(program: Program) -> bool:
    tpl = catalog.BY_CODE.get(program.template_code)
    return tpl is not None and ROUTING in tpl.features


# --- what the interview found ----------------------------------------------------------

@dataclass(frozen=True)
class Findings:
    """What the rule reads: the latest interview, the barriers, the advice before it."""

    assessment: WorkCapacityAssessment | None
    blocking: tuple[str, ...] = ()  # barriers still in the way
    minor: tuple[str, ...] = ()  # barriers judged to stand little in the way
    not_upheld: tuple[str, ...] = ()  # barriers judged no legitimate reason
    advised_on: dt.date | None = None  # 相談助言・趣旨説明 before the interview

    def as_data(self) -> dict[str, Any]:
        """The facts copied into a decision (it stays readable if the interview is removed)."""
        a = self.assessment
        return {
            "assessed_on": a.assessed_on.isoformat() if a else None,
            "usage": a.get_usage_display() if a else None,
            "has_capacity": a.has_capacity if a else None,
            "has_will": a.has_will if a else None,
            "barriers_named": [_KINDS.get(k, k) for k in (a.barriers if a else [])],
            "blocking": list(self.blocking), "minor": list(self.minor),
            "not_upheld": list(self.not_upheld),
            "advised_on": self.advised_on.isoformat() if self.advised_on else None,
        }


@dataclass(frozen=True)
class Suggestion:
    route: str | None  # a Route value; None while no interview is recorded
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return Route(self.route).label if self.route else "未定（初回面接の記録がありません）"


def latest_assessment(person: Person, on: dt.date) -> WorkCapacityAssessment | None:
    return (WorkCapacityAssessment.objects.filter(person=person, assessed_on__lte=on)
            .order_by("-assessed_on", "-id").first())


def advised_before(person: Person, day: dt.date) -> dt.date | None:
    """The latest 相談助言・趣旨説明 recorded for the person before ``day`` (a record written
    by :func:`work_capacity_services.work_advice_record`)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=clock.JAPAN)
    rec = (ActivityRecord.objects.filter(person=person, occurred_at__lt=start,
                                         **{f"data__{ADVICE}": True})
           .order_by("-occurred_at").first())
    return clock.japan_date(rec.occurred_at) if rec else None


def barrier_label(b: WorkBarrier) -> str:
    return f"{b.get_kind_display()}（{b.detail}）" if b.detail else b.get_kind_display()


def findings(person: Person, on: dt.date) -> Findings:
    """What the interview on or before ``on`` found, with the barriers as they stand.

    A barrier named by the interview counts as still in the way unless a barrier of that
    kind is tracked (open or minor), was found on or after the interview, or was settled
    (removed, or judged no legitimate reason) on or after it: one settled before the
    interview that names it again was found again."""
    a = latest_assessment(person, on)
    rows = list(WorkBarrier.objects.filter(person=person, found_on__lte=on)
                .order_by("found_on", "id"))
    S = WorkBarrier.Status
    blocking = [barrier_label(b) for b in rows if b.status == S.OPEN]
    minor = tuple(barrier_label(b) for b in rows if b.status == S.MINOR)
    not_upheld = tuple(barrier_label(b) for b in rows if b.status == S.NOT_UPHELD)
    if a is not None:
        for kind in dict.fromkeys(a.barriers or []):
            covered = any(b.kind == kind and (b.status in (S.OPEN, S.MINOR)
                                              or b.found_on >= a.assessed_on
                                              or b.status_on >= a.assessed_on) for b in rows)
            if not covered:
                blocking.append(f"{_KINDS.get(kind, kind)}（面接で把握・解消の記録なし）")
    return Findings(a, tuple(blocking), minor, not_upheld,
                    advised_before(person, a.assessed_on) if a else None)


def suggest(f: Findings) -> Suggestion:
    """The route the interview's findings lead to, with the reasons in the seed's words."""
    a = f.assessment
    if a is None:
        return Suggestion(None, ("初回面接（稼働能力の評価）が記録されていません。就労阻害要因と"
                                 "本人の能力（年齢・学歴・資格・職歴等）を面接で把握してから振り分けます。",))
    seen = f"{format_wareki(a.assessed_on)}の面接"
    if a.usage == Usage.FULLY_USED:
        return Suggestion(Route.NOT_INTRODUCED, (
            f"{seen}：稼働能力活用に問題なし（十分に活用している）", "→ プログラムを導入しない"))
    if a.usage == Usage.NO_CAPACITY or not a.has_capacity:
        return Suggestion(Route.NOT_INTRODUCED, (
            f"{seen}：稼働能力なし", "→ 稼働能力の活用を進めるこのプログラムの対象ではない（導入しない）"))
    found = f"{seen}：稼働能力が十分活用されていない"
    if f.blocking:
        return Suggestion(Route.GENERAL, (
            found, f"就労阻害要因が解消されていない：{'・'.join(f.blocking)}",
            "→ 就労阻害要因の解消（傷病⇒主治医同行訪問等、障害⇒残存機能能力の活用指導、"
            "育児・介護⇒保育園、介護保険の利用）を先に進め、就労計画を協議する（一般就労支援）"))
    facts = []
    if not a.has_will:
        facts.append("就労意欲がない")
    if f.not_upheld:
        facts.append(f"正当な理由がなく就労阻害要因（{'・'.join(f.not_upheld)}）を理由に就労努力をしない")
    if facts and f.advised_on is not None:
        return Suggestion(Route.GUIDANCE, (
            f"{found}。{'、'.join(facts)}",
            f"{format_wareki(f.advised_on)}に{ADVICE_TEXT}をしたにもかかわらず変わらない"
            "（福祉事務所の指導にもかかわらず）",
            "→ 指導指示（法27条：口頭指示から。指導指示の事案は、根拠となる義務と具体的な事実を"
            "記録して指導指示の画面で開始する）"))
    if facts:
        return Suggestion(Route.GENERAL, (
            f"{found}。{'、'.join(facts)}", f"{ADVICE_TEXT}がまだ記録されていない",
            f"→ まず{ADVICE_TEXT}をし、就労計画を協議する（一般就労支援）。"
            "その後の面接でも変わらなければ指導指示を検討する"))
    barriers = (f"就労阻害要因は少ない（{'・'.join(f.minor)}）" if f.minor
                else "就労阻害要因がない")
    return Suggestion(Route.HELLO_WORK, (
        f"{found}。稼働能力及び就労意欲があり、{barriers}",
        "→ 生活保護受給者等就労支援事業の適用（事業を説明して本人の同意を得て、ハローワークに"
        "支援要請する。同意が得られなければ一般就労支援）"))


# --- the route of an episode -----------------------------------------------------------

@dataclass
class RouteState:
    enrollment: Enrollment
    findings: Findings
    suggestion: Suggestion
    history: list[WorkRouteDecision] = field(default_factory=list)  # newest first

    @property
    def current(self) -> WorkRouteDecision | None:
        return self.history[0] if self.history else None

    @property
    def changed(self) -> bool:
        """The interview or the barriers changed since the route in force was decided, so that
        the rule would now suggest another route, or a newer interview was recorded: time for
        the seed's 見直し."""
        c, a = self.current, self.findings.assessment
        return c is not None and (c.suggested != self.suggestion.route
                                  or (a is not None and c.assessment_id != a.pk))


def current_decision(enrollment: Enrollment) -> WorkRouteDecision | None:
    return enrollment.work_routes.order_by("-decided_on", "-id").first()


def route_state(enrollment: Enrollment, on: dt.date) -> RouteState:
    f = findings(enrollment.person, on)
    history = list(enrollment.work_routes.select_related("decided_by", "assessment")
                   .order_by("-decided_on", "-id"))
    return RouteState(enrollment, f, suggest(f), history)


def routed_enrollments(person: Person) -> QuerySet[Enrollment]:
    """The person's episodes in programs that route after the first interview, open first."""
    codes = [t.code for t in catalog.TEMPLATES if ROUTING in t.features]
    return (Enrollment.objects.filter(person=person, program__template_code__in=codes)
            .select_related("program", "person").order_by("ended_on", "-candidate_on", "-id"))


def route_states(person: Person, on: dt.date) -> list[RouteState]:
    """Every open routed episode of the person (ended ones keep their history, unread)."""
    return [route_state(e, on) for e in routed_enrollments(person)
            if e.status != Enrollment.Status.ENDED]


# --- barriers and their steps ----------------------------------------------------------

@dataclass
class BarrierView:
    barrier: WorkBarrier
    steps: list[WorkBarrierStep]
    today: dt.date

    @property
    def overdue(self) -> list[WorkBarrierStep]:
        """Steps planned before today and not done."""
        return [s for s in self.steps if s.done_on is None and s.planned_on is not None
                and s.planned_on < self.today]

    @property
    def in_the_way(self) -> bool:
        """Still in the way of work: not removed, not judged minor or no legitimate reason."""
        return self.barrier.status == WorkBarrier.Status.OPEN

    @property
    def needs_step(self) -> bool:
        """A barrier still in the way with no step waiting to be done."""
        return not self.barrier.settled and not any(s.done_on is None for s in self.steps)

    @property
    def seed_step(self) -> str:
        return SEED_STEPS.get(self.barrier.kind, ("", ""))[1]


def barriers_of(person: Person, today: dt.date) -> list[BarrierView]:
    """The person's barriers (those still in the way first) with their steps and flags."""
    rows = (WorkBarrier.objects.filter(person=person).select_related("enrollment__program")
            .prefetch_related(Prefetch("steps", queryset=WorkBarrierStep.objects.order_by(
                "planned_on", "id"))))
    views = [BarrierView(b, list(b.steps.all()), today) for b in rows]
    return sorted(views, key=lambda v: (v.barrier.settled, v.barrier.found_on, v.barrier.pk))


# --- the menus follow the route -----------------------------------------------------------

def check_menus(enrollment: Enrollment, menus: list[SupportMenu]) -> None:
    """In a routed program, a support menu named after one of the three paths is the route
    decided after the first interview, never a free choice: any other path is refused."""
    if not is_routed(enrollment.program):
        return
    paths = [m for m in menus if m.name in PATHS]
    if not paths:
        return
    decision = current_decision(enrollment)
    decided = decision.route if decision is not None else None
    wrong = [m for m in paths if PATHS[m.name] != decided]
    if wrong:
        raise IllegalTransition(
            f"「{wrong[0].name}」は、初回面接の結果による振り分けで決めます（支援の記録 → "
            f"稼働能力活用の振り分け）。現在の振り分け：{Route(decided).label if decided else '未決定'}",
            code="work_route.menu_follows_route", field="menus")


def register() -> None:
    register_menu_rule(check_menus)
