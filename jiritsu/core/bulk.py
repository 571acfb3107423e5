"""Writing many rows at once: ``insert_many``, ``insert_rows`` and ``update_many``; and
``analyze_after_commit`` for the planner statistics of the tables a bulk load filled.

On PostgreSQL they stream the rows with ``COPY`` (psycopg 3): ``insert_many`` takes the
primary keys from the table's sequence in one query and copies the objects in,
``insert_rows`` copies plain value rows (no model instances, no keys back), and
``update_many`` copies the new values into a temporary table and runs one
``UPDATE … FROM``. Django's ``bulk_create`` on PostgreSQL sends ``UNNEST`` arrays that
Django's client-side-binding cursor quotes element by element in Python, and
``bulk_update`` builds one ``CASE WHEN`` per field with a branch per row; for 10,000 rows
either took seconds (bench/, cases "import …"). On other databases (SQLite in development
and tests) they fall back to ``bulk_create`` and one prepared ``UPDATE`` sent with
``executemany``.

Like ``bulk_create``, none of them calls ``save()`` or sends signals. ``insert_many`` and
``insert_rows`` fill ``auto_now``/``auto_now_add`` fields (one timestamp per call) and
field defaults; ``update_many`` writes the attributes as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from jiritsu.core import clock

# Field types whose Python values of the types in _PLAIN_TYPES go to the database unchanged
# (what their get_db_prep_save would return for those values).
_PLAIN_FIELDS = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField",
    "EmailField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
    "BooleanField", "DateField", "ForeignKey", "OneToOneField",
})
_PLAIN_TYPES = frozenset({str, int, bool, dt.date, type(None)})


def _is_auto(field: Any) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _converter(field: Any, conn: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """Python value → database value for ``field``, skipping Django's per-value
    preparation where it would return the value unchanged."""
    kind = field.get_internal_type()
    prepare = field.get_db_prep_save
    if kind in _PLAIN_FIELDS:
        def plain(value: Any) -> Any:
            return value if type(value) in _PLAIN_TYPES else prepare(value, conn)
        return plain
    if kind == "DateTimeField":
        def moment(value: Any) -> Any:
            if type(value) is dt.datetime and value.tzinfo is not None:
                return value
            return prepare(value, conn)
        return moment

    def prepared(value: Any) -> Any:
        return prepare(value, conn)
    return prepared


def _auto_value(field: Any) -> Any:
    """What ``pre_save(add=True)`` puts in an auto_now(_add) field."""
    if field.get_internal_type() == "DateTimeField":
        return clock.now()
    if field.get_internal_type() == "DateField":
        return clock.today()
    return clock.now().time()


def _fix_relations(objs: Sequence[Model], fields: list[Any]) -> None:
    """A foreign key set to an object saved after the assignment: take its primary key
    (what ``bulk_create`` does in ``_prepare_related_fields_for_save``)."""
    for f in fields:
        if f.remote_field is None:
            continue
        for obj in objs:
            if getattr(obj, f.attname) is None and f.is_cached(obj):
                related = f.get_cached_value(obj)
                if related is not None:
                    setattr(obj, f.attname, related.pk)


def _conn() -> BaseDatabaseWrapper:
    return connections[DEFAULT_DB_ALIAS]


def insert_many(model: type[Model], objs: Sequence[Model], *, batch_size: int = 1000) -> None:
    """INSERT ``objs`` (new, unsaved instances of ``model``) and set their primary keys."""
    if not objs:
        return
    conn = _conn()
    meta = model._meta
    pk: Any = meta.pk
    fields: list[Any] = [f for f in meta.concrete_fields if f is not pk]
    _fix_relations(objs, fields)
    if conn.vendor != "postgresql":
        model._base_manager.bulk_create(list(objs), batch_size=batch_size)
        return
    for f in fields:
        if _is_auto(f):
            value = _auto_value(f)
            for obj in objs:
                setattr(obj, f.attname, value)
    quote = conn.ops.quote_name
    table = quote(meta.db_table)
    getters = [(f.attname, _converter(f, conn)) for f in fields]
    columns = ", ".join(quote(c) for c in [pk.column, *(f.column for f in fields)])
    with conn.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, pk.column, len(objs)])
        ids = [row[0] for row in cur.fetchall()]
        with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj, new_id in zip(objs, ids, strict=True):
                obj.pk = new_id
                copy.write_row([new_id, *(conv(getattr(obj, name)) for name, conv in getters)])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = conn.alias


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT plain rows of values for ``fields`` (attribute names) of ``model``; the
    primary key comes from the database. ``auto_now``/``auto_now_add`` fields not in
    ``fields`` get the current time; other fields left out get their defaults, evaluated
    once per call (so not for fields whose default must differ per row, e.g. uuid4)."""
    conn = _conn()
    meta = model._meta
    pk: Any = meta.pk
    named: list[Any] = [meta.get_field(name) for name in fields]
    missing: list[Any] = [f for f in meta.concrete_fields if f is not pk and f not in named]
    extra = [_auto_value(f) if _is_auto(f) else f.get_default() for f in missing]
    if conn.vendor != "postgresql":
        attnames = [f.attname for f in named] + [f.attname for f in missing]
        objs = [model(**dict(zip(attnames, [*row, *extra], strict=True))) for row in rows]
        model._base_manager.bulk_create(objs, batch_size=1000)
        return
    convs = [_converter(f, conn) for f in named]
    tail = [_converter(f, conn)(v) for f, v in zip(missing, extra, strict=True)]
    quote = conn.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*named, *missing])
    with conn.cursor() as cur, cur.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([*(conv(v) for conv, v in zip(convs, row, strict=True)), *tail])


