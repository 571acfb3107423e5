"""清洲 on the person's support page: the route after the first interview (what the rule
suggests and why, the decision in force and its history, the advice that comes before
指導指示) and the 阻害要因の解消 as steps. The page (``views.person_support``) builds these
forms and hands a POST whose ``action`` starts with ``work_`` here. Parse → service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms as djforms
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jiritsu.activities import forms, work_capacity, work_capacity_services
from jiritsu.activities.models import WorkBarrier, WorkBarrierStep
from jiritsu.core.errors import DomainError
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person

# What each posted action needs (the barriers' actions: plan.write).
NEEDS = {"work_route": "enrollment.manage", "work_advice": "record.write"}


@dataclass
class WorkPage:
    """What the support page shows of 清洲's flow, with one form per thing to record."""

    routes: list[work_capacity.RouteState]
    barriers: list[work_capacity.BarrierView]
    route_forms: dict[int, forms.WorkRouteForm] = field(default_factory=dict)  # episode id
    judge_forms: dict[int, forms.WorkBarrierJudgeForm] = field(default_factory=dict)  # barrier
    step_forms: dict[int, forms.WorkBarrierStepForm] = field(default_factory=dict)  # barrier
    done_forms: dict[int, forms.WorkStepDoneForm] = field(default_factory=dict)  # step id
    advice_form: forms.WorkAdviceForm | None = None
    barrier_form: forms.WorkBarrierForm | None = None
    can_route: bool = False
    can_barrier: bool = False
    can_advise: bool = False
    can_guidance: bool = False

    @property
    def shown(self) -> bool:
        return bool(self.routes or self.barriers)

    def rows(self) -> list[dict[str, Any]]:
        """The template's view of each barrier with its forms."""
        return [{"view": v, "judge": self.judge_forms.get(v.barrier.pk),
                 "step": self.step_forms.get(v.barrier.pk),
                 "steps": [(s, self.done_forms.get(s.pk)) for s in v.steps]}
                for v in self.barriers]

    def route_rows(self) -> list[dict[str, Any]]:
        return [{"state": s, "form": self.route_forms.get(s.enrollment.pk)} for s in self.routes]


def _bound(data: Any, action: str, target: int | None, posted: tuple[str, int | None]) -> Any:
    return data if (action, target) == posted else None


def work_page(m: Membership, person: Person, today: dt.date, data: Any = None) -> WorkPage:
    posted = (str(data.get("action", "")), _int(data.get("target"))) if data else ("", None)
    page = WorkPage(work_capacity.route_states(person, today),
                    work_capacity.barriers_of(person, today),
                    can_route=m.can("enrollment.manage"), can_barrier=m.can("plan.write"),
                    can_advise=m.can("record.write"), can_guidance=m.can("guidance.manage"))
    if not page.shown:
        return page
    if page.can_route:
        for s in page.routes:
            pk = s.enrollment.pk
            page.route_forms[pk] = forms.WorkRouteForm(
                _bound(data, "work_route", pk, posted), prefix=f"route{pk}",
                initial={"decided_on": today, "route": s.suggestion.route})
    if page.can_advise and page.routes:
        page.advice_form = forms.WorkAdviceForm(_bound(data, "work_advice", None, posted),
                                                prefix="advice", initial={"on": today})
    if page.can_barrier:
        page.barrier_form = forms.WorkBarrierForm(_bound(data, "work_barrier", None, posted),
                                                  prefix="barrier", initial={"found_on": today})
        for v in page.barriers:
            b = v.barrier
            page.judge_forms[b.pk] = forms.WorkBarrierJudgeForm(
                _bound(data, "work_judge", b.pk, posted), prefix=f"judge{b.pk}",
                initial={"version": b.version, "status": b.status, "on": today})
            if not b.settled:
                page.step_forms[b.pk] = forms.WorkBarrierStepForm(
                    _bound(data, "work_step", b.pk, posted), prefix=f"step{b.pk}",
                    initial={"action": v.seed_step})
            for step in v.steps:
                if step.done_on is None:
                    page.done_forms[step.pk] = forms.WorkStepDoneForm(
                        _bound(data, "work_done", step.pk, posted), prefix=f"done{step.pk}",
                        initial={"version": step.version, "done_on": today})
    return page


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def handle(m: Membership, person: Person, page: WorkPage, data: Any) -> bool:
    """Run the posted action through its service; a refusal lands beside its field."""
    action, target = str(data.get("action", "")), _int(data.get("target"))
    if not m.can(NEEDS.get(action, "plan.write")):
        raise PermissionDenied
    if action == "work_route":
        episode = next((s.enrollment for s in page.routes if s.enrollment.pk == target), None)
        form = page.route_forms.get(target or 0)
        if episode is None or form is None:
            raise Http404
        return _attempt(form, lambda d: work_capacity_services.work_route_decide(
            actor=m, enrollment=episode, decided_on=d["decided_on"], route=d["route"],
            reason=d["reason"]))
    if action == "work_advice":
        advice = page.advice_form
        if advice is None:
            raise Http404
        open_episode = next((s.enrollment for s in page.routes), None)
        return _attempt(advice, lambda d: work_capacity_services.work_advice_record(
            actor=m, person=person, on=d["on"], kind=d["kind"], text=d["text"],
            enrollment=open_episode))
    if action == "work_barrier":
        new = page.barrier_form
        if new is None:
            raise Http404
        episode = next((s.enrollment for s in page.routes), None)
        return _attempt(new, lambda d: work_capacity_services.work_barrier_add(
            actor=m, person=person, kind=d["kind"], detail=d["detail"],
            found_on=d["found_on"], enrollment=episode,
            first_step=d["first_step"] or None, planned_on=d["planned_on"]))
    barrier = _barrier(person, target) if action in ("work_judge", "work_step") else None
    if action == "work_judge" and barrier is not None and target in page.judge_forms:
        judge = page.judge_forms[target]
        return _attempt(judge, lambda d: work_capacity_services.work_barrier_judge(
            actor=m, barrier=barrier, status=d["status"], on=d["on"], note=d["note"],
            expected_version=d["version"]))
    if action == "work_step" and barrier is not None and target in page.step_forms:
        return _attempt(page.step_forms[target], lambda d: work_capacity_services
                        .work_barrier_step_add(actor=m, barrier=barrier, action=d["action"],
                                               planned_on=d["planned_on"], done_on=d["done_on"],
                                               result=d["result"]))
    if action == "work_done" and target in page.done_forms:
        step = WorkBarrierStep.objects.select_related("barrier__person").filter(
            pk=target, barrier__person=person).first()
        if step is not None:
            return _attempt(page.done_forms[target], lambda d: work_capacity_services
                            .work_barrier_step_update(actor=m, step=step,
                                                      expected_version=d["version"],
                                                      data={"done_on": d["done_on"],
                                                            "result": d["result"]}))
    raise Http404


def _barrier(person: Person, pk: int | None) -> WorkBarrier | None:
    if pk is None:
        return None
    return WorkBarrier.objects.select_related("person").filter(pk=pk, person=person).first()


def _attempt(form: djforms.Form, fn: Any) -> bool:
    if not form.is_valid():
        return False
    try:
        fn(form.cleaned_data)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True
