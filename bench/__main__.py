"""The benchmark suite, one command:

    python -m bench                      # large-office and national databases, if generated
    python -m bench --size demo --quick  # CI: throwaway SQLite demo office, few repetitions
    python -m bench --size large --only "person,home" --repeat 50

Prints one table (case, size, n, median ms, p95 ms, SQL median ms, ratio, target, note)
and writes the raw results as JSON under var/bench/. Databases: PostgreSQL databases
``jiritsu_bench_large`` and ``jiritsu_bench_national`` on BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432), made with ``python -m bench.generate``. The demo size
makes its own SQLite database in a temporary directory unless --database-url is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from jiritsu.core import clock

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def database_url(size: str) -> str:
    return f"{PG}/jiritsu_bench_{size}"


def pg_database_exists(url: str) -> bool:
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", connect_timeout=3) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            return row is not None
    except psycopg.OperationalError:
        return False


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version(),
                            "date": clock.now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            total_kb = int(fh.readline().split()[1])
        info["ram_gb"] = round(total_kb / 1024 / 1024, 1)
        info["load_avg_1m"] = os.getloadavg()[0]
    except OSError:
        pass
    try:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", connect_timeout=3) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:
        info["postgresql"] = None
    return info


def run_size(size: str, url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    cmd = [sys.executable, "-m", "bench.run", "--database-url", url, "--size", size,
           "--repeat", str(args.repeat), "--json", out,
           "--locust-seconds", str(args.locust_seconds),
           "--locust-users", str(args.locust_users), "--workers", str(args.workers),
           "--think-seconds", str(args.think_seconds),
           "--import-rows", str(args.import_rows)]
    if args.only:
        cmd += ["--only", args.only]
    print(f"== {size}: {url}", file=sys.stderr, flush=True)
    # Bring the benchmark database up to the code's migrations (others land new ones).
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   env=dict(os.environ, DATABASE_URL=url), check=True)
    subprocess.run(cmd, cwd=ROOT, check=True)
    with open(out, encoding="utf-8") as fh:
        results = json.load(fh)
    os.unlink(out)
    return results


def demo_database(args: argparse.Namespace) -> str:
    """A throwaway SQLite database with a generated demo office."""
    if args.database_url:
        url = args.database_url
    else:
        tmp = tempfile.mkdtemp(prefix="jiritsu-bench-demo-")
        url = f"sqlite:///{tmp}/bench.sqlite3"
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="jiritsu.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, check=True)
    subprocess.run([sys.executable, "-m", "bench.generate", "--size", "demo",
                    "--database-url", url, "--summary", os.devnull], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return url


def _num(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def table(results: list[dict[str, Any]]) -> str:
    header = ["case", "size", "n", "median ms", "p95 ms", "SQL median ms", "ratio", "target",
              "note"]
    rows = []
    for r in results:
        rows.append([
            r["case"], r["size"], str(r["n"]) if not r["skipped"] else "—",
            _num(r["median_ms"]), _num(r["p95_ms"]), _num(r["sql_median_ms"], 2),
            (_num(r["ratio"], 2) + "×") if r["ratio"] is not None else "—", r["target"],
            ("SKIPPED: " if r["skipped"] else "") + r["note"],
        ])
    widths = [max(len(h), *(_width(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    widths[-1] = len(header[-1])

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths,
                                                                            strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in rows]
    return "\n".join(out)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", action="append", choices=["demo", "large", "national"],
                        help="repeatable; default: large and national where generated")
    parser.add_argument("--database-url", default=None,
                        help="run against this database instead (one --size)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--quick", action="store_true",
                        help="CI: 3 repetitions, 1,000-row import once, 5-second load test "
                             "with 10 users")
    parser.add_argument("--only", default="", help="comma-separated substrings of case names")
    parser.add_argument("--locust-seconds", type=int, default=30)
    parser.add_argument("--locust-users", type=int, default=50)
    parser.add_argument("--think-seconds", type=float, default=0.0,
                        help="load test: mean pause of each user between pages (0: none, "
                             "the throughput test; e.g. 10 with 300 users: a capacity test)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--json", default=None, help="results file (default var/bench/…)")
    parser.add_argument("--render", nargs="+", metavar="JSON",
                        help="print the table of saved result files and exit")
    args = parser.parse_args(argv)
    if args.render:
        saved: list[dict[str, Any]] = []
        for name in args.render:
            data = json.loads(Path(name).read_text(encoding="utf-8"))
            saved += data["results"] if isinstance(data, dict) else data
        print(table(saved))
        return
    if args.quick:
        args.repeat, args.locust_seconds, args.locust_users = 3, 5, 10
        args.import_rows = min(args.import_rows, 1_000)
    sizes = args.size or [s for s in ("large", "national") if pg_database_exists(database_url(s))]
    if not sizes:
        print("No benchmark database found. Generate one first, e.g.\n"
              "  python -m bench.generate --size large --fresh "
              f"--database-url {database_url('large')}\n"
              "or run the demo size: python -m bench --size demo --quick", file=sys.stderr)
        sys.exit(2)
    info = machine()
    results: list[dict[str, Any]] = []
    for size in sizes:
        if size == "demo":
            url = demo_database(args)
        else:
            url = args.database_url or database_url(size)
            if not pg_database_exists(url):
                print(f"== {size}: {url} does not exist — skipped (python -m bench.generate "
                      f"--size {size} --fresh --database-url {url})", file=sys.stderr)
                continue
        results += run_size(size, url, args)
    print()
    print(f"Jiritsu benchmarks — {info['date']}, {info.get('nproc')} cores, "
          f"{info.get('ram_gb')} GB RAM, PostgreSQL {info.get('postgresql')}, "
          f"Python {info['python']}, load average at start {info.get('load_avg_1m', 0):.2f}")
    print(table(results))
    out = Path(args.json) if args.json else (
        ROOT / "var" / "bench" / f"results-{clock.now():%Y%m%d-%H%M%S}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": info, "results": results}, ensure_ascii=False,
                              indent=1), encoding="utf-8")
    print(f"\nraw results: {out}")
    errors = [r for r in results if r["note"].startswith("ERROR")]
    if errors:
        print(f"{len(errors)} case(s) failed with an error", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
