"""Daily task generation at scale: time, peak memory and tasks created, beside the targets.

    python bench/generate.py --customers 1000000

Copies the demo database of N customers (``--db``, or built once and kept in ``--workdir``;
on PostgreSQL ``CREATE DATABASE … TEMPLATE``) so every run starts from the same state, then
runs ``cmw generate`` for Monday 2026-11-23 and a second time (idempotency: the second
creates nothing). Prints JSON with the seconds, the peak RSS of the generating process, the
tasks created per kind, and the targets (< 60 s, < 1 GiB).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Db, add_database_args, cmw, copy_database, database, sibling, url_of

TARGET_SECONDS, TARGET_RSS_MIB = 60, 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser)
    args = parser.parse_args()
    source = database(args)
    db = copy_database(source, sibling(source, f"generate-{args.customers}"))
    first = run(cmw(), db)
    second = run(cmw(), db)
    result = {
        "benchmark": "generate",
        "customers": args.customers,
        "day": "2026-11-23",
        "seconds": first["seconds"],
        "peak_rss_mib": first["rss_mib"],
        "tasks_created": first["created"],
        "by_kind": first["by_kind"],
        "second_run_created": second["created"],
        "second_run_seconds": second["seconds"],
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mib": TARGET_RSS_MIB},
    }
    result["meets_targets"] = (
        float(first["seconds"]) < TARGET_SECONDS  # type: ignore[arg-type]
        and int(first["rss_mib"]) < TARGET_RSS_MIB  # type: ignore[call-overload]
        and second["created"] == 0
    )
    print(json.dumps(result, indent=2))
    return 0


def run(cmw: str, db: Db) -> dict[str, object]:
    """One ``cmw generate`` under ``/usr/bin/time``-like accounting (wait4 rusage)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [cmw, "--db", url_of(db), "--now", "2026-11-23T06:30", "generate"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "CMW_LANGUAGE": "en"},
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"cmw generate failed: {out}")
    created = int(re.search(r"(\d+) tasks created", out).group(1))  # type: ignore[union-attr]
    by_kind = {k: int(v) for k, v in re.findall(r"^\s+(\w+): (\d+)$", out, re.M)}
    return {
        "seconds": round(seconds, 2),
        "rss_mib": round(usage.ru_maxrss / 1024),
        "created": created,
        "by_kind": by_kind,
    }


if __name__ == "__main__":
    raise SystemExit(main())
