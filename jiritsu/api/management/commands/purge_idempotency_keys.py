"""Delete Idempotency-Key records past their retention (settings.IDEMPOTENCY_RETENTION_HOURS).

Schedule it (e.g. nightly); the API also purges now and then while serving.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jiritsu.api.middleware import purge_idempotency_records


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_RETENTION_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_idempotency_records()
        self.stdout.write(f"{deleted} idempotency record(s) purged")
