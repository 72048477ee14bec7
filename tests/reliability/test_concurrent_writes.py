"""Many writers on one SQLite file: 20 processes, 200 mixed writes each, through the real
:class:`~cmworkbench.services.workbench.Workbench`.

Every write is a unit of work a manager does all day: log a call, take a complaint, respond
to it, put a task aside. No write may be lost and no "database is locked" may reach a user:
a writer waits for the others within the busy timeout. At the end the records add up exactly
(interactions, complaint events, task versions, audit rows).

``CMW_RELIABILITY_WRITERS`` / ``CMW_RELIABILITY_WRITES`` / ``CMW_RELIABILITY_WRITE_SECONDS``
make the run longer on a developer's machine.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

import pytest
from branch_setup import Branch, env_int, report, scalar, seed, workbench
from conftest import MONDAY_MORNING

from cmworkbench import clock
from cmworkbench.services.complaints.schemas import Change

pytestmark = pytest.mark.processes

WRITERS = env_int("WRITERS", 20)
WRITES = env_int("WRITES", 200)
SECONDS = env_int("WRITE_SECONDS", 60)
OPERATIONS = ("log_call", "open_complaint", "respond", "snooze")
"""The mix, in turn: each process does as many of each (WRITES / 4)."""


def writer(url: str, who: str, tasks: list[int], start: float, out: str) -> None:
    """One manager's process: ``WRITES`` writes in turn, each its own unit of work; every
    error a user would see is recorded, none is swallowed."""
    clock.set_now(MONDAY_MORNING)  # the branch's Monday, running on from 08:30
    bench = workbench(url, who)
    customer = f"C{who[1:]}-00"
    done = dict.fromkeys(OPERATIONS, 0)
    errors: list[str] = []
    slowest = 0.0
    ticket: str | None = None
    while time.time() < start:
        time.sleep(0.001)
    began = time.monotonic()
    for n in range(WRITES):
        if time.monotonic() - began > SECONDS:
            errors.append(f"out of time after {n} writes")
            break
        operation = OPERATIONS[n % len(OPERATIONS)]
        at = time.monotonic()
        try:
            if operation == "log_call":
                bench.tasks.log_contact(customer, "call", "no_answer", note=f"{who} #{n}")
            elif operation == "open_complaint":
                ticket = None
                ticket = bench.complaints.open(customer, "fee", f"{who} 第{n}次扣费有误")
            elif operation == "respond":
                assert ticket is not None
                bench.complaints.act(ticket, Change("respond", triage="shortly"))
            else:
                bench.tasks.snooze(tasks[n % len(tasks)], workdays=1)
        except Exception as error:  # everything a user would be shown
            errors.append(f"{operation} #{n}: {type(error).__name__}: {error}")
            continue
        slowest = max(slowest, time.monotonic() - at)
        done[operation] += 1
    bench.engine.dispose()
    result = {"done": done, "errors": errors, "retries": bench.retries}
    Path(out).write_text(json.dumps({**result, "slowest": slowest}), encoding="utf-8")


def run_writers(branch: Branch, tmp_path: Path) -> tuple[list[dict], float]:
    context = multiprocessing.get_context("fork")  # no re-import per process: starts at once
    start = time.time() + 0.5
    outs = [tmp_path / f"{who}.json" for who in branch.managers]
    processes = [
        context.Process(target=writer, args=(branch.url, who, branch.tasks[who], start, str(o)))
        for who, o in zip(branch.managers, outs, strict=True)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=SECONDS + 30)
    elapsed = time.time() - start
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    return [json.loads(o.read_text(encoding="utf-8")) for o in outs], elapsed


def test_twenty_writers_lose_nothing_and_nobody_sees_a_locked_database(tmp_path: Path) -> None:
    branch = seed(tmp_path / "branch.db", WRITERS)
    versions_before = scalar(branch.url, "SELECT SUM(version) FROM task")
    results, elapsed = run_writers(branch, tmp_path)

    errors = [e for r in results for e in r["errors"]]
    total = {op: sum(r["done"][op] for r in results) for op in OPERATIONS}
    writes = sum(total.values())
    report(
        "concurrent_writes",
        processes=WRITERS,
        writes=writes,
        seconds=round(elapsed, 2),
        writes_per_second=round(writes / elapsed, 1),
        slowest_write_ms=round(max(r["slowest"] for r in results) * 1000, 1),
        retries=sum(r["retries"] for r in results),
        errors=len(errors),
    )
    assert errors == [], errors[:10]
    assert writes == WRITERS * WRITES
    each = WRITERS * WRITES // len(OPERATIONS)
    assert total == dict.fromkeys(OPERATIONS, each)

    def count(sql: str) -> int:
        return scalar(branch.url, sql)

    assert count("SELECT COUNT(*) FROM interaction") == total["log_call"]
    assert count("SELECT COUNT(*) FROM complaint") == total["open_complaint"]
    assert count("SELECT COUNT(DISTINCT ticket_no) FROM complaint") == total["open_complaint"]
    assert count("SELECT COUNT(*) FROM complaint WHERE status = 'in_progress'") == total["respond"]
    assert count("SELECT COUNT(*) FROM complaint_event WHERE action = 'receive'") == each
    assert count("SELECT COUNT(*) FROM complaint_event WHERE action = 'respond'") == each
    assert count("SELECT COUNT(*) FROM complaint_event") == 2 * each
    assert count("SELECT SUM(version) FROM task") - versions_before == total["snooze"]
    audit = "SELECT COUNT(*) FROM audit_log WHERE object_type = '{}' AND action = '{}'"
    assert count(audit.format("interaction", "create")) == total["log_call"]
    assert count(audit.format("complaint", "create")) == total["open_complaint"]
    assert count(audit.format("complaint", "respond")) == total["respond"]
    assert count(audit.format("task", "snooze")) == total["snooze"]
    # each ticket owes its customer progress feedback (a promise, issue 24): opened with the
    # ticket, kept by the response, which owes the next; each an audit row of its own
    assert count(audit.format("promise", "create")) == total["open_complaint"] + total["respond"]
    assert count(audit.format("promise", "keep")) == total["respond"]
    assert count("SELECT COUNT(*) FROM promise WHERE state = 'kept'") == total["respond"]
    assert count("SELECT COUNT(*) FROM audit_log WHERE object_type <> 'promise'") == writes
    assert count("SELECT COUNT(*) FROM notification") == 0  # B1 customers: nobody told
