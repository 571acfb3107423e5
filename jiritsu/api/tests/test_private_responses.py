"""Answers carrying personal data are never cached; oversized API bodies are answered in the
API's error shape; HTTPS behind a reverse proxy is recognised when the header is set."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from jiritsu.settings import proxy_ssl_header

pytestmark = pytest.mark.django_db

NO_STORE = "no-store, private"


def test_signed_in_screens_and_downloads_are_not_stored(client: Client, world: Any) -> None:
    client.force_login(world.supervisor)
    person = reverse("people:person", args=[world.person.pk])
    for url in (person, reverse("people:person_summary", args=[world.person.pk]),
                "/reports/people/?fy=2025&figure=participants&format=csv",
                "/reports/export/xlsx/?fy=2025"):
        res = client.get(url)
        assert res.status_code == 200, url
        assert res["Cache-Control"] == NO_STORE, url
    res = client.post(f"/reports/disclose/{world.person.pk}/", {"format": "pdf"})
    assert res["Content-Type"] == "application/pdf" and res["Cache-Control"] == NO_STORE


def test_api_answers_to_a_token_are_not_stored(world: Any, api_as: Any) -> None:
    api = api_as(world.caseworker)
    for path in (f"people/{world.person.pk}", "reports/export/csv?fiscal_year=2025",
                 "people/999999"):
        res = api.get(path)
        assert res["Cache-Control"] == NO_STORE, path


def test_anonymous_answers_keep_their_own_caching(client: Client) -> None:
    res = client.get(reverse("login"))  # Django's own never_cache header, not replaced
    assert res.status_code == 200 and res["Cache-Control"] != NO_STORE


def test_a_30_mb_api_body_is_a_json_413(world: Any, api_as: Any) -> None:
    body = json.dumps({"rows": [], "pad": "x" * (30 * 1024 * 1024)})
    api = api_as(world.supervisor)
    no_headers: dict[str, str] = {}
    for headers in (api.headers, no_headers):  # with a token, and without one
        res = Client().post("/api/v1/households/bulk-upsert", body,
                            content_type="application/json", headers=headers)
        assert res.status_code == 413
        err = res.json()["error"]
        assert err["code"] == "payload_too_large" and "20MB" in err["message"]


def test_a_body_under_the_limit_is_read_as_usual(world: Any, api_as: Any) -> None:
    res = api_as(world.supervisor).post("households/bulk-upsert", {"rows": []})
    assert res.status_code == 422 and res.json()["error"]["code"] != "payload_too_large"


def test_proxy_ssl_header_setting() -> None:
    assert proxy_ssl_header("") is None
    assert proxy_ssl_header("X-Forwarded-Proto: https") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxy_ssl_header("HTTP_X_FORWARDED_PROTO=https") == ("HTTP_X_FORWARDED_PROTO", "https")
    with pytest.raises(ImproperlyConfigured):
        proxy_ssl_header("X-Forwarded-Proto")


def test_https_behind_a_proxy_is_recognised_and_gets_hsts(client: Client, world: Any) -> None:
    client.force_login(world.caseworker)
    url = reverse("people:person", args=[world.person.pk])
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_PROXY_SSL_HEADER=None):
        assert "Strict-Transport-Security" not in client.get(
            url, headers={"X-Forwarded-Proto": "https"})
    with override_settings(SECURE_HSTS_SECONDS=31536000,
                           SECURE_PROXY_SSL_HEADER=proxy_ssl_header("X-Forwarded-Proto: https")):
        res = client.get(url, headers={"X-Forwarded-Proto": "https"})
        assert res.status_code == 200
        assert res["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "Strict-Transport-Security" not in client.get(url)  # plain HTTP: none
