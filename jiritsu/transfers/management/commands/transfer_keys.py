"""Make this installation's key pair for signing person files, or show the key ids in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from jiritsu.transfers import personfile


class Command(BaseCommand):
    help = ("--new FOLDER: write private.pem (set JIRITSU_TRANSFER_SIGNING_KEY to it) and "
            "public.pem (give it to the other installations). Without: list the key ids.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--new", type=Path, metavar="FOLDER")

    def handle(self, *args: Any, new: Path | None, **options: Any) -> None:
        if new is not None:
            kid = personfile.generate_keys(new)
            self.stdout.write(f"key id {kid}: {new / 'private.pem'} (keep), {new / 'public.pem'} (send)")
            return
        for kid in personfile.trusted_keys():
            self.stdout.write(kid)
