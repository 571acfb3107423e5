"""Cross-cutting API conventions: one error shape, pagination, Idempotency-Key, docs."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from jiritsu import testing as t
from jiritsu.api.models import ApiToken, IdempotencyRecord

pytestmark = pytest.mark.django_db


def _assert_error_shape(body: dict, code: str) -> dict:
    assert set(body) == {"error"}
    err = body["error"]
    assert err["code"] == code
    assert isinstance(err["message"], str) and err["message"]
    assert not err["message"].isascii(), "messages are Japanese"
    return err


def test_validation_error_names_the_field_with_details(world, api_as):
    r = api_as(world.caseworker).patch(f"people/{world.person.pk}",
                                       {"version": 1, "birth_date": "26/11/2026"})
    assert r.status_code == 422
    err = _assert_error_shape(r.json(), "validation_error")
    assert err["field"] == "birth_date"
    assert err["details"][0]["field"] == "birth_date"
    assert err["details"][0]["message"].startswith("日付")


def test_missing_required_field_and_bad_query_are_validation_errors(world, api_as):
    r = api_as(world.caseworker).patch(f"people/{world.person.pk}", {"name": "x"})
    err = _assert_error_shape(r.json(), "validation_error")
    assert err["field"] == "version" and err["details"][0]["code"] == "missing"
    r = api_as(world.caseworker).get("people", {"page_size": 100000})
    err = _assert_error_shape(r.json(), "validation_error")
    assert err["field"] == "page_size"


def test_malformed_json_body_is_a_validation_error(world, api_as):
    c = api_as(world.caseworker)
    r = c.client.patch(f"/api/v1/people/{world.person.pk}", "{not json", content_type="application/json",
                       headers=c.headers)
    assert r.status_code in (400, 422)
    assert r.json()["error"]["code"] in {"validation_error", "bad_request"}


def test_not_found_shapes_for_missing_rows_and_unknown_paths(world, api_as):
    c = api_as(world.caseworker)
    _assert_error_shape(c.get("people/999999").json(), "not_found")
    r = c.get("no/such/endpoint")
    assert r.status_code == 404
    _assert_error_shape(r.json(), "not_found")


def test_forbidden_for_a_role_without_the_action(world, api_as):
    r = api_as(world.partner).get("households")
    assert r.status_code == 403
    _assert_error_shape(r.json(), "forbidden")


def test_stale_edit_is_a_409_with_its_code(world, api_as):
    c = api_as(world.caseworker)
    assert c.patch(f"people/{world.person.pk}", {"version": 1, "note": "一回目"}).status_code == 200
    r = c.patch(f"people/{world.person.pk}", {"version": 1, "note": "古い画面から"})
    assert r.status_code == 409
    _assert_error_shape(r.json(), "stale_edit")


def test_unexpected_exception_is_a_500_without_traceback(world, api_as, monkeypatch):
    from jiritsu.api.routers import people

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(people, "visible_people", boom)
    r = api_as(world.caseworker).get("people")
    assert r.status_code == 500
    err = _assert_error_shape(r.json(), "server_error")
    assert "secret internals" not in r.content.decode()
    assert "Traceback" not in r.content.decode()
    assert "field" not in err


def test_pagination_counts_and_links(world, api_as):
    for i in range(5):
        t.make_person(world.office, household=world.household, kana=f"あ{i}", member_number=10 + i)
    c = api_as(world.caseworker)
    first = c.get("people", {"page_size": 2}).json()
    assert first["count"] == 6 and len(first["results"]) == 2
    assert first["previous"] is None
    assert first["next"].startswith("/api/v1/people?") and "page=2" in first["next"]
    second = c.client.get(first["next"], headers=c.headers).json()
    third = c.get("people", {"page_size": 2, "page": 3}).json()
    assert third["next"] is None and "page=2" in third["previous"]
    seen = [p["id"] for page in (first, second, third) for p in page["results"]]
    assert len(set(seen)) == 6
    empty = c.get("people", {"page_size": 2, "page": 50}).json()
    assert empty["results"] == [] and empty["count"] == 6


def test_idempotency_key_replays_the_stored_response(world, api_as):
    c = api_as(world.caseworker)
    key = {"Idempotency-Key": "abc-123"}
    first = c.post("tokens", {"name": "連携"}, headers=key)
    again = c.post("tokens", {"name": "連携"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.filter(name="連携").count() == 1


def test_idempotency_key_with_a_different_body_conflicts(world, api_as):
    c = api_as(world.caseworker)
    key = {"Idempotency-Key": "abc-456"}
    assert c.post("tokens", {"name": "一"}, headers=key).status_code == 201
    r = c.post("tokens", {"name": "二"}, headers=key)
    assert r.status_code == 409
    _assert_error_shape(r.json(), "idempotency_conflict")
    assert not ApiToken.objects.filter(name="二").exists()


def test_idempotency_keys_are_per_user_and_failures_are_not_remembered(world, api_as):
    key = {"Idempotency-Key": "same"}
    assert api_as(world.caseworker).post("tokens", {"name": "a"}, headers=key).status_code == 201
    assert api_as(world.caseworker2).post("tokens", {"name": "b"}, headers=key).status_code == 201
    c = api_as(world.supervisor)
    assert c.post("tokens", {"name": ""}, headers={"Idempotency-Key": "k"}).status_code == 422
    assert c.post("tokens", {"name": "ok"}, headers={"Idempotency-Key": "k"}).status_code == 201
    assert IdempotencyRecord.objects.count() == 3


def test_openapi_document_is_valid_openapi_3(world):
    import schemathesis
    from schemathesis.core.result import Ok

    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_dict(doc)
    operations = list(schema.get_all_operations())
    assert len(operations) >= 10
    assert all(isinstance(op, Ok) for op in operations)
    paths = doc["paths"]
    assert "/api/v1/people" in paths and "/api/v1/households/{household_id}" in paths
    # Separate input and output schemas.
    names = set(doc["components"]["schemas"])
    assert {"PersonUpdateIn", "PersonDetailOut", "ErrorOut"} <= names
    assert doc["components"]["securitySchemes"]


def test_docs_page_loads_only_local_assets(world):
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert all(u == "data:," or (u.startswith("/") and not u.startswith("//")) for u in urls), urls
    assert "http://" not in html and "https://" not in html
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    for u in urls:
        if u.startswith("/"):
            assert Client().get(u).status_code == 200, u
    csp = r.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp
    found = re.search(r'data-settings="([^"]+)"', html)
    assert found is not None
    settings_attr = found.group(1)
    assert json.loads(settings_attr.replace("&quot;", '"'))["validatorUrl"] is None


def test_wrong_method_is_a_405_in_the_error_shape(world, api_as):
    r = api_as(world.caseworker).delete("people")
    assert r.status_code == 405
    _assert_error_shape(r.json(), "method_not_allowed")
    assert "GET" in r["Allow"]


def test_dates_outside_1900_to_2100_are_validation_errors(world, api_as):
    r = api_as(world.caseworker).patch(f"people/{world.person.pk}",
                                       {"version": 1, "birth_date": "0481-09-07"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_error" and err["field"] == "birth_date"
    assert "1900年" in err["message"]
