"""Every record type that points at a person follows a merge, and comes back with an unmerge.

The relations are read from the model registry (``merging.links``). This test puts one row
of *every* such record type on the merged person — taken from the demo office or made by
``MAKERS`` — so a record type added later fails here until it has a row, and then shows
that it moves. A unique constraint on the person that the merge does not know fails
``test_every_relation_to_a_person_is_handled``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from jiritsu import testing as t
from jiritsu.activities.services import family_contact_add
from jiritsu.activities.work_capacity_services import work_barrier_add
from jiritsu.cases.models import ApprovalRequest, Conference, ConferenceDecision, Consent
from jiritsu.core import clock
from jiritsu.documents.access import Target
from jiritsu.documents.services import attachment_add
from jiritsu.documents.testing import png_bytes
from jiritsu.guidance.models import GuidanceCase
from jiritsu.merging import links, services
from jiritsu.people.models import MedicalClaimKind, MedicalClaimMonth, Person
from jiritsu.programs.models import LedgerEntry, Nomination, Program, ScreeningLedger
from jiritsu.reports.disclosure import model_title
from jiritsu.transfers.models import Transfer

pytestmark = pytest.mark.django_db


def test_every_relation_to_a_person_is_handled():
    assert links.problems() == []
    assert {u.name for link in links.person_links() for u in link.uniques} == set(
        links.CONSTRAINTS)


def test_every_record_type_has_a_japanese_title_for_the_comparison():
    # The comparison counts each person's records by type (reports.disclosure.model_title).
    english = [link.key for link in links.person_links()
               if re.search("[A-Za-z]", model_title(link.model))]
    assert english == [], "add a title to reports.disclosure.MODEL_TITLES"


Maker = Callable[[Any, Person, Program], Any]


def _ledger_entry(ctx: Any, p: Person, program: Program) -> Any:
    ledger = ScreeningLedger.objects.create(office=p.office, program=program, title="台帳",
                                            as_of=dt.date(2026, 4, 1), created_by=ctx.user)
    return LedgerEntry.objects.create(ledger=ledger, person=p, reasons=["年齢"])


def _conference_decision(ctx: Any, p: Person, program: Program) -> Any:
    conference = Conference.objects.create(office=p.office, kind=Conference.Kind.INTERNAL,
                                           program=program, held_on=dt.date(2026, 4, 1),
                                           title="検討会", created_by=ctx.user)
    return ConferenceDecision.objects.create(conference=conference, person=p,
                                             decision=ConferenceDecision.Decision.values[0])


def _transfer(ctx: Any, p: Person, *, incoming: bool) -> Any:
    other = t.make_office()
    ends: dict[str, Any] = (
        {"source_office": other, "source_label": other.name, "target_office": p.office,
         "target_person": p, "status": Transfer.Status.ACCEPTED}
        if incoming else
        {"source_office": p.office, "source_label": p.office.name, "source_person": p,
         "target_office": other})
    return Transfer.objects.create(person_name=p.name, person_kana=p.kana,
                                   birth_date=p.birth_date, reason=Transfer.Reason.MOVED,
                                   proposed_by=ctx.user, **ends)


MAKERS: dict[str, Maker] = {
    "transfers.Transfer.source_person": lambda ctx, p, program: _transfer(ctx, p, incoming=False),
    "transfers.Transfer.target_person": lambda ctx, p, program: _transfer(ctx, p, incoming=True),
    "programs.LedgerEntry.person": _ledger_entry,
    "programs.Nomination.person": lambda ctx, p, program: Nomination.objects.create(
        office=p.office, program=program, person=p, source=Nomination.Source.values[0],
        nominated_by="担当", nominated_on=dt.date(2026, 4, 1), recorded_by=ctx.user),
    "cases.Consent.person": lambda ctx, p, program: Consent.objects.create(
        office=p.office, person=p, program=program, given_on=dt.date(2026, 4, 1),
        form=Consent.Form.WRITTEN, recorded_by=ctx.user),
    "cases.ConferenceDecision.person": _conference_decision,
    "cases.ApprovalRequest.person": lambda ctx, p, program: ApprovalRequest.objects.create(
        office=p.office, person=p, kind="achieve", subject="決裁", steps=["supervisor"],
        requested_by=ctx.user),
    "guidance.GuidanceCase.person": lambda ctx, p, program: GuidanceCase.objects.create(
        office=p.office, person=p, opened_on=dt.date(2026, 4, 1),
        ground_category=GuidanceCase.Ground.values[0], ground="就労指導", opened_by=ctx.user),
    "activities.FamilyContact.person": lambda ctx, p, program: family_contact_add(
        actor=ctx.m, person=p, name="山田 花子", relationship="姉"),
    "activities.WorkBarrier.person": lambda ctx, p, program: work_barrier_add(
        actor=ctx.m, person=p, kind="illness", found_on=dt.date(2026, 4, 1)),
    "people.MedicalClaimMonth.person": lambda ctx, p, program: MedicalClaimMonth.objects.create(
        office=p.office, person=p, month=dt.date(2026, 4, 1), kind=MedicalClaimKind.values[0],
        institution_name="みなと病院", amount=12000, received_at=clock.now()),
    "documents.Attachment.person": lambda ctx, p, program: attachment_add(
        actor=ctx.m, person=p, target=Target("person", p), data=png_bytes(),
        original_name="書類.png", document_type="other", document_date=dt.date(2026, 4, 1)),
}


class _Ctx:
    def __init__(self, demo: Any) -> None:
        self.user = demo.staff["sv01"]
        self.m = t.membership_of(self.user, demo.office)


def test_a_row_of_every_record_type_follows_the_merge_and_comes_back(db):
    from jiritsu.people.demo import load_demo

    demo = load_demo(households=30, log=lambda _s: None)
    office, ctx = demo.office, _Ctx(demo)
    assert office is not None
    program = Program.objects.filter(office=office).order_by("id").first()
    assert program is not None
    survivor = t.make_person(office, name="名寄 花子", kana="なよせ はなこ",
                             birth_date=dt.date(1990, 1, 1), sex=Person.Sex.FEMALE)
    dup = t.make_person(office, name="名寄 花子", kana="ナヨセ ハナコ",
                        birth_date=dt.date(1990, 1, 1), sex=Person.Sex.FEMALE)
    placed: dict[str, list[int]] = {}
    missing = []
    for link in links.person_links():
        existing = (link.model._base_manager.filter(**{f"{link.field}__office": office})
                    .exclude(**{f"{link.field}_id": survivor.pk}).order_by("pk").first())
        if existing is not None:
            link.model._base_manager.filter(pk=existing.pk).update(**{f"{link.field}_id": dup.pk})
            placed[link.key] = [existing.pk]
        elif link.key in MAKERS:
            placed[link.key] = [MAKERS[link.key](ctx, dup, program).pk]
        else:
            missing.append(link.key)
    assert missing == [], "give these record types a row in MAKERS"

    merge = services.person_merge(actor=ctx.m, survivor=survivor, merged=dup, reason="二重登録")
    for link in links.person_links():
        assert not link.rows(dup.pk).exists(), link.key
        assert set(placed[link.key]) <= set(link.rows(survivor.pk).values_list("pk", flat=True))
    assert set(merge.moved) == set(placed)

    services.person_unmerge(actor=ctx.m, merge=merge, reason="別人")
    for link in links.person_links():
        assert set(link.rows(dup.pk).values_list("pk", flat=True)) == set(placed[link.key])
        assert not link.rows(survivor.pk).exists(), link.key
