"""Benchmark of ``cmw demo``: a million-customer branch in under 3 minutes and 1 GiB.

Builds a fresh SQLite database in a temporary directory (migrated with ``cmw init``'s
upgrade), runs :func:`cmworkbench.services.ops.demo.build_demo`, and prints one JSON object with
the time, the peak resident memory and the row counts, next to the targets.

    .venv/bin/python bench/demo.py                      # 1,000,000 customers, seed 7
    .venv/bin/python bench/demo.py --customers 100000   # a quicker look
    .venv/bin/python bench/demo.py --keep postgresql+psycopg://…/db   # into PostgreSQL

``--keep`` names a SQLite file, or a PostgreSQL database (created afresh: an old one of
that name is dropped).

The clock is frozen at a fixed instant so two runs build the same data.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NOW, as_db, create_database, database_kind, is_url, peak_rss_mib, url_of

from cmworkbench import clock
from cmworkbench.db.engine import make_engine
from cmworkbench.db.migrate import upgrade
from cmworkbench.services.ops.demo import build_demo

TARGET_SECONDS = 180
TARGET_RSS_MIB = 1024


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description="Benchmark of cmw demo")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep", help="build into this file (or PostgreSQL URL) instead of a temp dir"
    )
    args = parser.parse_args(argv)
    clock.freeze(NOW)
    with tempfile.TemporaryDirectory(prefix="cmw-bench-demo-") as tmp:
        path = as_db(args.keep) if args.keep else Path(tmp) / "demo.db"
        if isinstance(path, str):
            create_database(path)
        engine = make_engine(url_of(path))
        upgrade(engine)
        started = time.perf_counter()
        summary = build_demo(engine=engine, customers=args.customers, seed=args.seed)
        seconds = time.perf_counter() - started
        engine.dispose()
        size_mib = float(database_kind(path)["size_mib"]) if is_url(path) else 0.0
        if isinstance(path, Path):
            size_mib = path.stat().st_size / 2**20
    result = {
        "customers": args.customers,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "peak_rss_mib": peak_rss_mib(),
        "target_seconds": TARGET_SECONDS,
        "target_rss_mib": TARGET_RSS_MIB,
        "db_mib": round(size_mib),
        **{k: v for k, v in asdict(summary).items() if k not in ("customers", "seconds")},
    }
    print(json.dumps(result, ensure_ascii=False))
    met = seconds <= TARGET_SECONDS and peak_rss_mib() <= TARGET_RSS_MIB
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
