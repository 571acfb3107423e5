"""CPU per request of the load test's pages, in one process, without the load's noise.

Each page is requested ``repeat`` times through Django's test Client (every middleware, the
session, the office scope, the templates, the audit row of a person view) after a warm-up,
and what each request cost is read from the operating system, not from a wall clock:

- **app**: this process's CPU time (``time.process_time``: user + system, all threads);
- **db**: the CPU time of the PostgreSQL server processes connected to the benchmark
  database (``/proc/<pid>/stat`` of every backend whose title names it), so other
  databases on a shared machine do not count;
- **wall**: elapsed time, for comparison.

The pages: the frame (the empty search page: session, user, membership and the base
template, nothing else), the person page (the caseworker's people in turn), the caseworker
home, the program board (the office's programs in turn, as the caseworker) and a search
(family names in turn). The page mix weighs them as the load test does (home 3 : person 5 :
board 2 : search 1).

    python -m bench.cpu --database-url postgres://…/db            # the table
    python -m bench.cpu --database-url … --profile person --top 40  # cProfile of one page
    python -m bench.cpu --database-url … --sample frame             # sampling profile

Also the bench case "CPU per page" (``python -m bench --only "CPU per page"``).
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MIX = {"home": 3, "person": 5, "board": 2, "search": 1}
PAGES = ("frame", "person", "home", "board", "search")


@dataclass
class PageCost:
    page: str
    url: str
    app_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    db_ms_total: float = 0.0
    queries: int = 0

    @property
    def n(self) -> int:
        return len(self.app_ms)

    @property
    def app(self) -> float:
        return statistics.median(self.app_ms)

    @property
    def db(self) -> float:
        return self.db_ms_total / max(self.n, 1)

    def as_dict(self) -> dict[str, Any]:
        return {"page": self.page, "url": self.url, "n": self.n,
                "app_cpu_ms_median": round(self.app, 2),
                "app_cpu_ms_mean": round(statistics.fmean(self.app_ms), 2),
                "db_cpu_ms_mean": round(self.db, 2),
                "wall_ms_median": round(statistics.median(self.wall_ms), 2),
                "queries": self.queries}


def _ticks() -> float:
    return float(os.sysconf("SC_CLK_TCK"))


def backend_cpu_seconds(dbname: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to ``dbname`` (0 when
    PostgreSQL is not on this machine or not PostgreSQL)."""
    total = 0.0
    needle = f" {dbname} ".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                title = fh.read()
            if not title.startswith(b"postgres: ") or needle not in title:
                continue
            with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _ticks()
    return total


@dataclass
class Plan:
    """What the harness requests: URLs per page, all as one caseworker."""

    user: Any
    urls: dict[str, list[str]]


def plan(ctx: Any) -> Plan:
    from django.urls import reverse
    from django_scopes import scope

    from bench.names import FAMILY
    from jiritsu.programs.models import Program

    with scope(office=ctx.office):
        programs = list(Program.objects.filter(office=ctx.office).order_by("code")
                        .values_list("pk", flat=True)[:7])
    people = ctx.people[:50]
    return Plan(ctx.caseworker, {
        "frame": [reverse("search")],
        "person": [reverse("people:person", args=[pk]) for pk in people],
        "home": [reverse("home")],
        "board": [reverse("programs:detail", args=[pk]) for pk in programs],
        "search": [f"{reverse('search')}?q={k}" for _, k in FAMILY[:20]],
    })


def _cycle(urls: list[str]) -> Iterator[str]:
    while True:
        yield from urls


def measure_pages(p: Plan, *, repeat: int, warmup: int = 3,
                  pages: tuple[str, ...] = PAGES) -> dict[str, PageCost]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(p.user)
    dbname = connection.settings_dict["NAME"] if connection.vendor == "postgresql" else ""
    out: dict[str, PageCost] = {}
    for page in pages:
        urls = p.urls[page]
        if not urls:
            continue
        cost = PageCost(page, urls[0])
        source = _cycle(urls)
        for _ in range(warmup):
            _get(client, next(source))
        with CaptureQueriesContext(connection) as queries:
            _get(client, next(source))
        cost.queries = len(queries)
        db_before = backend_cpu_seconds(dbname) if dbname else 0.0
        for _ in range(repeat):
            url = next(source)
            w0, c0 = time.perf_counter(), time.process_time()
            _get(client, url)
            c1, w1 = time.process_time(), time.perf_counter()
            cost.app_ms.append((c1 - c0) * 1000)
            cost.wall_ms.append((w1 - w0) * 1000)
        if dbname:
            cost.db_ms_total = (backend_cpu_seconds(dbname) - db_before) * 1000
        out[page] = cost
    return out


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")
    return response


def mix(costs: dict[str, PageCost]) -> tuple[float, float]:
    """(app, db) CPU ms per request of the load test's mix, from the per-page means."""
    weight = sum(MIX[k] for k in MIX if k in costs)
    app = sum(statistics.fmean(costs[k].app_ms) * w for k, w in MIX.items() if k in costs)
    db = sum(costs[k].db * w for k, w in MIX.items() if k in costs)
    return app / max(weight, 1), db / max(weight, 1)


