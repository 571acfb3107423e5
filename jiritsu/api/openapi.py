"""The OpenAPI document: one component name per schema.

Ninja builds ``/api/v1/openapi.json`` from one JSON schema per operation and merges their
definitions by name. Pydantic names a definition by the last part of its class path, so the
``Kind`` choices of a disability and the ``Kind`` choices of a volunteer would both become
``Kind``, and the merge silently kept one of them for every operation. Here a definition is
named by its qualified class name without dots (``Disability.Kind`` → ``DisabilityKind``),
and the document records which class each name came from so that a test
(``tests/test_contract.py``) can refuse a name used by two different classes.
"""

from __future__ import annotations

import json
import re
import sys
from contextvars import ContextVar
from typing import Any

import ninja.openapi.schema as ninja_openapi
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema
from pydantic.json_schema import CoreModeRef, DefsRef, JsonSchemaMode, JsonSchemaValue

# name → class paths, for the document being built (None outside a build)
_SOURCES: ContextVar[dict[str, set[str]] | None] = ContextVar("openapi_sources", default=None)
_MODE_TITLES = {"validation": "Input", "serialization": "Output"}


def _qualname(path: str) -> str | None:
    """``jiritsu.people.models.Disability.Kind`` → ``Disability.Kind`` (the part after the
    longest prefix that is an imported module); None if no prefix is a module."""
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:i]) in sys.modules:
            return ".".join(parts[i:])
    return None


class UniqueNames(NinjaGenerateJsonSchema):
    """Ninja's JSON schema generator with definitions named by qualified class name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._source_of: dict[str, set[str]] = {}

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        defs_ref = super().get_defs_ref(core_mode_ref)
        core_ref, mode = core_mode_ref
        path = core_ref.rsplit(":", 1)[0]
        choices = self._prioritized_defsref_choices[defs_ref]
        if not re.search(r"[\[\],]", core_ref):  # not a generic: name it by its qualname
            qualname = _qualname(path)
            if qualname:
                name = qualname.replace(".", "")
                choices[0:2] = [DefsRef(name), DefsRef(f"{name}-{_MODE_TITLES[mode]}")]
        for choice in choices:
            self._source_of.setdefault(choice, set()).add(path)
        return defs_ref

    def generate(self, schema: Any, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        result = super().generate(schema, mode)
        sources = _SOURCES.get()
        if sources is not None:
            for name in result.get("$defs", {}):
                sources.setdefault(name, set()).update(self._source_of.get(name, {name}))
        return result


# Ninja's OpenAPI builder looks the generator up in its module; only the document uses it.
ninja_openapi.NinjaGenerateJsonSchema = UniqueNames  # type: ignore[misc]


class ContractSchema(OpenAPISchema):
    """The document, plus ``sources`` (component name → class paths) and ``conflicts``
    (component names given two different definitions while the document was built)."""

    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        self.sources: dict[str, set[str]] = {}
        self.conflicts: dict[str, list[str]] = {}
        token = _SOURCES.set(self.sources)
        try:
            super().__init__(api, path_prefix)
        finally:
            _SOURCES.reset(token)

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                self.conflicts.setdefault(name, []).append(
                    json.dumps(definition, ensure_ascii=False, sort_keys=True)[:300])
        super().add_schema_definitions(definitions)

    def shared_names(self) -> dict[str, set[str]]:
        """Component names that stand for more than one class, or for two definitions."""
        out = {name: paths for name, paths in self.sources.items() if len(paths) > 1}
        for name in self.conflicts:
            out.setdefault(name, self.sources.get(name, set()))
        return out


class ContractAPI(NinjaAPI):
    """Builds the document once per process (it depends only on the code; building it takes
    seconds)."""

    _documents: dict[str, ContractSchema]

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """``<router module>_<function>``, where a router package (``routers/lifecycle/``)
        counts as one module: splitting a router into files keeps its operation ids."""
        module = operation.view_func.__module__
        prefix = "jiritsu.api.routers."
        if module.startswith(prefix):
            module = prefix + module[len(prefix):].split(".", 1)[0]
        return (module + "_" + operation.view_func.__name__).replace(".", "_")

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> ContractSchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        documents = self.__dict__.setdefault("_documents", {})
        if path_prefix not in documents:
            documents[path_prefix] = ContractSchema(self, path_prefix)
        return documents[path_prefix]
