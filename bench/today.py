"""Opening Today at scale: one manager's day read through the service, beside the floor.

    python bench/today.py --customers 1000000 [--runs 5] [--as LOGIN] [--db today.db]

The database is the demo database of N customers with the bench day's tasks generated:
``--db`` as it is, or ``--workdir/today-N-SEED.db``, made once from the demo database
(``lookup-N-SEED.db``, built if missing) by a copy and ``cmw generate`` at 06:30 on Monday
2026-11-23, as ``bench/generate.py`` runs it, and kept. The clock is frozen at :data:`NOW`
(08:30 that day). The login is the busiest one: the most open tasks due by the end of the day
(``--as`` picks another).

What is timed is what the Today screen calls, through the workbench's facade, each call its
own unit of work:

* with the day's plan (``workbench.tasks.plan``, schema 0008 on): ``first_open``, the first
  look of the day, which makes the plan and stores it (the day's ``day_plan`` rows are deleted
  before every run, so each run is a first open); ``second_open``, the plan kept; ``backlog``,
  the backlog's first rows;
* on every release: ``today_list``, ``tasks.today(limit=300)`` + ``tasks.counts()`` (what the
  screen called before the plan; ``today`` and ``counts`` apart as well).

The floor is the bare work on a raw connection: the first 30 ids of the owner's open tasks due
by the end of the day by stored priority, and the count of them (``due_tasks``).

A call that runs past ``--timeout`` seconds (default 120) has its statement interrupted; the
JSON then names it under ``timed_out`` and has no figures for it and the calls after it (they
read the same candidates).

Prints JSON: medians of ``--runs`` (one untimed warm-up first, its figures kept as
``first_call_in_process``: imports and a cold page cache), every sample, the floor, the
target (the first open, or before the plan the list and its counts, under 1 s), the commit
of the ``cmworkbench`` imported (so one script measures before and after: run it with each
checkout's own interpreter), the database and the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    NOW,
    Db,
    add_database_args,
    as_db,
    cmw,
    copy_database,
    database_exists,
    database_kind,
    demo_database,
    machine,
    on_server,
    raw_connect,
    raw_sql,
    url_of,
)
from sqlalchemy import Engine, delete, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

import cmworkbench
from cmworkbench import clock
from cmworkbench.config import load_settings
from cmworkbench.services.workbench import login, open_engine

TARGET_SECONDS = 1.0
TODAY_ROWS = 300
"""``limit`` of ``tasks.today`` as the Today screen asked for it before the plan."""
GENERATED_AT = "2026-11-23T06:30"
"""When the bench day's tasks are generated (as ``bench/generate.py`` runs it)."""

FLOOR_LIST = (
    "SELECT id FROM task WHERE owner_id = ? AND status = 'open' AND due_at < ?"
    " ORDER BY priority DESC LIMIT 30"
)
FLOOR_COUNT = "SELECT COUNT(*) FROM task WHERE owner_id = ? AND status = 'open' AND due_at < ?"
BUSIEST = (
    "SELECT s.login, COUNT(*) FROM task t JOIN staff s ON s.id = t.owner_id"
    " WHERE t.status = 'open' AND t.due_at < ?"
    " GROUP BY s.login ORDER BY COUNT(*) DESC, s.login LIMIT 1"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--as", dest="login", help="the login (default: the busiest)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds one call may take before its statement is interrupted (default 120)",
    )
    args = parser.parse_args()
    db = generated_database(args)
    settings = load_settings(env={})
    clock.set_timezone(settings.calendar.timezone)
    clock.freeze(NOW)
    day = clock.today()
    end = clock.day_bounds(day)[1]
    raw = raw_connect(db)
    who = args.login or busiest(raw, end)
    engine = open_engine(settings, url_of(db))
    workbench = login(engine, settings, who)
    owner = workbench.actor.id
    tasks = workbench.tasks
    has_plan = hasattr(tasks, "plan")
    watch = Stopwatch(engine, args.timeout)
    shown: dict[str, int] = {}

    def one_run() -> dict[str, float]:
        times: dict[str, float] = {}
        if has_plan:
            forget_plan(engine, owner, day)
            times["first_open"], plan = watch.time("first_open", tasks.plan)
            times["second_open"], _ = watch.time("second_open", tasks.plan)
            times["backlog"], _ = watch.time("backlog", tasks.backlog)
            shown["plan_rows"], shown["backlog_total"] = len(plan.rows), plan.backlog.total
        times["today"], rows = watch.time("today", lambda: tasks.today(limit=TODAY_ROWS))
        times["counts"], counts = watch.time("counts", tasks.counts)
        times["today_list"] = times["today"] + times["counts"]
        shown["today_rows"], shown["counted"] = len(rows), sum(counts.values())
        return times

    floors = [watch.time("floor", lambda: floor(raw, owner, end)) for _ in range(args.runs + 1)]
    shown["due_tasks"] = floors[0][1]
    samples: dict[str, list[float]] = {"floor": [seconds for seconds, _ in floors[1:]]}
    warm_up: dict[str, float] = {"floor": floors[0][0]}
    timed_out = None
    try:
        warm_up.update(one_run())
        for _ in range(args.runs):
            for name, seconds in one_run().items():
                samples.setdefault(name, []).append(seconds)
    except TimedOut as out:  # the rest would time out as well: each reads the same candidates
        timed_out = {"call": out.call, "after_seconds": args.timeout}
    medians = {name: round(statistics.median(values), 4) for name, values in samples.items()}
    floor_seconds = medians.pop("floor", None)
    headline = "first_open" if has_plan else "today_list"
    figure = medians.get(headline)
    result: dict[str, Any] = {
        "benchmark": "today",
        "customers": args.customers,
        "code": code_version(),
        "login": who,
        "day": day.isoformat(),
        "now": NOW,
        "due_tasks": shown.get("due_tasks"),
        "shown": shown,
        "runs": args.runs,
        "seconds": medians,
        "timed_out": timed_out,
        "floor_seconds": floor_seconds,
        "floor": f"{FLOOR_LIST}; {FLOOR_COUNT} (raw connection)",
        "target_seconds": TARGET_SECONDS,
        "headline": headline,
        f"ratio_{headline}_to_floor": (
            round(figure / floor_seconds, 1) if figure and floor_seconds else None
        ),
        "meets_target": figure is not None and figure < TARGET_SECONDS,
        "first_call_in_process": {k: round(v, 4) for k, v in warm_up.items()},
        "samples": {k: [round(v, 4) for v in vs] for k, vs in samples.items()},
        "database": database_kind(db),
        "machine": machine(),
    }
    if has_plan and timed_out is None:  # leave the day as a person finds it: planned
        forget_plan(engine, owner, day)
        tasks.plan()
    engine.dispose()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def generated_database(args: argparse.Namespace) -> Db:
    """``--db`` as it is, or the kept demo database with the bench day's tasks generated
    (made from ``lookup-N-SEED``: copied, then ``cmw generate``)."""
    if args.db is not None:
        return as_db(str(args.db))
    name = f"today-{args.customers}-{args.seed}"
    target: Db = args.workdir / f"{name}.db"
    if args.postgres:
        target = on_server(args.postgres, name)
    if not database_exists(target):
        source = demo_database(args.workdir, args.customers, args.seed, "lookup", args.postgres)
        copy_database(source, target)
        command = [cmw(), "--db", url_of(target), "--now", GENERATED_AT, "generate"]
        subprocess.run(command, check=True, capture_output=True)
    # A database kept from an older release is upgraded, as cmw init does.
    subprocess.run([cmw(), "--db", url_of(target), "init"], check=True, capture_output=True)
    return target


