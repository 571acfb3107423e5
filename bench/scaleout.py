"""Past one app server and one connection per worker, run on loopback: the load test through
PgBouncer in transaction mode, and through HAProxy over two gunicorn servers with one of them
stopped mid-run. Cases of ``python -m bench`` (registered in bench/run.py) (PostgreSQL only; skipped where pgbouncer or
haproxy is not installed: ``apt install pgbouncer haproxy``). docs/scaling.md has the figures.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time

from bench.cpu import reaped_cpu_seconds
from bench.run import Context, _load_plan, _postgres_cpu, _via_port, load_test, plan_path
from bench.timing import Result, Skip


def _installed(program: str) -> bool:
    return bool(shutil.which(program) or os.path.exists(f"/usr/sbin/{program}"))


def load_through_pgbouncer(ctx: Context, r: Result) -> None:
    from django.db import connection

    from bench.processes import pgbouncer

    if connection.vendor != "postgresql":
        raise Skip("PostgreSQL only")
    if not _installed("pgbouncer"):
        raise Skip("pgbouncer is not installed (apt install pgbouncer)")
    with pgbouncer(int(connection.settings_dict["PORT"] or 5432)) as port:
        load_test(ctx, r, via="through PgBouncer (transaction mode)", JIRITSU_PGBOUNCER="1",
                  JIRITSU_DB_POOL="0", DATABASE_URL=_via_port(connection.settings_dict, port))


def balancer_with_one_stopped(ctx: Context, r: Result) -> None:
    """Two gunicorn servers (sessions in the database, so either serves any user) behind
    HAProxy; the load test runs through the balancer and, half-way, one server is stopped
    (SIGTERM: it finishes the requests it holds and exits). Failures are counted before and
    after the stop from locust's per-second history."""
    import csv

    from django.db import connection

    from bench.processes import environment, haproxy, run_locust, start_gunicorn, stop

    if connection.vendor != "postgresql":
        raise Skip("PostgreSQL only (two servers on one SQLite file is not a deployment)")
    if not _installed("haproxy"):
        raise Skip("haproxy is not installed (apt install haproxy)")
    if ctx.locust_seconds <= 0:
        raise Skip("load test switched off (--locust-seconds 0)")
    tmp = tempfile.mkdtemp(prefix="jiritsu-bench-")
    plan = _load_plan(ctx, plan_path(tmp))
    if not plan["accounts"]:
        raise Skip("no caseworker accounts")
    env = environment(JIRITSU_CONN_MAX_AGE="60", BENCH_PLAN_FILE=plan_path(tmp),
                      BENCH_THINK_SECONDS=str(ctx.think_seconds))
    workers = max(1, ctx.workers // 2 + ctx.workers % 2)
    first, base1 = start_gunicorn(env, workers=workers)
    second, base2 = start_gunicorn(env, workers=workers)
    seconds = max(ctx.locust_seconds, 10)
    stopped_at: list[float] = []

    def stop_first() -> None:
        time.sleep(seconds / 2)
        stopped_at.append(time.time())
        stop(first)

    prefix = os.path.join(tmp, "locust")
    # The servers' database connections close when they stop: their CPU then moves to the
    # postmaster's reaped children (bench.cpu.reaped_cpu_seconds), counted with the live ones.
    db_before = sum(_postgres_cpu().values()) + reaped_cpu_seconds()
    try:
        with haproxy([base1.removeprefix("http://"), base2.removeprefix("http://")]) as host:
            stopper = threading.Thread(target=stop_first, daemon=True)
            stopper.start()
            rows = run_locust(host, env, users=ctx.locust_users, seconds=seconds,
                              spawn_rate=ctx.locust_users, prefix=prefix)
            stopper.join()
    finally:
        stop(first)
        stop(second)
    db_cpu = sum(_postgres_cpu().values()) + reaped_cpu_seconds() - db_before
    agg = rows["Aggregated"]
    count, failures = int(agg["Request Count"]), int(agg["Failure Count"])
    # Failures by second (cumulative in locust's history): before the stop, in the two
    # seconds after it (in flight, and until the health check takes the server out), after.
    timeline: list[tuple[float, int, int]] = []
    with open(prefix + "_stats_history.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                timeline.append((float(row["Timestamp"]), int(row["Total Request Count"]),
                                 int(row["Total Failure Count"])))
    stop_time = stopped_at[0] if stopped_at else float("inf")

    def failures_until(t: float) -> int:
        return max([f for ts, _, f in timeline if ts <= t], default=0)

    before = failures_until(stop_time)
    around = failures_until(stop_time + 2) - before
    after = failures - before - around
    r.n = count
    r.samples = [float(agg["50%"])]
    r.p95_fixed = float(agg["95%"])
    r.extra = {"requests": count, "failures": failures, "failures_before_stop": before,
               "failures_within_2s_of_stop": around, "failures_after": after,
               "requests_per_second": round(float(agg["Requests/s"]), 1),
               "servers": 2, "workers_each": workers, "seconds": seconds,
               "postgres_cpu_ms_per_request": round(db_cpu * 1000 / max(count, 1), 1)}
    r.note = (f"{float(agg['Requests/s']):,.0f} req/s through HAProxy over 2 gunicorn servers "
              f"({workers} workers each), {ctx.locust_users} users, {seconds} s; one server "
              f"stopped at {seconds / 2:g} s: {failures} errors of {count:,} requests "
              f"({before} before the stop, {around} within 2 s of it, {after} after)")
    if after:
        raise AssertionError(r.note)
