"""Querysets compiled once per process: the statement of a rule that a queryset defines.

Building and compiling a queryset costs ≈ 1 ms of Python a statement on every call
(jiritsu.core.rows). Where the rule is a queryset's — a ranking, who counts — writing the
statement by hand would define the rule twice; :class:`Compiled` builds and compiles the
queryset once per process with stand-in values and sends its SQL with each request's values,
so the statement and the queryset cannot disagree (docs/performance.md, "Program board,
sixth round"). ``core.rows.JoinedRows`` reads model instances for the rows a compiled
queryset chooses (its ``source``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Model, QuerySet
from django_scopes import scopes_disabled


@contextmanager
def statement_cursor(connection: Any) -> Iterator[Any]:
    """A cursor for a statement written once per process (this module's and
    ``core.rows``'): on PostgreSQL its parameters are bound by the server, so that psycopg
    prepares the statement on a connection after its fifth run there and PostgreSQL plans
    it no more (``JIRITSU_PREPARED_STATEMENTS``; planning was about half of the caseworker
    home's PostgreSQL CPU, docs/performance.md). Behind PgBouncer in transaction mode
    psycopg prepares nothing (``prepare_threshold`` is None, jiritsu/settings.py), and the
    statement is sent as it is. Django's cursor wrapper is kept (query capture, the
    execute wrappers); other statements keep Django's client-side binding."""
    if connection.vendor == "postgresql" and settings.JIRITSU_PREPARED_STATEMENTS:
        import psycopg

        # What connection.cursor() does, with a server-binding cursor in place of the
        # client-binding one it would open (and this would close unused).
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            wrapped = connection._prepare_cursor(psycopg.Cursor(connection.connection))
        with wrapped as cursor:
            yield cursor
        return
    with connection.cursor() as cursor:
        yield cursor


class Compiled:
    """Querysets compiled once per process: the rule stays in the querysets (where every
    other caller reads it), the Python that builds and compiles them runs once.

    ``build(**values)`` returns the querysets; it is called once per database with a
    stand-in for each value (``stand_ins``: an ``int`` or a date, unlike any constant of the
    statement), under ``scopes_disabled()`` — the statement must name its own office
    condition, as every statement here does — and each parameter of the compiled SQL equal
    to a stand-in is sent with the request's value instead. A stand-in the compiled SQL
    does not hold as a parameter (written into the text, or not used) is refused."""

    def __init__(self, model: type[Model], build: Callable[..., Sequence[QuerySet[Any]]],
                 **stand_ins: Any) -> None:
        for name, value in stand_ins.items():
            if type(value) not in (int, dt.date):
                raise TypeError(f"{name}: a stand-in is an int or a date")
        self.model = model  # the database is the one its reads go to
        self.build = build
        self.stand_ins = stand_ins
        self._prepared: dict[str, tuple[list[str], list[tuple[str | None, Any]], int]] = {}

    def _prepare(self, alias: str) -> tuple[list[str], list[tuple[str | None, Any]], int]:
        connection = connections[alias]
        with scopes_disabled():
            querysets = list(self.build(**self.stand_ins))
        forms: dict[Any, str] = {}
        for name, value in self.stand_ins.items():
            forms[value] = name
            if type(value) is dt.date:
                forms[connection.ops.adapt_datefield_value(value)] = name
        sqls: list[str] = []
        slots: list[tuple[str | None, Any]] = []
        seen: set[str] = set()
        for qs in querysets:
            sql, params = qs.query.get_compiler(using=alias).as_sql()
            for form in forms:
                if str(form) in sql:
                    raise ValueError(f"{forms[form]}: written into the statement, not a parameter")
            sqls.append(sql)
            for p in params:
                found: str | None
                try:
                    found = forms.get(p)
                except TypeError:  # a list (an array parameter): never a stand-in
                    found = None
                slots.append((found, p))
                if found:
                    seen.add(found)
        if missing := set(self.stand_ins) - seen:
            raise ValueError(f"not parameters of the statement: {sorted(missing)}")
        query = querysets[0].query
        width = len(query.values_select) + len(query.annotation_select)
        return sqls, slots, width

    def _get(self, alias: str) -> tuple[list[str], list[tuple[str | None, Any]], int]:
        prepared = self._prepared.get(alias)
        if prepared is None:
            prepared = self._prepared[alias] = self._prepare(alias)
        return prepared

    def sql(self, alias: str) -> list[str]:
        """The querysets' SQL, each with ``%s`` parameters."""
        return self._get(alias)[0]

    def width(self, alias: str) -> int:
        """The columns of the first queryset (a ``values`` queryset)."""
        return self._get(alias)[2]

    def params(self, alias: str, values: Mapping[str, Any]) -> list[Any]:
        """The parameters of every queryset in order, with ``values`` for the stand-ins."""
        connection = connections[alias]
        if set(values) != set(self.stand_ins):
            raise ValueError(f"values for {sorted(self.stand_ins)}, not {sorted(values)}")
        adapted = {name: (connection.ops.adapt_datefield_value(v) if isinstance(v, dt.date)
                          else int(v)) for name, v in values.items()}
        return [adapted[name] if name else p for name, p in self._get(alias)[1]]

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows of the (one) queryset for ``values``, as the database gives them (for
        plain values: texts, numbers)."""
        alias = router.db_for_read(self.model) or "default"
        sqls = self.sql(alias)
        assert len(sqls) == 1, "rows of one queryset"
        with statement_cursor(connections[alias]) as cursor:
            cursor.execute(sqls[0], self.params(alias, values))
            return [tuple(r) for r in cursor.fetchall()]

    def count(self, **values: Any) -> list[int]:
        """How many rows each queryset gives (what ``count()`` gives), in one statement."""
        alias = router.db_for_read(self.model) or "default"
        sqls = self.sql(alias)
        with statement_cursor(connections[alias]) as cursor:
            cursor.execute(_counting(sqls), self.params(alias, values))
            row = cursor.fetchone()
        return [int(n) for n in row]


def _counting(sqls: Sequence[str]) -> str:
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM ({sql}) counted_{i})"
                                 for i, sql in enumerate(sqls))

