"""The demo office runs all fifteen seed programs with people in them."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Count

from jiritsu.activities import catalog
from jiritsu.activities.models import GroupSession, HelloWorkReferral, TrainingDay
from jiritsu.cases.models import Enrollment
from jiritsu.people.demo import load_demo
from jiritsu.programs.models import Program


def test_load_demo_starts_every_seed_program_with_people_in_every_state(db):
    started = time.monotonic()
    ctx = load_demo(seed=7, households=400, today=dt.date(2026, 11, 26), log=lambda s: None)
    assert time.monotonic() - started < 30
    programs = {p.template_code: p for p in Program.objects.filter(office=ctx.office)
                .annotate(n=Count("enrollments"))}
    assert {t.code for t in catalog.TEMPLATES} <= set(programs)
    assert all(programs[t.code].n > 0 for t in catalog.TEMPLATES)
    states = set(Enrollment.objects.filter(office=ctx.office).values_list("status", flat=True))
    assert states == {"candidate", "selected", "active", "ended"}
    # bulk-created episodes, reviews and outcomes: the next review dates are stored
    from jiritsu.cases.next_review import mismatches

    assert mismatches() == []
    assert not Enrollment.objects.filter(office=ctx.office, status="active",
                                         next_review_on__isnull=True).exists()
    # 大津 takes children who are not on assistance
    otsu = programs["otsu_study_group"]
    assert Enrollment.objects.filter(program=otsu, person__household__isnull=True).count() == 2
    # every training day keeps to the limits
    assert not TrainingDay.objects.filter(hours__gt=4).exists()
    assert GroupSession.objects.filter(series__office=ctx.office).exists()
    assert HelloWorkReferral.objects.filter(office=ctx.office).exists()
