"""Real processes: many ``cmw scheduler`` candidates on one SQLite file, leaders killed with
SIGKILL; each job runs once per slot and another process takes over within the lease time.

The SLA sweep runs every second here (``sla_sweep_seconds = 1``) and the lease lasts 3 s, so
a minute holds ~60 sweep slots and several hand-overs. ``CMW_SCHEDULER_TEST_SECONDS``
shortens the long test on a developer machine (CI runs the full 60 s).

The long test also holds promises (承诺) falling due while it runs, in real time: whichever
candidate leads, each warning, escalation and breach notice is given once and each broken
promise is marked once.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Factory
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, col, select

from cmworkbench.config import load_settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade
from cmworkbench.db.models import Notification, Promise, PromiseEvent
from cmworkbench.domain import sla
from cmworkbench.services.core.escalation import notice_kind
from cmworkbench.services.promises import clocks
from cmworkbench.services.workbench import login

pytestmark = pytest.mark.paced

LEASE_SECONDS = 3
LINE = re.compile(r"job (\w+) \(([^)]+)\): (\w[\w ]*)")


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, Path]:
    """A migrated SQLite file (in WAL mode, as ``cmw init`` leaves it) and a config making the
    jobs quick."""
    db = tmp_path / "branch.db"
    engine: Engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\ndatabase_url = "sqlite:///{db}"\n'
        f"[scheduler]\nlease_seconds = {LEASE_SECONDS}\nsla_sweep_seconds = 1\n",
        encoding="utf-8",
    )
    return db, config


def candidate(config: Path, log: Path) -> subprocess.Popen[bytes]:
    """One ``cmw scheduler`` process, logging to ``log``."""
    env = {**os.environ, "CMW_CONFIG": str(config)}
    env.pop("CMW_NOW", None)
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("cmw")), "scheduler"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )


def holder(db: Path) -> tuple[str, float] | None:
    """The lease holder and its expiry (UTC epoch seconds)."""
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT holder, expires_at FROM scheduler_lease WHERE name = 'scheduler'")
            ).first()
    finally:
        engine.dispose()
    if row is None:
        return None
    expires = datetime.fromisoformat(str(row[1]))
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    return str(row[0]), expires.timestamp()


def wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def pid_of(holder_id: str) -> int:
    return int(holder_id.split(":")[1])


def done_lines(logs: list[Path]) -> Counter[tuple[str, str]]:
    """How many processes reported each (job, slot) as done."""
    counts: Counter[tuple[str, str]] = Counter()
    for log in logs:
        for match in LINE.finditer(log.read_text(encoding="utf-8", errors="replace")):
            if match[3] == "done":
                counts[(match[1], match[2])] += 1
    return counts


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def kill_leader(db: Path, processes: list[subprocess.Popen[bytes]]) -> tuple[str, float]:
    """SIGKILL the process holding the lease; returns its holder id and when it died."""
    found = holder(db)
    assert found is not None
    victim = pid_of(found[0])
    os.kill(victim, signal.SIGKILL)
    killed_at = time.time()
    next(p for p in processes if p.pid == victim).wait(timeout=10)
    return found[0], killed_at


def test_a_killed_leader_is_replaced_within_the_lease_time(
    database: tuple[Path, Path], tmp_path: Path
) -> None:
    db, config = database
    logs = [tmp_path / f"c{n}.log" for n in range(2)]
    processes = [candidate(config, log) for log in logs]
    try:
        assert wait_for(lambda: holder(db) is not None, 20), "nobody took the lease"
        assert wait_for(lambda: any(job == "sla_sweep" for job, _ in done_lines(logs)), 20)
        dead, killed_at = kill_leader(db, processes)
        taken = wait_for(lambda: (holder(db) or ("", 0))[0] != dead, LEASE_SECONDS + 3)
        assert taken, "no take-over; the candidates' logs:\n" + "\n".join(
            log.read_text(encoding="utf-8", errors="replace")[-3000:] for log in logs
        )
        taken_after = time.time() - killed_at
        assert taken_after <= LEASE_SECONDS + 2  # expiry plus one renewal round
        before = len(done_lines(logs))
        assert wait_for(lambda: len(done_lines(logs)) > before + 1, 10), "the jobs did not go on"
    finally:
        stop_all(processes)
    assert max(done_lines(logs).values()) == 1


def test_ten_processes_for_a_minute_run_each_slot_once(
    database: tuple[Path, Path], tmp_path: Path
) -> None:
    seconds = float(os.environ.get("CMW_SCHEDULER_TEST_SECONDS", "60"))
    db, config = database
    logs = [tmp_path / f"c{n}.log" for n in range(10)]
    processes = [candidate(config, log) for log in logs]
    started = time.monotonic()
    kills = 0
    try:
        assert wait_for(lambda: holder(db) is not None, 30), "nobody took the lease"
        for fraction in (1 / 3, 2 / 3):  # two leaders die on the way
            time.sleep(max(started + seconds * fraction - time.monotonic(), 0))
            kill_leader(db, processes)
            kills += 1
        time.sleep(max(started + seconds - time.monotonic(), 0))
    finally:
        stop_all(processes)
    counts = done_lines(logs)
    sweeps = sorted(slot for job, slot in counts if job == "sla_sweep")
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        recorded = conn.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT slot) FROM job_run WHERE job_id = 'sla_sweep'")
        ).one()
    engine.dispose()
    assert kills == 2
    assert counts and max(counts.values()) == 1, "a slot was run twice"
    assert recorded[0] == recorded[1] == len(sweeps)
    # about one sweep a second, less the hand-over gaps (at most lease + renewal each)
    assert len(sweeps) >= seconds - 2 * (LEASE_SECONDS + 2) - 15
