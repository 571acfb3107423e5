"""API test helpers: a client that sends a bearer token."""

from __future__ import annotations

from typing import Any

import pytest

from jiritsu.offices.models import User
from jiritsu.testing import ApiClient, token_for

__all__ = ["ApiClient", "api_as", "token_for"]


@pytest.fixture
def api_as(world: Any) -> Any:
    """``api_as(world.caseworker)`` → an ApiClient acting as that user in office A."""

    def make(user: User, **headers: str) -> ApiClient:
        return ApiClient(token_for(world, user), **headers)

    return make
