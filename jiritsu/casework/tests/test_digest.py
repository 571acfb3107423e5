"""The morning digest reaches a real SMTP server (aiosmtpd, started here) with counts and
links only; a failed send is retried, logged and sent by the next run, never twice."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.core.management.base import CommandError

from jiritsu import testing as t
from jiritsu.cases.models import ActivityRecord
from jiritsu.casework.models import CaseworkSettings, DigestPreference, DigestSend, Notice
from jiritsu.core import clock

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    yield inbox
    controller.stop()


def _opt_in(world, user, email):
    user.email = email
    user.save()
    DigestPreference.objects.create(office=world.office, user=user, enabled=True)


def _body(raw: bytes) -> tuple[str, str]:
    msg = message_from_bytes(raw)
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(make_header(decode_header(msg["Subject"]))), payload.decode(
        msg.get_content_charset() or "utf-8")


def _setup(world):
    CaseworkSettings.objects.create(office=world.office, digest_enabled=True,
                                    digest_base_url="https://jiritsu.example.lg.jp")
    _opt_in(world, world.caseworker, "cw@example.lg.jp")
    _opt_in(world, world.supervisor, "sv@example.lg.jp")
    ActivityRecord.objects.create(office=world.office, person=world.person, kind="home_visit",
                                  text="訪問", occurred_at=clock.now(), author=world.caseworker)


def test_the_digest_arrives_with_counts_and_links_and_no_personal_data(world, smtp):
    _setup(world)
    never = t.make_household(world.office, caseworker=world.caseworker, case_number="200002")
    t.make_person(world.office, household=never, name="未訪 花子", relationship="head")
    call_command("send_digests")
    assert sorted(to for to, _raw in smtp.messages) == [["cw@example.lg.jp"],
                                                        ["sv@example.lg.jp"]]
    for _to, raw in smtp.messages:
        subject, body = _body(raw)
        assert "https://jiritsu.example.lg.jp/day/worklist/" in body
        for personal in (world.person.name, world.household.case_number, "髙橋", "𠮷子",
                         "200002", "未訪 花子",
                         str(world.caseworker)):
            assert personal not in body and personal not in subject
    sv_body = next(_body(raw)[1] for to, raw in smtp.messages if to == ["sv@example.lg.jp"])
    assert "供覧待ち：1件" in sv_body
    cw_body = next(_body(raw)[1] for to, raw in smtp.messages if to == ["cw@example.lg.jp"])
    assert "訪問：1件（うち期限超過 1件）" in cw_body
    # The day is sent once: a second run sends nothing.
    call_command("send_digests")
    assert len(smtp.messages) == 2


def test_nothing_is_sent_when_the_office_does_not_send_or_the_user_did_not_opt_in(world, smtp):
    _setup(world)
    CaseworkSettings.objects.filter(office=world.office).update(digest_enabled=False)
    call_command("send_digests")
    assert smtp.messages == []


def test_a_failed_send_is_retried_logged_and_sent_by_the_next_run(world, smtp, settings, caplog):
    _setup(world)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    with pytest.raises(CommandError):
        call_command("send_digests")
    failed = DigestSend.objects.filter(status="failed")
    assert failed.count() == 2 and all(f.attempts == 3 for f in failed)
    assert "not sent after 3 attempts" in caplog.text
    assert Notice.objects.filter(kind="digest_failed").count() == 2
    settings.EMAIL_PORT = port
    call_command("send_digests")
    assert len(smtp.messages) == 2
    assert DigestSend.objects.filter(status="sent").count() == 2


def test_opting_in_needs_an_email_address(world):
    from django.test import Client

    c = Client()
    c.force_login(world.caseworker2)
    r = c.post("/day/digest/", {"enabled": "1"})
    assert "メールアドレスが登録されていません" in r.content.decode()
    world.caseworker2.email = "cw2@example.lg.jp"
    world.caseworker2.save()
    assert c.post("/day/digest/", {"enabled": "1"}).status_code == 302
    assert DigestPreference.objects.get(user=world.caseworker2).enabled


def test_the_scheduled_job_records_a_failed_run_and_the_next_run_sends(world, smtp, settings):
    """``send_digests`` is a job of the operations registry (run by its systemd timer through
    ``manage.py run_job send_digests``): a failed send makes the run ``failed`` with its
    error (the jobs screen and /health/ready show it); the next run sends what failed."""
    from jiritsu.operations.jobs import registry, run_job
    from jiritsu.operations.models import JobRun

    job = registry()["send_digests"]
    assert job.command == "send_digests" and job.every.days == 1
    _setup(world)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    with pytest.raises(CommandError):
        run_job(job)
    run = JobRun.objects.get(job="send_digests")
    assert run.status == JobRun.Status.FAILED and "次の実行で再送します" in run.error
    assert "failed=2" in run.summary
    settings.EMAIL_PORT = port
    second = run_job(job)
    assert second.status == JobRun.Status.SUCCEEDED and "sent=2" in second.summary
    assert len(smtp.messages) == 2
