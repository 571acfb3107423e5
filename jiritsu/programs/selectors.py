"""The program page's catalogue lists — support menus, outcome types, partner
organisations and the latest 台帳 — by statements written once per process
(``core.rows.JoinedRows``): four small reads of a page that is among the most requested,
where building and compiling a queryset cost several times the database's answer
(docs/performance.md, "Program board, sixth round"). The rows, their order and their
related rows are the related managers' (tested equal)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from jiritsu.core.rows import Join, JoinedRows, meta_order
from jiritsu.offices.models import PartnerOrganisation
from jiritsu.programs.models import (
    LedgerEntry,
    OutcomeType,
    Program,
    ScreeningLedger,
    SupportMenu,
)

# How many of the program's latest 台帳 the page lists.
LEDGERS_SHOWN = 5

_MENUS = JoinedRows(SupportMenu, [], where="{m}.program_id = %s",
                    order_by=meta_order(SupportMenu, constant=("program",)))
_OUTCOME_TYPES = JoinedRows(OutcomeType, [], where="{m}.program_id = %s",
                            order_by=meta_order(OutcomeType, constant=("program",)))


def _partners_where() -> str:
    through = Program.partners.through._meta
    qn = connection.ops.quote_name
    program = through.get_field("program").column
    partner = through.get_field("partnerorganisation").column
    return (f"{{m}}.id IN (SELECT {qn(partner)} FROM {qn(through.db_table)} "
            f"WHERE {qn(program)} = %s)")


_PARTNERS = JoinedRows(PartnerOrganisation, [], where=_partners_where(),
                       order_by=meta_order(PartnerOrganisation))


def _entries_count() -> str:
    qn = connection.ops.quote_name
    ledger = LedgerEntry._meta.get_field("ledger").column
    return f"(SELECT COUNT(*) FROM {qn(LedgerEntry._meta.db_table)} WHERE {qn(ledger)} = {{m}}.id)"


_LEDGERS = JoinedRows(ScreeningLedger, [Join("created_by")], where="{m}.program_id = %s",
                      order_by=meta_order(ScreeningLedger), annotations={"n": _entries_count()},
                      limit=LEDGERS_SHOWN)


def program_lists(program: Program) -> dict[str, list[Any]]:
    """The program's menus (in their order), outcome types, partner organisations (by kind
    and name) and its latest :data:`LEDGERS_SHOWN` 台帳 (newest first, each with its
    creator and its number of entries as ``n``): four statements."""
    known = {"program": program}
    return {
        "menus": _MENUS.fetch([program.pk], known),
        "outcome_types": _OUTCOME_TYPES.fetch([program.pk], known),
        "partners": _PARTNERS.fetch([program.pk]),
        "ledgers": _LEDGERS.fetch([program.pk], known),
    }
