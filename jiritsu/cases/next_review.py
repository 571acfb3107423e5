"""Each active episode's next review date, stored in ``Enrollment.next_review_on``.

The due date is derived by one rule (:func:`jiritsu.cases.selectors.compute_next_reviews`:
the program's review interval after the start or the last review, the date a review set,
a check N months after a discharge, the planned end). Lists of reviews due read the
stored date, so an office's list is an indexed range query instead of working the rule
out for thousands of active episodes on every page.

The stored date is refreshed whenever one of its inputs changes:

* an episode's life-cycle transition (``services.enrollments._apply``) and any ``save()``
  of an episode (signal);
* a review or an outcome saved or deleted (signals);
* a program saved (signal): episodes whose version snapshot lacks a term fall back to the
  live program;
* bulk loads (demo data, the benchmark generator) call :func:`refresh_all` afterwards.

``manage.py check_next_reviews [--fix]`` compares every stored date with the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

from jiritsu.cases.models import Enrollment, Outcome, Review
from jiritsu.cases.selectors import compute_next_reviews
from jiritsu.core.bulk import update_many
from jiritsu.programs.models import Program
from jiritsu.programs.signals import review_terms_changed

S = Enrollment.Status
_BATCH = 5000


def _manager() -> Any:
    # The base manager: refreshes run inside services, loaders and signal handlers, within
    # or outside an office scope, and address episodes by primary key.
    return Enrollment._base_manager


def _refresh(qs: QuerySet[Enrollment]) -> int:
    """Recompute the episodes of ``qs`` and write the dates that changed."""
    with scopes_disabled():  # episodes by primary key; the rule's inputs are theirs
        stored = dict(qs.order_by().values_list("pk", "next_review_on"))
        if not stored:
            return 0
        computed = compute_next_reviews(_manager().filter(pk__any=list(stored)))
    changed = [Enrollment(pk=pk, next_review_on=computed.get(pk))
               for pk, value in stored.items() if computed.get(pk) != value]
    update_many(Enrollment, changed, ["next_review_on"])
    return len(changed)


def refresh(enrollment_ids: Iterable[int | None]) -> int:
    """Recompute the next review date of these episodes; the number changed."""
    ids = sorted({i for i in enrollment_ids if i is not None})
    return _refresh(_manager().filter(pk__any=ids)) if ids else 0


def refresh_all(qs: QuerySet[Enrollment] | None = None) -> int:
    """Recompute every episode of ``qs`` (default: all), in batches; the number changed."""
    base = (qs if qs is not None else _manager().all()).order_by("pk")
    ids = list(base.values_list("pk", flat=True))
    changed = 0
    for i in range(0, len(ids), _BATCH):
        changed += _refresh(_manager().filter(pk__any=ids[i:i + _BATCH]))
    return changed


def mismatches(qs: QuerySet[Enrollment] | None = None
               ) -> list[tuple[int, dt.date | None, dt.date | None]]:
    """(episode, stored, by the rule) for every episode whose stored date is wrong."""
    base = (qs if qs is not None else _manager().all()).order_by("pk")
    ids = list(base.values_list("pk", flat=True))
    out = []
    for i in range(0, len(ids), _BATCH):
        chunk = _manager().filter(pk__any=ids[i:i + _BATCH])
        with scopes_disabled():
            computed = compute_next_reviews(chunk)
        for pk, value in chunk.values_list("pk", "next_review_on"):
            if computed.get(pk) != value:
                out.append((pk, value, computed.get(pk)))
    return out


# ---- signals ----------------------------------------------------------------------------


def _episode_saved(sender: Any, instance: Enrollment, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    refresh([instance.pk])


def _input_changed(sender: Any, instance: Review | Outcome, raw: bool = False,
                   **kwargs: Any) -> None:
    if raw:
        return
    refresh([instance.enrollment_id])


def _program_saved(sender: Any, instance: Program, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    refresh_all(_manager().filter(program_id=instance.pk, status=S.ACTIVE))


def _terms_changed(sender: Any, program: Program, **kwargs: Any) -> None:
    refresh_all(_manager().filter(program_id=program.pk, status=S.ACTIVE))


def connect() -> None:
    """Called from CasesConfig.ready()."""
    post_save.connect(_episode_saved, sender=Enrollment, dispatch_uid="next_review_episode")
    for model in (Review, Outcome):
        post_save.connect(_input_changed, sender=model, dispatch_uid=f"next_review_{model.__name__}")
        post_delete.connect(_input_changed, sender=model,
                            dispatch_uid=f"next_review_{model.__name__}_delete")
    post_save.connect(_program_saved, sender=Program, dispatch_uid="next_review_program")
    review_terms_changed.connect(_terms_changed, dispatch_uid="next_review_terms")
