"""Error reports reach a Sentry-compatible server (here a local receiver started by the test)
with the request id, user id and office code, and without personal data."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from jiritsu.operations.errors import init_error_reporting

SECRET_NAME = "髙橋 𠮷子"


def boom(request: HttpRequest) -> HttpResponse:
    address = "東京都港区芝公園4-2-8"  # a local variable holding personal data
    raise RuntimeError(f"{SECRET_NAME} {address} の記録で失敗")


urlpatterns = [path("boom/", boom), path("", include("jiritsu.urls"))]
handler500 = "jiritsu.operations.views.server_error"


class Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        Receiver.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[list[bytes]]:
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    init_error_reporting(f"http://public@127.0.0.1:{server.server_address[1]}/1",
                         environment="test")
    try:
        yield Receiver.received
    finally:
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.init()  # reporting off again for the other tests
        server.shutdown()


@pytest.mark.urls(__name__)
def test_a_server_error_is_reported_with_ids_and_without_personal_data(
        world: Any, receiver: list[bytes]) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.caseworker)
    client.cookies["extra"] = "cookie-secret"
    response = client.get("/boom/?q=髙橋", HTTP_USER_AGENT="test-agent")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    assert receiver, "no report arrived"
    envelope = b"".join(receiver).decode()
    events = [json.loads(line) for line in envelope.splitlines()
              if line.startswith("{") and '"exception"' in line]
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["request_id"] == response["X-Request-ID"]
    assert event["tags"]["office"] == "A001"
    assert event["user"] == {"id": str(world.caseworker.pk)}
    assert event["transaction"] == "/boom/"  # the route, not the query string
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert any(f.get("function") == "boom" for f in frames)
    for secret in (SECRET_NAME, "髙橋", "東京都港区", "cookie-secret", "sessionid",
                   world.caseworker.username, "jiritsu_session"):
        assert secret not in envelope, secret
