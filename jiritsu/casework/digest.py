"""The morning e-mail digest: for each user who opted in, in each office that sends it, the
counts of their work list and links to it — never a name, a case number or any other
personal data (an e-mail leaves the office's network).

Sent through Django's e-mail backend (SMTP in production, ``JIRITSU_EMAIL_*``). Each user's
day is one :class:`DigestSend` row: a send that fails is tried again at once
(``ATTEMPTS`` times), then logged and left ``failed`` for the next run to retry; a day
already sent is never sent again. ``manage.py send_digests`` runs it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django_scopes import scope

from jiritsu.casework.models import CaseworkSettings, DigestPreference, DigestSend, Notice
from jiritsu.casework.worklist import KINDS, work_list
from jiritsu.core import clock
from jiritsu.core.wareki import format_wareki
from jiritsu.offices.models import Membership, Office

logger = logging.getLogger("jiritsu.casework.digest")

ATTEMPTS = 3


@dataclass
class DigestRun:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def digest_text(office: Office, membership: Membership, *, today: dt.date,
                base_url: str) -> tuple[str, str]:
    """Subject and body: counts by kind and links, nothing else."""
    week = work_list(membership, today=today, window="week")
    overdue = work_list(membership, today=today, window="overdue")
    lines = [f"{office.name}　{format_wareki(today)}の業務一覧のお知らせです。", ""]
    total = 0
    for kind, label in KINDS.items():
        n = week.counts.get(kind, 0)
        if n:
            late = overdue.counts.get(kind, 0)
            lines.append(f"・{label}：{n}件" + (f"（うち期限超過 {late}件）" if late else ""))
            total += n
    if not total:
        lines.append("今週の期限のものはありません。")
    worklist_url = base_url + reverse("casework:worklist")
    lines += ["", f"業務一覧: {worklist_url}",
              f"お知らせ: {base_url}{reverse('casework:notices')}", "",
              "このメールには件数とリンクだけを載せています。内容はJiritsuにログインして確認してください。",
              f"受信の停止: {base_url}{reverse('casework:digest')}"]
    subject = f"【Jiritsu】今日の業務 {total}件（{format_wareki(today)}）"
    return subject, "\n".join(lines)


def _recipients(office: Office) -> list[Membership]:
    users = list(DigestPreference.objects.filter(office=office, enabled=True)
                 .values_list("user_id", flat=True))
    return list(Membership.objects.filter(office=office, user_id__in=users, is_active=True)
                .select_related("user", "office", "partner").order_by("user_id"))


def send_digests(*, today: dt.date | None = None, offices: list[Office] | None = None
                 ) -> DigestRun:
    """Send today's digest to everyone who opted in and has not had it yet."""
    today = today or clock.today()
    run = DigestRun()
    connection = get_connection()
    for office in offices if offices is not None else list(Office.objects.all()):
        with scope(office=office):
            conf = CaseworkSettings.objects.filter(office=office).first()
            if conf is None or not conf.digest_enabled:
                continue
            base = (conf.digest_base_url or getattr(settings, "JIRITSU_BASE_URL", "")).rstrip("/")
            for m in _recipients(office):
                done = DigestSend.objects.filter(office=office, user=m.user, day=today,
                                                 status=DigestSend.Status.SENT).exists()
                if done or not m.user.email:
                    run.skipped += 1
                    continue
                _send_one(office, m, today=today, base=base, connection=connection, run=run)
    return run


def _send_one(office: Office, m: Membership, *, today: dt.date, base: str, connection: object,
              run: DigestRun) -> None:
    subject, body = digest_text(office, m, today=today, base_url=base)
    message = EmailMessage(subject, body, to=[m.user.email], connection=connection)
    error = ""
    attempts = 0
    for attempts in range(1, ATTEMPTS + 1):
        try:
            message.send(fail_silently=False)
            error = ""
            break
        except Exception as exc:  # any backend failure: retried, then recorded
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("digest to user %s (office %s) failed, attempt %s: %s",
                           m.user_id, office.code, attempts, error)
    with transaction.atomic():
        row, _ = DigestSend.objects.select_for_update().get_or_create(
            office=office, user=m.user, day=today,
            defaults={"status": DigestSend.Status.FAILED})
        row.attempts += attempts
        if error:
            row.status, row.last_error = DigestSend.Status.FAILED, error[:2000]
            run.failed += 1
            run.errors.append(f"user {m.user_id}: {error}")
            logger.error("digest to user %s (office %s) not sent after %s attempts: %s",
                         m.user_id, office.code, attempts, error)
            if row.attempts == attempts:  # the day's first failure: tell the user in the app
                Notice.objects.create(office=office, user=m.user,
                                      kind=Notice.Kind.DIGEST_FAILED,
                                      text="朝のお知らせメールを送れませんでした。次の実行で再送します。",
                                      url=reverse("casework:worklist"))
        else:
            row.status, row.last_error, row.sent_at = DigestSend.Status.SENT, "", clock.now()
            run.sent += 1
        row.save()
