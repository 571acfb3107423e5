"""What a household's case file does not hold, deleted by its own rule: people registered
without a household (their file counts from their last support), merge records and checked
pairs (with the people they name), and 移管 records (once no office keeps the person and the
period has passed in both offices) — each listed, requested, decided in the 決裁 and deleted
with a tombstone; what must stay, stays, and frozen figures do not change."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from jiritsu import testing as t
from jiritsu.audit.models import AuditEvent, AuditPerson
from jiritsu.cases.models import ActivityRecord, Enrollment
from jiritsu.cases.services import approval_decide
from jiritsu.core import clock
from jiritsu.core.errors import ValidationFailed
from jiritsu.merging import services as merging
from jiritsu.merging.models import NotDuplicate, PersonMerge
from jiritsu.people.models import Person
from jiritsu.programs.models import Program
from jiritsu.programs.testing import make_program
from jiritsu.reports.models import FrozenReport
from jiritsu.retention import selectors, services
from jiritsu.retention.models import DeletionBatch
from jiritsu.retention.tests.conftest import Files
from jiritsu.transfers.models import Transfer, TransferredEpisode

pytestmark = pytest.mark.django_db
D = dt.date
OLD = dt.datetime(2018, 4, 10, 9, 0, tzinfo=clock.JAPAN)
ENDED_2019, DECIDED_2019 = D(2019, 3, 1), D(2019, 5, 1)


def _alone(world: Any, office: Any, name: str, program: Program, *,
           ended_on: D | None = ENDED_2019, open_: bool = False,
           record_at: dt.datetime | None = None) -> Person:
    """A person registered without a household in 2018, with one episode (ended, or open)."""
    p = t.make_person(office, household=None, name=name, kana="ひとり さん")
    version = program.versions.order_by("number").first()
    assert version is not None
    Enrollment.objects.create(
        office=office, person=p, program=program, program_version=version,
        status="active" if open_ else "ended", candidate_on=D(2018, 4, 1),
        **({} if open_ else {"ended_on": ended_on, "end_reason": "not_needed"}))
    ActivityRecord.objects.create(office=office, person=p, author=world.caseworker,
                                  occurred_at=record_at or OLD, kind="phone",
                                  text=f"{name}さんに電話")
    Person.objects.filter(pk=p.pk).update(created_at=OLD, updated_at=OLD)
    return p


def _transfer(world: Any, *, source: Any, target: Any, source_person: Person | None,
              target_person: Person | None = None, status: str = "declined",
              decided_on: D | None = DECIDED_2019, name: str = "移管 花子") -> Transfer:
    return Transfer.objects.create(
        source_office=source, source_label=source.name, source_person=source_person,
        target_office=target, target_person=target_person, person_name=name,
        person_kana="いかん はなこ", birth_date=D(1970, 1, 1), reason="moved",
        proposed_by=world.caseworker, status=status, decided_on=decided_on,
        hand_over={"person": {"name": name}})


@dataclass
class Beyond:
    alone_due: Person
    alone_recent: Person
    alone_open: Person
    alone_written: Person
    alone_other_office: Person
    merge_due: PersonMerge
    chain: PersonMerge
    merge_kept: PersonMerge
    merge_undone: PersonMerge
    pair: NotDuplicate
    transfer_due: Transfer
    transfer_b_keeps: Transfer
    transfer_b_longer: Transfer
    transfer_recent: Transfer


@pytest.fixture
def beyond(files: Files, world: Any) -> Beyond:
    program = make_program(world.office, consent_required=False)
    other_program = make_program(world.other_office, consent_required=False)
    alone_due = _alone(world, world.office, "被保護者外 一郎", program)
    alone_recent = _alone(world, world.office, "被保護者外 二郎", program, ended_on=D(2022, 3, 31))
    alone_open = _alone(world, world.office, "被保護者外 三郎", program, open_=True)
    alone_written = _alone(world, world.office, "被保護者外 四郎", program,
                           record_at=dt.datetime(2023, 5, 1, 10, 0, tzinfo=clock.JAPAN))
    alone_other = _alone(world, world.other_office, "他市 被保護者外", other_program)

    sv = world.m(world.supervisor)
    head, kept_head = files.due.people[0], files.kept.people[0]
    # A record merged into the due household's head, and a chain: Y into W, W into the head.
    x = t.make_person(world.office, household=t.make_household(world.office), name="統合 前")
    merge_due = merging.person_merge(actor=sv, survivor=head, merged=x, reason="二重登録")
    y = t.make_person(world.office, household=t.make_household(world.office), name="連鎖 一")
    w = t.make_person(world.office, household=t.make_household(world.office), name="連鎖 二")
    chain = merging.person_merge(actor=sv, survivor=w, merged=y, reason="二重登録")
    merging.person_merge(actor=sv, survivor=head, merged=w, reason="二重登録")
    # A merge into the kept household's head stays; so does an undone one naming a kept person.
    z = t.make_person(world.office, household=t.make_household(world.office), name="統合 保存")
    merge_kept = merging.person_merge(actor=sv, survivor=kept_head, merged=z, reason="二重登録")
    r = t.make_person(world.office, household=files.kept.household, name="取消 戻り",
                      member_number=9)
    merge_undone = merging.person_merge(actor=sv, survivor=head, merged=r, reason="誤り")
    merging.person_unmerge(actor=sv, merge=merge_undone, reason="別人と判明")
    pair = merging.duplicate_dismiss(actor=sv, first=head, second=kept_head, note="別人")

    third = t.make_office("C001", name="Ｃ市福祉事務所")
    transfer_due = _transfer(world, source=world.office, target=third,
                             source_person=head, name="削除 対象")
    TransferredEpisode.objects.create(transfer=transfer_due, program_name="就労支援",
                                      status_label="参加中")
    transfer_b_keeps = _transfer(world, source=world.office, target=world.other_office,
                                 source_person=head, target_person=world.other_person,
                                 status="accepted", name="受入 継続")
    transfer_b_longer = _transfer(world, source=world.other_office, target=world.office,
                                  source_person=None, name="期間 長め")
    transfer_recent = _transfer(world, source=world.office, target=world.other_office,
                                source_person=None, decided_on=D(2024, 5, 1), name="最近 移管")
    return Beyond(alone_due, alone_recent, alone_open, alone_written, alone_other,
                  merge_due, chain, merge_kept, merge_undone, pair, transfer_due,
                  transfer_b_keeps, transfer_b_longer, transfer_recent)


def _longer_in_b(world: Any) -> None:
    """The other office keeps its 移管 records 10 years (its own setting)."""
    b_admin = t.make_user(world.other_office, "admin", username="admin_b")
    services.periods_set(actor=world.m(b_admin, world.other_office),
                         values={"transfer": 10, "audit": 10})


def _approve(world: Any, batch: DeletionBatch) -> None:
    assert batch.approval is not None
    request = batch.approval
    approval_decide(actor=world.m(world.manager), request=request, approve=True)


def test_people_without_a_household_count_from_their_last_support(
        beyond: Beyond, world: Any) -> None:
    due = list(selectors.due_people(world.office))
    assert due == [beyond.alone_due]
    assert getattr(due[0], "last_ended_on") == ENDED_2019  # noqa: B009 (annotated)
    # Registered in the other office: never in this office's list.
    assert beyond.alone_other_office not in selectors.due_people(world.office)
    assert beyond.alone_other_office in selectors.due_people(world.other_office)


def test_a_transfer_goes_only_when_both_offices_are_done_with_it(
        beyond: Beyond, world: Any) -> None:
    _longer_in_b(world)
    summary = selectors.due_summary(world.office)
    assert [t.pk for t in summary.transfers] == [beyond.transfer_due.pk]
    assert summary.per_kind["transfer"] == 2  # the transfer and its listed episode
    assert summary.per_kind["merge"] >= 3
    # The receiving office's own list: the person is still kept by this office, so nothing
    # of that 移管 is due there.
    assert beyond.transfer_due.target_office.code == "C001"
    assert selectors.due_summary(beyond.transfer_due.target_office).transfers == []


def test_an_offer_under_discussion_keeps_the_household(files: Files, world: Any) -> None:
    _transfer(world, source=world.office, target=world.other_office,
              source_person=files.due.people[0], status="proposed", decided_on=None)
    assert list(selectors.due_households(world.office)) == []


def test_the_deletion_takes_them_with_a_tombstone_in_both_offices(
        beyond: Beyond, files: Files, world: Any) -> None:
    _longer_in_b(world)
    frozen_before = FrozenReport.objects.get(pk=files.frozen.pk).figures
    batch = services.deletion_request(actor=world.m(world.supervisor), note="整理")
    assert batch.person_ids == [beyond.alone_due.pk]
    assert batch.transfer_ids == [beyond.transfer_due.pk]
    assert str(batch) == f"保存年限による削除 第{batch.pk}号（1世帯、1人、1件の移管）"
    _approve(world, batch)
    batch.refresh_from_db()
    assert batch.status == DeletionBatch.Status.DONE

    # The person without a household, with their episode and record.
    assert not Person.objects.filter(pk=beyond.alone_due.pk).exists()
    assert not Enrollment.objects.filter(person_id=beyond.alone_due.pk).exists()
    assert not ActivityRecord.objects.filter(person_id=beyond.alone_due.pk).exists()
    for kept in (beyond.alone_recent, beyond.alone_open, beyond.alone_written,
                 beyond.alone_other_office):
        assert Person.objects.filter(pk=kept.pk).exists()
    # Merge records: those naming only deleted or merged-away people go, the chain included;
    # a merge into a kept person and one naming a person brought back stay.
    remaining = set(PersonMerge.objects.values_list("pk", flat=True))
    assert beyond.merge_due.pk not in remaining and beyond.chain.pk not in remaining
    assert {beyond.merge_kept.pk, beyond.merge_undone.pk} <= remaining
    assert not NotDuplicate.objects.filter(pk=beyond.pair.pk).exists()
    # 移管: the one no office keeps a person of goes with its episode; the others stay.
    assert not Transfer.objects.filter(pk=beyond.transfer_due.pk).exists()
    assert not TransferredEpisode.objects.filter(transfer_id=beyond.transfer_due.pk).exists()
    for kept_t in (beyond.transfer_b_keeps, beyond.transfer_b_longer, beyond.transfer_recent):
        assert Transfer.objects.filter(pk=kept_t.pk).exists()
    assert Transfer.objects.get(pk=beyond.transfer_b_keeps.pk).source_person_id is None

    # The tombstone names ids, not people; each deleted person finds it in their history.
    tomb = AuditEvent.objects.get(action="retention.delete", office_id=world.office.pk)
    assert tomb.changes["people_without_household"] == [beyond.alone_due.pk]
    assert tomb.changes["transfers"] == [beyond.transfer_due.pk]
    assert tomb.changes["rows"]["merge"] >= 4 and tomb.changes["rows"]["transfer"] == 2
    assert "被保護者外" not in str(tomb.changes) and "削除 対象" not in str(tomb.changes)
    assert AuditPerson.objects.filter(event_id=tomb.pk, person_id=beyond.alone_due.pk).exists()
    # The receiving office's log says its 移管 record went, and by whose rule.
    theirs = AuditEvent.objects.get(action="retention.transfer_deleted")
    assert theirs.office_id == beyond.transfer_due.target_office_id
    assert theirs.changes["transfer_id"] == beyond.transfer_due.pk
    # Frozen figures stay as submitted.
    assert FrozenReport.objects.get(pk=files.frozen.pk).figures == frozen_before


def test_what_became_kept_before_the_approval_is_skipped(beyond: Beyond, world: Any) -> None:
    _longer_in_b(world)
    batch = services.deletion_request(actor=world.m(world.supervisor))
    # Before the approval the person is enrolled again.
    program = make_program(world.office, consent_required=False)
    version = program.versions.first()
    assert version is not None
    Enrollment.objects.create(office=world.office, person=beyond.alone_due, program=program,
                              program_version=version, status="candidate",
                              candidate_on=clock.today())
    _approve(world, batch)
    batch.refresh_from_db()
    assert batch.result["skipped_people"] == [beyond.alone_due.pk]
    assert Person.objects.filter(pk=beyond.alone_due.pk).exists()


def test_the_screen_the_api_and_the_nightly_run_list_them(beyond: Beyond, world: Any) -> None:
    _longer_in_b(world)
    c = Client()
    c.force_login(world.supervisor)
    html = c.get("/manage/retention/").content.decode()
    assert "被保護者外 一郎" in html and "被保護者外 二郎" not in html
    assert "削除 対象" in html and "期間 長め" not in html and "最近 移管" not in html
    view = AuditEvent.objects.filter(action="retention.due_view").latest("pk")
    assert AuditPerson.objects.filter(event_id=view.pk, person_id=beyond.alone_due.pk).exists()
    api = t.ApiClient(t.token_for(world, world.supervisor))
    body = api.get("retention/due").json()
    assert [p["id"] for p in body["people"]] == [beyond.alone_due.pk]
    assert [x["id"] for x in body["transfers"]] == [beyond.transfer_due.pk]
    # Another office's supervisor sees neither this office's person nor its list.
    b_sv = t.make_user(world.other_office, "supervisor", username="sv_b2")
    b_html = Client()
    b_html.force_login(b_sv)
    assert "被保護者外 一郎" not in b_html.get("/manage/retention/").content.decode()
    out = io.StringIO()
    call_command("run_retention", stdout=out)
    lines = {line.split(":")[0]: line for line in out.getvalue().splitlines() if ":" in line}
    assert "世帯のない方 1人、移管の記録 1件" in lines["A001"]
    assert "世帯のない方 1人" in lines["B001"]  # its own person without a household


def test_the_periods_include_merges_and_transfers(files: Files, world: Any) -> None:
    admin = world.m(world.admin)
    rows = {p.kind: p for p in selectors.period_rows(world.office)}
    assert rows["merge"].years == 5 and rows["transfer"].years == 5
    services.periods_set(actor=admin, values={"merge": 8, "audit": 10})
    # The merge records go with the file, so the file is kept as long as they are.
    assert selectors.household_years(world.office) == 8
    assert list(selectors.due_households(world.office)) == []
    with pytest.raises(ValidationFailed) as short:
        services.periods_set(actor=admin, values={"transfer": 11})
    assert short.value.code == "retention.audit_too_short"
