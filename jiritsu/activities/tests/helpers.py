"""Test set-up helpers for activities tests: programs from templates and enrolments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiritsu.activities.services import InterviewAttendee, program_instantiate_template
from jiritsu.cases.models import Enrollment
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person, WorkCapacityAssessment
from jiritsu.programs.models import Program


def program_from(actor: Membership, template: str, **overrides: Any) -> Program:
    return program_instantiate_template(actor=actor, template_code=template, overrides=overrides)


def enrol(program: Program, person: Person, *, status: str = "active",
          started_on: dt.date = dt.date(2026, 4, 1)) -> Enrollment:
    """Direct set-up row: an enrolment already in ``status`` (the life cycle is tested elsewhere)."""
    return Enrollment.objects.create(
        office=program.office, person=person, program=program,
        program_version=program.versions.order_by("-number")[0], status=status,
        candidate_on=started_on, selected_on=started_on,
        started_on=started_on if status in ("active", "ended") else None)


def wants_to_work(person: Person, on: dt.date, *, will: bool = True) -> Person:
    """A 稼働能力評価 on ``on`` saying the person has (or lacks) the will to work: 善通寺's
    rule selects by it (「就労意欲を有する者であれば、年齢は問わない」)."""
    WorkCapacityAssessment.objects.create(
        person=person, assessed_on=on, has_capacity=True, has_will=will, has_place=False,
        usage=WorkCapacityAssessment.Usage.NOT_FULLY_USED)
    return person


def at_the_interview(world: Any) -> list[InterviewAttendee]:
    """The interview at Hello Work as the seed holds it: the caseworker, and the Hello Work's
    coordinator (its account on file)."""
    return [InterviewAttendee(membership=world.m(world.caseworker), seat="caseworker"),
            InterviewAttendee(membership=world.m(world.partner), seat="hw_coordinator")]


def routed_to_hello_work(world: Any, enrollment: Enrollment,
                         on: dt.date = dt.date(2026, 4, 1)) -> Enrollment:
    """清洲: the first interview found the will to work and no barrier, and the episode was
    routed to 生活保護受給者等就労支援事業 as the rule suggests."""
    from jiritsu.activities.work_capacity_services import work_route_decide

    wants_to_work(enrollment.person, on)
    work_route_decide(actor=world.m(world.caseworker), enrollment=enrollment, decided_on=on,
                      route="hello_work")
    return enrollment
