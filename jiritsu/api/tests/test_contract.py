"""The published contract (/api/v1/openapi.json) says what the server does.

* every component name is one schema (one class, one definition);
* every enum value and example documented for a request body is accepted by the server's own
  validation of that body, and every documented property is one the server knows;
* every request body refuses unknown fields and bounds its integers to a column's range.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from jiritsu.api.api import api
from jiritsu.api.common import INT_MAX, INT_MIN, InputModel

pytestmark = pytest.mark.django_db

Path = tuple[str | int, ...]


@pytest.fixture(scope="module")
def document() -> Any:
    return api.get_openapi_schema()


def _operations() -> Iterator[tuple[str, str, Any]]:
    """(method, path as in the document, ninja operation) for every documented operation."""
    for router in api._get_bound_routers():
        for path, view in router.path_operations.items():
            full = "/" + "/".join(p for p in ("api/v1", router.prefix.strip("/"), path.strip("/")) if p)
            for op in view.operations:
                if op.include_in_schema:
                    for method in op.methods:
                        yield method.lower(), full, op


def _body_type(op: Any) -> Any:
    """The type the server validates the JSON body with (None: no body)."""
    models = [m for m in op.models if m.__ninja_param_source__ == "body"]
    if not models:
        return None
    assert len(models) == 1
    fields = list(models[0].model_fields.values())
    return fields[0].annotation if len(fields) == 1 else models[0]


def _resolve(document: Any, schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _sites(document: Any, schema: dict[str, Any], path: Path = (), depth: int = 0
           ) -> Iterator[tuple[Path, str, Any]]:
    """(path, what, value) for every documented enum value, example and property."""
    if depth > 12:
        return
    schema = _resolve(document, schema)
    for value in schema.get("enum", []):
        yield path, "enum", value
    if "example" in schema:
        yield path, "example", schema["example"]
    for value in schema.get("examples", []):
        yield path, "example", value
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _sites(document, option, path, depth + 1)
    for name, prop in schema.get("properties", {}).items():
        yield path + (name,), "property", None
        yield from _sites(document, prop, path + (name,), depth + 1)
    if "items" in schema:
        yield from _sites(document, schema["items"], path + (0,), depth + 1)


def _payload(path: Path, value: Any) -> Any:
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}
    return value


def _refusals(body_type: Any, path: Path, value: Any, what: str) -> list[str]:
    """The server's validation errors about ``path`` when only it is given, as ``value``
    (for a property: only "unknown field")."""
    try:
        TypeAdapter(body_type).validate_python(_payload(path, value))
    except ValidationError as exc:
        out = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            if e["type"] == "extra_forbidden" and loc[:len(path)] == path[:len(loc)]:
                out.append(e["type"])  # the property (or one on its way) is unknown
            elif what != "property" and loc[:len(path)] == path and e["type"] != "missing":
                out.append(e["type"])
        return out
    return []


def test_every_component_name_is_one_schema(document):
    assert document.shared_names() == {}, (
        "component names used for two different classes or definitions; give the classes "
        "unique names (enums are named by their qualified class name)")
    # Enums of Django models are named by model and enum, not by the enum's own name.
    schemas = document["components"]["schemas"]
    assert "Kind" not in schemas and "Status" not in schemas
    assert schemas["DisabilityKind"]["enum"] == ["physical", "intellectual", "mental"]


def test_documented_enum_values_examples_and_properties_are_accepted(document):
    refused = []
    for method, path, op in _operations():
        body_type = _body_type(op)
        if body_type is None:
            continue
        documented = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        for site, what, value in _sites(document, documented["schema"]):
            errors = _refusals(body_type, site, value, what)
            if errors:
                refused.append(f"{method.upper()} {path} {'.'.join(map(str, site))} "
                               f"{what} {value!r}: {errors[0]}")
    assert not refused, "\n".join(refused[:40])


def _models(tp: Any, seen: set[type]) -> Iterator[type[BaseModel]]:
    for arg in typing.get_args(tp):
        yield from _models(arg, seen)
    if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
        seen.add(tp)
        yield tp
        for field in tp.model_fields.values():
            yield from _models(field.annotation, seen)


def test_every_request_body_is_an_input_model_refusing_unknown_fields(document):
    seen: set[type] = set()
    loose = []
    for _method, _path, op in _operations():
        body_type = _body_type(op)
        if body_type is not None:
            for model in _models(body_type, seen):
                if not issubclass(model, InputModel) or model.model_config.get("extra") != "forbid":
                    loose.append(f"{model.__module__}.{model.__qualname__}")
    assert seen and not loose, loose


def test_every_integer_in_a_request_body_is_within_a_column_range(document):
    unbounded = []

    def walk(schema: dict[str, Any], where: str, low: int, high: int, depth: int = 0) -> None:
        schema = _resolve(document, schema)
        if depth > 12:
            return
        if schema.get("type") == "integer" and not (
                low <= schema.get("minimum", low - 1) and schema.get("maximum", high + 1) <= high):
            unbounded.append(where)
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                walk(option, where, low, high, depth + 1)
        for name, prop in schema.get("properties", {}).items():
            walk(prop, f"{where}.{name}", low, high, depth + 1)
        if "items" in schema:
            walk(schema["items"], f"{where}[]", low, high, depth + 1)

    for path, item in document["paths"].items():
        for method, op in item.items():
            for content in op.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], f"{method.upper()} {path} ", INT_MIN, INT_MAX)
            for param in op.get("parameters", []):  # filters may compare with 64-bit columns
                walk(param["schema"], f"{method.upper()} {path} {param['name']}",
                     -(2 ** 63), 2 ** 63 - 1)
    assert not unbounded, unbounded


# ---------------------------------------------------------------- through HTTP


def test_an_unknown_field_in_a_body_is_refused_naming_the_field(world, api_as):
    c = api_as(world.caseworker)
    r = c.patch(f"people/{world.person.pk}", {"version": 1, "note": "x", "nickname": "よっちゃん"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_error" and err["field"] == "nickname"
    assert err["message"] == "定義されていない項目です。"
    assert err["details"] == [{"field": "nickname", "code": "extra_forbidden",
                               "message": "定義されていない項目です。"}]
    world.person.refresh_from_db()
    assert world.person.version == 1  # nothing was written
    # Nested objects too (a phase of a program): the dotted path names the field.
    r = api_as(world.manager).post("programs", {
        "code": "x_study", "name": "学習会", "kind": "social_life", "established_on": "2026-04-01",
        "phases": [{"name": "第1段階", "colour": "red"}]})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "phases.0.colour"


def test_a_version_at_the_column_limit_is_a_stale_edit_and_past_it_a_validation_error(world, api_as):
    c = api_as(world.caseworker)
    r = c.patch(f"people/{world.person.pk}", {"version": INT_MAX, "note": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_edit"
    r = c.patch(f"people/{world.person.pk}", {"version": INT_MAX + 1, "note": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "version"
    created = c.post(f"people/{world.person.pk}/disabilities", {"kind": "physical"}).json()
    r = c.patch(f"people/{world.person.pk}/disabilities/{created['id']}",
                {"version": INT_MAX, "grade": "1級"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_edit"


def test_ids_in_a_list_past_the_column_range_are_a_validation_error(world, api_as):
    c = api_as(world.support_staff)
    r = c.post("records", {"person_id": world.person.pk, "occurred_at": "2026-06-01T10:00:00+09:00",
                           "kind": "home_visit", "text": "同行訪問",
                           "staff_present_ids": [2 ** 63]})
    assert r.status_code == 422, r.json()
    assert r.json()["error"]["field"] == "staff_present_ids.0"


def test_documented_enum_values_of_query_parameters_are_accepted(world, api_as, document):
    """Each value a list's filter documents is accepted by the server (no 422)."""
    c = api_as(world.manager)
    refused = []
    for path, item in document["paths"].items():
        op = item.get("get")
        if op is None or "{" in path:
            continue
        params = [p for p in op.get("parameters", []) if p["in"] == "query"]
        if any(p.get("required") for p in params):
            continue
        for param in params:
            schema = _resolve(document, param["schema"])
            options = [_resolve(document, o) for o in schema.get("anyOf", [])] or [schema]
            for value in (v for o in options for v in o.get("enum", [])):
                r = c.get(path, {param["name"]: value})
                if r.status_code == 422:
                    refused.append(f"GET {path}?{param['name']}={value}: {r.json()['error']}")
    assert not refused, "\n".join(refused[:20])


def test_a_router_package_keeps_its_operation_ids(document: Any) -> None:
    """The life cycle router is a package of files (one per object); its operation ids are
    named by the package, as when it was one module, so clients generated from the document
    keep their method names."""
    ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    for expected in ("jiritsu_api_routers_lifecycle_enrollment_start",
                     "jiritsu_api_routers_lifecycle_consent_withdraw",
                     "jiritsu_api_routers_lifecycle_approval_decide",
                     "jiritsu_api_routers_people_person_list"):
        assert expected in ids
    assert not [i for i in ids if i.startswith("jiritsu_api_routers_lifecycle_enrollments_")]
