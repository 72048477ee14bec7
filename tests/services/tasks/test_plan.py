"""Today is a plan for today (issue 19, item 1): fixed-time items first, then the work that fits
the day's capacity, and the backlog counted and aged, never hidden.

Given 张伟 (zhangwei), a customer manager (30 calls and 6 meetings a day by default), with 300
maturity calls due (one a customer, all B1, due on 11-01 a minute apart), two visits in his approved
plan for Monday 2026-11-23 and a call-back agreed for 14:30, when he opens Today at 08:30 and
works, then the list, the backlog and the database follow the plan's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db import scoring
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer, DayPlan, DayPlanItem, Staff, Task
from cmworkbench.services.tasks.plan import day_summary, today_plan
from cmworkbench.services.workbench import Workbench, login

Build = Callable[[], AbstractContextManager[Factory]]
DUE = 300


pytestmark = pytest.mark.usefixtures("frozen_clock")  # Monday 2026-11-23 08:30


@pytest.fixture
def book(build: Build) -> dict[str, list[int]]:
    """Task ids of 张伟's maturity calls, most urgent first, and his visits' item ids."""
    with build() as f:
        branch = f.branch()
        zhang = f.staff(branch, "zhangwei", "张伟", team=f.team(branch))
        calls = f.maturity_calls(zhang, DUE)
        plan = f.visit_plan(zhang, "2026-W48", status="approved")
        visits = []
        for hour, customer_no in ((10, "C0500"), (15, "C0501")):
            customer = f.customer(zhang, customer_no, f"拜访客户{hour}", cls="A1")
            visits.append(f.planned_visit(plan, customer, f"2026-11-23T{hour}:00").id or 0)
    return {"calls": calls, "visits": visits}


def zhang(engine: Engine, settings: Settings) -> Workbench:
    return login(engine, settings, "zhangwei")


def at(hm: str) -> datetime:
    return clock.parse_instant(f"2026-11-23T{hm}")


def test_a_day_of_300_calls_is_visits_and_call_backs_first_then_30_calls_then_the_backlog(
    engine: Engine, settings: Settings, book: dict[str, list[int]]
) -> None:
    bench = zhang(engine, settings)
    bench.tasks.log_call(book["calls"][299], "call_back", call_back_at=at("14:30"))
    plan = bench.tasks.plan()
    fixed = [row for row in plan.rows if row.section == "fixed"]
    assert [(row.item, row.at) for row in fixed] == [
        ("visit", at("10:00")),
        ("task", at("14:30")),
        ("visit", at("15:00")),
    ]
    assert fixed[1].kind == "call_back"
    planned = [row.task_id for row in plan.rows if row.section == "plan"]
    # 30 calls of capacity, one of them taken by the call-back: the 29 most urgent calls.
    assert planned == book["calls"][:29]
    assert (plan.calls, plan.meetings) == (30, 6)
    assert (plan.planned_calls, plan.planned_meetings) == (30, 2)
    # The rest is the backlog: 300 less the 29 planned and the call continued by the call-back.
    assert plan.backlog.total == DUE - 29 - 1
    count, oldest = plan.backlog.by_kind["maturity"]
    assert (count, oldest) == (DUE - 30, 22)  # due on 11-01 at the oldest: 22 days ago
    backlog = bench.tasks.backlog()
    assert len(backlog) == DUE - 30 and {row.section for row in backlog} == {"backlog"}
    assert backlog[0].task_id == book["calls"][29]  # the backlog too is by priority


def test_doing_three_rows_does_not_reorder_the_rest_and_tomorrow_carries_over(
    engine: Engine, settings: Settings, book: dict[str, list[int]]
) -> None:
    bench = zhang(engine, settings)
    first = [row.task_id for row in bench.tasks.plan().rows if row.section == "plan"]
    assert first == book["calls"][:30]
    for task_id in (first[0], first[5], first[17]):
        bench.tasks.log_call(task_id, "reached")
    with unit_of_work(engine) as session:  # a later customer turns VIP meanwhile
        late = session.get_one(Task, book["calls"][250])
        customer = session.get_one(Customer, late.customer_id)
        customer.is_vip = True
        session.add(customer)
    after = [row.task_id for row in bench.tasks.plan().rows if row.section == "plan"]
    assert after == [t for t in first if t not in (first[0], first[5], first[17])]
    assert bench.tasks.plan().done_today == 3
    # Tomorrow the plan is made afresh: what was not reached is still there, a day older.
    clock.freeze("2026-11-24T08:30")
    tomorrow = bench.tasks.plan()
    rows = [row for row in tomorrow.rows if row.section == "plan"]
    assert rows[0].task_id == book["calls"][250]
    assert first[1] in [row.task_id for row in rows]
    assert tomorrow.backlog.by_kind["maturity"][1] == 23


def test_p_pulls_the_next_items_from_the_backlog_after_the_plan(
    engine: Engine, settings: Settings, book: dict[str, list[int]]
) -> None:
    bench = zhang(engine, settings)
    before = [row.task_id for row in bench.tasks.plan().rows if row.section == "plan"]
    assert bench.tasks.pull() == 5
    after = [row.task_id for row in bench.tasks.plan().rows if row.section == "plan"]
    assert after == [*before, *book["calls"][30:35]]
    assert bench.tasks.plan().backlog.total == DUE - 35
    with unit_of_work(engine) as session:
        pulled = session.exec(select(DayPlanItem).where(col(DayPlanItem.pulled))).all()
        assert sorted(p.task_id for p in pulled) == sorted(book["calls"][30:35])


def test_the_plan_ranks_by_the_same_score_the_row_shows(
    engine: Engine, settings: Settings, build: Build
) -> None:
    """The plan weighs candidates in SQL; the row's score is the domain's. Classes, tiers, VIP
    tiers, flags, churn, kinds, ages and deadlines mixed: the two agree, row for row."""
    with build() as f:
        branch = f.branch()
        f.mixed_book(f.staff(branch, "zhangwei", "张伟", team=f.team(branch)))
    rows = login(engine, settings, "zhangwei").tasks.today()
    assert len(rows) == 54  # six are due after today (11-24 to 11-28)
    for section in ("plan", "backlog"):  # (a meeting that did not fit may trail a call)
        scores = [row.score for row in rows if row.section == section]
        assert len(scores) > 5 and scores == sorted(scores, reverse=True)


def test_a_day_looked_at_by_someone_else_is_the_same_day_and_is_not_kept(
    engine: Engine, settings: Settings, book: dict[str, list[int]]
) -> None:
    """The team board's figures (day_summary) are the day Today shows: 3 fixed items and 29
    calls, 270 waiting, the oldest 22 days; looking writes nothing, and 张伟's own first look
    then keeps the plan."""
    bench = zhang(engine, settings)
    bench.tasks.log_call(book["calls"][299], "call_back", call_back_at=at("14:30"))
    summary = bench.run(day_summary)
    assert (summary.plan_size, summary.done_today, summary.backlog) == (3 + 29, 0, DUE - 30)
    assert summary.backlog_oldest_days == 22
    assert bench.run(today_plan, keep=False).backlog.total == DUE - 30
    with unit_of_work(engine) as session:
        assert session.exec(select(DayPlan)).all() == [], "looking keeps no plan"
    plan = bench.tasks.plan()
    assert len(plan.rows) == summary.plan_size and plan.backlog.oldest_days == 22
    with unit_of_work(engine) as session:
        assert len(session.exec(select(DayPlan)).all()) == 1


def test_work_a_person_adds_during_the_day_joins_the_plan_a_late_generation_waits(
    engine: Engine, settings: Settings, book: dict[str, list[int]]
) -> None:
    bench = zhang(engine, settings)
    first = [row.task_id for row in bench.tasks.plan().rows if row.section == "plan"]
    clock.freeze("2026-11-23T11:00")
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer).where(col(Customer.customer_no) == "C0500")).one()
        due = clock.parse_instant("2026-11-23T09:00")
        for kind, rule in (("follow_up", "visit_next_step"), ("contact", "cadence.A1")):
            task = Task(kind=kind, customer_id=customer.id, owner_id=customer.owner_id or 0,
                        due_at=due, priority=0, status="open", rule=rule,
                        created_at=clock.now(), version=1)  # fmt: skip
            session.add(task)
    rows = bench.tasks.plan().rows
    planned = [(row.task_id, row.kind) for row in rows if row.section == "plan"]
    assert [task_id for task_id, _ in planned[:-1]] == first  # nothing moved
    assert planned[-1][1] == "follow_up"  # the visit's next step, added at the end
    assert bench.tasks.plan().backlog.by_kind["contact"][0] == 1  # the late rule's task waits


def test_a_plan_made_before_a_late_generation_gets_the_days_work_that_fits_without_moving(
    engine: Engine, settings: Settings, build: Build
) -> None:
    """The server was down at 06:30: 张伟 opened Today at 08:30 on yesterday's three calls,
    the scheduler caught up at 09:00 with forty calls due. His next look keeps the three in
    place and fills the rest of his 30 calls with the generated work, the most urgent first;
    the rest waits in the backlog. Looked at again, nothing moves."""
    with build() as f:
        branch = f.branch()
        owner = f.staff(branch, "zhangwei", "张伟", team=f.team(branch))
        calls = f.maturity_calls(owner, 3)
    bench = zhang(engine, settings)
    assert [row.task_id for row in bench.tasks.plan().rows if row.section == "plan"] == calls
    clock.freeze("2026-11-23T09:00")
    with build() as f:
        staff = f.session.exec(select(Staff).where(col(Staff.login) == "zhangwei")).one()
        late = f.maturity_calls_from(staff, 40, first=100)
        for task in f.session.exec(select(Task).where(col(Task.id).in_(late))):
            task.rule = "maturity"  # made by the generation's maturity rule
    with unit_of_work(engine) as session:
        scoring.rescore(session.connection())  # how the generation ends: the day is scored
    clock.freeze("2026-11-23T09:05")
    plan = bench.tasks.plan()
    planned = [row.task_id for row in plan.rows if row.section == "plan"]
    assert planned[:3] == calls, "what was on the list keeps its place"
    assert planned[3:] == late[:27], "the generated work that fits, most urgent first"
    assert plan.backlog.total == 40 - 27
    assert [row.task_id for row in bench.tasks.plan().rows if row.section == "plan"] == planned
