"""Complaints taken at the same instant each get the next ticket number; none is refused.

Found by the concurrent-writes scenario: the number was read (``MAX(ticket_no)``) before the
INSERT took SQLite's write lock, so two writers drew the same number and one of them was told
"save again" (a lost complaint, against 每诉必录). Now the number is drawn after the INSERT,
under the lock; a race that remains on a server database is run again by the workbench.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from branch_setup import scalar, seed, workbench
from conftest import MONDAY_MORNING

from cmworkbench import clock
from cmworkbench.services.core import unit
from cmworkbench.services.core.errors import Retryable


def test_complaints_taken_at_once_get_consecutive_numbers(tmp_path: Path) -> None:
    branch = seed(tmp_path / "branch.db", managers=8, customers=1, tasks=0)
    clock.freeze(MONDAY_MORNING)
    benches = [workbench(branch.url, who) for who in branch.managers]
    gate = threading.Barrier(len(benches))
    tickets: list[str] = []

    def take(n: int) -> None:
        gate.wait()
        tickets.append(benches[n].complaints.open(f"C{n:02d}-00", "fee", "扣费有误"))

    threads = [threading.Thread(target=take, args=(n,)) for n in range(len(benches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(tickets) == [f"T20261123{n:04d}" for n in range(1, 9)]
    assert scalar(branch.url, "SELECT COUNT(*) FROM complaint WHERE ticket_no LIKE '~%'") == 0


def test_a_unit_of_work_that_lost_a_race_runs_again(tmp_path: Path) -> None:
    branch = seed(tmp_path / "branch.db", managers=1, tasks=0)
    bench = workbench(branch.url, "m00")
    calls: list[int] = []

    def lost_once(**_: object) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise Retryable("taken")
        return "saved"

    assert bench.run(lost_once) == "saved" and bench.retries == 1

    def always_lost(**_: object) -> str:
        raise Retryable("taken")

    with pytest.raises(Retryable):
        bench.run(always_lost)
    assert bench.retries == 1 + unit.RETRY_ATTEMPTS - 1
