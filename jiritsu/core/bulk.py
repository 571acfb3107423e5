"""Writing many rows at once: ``insert_many``, ``insert_rows`` (``insert_columns``),
``update_many`` and ``upsert_rows``; and ``analyze_after_commit`` for the planner statistics of the tables a bulk
load filled.

On PostgreSQL they stream the rows with ``COPY`` (psycopg 3): ``insert_many`` takes the
primary keys from the table's sequence in one query and copies the objects in,
``insert_rows`` copies plain value rows (no model instances, no keys back), and
``update_many`` copies the new values into a temporary table and runs one
``UPDATE … FROM``; ``upsert_rows`` copies rows keyed by a unique key into a temporary
table and runs one ``UPDATE … FROM`` for the rows whose values differ and one ``INSERT …
SELECT`` for the new keys (the same two statements on SQLite, the temporary table filled
with ``executemany``). Django's ``bulk_create`` on PostgreSQL sends ``UNNEST`` arrays that
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
from itertools import repeat
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
# Field types whose plain values psycopg writes in the binary COPY format as the column's own
# type (no JSON, no time stamps: their Python values take other forms).
_BINARY_FIELDS = _PLAIN_FIELDS - {"AutoField", "BigAutoField", "SmallAutoField"}


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
    rows = list(rows)
    insert_columns(model, fields, [[row[n] for row in rows] for n in range(len(fields))])


def insert_columns(model: type[Model], fields: Sequence[str], columns: Sequence[Sequence[Any]]) -> None:
    """:func:`insert_rows` with the values column by column (one sequence per field, all of
    the same length)."""
    conn = _conn()
    meta = model._meta
    pk: Any = meta.pk
    named: list[Any] = [meta.get_field(name) for name in fields]
    missing: list[Any] = [f for f in meta.concrete_fields if f is not pk and f not in named]
    extra = [_auto_value(f) if _is_auto(f) else f.get_default() for f in missing]
    count = len(columns[0]) if columns else 0
    if conn.vendor != "postgresql":
        attnames = [f.attname for f in named] + [f.attname for f in missing]
        objs = [model(**dict(zip(attnames, [*row, *extra], strict=True)))
                for row in zip(*columns, strict=True)]
        model._base_manager.bulk_create(objs, batch_size=1000)
        return
    # A column of plain values of a plain field goes as it is.
    values: list[Sequence[Any]] = list(columns)
    for n, f in enumerate(named):
        if f.get_internal_type() not in _PLAIN_FIELDS or not set(map(type, values[n])) <= _PLAIN_TYPES:
            values[n] = list(map(_converter(f, conn), values[n]))
    tail = [repeat(_converter(f, conn)(v), count) for f, v in zip(missing, extra, strict=True)]
    if all(f.get_internal_type() in _BINARY_FIELDS for f in (*named, *missing)):
        # Numbers, text and dates only: the binary COPY, with the table's own column types.
        with conn.cursor() as cur:
            _copy(cur, meta.db_table, [f.column for f in (*named, *missing)], [*values, *map(list, tail)])
        return
    quote = conn.ops.quote_name
    names = ", ".join(quote(f.column) for f in [*named, *missing])
    with conn.cursor() as cur, cur.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in zip(*values, *tail, strict=True):
            copy.write_row(row)


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



def upsert_rows(model: type[Model], *, key: Sequence[str], fields: Sequence[str],
                columns: Sequence[Sequence[Any]], fixed: Mapping[str, Any], returning: str,
                within: Mapping[str, Any] | None = None) -> tuple[list[Any], list[Any]]:
    """Write rows into ``model`` by its unique ``key``: a new key is INSERTed, an existing row
    whose ``fields`` differ (``IS DISTINCT FROM``) is UPDATEd, an equal row is left alone.

    ``columns``: the rows column by column, the values of ``key`` then of ``fields``
    (attribute names); the keys must be distinct. ``fixed`` (attribute → value) is written
    with every inserted and every updated row and never compared (e.g. the office, the time
    received). Other fields take their defaults on insert and stay as they are on update.
    ``within`` (attribute → a value, or a ``(first, last)`` range) narrows the stored rows the
    new ones are compared with to those an index finds — e.g. the office and the months of the
    batch rather than the whole table; a stored row with one of the keys must lie within it.
    Returns the ``returning`` attribute (one of ``key``) of the inserted rows and of the
    updated rows.

    Three statements whatever the number of rows: the stored keys within ``within`` are read;
    the new rows are copied straight into the table (binary ``COPY`` on PostgreSQL); the others
    are copied into a temporary table and one ``UPDATE … FROM`` writes those that differ. A
    concurrent writer of the same keys makes the unique constraint refuse the second
    (callers serialise, e.g. with an advisory lock). Elsewhere (SQLite) the same statements
    with ``executemany``; all in one savepoint."""
    conn = _conn()
    meta = model._meta
    quote = conn.ops.quote_name
    table = quote(meta.db_table)
    pk: Any = meta.pk
    copied: list[Any] = [meta.get_field(name) for name in (*key, *fields)]
    stamped: list[Any] = [meta.get_field(name) for name in fixed]
    named = {f.attname for f in (*copied, *stamped)}
    rest: list[Any] = [f for f in meta.concrete_fields if f is not pk and f.attname not in named]
    back = list(key).index(returning)
    postgres = conn.vendor == "postgresql"
    names = [quote(f.column) for f in copied]
    narrow, narrow_params = [], []
    for name, value in (within or {}).items():
        field: Any = meta.get_field(name)
        if isinstance(value, tuple):
            narrow.append(f"t.{quote(field.column)} BETWEEN %s AND %s")
            narrow_params += [field.get_db_prep_save(v, conn) for v in value]
        else:
            narrow.append(f"t.{quote(field.column)} = %s")
            narrow_params.append(field.get_db_prep_save(value, conn))
    values = [_prepared(f, column, conn) for f, column in zip(copied, columns, strict=True)]
    if not values or not values[0]:
        return [], []
    keys = list(zip(*values[:len(key)], strict=True))
    with transaction.atomic(using=conn.alias), conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(f't.{c}' for c in names[:len(key)])} FROM {table} AS t"
                    + (f" WHERE {' AND '.join(narrow)}" if narrow else ""), narrow_params)
        found = cur.fetchall()
        if not postgres and found:  # e.g. SQLite's dates come back as dates: compare as sent
            by_column = [_prepared(f, column, conn) for f, column in zip(copied, zip(*found, strict=True),
                                                                       strict=False)]
            found = list(zip(*by_column, strict=True))
        stored = set(found)
        old = [n for n, k in enumerate(keys) if k in stored] if stored else []
        if len(old) == len(keys):
            new: list[int] = []
        else:
            seen = set(old)
            new = [n for n in range(len(keys)) if n not in seen] if old else list(range(len(keys)))
        created = [keys[n][back] for n in new]
        # New keys: straight into the table, the fixed values and the defaults beside them.
        constants = [f.get_db_prep_save(v, conn) for f, v in zip(stamped, fixed.values(), strict=True)]
        constants += [f.get_db_prep_save(_auto_value(f) if _is_auto(f) else f.get_default(), conn)
                      for f in rest]
        _copy(cur, meta.db_table, [f.column for f in (*copied, *stamped, *rest)],
              _take(values, new, constants))
        updated: list[Any] = []
        if old and len(key) < len(names):
            temp = f"_upsert_{meta.db_table}"
            cur.execute(f"CREATE TEMPORARY TABLE {quote(temp)} " + ("ON COMMIT DROP " if postgres else "")
                        + f"AS SELECT {', '.join(names)} FROM {table} WHERE 1 = 0")
            _copy(cur, temp, [f.column for f in copied], _take(values, old, []), temporary=True)
            compared = names[len(key):]
            differs = " IS DISTINCT FROM " if postgres else " IS NOT "
            on_key = " AND ".join([*(f"t.{c} = s.{c}" for c in names[:len(key)]), *narrow])
            sets = [f"{c} = s.{c}" for c in compared] + [f"{quote(f.column)} = %s" for f in stamped]
            cur.execute(f"UPDATE {table} AS t SET {', '.join(sets)} FROM {quote(temp)} AS s WHERE {on_key} AND ("
                        + " OR ".join(f"t.{c}{differs}s.{c}" for c in compared)
                        + f") RETURNING {'t.' if postgres else ''}{names[back]}",
                        [*constants[:len(stamped)], *narrow_params])
            updated = [row[0] for row in cur.fetchall()]
            cur.execute(f"DROP TABLE {quote(temp)}")
    return created, updated


def _take(values: list[Sequence[Any]], rows: list[int], constants: list[Any]) -> list[Sequence[Any]]:
    """The columns of ``rows`` (all of them when it names every row), then a column per
    constant."""
    count = len(rows)
    columns = values if count == len(values[0]) else [[column[n] for n in rows] for column in values]
    return [*columns, *([value] * count for value in constants)]


def _copy(cur: Any, table: str, names: list[str], columns: list[Sequence[Any]], *,
          temporary: bool = False) -> None:
    """Rows, given column by column, into ``table`` and its columns ``names`` (database
    names): binary COPY with the table's own column types on PostgreSQL (the types are read
    first: no statement may run on the connection while a COPY is open), ``executemany``
    elsewhere."""
    if not columns or not columns[0]:
        return
    conn = _conn()
    quote = conn.ops.quote_name
    into = f"{quote(table)} ({', '.join(map(quote, names))})"
    if conn.vendor != "postgresql":
        cur.executemany(f"INSERT INTO {into} VALUES ({', '.join(['%s'] * len(names))})",
                        list(zip(*columns, strict=True)))
        return
    cur.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped", [("pg_temp." if temporary else "") + quote(table)])
    types = dict(cur.fetchall())
    with cur.copy(f"COPY {into} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([types[name] for name in names])
        for row in zip(*columns, strict=True):
            copy.write_row(row)


def _prepared(field: Any, column: Sequence[Any], conn: BaseDatabaseWrapper) -> Sequence[Any]:
    """A column's values as the database takes them: unchanged when they are all of the plain
    types (PostgreSQL), else through the field's preparation, value by value."""
    if conn.vendor == "postgresql" and set(map(type, column)) <= _PLAIN_TYPES:
        return column
    return [field.get_db_prep_save(v, conn) for v in column]

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


