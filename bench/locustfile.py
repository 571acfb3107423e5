"""Load test: caseworkers of one office on a mix of pages (run by ``python -m bench``).

Each simulated user is a different caseworker with an open session who, without think
time, opens their home page, people of their own caseload, the program
board and the person search. The plan (accounts, URLs) comes from BENCH_PLAN_FILE,
written by bench/run.py, so this file knows no URLs of its own.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, between, task

with open(os.environ["BENCH_PLAN_FILE"], encoding="utf-8") as _fh:
    PLAN = json.load(_fh)
_ACCOUNTS = itertools.cycle(PLAN["accounts"])


# No pause (the throughput test), or a mean pause between pages for a capacity test: how
# many caseworkers, each opening a page every few seconds, one server keeps responsive.
_THINK = float(os.environ.get("BENCH_THINK_SECONDS") or 0)


class Caseworker(FastHttpUser):
    wait_time = between(_THINK * 0.5, _THINK * 1.5) if _THINK > 0 else between(0.0, 0.05)

    def on_start(self) -> None:
        # Sessions were opened beforehand (force_login): a caseworker logs in once a day,
        # so the argon2 password check is not part of the page mix measured here.
        self.account = next(_ACCOUNTS)
        self.rng = random.Random(self.account["username"])
        self.headers = {"Cookie": f"{PLAN['cookie_name']}={self.account['session']}"}

    def get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, headers=self.headers,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif "/login/" in (response.url or ""):
                response.failure("sent to the log-in page")

    @task(3)
    def home(self) -> None:
        self.get("/", "home")

    @task(5)
    def person(self) -> None:
        people = self.account["people"]
        if people:
            self.get(self.rng.choice(people), "person page")

    @task(2)
    def board(self) -> None:
        self.get(self.rng.choice(PLAN["boards"]), "program board")

    @task(1)
    def search(self) -> None:
        self.get(PLAN["search"] + "?q=" + self.rng.choice(PLAN["queries"]), "search")
