"""Take in a person file from another installation: it becomes an offer to the office, to be
accepted (case number, caseworker) on the 移管 screen, through the API or with --accept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scope

from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.offices.models import User
from jiritsu.transfers import personfile, services
from jiritsu.transfers.management.commands.export_person import acting_membership


class Command(BaseCommand):
    help = "Verify FILE (signature, schema version) and take it in as an offer to --office."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--office", required=True, help="office code")
        parser.add_argument("--user", required=True,
                            help="username of the 査察指導員 or 課長 who takes it in (audit)")
        parser.add_argument("--accept", metavar="CASE_NUMBER",
                            help="accept at once under this case number")
        parser.add_argument("--caseworker", help="username of the caseworker (with --accept)")

    def handle(self, *args: Any, file: Path, office: str, user: str, accept: str | None,
               caseworker: str | None, **options: Any) -> None:
        m = acting_membership(user, office)
        try:
            with scope(office=m.office), transaction.atomic():
                transfer = personfile.take_in(actor=m, data=file.read_bytes())
                if accept:
                    cw = User.objects.filter(username=caseworker).first() if caseworker else None
                    services.transfer_accept(actor=m, transfer=transfer, case_number=accept,
                                             caseworker=cw, accepted_on=clock.today())
        except DomainError as exc:
            lines = [f"{exc.code}: {exc.message}"] + [
                f"  {d.get('where', '')} {d.get('field', '')}: {d.get('message', '')}"
                for d in exc.details]
            raise CommandError("\n".join(lines)) from exc
        state = "accepted" if accept else "offered"
        self.stdout.write(f"transfer {transfer.pk} {state}: {transfer.person_name} "
                          f"({transfer.source_label}, {dt.date.isoformat(transfer.birth_date)})")
