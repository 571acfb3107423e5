"""What the registry tells the apps built on it, without importing them.

``assistance_ended`` is sent inside the transaction that ends a household's assistance
(保護廃止) — a household edit on screen or through the API, a caseload import, or a
sanction decided on the guidance track — with ``actor`` (the acting membership) and
``ended`` (a list of ``(household_id, ended_on)``). Receivers write their own rows in
the same transaction (the programs life cycle ends the members' open episodes with the
reason 保護廃止), so an error in a receiver rolls the whole change back. ``people`` sits
below ``programs`` in the layers and never imports it; the signal is the documented way
up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import Signal

assistance_ended = Signal()


def send_assistance_ended(actor: Any, ended: list[tuple[int, dt.date]]) -> None:
    """Tell the receivers which households' assistance ended on which day (none: no-op)."""
    if ended:
        assistance_ended.send(sender=None, actor=actor, ended=ended)