def update_many(model: type[Model], objs: Sequence[Model], fields: list[str]) -> None:
    """UPDATE ``fields`` (names) of saved ``objs`` by primary key, all in one go."""
    if not objs:
        return
    conn = _conn()
    meta = model._meta
    pk: Any = meta.pk
    cols: list[Any] = [meta.get_field(name) for name in fields]
    quote = conn.ops.quote_name
    table = quote(meta.db_table)
    if conn.vendor != "postgresql":
        sql = (f"UPDATE {table} SET " + ", ".join(f"{quote(c.column)} = %s" for c in cols)
               + f" WHERE {quote(pk.column)} = %s")
        params = [[c.get_db_prep_save(getattr(obj, c.attname), conn) for c in cols] + [obj.pk]
                  for obj in objs]
        with conn.cursor() as cur:
            cur.executemany(sql, params)
        return
    getters = [(c.attname, _converter(c, conn)) for c in cols]
    temp = quote(f"_update_many_{meta.db_table}")
    columns = [quote(pk.column), *(quote(c.column) for c in cols)]
    # The temporary table is dropped at COMMIT: the whole update is one transaction (a
    # savepoint inside the caller's), or in autocommit it would vanish after CREATE.
    with transaction.atomic(using=conn.alias), conn.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
                    f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA")
        with cur.copy(f"COPY {temp} ({', '.join(columns)}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([obj.pk, *(conv(getattr(obj, name)) for name, conv in getters)])
        cur.execute(f"UPDATE {table} AS t SET "
                    + ", ".join(f"{c} = s.{c}" for c in columns[1:])
                    + f" FROM {temp} AS s WHERE t.{columns[0]} = s.{columns[0]}")
        cur.execute(f"DROP TABLE {temp}")


# A bulk write of at least this many rows into a table refreshes its planner statistics.
ANALYZE_MIN_ROWS = 500


def analyze(models: Iterable[type[Model]]) -> list[str]:
    """``ANALYZE`` the tables of ``models`` (PostgreSQL; nothing on other databases).

    Rows written by COPY are not in the planner's statistics until (auto)analyze runs;
    until then a report over freshly loaded tables can choose a plan that takes seconds
    instead of milliseconds. Returns the tables analysed."""
    conn = _conn()
    if conn.vendor != "postgresql":
        return []
    tables = sorted({m._meta.db_table for m in models})
    with conn.cursor() as cur:
        for table in tables:
            cur.execute(f"ANALYZE {conn.ops.quote_name(table)}")
    return tables


def analyze_after_commit(written: Mapping[type[Model], int], *,
                         min_rows: int = ANALYZE_MIN_ROWS) -> list[type[Model]]:
    """After the current transaction commits, ``ANALYZE`` each table of ``written``
    (model → rows inserted or updated) that received at least ``min_rows`` rows. Returns
    the models that will be analysed."""
    models = [m for m, n in written.items() if n >= min_rows]
    if models:
        transaction.on_commit(lambda: analyze(models), using=_conn().alias)
    return models
