"""JSON log lines with the request id, user id and office code — never personal data — and
the request id on error pages."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from jiritsu.operations.logs import logging_config


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("髙橋 𠮷子 の記録で失敗")


urlpatterns = [path("boom/", boom), path("", include("jiritsu.urls"))]
handler500 = "jiritsu.operations.views.server_error"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The request logger's output through the production formatter."""
    stream = io.StringIO()
    spec = dict(logging_config("INFO")["formatters"]["structured"])
    formatter = spec.pop("()")(**spec)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("jiritsu.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def test_a_request_is_logged_as_one_json_line_with_ids_and_no_personal_data(
        world: Any, log_lines: io.StringIO) -> None:
    client = Client()
    client.force_login(world.caseworker)
    response = client.get(f"/people/{world.person.pk}/", {"q": "髙橋"})
    assert response.status_code == 200
    assert world.person.name in response.content.decode()  # the page does show the name …
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    entry = next(e for e in lines if e["event"] == "request")
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["user_id"] == world.caseworker.pk
    assert entry["office"] == "A001"
    assert entry["path"] == f"/people/{world.person.pk}/"  # no query string
    assert entry["status"] == 200 and entry["level"] == "info" and "timestamp" in entry
    text = log_lines.getvalue()
    for personal in (world.person.name, "髙橋", world.caseworker.display_name,
                     world.caseworker.username):
        assert personal not in text  # … the log does not


def test_the_proxy_request_id_is_kept_and_a_forged_one_replaced(db: Any) -> None:
    client = Client()
    given = client.get("/login/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert given["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    forged = client.get("/login/", HTTP_X_REQUEST_ID="<script>")
    assert forged["X-Request-ID"] != "<script>" and len(forged["X-Request-ID"]) == 32


def test_not_found_and_forbidden_pages_show_the_request_id(world: Any) -> None:
    client = Client()
    client.force_login(world.caseworker)
    missing = client.get("/people/999999999/")
    assert missing.status_code == 404
    assert f"問い合わせ番号: <code>{missing['X-Request-ID']}</code>" in missing.content.decode()
    forbidden = client.get("/manage/jobs/")
    assert forbidden.status_code == 403
    assert f"<code>{forbidden['X-Request-ID']}</code>" in forbidden.content.decode()


@pytest.mark.urls(__name__)
def test_a_server_error_page_shows_the_request_id_and_nothing_of_the_error(db: Any) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "エラーが発生しました" in page
    assert f"<code>{response['X-Request-ID']}</code>" in page
    assert "髙橋" not in page and "RuntimeError" not in page


@pytest.mark.urls(__name__)
def test_a_logged_exception_keeps_its_type_and_place_but_not_its_message(
        db: Any, log_lines: io.StringIO) -> None:
    logger = logging.getLogger("django.request")
    handler = logging.getLogger("jiritsu.request").handlers[-1]
    logger.addHandler(handler)
    try:
        Client(raise_request_exception=False).get("/boom/")
    finally:
        logger.removeHandler(handler)
    entry = next(json.loads(line) for line in log_lines.getvalue().splitlines()
                 if "exception" in json.loads(line))
    assert entry["level"] == "error" and entry["request_id"]
    assert "builtins.RuntimeError (message withheld)" in entry["exception"]
    assert ", in boom" in entry["exception"]
    assert "髙橋" not in log_lines.getvalue()
