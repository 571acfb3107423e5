"""Statements that run on every request, written once per process.

Building and compiling a queryset costs Python time on every call: for the office
middleware's "this user's active memberships with their offices" about 0.4 ms of building
and compiling and 0.5 ms more of turning rows into objects, three times what the database
spends answering. A :class:`JoinedRows` is the same SELECT written once per process from the
models' own fields (so a new field is read without a change here), sent with new parameter
values each time, and read into model instances exactly as ``select_related`` reads them:
every concrete field through the database's converters, the related rows cached on the
instance.

Where the rule is a queryset's (a ranking, who counts), ``core.compiled.Compiled`` keeps it there:
the queryset is built and compiled once per process with stand-in values and its SQL sent
with each request's values, so the statement and the queryset cannot disagree.

Only for a few fixed statements of the request path, where the time is measured (see
docs/performance.md); everything else reads through querysets. A statement has no tenant
scope (django-scopes adds nothing here): it must name its own conditions, as the office
middleware's does for the one user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import DEFERRED, Field, ForeignKey, Model, OneToOneRel
from django.db.models.expressions import RawSQL

from jiritsu.core.compiled import Compiled, statement_cursor
from jiritsu.core.instances import can_build_directly, direct_build

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Join:
    """A to-one relation of the main model, read with it (``outer`` for a nullable one); a
    relation of a joined model is named through it (``"person__household"``, after
    ``"person"``) and cached on that model's instance; the reverse side of a one-to-one
    field (``"household__visit_grade__interval"``) is joined the same way. ``defer``: fields
    not read, as ``QuerySet.defer`` (reading one later costs a query)."""

    relation: str
    outer: bool = False
    defer: tuple[str, ...] = ()


class JoinedRows(Generic[M]):
    """``SELECT`` every column of ``model`` (alias ``m``) and of each :class:`Join` (aliases
    ``j0``, ``j1`` …) ``WHERE {where} ORDER BY {order_by}``; ``where`` and ``order_by`` are
    SQL with ``%s`` parameters and ``{m}``, ``{j0}`` … for the quoted aliases; ``{ids}`` after a
    column is membership in a list of ids given among the parameters, as :class:`Statement`'s.

    ``source``: a ``core.compiled.Compiled`` queryset giving the rows' primary keys first, then the
    values of ``annotations``; only those rows are read (the queryset, compiled once per
    process, holds the rule that chooses them). ``annotations``: attribute → SQL read with
    each row and set on its instance, raw (counts), or (SQL, output field) through the
    field's converters (a date on SQLite); ``{r}.{c1}`` … are the source's columns after the
    key. ``limit``: at most that many rows. ``defer``: fields of ``model`` not read.
    ``only``: the columns read, named as ``QuerySet.only`` names them (``"program__name"``;
    primary keys always), the rest deferred. ``ids_from``: a subquery giving the ids of the
    rows to read (its parameters first), on PostgreSQL ``= ANY(ARRAY(…))``, worked out
    before the joins (an ``IN`` semi-join is ordered with every joined table: half as much
    planning again with six joins), elsewhere ``IN (…)``. Rows that join the same related
    row share one instance of it."""

    def __init__(self, model: type[M], joins: Sequence[Join], *, where: str = "",
                 order_by: str = "", source: Compiled | None = None,
                 annotations: Mapping[str, str | tuple[str, Field[Any, Any]]] | None = None,
                 limit: int | None = None, defer: Sequence[str] = (),
                 only: Sequence[str] | None = None, ids_from: str = "") -> None:
        self.model = model
        self.defer = tuple(defer)
        self.joins = list(joins)
        self.where = where
        self.order_by = order_by
        self.source = source
        self.annotations = dict(annotations or {})
        self.limit = limit
        self.only = None if only is None else list(only)
        self.ids_from = ids_from
        self._prepared: dict[str, tuple[str, list[_Part], list[int], list[Any]]] = {}

    def _prepare(self, alias: str) -> tuple[str, list[_Part], list[int], list[Any]]:
        connection = connections[alias]
        qn = connection.ops.quote_name
        names = {"m": qn("m"), "r": qn("r"),
                 "ids": "= ANY(%s::bigint[])" if connection.vendor == "postgresql" else "IN (%s)"}
        parts = [_Part.of(self.model, "m", None, connection, defer=self.defer,
                          only=self._only(""))]
        parents: list[int] = []  # each join's parent part (0: the main model)
        joins = []
        for i, join in enumerate(self.joins):
            parent, field = self._relation(join.relation)
            target = field.related_model
            assert isinstance(target, type) and issubclass(target, Model)
            name = f"j{i}"
            names[name] = qn(name)
            parts.append(_Part.of(target, name, field, connection, defer=join.defer,
                                  only=self._only(join.relation)))
            parents.append(parent)
            owner = qn("m") if parent == 0 else qn(f"j{parent - 1}")
            if isinstance(field, OneToOneRel):  # the other side's one-to-one points here
                on = (f"{qn(name)}.{qn(field.field.column)} = "
                      f"{owner}.{qn(field.field.target_field.column)}")
            else:
                on = f"{qn(name)}.{qn(target._meta.pk.column)} = {owner}.{qn(field.column)}"
            joins.append(f"{'LEFT OUTER' if join.outer else 'INNER'} JOIN "
                         f"{qn(target._meta.db_table)} {qn(name)} ON {on}")
        head = ""
        if self.source is not None:
            sqls = self.source.sql(alias)
            assert len(sqls) == 1, "a source is one queryset"
            keys = ["k", *(f"c{i + 1}" for i in range(self.source.width(alias) - 1))]
            names.update({k: qn(k) for k in keys[1:]})
            head = f"WITH {qn('r')} ({', '.join(qn(k) for k in keys)}) AS ({sqls[0]}) "
            joins.insert(0, f"INNER JOIN {qn('r')} ON {qn('r')}.{qn('k')} = "
                            f"{qn('m')}.{qn(self.model._meta.pk.column)}")
        texts: list[str] = []
        converters: list[Any] = []  # (expression, its converters) or None for a raw value
        for e in self.annotations.values():
            if isinstance(e, str):
                texts.append(e.format(**names))
                converters.append(None)
                continue
            raw = RawSQL("", (), output_field=e[1])
            texts.append(f"({e[0].format(**names)})")
            converters.append((raw, connection.ops.get_db_converters(raw)
                               + raw.get_db_converters(connection)))
        columns = ", ".join([*(c for p in parts for c in p.columns), *texts])
        sql = (f"{head}SELECT {columns} FROM {qn(self.model._meta.db_table)} {qn('m')} "
               f"{' '.join(joins)}")
        where = [self.where.format(**names)] if self.where else []
        if self.ids_from:
            pk = f"{qn('m')}.{qn(self.model._meta.pk.column)}"
            where.insert(0, f"{pk} = ANY(ARRAY({self.ids_from}))"
                         if connection.vendor == "postgresql" else f"{pk} IN ({self.ids_from})")
        if where:
            sql += f" WHERE {' AND '.join(f'({w})' for w in where)}"
        if self.order_by:
            sql += f" ORDER BY {self.order_by.format(**names)}"
        if self.limit is not None:
            sql += f" LIMIT {int(self.limit)}"
        return sql, parts, parents, converters

    def _only(self, path: str) -> set[str] | None:
        """The field names ``only`` names of the model at ``path`` ("" for the main one)."""
        if self.only is None:
            return None
        prefix = f"{path}__" if path else ""
        return {n[len(prefix):] for n in self.only
                if n.startswith(prefix) and "__" not in n[len(prefix):]}

    def _relation(self, name: str) -> tuple[int, Any]:
        """(the part the relation belongs to — 0 the main model, i + 1 the i-th join —, its
        field: a foreign key, or the reverse side of a one-to-one)."""
        owner: Any = self.model
        parent = 0
        if "__" in name:
            head, name = name.rsplit("__", 1)
            index = [j.relation for j in self.joins].index(head)
            owner, parent = self._relation(head)[1].related_model, index + 1
        field = owner._meta.get_field(name)
        assert isinstance(field, ForeignKey | OneToOneRel)
        return parent, field

    def fetch(self, params: Sequence[Any] | Callable[[Any], Sequence[Any]] = (),
              known: Mapping[str, Model | None] | None = None, *,
              source: Mapping[str, Any] | None = None) -> list[M]:
        """The rows for these parameter values: a list, or a function of the connection
        that returns it (for values the database adapts, e.g. a moment on SQLite:
        ``lambda c: [c.ops.adapt_datetimefield_value(now)]``). ``known``: related instances
        the caller holds (``{"person": person}`` for the rows of one person), cached on
        every row as a related manager does. ``source``: the values of the source's
        parameters."""
        alias = router.db_for_read(self.model) or "default"
        prepared = self._prepared.get(alias)
        if prepared is None:
            prepared = self._prepared[alias] = self._prepare(alias)
        sql, parts, parents, converters = prepared
        connection = connections[alias]
        values = list(params(connection) if callable(params) else params)
        lists = any(isinstance(v, list | tuple) for v in values)  # for {ids}, as in Statement
        if lists:
            values = [[int(i) for i in v] if isinstance(v, list | tuple) else v for v in values]
            if connection.vendor == "postgresql":
                values = ["{" + ",".join(map(str, v)) + "}" if isinstance(v, list) else v
                          for v in values]
        if self.source is not None:
            values = [*self.source.params(alias, source or {}), *values]
        if lists and connection.vendor != "postgresql":
            sql, values = _expand_lists(sql, values)
        with statement_cursor(connection) as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        holding = [(self._relation(name)[1], value) for name, value in (known or {}).items()]
        extra = list(self.annotations)
        out: list[M] = []
        # A related row met again (the household of each of its members) is the same
        # instance: built and converted once per statement, as a prefetch would share it.
        shared: list[dict[Any, Any]] = [{} for _ in parts]
        for row in rows:
            start = 0
            built: list[Any] = []
            for i, part in enumerate(parts):
                if i and (instance := shared[i].get(row[start + part.pk_index])) is not None:
                    start += part.width
                else:
                    values = list(row[start:start + part.width])
                    start += part.width
                    instance = part.build(values, alias, connection)
                    if i and instance is not None:
                        shared[i][instance.pk] = instance
                if part.relation is not None:
                    owner = built[parents[i - 1]]
                    if owner is not None:
                        part.relation.set_cached_value(owner, instance)
                        if instance is not None and isinstance(part.relation, OneToOneRel):
                            part.relation.field.set_cached_value(instance, owner)
                built.append(instance)
            main = built[0]
            for field, value in holding:
                field.set_cached_value(main, value)
            for name, value, conv in zip(extra, row[start:], converters, strict=True):
                if conv is not None:
                    for convert in conv[1]:
                        value = convert(value, conv[0], connection)
                setattr(main, name, value)
            out.append(main)
        return out


def _converted_rows(connection: Any, sql: str, values: list[Any],
                    converters: list[tuple[int, list[Callable[..., Any]], Any]]
                    ) -> list[tuple[Any, ...]]:
    """The statement's rows as tuples, the columns with converters through them."""
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if not converters:
        return [tuple(r) for r in rows]
    out = []
    for row in rows:
        converted = list(row)
        for i, functions, col in converters:
            value = converted[i]
            for convert in functions:
                value = convert(value, col, connection)
            converted[i] = value
        out.append(tuple(converted))
    return out


