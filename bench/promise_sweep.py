"""The promises sweep at scale: seconds per sweep beside the floor of reading its input.

    python bench/promise_sweep.py --customers 1000000 --promises 50000

Copies the demo database of N customers (``--db``, or built once and kept in ``--workdir``),
opens ``--promises`` promises (50,000) on the managers' customers, made over the last
``--days`` days (5) before Monday 2026-11-23 10:00, then runs the promises sweep at that
instant: once from scratch (every warning, escalation and breach of the promises whose steps
have passed is new) and ``--runs`` times more (the steady state the scheduler sees every
minute: nothing new). The demo's own promises (the feedback every open ticket owes) stay and
are swept with them.

The promises are written in one ``executemany`` (SQLAlchemy Core, so each instant is stored
as the product stores it) with the values :func:`cmworkbench.services.promises.clocks.
open_promise` computes: the deadline and clock of the kind's rule
(:func:`cmworkbench.domain.sla.promise_clock` on the branch calendar) and the first step after
the promise was made (:func:`~cmworkbench.services.promises.clocks.next_step` on a probe
``Promise``). Their history lines and audit rows are not written: the sweep reads neither.

The floor is what any sweep must read: the promises owed whose next step has come, with
their owner and customer, and the notices already sent about them, as raw SQL on a bare
connection (``sqlite3``, or ``psycopg`` on PostgreSQL, where the copy is ``CREATE DATABASE …
TEMPLATE``). Prints JSON; the target is a steady sweep well inside the one-minute interval
(< 1 s). The first sweep is a catch-up (every step passed over the last days told at once,
as after a weekend's downtime): reported, not held to the target.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    add_database_args,
    copy_database,
    database,
    raw_connect,
    raw_sql,
    sibling,
    timed_sweeps,
    url_of,
)

TARGET_SECONDS = 1.0
NOW = "2026-11-23T10:00"
"""The sweep's instant, branch-local (a Monday, as in ``bench/sweep.py``)."""
FLOOR_SQL = (
    "SELECT p.*, s.team_id, s.branch_id, s.name, cu.backup_id, cu.name FROM promise p"
    " JOIN staff s ON s.id = p.owner_id JOIN customer cu ON cu.id = p.customer_id"
    " WHERE p.next_step_at <= :now AND p.done_at IS NULL AND p.state != 'cancelled'",
    "SELECT n.idem_key FROM notification n JOIN promise p ON p.id = n.object_id"
    " WHERE n.object_type = 'promise' AND p.next_step_at <= :now"
    " AND p.done_at IS NULL AND p.state != 'cancelled'",
)
KINDS = (
    # kind, share, whose customers: any of a manager's, group customers, government ones
    ("callback_same_day", 0.45, "any"),
    ("negotiation_feedback", 0.15, "group"),
    ("delay_notice", 0.15, "any"),
    ("new_customer_file", 0.15, "any"),
    ("government_urgent_card", 0.06, "government"),
    ("government_urgent_goods", 0.04, "government"),
)
"""The promises a branch's managers owe, by kind. The feedback a complaint ticket is owed
(``complaint_feedback``) is the demo's own: one per open ticket, opened with the ticket."""
WHAT = {
    "callback_same_day": "Call the customer back today",
    "negotiation_feedback": "Feedback within 2 working days of the negotiation",
    "delay_notice": "Card activation promised: tell the customer before it slips",
    "new_customer_file": "New customer's file to complete: phone, id_no",
    "government_urgent_card": "Urgent card business for a government customer",
    "government_urgent_goods": "Urgent goods for a government customer",
}
OPENING, CLOSING = day_time(8, 30), day_time(18, 0)
"""When the promises are made: a manager's working day, and a little after it."""


