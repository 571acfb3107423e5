"""Propose → accept / decline, the episodes ended with 移管 and continued, and nothing of
either office's later records reaching the other (or a third office, or a partner)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiritsu.audit.models import AuditEvent
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.core import clock
from jiritsu.core.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from jiritsu.people.models import Disability, Household, Person
from jiritsu.transfers import services
from jiritsu.transfers.models import Transfer

pytestmark = pytest.mark.django_db


def _propose(tw, **kw):
    return services.transfer_propose(actor=tw.m(tw.caseworker), person=tw.person,
                                     target_office=tw.other_office, reason="moved",
                                     moved_on=dt.date(2026, 11, 1), new_address="Ｂ市本町1-1",
                                     **kw)


def _accept(tw, transfer, case_number="B-0001"):
    return services.transfer_accept(actor=tw.m(tw.supervisor_b, tw.other_office),
                                    transfer=transfer, case_number=case_number,
                                    caseworker=tw.outsider, accepted_on=clock.today())


def test_the_proposal_freezes_the_hand_over_document_within_consent_and_purpose(tw):
    transfer = _propose(tw)
    doc = transfer.hand_over
    assert doc["person"]["name"] == "髙橋 𠮷子"
    assert "address_number" not in doc["person"]
    assert [e["program_name"] for e in doc["episodes"]][0] == "就労支援プログラム"
    texts = [r["text"] for r in doc["records"]]
    assert "家庭訪問：求職活動の状況を確認" in texts
    assert "ハローワークの相談メモ" not in texts  # a partner's record stays with the old office
    assert doc["parts"]["disabilities"][0]["grade"] == "2級"
    assert transfer.status == Transfer.Status.PROPOSED
    # Both offices' trails: the proposal in A's (about the person), the offer in B's (no person).
    assert AuditEvent.objects.filter(office_id=tw.office.pk, action="transfer.propose",
                                     person_id=tw.person.pk).exists()
    received = AuditEvent.objects.get(office_id=tw.other_office.pk, action="transfer.receive")
    assert received.person_id is None


def test_a_second_offer_while_one_is_pending_is_refused(tw):
    _propose(tw)
    with pytest.raises(IllegalTransition) as e:
        _propose(tw)
    assert e.value.code == "transfer_pending"


def test_offering_to_the_own_office_is_refused(tw):
    with pytest.raises(ValidationFailed) as e:
        services.transfer_propose(actor=tw.m(tw.caseworker), person=tw.person,
                                  target_office=tw.office, reason="moved")
    assert e.value.field == "target_office"


def test_roles_without_the_action_and_other_offices_are_refused(tw):
    with pytest.raises(Forbidden):
        services.transfer_propose(actor=tw.m(tw.support_staff), person=tw.person,
                                  target_office=tw.other_office, reason="moved")
    with pytest.raises(NotFound):  # another office's person
        services.transfer_propose(actor=tw.m(tw.outsider, tw.other_office), person=tw.person,
                                  target_office=tw.office, reason="moved")
    transfer = _propose(tw)
    with pytest.raises(Forbidden):  # a caseworker does not decide on a hand-over
        services.transfer_accept(actor=tw.m(tw.outsider, tw.other_office), transfer=transfer,
                                 case_number="B-1", caseworker=None, accepted_on=clock.today())
    with pytest.raises(NotFound):  # the sending office cannot accept its own offer
        services.transfer_accept(actor=tw.m(tw.supervisor), transfer=transfer,
                                 case_number="B-1", caseworker=None, accepted_on=clock.today())


def test_accepting_registers_the_person_in_the_new_office_and_ends_the_old_episodes(tw):
    transfer = _accept(tw, _propose(tw))
    new = transfer.target_person
    assert new is not None and new.office_id == tw.other_office.pk and new.pk != tw.person.pk
    assert new.name == "髙橋 𠮷子" and new.household.case_number == "B-0001"
    assert new.household.caseworker == tw.outsider
    assert Disability.objects.get(person=new).grade == "2級"
    # The old office's open episodes end with 移管; its own person and rows stay its own.
    tw.episode.refresh_from_db()
    assert tw.episode.status == "ended"
    assert tw.episode.end_reason == Enrollment.EndReason.OFFICE_TRANSFERRED
    assert tw.episode.get_end_reason_display() == "移管"
    assert not Enrollment.objects.filter(person=tw.person, status__in=Enrollment.OPEN_STATUSES).exists()
    # Nobody of the old household is left: its assistance ends (転出) in the old office.
    old_household = Household.objects.get(pk=tw.household.pk)
    assert old_household.assistance_ended_on == clock.today()
    assert old_household.end_reason == Household.EndReason.MOVED
    # Both trails: each office writes its own rows, about its own person.
    a_rows = set(AuditEvent.objects.filter(office_id=tw.office.pk).values_list("action", flat=True))
    assert {"transfer.accepted", "enrollment.end", "household.assistance_end"} <= a_rows
    b_events = AuditEvent.objects.filter(office_id=tw.other_office.pk)
    assert {"transfer.accept", "person.create", "household.create"} <= set(
        b_events.values_list("action", flat=True))
    assert not b_events.filter(person_id=tw.person.pk).exists()
    assert not AuditEvent.objects.filter(office_id=tw.office.pk, person_id=new.pk).exists()
    # The open episode is listed for the new office to continue.
    assert transfer.episodes.count() == 2  # the program episode and the partner's referral
    episode = transfer.episodes.get(program_code="EMP")
    assert episode.program_name == "就労支援プログラム" and episode.status_label == "参加中"


def test_the_new_office_continues_a_transferred_episode_in_its_own_program(tw):
    transfer = _accept(tw, _propose(tw))
    episode = transfer.episodes.get(program_code="EMP")
    b = tw.m(tw.outsider, tw.other_office)
    new = services.transfer_continue(actor=b, episode=episode, program=tw.program_b,
                                     on=clock.today())
    assert new.office_id == tw.other_office.pk and new.person == transfer.target_person
    assert new.status == "candidate" and "移管により継続" in new.note
    episode.refresh_from_db()
    assert episode.continued_as == new
    with pytest.raises(IllegalTransition) as e:
        services.transfer_continue(actor=b, episode=episode, program=tw.program_b, on=clock.today())
    assert e.value.code == "already_continued"
    with pytest.raises(NotFound):  # the old office cannot continue the new office's side
        services.transfer_continue(actor=tw.m(tw.caseworker), episode=episode,
                                   program=tw.program_a, on=clock.today())


def test_declining_keeps_the_person_where_they_are(tw):
    transfer = _propose(tw)
    with pytest.raises(ValidationFailed) as e:
        services.transfer_decline(actor=tw.m(tw.supervisor_b, tw.other_office),
                                  transfer=transfer, reason=" ")
    assert e.value.field == "decline_reason"
    services.transfer_decline(actor=tw.m(tw.supervisor_b, tw.other_office), transfer=transfer,
                              reason="転居先は当事務所の所管区域外です")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.DECLINED and transfer.target_person is None
    tw.episode.refresh_from_db()
    assert tw.episode.status == "active"
    assert AuditEvent.objects.filter(office_id=tw.office.pk, action="transfer.declined",
                                     person_id=tw.person.pk).exists()
    with pytest.raises(IllegalTransition) as e2:
        _accept(tw, transfer)
    assert e2.value.code == "transfer_decided"
    _propose(tw)  # a new offer (to another office, or later) is possible again


def test_a_taken_case_number_refuses_the_whole_acceptance(tw):
    Household.objects.create(office=tw.other_office, case_number="B-0001", household_type="other")
    transfer = _propose(tw)
    with pytest.raises(ValidationFailed) as e:
        _accept(tw, transfer)
    assert e.value.field == "case_number"
    transfer.refresh_from_db()
    tw.episode.refresh_from_db()
    assert transfer.status == "proposed" and tw.episode.status == "active"
    assert not Person.objects.filter(office=tw.other_office, name="髙橋 𠮷子").exists()


def _get(user, url):
    c = Client()
    c.force_login(user)
    return c.get(url)


def test_nothing_leaks_either_way_after_the_hand_over(tw):
    transfer = _accept(tw, _propose(tw))
    new = transfer.target_person
    # Later records on each side.
    ActivityRecord.objects.create(office=tw.other_office, person=new, author=tw.outsider,
                                  occurred_at=clock.now(), kind="home_visit", text="Ｂ市の初回訪問")
    ActivityRecord.objects.create(office=tw.office, person=tw.person, author=tw.caseworker,
                                  occurred_at=clock.now(), kind="phone", text="Ａ市の事後連絡")
    old_url, new_url = f"/people/{tw.person.pk}/", f"/people/{new.pk}/"
    # The old office sees its own person, never the new one; the new office the reverse.
    assert _get(tw.caseworker, old_url).status_code == 200
    assert _get(tw.caseworker, new_url).status_code == 404
    assert _get(tw.supervisor, f"{new_url}timeline/").status_code == 404
    page = _get(tw.outsider, new_url)
    assert page.status_code == 200
    assert "Ａ市の事後連絡" not in page.content.decode()
    assert _get(tw.outsider, old_url).status_code == 404
    assert _get(tw.supervisor_b, f"{old_url}timeline/").status_code == 404
    # A third office and the old office's partner see neither.
    assert _get(tw.third_cw, old_url).status_code == 404
    assert _get(tw.third_cw, new_url).status_code == 404
    assert _get(tw.partner, new_url).status_code == 404
    timeline = _get(tw.caseworker, f"{old_url}timeline/").content.decode()
    assert "Ｂ市の初回訪問" not in timeline
