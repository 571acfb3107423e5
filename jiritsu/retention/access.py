"""The one door to a deletion batch: the office's own, for those who see the retention list."""

from __future__ import annotations

from typing import Any

from jiritsu.offices.access import get_or_404, require
from jiritsu.offices.models import Membership
from jiritsu.retention.models import DeletionBatch


def get_batch_for_user(membership: Membership | None, pk: Any) -> DeletionBatch:
    m = require(membership, "retention.view")
    return get_or_404(DeletionBatch.objects.filter(office=m.office)
                      .select_related("approval", "requested_by"), pk)


def visible_batches(membership: Membership | None) -> Any:
    m = require(membership, "retention.view")
    return DeletionBatch.objects.filter(office=m.office).select_related("approval", "requested_by")
