"""Today screen: work a call list with keystrokes only.

Given 张伟 (zhangwei) with four tasks due on Monday 2026-11-23 at 08:30 (an overdue A1 VIP
customer first), when he opens Today at 80×24 and logs outcomes with one or two keys a row,
then the database holds the calls, closes and snoozes, and the list updates in place with
the cursor kept on its row index.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from conftest import Factory, settled
from rich.cells import cell_len
from sqlalchemy import Engine, text
from textual.pilot import Pilot

from cmworkbench import clock
from cmworkbench.app import make_app
from cmworkbench.config import Settings
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.today import TodayScreen
from cmworkbench.services.workbench import Workbench, login
from cmworkbench.widgets.task_table import TaskTable

SIZE = (80, 24)


@pytest.fixture
def workbench(
    frozen_clock: object,
    engine: Engine,
    settings: Settings,
    build: Callable[[], AbstractContextManager[Factory]],
) -> Workbench:
    """Four contact tasks: C001 (A1 VIP, 12 days overdue), C002 (B1, 1 day), C003, C004 (C)."""
    with build() as f:
        branch = f.branch()
        zhang = f.staff(branch, "zhangwei", "张伟", team=f.team(branch))
        specs = [
            ("C001", "华东机械有限公司", "A1", "2026-11-11T09:00"),
            ("C002", "西湖茶庄", "B1", "2026-11-22T09:00"),
            ("C003", "钱塘物流", "C", "2026-11-23T09:00"),
            ("C004", "之江建材", "C", "2026-11-23T10:00"),
        ]
        for no, name, cls, due in specs:
            customer = f.customer(zhang, no, name, cls=cls)
            customer.is_vip = no == "C001"
            task = f.task(zhang, due)
            task.customer_id = customer.id
            f.session.add_all([customer, task])
    return login(engine, settings, "zhangwei")


def listed(pilot: Pilot[Any]) -> list[str]:
    """Customer numbers of the rows, top to bottom."""
    return [row.customer_no or "" for row in pilot.app.screen.query_one(TaskTable).rows_shown]


def rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


async def test_the_list_is_ranked_with_the_reason_per_row(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert listed(pilot) == ["C001", "C002", "C003", "C004"]
        table = app.screen.query_one(TaskTable)
        reason = str(table.get_row_at(0)[-1])
        assert (
            reason
            == {"zh_CN": "A1 · 逾期 12 天 · VIP", "en": "A1 · 12 days overdue · VIP"}[language]
        )
        assert table.has_focus


async def test_work_a_call_list_with_keystrokes_only(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("c", "1")  # C001 reached: its contact task closes, the row goes
        await settled(pilot)
        assert listed(pilot) == ["C002", "C003", "C004"]
        assert app.screen.query_one(TaskTable).cursor_row == 0
        await pilot.press("c", "2")  # C002 no answer: put aside for a few hours
        await settled(pilot)
        assert listed(pilot) == ["C003", "C004"]
        await pilot.press("down", "s", "2")  # C004 to the next working day
        await settled(pilot)
        assert listed(pilot) == ["C003"]
        assert app.screen.query_one(TaskTable).cursor_row == 0
    calls = rows(
        engine,
        "SELECT c.customer_no, i.outcome FROM interaction i JOIN customer c"
        " ON c.id = i.customer_id ORDER BY i.id",
    )
    assert [tuple(r) for r in calls] == [("C001", "reached"), ("C002", "no_answer")]
    tasks = dict(
        (r[0], (r[1], r[2]))
        for r in rows(
            engine,
            "SELECT c.customer_no, t.status, t.snoozed_until FROM task t JOIN customer c"
            " ON c.id = t.customer_id",
        )
    )
    assert tasks["C001"][0] == "done"
    assert tasks["C002"][0] == "open" and tasks["C002"][1] is not None
    assert tasks["C003"] == ("open", None)
    assert tasks["C004"][0] == "open"
    assert str(tasks["C004"][1]).startswith("2026-11-24 00:30")  # 08:30 branch time, in UTC
    assert clock.now()  # the clock stood still


async def test_enter_opens_the_customer_360(workbench: Workbench, language: str) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("down", "enter")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        assert app.screen.customer_no == "C002"
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert app.screen.query_one(TaskTable).cursor_row == 1


async def test_a_reached_retention_call_asks_how_it_ended_on_the_same_keys(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    """Issue 22 item 4: C001's task is a retention task; ``c`` ``1`` (reached) then asks the
    result, and ``3`` (lost) records it and marks the customer lost."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE task SET kind = 'retention' WHERE customer_id ="
                " (SELECT id FROM customer WHERE customer_no = 'C001')"
            )
        )
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert listed(pilot)[0] == "C001"
        await pilot.press("c", "1")
        await settled(pilot)
        title = {"zh_CN": "挽留结果如何", "en": "how did the retention talk end"}[language]
        assert title in str(app.screen.query_one("Vertical").border_title)
        await pilot.press("3")
        await settled(pilot)
        assert listed(pilot)[0] == "C002"
    found = rows(
        engine,
        "SELECT c.customer_no, i.outcome, i.retention_result, c.status FROM interaction i"
        " JOIN customer c ON c.id = i.customer_id",
    )
    assert [tuple(r) for r in found] == [("C001", "reached", "lost", "lost")]


async def test_a_day_that_could_not_be_read_is_read_again(
    workbench: Workbench, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read of a busy morning waits past the database's busy timeout: Today says
    so and reads the day again by itself, and ``r`` reads it at once."""
    from sqlalchemy.exc import OperationalError

    plan = workbench.tasks.plan
    failures = [2]

    def busy_then_plan(*args: Any, **kwargs: Any) -> Any:
        if failures[0]:
            failures[0] -= 1
            raise OperationalError("UPDATE task …", {}, Exception("database is locked"))
        return plan(*args, **kwargs)

    monkeypatch.setattr(workbench.tasks, "plan", busy_then_plan)
    monkeypatch.setattr(TodayScreen, "RETRY_SECONDS", (0.3, 60.0))
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        line = str(app.screen.query_one("#today-filter").render())
        assert {"zh_CN": "今日工作未能读出", "en": "Could not read the day"}[language] in line
        assert listed(pilot) == []
        await pilot.pause(0.5)  # the first retry, after 0.3 s, fails too; the next waits 60 s
        await settled(pilot)
        assert listed(pilot) == []
        assert "60" in str(app.screen.query_one("#today-filter").render())
        await pilot.press("r")  # read now
        await settled(pilot)
        assert listed(pilot) == ["C001", "C002", "C003", "C004"]
        line = str(app.screen.query_one("#today-filter").render())
        assert {"zh_CN": "全部 4", "en": "All 4"}[language] in line


async def test_the_filter_line_wraps_rather_than_being_cut(
    workbench: Workbench, language: str
) -> None:
    """On a terminal too narrow for the counts panel beside the list, the filter line (every
    kind's count, done today, the capacity) wraps instead of losing its end."""
    app = make_app(workbench)
    async with app.run_test(size=(44, 24)) as pilot:
        await settled(pilot)
        filter_line = app.screen.query_one("#today-filter")
        text = str(filter_line.render())
        assert cell_len(text) > filter_line.size.width  # longer than one line …
        assert filter_line.size.height >= 2  # … so it takes two
