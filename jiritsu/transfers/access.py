"""The one door to a transfer. A transfer belongs to two offices: each sees its own side
(the sending office its offers, the receiving office what was offered to it); a third office
and a missing transfer answer the same 404; partners see none (they are not offices' staff
and the person's consent never named a transfer). The people on either side are reached
through ``jiritsu.cases.access`` like every person: the sending office keeps its own
person, the receiving office has its own new one, and neither reads the other's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jiritsu.audit.log import record
from jiritsu.audit.models import AuditEvent
from jiritsu.core.rows import Join, JoinedRows
from jiritsu.offices.access import deny, get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.offices.permissions import is_partner
from jiritsu.people.models import Person
from jiritsu.transfers.models import Transfer, TransferredEpisode


def _sees_transfers(membership: Membership) -> bool:
    return not is_partner(membership) and membership.can("transfer.propose")


def visible_transfers(membership: Membership) -> QuerySet[Transfer]:
    if not _sees_transfers(membership):
        return Transfer.objects.none()
    return Transfer.objects.filter(Q(source_office=membership.office)
                                   | Q(target_office=membership.office))


# The person page's transfers, read on every view of a person: a statement written once per
# process (jiritsu.core.rows), the rows of the queryset below (tested equal).
_ABOUT = JoinedRows(Transfer, [Join("target_office")],
                    where="({m}.source_office_id = %s AND {m}.source_person_id = %s) "
                          "OR ({m}.target_office_id = %s AND {m}.target_person_id = %s)",
                    order_by="{m}.proposed_at, {m}.id")


def transfers_about(membership: Membership, person: Person) -> list[Transfer]:
    """The transfers of this office's ``person``, on this office's side — offered from the
    person (the sending office's own person) or received as the person (the receiving office's
    new one) — oldest first, for the person page. Only who may see transfers at all sees them;
    the other office's person is never named here. (The statement's conditions are those of
    ``visible_transfers(membership).filter(Q(source_office=office, source_person=person) |
    Q(target_office=office, target_person=person))``; each alternative names the office.)"""
    if not _sees_transfers(membership):
        return []
    office = membership.office_id
    return _ABOUT.fetch([office, person.pk, office, person.pk])


def get_transfer_for_user(membership: Membership | None, pk: Any, *,
                          decide: bool = False, withdraw: bool = False) -> Transfer:
    """``decide``: the receiving office's decision (accept or decline) — ``transfer.decide``,
    and only on a transfer offered to this office; ``withdraw``: the sending office's own
    offer."""
    m = require(membership, "transfer.propose")
    qs = visible_transfers(m)
    if withdraw:
        qs = qs.filter(source_office=m.office)
    if decide:
        if not m.can("transfer.decide"):
            raise deny()
        qs = qs.filter(target_office=m.office)
    return get_or_404(qs.select_related("source_office", "target_office", "proposed_by",
                                        "decided_by", "target_person"), pk)


def get_transferred_episode_for_user(membership: Membership | None, pk: Any) -> TransferredEpisode:
    """An episode handed over to this office, to continue it here (``enrollment.manage``)."""
    m = require(membership, "enrollment.manage")
    return get_or_404(TransferredEpisode.objects.select_related(
        "transfer", "transfer__target_person", "continued_as")
        .filter(transfer__in=visible_transfers(m).filter(target_office=m.office)), pk)


def sees_hand_over(membership: Membership, transfer: Transfer) -> bool:
    """The hand-over document is the receiving office's once it accepted (and the sending
    office's own, which wrote it); an offer shows the receiving office only who it is about."""
    if transfer.source_office_id == membership.office_id:
        return True
    return transfer.status == Transfer.Status.ACCEPTED


def log_read(membership: Membership, transfer: Transfer) -> None:
    """Reading a transfer is reading about the person it concerns, on this office's side:
    the sending office's own person, or the receiving office's new one (none before it
    accepted). Screens and API alike."""
    outgoing = transfer.source_office_id == membership.office_id
    record(actor=membership.user, office=membership.office, action="transfer.view",
           kind=AuditEvent.Kind.VIEW, target=transfer,
           person=transfer.source_person if outgoing else transfer.target_person)