def busiest(raw: Any, end: datetime) -> str:
    """The login with the most open tasks due by ``end``."""
    row = raw.execute(raw_sql(raw, BUSIEST), (_instant(raw, end),)).fetchone()
    if row is None:
        raise SystemExit("no open tasks due: generate the bench day's tasks first")
    return str(row[0])


def floor(raw: Any, owner: int, end: datetime) -> int:
    """The floor's work: the first page of ids by stored priority, and the count."""
    bound = _instant(raw, end)
    raw.execute(raw_sql(raw, FLOOR_LIST), (owner, bound)).fetchall()
    return int(raw.execute(raw_sql(raw, FLOOR_COUNT), (owner, bound)).fetchone()[0])


def _instant(raw: Any, moment: datetime) -> Any:
    """An instant as the database stores it: SQLite's naive UTC text, else the datetime."""
    if type(raw).__module__.startswith("sqlite3"):
        return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def forget_plan(engine: Engine, staff_id: int, day: date) -> None:
    """Delete ``staff_id``'s plan for ``day``, so the next look at Today is the day's first."""
    from cmworkbench.db.models import DayPlan, DayPlanItem  # not before schema 0008

    with engine.begin() as conn:
        conn.execute(
            delete(DayPlanItem).where(
                col(DayPlanItem.staff_id) == staff_id, col(DayPlanItem.day) == day
            )
        )
        conn.execute(
            delete(DayPlan).where(col(DayPlan.staff_id) == staff_id, col(DayPlan.day) == day)
        )


class TimedOut(Exception):
    """A call ran past the budget and its statement was interrupted."""

    def __init__(self, call: str) -> None:
        super().__init__(call)
        self.call = call


class Stopwatch:
    """Times a call; a call past ``budget`` seconds has the statements of ``engine``'s
    connections interrupted (SQLite's ``interrupt``, psycopg's ``cancel``) and raises
    :class:`TimedOut`, so a plan that reads for hours is reported, not waited for."""

    def __init__(self, engine: Engine, budget: float) -> None:
        self.budget = budget
        self.connections: list[Any] = []
        event.listen(engine, "checkout", self._checked_out)

    def _checked_out(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection not in self.connections:
            self.connections.append(dbapi_connection)

    def _interrupt(self) -> None:
        for connection in self.connections:
            stop = getattr(connection, "interrupt", None) or getattr(connection, "cancel", None)
            if stop is not None:
                stop()

    def time(self, name: str, call: Callable[[], Any]) -> tuple[float, Any]:
        """``call()``'s seconds and result (``name`` says which call timed out)."""
        alarm = threading.Timer(self.budget, self._interrupt)
        alarm.start()
        started = time.perf_counter()
        try:
            out = call()
        except DBAPIError as error:
            if time.perf_counter() - started >= self.budget:
                raise TimedOut(name) from error
            raise
        finally:
            alarm.cancel()
        return time.perf_counter() - started, out


def code_version() -> str:
    """The commit of the ``cmworkbench`` this run imported (``+dirty`` with local changes)."""
    where = Path(cmworkbench.__file__).resolve().parent
    try:
        git = ["git", "-C", str(where)]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return f"{where} (not a git checkout)"
    return f"{head}{'+dirty' if dirty else ''} ({where.parent})"


if __name__ == "__main__":
    raise SystemExit(main())
