"""The scheduler stopped for a weekend and started again, as a branch runs it: a real
``cmw scheduler`` process on Friday evening, stopped; another on Monday morning (the clock
set by ``CMW_NOW``). Each job missed over the weekend runs once, for now: one generation,
not three; one SLA sweep, not 2 × 1440. The promises (承诺) falling due after Friday's close
are warned and broken by Monday's sweep, each person told once per step; those Friday's
sweep told are not told again.

The same scenario with a frozen in-process clock, minute by minute:
``tests/jobs/test_jobs.py::test_after_downtime_each_missed_job_runs_once``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from branch_setup import report, seed, workbench
from scheduling import JOBS
from sqlalchemy import text

from cmworkbench import clock
from cmworkbench.db.engine import make_engine

pytestmark = pytest.mark.processes

SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def runs(url: str) -> list[tuple[str, str, str]]:
    """(job, slot, outcome) of every recorded run, oldest first."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT job_id, slot, outcome FROM job_run ORDER BY id"))
            return [(j, s, o) for j, s, o in rows]
    finally:
        engine.dispose()


def stored_jobs(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM apscheduler_jobs")).scalar_one())
    except Exception:  # the job store's table is created by the first leader
        return 0
    finally:
        engine.dispose()


def scheduler(config: Path, now: str, log: Path) -> subprocess.Popen[bytes]:
    """``cmw scheduler`` with its clock starting at ``now`` (branch time)."""
    env = {**os.environ, "CMW_CONFIG": str(config), "CMW_NOW": now}
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("cmw")), "scheduler"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )


def until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def make_promises(url: str) -> dict[str, int]:
    """m00's promises, made on Friday 27 November before the scheduler starts (by id):
    ``reply``, an incoming call at 16:00 owed a reply by the close (17:30, warned at 16:45);
    ``saturday``, a call back promised at 16:00 for Saturday 10:00; ``after_close``, the same
    promised at 17:45 (its clock runs in calendar time: warned at 01:52 on Saturday)."""
    bench = workbench(url, "m00")
    try:
        clock.freeze("2026-11-27T16:00")
        reply = bench.promises.incoming("C00-00", "问本月账单为何多扣")
        saturday = bench.promises.new("C00-01", "callback_same_day", "周六上午回电", SATURDAY_10)
        clock.freeze("2026-11-27T17:45")
        after_close = bench.promises.new("C00-00", "callback_same_day", "周六送资料", SATURDAY_10)
    finally:
        clock.set_now(None)
        bench.engine.dispose()
    return {"reply": reply.id, "saturday": saturday.id, "after_close": after_close.id}


def promises_state(
    url: str,
) -> tuple[Counter[tuple[int, str]], Counter[tuple[int, str]], dict[int, str]]:
    """The promise notices by (promise, kind), the promises' history lines by (promise,
    action; not ``made``) and each promise's state."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            notices = conn.execute(
                text("SELECT object_id, kind FROM notification WHERE object_type = 'promise'")
            )
            told = Counter((int(i), str(k)) for i, k in notices)
            events = conn.execute(
                text("SELECT promise_id, action FROM promise_event WHERE action != 'made'")
            )
            lines = Counter((int(i), str(a)) for i, a in events)
            rows = conn.execute(text("SELECT id, state FROM promise"))
            states = {int(i): str(state) for i, state in rows}
    finally:
        engine.dispose()
    return told, lines, states


def once_each(ids: list[int], *steps: str) -> Counter[tuple[int, str]]:
    return Counter((i, step) for i in ids for step in steps)


def test_after_a_weekend_down_each_missed_job_runs_once(tmp_path: Path) -> None:
    branch = seed(tmp_path / "branch.db", managers=1)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\ndatabase_url = "{branch.url}"\n[scheduler]\nlease_seconds = 3\n',
        encoding="utf-8",
    )
    promised = make_promises(branch.url)
    began = time.monotonic()
    friday = scheduler(config, "2026-11-27T17:59:58", tmp_path / "friday.log")
    try:
        assert until(lambda: stored_jobs(branch.url) == len(JOBS), 20), "no jobs were stored"
        # the sweep of 18:00 runs before the branch goes home
        assert until(lambda: any(j == "sla_sweep" for j, _, _ in runs(branch.url)), 20)
    finally:
        stop(friday)  # shut down for the weekend (a clean stop gives the lease up)
    before = len(runs(branch.url))
    on_friday = promises_state(branch.url)

    monday = scheduler(config, "2026-11-30T08:00:00", tmp_path / "monday.log")
    try:
        caught_up = until(lambda: {j for j, _, _ in runs(branch.url)[before:]} == set(JOBS), 20)
        on_monday = promises_state(branch.url)
        time.sleep(1.0)  # a second pass of the scheduler loop must not run anything again
        again = promises_state(branch.url)
    finally:
        stop(monday)
    elapsed = time.monotonic() - began
    after = runs(branch.url)[before:]
    log = (tmp_path / "monday.log").read_text(encoding="utf-8", errors="replace")
    assert caught_up, f"missed jobs did not run: {after}\n{log[-3000:]}"
    assert sorted(j for j, _, _ in after) == sorted(JOBS), after  # each exactly once
    slots = {j: s for j, s, _ in after}
    assert slots["generate"] == "2026-11-30"
    assert slots["sla_sweep"] == "2026-11-30T08:00:00"
    assert all(o in ("done", "skipped") for _, _, o in after), after
    # the promises: the reply owed by Friday's close was warned and broken on Friday; the
    # two due on Saturday (a deadline outside business hours runs on wall time) are neither
    # warned nor broken at Friday's close, but on Monday; each step is told once, and each
    # promise past its deadline is broken
    reply, saturday, late = promised["reply"], promised["saturday"], promised["after_close"]
    told, _, states = on_friday
    assert told == once_each([reply], "promise_warn", "promise_breach"), told
    assert (states[reply], states[saturday], states[late]) == ("broken", "open", "open"), states
    told, lines, states = on_monday
    everyone = sorted(promised.values())
    assert told == once_each(everyone, "promise_warn", "promise_breach"), told
    assert lines == once_each(everyone, "warn", "broken"), lines
    assert states == dict.fromkeys(everyone, "broken"), states
    assert again == on_monday, "the second pass told someone again"
    report(
        "weekend_restart",
        missed_jobs_run=len(after),
        promise_notices=sum(told.values()),
        seconds=round(elapsed, 2),
    )
