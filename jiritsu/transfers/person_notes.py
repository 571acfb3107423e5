"""The person page's lines about 移管 (``cases.person_notes``): an offer under discussion, a
person handed over or received, an offer declined or withdrawn — each linking to the transfer's
page. Who sees them is the transfers' door (``transfers_about``: staff who may propose a
transfer, this office's side only); partners and support staff see none."""

from __future__ import annotations

from django.urls import reverse

from jiritsu.cases.person_notes import PersonNote, register
from jiritsu.core import wareki
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person
from jiritsu.transfers.access import transfers_about
from jiritsu.transfers.models import Transfer

S = Transfer.Status


def _day(t: Transfer) -> str:
    return wareki.format_wareki(t.decided_on) if t.decided_on else ""


def _note(membership: Membership, t: Transfer) -> PersonNote:
    url = reverse("transfers:detail", args=[t.pk])
    if t.target_office_id == membership.office_id:
        return PersonNote("移管", f"{t.source_label}からの移管を{_day(t)}に受け入れました。",
                          tone="info", url=url, link_text="引継ぎ書類と移管された参加")
    to = t.target_office.name
    if t.status == S.PROPOSED:
        return PersonNote("移管の協議中", f"{to}へ移管を申し出ています（{t.proposed_on_label}）。"
                          "移管先の回答を待っています。", tone="warn", url=url,
                          link_text="移管の内容")
    if t.status == S.ACCEPTED:
        return PersonNote("移管済み", f"{to}が{_day(t)}に受け入れ、この事務所での支援は移管により終了しました。",
                          tone="ok", url=url, link_text="移管の内容")
    what = "受入れ不可の回答がありました" if t.status == S.DECLINED else "申出を取り下げました"
    return PersonNote(f"移管（{t.get_status_display()}）",
                      f"{to}への移管（{t.proposed_on_label}申出）は、{_day(t)}に{what}。",
                      url=url, link_text="移管の内容")


def transfer_notes(membership: Membership, person: Person) -> list[PersonNote]:
    return [_note(membership, t) for t in transfers_about(membership, person)]


def connect() -> None:
    """Register the lines with the person page (``TransfersConfig.ready``)."""
    register(transfer_notes)
