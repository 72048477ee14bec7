"""``cmw scheduler`` and ``cmw jobs``: the scheduled jobs as a service, and their state.

``cmw scheduler`` runs in the foreground until SIGTERM or Ctrl+C (systemd unit in
``deploy/``); it is a candidate for the lease that the sessions (``cmw tui``) step aside for:
while it runs, they leave the jobs to it (:mod:`cmworkbench.jobs.candidate`). ``cmw jobs``
lists each job with its trigger, next run, last run and the lease holder.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from cmworkbench import clock, i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_json,
    print_json,
    print_table,
    table_time,
)
from cmworkbench.config import Settings


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``scheduler`` and ``jobs``."""
    t = i18n.t
    scheduler = commands.add_parser("scheduler", parents=[common], help=t("cli.help.scheduler"))
    scheduler.add_argument(
        "--for", dest="seconds", type=float, metavar="S", help=t("cli.help.scheduler_for")
    )
    jobs = commands.add_parser("jobs", parents=[common], help=t("cli.help.jobs"))
    add_json(jobs)
    return {"scheduler": _scheduler, "jobs": _jobs}


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    """Be a candidate leader until stopped (or for ``--for`` seconds)."""
    from cmworkbench.jobs.leader import Leader
    from cmworkbench.services.workbench import open_engine

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engine = open_engine(settings)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopped.set())
    leader = Leader(engine, settings, service=True)
    leader.start()
    logging.getLogger("cmworkbench.jobs").info("candidate %s", leader.holder)
    try:
        stopped.wait(args.seconds)
    finally:
        leader.stop()
        engine.dispose()
    return EXIT_OK


def _jobs(args: argparse.Namespace, settings: Settings) -> int:
    """Each job: trigger, next run, last run; and who holds the lease."""
    from cmworkbench.jobs.definitions import specs
    from cmworkbench.services.ops.lease import lease_and_runs, stored_next_runs
    from cmworkbench.services.workbench import open_engine

    engine = open_engine(settings)
    current, runs = lease_and_runs(engine)
    stored = stored_next_runs(engine)
    now = clock.now()
    rows: list[dict[str, Any]] = []
    for spec in specs(settings, clock.branch_tz()):
        last = runs.get(spec.id)
        rows.append(
            {
                "id": spec.id,
                "trigger": str(spec.trigger),
                "working_days_only": spec.workdays_only,
                "next_run": stored.get(spec.id) or spec.trigger.get_next_fire_time(None, now),
                "last_slot": last.slot if last else None,
                "last_outcome": last.outcome if last else None,
                "last_detail": last.detail if last else None,
                "last_finished": last.finished_at if last else None,
            }
        )
    lease: dict[str, Any] = {
        "holder": current.holder if current else None,
        "expires_at": current.expires_at if current else None,
        "live": bool(current and current.live(now)),
    }
    if args.json:
        print_json({"lease": lease, "jobs": rows})  # times: common.iso_time
        return EXIT_OK
    print_table(
        [
            [
                r["id"],
                r["trigger"],
                table_time(r["next_run"]),
                r["last_slot"] or "",
                i18n.label("job_outcome", r["last_outcome"]),
                r["last_detail"] or "",
            ]
            for r in rows
        ],
        [f"cli.jobs.col.{c}" for c in ("id", "trigger", "next", "slot", "outcome", "detail")],
    )
    if lease["holder"]:
        key = "cli.jobs.lease_live" if lease["live"] else "cli.jobs.lease_expired"
        print(i18n.t(key, holder=lease["holder"], until=table_time(lease["expires_at"])))
    else:
        print(i18n.t("cli.jobs.no_lease"))
    return EXIT_OK
