"""The program catalogue screens (``catalogue``: list, create, edit) and the helpers every
program and case screen shares (``common``). The program page with its board, screening,
consents, episodes, conferences and 決裁 are ``jiritsu.cases.views``; ``jiritsu.cases.urls``
names all of them under the ``programs`` URL namespace.
"""

from __future__ import annotations

from jiritsu.programs.views.catalogue import (
    program_create,
    program_edit,
    program_list,
    rule_count,
    rule_rows,
)

__all__ = ["program_create", "program_edit", "program_list", "rule_count", "rule_rows"]
