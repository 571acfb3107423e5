"""Optimistic locking: a stale form reports a conflict instead of overwriting a colleague's change."""

from __future__ import annotations

from typing import Any

from jiritsu.core.errors import StaleEdit


def save_versioned(obj: Any, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` only if the row is still at ``expected_version``; bump the version.

    Raises :class:`StaleEdit` when someone else saved in between. Call inside the
    service's transaction, before writing the audit row.
    """
    model = type(obj)
    values = {f: getattr(obj, f) for f in fields}
    updated = model._base_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, version=expected_version + 1
    )
    if updated != 1:
        raise StaleEdit()
    obj.version = expected_version + 1
