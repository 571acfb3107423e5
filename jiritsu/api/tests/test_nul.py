"""A NUL character (U+0000) in any input is a 422 naming the field, never a 500.

PostgreSQL refuses NUL in text (``A string literal cannot contain NUL (0x00) characters``)
where SQLite stores it, so fuzzing on SQLite cannot find these. The API refuses NUL in one
place (``jiritsu.api.middleware``) for the query string, the path, the JSON body and the
Idempotency-Key; the screens' forms refuse it with Django's own validator, and their query
strings are refused by ``jiritsu.web.middleware``. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.urls import reverse


def nul_error(r, field):
    assert r.status_code == 422, (r.status_code, r.content)
    body = r.json()["error"]
    assert (body["code"], body["field"]) == ("validation_error", field), body
    assert body["details"][0]["code"] == "null_character"
    return body


@pytest.mark.parametrize("path, params, field", [
    ("people", {"q": "やま\x00だ"}, "q"),
    ("households", {"q": "\x00"}, "q"),
    ("people", {"q\x00": "x"}, "q"),
    ("guidance/cases", {"status": "open\x00"}, "status"),
])
def test_nul_in_the_query_string(world, api_as, path, params, field):
    nul_error(api_as(world.manager).get(path, params), field)


def test_nul_in_the_path(world, api_as):
    nul_error(api_as(world.manager).post("program-templates/otsu%00/programs", {}), "path")


def test_nul_in_a_json_body_names_the_field_dotted(world, api_as):
    api = api_as(world.caseworker)
    r = api.patch(f"people/{world.person.pk}", {"version": world.person.version,
                                                "note": "前半\x00後半"})
    nul_error(r, "note")
    r = api_as(world.manager).post("households/bulk-upsert", {"rows": [
        {"case_number": "1", "member_number": 1, "name": "ok"},
        {"case_number": "1", "member_number": 2, "name": "x\x00"}]})
    body = nul_error(r, "rows.1.name")
    assert len(body["details"]) == 1
    world.person.refresh_from_db()
    assert "\x00" not in world.person.note


def test_a_backslash_u0000_that_is_text_is_not_a_nul(world, api_as):
    r = api_as(world.caseworker).patch(f"people/{world.person.pk}", {
        "version": world.person.version, "note": "\\u0000 は文字列"})
    assert r.status_code == 200, r.json()
    assert r.json()["note"] == "\\u0000 は文字列"


def test_nul_in_the_idempotency_key(world, api_as):
    r = api_as(world.caseworker).post("records", {}, headers={"Idempotency-Key": "k\x00"})
    nul_error(r, "Idempotency-Key")


def test_nul_in_a_screen_query_string_is_a_400_not_a_500(client, world):
    client.force_login(world.supervisor)
    for url, params in ((reverse("search"), {"q": "やま\x00"}),
                        (reverse("guidance:board"), {"case_number": "1\x00"}),
                        (reverse("audit:list"), {"from": "\x00"})):
        resp = client.get(url, params)
        assert resp.status_code == 400, (url, resp.status_code)


def test_session_clients_get_the_same_answer(client, world):
    client.force_login(world.manager)
    r = client.get("/api/v1/people", {"q": "\x00"})
    nul_error(r, "q")
