"""``manage.py load_demo``: create the demo office (DEMO01) and print its log-ins."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jiritsu.people import demo


class Command(BaseCommand):
    help = "Create the demo office (みなと市福祉事務所, code DEMO01) with staff and a synthetic caseload."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (deterministic)")
        parser.add_argument("--households", type=int, default=1000, help="number of households")
        parser.add_argument("--if-missing", action="store_true",
                            help="do nothing if the demo office already exists (still print log-ins)")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.demo_exists():
            if not options["if_missing"]:
                self.stderr.write("デモ事務所 DEMO01 は既に存在します。/ The demo office already exists.")
            logins, name = demo.existing_logins()
            self.stdout.write(demo.format_logins(logins, name))
            return
        started = time.monotonic()
        self.stdout.write(f"デモ事務所を作成しています… (seed={options['seed']}, "
                          f"households={options['households']})")
        demo.load_demo(seed=options["seed"], households=options["households"],
                       log=self.stdout.write)
        self.stdout.write(f"  完了 / done in {time.monotonic() - started:.1f}s\n")
        logins, name = demo.existing_logins()
        self.stdout.write(demo.format_logins(logins, name))
