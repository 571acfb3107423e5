"""API test helpers: a client that sends a bearer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jiritsu.api.tokens import token_create
from jiritsu.offices.models import User


class ApiClient:
    """Thin JSON client over Django's test client, authenticating with an API token."""

    def __init__(self, token: str | None, **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, data: Any = None, headers: dict[str, str] | None = None,
              **kw: Any) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        h = {**self.headers, **(headers or {})}
        if method == "get":
            return self.client.get(url, data, headers=h)
        body = json.dumps(data, ensure_ascii=False) if data is not None else ""
        return getattr(self.client, method)(url, body, content_type="application/json", headers=h)

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self._call("get", path, params, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("post", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("patch", path, data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("put", path, data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("delete", path, None, **kw)


def token_for(world: Any, user: User, office: Any = None) -> str:
    if office is None:
        office = user.memberships.order_by("office__code").first().office
    return token_create(actor=world.m(user, office), name="テスト")[1]


@pytest.fixture
def api_as(world: Any) -> Any:
    """``api_as(world.caseworker)`` → an ApiClient acting as that user in office A."""

    def make(user: User, **headers: str) -> ApiClient:
        return ApiClient(token_for(world, user), **headers)

    return make
