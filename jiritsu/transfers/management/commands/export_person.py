"""Write one person's signed person file (個人ファイル) for another installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

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
            f"{personfile.SCHEMA_VERSION}) to --out, acting as --user in --office.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("person_id", type=int)
        parser.add_argument("--office", required=True, help="office code")
        parser.add_argument("--user", required=True,
                            help="username of the 査察指導員 or 課長 who sends it (audit)")
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args: Any, person_id: int, office: str, user: str, out: Path,
               **options: Any) -> None:
        m = acting_membership(user, office)
        with scope(office=m.office):
            person = Person.objects.filter(pk=person_id, office=m.office).first()
            if person is None:
                raise CommandError(f"no person {person_id} in office {office!r}")
            try:
                data = personfile.export(actor=m, person=person)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        out.write_bytes(data)
        self.stdout.write(f"{out}: {len(data)} bytes")
