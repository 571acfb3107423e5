"""Optimistic locking: a stale form reports a conflict instead of overwriting a colleague's change."""

from __future__ import annotations

from typing import Any

from jiritsu.core.errors import StaleEdit

# The version columns are integers (PositiveIntegerField): a row can never be at a version
# that cannot be bumped, and ``expected_version + 1`` past this would overflow the column.
VERSION_MAX = 2_147_483_647


def save_versioned(obj: Any, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` only if the row is still at ``expected_version``; bump the version.

    Raises :class:`StaleEdit` when someone else saved in between. Call inside the
    service's transaction, before writing the audit row.
    """
    if not 1 <= expected_version < VERSION_MAX:
        raise StaleEdit()  # no row is at that version (and the bump would overflow)
    model = type(obj)
    values = {f: getattr(obj, f) for f in fields}
    updated = model._base_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, version=expected_version + 1
    )
    if updated != 1:
        raise StaleEdit()
    obj.version = expected_version + 1
