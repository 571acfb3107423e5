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
    python -m bench.cpu --database-url … --wrk                      # gunicorn + wrk

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


def reaped_cpu_seconds() -> float:
    """CPU seconds of the PostgreSQL server processes that have exited so far, as the
    postmaster's children (``cutime`` + ``cstime`` of /proc/<postmaster>/stat): the parallel
    workers a query starts live only as long as the query and carry no database name in
    their title, so :func:`backend_cpu_seconds` cannot see them. On a quiet machine the
    other processes that exit in a measured window (autovacuum workers) add little."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm", encoding="ascii") as fh:
                if fh.read().strip() != "postgres":
                    continue
            with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{fields[1]}/comm", encoding="ascii") as fh:
                if fh.read().strip() == "postgres":
                    continue  # a backend or worker: only the postmaster reaps them
        except OSError:
            continue
        total += (int(fields[13]) + int(fields[14])) / _ticks()
    return total


def database_cpu_seconds(dbname: str) -> float:
    """CPU seconds of ``dbname``'s backends so far plus every exited server process's
    (:func:`reaped_cpu_seconds`: the parallel workers); the difference over a window is the
    database's CPU in it."""
    return backend_cpu_seconds(dbname) + reaped_cpu_seconds()


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
        db_before = database_cpu_seconds(dbname) if dbname else 0.0
        for _ in range(repeat):
            url = next(source)
            w0, c0 = time.perf_counter(), time.process_time()
            _get(client, url)
            c1, w1 = time.process_time(), time.perf_counter()
            cost.app_ms.append((c1 - c0) * 1000)
            cost.wall_ms.append((w1 - w0) * 1000)
        if dbname:
            cost.db_ms_total = (database_cpu_seconds(dbname) - db_before) * 1000
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

    # At least 50 requests a page: PostgreSQL's CPU is read in clock ticks (10 ms).
    costs = measure_pages(plan(ctx), repeat=max(ctx.repeat, 50))
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


# -- throughput with wrk ------------------------------------------------------------------

WRK_PAGES = ("frame", "person", "home")


def wrk_pages(ctx: Any, *, seconds: int = 8, workers: int = 4, connections: int = 20,
              pages: tuple[str, ...] = WRK_PAGES, warm_seconds: int = 3
              ) -> dict[str, dict[str, float]]:
    """Each page under ``wrk`` (C, two threads, ``connections`` open connections) against
    gunicorn with ``workers`` sync workers, one caseworker's session: requests per second,
    and what each request cost in CPU — the gunicorn workers, the PostgreSQL backends of the
    database and wrk itself, read from /proc — so that a shared machine's figure can be
    told apart from the code's: ``idle_2_cores`` is the rate two idle cores would give at
    that cost (2,000 ms ÷ CPU ms per request)."""
    import json as jsonlib
    import resource
    import shutil
    import subprocess
    import tempfile

    from django.conf import settings
    from django.db import connection

    from bench.processes import children, environment, start_gunicorn, stop
    from bench.run import _cpu_of, _session_for

    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    p = plan(ctx)
    cookie = f"{settings.SESSION_COOKIE_NAME}={_session_for(ctx.caseworker.pk)}"
    dbname = connection.settings_dict["NAME"]
    # No worker replaced during the run (max_requests), so that every worker's CPU is counted.
    server, base = start_gunicorn(environment(JIRITSU_STATIC_MANIFEST="0",
                                              JIRITSU_TWO_FACTOR="off",
                                              JIRITSU_MAX_REQUESTS="0"), workers=workers)
    out: dict[str, dict[str, float]] = {}
    folder = tempfile.mkdtemp(prefix="jiritsu-wrk-")
    try:
        for page in pages:
            script = os.path.join(folder, f"{page}.lua")
            with open(script, "w", encoding="utf-8") as fh:
                fh.write("local urls = {" + ",".join(jsonlib.dumps(u) for u in p.urls[page])
                         + "}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
                         "  return wrk.format('GET', urls[(i % #urls) + 1])\nend\n")
            subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{warm_seconds}s", "-s", script, "-H", f"Cookie: {cookie}",
                            "--timeout", "10s", base], capture_output=True, check=True)  # every worker warm
            procs = children(server.pid)
            app0 = sum(_cpu_of(w) for w in procs)
            db0 = database_cpu_seconds(dbname)
            gen0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            text = subprocess.run(
                [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script,
                 "-H", f"Cookie: {cookie}", base], capture_output=True, text=True,
                check=True).stdout
            gen1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            app = sum(_cpu_of(w) for w in procs) - app0
            db = database_cpu_seconds(dbname) - db0
            gen = (gen1.ru_utime + gen1.ru_stime) - (gen0.ru_utime + gen0.ru_stime)
            requests = int(text.split(" requests in ")[0].split()[-1])
            errors = sum(int(line.split()[-1]) for line in text.splitlines()
                         if line.strip().startswith(("Non-2xx", "Socket errors")) and
                         line.split()[-1].isdigit())
            rate = float(text.split("Requests/sec:")[1].split()[0])
            per = {k: v * 1000 / max(requests, 1) for k, v in
                   (("app", app), ("db", db), ("wrk", gen))}
            total = sum(per.values())
            out[page] = {"requests": requests, "errors": errors, "rps": rate,
                         "app_cpu_ms": round(per["app"], 2), "db_cpu_ms": round(per["db"], 2),
                         "wrk_cpu_ms": round(per["wrk"], 2),
                         "idle_2_cores": round(2000 / total) if total else 0.0,
                         "load_avg": os.getloadavg()[0]}
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)
    return out


