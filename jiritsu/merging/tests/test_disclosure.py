"""The merge in the person's 開示 export, and the merged record's audit trail with it."""

from __future__ import annotations

import json

import pytest

from jiritsu.cases.access import log_view
from jiritsu.merging import services
from jiritsu.merging.tests.helpers import duplicate_of
from jiritsu.reports.services import person_disclose

pytestmark = pytest.mark.django_db


def test_the_disclosure_export_shows_the_merge_and_the_merged_records_history(world):
    dup = duplicate_of(world)
    sv = world.m(world.supervisor)
    log_view(world.m(world.caseworker), dup, what="person.summary")
    services.person_merge(actor=sv, survivor=world.person, merged=dup,
                          reason="再申請による二重登録")
    out = person_disclose(actor=sv, person=world.person, fmt="json")
    doc = json.loads(out.content)
    sections = {s["key"]: s for s in doc["sections"]}
    merges = sections["merges"]["rows"]
    assert len(merges) == 1
    assert merges[0]["統合の理由"] == "再申請による二重登録"
    assert merges[0]["統合した記録の本人ID"] == dup.pk
    operations = [row["操作"] for row in sections["audit"]["rows"]]
    assert "個人票の閲覧" in " ".join(operations)  # the merged record's own event
    assert "同一人物の記録の統合（名寄せ）" in operations
