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
from cmworkbench.db.models import Notification, Promise, PromiseEvent, Staff
from cmworkbench.domain import sla
from cmworkbench.services.core.escalation import step_level
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
    process = next(p for p in processes if p.pid == victim)
    assert process.poll() is None, f"the leader {found[0]} had died (exit {process.returncode})"
    os.kill(victim, signal.SIGKILL)
    killed_at = time.time()
    process.wait(timeout=10)
    return found[0], killed_at


# -- promises falling due while the candidates run ---------------------------------------

PROMISES_DUE = (0.2, 0.4, 0.55)
"""When the long test's same-day reply promises fall due, as fractions of its length: before
the last leader's death can delay a sweep to its end."""
URGENT_DUE = 0.45
"""When its government-important card promise falls due (warned at 0.5 and 0.8, the
supervisor told at 1.0)."""
SETTLE_SECONDS = LEASE_SECONDS + 3
"""A step falling this close to the end may not be told yet (a hand-over's gap)."""


def seed_promises(db: Path, seconds: float) -> list[int]:
    """王芳 (a manager, with her supervisor) owing her customers promises that fall due in the
    next ``seconds`` of real time (the candidates run without ``CMW_NOW``), and one due in two
    days (still open at the end, its breach not told); the ids of those falling due in the
    run."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        with unit_of_work(engine) as session:
            f = Factory(session)
            branch = f.branch()
            team = f.team(branch)
            f.staff(branch, "chenzg", "陈主管", role="supervisor", team=team)
            wang = f.staff(branch, "wangfang", "王芳", team=team)
            f.customer(wang, "C1", "远宇集团")
            gov = f.customer(wang, "C2", "区政务中心")
            gov.is_government = True
            session.add(gov)
        bench = login(engine, load_settings(env={}), "wangfang")
        now = datetime.now(UTC)
        soon = [
            bench.promises.new(
                "C1", "callback_same_day", f"回电 {n}", now + timedelta(seconds=seconds * at)
            )
            for n, at in enumerate(PROMISES_DUE)
        ]
        soon.append(
            bench.promises.new(
                "C2",
                "government_urgent_card",
                "补办单位卡",
                now + timedelta(seconds=seconds * URGENT_DUE),
            )
        )
        bench.promises.new("C1", "callback_same_day", "下周报价", now + timedelta(days=2))
    finally:
        engine.dispose()
    return [p.id for p in soon]


def promises_told(db: Path, stopping: float, stopped: float) -> set[int]:
    """Check every step of every promise was told once: each step that fell due
    :data:`SETTLE_SECONDS` before the candidates were stopped (``stopping``, epoch seconds)
    exactly once, none falling after they had stopped (``stopped``), the one between at most
    once; one history line per notice given; the promises past their deadline broken, the
    others open. The steps fall where the sweep finds them, on the branch calendar (business
    time when the promise's span is in business hours): nothing here depends on the hour the
    test runs. Returns the ids of the broken promises."""
    settings = load_settings(env={})
    cal = clocks.calendar(settings)
    settled = datetime.fromtimestamp(stopping - SETTLE_SECONDS, UTC)
    ended = datetime.fromtimestamp(stopped, UTC)
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            promises = session.exec(select(Promise)).all()
            supervisor = session.exec(select(Staff.id).where(Staff.login == "chenzg")).one()
            notices = session.exec(
                select(Notification.object_id, Notification.kind, Notification.idem_key).where(
                    col(Notification.object_type) == "promise"
                )
            ).all()
            events = session.exec(
                select(PromiseEvent.promise_id, PromiseEvent.action).where(
                    col(PromiseEvent.action) != "made"
                )
            ).all()
    finally:
        engine.dispose()
    told = Counter(key for _, _, key in notices)
    kinds: Counter[tuple[int | None, str]] = Counter()
    lines: Counter[tuple[int, str]] = Counter()
    known: set[str] = set()
    broken: set[int] = set()
    for p in promises:
        assert p.id is not None
        target = clocks.target_of(p)
        for step in clocks.steps_of(clocks.rule_of(settings, p.kind)):
            breach = step == "owner@breach"
            recipient = supervisor if step.startswith("supervisor@") else p.owner_id
            key = f"promise:{p.id}:{step}:{recipient}"
            known.add(key)
            # a breach is told at the deadline, or once the clock's target is used up
            point = sla.step_due(p.clock_start, target, cal, "owner@1.0" if breach else step)
            falls = p.due_at if breach else point
            if falls <= settled:
                assert told[key] == 1, f"{key} (fell {falls}) told {told[key]} times"
            elif min(falls, point) > ended:
                assert told[key] == 0, f"{key} (falls {falls}) told before it fell"
            else:
                assert told[key] <= 1, f"{key} told {told[key]} times"
            kinds[(p.id, f"promise_{step_level(step)}")] += told[key]
            action = "broken" if breach else "warn" if sla.step_point(step) < 1 else "escalate"
            lines[(p.id, action)] += told[key]
        if p.due_at <= settled:
            assert p.state == "broken", (p.id, p.due_at, p.state)
            broken.add(p.id)
        elif p.due_at > ended:
            assert p.state == "open", (p.id, p.due_at, p.state)
    assert set(told) <= known, f"notices for no step: {set(told) - known}"
    assert Counter((o, k) for o, k, _ in notices) == +kinds
    assert Counter(events) == +lines, "a notice's history line was written twice"
    return broken


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
    due = seed_promises(db, seconds)
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
        stopping = time.time()
        stop_all(processes)
        stopped = time.time()
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
    # the promises: each fell due during the run, was warned and broken once, whoever led
    assert promises_told(db, stopping, stopped) == set(due)