def case_wrk(ctx: Any, r: Any) -> None:
    from django.db import connection

    from bench.timing import Skip

    if connection.vendor != "postgresql":
        raise Skip("PostgreSQL only (the CPU of its backends is part of the figure)")
    import shutil

    if shutil.which("wrk") is None:
        raise Skip("wrk is not installed (Debian: apt-get install wrk)")
    pages = wrk_pages(ctx, seconds=max(5, min(ctx.locust_seconds or 8, 15)))
    r.extra = {"pages": pages}
    r.samples = [pages["frame"]["rps"]]
    r.n = sum(int(v["requests"]) for v in pages.values())
    r.note = "; ".join(
        f"{k} {v['rps']:,.0f} req/s ({v['errors']:.0f} errors), CPU per request app "
        f"{v['app_cpu_ms']} + DB {v['db_cpu_ms']} + wrk {v['wrk_cpu_ms']} ms → "
        f"≈ {v['idle_2_cores']:,.0f} req/s on two idle cores" for k, v in pages.items())
    r.note += " (median column: the frame's req/s measured)"


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
    parser.add_argument("--wrk", action="store_true",
                        help="throughput with wrk against gunicorn instead (frame, person, home)")
    parser.add_argument("--seconds", type=int, default=8, help="--wrk: seconds per page")
    parser.add_argument("--workers", type=int, default=4, help="--wrk: gunicorn workers")
    parser.add_argument("--warm-seconds", type=int, default=3,
                        help="--wrk: seconds of wrk before each page is measured")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")
    os.environ.setdefault("JIRITSU_SECURE_COOKIES", "0")
    os.environ.setdefault("JIRITSU_STATIC_MANIFEST", "0")
    os.environ.setdefault("JIRITSU_TWO_FACTOR", "off")
    import django

    django.setup()
    try:  # the server's state (jiritsu.wsgi): URLs imported, templates compiled, gc frozen
        from jiritsu.core.warmup import warm_up
    except ImportError:  # a tree from before the warm-up
        pass
    else:
        if not os.environ.get("BENCH_COLD"):
            warm_up()
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
    if args.wrk:
        print(f"load average {os.getloadavg()[0]:.2f} at the start; wrk -t2 -c20 "
              f"-d{args.seconds}s, gunicorn {args.workers} sync workers")
        print("| page | req/s | errors | app CPU ms | DB CPU ms | wrk CPU ms | req/s on 2 idle cores |")
        print("|---|---|---|---|---|---|---|")
        for page, v in wrk_pages(ctx, seconds=args.seconds, workers=args.workers,
                                 warm_seconds=args.warm_seconds).items():
            print(f"| {page} | {v['rps']:,.0f} | {v['errors']:.0f} | {v['app_cpu_ms']} | "
                  f"{v['db_cpu_ms']} | {v['wrk_cpu_ms']} | {v['idle_2_cores']:,.0f} |")
        return
    pages = tuple(x.strip() for x in args.pages.split(",") if x.strip())
    started = os.getloadavg()[0]
    costs = measure_pages(p, repeat=args.repeat, pages=pages)
    print(f"load average {started:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; "
          f"{args.repeat} requests per page as {ctx.caseworker.username}")
    print(table(costs))


if __name__ == "__main__":
    main(sys.argv[1:])
