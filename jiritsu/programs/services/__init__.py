"""Programs services: every write of the catalogue (programs and their versions).

Import from here: ``from jiritsu.programs import services`` then
``services.program_update(actor=membership, program=p, ...)``. Each function is
keyword-only, runs in one transaction, re-checks the role table, refuses another
office's rows (404), raises ``jiritsu.core.errors`` domain errors with Japanese
messages, and writes an audit row. Screening ledgers, nominations and everything that
happens to a person in a program are written by ``jiritsu.cases.services``.
"""

from jiritsu.programs.services.catalogue import (
    program_create,
    program_set_rules,
    program_snapshot,
    program_update,
)

__all__ = ["program_create", "program_set_rules", "program_snapshot", "program_update"]