def analyze_after_commit(written: Mapping[type[Model], int], *, min_rows: int = ANALYZE_MIN_ROWS,
                         min_share: float = 0.0) -> list[type[Model]]:
    """After the current transaction commits, ``ANALYZE`` each table of ``written``
    (model → rows inserted or updated) that received at least ``min_rows`` rows and, with
    ``min_share``, at least that share of the rows the planner knows the table to have (on
    PostgreSQL: a table never analysed always is). Returns the models that will be analysed.

    ``min_share`` is for tables that grow by steady loads (a month of amounts is a twelfth of
    a year's): ANALYZE reads a sample of the whole table (about a second for the large
    office's 2.4 million claims), and autovacuum analyses a table once a tenth of it has
    changed; the first load into an empty table is analysed at once all the same."""
    models = [m for m, n in written.items() if n >= min_rows]
    conn = _conn()
    if models and min_share and conn.vendor == "postgresql":
        with conn.cursor() as cur:
            cur.execute("SELECT t, (SELECT reltuples FROM pg_class WHERE oid = to_regclass(t)) "
                        "FROM unnest(%s::text[]) AS t", [[m._meta.db_table for m in models]])
            known = dict(cur.fetchall())
        models = [m for m in models if (known.get(m._meta.db_table) or -1) <= 0
                  or written[m] >= min_share * known[m._meta.db_table]]
    if models:
        transaction.on_commit(lambda: analyze(models), using=_conn().alias)
    return models
