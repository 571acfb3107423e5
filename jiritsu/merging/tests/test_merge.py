"""Merging two records of one person and undoing it, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from jiritsu.audit.models import AuditEvent
from jiritsu.audit.selectors import about_person
from jiritsu.cases.access import log_view
from jiritsu.cases.models import ActivityRecord, Consent, Enrollment
from jiritsu.core.errors import DomainError, Forbidden, NotFound
from jiritsu.documents.access import Target
from jiritsu.documents.models import Attachment
from jiritsu.documents.services import attachment_add
from jiritsu.documents.testing import png_bytes
from jiritsu.merging import services
from jiritsu.merging.models import PersonMerge
from jiritsu.merging.tests.helpers import duplicate_of, enroll, fill
from jiritsu.people.models import Illness, Person
from jiritsu.programs.models import LedgerEntry, ScreeningLedger
from jiritsu.programs.testing import make_program
from jiritsu.reports.periods import Period
from jiritsu.reports.services import report_freeze

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(world):
    program = make_program(world.office)
    ledger = ScreeningLedger.objects.create(office=world.office, program=program, title="台帳",
                                            as_of=dt.date(2026, 4, 1), created_by=world.caseworker)
    dup = duplicate_of(world)
    mine = fill(world, world.person, program, ledger)
    theirs = fill(world, dup, program, ledger)
    return world.person, dup, program, mine, theirs


def test_every_record_of_the_merged_person_follows_and_the_merged_record_goes(world, pair):
    survivor, dup, _program, mine, theirs = pair
    sv = world.m(world.supervisor)
    attachment = attachment_add(actor=sv, person=dup, target=Target("person", dup),
                                data=png_bytes(), original_name="保険証.png",
                                document_type="other", document_date=dt.date(2026, 4, 1))
    log_view(sv, dup)  # the merged person's audit history
    merge = services.person_merge(actor=sv, survivor=survivor, merged=dup,
                                  reason="廃止後の再申請で二重に登録されていたため")
    assert not Person.objects.filter(pk=dup.pk).exists()
    assert Illness.objects.filter(person=survivor).count() == 2
    assert Consent.objects.filter(person=survivor).count() == 2
    assert Enrollment.objects.filter(person=survivor).count() == 2
    assert ActivityRecord.objects.get(pk=theirs["record"].pk).person_id == survivor.pk
    assert Attachment.objects.get(pk=attachment.pk).person_id == survivor.pk
    # Both were in one 台帳: the survivor's entry stays, the duplicate's is set aside.
    assert list(LedgerEntry.objects.filter(person=survivor)) == [mine["entry"]]
    assert [row["id"] for row in merge.set_aside["programs.LedgerEntry"]] == [theirs["entry"].pk]
    assert merge.moved["cases.Consent.person"] == [theirs["consent"].pk]
    # The merged person's audit trail is found from the survivor; the merge is audited.
    events = AuditEvent.objects.filter(about_person(survivor.pk, world.office.pk))
    assert events.filter(action="person.view", person_id=dup.pk).exists()
    event = events.get(action="person.merge")
    assert event.note == "廃止後の再申請で二重に登録されていたため"
    assert event.changes["merged_person_id"] == dup.pk
    assert event.person_links.get().person_id == dup.pk


def test_unmerge_restores_the_record_its_rows_and_its_audit_trail(world, pair):
    survivor, dup, _program, mine, theirs = pair
    sv = world.m(world.supervisor)
    before = {f.attname: getattr(dup, f.attname) for f in Person._meta.concrete_fields}
    log_view(sv, dup)
    merge = services.person_merge(actor=sv, survivor=survivor, merged=dup, reason="二重登録")
    survivor_events = AuditEvent.objects.filter(about_person(survivor.pk, world.office.pk))
    assert survivor_events.filter(action="person.view", person_id=dup.pk).exists()
    later = Illness.objects.create(person=survivor, name="統合後に登録")
    back = services.person_unmerge(actor=world.m(world.manager), merge=merge,
                                   reason="別人であることが判明したため")
    assert back.pk == dup.pk
    restored = Person.objects.get(pk=dup.pk)
    assert {f.attname: getattr(restored, f.attname) for f in Person._meta.concrete_fields} == before
    assert set(Illness.objects.filter(person=back)) == {theirs["illness"]}
    assert set(Illness.objects.filter(person=survivor)) == {mine["illness"], later}
    assert set(LedgerEntry.objects.filter(person=back).values_list("pk", flat=True)) == {
        theirs["entry"].pk}
    assert ActivityRecord.objects.get(pk=theirs["record"].pk).person_id == back.pk
    merge.refresh_from_db()
    assert merge.is_undone and merge.undo_reason == "別人であることが判明したため"
    # After the unmerge, the survivor's history no longer takes in the other record's events.
    survivor_events = AuditEvent.objects.filter(about_person(survivor.pk, world.office.pk))
    assert not survivor_events.filter(action="person.view", person_id=dup.pk).exists()
    assert AuditEvent.objects.filter(action="person.unmerge", person_id=dup.pk).exists()
    with pytest.raises(DomainError) as err:
        services.person_unmerge(actor=world.m(world.manager), merge=merge, reason="再度")
    assert err.value.code == "merge_already_undone"


def test_unmerge_is_refused_after_the_next_fiscal_year_freeze(world, pair):
    survivor, dup, *_ = pair
    merge = services.person_merge(actor=world.m(world.supervisor), survivor=survivor,
                                  merged=dup, reason="二重登録")
    assert services.may_unmerge(merge)
    report_freeze(actor=world.m(world.manager), period=Period.for_fiscal_year(2025))
    assert not services.may_unmerge(merge)
    with pytest.raises(DomainError) as err:
        services.person_unmerge(actor=world.m(world.manager), merge=merge, reason="取消し")
    assert err.value.code == "merge_frozen"
    assert not Person.objects.filter(pk=dup.pk).exists()


def test_a_freeze_before_the_merge_does_not_stop_an_unmerge(world, pair):
    survivor, dup, *_ = pair
    report_freeze(actor=world.m(world.manager), period=Period.for_fiscal_year(2025))
    merge = services.person_merge(actor=world.m(world.supervisor), survivor=survivor,
                                  merged=dup, reason="二重登録")
    services.person_unmerge(actor=world.m(world.manager), merge=merge, reason="取消し")
    assert Person.objects.filter(pk=dup.pk).exists()


def test_two_open_episodes_of_one_program_are_refused_and_nothing_moves(world, pair):
    survivor, dup, _program, *_ = pair
    other = make_program(world.office)
    enroll(survivor, other)
    enroll(dup, other, status=Enrollment.Status.ACTIVE, started_on=dt.date(2025, 5, 1))
    with pytest.raises(DomainError) as err:
        services.person_merge(actor=world.m(world.supervisor), survivor=survivor, merged=dup,
                              reason="二重登録")
    assert err.value.code == "merge_conflict"
    assert err.value.details and err.value.details[0]["model"] == "cases.Enrollment"
    assert Person.objects.filter(pk=dup.pk).exists()
    assert Illness.objects.filter(person=dup).count() == 1
    assert not PersonMerge.objects.exists()


def test_refusals_reason_role_same_person_and_other_office(world, pair):
    survivor, dup, *_ = pair
    sv = world.m(world.supervisor)
    with pytest.raises(DomainError) as err:
        services.person_merge(actor=sv, survivor=survivor, merged=dup, reason="  ")
    assert (err.value.code, err.value.field) == ("reason_required", "reason")
    with pytest.raises(DomainError) as err:
        services.person_merge(actor=sv, survivor=survivor, merged=survivor, reason="誤り")
    assert err.value.code == "merge_same_person"
    with pytest.raises(Forbidden):
        services.person_merge(actor=world.m(world.caseworker), survivor=survivor, merged=dup,
                              reason="二重登録")
    with pytest.raises(NotFound):
        services.person_merge(actor=sv, survivor=survivor, merged=world.other_person,
                              reason="二重登録")
    assert Person.objects.filter(pk__in=[dup.pk, world.other_person.pk]).count() == 2
