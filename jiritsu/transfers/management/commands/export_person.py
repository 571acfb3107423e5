"""Write one person's signed person file (個人ファイル) for another installation: as the
hand-over (``--hand-over``: the office's open episodes of the person end with 移管 on ``--on``,
today by default, in the export's transaction) or as a copy (nothing changes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.offices.models import Membership
from jiritsu.people.models import Person
from jiritsu.transfers import personfile


def acting_membership(username: str, office: str) -> Membership:
    """The member of staff a command acts as (audit rows name them), in the office given."""
    with scopes_disabled():
        m = (Membership.objects.select_related("user", "office")
             .filter(user__username=username, office__code=office, is_active=True).first())
    if m is None:
        raise CommandError(f"no active membership of {username!r} in office {office!r}")
    return m


class Command(BaseCommand):
    help = ("Write PERSON_ID's signed person file (JSON, schema version "
            f"{personfile.SCHEMA_VERSION}) to --out, acting as --user in --office; with "
            "--hand-over the person's open episodes end with 移管 (a copy otherwise).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("person_id", type=int)
        parser.add_argument("--office", required=True, help="office code")
        parser.add_argument("--user", required=True,
                            help="username of the 査察指導員 or 課長 who sends it (audit)")
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--hand-over", action="store_true", dest="hand_over",
                            help="hand the person over: end their open episodes with 移管 "
                                 "(without it the file is a copy and nothing changes)")
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None,
                            help="the hand-over day, YYYY-MM-DD (default: today in Japan)")

    def handle(self, *args: Any, person_id: int, office: str, user: str, out: Path,
               hand_over: bool = False, on: dt.date | None = None, **options: Any) -> None:
        if on is not None and not hand_over:
            raise CommandError("--on is the hand-over day: give it with --hand-over")
        m = acting_membership(user, office)
        # The file is opened before anything changes: a hand-over that cannot be written
        # must not end the person's episodes.
        try:
            target = out.open("wb")
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from exc
        with target:
            try:
                with scope(office=m.office):
                    person = Person.objects.filter(pk=person_id, office=m.office).first()
                    if person is None:
                        raise CommandError(f"no person {person_id} in office {office!r}")
                    try:
                        data = personfile.export(actor=m, person=person, hand_over=hand_over,
                                                 on=(on or clock.today()) if hand_over else None)
                    except DomainError as exc:
                        raise CommandError(exc.message) from exc
            except BaseException:
                target.close()
                out.unlink(missing_ok=True)
                raise
            target.write(data)
        purpose = f"hand-over on {(on or clock.today()).isoformat()}" if hand_over else "copy"
        self.stdout.write(f"{out}: {len(data)} bytes ({purpose})")
