"""Model instances from a statement's row without ``Model.__init__``.

``Model.from_db`` builds an instance by calling the model with every field's value: the
constructor walks the fields, sets each through its descriptor and sends ``pre_init`` and
``post_init`` to nobody. For the lists a page reads by ``core.rows`` statements (a caseload of
145 people with their households) that was ≈ 14 % of the caseworker home's app CPU
(docs/performance.md, eighth round). What the constructor leaves behind for a row read from
the database is only the values in the instance's ``__dict__`` under each field's attribute
name and a ``ModelState`` saying "from this database, not new": :func:`direct_build` writes
exactly that when it is the same, and :func:`can_build_directly` says when it is:

- the model keeps Django's constructor and ``from_db``;
- every field read is stored as it is set: a plain attribute or Django's deferred-attribute
  descriptor (a field read lazily when it was not selected), or a foreign key's id, whose
  setter only drops a cached related object a new instance does not have;
- nobody listens to ``pre_init`` or ``post_init`` (checked on every build: a receiver
  connected later, e.g. by a test, gets the constructor again).

A field left out of ``attnames`` is deferred, as with ``Model.from_db``: not in ``__dict__``,
so reading it loads it.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)


def _stored_as_set(model: type[Model], attname: str) -> bool:
    found = inspect.getattr_static(model, attname, None)
    if isinstance(found, ForeignKeyDeferredAttribute):
        return True
    return type(found) is DeferredAttribute  # no setter: the value goes to __dict__


def can_build_directly(model: type[Model], attnames: Sequence[str]) -> bool:
    """Whether :func:`direct_build` makes the instance ``Model.from_db`` would (while nobody
    listens to the init signals)."""
    own_from_db = getattr(model.from_db, "__func__", None) is getattr(Model.from_db, "__func__", 0)
    return (model.__init__ is Model.__init__ and own_from_db and not model._meta.abstract
            and all(_stored_as_set(model, name) for name in attnames))


def direct_build(model: type[M], attnames: Sequence[str], values: Sequence[Any],
                 alias: str) -> M:
    """The instance of ``model`` read from database ``alias`` with these fields' values
    (``can_build_directly`` must hold)."""
    if pre_init.receivers or post_init.receivers:
        return cast(M, model.from_db(alias, list(attnames), list(values)))
    new = object.__new__(model)
    state = new._state = ModelState()
    state.adding = False
    state.db = alias
    new.__dict__.update(zip(attnames, values, strict=True))
    return new
