"""Promises on the screens (issue 24): a manager logs an incoming call from the 360 view in
three keys plus the note, sees the reply owed on Today at its deadline, calls back from that
row and the promise is kept; a supervisor sees a broken promise on the team board.

Given 对公一组 on Friday 2026-11-20 at 16:50 (clock frozen): 张伟 (zhangwei), whose customer is
西湖茶庄 (C002), and his supervisor 王芳 (wangfang).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from conftest import Factory, settled, table_rows
from sqlalchemy import Engine, text
from textual.pilot import Pilot
from textual.widgets import DataTable

from cmworkbench import clock
from cmworkbench.app import make_app
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.i18n import t
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.team import TeamScreen
from cmworkbench.screens.today import TodayScreen
from cmworkbench.services.promises import api as promises
from cmworkbench.services.workbench import login
from cmworkbench.widgets.task_table import TaskTable

SIZE = (100, 30)


@pytest.fixture
def friday(engine: Engine, build: Callable[[], AbstractContextManager[Factory]]) -> None:
    clock.freeze("2026-11-20T16:50")
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=team)
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        f.customer(zhang, "C002", "西湖茶庄", cls="B1")


def promise_rows(pilot: Pilot[Any]) -> list[tuple[str, str]]:
    """(reason, time) of Today's promise rows."""
    rows = pilot.app.screen.query_one(TaskTable).rows_shown
    tz = clock.branch_tz()
    return [
        (r.reason, f"{r.at.astimezone(tz):%H:%M}" if r.at else "")
        for r in rows
        if r.item == "promise"
    ]


def states(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [s for (s,) in conn.execute(text("SELECT state FROM promise ORDER BY id"))]


async def test_an_incoming_call_in_three_keys_is_on_today_and_the_call_back_keeps_it(
    friday: None, engine: Engine, settings: Settings, language: str
) -> None:
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", *"西湖茶庄")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        # i, what the customer wants, Enter
        await pilot.press("i")
        await pilot.press(*"问本月账单")
        await pilot.press("enter")
        await settled(pilot)
        assert states(engine) == ["open"]
        tab = app.screen.query_one("#table-promises", DataTable)
        assert "问本月账单" in str(table_rows(tab))
        await pilot.press("escape", "f2")
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)
        shown = promise_rows(pilot)
        assert len(shown) == 1 and "问本月账单" in shown[0][0]
        assert shown[0][1] == "17:30"  # today's close of business
        assert any("17:30" in str(row) for row in table_rows(app.screen.query_one(TaskTable)))
        assert t("enum.promise_kind.callback_same_day") in shown[0][0]
        # on the promise's row: c, 1 (reached) logs the call back, which keeps the promise
        table = app.screen.query_one(TaskTable)
        index = next(i for i, r in enumerate(table.rows_shown) if r.item == "promise")
        table.move_cursor(row=index)
        await pilot.press("c", "1")
        await settled(pilot)
        assert states(engine) == ["kept"]
        assert promise_rows(pilot) == []


async def test_a_supervisor_sees_a_broken_promise_on_the_team_board(
    friday: None, engine: Engine, settings: Settings, language: str
) -> None:
    login(engine, settings, "zhangwei").promises.incoming("C002", "要发票")
    clock.freeze("2026-11-20T17:31")
    with unit_of_work(engine) as session:
        promises.sweep(session=session, settings=settings)
    assert states(engine) == ["broken"]
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        assert isinstance(app.screen, TeamScreen)
        board = table_rows(app.screen.query_one("#team-board", DataTable))
        (zhang,) = [row for row in board if row[0] == "张伟"]
        assert zhang[8] == f"1 · {t('tui.team.promises_broken', n=1)}"
