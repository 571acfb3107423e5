"""移管 from the person's page: the action 「他の事務所へ移管」 for those who may propose, and the
transfer's state in the page's head on each office's side — nothing of the other office's
person, nothing for support staff, partners or a third office."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiritsu.core import clock
from jiritsu.transfers import services
from jiritsu.transfers.models import Transfer

pytestmark = pytest.mark.django_db
ACTION = "他の事務所へ移管"


def _page(user, person_pk: int, status: int = 200) -> str:
    c = Client()
    c.force_login(user)
    r = c.get(f"/people/{person_pk}/")
    assert r.status_code == status
    return r.content.decode()


def _propose(tw) -> Transfer:
    return services.transfer_propose(actor=tw.m(tw.caseworker), person=tw.person,
                                     target_office=tw.other_office, reason="moved",
                                     moved_on=dt.date(2026, 11, 1), new_address="Ｂ市本町1-1")


def _accept(tw, transfer: Transfer) -> Transfer:
    return services.transfer_accept(actor=tw.m(tw.supervisor_b, tw.other_office),
                                    transfer=transfer, case_number="B-0777",
                                    caseworker=tw.outsider, accepted_on=clock.today())


def test_the_action_is_on_the_page_for_those_who_may_propose(tw):
    for user in (tw.caseworker, tw.supervisor, tw.manager):
        html = _page(user, tw.person.pk)
        assert ACTION in html and f'href="/transfers/people/{tw.person.pk}/"' in html
    for user in (tw.support_staff, tw.partner):
        assert ACTION not in _page(user, tw.person.pk)
    # Nothing about a transfer before there is one.
    assert "移管の協議中" not in _page(tw.caseworker, tw.person.pk)


def test_an_offer_under_discussion_is_on_the_senders_page_only(tw):
    transfer = _propose(tw)
    html = _page(tw.caseworker, tw.person.pk)
    assert "移管の協議中" in html and "Ｂ市福祉事務所へ移管を申し出ています" in html
    assert f'href="/transfers/{transfer.pk}/"' in html
    for user in (tw.support_staff, tw.partner):
        page = _page(user, tw.person.pk)
        assert "移管の協議中" not in page and "Ｂ市福祉事務所" not in page
    # The receiving office and a third office do not reach the sending office's person.
    _page(tw.supervisor_b, tw.person.pk, status=404)
    _page(tw.third_cw, tw.person.pk, status=404)


def test_after_the_acceptance_each_office_reads_its_own_side(tw):
    transfer = _accept(tw, _propose(tw))
    new = transfer.target_person
    assert new is not None
    old = _page(tw.supervisor, tw.person.pk)
    assert "移管済み" in old and "Ｂ市福祉事務所が" in old
    assert "B-0777" not in old and f"/people/{new.pk}/" not in old
    received = _page(tw.supervisor_b, new.pk)
    assert "Ａ市福祉事務所からの移管を" in received and f'href="/transfers/{transfer.pk}/"' in received
    assert "100001" not in received  # the sending office's case number is not on the new page
    assert "移管済み" not in received
    # Support staff of the sending office and the partner see no line; nobody crosses over.
    assert "移管済み" not in _page(tw.support_staff, tw.person.pk)
    partner = _page(tw.partner, tw.person.pk)
    assert "移管済み" not in partner and "Ｂ市福祉事務所" not in partner
    _page(tw.caseworker, new.pk, status=404)
    _page(tw.third_cw, new.pk, status=404)


def test_a_declined_offer_is_on_the_page_with_its_state(tw):
    transfer = services.transfer_decline(actor=tw.m(tw.supervisor_b, tw.other_office),
                                         transfer=_propose(tw), reason="区域外の住所のため")
    html = _page(tw.caseworker, tw.person.pk)
    assert "移管（受入れ不可）" in html and "受入れ不可の回答がありました" in html
    assert f'href="/transfers/{transfer.pk}/"' in html


def test_after_a_withdrawn_offer_the_transfers_page_offers_again(tw):
    services.transfer_withdraw(actor=tw.m(tw.caseworker), transfer=_propose(tw),
                               reason="転居を取りやめたため")
    assert "移管（取下げ）" in _page(tw.caseworker, tw.person.pk)
    c = Client()
    c.force_login(tw.caseworker)
    page = c.get(f"/transfers/people/{tw.person.pk}/").content.decode()
    assert "移管を申し出る" in page


def _fields(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def test_the_pages_transfers_are_the_querysets_rows_each_office_its_own_side(tw):
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from jiritsu.transfers.access import transfers_about, visible_transfers

    first = services.transfer_decline(actor=tw.m(tw.supervisor_b, tw.other_office),
                                      transfer=_propose(tw), reason="区域外の住所のため")
    second = _accept(tw, _propose(tw))
    new = second.target_person
    assert new is not None

    def expected(m, person) -> list[Transfer]:
        return list(visible_transfers(m).filter(
            Q(source_office=m.office, source_person=person)
            | Q(target_office=m.office, target_person=person))
            .select_related("target_office").order_by("proposed_at", "id"))

    sender, receiver = tw.m(tw.caseworker), tw.m(tw.supervisor_b, tw.other_office)
    with CaptureQueriesContext(connection) as queries:
        got = transfers_about(sender, tw.person)
        names = [t.target_office.name for t in got]
    assert len(queries) == 1  # the receiving office came with the rows
    assert [t.pk for t in got] == [first.pk, second.pk]  # oldest first
    assert [_fields(t) for t in got] == [_fields(t) for t in expected(sender, tw.person)]
    assert names == [tw.other_office.name] * 2
    assert [t.pk for t in transfers_about(receiver, new)] == [second.pk]
    assert [_fields(t) for t in transfers_about(receiver, new)] == [
        _fields(t) for t in expected(receiver, new)]
    # Nobody else's: the receiving office's view of the sender's person, the sender's view of
    # the new person, a third office, support staff and partners read none.
    assert transfers_about(receiver, tw.person) == [] == expected(receiver, tw.person)
    assert transfers_about(sender, new) == [] == expected(sender, new)
    assert transfers_about(tw.m(tw.third_cw, tw.third_cw.memberships.get().office),
                           tw.person) == []
    assert transfers_about(tw.m(tw.support_staff), tw.person) == []
    assert transfers_about(tw.m(tw.partner), tw.person) == []
