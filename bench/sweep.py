"""The complaint SLA sweep at scale: seconds per sweep beside the floor of reading its input.

    python bench/sweep.py --customers 1000000

Copies the demo database of N customers (``--db``, or built once and kept in ``--workdir``),
puts the configured SLA deadlines on its tickets, then runs the sweep at
Monday 2026-11-23 10:00: once from scratch (every warning and escalation of the demo's open
tickets is new) and ``--runs`` times more (the steady state the scheduler sees every minute:
nothing new). The floor is what any sweep must read: the open tickets with their customer and
owner, and the notices already sent about them, as raw SQL on a bare connection (``sqlite3``,
or ``psycopg`` on PostgreSQL, where the copy is ``CREATE DATABASE … TEMPLATE``). Prints
JSON; the target is a sweep well inside the one-minute interval (< 1 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    add_database_args,
    copy_database,
    database,
    raw_connect,
    sibling,
    timed_sweeps,
    url_of,
)

TARGET_SECONDS = 1.0
FLOOR_SQL = (
    "SELECT c.*, cu.is_vip, s.team_id, s.branch_id, s.name FROM complaint c"
    " JOIN customer cu ON cu.id = c.customer_id JOIN staff s ON s.id = c.owner_id"
    " WHERE c.status != 'closed'",
    "SELECT n.idem_key FROM notification n JOIN complaint c ON c.id = n.object_id"
    " WHERE n.object_type = 'complaint' AND c.status != 'closed'",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from cmworkbench import clock
    from cmworkbench.config import load_settings
    from cmworkbench.db.engine import make_engine, unit_of_work
    from cmworkbench.db.migrate import upgrade
    from cmworkbench.services.complaints.sla import refresh_all, sweep

    source = database(args)
    db = copy_database(source, sibling(source, f"sweep-{args.customers}"))
    dst = raw_connect(db, readonly=False)
    # from scratch: no notice of an earlier sweep (the source may have been swept)
    dst.execute("DELETE FROM notification WHERE object_type = 'complaint'")
    dst.execute("DELETE FROM complaint_event WHERE staff_id IS NULL")
    dst.commit()
    dst.close()
    settings = load_settings(env={})
    engine = make_engine(url_of(db))
    upgrade(engine)  # the kept source database may be of an older schema
    clock.freeze("2026-11-23T10:00")
    with unit_of_work(engine) as session:
        refresh_all(session=session, settings=settings)

    (first_seconds, first), steady = timed_sweeps(engine, sweep, settings, args.runs)
    steady_seconds = [s for s, _ in steady]
    floor = []
    raw = raw_connect(db)
    for _ in range(args.runs):
        started = time.perf_counter()
        for sql in FLOOR_SQL:
            raw.execute(sql).fetchall()
        floor.append(time.perf_counter() - started)
    median = statistics.median(steady_seconds)
    floor_median = statistics.median(floor)
    result = {
        "benchmark": "complaint_sla_sweep",
        "customers": args.customers,
        "now": "2026-11-23T10:00+08:00",
        "open_tickets": first.checked,  # type: ignore[attr-defined]
        "first_sweep_seconds": round(first_seconds, 3),
        "first_sweep_notified": first.notified,  # type: ignore[attr-defined]
        "steady_sweep_seconds_median": round(median, 3),
        "steady_sweep_notified": [out.notified for _, out in steady],  # type: ignore[attr-defined]
        "floor_read_seconds_median": round(floor_median, 4),
        "ratio_to_floor": round(median / floor_median, 1),
        "target_seconds": TARGET_SECONDS,
        "meets_target": median < TARGET_SECONDS and first_seconds < TARGET_SECONDS * 5,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