def promise_rows(
    settings: Any, customers: list[tuple[int, int, str, bool]], count: int, days: int, seed: int
) -> list[dict[str, Any]]:
    """``count`` open promises on ``customers`` (id, owner, kind, government), each with the
    values ``clocks.open_promise`` writes, made at random working-day moments of the last
    ``days`` days (each day half as many still owed as the day after it)."""
    from cmworkbench import clock
    from cmworkbench.services.promises import clocks

    rng = random.Random(seed)
    cal = clocks.calendar(settings)
    now = clock.now()
    today = now.astimezone(cal.tz).date()
    pools = {
        "any": customers,
        "group": [c for c in customers if c[2] == "group"],
        "government": [c for c in customers if c[3]],
    }
    pools["government"] = pools["government"] or pools["group"] or customers
    pools["group"] = pools["group"] or customers
    names = [k for k, _, _ in KINDS]
    shares = [s for _, s, _ in KINDS]
    whose = {k: w for k, _, w in KINDS}
    back = list(range(days + 1))
    weights = [0.5**d for d in back]
    span = (datetime.combine(today, CLOSING) - datetime.combine(today, OPENING)).seconds
    rows: list[dict[str, Any]] = []
    while len(rows) < count:
        day = today - timedelta(days=rng.choices(back, weights)[0])
        if not cal.is_workday(day):
            continue
        local = datetime.combine(day, OPENING, cal.tz) + timedelta(seconds=rng.randrange(span))
        made = local.astimezone(UTC)
        if made >= now:
            continue
        kind = rng.choices(names, shares)[0]
        customer_id, owner_id, _, _ = rng.choice(pools[whose[kind]])
        before: date | None = None
        if kind == "delay_notice":  # the activation promised a few working days on
            before = cal.add_workdays(day, rng.randint(2, 10))
        values: dict[str, Any] = {
            "customer_id": customer_id,
            "owner_id": owner_id,
            "made_by_id": None if kind == "new_customer_file" else owner_id,
            "kind": kind,
            "what": WHAT[kind],
            "channel": "call" if kind == "callback_same_day" else None,
            "made_at": made,
            # the clock columns exactly as the product opens a promise
            **clocks.clock_values(settings, kind, made, before),
            "state": "open",
            "complaint_id": None,
            "holding_id": None,
            "interaction_id": None,
            "idem_key": None,
            "version": 1,
        }
        rows.append(values)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser)
    parser.add_argument("--promises", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=5, help="made over this many days before")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from sqlalchemy import insert, text
    from sqlmodel import SQLModel

    from cmworkbench import clock
    from cmworkbench.config import load_settings
    from cmworkbench.db.engine import make_engine
    from cmworkbench.db.migrate import upgrade
    from cmworkbench.services.promises.sweep import sweep

    source = database(args)
    db = copy_database(source, sibling(source, f"promise-sweep-{args.customers}"))
    settings = load_settings(env={})
    engine = make_engine(url_of(db))
    upgrade(engine)  # the kept source database may be of an older schema
    dst = raw_connect(db, readonly=False)
    # from scratch: no notice of an earlier sweep (the source may have been swept)
    dst.execute("DELETE FROM notification WHERE object_type = 'promise'")
    dst.execute(
        "DELETE FROM promise_event WHERE staff_id IS NULL"
        " AND action IN ('warn', 'escalate', 'broken')"
    )
    dst.commit()
    dst.close()
    clock.freeze(NOW)

    started = time.perf_counter()
    with engine.connect() as conn:
        managers = conn.execute(
            text(
                "SELECT c.id, c.owner_id, c.kind, c.is_government FROM customer c"
                " JOIN staff s ON s.id = c.owner_id"
                " WHERE s.role IN ('manager', 'phone_manager') AND s.active"
            )
        ).all()
    customers = [(int(i), int(o), str(k), bool(g)) for i, o, k, g in managers]
    if not customers:
        raise SystemExit(f"{url_of(source)}: no customer with a manager to owe them promises")
    rows = promise_rows(settings, customers, args.promises, args.days, args.seed)
    with engine.begin() as conn:
        conn.execute(insert(SQLModel.metadata.tables["promise"]), rows)
        owed = conn.execute(
            text("SELECT COUNT(*) FROM promise WHERE done_at IS NULL AND state != 'cancelled'")
        ).scalar_one()
    insert_seconds = time.perf_counter() - started

    (first_seconds, first), steady = timed_sweeps(engine, sweep, settings, args.runs)
    steady_seconds = [s for s, _ in steady]
    floor = []
    raw = raw_connect(db)
    now = clock.now()
    stored = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLite's UTC text; psycopg binds the instant
    params = {"now": stored if isinstance(db, Path) else now}
    sql = [raw_sql(raw, s) for s in FLOOR_SQL]
    for _ in range(args.runs):
        started = time.perf_counter()
        for statement in sql:
            raw.execute(statement, params).fetchall()
        floor.append(time.perf_counter() - started)
    raw.close()
    median = statistics.median(steady_seconds)
    floor_median = statistics.median(floor)
    result = {
        "benchmark": "promise_sweep",
        "customers": args.customers,
        "now": "2026-11-23T10:00+08:00",
        "promises_inserted": len(rows),
        "promises_owed": owed,
        "insert_seconds": round(insert_seconds, 3),
        "first_sweep_seconds": round(first_seconds, 3),
        "first_sweep_checked": first.checked,
        "first_sweep_notified": first.notified,
        "first_sweep_broken": first.broken,
        "first_sweep_feedback_opened": first.opened,
        "steady_sweep_seconds_median": round(median, 3),
        "steady_sweep_seconds": [round(s, 3) for s in steady_seconds],
        "steady_sweep_checked": [out.checked for _, out in steady],
        "steady_sweep_notified": [out.notified for _, out in steady],
        "floor_read_seconds_median": round(floor_median, 6),
        "ratio_to_floor": round(median / floor_median, 1),
        "target_seconds": TARGET_SECONDS,
        "meets_target": median < TARGET_SECONDS,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
