"""The selection rules as a form (the program editor's 選定条件).

Everything a row can ask is read from the screening engine's table
(:data:`jiritsu.programs.screening.FIELDS`, each comparison's :class:`~screening.Value`):
the list of items, their comparisons, and the input each value needs (a number with its unit,
a range, a yes/no, a list of choices, free words). The rule the rows make is checked by
:func:`screening.validate_rules` — the same check the services and the API use — and its
messages are put beside the row they concern.

Rows are posted as ``rule-<path>-field``, ``-op``, ``-value``, ``-values`` (choices),
``-lo`` / ``-hi`` (range); a group of conditions as ``rule-<path>-group`` (and / or) with its
rows at ``<path>.<n>``. ``rule-op`` combines the top level. A button ``rule_action`` adds or
removes a row or a group, or only redraws (after choosing another item): the page works by
submit-and-redraw without JavaScript, and ``static/js/rule-builder.js`` does the same
requests in the background.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.http import QueryDict

from jiritsu.core.errors import ValidationFailed
from jiritsu.programs import screening

PREFIX = "rule"
COMBINE = (("and", "すべて満たす（かつ）"), ("or", "いずれかを満たす（または）"))
_KEY = re.compile(rf"^{PREFIX}-(\d+(?:\.\d+)*)-(field|group)$")
_SPLIT = re.compile(r"[、,，\s]+")
_LEAD = re.compile(r"^条件[\d-]+(?:（[^）]*）)?：")


@dataclass
class Row:
    """One condition (``field`` set) or one group of conditions (``group`` set)."""

    field: str = ""
    op: str = ""
    value: str = ""
    values: list[str] = dc_field(default_factory=list)
    lo: str = ""
    hi: str = ""
    group: str = ""
    children: list[Row] = dc_field(default_factory=list)
    errors: list[str] = dc_field(default_factory=list)
    path: str = ""

    @property
    def is_group(self) -> bool:
        return bool(self.group)

    @property
    def spec(self) -> screening.FieldSpec | None:
        return screening.FIELDS.get(self.field)

    @property
    def input(self) -> screening.Value | None:
        spec = self.spec
        return spec.ops.get(self.op) if spec else None

    @property
    def dom_id(self) -> str:
        return f"{PREFIX}-{self.path.replace('.', '-')}"

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.path}"

    # What the template shows -------------------------------------------------

    @property
    def field_choices(self) -> list[tuple[str, str]]:
        return [(key, spec.label) for key, spec in screening.FIELDS.items()]

    @property
    def op_choices(self) -> list[tuple[str, str]]:
        spec = self.spec
        return [(op, screening.OP_INPUT_LABELS.get(op, op)) for op in spec.ops] if spec else []

    @property
    def yes_no_choices(self) -> list[tuple[str, str]]:
        spec = self.spec
        if spec is None:
            return []
        return [("1", spec.describe(self.op, True)), ("0", spec.describe(self.op, False))]

    @property
    def value_choices(self) -> list[tuple[str, str, bool]]:
        value = self.input
        return [(k, label, k in self.values) for k, label in value.choices] if value else []


def _rows_from_data(data: QueryDict | dict[str, Any]) -> tuple[str, list[Row]]:
    def get(key: str) -> str:
        v = data.get(key, "")
        return str(v if v is not None else "").strip()

    def getlist(key: str) -> list[str]:
        if isinstance(data, QueryDict):
            return data.getlist(key)
        v = data.get(key) or []
        return list(v) if isinstance(v, list | tuple) else [str(v)]

    paths: dict[tuple[int, ...], str] = {}
    for key in data:
        m = _KEY.match(key)
        if m:
            paths[tuple(int(p) for p in m.group(1).split("."))] = m.group(2)
    nodes: dict[tuple[int, ...], Row] = {}
    top: list[Row] = []
    for path in sorted(paths):
        name = f"{PREFIX}-{'.'.join(map(str, path))}"
        if paths[path] == "group":
            row = Row(group=get(f"{name}-group") if get(f"{name}-group") in ("and", "or")
                      else "and")
        else:
            row = Row(field=get(f"{name}-field"), op=get(f"{name}-op"), value=get(f"{name}-value"),
                      values=getlist(f"{name}-values"), lo=get(f"{name}-lo"),
                      hi=get(f"{name}-hi"))
            spec = row.spec
            if spec is not None and row.op not in spec.ops:
                row.op = next(iter(spec.ops))  # another item was chosen: its first comparison
        nodes[path] = row
        parent = nodes.get(path[:-1]) if len(path) > 1 else None
        if parent is not None and parent.is_group:
            parent.children.append(row)
        else:
            top.append(row)
    combine = get(f"{PREFIX}-op")
    return (combine if combine in ("and", "or") else "and"), top


def _rows_from_rules(rules: dict[str, Any] | None) -> tuple[str, list[Row]]:
    def row(node: dict[str, Any]) -> Row:
        if "field" not in node:
            return Row(group=node.get("op", "and"),
                       children=[row(c) for c in node.get("conditions", [])])
        r = Row(field=node["field"], op=node.get("op", ""))
        value, kind = node.get("value"), (r.input.kind if r.input else "")
        if kind == "range" and isinstance(value, list | tuple) and len(value) == 2:
            r.lo, r.hi = str(value[0]), str(value[1])
        elif kind == "bool":
            r.value = "1" if value else "0"
        elif kind == "choices":
            r.values = [value] if isinstance(value, str) else list(value or [])
        elif kind == "text_list":
            r.value = "、".join([value] if isinstance(value, str) else list(value or []))
        elif value is not None:
            r.value = str(value)
        return r

    if not rules or not rules.get("conditions"):
        return "and", []
    return rules.get("op", "and"), [row(c) for c in rules["conditions"]]


def _number(text: str) -> int:
    text = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if not text:
        raise ValueError("数値を入力してください。")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"「{text}」は整数ではありません。整数で入力してください。")
    return int(text)


class RuleForm:
    """The 選定条件 rows of the program editor: read, changed by a button, checked, shown."""

    def __init__(self, data: QueryDict | dict[str, Any] | None = None, *,
                 rules: dict[str, Any] | None = None) -> None:
        self.bound = data is not None and any(k.startswith(f"{PREFIX}-") for k in data)
        if self.bound:
            assert data is not None
            self.combine, self.rows = _rows_from_data(data)
        else:
            self.combine, self.rows = _rows_from_rules(rules)
        self.errors: list[str] = []
        self.rules: dict[str, Any] = {}
        self._checked = False
        self._renumber()

    # Buttons ------------------------------------------------------------------

    def apply(self, action: str) -> None:
        """``add`` / ``add:<group path>``: a new row; ``group``: a new group of two rows;
        ``remove:<path>``: take a row or group away; anything else only redraws."""
        verb, _, where = action.partition(":")
        if verb == "add":
            target = self._find(where)
            (target.children if target is not None and target.is_group else self.rows).append(
                Row())
        elif verb == "group":
            self.rows.append(Row(group="or", children=[Row(), Row()]))
        elif verb == "remove":
            self._remove(where)
        self._renumber()
        self._checked = False

    def _find(self, path: str) -> Row | None:
        def walk(rows: list[Row]) -> Row | None:
            for r in rows:
                if r.path == path:
                    return r
                found = walk(r.children)
                if found:
                    return found
            return None

        return walk(self.rows) if path else None

    def _remove(self, path: str) -> None:
        def walk(rows: list[Row]) -> list[Row]:
            return [r for r in rows if r.path != path] if any(r.path == path for r in rows) \
                else [_with_children(r, walk(r.children)) for r in rows]

        self.rows = walk(self.rows)

    def _renumber(self) -> None:
        def walk(rows: list[Row], prefix: str) -> None:
            for i, r in enumerate(rows):
                r.path = f"{prefix}{i}"
                walk(r.children, f"{r.path}.")

        walk(self.rows, "")

    # Checking ---------------------------------------------------------------

    def is_valid(self) -> bool:
        if not self._checked:
            self._check()
        return not self.errors and not any(self._row_errors())

    def _row_errors(self) -> list[str]:
        out: list[str] = []

        def walk(rows: list[Row]) -> None:
            for r in rows:
                out.extend(r.errors)
                walk(r.children)

        walk(self.rows)
        return out

    def _check(self) -> None:
        """Turn the rows into a rule tree and check it with the engine's own validation."""
        self._checked = True
        self.errors = []
        at: dict[tuple[int, ...], Row] = {}

        def node(r: Row, path: tuple[int, ...]) -> dict[str, Any] | None:
            r.errors = []
            if r.is_group:
                conds: list[dict[str, Any]] = []
                for c in r.children:
                    n = node(c, (*path, len(conds)))
                    if n is not None:
                        conds.append(n)
                if not conds:
                    return None
                at[path] = r
                return {"op": r.group, "conditions": conds}
            spec, value = r.spec, r.input
            if not r.field:
                return None  # a row left blank is not a condition
            at[path] = r
            if spec is None or value is None:
                return {"field": r.field, "op": r.op}  # the engine says what is wrong
            leaf: dict[str, Any] = {"field": r.field, "op": r.op}
            try:
                if value.kind == "int":
                    leaf["value"] = _number(r.value)
                elif value.kind == "range":
                    leaf["value"] = [_number(r.lo), _number(r.hi)]
                elif value.kind == "bool":
                    if r.value not in ("0", "1"):
                        raise ValueError("どちらかを選んでください。")
                    leaf["value"] = r.value == "1"
                elif value.kind == "choices":
                    leaf["value"] = list(r.values)
                elif value.kind == "text_list":
                    leaf["value"] = [w for w in _SPLIT.split(r.value) if w]
            except ValueError as exc:
                r.errors.append(f"{spec.label}：{exc}")
                del at[path]
                return None  # left out of the draft; the other rows are still checked
            return leaf

        conditions: list[dict[str, Any]] = []
        for r in self.rows:
            n = node(r, (len(conditions),))
            if n is not None:
                conditions.append(n)
        draft = {"op": self.combine, "conditions": conditions} if conditions else {}
        try:
            self.rules = screening.validate_rules(draft)
        except ValidationFailed as exc:
            for d in exc.details or []:
                where = d.get("at")
                row = at.get(tuple(where)) if isinstance(where, list) else None
                message = str(d.get("message", ""))
                if row is not None:
                    # The row shows its own message without the engine's "条件1（年齢）：" lead.
                    row.errors.append(_LEAD.sub("", message))
                else:
                    self.errors.append(message)
            if not exc.details:
                self.errors.append(exc.message)

    def error_list(self) -> list[str]:
        return [*self.errors, *self._row_errors()]


def _with_children(r: Row, children: list[Row]) -> Row:
    r.children = children
    return r
