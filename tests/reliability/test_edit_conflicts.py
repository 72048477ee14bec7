"""Two sessions editing the same record at the same instant: one change is saved, the other
is refused with a :class:`Conflict` saying who changed the record and when, and nothing is
overwritten. Each session is a :class:`~cmworkbench.services.workbench.Workbench` with its
own engine (two ``cmw tui`` processes), racing from two threads through a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from branch_setup import Branch, report, scalar, seed, workbench
from conftest import MONDAY_MORNING

from cmworkbench import clock
from cmworkbench.services.complaints.schemas import Change
from cmworkbench.services.core.errors import Conflict
from cmworkbench.services.customers.schemas import CustomerEdit
from cmworkbench.services.workbench import Workbench

ROUNDS = 15


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Branch, Workbench, Workbench]:
    """王 (manager m00) and 陈主管 (her supervisor, who may edit her customers too), each in a
    session of their own."""
    branch = seed(tmp_path / "branch.db", managers=1, customers=1, tasks=1)
    clock.freeze(MONDAY_MORNING)
    return branch, workbench(branch.url, "m00"), workbench(branch.url, "boss")


def race(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    """Run both at the same instant; each result is its return value or its exception."""
    gate = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(slot: int, call: Callable[[], Any]) -> None:
        gate.wait()
        try:
            results[slot] = call()
        except Exception as error:
            results[slot] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def one_won(results: list[Any]) -> tuple[int, Conflict]:
    """The winner's slot and the loser's refusal."""
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict), results
    return (0 if results[1] is refused[0] else 1), refused[0]


def test_two_people_saving_the_same_customer_one_is_told_who_was_first(
    pair: tuple[Branch, Workbench, Workbench],
) -> None:
    branch, wang, li = pair
    names = {0: "经理00（m00）", 1: "陈主管（boss）"}
    for n in range(ROUNDS):
        version = wang.customers.view("C00-00").profile.version
        edits = [f"文三路 {n} 号（王）", f"天目山路 {n} 号（李）"]
        results = race(
            lambda v=version, e=edits[0]: wang.customers.update(
                "C00-00", v, CustomerEdit(address=e)
            ),
            lambda v=version, e=edits[1]: li.customers.update("C00-00", v, CustomerEdit(address=e)),
        )
        winner, refused = one_won(results)
        assert names[winner] in str(refused) and "2026-11-23 08:30" in str(refused)
        profile = wang.customers.view("C00-00").profile
        assert (profile.address, profile.version) == (edits[winner], version + 1)
    updates = "SELECT COUNT(*) FROM audit_log WHERE action = 'update' AND field_name = 'address'"
    assert scalar(branch.url, updates) == ROUNDS
    assert scalar(branch.url, "SELECT version FROM customer WHERE customer_no = 'C00-00'") == (
        1 + ROUNDS
    )
    report("edit_conflicts", record="customer", rounds=ROUNDS, conflicts_reported=ROUNDS)


def test_two_people_moving_the_same_complaint_one_is_told_who_and_when(
    pair: tuple[Branch, Workbench, Workbench],
) -> None:
    branch, wang, li = pair
    ticket = wang.complaints.open("C00-00", "fee", "月租费扣费有误")
    for n in range(ROUNDS):
        version = wang.complaints.detail(ticket).row.version
        mine, theirs = Change("note", note=f"王 {n}"), Change("note", note=f"李 {n}")
        results = race(
            lambda v=version, c=mine: wang.complaints.act(ticket, c, v),
            lambda v=version, c=theirs: li.complaints.act(ticket, c, v),
        )
        winner, refused = one_won(results)
        who = ("经理00", "陈主管")[winner]
        assert who in str(refused) and "08:30" in str(refused), str(refused)
        detail = wang.complaints.detail(ticket)
        assert detail.row.version == version + 1
        notes = {e.note for e in detail.events}
        assert (f"王 {n}", f"李 {n}")[winner] in notes  # the winner's note is kept
        assert (f"王 {n}", f"李 {n}")[1 - winner] not in notes  # the loser's was not saved
    notes = "SELECT COUNT(*) FROM complaint_event WHERE action = 'note'"
    assert scalar(branch.url, notes) == ROUNDS
    assert scalar(branch.url, "SELECT COUNT(*) FROM audit_log WHERE action = 'note'") == ROUNDS
    report("edit_conflicts", record="complaint", rounds=ROUNDS, conflicts_reported=ROUNDS)


def test_a_task_snoozed_twice_from_the_same_screen_state_is_snoozed_once(
    pair: tuple[Branch, Workbench, Workbench],
) -> None:
    branch, wang, _ = pair
    other = workbench(branch.url, "m00")  # 王 in a second terminal
    task_id = branch.tasks["m00"][0]
    version = scalar(branch.url, f"SELECT version FROM task WHERE id = {task_id}")
    results = race(
        lambda: wang.tasks.snooze(task_id, workdays=1, version=version),
        lambda: other.tasks.snooze(task_id, workdays=2, version=version),
    )
    one_won(results)
    assert scalar(branch.url, f"SELECT version FROM task WHERE id = {task_id}") == version + 1
    assert scalar(branch.url, "SELECT COUNT(*) FROM audit_log WHERE action = 'snooze'") == 1
