"""The scheduler: each job at its local time (working days where the rule says so), one
catch-up after downtime, each slot run once, and the lease passing from leader to leader.

The leaders here run their jobs synchronously in the scheduler's thread or the test's
(``run_pending``) and tell time by the frozen clock, so every assertion is about one minute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from types import SimpleNamespace

import pytest
from conftest import Factory
from scheduling import JOBS, at, leader, runs
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.config import SchedulerSettings, Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.jobs.candidate import SessionCandidate
from cmworkbench.jobs.leader import Leader
from cmworkbench.services.ops import lease


@pytest.fixture
def settings_fast(settings: Settings) -> Settings:
    return replace(settings, scheduler=replace(settings.scheduler, lease_seconds=30))


@pytest.fixture
def branch(build: Callable[[], AbstractContextManager[Factory]]) -> None:
    with build() as f:
        f.customer(f.wang_and_her_supervisor(), "C001", "杭州西湖茶业", cls="A1")


@pytest.fixture
def leaders(engine: Engine, settings_fast: Settings, branch: None) -> Iterator[list[Leader]]:
    """Leaders made by :func:`leader`; all stopped at the end."""
    made: list[Leader] = []
    yield made
    for one in made:
        one.stop()


def test_the_daily_jobs_fire_at_their_local_time_on_working_days(
    engine: Engine, settings_fast: Settings, leaders: list[Leader]
) -> None:
    a = leader(engine, settings_fast, leaders, "a")
    at("2026-09-30T06:00", a)  # Wednesday, before generation
    assert runs(engine, "generate") == []
    at("2026-09-30T06:29", a)
    assert runs(engine, "generate") == []
    at("2026-09-30T06:30", a)
    assert runs(engine, "generate") == [("generate", "2026-09-30", "done")]
    at("2026-10-01T06:30", a)  # National Day: a public holiday
    at("2026-10-10T06:30", a)  # a make-up working Saturday (调休); the days between coalesce
    at("2026-10-11T06:30", a)  # Sunday
    assert runs(engine, "generate") == [
        ("generate", "2026-09-30", "done"),
        ("generate", "2026-10-01", "skipped"),
        ("generate", "2026-10-10", "done"),
        ("generate", "2026-10-11", "skipped"),
    ]
    at("2026-10-12T08:59", a)
    assert [s for _, s, _ in runs(engine, "digest")][-1] == "2026-10-11"
    at("2026-10-12T09:00", a)
    assert runs(engine, "digest")[-1] == ("digest", "2026-10-12", "done")
    at("2026-10-12T17:00", a)
    assert runs(engine, "worklog")[-1] == ("worklog", "2026-10-12", "done")


def test_sweeps_and_reminders_run_every_interval_and_every_day(
    engine: Engine, settings_fast: Settings, leaders: list[Leader]
) -> None:
    a = leader(engine, settings_fast, leaders, "a")
    at("2026-11-22T10:00", a)  # a Sunday: calendar-hour SLA clocks run on Sundays too
    at("2026-11-22T10:01", a)
    at("2026-11-22T10:02", a)
    assert [s for _, s, _ in runs(engine, "sla_sweep")] == [  # at each whole minute
        "2026-11-22T10:00:00",
        "2026-11-22T10:01:00",
        "2026-11-22T10:02:00",
    ]
    assert [o for _, _, o in runs(engine, "reminders")] == ["done", "done", "done"]


def test_after_downtime_each_missed_job_runs_once(
    engine: Engine, settings_fast: Settings, leaders: list[Leader]
) -> None:
    a = leader(engine, settings_fast, leaders, "a")
    at("2026-11-27T18:00", a)  # Friday evening: the jobs are stored with their next runs
    at("2026-11-27T18:01", a)
    a.stop()  # everything is shut down for the weekend
    before = {job: len(runs(engine, job)) for job in JOBS}
    b = leader(engine, settings_fast, leaders, "b")
    at("2026-11-30T08:00", b)  # Monday morning: the first process to start leads
    after = {job: len(runs(engine, job)) - before[job] for job in JOBS}
    # 2 × 1440 sweeps and 3 generations were missed; each job runs once, for now
    assert after == {
        "generate": 1,
        "monthly": 1,
        "sla_sweep": 1,
        "reminders": 1,
        "digest": 1,
        "worklog": 1,
        "backup": 1,
        "report_snapshot": 1,
    }
    assert runs(engine, "generate")[-1] == ("generate", "2026-11-30", "done")
    assert runs(engine, "sla_sweep")[-1][1] == "2026-11-30T08:00:00"
    at("2026-11-30T08:00", b)  # nothing more for the same minute
    assert sum(len(runs(engine, job)) for job in JOBS) == sum(before.values()) + 8


def test_a_slot_runs_once_even_when_two_processes_try(
    engine: Engine, settings_fast: Settings, leaders: list[Leader]
) -> None:
    a = leader(engine, settings_fast, leaders, "a")
    at("2026-11-23T10:00", a)  # the sweep of 10:00 ran; the digest waits for 09:00 tomorrow
    assert a.run_job("sla_sweep") is None  # the same minute again: already run
    assert a.run_job("digest") == "done"  # today's digest, by hand
    assert a.run_job("digest") is None
    b = leader(engine, settings_fast, leaders, "b")
    assert b.tick() is False  # a holds the lease
    assert b.run_job("reminders") is None  # not the leader: does nothing


def test_the_lease_passes_when_the_leader_stops_renewing(
    engine: Engine, settings_fast: Settings, leaders: list[Leader]
) -> None:
    a, b = leader(engine, settings_fast, leaders, "a"), leader(engine, settings_fast, leaders, "b")
    at("2026-11-23T10:00:00", a, b)
    assert (a.leading, b.leading) == (True, False)
    at("2026-11-23T10:00:20", b)  # a renews nothing for 20 s: still its lease
    assert not b.leading
    at("2026-11-23T10:00:31", b)  # 31 s: expired; b takes over
    assert b.leading
    assert a.run_job("sla_sweep") is None  # a, stalled, can no longer run anything
    a.tick()  # a wakes up, finds the lease gone, stops its scheduler
    assert (a.leading, b.leading) == (False, True)
    b.stop()  # a clean stop gives the lease up at once
    assert a.tick() is True


def test_a_leader_that_stops_cleanly_hands_over_at_once(
    engine: Engine, settings_fast: Settings, leaders: list[Leader]
) -> None:
    a, b = leader(engine, settings_fast, leaders, "a"), leader(engine, settings_fast, leaders, "b")
    at("2026-11-23T10:00", a, b)
    a.stop()
    assert b.tick() is True


def test_cmw_jobs_lists_every_job_and_the_lease(
    engine: Engine,
    settings_fast: Settings,
    leaders: list[Leader],
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from cmworkbench.cli import main

    a = leader(engine, settings_fast, leaders, "a")
    at("2026-11-23T06:30", a)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "jobs", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["lease"]["holder"] == "a" and shown["lease"]["live"]
    by_id = {job["id"]: job for job in shown["jobs"]}
    assert set(by_id) == set(JOBS)
    assert by_id["generate"]["last_slot"] == "2026-11-23"
    assert by_id["generate"]["next_run"] == "2026-11-24T06:30:00+08:00"
    assert main(["--db", url, "jobs"]) == 0
    assert "generate" in capsys.readouterr().out


def test_the_default_misfire_grace_covers_a_weekend() -> None:
    assert SchedulerSettings().misfire_grace_seconds >= 24 * 3600


def test_two_processes_taking_an_expired_lease_at_once_one_wins(engine: Engine) -> None:
    """Given an expired lease, when a and b take it at the same moment, then the database lets
    exactly one have it: b's guarded UPDATE waits for a's row lock (PostgreSQL) or write lock
    (SQLite), then finds the lease no longer expired."""
    clock.freeze("2026-11-23T10:00")
    assert lease.take(engine, "old", 30)
    clock.freeze("2026-11-23T10:01")
    taken: dict[str, bool] = {}
    with unit_of_work(engine) as first:
        assert lease.acquire(first, "a", 30)  # a's transaction is still open
        other = threading.Thread(target=lambda: taken.update(b=lease.take(engine, "b", 30)))
        other.start()
        other.join(0.3)
        assert other.is_alive()  # b waits for a
    other.join(10)
    assert taken == {"b": False}
    with unit_of_work(engine) as session:
        held = lease.current(session)
    assert held is not None and held.holder == "a"


def test_the_sessions_leave_the_jobs_to_the_scheduler_service(
    engine: Engine, settings_fast: Settings, leaders: list[Leader]
) -> None:
    """Given a session leading the jobs, when ``cmw scheduler`` starts as a service, then the
    session gives the lease up at its next renewal and the service leads; a session opened
    later does not take it; when the service stops, a session takes over at once."""
    a = leader(engine, settings_fast, leaders, "a")
    service = Leader(engine, settings_fast, holder="service", synchronous=True, service=True)
    leaders.append(service)
    at("2026-11-23T10:00:00", a)
    at("2026-11-23T10:00:05", service)
    assert (a.leading, service.leading) == (True, False)  # a's lease runs until it renews
    at("2026-11-23T10:00:10", a)
    assert not a.leading
    at("2026-11-23T10:00:11", service)
    assert service.leading
    b = leader(engine, settings_fast, leaders, "b")
    at("2026-11-23T10:00:30", service, b)
    at("2026-11-23T10:01:00", service, b)
    assert (b.leading, service.leading) == (False, True)
    with engine.connect() as conn:
        holders = conn.execute(text("SELECT slot, holder FROM job_run WHERE job_id = 'sla_sweep'"))
        assert dict(holders.all()) == {
            "2026-11-23T10:00:00": "a",
            "2026-11-23T10:01:00": "service",
        }
    service.stop()  # gives the lease and its presence up
    assert b.tick() is True


def test_a_session_loads_no_scheduler_while_the_service_runs(
    engine: Engine, settings: Settings, branch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session's candidate only looks at the lease while the service runs (no APScheduler,
    no leader); once the service is gone it becomes the leader within its interval."""
    quick = replace(settings, scheduler=replace(settings.scheduler, lease_seconds=1))
    clock.freeze("2026-11-23T10:00")
    service = Leader(engine, quick, holder="service", synchronous=True, service=True)
    assert service.tick()
    monkeypatch.setattr(SessionCandidate, "DELAY_SECONDS", 0.0)
    candidate = SessionCandidate(SimpleNamespace(engine=engine), quick)
    candidate.start()
    try:
        time.sleep(1.5)
        assert candidate.leader is None
        service.stop()
        deadline = time.monotonic() + 10
        while not (candidate.leader is not None and candidate.leader.leading):
            assert time.monotonic() < deadline, "the session never took the jobs over"
            time.sleep(0.05)
    finally:
        candidate.stop()
    with unit_of_work(engine) as session:
        held = lease.current(session)
    assert held is not None and not held.live(clock.now())  # given up as the session ended


@pytest.mark.sqlite_only
def test_a_lease_take_that_waited_out_a_long_writer_is_tried_again_within_seconds(
    database_url: str, settings_fast: Settings, branch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer holds the database past the busy timeout (here 0.2 s, 10 s on a branch): the
    take fails, and the next try comes a second later, not a third of the lease (10 s)
    later, so the lease does not lapse behind two long writers in a row."""
    import sqlite3

    from cmworkbench.db import engine as db_engine

    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 200)
    engine = db_engine.make_engine(database_url)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    one = Leader(engine, settings_fast, holder="busy", synchronous=True)
    try:
        one.start()
        time.sleep(0.6)  # the first take has failed by now
        assert not one.leading
        holder.execute("COMMIT")
        started = time.monotonic()
        while not one.leading and time.monotonic() - started < 5:
            time.sleep(0.05)
        assert one.leading, "the lease was not taken again within 5 s of the writer's end"
    finally:
        holder.close()
        one.stop()
        engine.dispose()
