"""What the activities routers share: id bounds, the version and note fields, the staff check."""

from __future__ import annotations

from ninja import Field

from jiritsu.activities.access import (
    require_staff,
)
from jiritsu.api.common import (
    acting,
)
from jiritsu.api.http import ApiRequest
from jiritsu.offices.models import Membership

MAX_INT = 2_147_483_647
Version = Field(..., ge=1, le=MAX_INT, description="読み込んだ時点の版（楽観的ロック）")
Note = Field("", max_length=10_000)


# ---------------------------------------------------------------- references

def staff(request: ApiRequest, action: str) -> Membership:
    """The acting membership for office-wide activity lists: staff with ``action`` (403 else)."""
    return require_staff(acting(request), action)
