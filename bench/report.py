"""The management report at scale: the branch head's monthly report, the coverage drill-down
and the Dashboard's 8-week trend, beside the floor of the same statements on a bare connection.

    python bench/report.py --customers 1000000 [--as head] [--runs 3]

On the demo database of N customers (``--db``, or built once and kept in ``--workdir``), with
the clock at Monday 2026-11-23 08:30 and acting as the branch head (``--as``):

* report: ``Workbench.report("branch", 2026-11-01, 2026-11-30)``, every figure per owner,
  through a unit of work, as ``cmw report`` and the Dashboard call it;
* drill: ``Workbench.report_drill("coverage", …, limit=1000)`` as the Dashboard opens it, and
  once without a limit (the whole list, as ``cmw report --drill coverage`` writes it);
* trend: ``Workbench.report_trend(8)``, the Dashboard's weekly sparklines;
* floor: the report's own statements (one per figure, ``reports.report_statements``) on a raw
  connection (``sqlite3``, or ``psycopg`` on PostgreSQL): no session, no objects, no Python
  per record; and, for scale, the bare read any coverage figure needs: the customers per
  owner and class, and the last contact of every customer.

Then the Dashboard as the branch head opens it when the scheduler has taken the figures
ahead (``services/reports/snapshot.py``): the job's read (every period, as at the first run
of a day, then the running month and week only, as every ten minutes after), and the report
(no breakdown, as the Dashboard asks) and the trend served from what it stored; the snapshot
rows are deleted again at the end. The live measurements above run with snapshots off.

Prints JSON: medians over ``--runs``, seconds per figure (on the bare connection), the ratios
report / floor and trend / report, and the targets (report ≤ 1.5× the floor, trend ≤ 3× the
report; from the snapshot: the Dashboard's figures < 1 s, its trend < 2 s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    NOW,
    add_database_args,
    database,
    is_url,
    median,
    peak_rss_mib,
    raw_connect,
    raw_sql,
    url_of,
)
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.config import Settings, load_settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.services.reports import snapshot
from cmworkbench.services.reports.figures import FIGURES
from cmworkbench.services.reports.report import report_statements, subject
from cmworkbench.services.reports.schemas import total_only
from cmworkbench.services.workbench import login, open_engine

TARGET_RATIO_TO_FLOOR = 1.5
TARGET_SNAPSHOT_REPORT_SECONDS = 1.0
TARGET_SNAPSHOT_TREND_SECONDS = 2.0
TARGET_TREND_TO_REPORT = 3.0
DRILL_LIMIT = 1000
"""The rows the Dashboard's drill-down asks for (``screens/report_drill.py``)."""
START, END = date(2026, 11, 1), date(2026, 11, 30)
BARE_READ = (
    "SELECT owner_id, cls, COUNT(*) FROM customer WHERE status <> 'lost' GROUP BY owner_id, cls",
    "SELECT COUNT(*) FROM (SELECT customer_id, MAX(happened_at) FROM interaction"
    " WHERE status = 'done' GROUP BY customer_id) AS last",
)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``call`` took, and what it returned."""
    started = time.perf_counter()
    out = call()
    return time.perf_counter() - started, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser)
    parser.add_argument("--as", dest="login", default="head")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    db = database(args)
    clock.freeze(NOW)
    taken_ahead = load_settings(env={})
    settings = replace(  # the live figures: never the scheduler's
        taken_ahead, scheduler=replace(taken_ahead.scheduler, report_snapshot_minutes=0)
    )
    engine = open_engine(settings, url_of(db))
    workbench = login(engine, settings, args.login)
    owners = workbench.run(subject).owner_ids
    dialect = "postgresql" if is_url(db) else "sqlite"
    statements = report_statements(
        settings=settings, start=START, end=END, owner_ids=owners, dialect=dialect
    )
    raw = raw_connect(db)

    def run_raw(sql: str, params: dict[str, Any] | None = None) -> float:
        started = time.perf_counter()
        raw.execute(raw_sql(raw, sql), params or {}).fetchall()
        return time.perf_counter() - started

    def floor() -> dict[str, float]:
        return {
            f.key: run_raw(sql, params)
            for f, (sql, params) in zip(FIGURES, statements, strict=True)
        }

    def bare_read() -> float:
        return sum(run_raw(sql) for sql in BARE_READ)

    floor()  # warm the page cache: every run reads the same pages
    floors = [floor() for _ in range(args.runs)]
    bare = [bare_read() for _ in range(args.runs)]
    reports = [
        timed(lambda: workbench.reports.report("branch", START, END)) for _ in range(args.runs)
    ]
    drills = [
        timed(lambda: workbench.reports.drill("coverage", START, END, limit=DRILL_LIMIT))
        for _ in range(args.runs)
    ]
    drill_all_seconds, drill_all = timed(lambda: workbench.reports.drill("coverage", START, END))
    trends = [timed(lambda: workbench.reports.trend(weeks=8)) for _ in range(args.runs)]

    ahead = dashboard_ahead(engine, taken_ahead, args.login, args.runs)

    report_s = median([s for s, _ in reports])
    floor_s = median([sum(f.values()) for f in floors])
    trend_s = median([s for s, _ in trends])
    coverage = reports[-1][1].total.figure("coverage")
    result = {
        "benchmark": "report",
        "customers": args.customers,
        "acting_as": args.login,
        "period": f"{START}..{END} (so far: {NOW})",
        "runs": args.runs,
        "report_seconds_median": report_s,
        "floor_same_statements_raw_seconds_median": floor_s,
        "ratio_report_to_floor": round(report_s / floor_s, 2),
        "floor_seconds_per_figure": {
            f.key: median([run[f.key] for run in floors], 3) for f in FIGURES
        },
        "bare_read_seconds_median": median(bare),
        "drill_coverage_seconds_median": median([s for s, _ in drills]),
        "drill_limit": DRILL_LIMIT,
        "drill_coverage_all_rows_seconds": round(drill_all_seconds, 3),
        "drill_coverage_all_rows": len(drill_all),
        "drill_sums_to_figure": (
            sum(r.numerator for r in drill_all) == coverage.numerator
            and sum(r.denominator for r in drill_all) == coverage.denominator
        ),
        "coverage": f"{coverage.numerator:.0f}/{coverage.denominator:.0f}",
        "trend_weeks": 8,
        "trend_seconds_median": trend_s,
        "ratio_trend_to_report": round(trend_s / report_s, 2),
        "taken_ahead": ahead,
        "peak_rss_mib": peak_rss_mib(),
        "targets": {
            "ratio_report_to_floor": TARGET_RATIO_TO_FLOOR,
            "ratio_trend_to_report": TARGET_TREND_TO_REPORT,
            "taken_ahead_report_seconds": TARGET_SNAPSHOT_REPORT_SECONDS,
            "taken_ahead_trend_seconds": TARGET_SNAPSHOT_TREND_SECONDS,
        },
    }
    result["meets_targets"] = (
        report_s / floor_s <= TARGET_RATIO_TO_FLOOR
        and trend_s / report_s <= TARGET_TREND_TO_REPORT
        and ahead["report_seconds_median"] < TARGET_SNAPSHOT_REPORT_SECONDS
        and ahead["trend_seconds_median"] < TARGET_SNAPSHOT_TREND_SECONDS
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def dashboard_ahead(engine: Engine, settings: Settings, who: str, runs: int) -> dict[str, Any]:
    """The scheduler's job (every period, then the running ones), and the Dashboard's report
    and trend served from what it stored; the snapshots are deleted before and after."""
    with unit_of_work(engine) as session:  # the day's first run: every period
        session.connection().execute(text("DELETE FROM report_snapshot"))
    first_s, taken = timed(lambda: snapshot.take(engine, settings))
    with unit_of_work(engine) as session:
        snapshot.store(session, taken)
    steady_s, steady = timed(lambda: snapshot.take(engine, settings))
    workbench = login(engine, settings, who)
    name = total_only(workbench.actor.role)
    reports = [timed(lambda: workbench.reports.report(name, START, END)) for _ in range(runs)]
    trends = [timed(lambda: workbench.reports.trend(weeks=8)) for _ in range(runs)]
    with unit_of_work(engine) as session:
        session.connection().execute(text("DELETE FROM report_snapshot"))
    return {
        "job_read_every_period_seconds": round(first_s, 2),
        "job_read_running_periods_seconds": round(steady_s, 2),
        "periods": [len(t.periods) for t in taken],
        "periods_steady": [len(t.periods) for t in steady],
        "served": all(r.taken_ahead for _, r in reports),
        "report_seconds_median": median([s for s, _ in reports]),
        "trend_seconds_median": median([s for s, _ in trends]),
    }


if __name__ == "__main__":
    raise SystemExit(main())