def _any(connection: Any, sql: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """``sql`` with its ``{ids}`` made "one of ``ids``", and the parameters for it: as the
    ``__any`` lookup (jiritsu.core.lookups), one array parameter on PostgreSQL, sent as the
    array's text (see :meth:`Statement.fetch`: quoting a list costs more)."""
    numbers = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        return (sql.replace("{ids}", "= ANY(%s::bigint[])", 1),
                ["{" + ",".join(map(str, numbers)) + "}"])
    return sql.replace("{ids}", f"IN ({', '.join(['%s'] * len(numbers))})", 1), numbers


class PlainRows:
    """``SELECT`` a few ``columns`` (field names) of ``model`` whose ``key`` field is one of a
    list of ids ``AND {where}``, as tuples through the fields' converters: a statement
    written once per process (``where`` is SQL with ``%s`` parameters and ``{field}`` for a
    field's quoted column). For the small reads a page makes of a list it already holds
    (a caseload's people), where building and compiling a queryset costs several times
    the database's answer. No tenant scope: the ids must come from a scoped read (the
    caller's people are its office's, and so are the rows that point at them)."""

    def __init__(self, model: type[Model], columns: Sequence[str], *, key: str,
                 where: str = "") -> None:
        self.model = model
        self.columns = list(columns)
        self.key = key
        self.where = where
        self._prepared: dict[str, tuple[str, list[tuple[int, list[Callable[..., Any]], Any]]]] = {}

    def _prepare(self, alias: str) -> tuple[str, list[tuple[int, list[Callable[..., Any]], Any]]]:
        connection = connections[alias]
        qn = connection.ops.quote_name
        table = self.model._meta.db_table
        fields = {f.name: f for f in self.model._meta.concrete_fields}
        names = {name: f"{qn(table)}.{qn(f.column)}" for name, f in fields.items()}
        converters = []
        for i, name in enumerate(self.columns):
            col = fields[name].get_col(table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
        sql = (f"SELECT {', '.join(names[c] for c in self.columns)} FROM {qn(table)} "
               f"WHERE {names[self.key]} {{ids}}")
        if self.where:
            sql += f" AND ({self.where.format(**names)})"
        return sql, converters

    def fetch(self, ids: Sequence[int], params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows whose key is one of ``ids`` (none, and no query, for no ids)."""
        if not ids:
            return []
        alias = router.db_for_read(self.model) or "default"
        prepared = self._prepared.get(alias)
        if prepared is None:
            prepared = self._prepared[alias] = self._prepare(alias)
        sql, converters = prepared
        connection = connections[alias]
        sql, values = _any(connection, sql, ids)
        return _converted_rows(connection, sql, [*values, *params], converters)


class Statement:
    """A hand-written ``SELECT`` over the models' tables, written once per process, for a read
    the other kinds do not cover — a join, a ``GROUP BY``, a ``UNION`` of several tables —
    that a page makes every time (the visit rule's last visits and events of a caseload).

    ``sql`` names each model by its alias in ``tables``: ``{r}`` is the table with its alias
    (``"cases_activityrecord" "r"``), ``{r.occurred_at}`` a field's column (a relation's name
    gives its id column, ``pk`` the primary key), so the text follows the models' columns and
    tables; ``{ids}`` after a column is membership in a list of ids given as one parameter
    (one array parameter on PostgreSQL, ``IN (…)`` on SQLite, as the ``__any`` lookup). ``columns``
    names, for each column of the result, the field (``"r.occurred_at"``) whose converters
    its values go through (a ``MAX`` of a moment on SQLite is text until converted), or
    ``None`` to keep the database's value. Dates and moments among the parameters are
    adapted as the ORM adapts them. Like the other kinds it has no tenant scope: it names the
    office itself, and its ids come from a scoped read.
    """

    def __init__(self, tables: Mapping[str, type[Model]], sql: str, *,
                 columns: Sequence[str | None]) -> None:
        self.tables = dict(tables)
        self.sql = sql
        self.columns = list(columns)
        self._prepared: dict[str, tuple[str, list[tuple[int, list[Callable[..., Any]], Any]]]] = {}

    def _prepare(self, alias: str) -> tuple[str, list[tuple[int, list[Callable[..., Any]], Any]]]:
        connection = connections[alias]
        qn = connection.ops.quote_name
        names = {name: _Table(model, name, qn) for name, model in self.tables.items()}
        ids = "= ANY(%s::bigint[])" if connection.vendor == "postgresql" else "IN (%s)"
        sql = self.sql.format(ids=ids, **names)
        converters = []
        for i, ref in enumerate(self.columns):
            if ref is None:
                continue
            name, _, field_name = ref.partition(".")
            meta = self.tables[name]._meta
            field = meta.pk if field_name == "pk" else meta.get_field(field_name)
            assert isinstance(field, Field) and meta.pk is not None
            col = field.get_col(name)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
        return sql, converters

    def fetch(self, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows for these parameter values, in the order of the ``%s`` in ``sql`` (a list
        of ids for each ``{ids}``)."""
        alias = router.db_for_read(next(iter(self.tables.values()))) or "default"
        prepared = self._prepared.get(alias)
        if prepared is None:
            prepared = self._prepared[alias] = self._prepare(alias)
        sql, converters = prepared
        connection = connections[alias]
        ops = connection.ops
        postgresql = connection.vendor == "postgresql"
        values: list[Any] = []
        for value in params:
            if isinstance(value, dt.datetime):
                value = ops.adapt_datetimefield_value(value)
            elif isinstance(value, dt.date):
                value = ops.adapt_datefield_value(value)
            elif isinstance(value, list | tuple):
                # On PostgreSQL the array's text: psycopg's client-side binding spends ≈ 1.5 µs
                # an element quoting a list (≈ 100–130 µs for a caseload's 84 households), the
                # text costs a join.
                numbers = [int(v) for v in value]
                value = "{" + ",".join(map(str, numbers)) + "}" if postgresql else numbers
            values.append(value)
        if not postgresql:
            sql, values = _expand_lists(sql, values)
        return _converted_rows(connection, sql, values, converters)


class _Table:
    """A model under its alias in a :class:`Statement`'s text: formatted as the table and
    the alias, its attributes as the quoted columns of the fields."""

    def __init__(self, model: type[Model], alias: str, qn: Callable[[str], str]) -> None:
        self._model, self._alias, self._qn = model, alias, qn

    def __format__(self, spec: str) -> str:
        return f"{self._qn(self._model._meta.db_table)} {self._qn(self._alias)}"

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        meta = self._model._meta
        field = meta.pk if name == "pk" else meta.get_field(name)
        if not isinstance(field, Field) or not field.column:
            raise ValueError(f"{self._model.__name__}.{name}: not a column")
        return f"{self._qn(self._alias)}.{self._qn(field.column)}"


def _expand_lists(sql: str, values: list[Any]) -> tuple[str, list[Any]]:
    """SQLite has no arrays: each list parameter's ``%s`` becomes one ``%s`` per id (``NULL``
    for none: ``IN (NULL)`` matches nothing)."""
    pieces = sql.split("%s")
    if len(pieces) != len(values) + 1:
        raise ValueError(f"{len(pieces) - 1} parameters in the statement, {len(values)} given")
    text, flat = [pieces[0]], []
    for value, piece in zip(values, pieces[1:], strict=True):
        if isinstance(value, list):
            text.append(", ".join(["%s"] * len(value)) or "NULL")
            flat.extend(value)
        else:
            text.append("%s")
            flat.append(value)
        text.append(piece)
    return "".join(text), flat


class InsertRow:
    """``INSERT`` one row of ``model`` (every concrete field but an automatic primary key),
    written once per process, for a row the request path appends each time (the audit row
    of a page view): what ``Model.objects.create`` does — each field's ``pre_save`` (so
    ``auto_now_add`` fills itself in) and ``get_db_prep_save``, the new primary key set on
    the instance — without building and compiling an insert query every time. No signals
    are sent: only for models nothing listens to."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if f is not meta.pk]
        self._sql: dict[str, tuple[str, bool]] = {}

    def _prepare(self, alias: str) -> tuple[str, bool]:
        connection = connections[alias]
        qn = connection.ops.quote_name
        meta = self.model._meta
        returning = bool(connection.features.can_return_columns_from_insert)
        sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) "
               f"VALUES ({', '.join(['%s'] * len(self.fields))})")
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"
        return sql, returning

    def insert(self, instance: Model) -> None:
        alias = router.db_for_write(self.model) or "default"
        prepared = self._sql.get(alias)
        if prepared is None:
            prepared = self._sql[alias] = self._prepare(alias)
        sql, returning = prepared
        connection = connections[alias]
        values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            pk = cursor.fetchone()[0] if returning else cursor.lastrowid
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = alias


def meta_order(model: type[Model], alias: str = "{m}", *, constant: Sequence[str] = ()) -> str:
    """``ORDER BY`` text for ``model``'s ``Meta.ordering`` of plain fields (``"-since"`` →
    ``{m}.since DESC``), leaving out the fields named in ``constant`` (the relation every row
    shares, e.g. ``person`` for one person's rows, whose own ordering would only add a join),
    then the primary key so that ties come out in one order."""
    from django.db import connection

    qn = connection.ops.quote_name
    parts = []
    for entry in model._meta.ordering or ():
        if not isinstance(entry, str):
            raise ValueError(f"{model.__name__}: only plain field names can be ordered by")
        name = entry.lstrip("-")
        if name in constant:
            continue
        field = model._meta.get_field(name)
        if not isinstance(field, Field) or field.is_relation or not field.column:
            raise ValueError(f"{model.__name__}.{name}: not a plain column")
        parts.append(f"{alias}.{qn(field.column)}{' DESC' if entry.startswith('-') else ''}")
    pk = f"{alias}.{qn(model._meta.pk.column)}"
    if not any(p.startswith(pk) for p in parts):
        parts.append(pk)
    return ", ".join(parts)


@dataclass
class _Part:
    """One model's columns in the statement, and how its values become an instance."""

    model: type[Model]
    columns: list[str]
    converters: list[tuple[int, list[Callable[..., Any]], Any]]
    relation: Any  # the foreign key (or reverse one-to-one) caching it on its owner; None: main
    attnames: list[str]
    pk_index: int
    slots: list[int] | None = None  # each concrete field's column, -1 deferred; None: all read
    direct: bool = False  # built without Model.__init__ (jiritsu.core.instances)

    @property
    def width(self) -> int:
        return len(self.columns)

    @classmethod
    def of(cls, model: type[Model], alias: str, relation: Any, connection: Any, *,
           defer: Sequence[str] = (), only: set[str] | None = None) -> _Part:
        qn = connection.ops.quote_name
        for name in defer:
            model._meta.get_field(name)  # a field of the model
            if name == model._meta.pk.name:
                raise ValueError(f"{model.__name__}.{name}: the primary key is always read")
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f.name not in defer
                  and (only is None or f is pk or f.name in only or f.attname in only)]
        converters = []
        for i, field in enumerate(fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
        attnames = [f.attname for f in fields]
        # What Model.from_db works out for every row when fields are deferred (each field
        # looked up in the list of those read),
        # worked out once (a model with its own from_db keeps it).
        own = getattr(model.from_db, "__func__", None) is getattr(Model.from_db, "__func__", 0)
        slots = (None if len(fields) == len(model._meta.concrete_fields) or not own else
                 [attnames.index(f.attname) if f.attname in attnames else -1
                  for f in model._meta.concrete_fields])
        return cls(model, [f"{qn(alias)}.{qn(f.column)}" for f in fields], converters,
                   relation, attnames, attnames.index(model._meta.pk.attname), slots,
                   can_build_directly(model, attnames))

    def build(self, values: list[Any], alias: str, connection: Any) -> Model | None:
        if self.relation is not None and values[self.pk_index] is None:
            return None  # an outer join that found no row
        for i, functions, col in self.converters:
            value = values[i]
            for convert in functions:
                value = convert(value, col, connection)
            values[i] = value
        if self.direct:
            return direct_build(self.model, self.attnames, values, alias)
        if self.slots is None:
            return self.model.from_db(alias, self.attnames, values)
        new = self.model(*[values[i] if i >= 0 else DEFERRED for i in self.slots])
        new._state.adding = False  # as Model.from_db
        new._state.db = alias
        return new


class Presence:
    """Whether each of several tables holds a row with a value in a column, in one statement
    written once per process: ``SELECT EXISTS (SELECT 1 FROM t0 WHERE c0 = %s), EXISTS (…)``.
    For a page that reads several kinds of rows most people have none of: asking first costs
    one cheap statement, and the querysets of the kinds found empty are never built.
    ``sources``: a name for each kind → (model, the name of its field holding the value)."""

    def __init__(self, sources: Mapping[str, tuple[type[Model], str]]) -> None:
        self.sources = dict(sources)
        self._prepared: dict[str, str] = {}

    def _prepare(self, alias: str) -> str:
        qn = connections[alias].ops.quote_name
        tests = []
        for model, name in self.sources.values():
            field = model._meta.get_field(name)
            if not isinstance(field, Field) or not field.column:
                raise ValueError(f"{model.__name__}.{name}: not a column")
            column = field.column
            tests.append(f"EXISTS (SELECT 1 FROM {qn(model._meta.db_table)} "
                         f"WHERE {qn(column)} = %s)")
        return "SELECT " + ", ".join(tests)

    def fetch(self, value: Any) -> dict[str, bool]:
        """Each name → whether its table holds a row with ``value``."""
        first = next(iter(self.sources.values()))[0]
        alias = router.db_for_read(first) or "default"
        sql = self._prepared.get(alias)
        if sql is None:
            sql = self._prepared[alias] = self._prepare(alias)
        with statement_cursor(connections[alias]) as cursor:
            cursor.execute(sql, [value] * len(self.sources))
            row = cursor.fetchone()
        return {name: bool(found) for name, found in zip(self.sources, row, strict=True)}