def table(costs: dict[str, PageCost]) -> str:
    lines = ["| page | n | queries | app CPU ms (median) | app CPU ms (mean) | DB CPU ms (mean) "
             "| wall ms (median) | req/s per core (app + DB) |", "|---|---|---|---|---|---|---|---|"]
    for c in costs.values():
        total = statistics.fmean(c.app_ms) + c.db
        lines.append(f"| {c.page} | {c.n} | {c.queries} | {c.app:.2f} | "
                     f"{statistics.fmean(c.app_ms):.2f} | {c.db:.2f} | "
                     f"{statistics.median(c.wall_ms):.2f} | {1000 / total:.0f} |")
    if all(k in costs for k in MIX):
        app, db = mix(costs)
        lines.append(f"| mix (home 3 : person 5 : board 2 : search 1) | | | | {app:.2f} | "
                     f"{db:.2f} | | {1000 / (app + db):.0f} |")
    return "\n".join(lines)


# -- the bench case -----------------------------------------------------------------------

def case_cpu(ctx: Any, r: Any) -> None:
    from django.db import connection

    costs = measure_pages(plan(ctx), repeat=max(ctx.repeat, 10))
    app, db = mix(costs)
    r.samples = [app + db]
    r.n = sum(c.n for c in costs.values())
    r.extra = {"pages": {k: c.as_dict() for k, c in costs.items()},
               "mix_app_cpu_ms": round(app, 2), "mix_db_cpu_ms": round(db, 2)}
    per = "; ".join(f"{k} {statistics.fmean(c.app_ms):.1f}+{c.db:.1f} ms ({c.queries} q)"
                    for k, c in costs.items())
    db_note = "" if connection.vendor == "postgresql" else " (SQLite: no separate DB CPU)"
    r.note = (f"app + DB CPU ms per request of the mix (median column): app {app:.1f} + DB "
              f"{db:.1f}{db_note}; per page app+DB: {per}")


# -- profiling ----------------------------------------------------------------------------

def profile(p: Plan, page: str, *, repeat: int, top: int, sort: str) -> None:
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    client.force_login(p.user)
    source = _cycle(p.urls[page])
    for _ in range(3):
        _get(client, next(source))
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        _get(client, next(source))
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout)
    stats.sort_stats(sort).print_stats(top)


def sample(p: Plan, page: str, *, repeat: int, top: int, interval: float = 0.0005) -> None:
    """A sampling profile (what py-spy would show): every ``interval`` seconds of this
    process's CPU time, the Python stack is recorded; prints the functions most often
    on the stack (inclusive) and at its top (exclusive), with our own frames' callers."""
    import signal

    from django.test import Client

    client = Client()
    client.force_login(p.user)
    source = _cycle(p.urls[page])
    for _ in range(3):
        _get(client, next(source))
    inclusive: collections.Counter[str] = collections.Counter()
    exclusive: collections.Counter[str] = collections.Counter()
    total = 0

    def where(frame: Any) -> str:
        code = frame.f_code
        name = code.co_filename
        for marker in ("site-packages/", "/jiritsu/", "/bench/"):
            if marker in name:
                name = name.split(marker, 1)[1]
                break
        return f"{name}:{code.co_name}"

    def on_tick(_sig: int, frame: Any) -> None:
        nonlocal total
        total += 1
        seen = set()
        exclusive[where(frame)] += 1
        while frame is not None:
            key = where(frame)
            if key not in seen:
                inclusive[key] += 1
                seen.add(key)
            frame = frame.f_back

    signal.signal(signal.SIGPROF, on_tick)
    started = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, interval, interval)
    try:
        for _ in range(repeat):
            _get(client, next(source))
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
    cpu_ms = (time.process_time() - started) * 1000
    print(f"{total} samples over {cpu_ms:,.0f} ms of CPU ({cpu_ms / repeat:.2f} ms a request; "
          f"the kernel's timer ticks at most once a jiffy)")
    print("\n-- inclusive (on the stack)")
    for key, n in inclusive.most_common(top):
        print(f"{100 * n / total:6.1f} %  {key}")
    print("\n-- exclusive (running)")
    for key, n in exclusive.most_common(top):
        print(f"{100 * n / total:6.1f} %  {key}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--profile", choices=PAGES, help="cProfile this page instead")
    parser.add_argument("--sample", choices=PAGES, help="sampling profile of this page")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")
    os.environ.setdefault("JIRITSU_SECURE_COOKIES", "0")
    os.environ.setdefault("JIRITSU_STATIC_MANIFEST", "0")
    os.environ.setdefault("JIRITSU_TWO_FACTOR", "off")
    import django

    django.setup()
    from bench.run import build_context

    ctx = build_context(argparse.Namespace(
        size="", repeat=args.repeat, locust_seconds=0, locust_users=0, think_seconds=0.0,
        workers=0, import_rows=0))
    p = plan(ctx)
    if args.profile:
        profile(p, args.profile, repeat=args.repeat, top=args.top, sort=args.sort)
        return
    if args.sample:
        sample(p, args.sample, repeat=args.repeat, top=args.top)
        return
    pages = tuple(x.strip() for x in args.pages.split(",") if x.strip())
    started = os.getloadavg()[0]
    costs = measure_pages(p, repeat=args.repeat, pages=pages)
    print(f"load average {started:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; "
          f"{args.repeat} requests per page as {ctx.caseworker.username}")
    print(table(costs))


if __name__ == "__main__":
    main(sys.argv[1:])
