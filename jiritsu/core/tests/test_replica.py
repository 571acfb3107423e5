"""The replica router without a replica (every test database): reads stay on the primary and
nothing is kept after writes. With a replica, ``python -m bench.replica ci`` (run by .ci/run)
checks routing, read-your-writes and the fallback against two real clusters."""

from __future__ import annotations

import pytest
from django.db import router
from django.test import RequestFactory

from jiritsu.core import replica
from jiritsu.offices.models import Office
from jiritsu.reports import national_views, views

pytestmark = pytest.mark.django_db


def test_without_a_replica_reads_and_writes_go_to_the_primary() -> None:
    request = RequestFactory().get("/reports/")
    assert not replica.configured()
    with replica.reading_replica(request) as alias:
        assert alias == "default"
        assert router.db_for_read(Office) == "default"
    assert router.db_for_write(Office) == "default"
    assert replica.ReplicaRouter().allow_migrate("replica", "offices") is False
    assert replica.ReplicaRouter().allow_migrate("default", "offices") is True


def test_report_views_read_through_the_replica_door() -> None:
    """The screens that may read from the replica are wrapped (a refactor that drops the
    decorator would silently put report load back on the primary)."""
    for view in (views.report, views.program_report, views.people, views.export,
                 national_views.national):
        chain = [view]
        while hasattr(chain[-1], "__wrapped__"):
            chain.append(chain[-1].__wrapped__)
        assert any(getattr(v, "reads_replica", False) for v in chain), view
    assert not any(getattr(v, "reads_replica", False) for v in [views.freeze])
