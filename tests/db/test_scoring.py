"""The stored score (``task.priority``, :mod:`cmworkbench.db.scoring`) is the domain's score for
the day, kept true as tasks and customers change, so the plan can read a book's first rows by
index. Given 张伟's 60 tasks over customers of every class, tier, flag and churn state, on
Monday 2026-11-23 at 08:30."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

import pytest
from conftest import Factory
from sqlalchemy import Engine, insert
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db import scoring
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer, ScoreDay, Task
from cmworkbench.domain import priority
from cmworkbench.services.customers.schemas import CustomerEdit
from cmworkbench.services.workbench import login

Build = Callable[[], AbstractContextManager[Factory]]


pytestmark = pytest.mark.usefixtures("frozen_clock")  # Monday 2026-11-23 08:30


@pytest.fixture
def mixed(build: Build) -> None:
    with build() as f:
        branch = f.branch()
        zhang = f.staff(branch, "zhangwei", "张伟", team=f.team(branch))
        f.mixed_book(zhang)
        f.task(zhang, "2026-11-20T09:00")  # a task without a customer


def domain_scores(engine: Engine, day: date) -> dict[int, tuple[int, int]]:
    """Task id → (stored priority, the domain's score on ``day``)."""
    tz = clock.branch_tz()
    found = {}
    with unit_of_work(engine) as session:
        query = select(Task, Customer).join(
            Customer, col(Task.customer_id) == col(Customer.id), isouter=True
        )
        for task, customer in session.exec(query).all():
            facts = priority.TaskFacts(
                kind=task.kind,
                due_on=task.due_at.astimezone(tz).date(),
                deadline_on=task.deadline_at.astimezone(tz).date() if task.deadline_at else None,
                **(
                    {}
                    if customer is None
                    else {
                        "cls": customer.cls,
                        "tier": customer.tier,
                        "is_vip": customer.is_vip,
                        "is_government": customer.is_government,
                        "is_benchmark": customer.is_benchmark,
                        "is_dual_span": customer.is_dual_span,
                        "status": customer.status,
                    }
                ),
            )
            assert task.id is not None
            found[task.id] = (task.priority, priority.score(facts, day))
    return found


def test_a_task_is_stored_with_the_days_score_when_it_is_written(
    engine: Engine, mixed: None
) -> None:
    scores = domain_scores(engine, date(2026, 11, 23))
    assert len(scores) == 61
    assert all(stored == wanted for stored, wanted in scores.values()), scores


def test_rescoring_for_a_later_day_ages_every_open_task(engine: Engine, mixed: None) -> None:
    later = date(2026, 12, 9)  # 16 days on: every task due, some past the 30-day cap
    with unit_of_work(engine) as session:
        assert scoring.rescore(session.connection(), later) == 61
    scores = domain_scores(engine, later)
    assert all(stored == wanted for stored, wanted in scores.values()), scores
    with unit_of_work(engine) as session:
        assert scoring.scored_for(session.connection()) == later


def test_a_customer_marked_at_risk_has_their_tasks_rescored_with_the_change(
    engine: Engine, settings: Settings, mixed: None
) -> None:
    """The manager marks 客户9 at risk on the profile: the change and the task's new score
    commit together, so the backlog read by index moves it up at once."""
    bench = login(engine, settings, "zhangwei")
    bench.tasks.plan()  # today's scores stored; the plan kept
    with unit_of_work(engine) as session:
        task = session.exec(select(Task).join(Customer).where(Customer.customer_no == "S009")).one()
    profile = bench.customers.view("S009").profile
    bench.customers.update("S009", profile.version, CustomerEdit(status="at_risk"))
    with unit_of_work(engine) as session:
        assert session.get_one(Task, task.id).priority == task.priority + 20
    scores = domain_scores(engine, date(2026, 11, 23))
    assert all(stored == wanted for stored, wanted in scores.values()), scores


def test_a_day_not_scored_yet_is_scored_at_the_first_look_and_ranks_the_backlog(
    engine: Engine, settings: Settings, mixed: None
) -> None:
    """Tasks written around the units of work (a bulk load, an old release) hold no score for
    the day: the first look at a plan scores them all, once, and the backlog read by index
    is then in the domain's order."""
    with unit_of_work(engine) as session:
        zhang = session.exec(select(Task.owner_id)).first()
        now = clock.now()
        rows = [
            {"kind": "retention", "owner_id": zhang, "due_at": now, "created_at": now}
            for _ in range(3)
        ]
        session.connection().execute(insert(Task).values(rows))  # priority 0, unscored
        assert scoring.scored_for(session.connection()) is None
    bench = login(engine, settings, "zhangwei")
    bench.tasks.plan()
    scores = domain_scores(engine, date(2026, 11, 23))
    assert all(stored == wanted for stored, wanted in scores.values()), scores
    with unit_of_work(engine) as session:
        assert session.exec(select(ScoreDay.day)).all() == [date(2026, 11, 23)]
    backlog = [row.score for row in bench.tasks.backlog()]
    assert len(backlog) > 10 and backlog == sorted(backlog, reverse=True)


def test_a_clock_set_forward_once_does_not_make_every_look_score_again(
    engine: Engine, settings: Settings, mixed: None
) -> None:
    """Someone tried ``--now`` on the live database, or ran a tool with the real clock: the
    tasks were scored for 9 December at an instant later than this morning's. Back on
    Monday 23 November, the first look at the plan scores the day once; the next looks do
    not score again (before, every look scored the whole table: 4.6 s at a million tasks)."""
    clock.freeze("2026-12-09T08:30")
    with unit_of_work(engine) as session:
        scoring.rescore(session.connection(), date(2026, 12, 9))
    clock.freeze("2026-11-23T08:30")
    bench = login(engine, settings, "zhangwei")
    bench.tasks.plan()
    with unit_of_work(engine) as session:
        assert session.exec(select(ScoreDay.day)).all() == [date(2026, 11, 23)]
        assert scoring.ensure_scored(session.connection()) == 0
    scores = domain_scores(engine, date(2026, 11, 23))
    assert all(stored == wanted for stored, wanted in scores.values()), scores


def test_looks_at_an_unscored_morning_score_it_once_not_once_each(
    engine: Engine, mixed: None
) -> None:
    """The generation did not run: one look is scoring the day (its transaction still open)
    when a second session looks. The second waits for the first and then finds the day
    scored, instead of scoring every open task again (at a million tasks, fifty sessions
    opening Today at 08:30 each held the write lock 4.6 s in turn)."""
    import threading

    second: list[int] = []
    with unit_of_work(engine) as first:
        assert scoring.ensure_scored(first.connection()) == 61

        def look() -> None:
            with unit_of_work(engine) as session:
                second.append(scoring.ensure_scored(session.connection()))

        thread = threading.Thread(target=look)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second look waits while the first holds the scoring"
    thread.join(10)
    assert second == [0]
