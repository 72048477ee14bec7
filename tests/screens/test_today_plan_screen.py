"""Today is a plan for today, worked with keys (issue 19).

Given 张伟 (zhangwei) on Monday 2026-11-23 at 08:30 with four calls of capacity, a visit at
10:00 in his approved plan, a call-back agreed for 14:30, and eight due tasks: 华东机械 (C001,
A1) with both a retention task and its contact task, and six B1/C contacts; when he opens
Today, works three rows (one call on 华东机械 ticked as serving both its tasks: ``c a 1``), then
the list, the backlog line and the database agree: the fixed items lead, four calls of plan
follow, the rows done leave without reordering the rest, and the backlog is the same count.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import pytest
from conftest import Factory, settled
from sqlalchemy import Engine, text
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Label

from cmworkbench import clock
from cmworkbench.app import make_app
from cmworkbench.config import RoleCapacity, Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Task
from cmworkbench.i18n import t
from cmworkbench.screens.today import TodayScreen
from cmworkbench.services.workbench import Workbench, login
from cmworkbench.widgets.task_table import TaskTable

SIZE = (100, 30)
CONTACTS = [  # (customer no, name, class, due)
    ("C002", "西湖茶庄", "B1", "2026-11-16T09:00"),
    ("C003", "钱塘物流", "B1", "2026-11-18T09:00"),
    ("C004", "之江建材", "C", "2026-11-19T09:00"),
    ("C005", "滨江电子", "C", "2026-11-20T09:00"),
    ("C006", "萧山纺织", "C", "2026-11-21T09:00"),
    ("C007", "余杭茶叶", "C", "2026-11-22T09:00"),
]


@pytest.fixture
def four_calls(settings: Settings) -> Settings:
    capacity = replace(settings.capacity, manager=RoleCapacity(calls=4, meetings=6))
    return replace(settings, capacity=capacity)


@pytest.fixture
def workbench(
    frozen_clock: object,
    engine: Engine,
    four_calls: Settings,
    build: Callable[[], AbstractContextManager[Factory]],
) -> Workbench:
    with build() as f:
        branch = f.branch()
        zhang = f.staff(branch, "zhangwei", "张伟", team=f.team(branch))
        big = f.customer(zhang, "C001", "华东机械", cls="A1")
        for kind in ("retention", "contact"):
            task = f.task(zhang, "2026-11-20T09:00")
            task.kind, task.customer_id = kind, big.id
            f.session.add(task)
        for no, name, cls, due in CONTACTS:
            customer = f.customer(zhang, no, name, cls=cls)
            task = f.task(zhang, due)
            task.customer_id = customer.id
            f.session.add(task)
        promised = f.customer(zhang, "C008", "富阳造纸", cls="B2")
        back = f.task(zhang, "2026-11-23T14:30")
        back.kind, back.customer_id = "call_back", promised.id
        f.session.add(back)
        visited = f.customer(zhang, "C009", "临平机械", cls="A2")
        plan = f.visit_plan(zhang, "2026-W48", status="approved")
        f.planned_visit(plan, visited, "2026-11-23T10:00")
    return login(engine, four_calls, "zhangwei")


def listed(pilot: Pilot[Any]) -> list[tuple[str, str]]:
    """(kind, customer no) of the rows, top to bottom."""
    table = pilot.app.screen.query_one(TaskTable)
    return [(row.kind, row.customer_no or "") for row in table.rows_shown]


def backlog_line(pilot: Pilot[Any]) -> str:
    return str(pilot.app.screen.query_one("#today-backlog", Label).content)


def scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await settled(pilot)


async def test_work_three_rows_of_the_plan_one_call_serving_two_tasks(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)
        # Fixed first (the visit at 10:00, the call-back at 14:30), then four calls of plan:
        # the call-back takes one, so three: 华东机械's retention and contact, then 西湖茶庄.
        assert listed(pilot) == [
            ("visit", "C009"),
            ("call_back", "C008"),
            ("retention", "C001"),
            ("contact", "C001"),
            ("contact", "C002"),
        ]
        table = app.screen.query_one(TaskTable)
        assert str(table.get_row_at(0)[3]) == t("tui.today.at_time", time="10:00")
        # The backlog: the other five contacts, counted and aged (the oldest due 11-18: 5 days).
        assert t("tui.today.backlog", total=5) in backlog_line(pilot)
        assert t("tui.today.backlog_kind", kind=t("enum.task_kind.contact"), count=5, days=5) in (
            backlog_line(pilot)
        )
        await press(pilot, "down", "down")  # onto 华东机械's retention task
        # reached, and ticked: it was for the contact too; the retention talk: retained
        await press(pilot, "c", "a", "1", "1")
        assert listed(pilot) == [("visit", "C009"), ("call_back", "C008"), ("contact", "C002")]
        await press(pilot, "c", "1")  # 西湖茶庄, which slid under the cursor
        await press(pilot, "c", "1")  # the call-back to 富阳造纸, now the last row
        assert listed(pilot) == [("visit", "C009")]
        assert t("tui.today.backlog", total=5) in backlog_line(pilot)  # the backlog waits
        assert scalar(engine, "SELECT COUNT(*) FROM interaction WHERE kind = 'call'") == 3
        served = scalar(
            engine,
            "SELECT COUNT(*) FROM interaction_purpose p JOIN customer c ON c.customer_no = 'C001'"
            " JOIN interaction i ON i.id = p.interaction_id AND i.customer_id = c.id",
        )
        assert served == 2
        assert scalar(engine, "SELECT COUNT(*) FROM task WHERE status = 'done'") == 4
        open_due = scalar(engine, "SELECT COUNT(*) FROM task WHERE status = 'open'")
        assert open_due == 5  # exactly the backlog
        # p pulls the next from the backlog into today, oldest-due first (same weight).
        await press(pilot, "p")
        assert listed(pilot)[1:] == [("contact", no) for no, *_ in CONTACTS[1:]]
        assert t("tui.today.backlog_empty") in backlog_line(pilot)
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT COUNT(*) FROM day_plan_item")).scalar_one()
        assert kept == 3 + 5  # the three made at the first open and the five pulled


async def test_b_shows_the_backlog_by_priority_and_back(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await press(pilot, "b")
        assert listed(pilot) == [("contact", no) for no, *_ in CONTACTS[1:]]
        assert {row.section for row in app.screen.query_one(TaskTable).rows_shown} == {"backlog"}
        filter_bar = str(app.screen.query_one("#today-filter", Label).content)
        assert filter_bar.startswith(t("tui.today.backlog_view"))
        await press(pilot, "b")
        assert listed(pilot)[0] == ("visit", "C009")


async def test_keys_meant_for_a_task_on_a_visit_row_say_what_to_do(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await press(pilot, "c")  # on the visit at 10:00: not a task
        assert isinstance(app.screen, TodayScreen)
        assert any(n.message == t("tui.today.not_a_task") for n in app._notifications)
        await press(pilot, "s", "d")
        assert isinstance(app.screen, TodayScreen)
        assert scalar(engine, "SELECT COUNT(*) FROM task WHERE status <> 'open'") == 0


async def test_c_3_at_14_30_puts_a_call_back_on_the_fixed_list_at_14_30(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await press(pilot, "down", "down", "down", "down")  # 西湖茶庄 (C002), the last plan row
        assert app.screen.query_one(TaskTable).current.customer_no == "C002"  # type: ignore[union-attr]
        await press(pilot, "c", "3")  # call back: when?
        await pilot.press(*"14:00", "enter")  # not C008's 14:30: the list orders them by time
        await settled(pilot)
        assert listed(pilot)[:3] == [
            ("visit", "C009"),
            ("call_back", "C002"),
            ("call_back", "C008"),
        ]
        table = app.screen.query_one(TaskTable)
        assert str(table.get_row_at(1)[3]) == t("tui.today.at_time", time="14:00")
        with unit_of_work(engine) as session:
            back = session.exec(select(Task).where(col(Task.kind) == "call_back")).all()
            assert sorted(task.due_at for task in back) == [
                clock.parse_instant("2026-11-23T14:00"),
                clock.parse_instant("2026-11-23T14:30"),
            ]
