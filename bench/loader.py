"""Bulk loading for the synthetic data: PostgreSQL COPY, or bulk_create on SQLite.

Rows are plain tuples in a fixed field order per model (``SPEC``); every other concrete
field gets its model default (``auto_now`` fields get the load time). IDs are assigned
here, in Python, starting above the highest id already in each table, so rows can refer
to each other before anything is written. Nothing that migrations own is dropped or
recreated: COPY goes into the tables as they are, indexes and constraints included.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction
from django_scopes import scopes_disabled

from jiritsu.core import clock


class Loader:
    def __init__(self, spec: Sequence[tuple[type[models.Model], Sequence[str]]]) -> None:
        self.spec = list(spec)
        self.pg = connection.vendor == "postgresql"
        self.rows: dict[type[models.Model], list[tuple[Any, ...]]] = defaultdict(list)
        self.next_ids: dict[type[models.Model], int] = {}
        self.totals: dict[str, int] = defaultdict(int)
        self.copy_seconds = 0.0
        now = clock.now()
        self._extra: dict[type[models.Model], tuple[list[str], tuple[Any, ...]]] = {}
        self._json_pos: dict[type[models.Model], list[int]] = {}
        for model, fields in self.spec:
            given = set(fields)
            names: list[str] = []
            values: list[Any] = []
            for f in model._meta.concrete_fields:
                if f.attname in given:
                    continue
                names.append(f.column)
                values.append(self._default(f, now))
            self._extra[model] = (names, tuple(values))
            self._json_pos[model] = [
                i for i, name in enumerate(fields)
                if isinstance(model._meta.get_field(name.removesuffix("_id")), models.JSONField)
            ]
        with connection.cursor() as cur:
            for model, _ in self.spec:
                cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.db_table}"')
                self.next_ids[model] = cur.fetchone()[0] + 1

    def _default(self, field: models.Field, now: Any) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now if isinstance(field, models.DateTimeField) else now.date()
        if field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif isinstance(field, models.CharField | models.TextField):
            value = ""
        else:
            raise ValueError(f"{field.model.__name__}.{field.name} needs a value in the spec")
        if self.pg and isinstance(field, models.JSONField):
            return json.dumps(value, ensure_ascii=False)
        return value

    def new_id(self, model: type[models.Model]) -> int:
        n = self.next_ids[model]
        self.next_ids[model] = n + 1
        return n

    def add(self, model: type[models.Model], row: tuple[Any, ...]) -> None:
        self.rows[model].append(row)

    def pending(self, model: type[models.Model]) -> int:
        return len(self.rows[model])

    def flush(self) -> None:
        started = time.perf_counter()
        with transaction.atomic(), scopes_disabled():
            if self.pg:
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit = off")
                    # Row-by-row deferred FK triggers dominate a bulk load (measured: most
                    # of the time went to COMMIT). Integrity is checked set-based in
                    # finish() instead; the tables, constraints and triggers stay as
                    # migrations made them.
                    cur.execute("SET LOCAL session_replication_role = replica")
            for model, fields in self.spec:
                rows = self.rows.pop(model, None)
                if not rows:
                    continue
                self.totals[model._meta.label] += len(rows)
                if self.pg:
                    self._copy(model, fields, rows)
                else:
                    self._bulk_create(model, fields, rows)
        self.copy_seconds += time.perf_counter() - started

    def _copy(self, model: type[models.Model], fields: Sequence[str],
              rows: list[tuple[Any, ...]]) -> None:
        extra_names, extra_values = self._extra[model]
        columns = [model._meta.get_field(n.removesuffix("_id")).column if n != "id" else "id"
                   for n in fields]
        cols = ", ".join(f'"{c}"' for c in [*columns, *extra_names])
        json_pos = self._json_pos[model]
        sql = f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN'
        with connection.cursor() as cur, cur.cursor.copy(sql) as cp:
            for row in rows:
                if json_pos:
                    row_l = list(row)
                    for i in json_pos:
                        row_l[i] = json.dumps(row_l[i], ensure_ascii=False)
                    row = tuple(row_l)
                cp.write_row(row + extra_values)

    def _bulk_create(self, model: type[models.Model], fields: Sequence[str],
                     rows: list[tuple[Any, ...]]) -> None:
        objs = []
        for row in rows:
            obj = model(**dict(zip(fields, row, strict=True)))
            objs.append(obj)
        # bulk_create skips save(): auto_now fields need their values set here.
        now = clock.now()
        for f in model._meta.concrete_fields:
            if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) \
                    and f.attname not in fields:
                for obj in objs:
                    setattr(obj, f.attname, now)
        model._base_manager.bulk_create(objs, batch_size=500)

    def finish(self) -> None:
        """Move every id sequence past the ids assigned here, then refresh planner statistics."""
        if not self.pg:
            return
        with connection.cursor() as cur:
            for model, _ in self.spec:
                table = model._meta.db_table
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'GREATEST((SELECT COALESCE(MAX(id), 0) FROM "{table}"), 1))'
                )
            started = time.perf_counter()
            self.fk_violations = self._check_foreign_keys(cur)
            self.fk_check_seconds = time.perf_counter() - started
            started = time.perf_counter()
            cur.execute("ANALYZE")
            self.analyze_seconds = time.perf_counter() - started
        if self.fk_violations:
            raise RuntimeError(f"foreign keys broken after load: {self.fk_violations}")

    def _check_foreign_keys(self, cur: Any) -> dict[str, int]:
        """Every foreign key of every loaded table, checked with one anti-join each."""
        broken: dict[str, int] = {}
        for model, _ in self.spec:
            if not self.totals.get(model._meta.label):
                continue
            for f in model._meta.concrete_fields:
                if not f.is_relation or f.related_model is None:
                    continue
                child = model._meta.db_table
                parent = f.related_model._meta.db_table
                cur.execute(
                    f'SELECT COUNT(*) FROM "{child}" c WHERE c."{f.column}" IS NOT NULL AND '
                    f'NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p."{f.target_field.column}" = c."{f.column}")')
                n = cur.fetchone()[0]
                if n:
                    broken[f"{child}.{f.column}"] = n
        return broken
