"""Benchmark: POST /api/v1/households/bulk-upsert with 10,000 people (nightly sync).

    JIRITSU_VAR_DIR=$(mktemp -d) .venv/bin/python bench/api_bulk_upsert.py [--people 10000]

Runs on a fresh SQLite database under JIRITSU_VAR_DIR (or DATABASE_URL), through the
real middleware, token authentication and API, timing the first (create) and the
second (update, nothing changed) batch. Prints wall-clock and this process's CPU time
(on a shared, busy machine the CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiritsu.settings")
os.environ.setdefault("JIRITSU_SECURE_COOKIES", "0")


def rows(people: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    case = 500000
    while len(out) < people:
        case += 1
        size = 1 + case % 3
        for member in range(1, size + 1):
            if len(out) >= people:
                break
            out.append({
                "case_number": str(case), "member_number": member,
                "household_type": ["elderly", "sick", "other", "single_mother"][case % 4],
                "district": f"第{case % 9 + 1}地区", "name": f"港 太郎{case}-{member}",
                "kana": "みなと たろう", "birth_date": f"{1940 + case % 60}-0{1 + member % 9}-15",
                "sex": "male" if member % 2 else "female",
                "relationship": "head" if member == 1 else "child",
                "earned_income": (case % 5) * 10000,
            })
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_scopes import scopes_disabled

    from jiritsu import testing as t
    from jiritsu.api.tokens import token_create

    call_command("migrate", verbosity=0)
    with scopes_disabled():
        office = t.make_office()
        user = t.make_user(office, "supervisor")
        _token, raw = token_create(actor=t.membership_of(user, office), name="bench")
    body = json.dumps({"rows": rows(args.people)}, ensure_ascii=False)
    client = Client()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/people", headers=headers).status_code == 200  # warm up URLconf
    for label in ("create", "update (unchanged)"):
        started, cpu = time.perf_counter(), time.process_time()
        r = client.post("/api/v1/households/bulk-upsert", body, content_type="application/json",
                        headers=headers)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert r.status_code == 200, r.content[:500]
        print(f"bulk-upsert {args.people} people, {label}: {elapsed:.2f}s wall, "
              f"{cpu:.2f}s CPU in this process  {r.json()}")


if __name__ == "__main__":
    main()
