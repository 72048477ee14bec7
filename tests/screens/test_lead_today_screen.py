"""A supervisor's morning on Today (issue 23): close a ticket after its return call and approve
a week's visit plan from Today, in a handful of keys.

Given 对公一组 on Monday 2026-11-23 at 08:30 (clock frozen): the supervisor 王芳 (wangfang) and
张伟 (zhangwei), whose customer 西湖茶庄 (C002) complained; 张伟 resolved the complaint and made
the return call (satisfied), and submitted his plan of the week with one visit. 王芳 opens the
workbench: Today starts with the ticket to close, then the plan to approve.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, time
from typing import Any

import pytest
from conftest import Factory, notifications, settled
from sqlalchemy import Engine
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Label

from cmworkbench.app import make_app
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Complaint, Customer, VisitPlan
from cmworkbench.i18n import t
from cmworkbench.screens.today import TodayScreen
from cmworkbench.screens.visits import VisitsScreen
from cmworkbench.services.complaints.schemas import Change
from cmworkbench.services.workbench import login
from cmworkbench.widgets.task_table import TaskTable

SIZE = (100, 30)
WEEK = "2026-W48"
TICKET = "TS202611230001"


@pytest.fixture
def morning(
    frozen_clock: object,
    engine: Engine,
    settings: Settings,
    build: Callable[[], AbstractContextManager[Factory]],
) -> None:
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=team)
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        tea = f.customer(zhang, "C002", "西湖茶庄", cls="B1")
        f.complaint(zhang, tea, TICKET)
    zhang = login(engine, settings, "zhangwei")
    zhang.complaints.act(TICKET, Change("respond", triage="now"))
    zhang.complaints.act(TICKET, Change("resolve", resolution="已退还多扣月租"))
    zhang.complaints.act(TICKET, Change("return_call", result="客户认可", satisfaction="满意"))
    zhang.visits.add("C002", date(2026, 11, 25), time(10), "courtesy_call")
    zhang.visits.submit(WEEK)


def listed(pilot: Pilot[Any]) -> list[tuple[str, str]]:
    """(kind, record) of each row of Today, top to bottom."""
    return [(r.kind, r.ref) for r in pilot.app.screen.query_one(TaskTable).rows_shown]


def in_database(engine: Engine) -> tuple[str, str]:
    with unit_of_work(engine) as session:
        ticket = session.exec(select(Complaint.status)).one()
        plan = session.exec(select(VisitPlan.status)).one()
        return ticket, plan


async def test_close_a_ticket_and_approve_a_plan_from_today_in_four_keys(
    morning: None, engine: Engine, settings: Settings, language: str
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    typed = 0

    async def press(*keys: str) -> None:
        nonlocal typed
        for key in keys:
            typed += 1
            await pilot.press(key)
            await settled(pilot)

    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert listed(pilot)[:2] == [("ticket_close", TICKET), ("plan_waiting", f"{WEEK} zhangwei")]
        table = app.screen.query_one(TaskTable)
        assert t("lead.ticket.close", answer="满意") in str(table.get_row_at(0)[4])
        keys = str(app.screen.query_one("#today-keys", Label).render())
        assert "x" in keys

        await press("x", "enter")  # close: the return call's satisfaction is filled in
        assert in_database(engine) == ("closed", "submitted")
        assert listed(pilot)[0] == ("plan_waiting", f"{WEEK} zhangwei")

        await press("enter")  # read the plan, with its warnings, on Visits
        assert isinstance(app.screen, VisitsScreen)
        status = str(app.screen.query_one("#visits-status", Label).render())
        assert "张伟" in status and WEEK in status
        await press("a")
        assert in_database(engine) == ("closed", "approved")
    assert typed <= 6


async def test_a_on_a_plan_row_approves_it_without_leaving_today(
    morning: None, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("down")
        await settled(pilot)
        await pilot.press("a")
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert in_database(engine) == ("return_call_done", "approved")
        assert "plan_waiting" not in [kind for kind, _ in listed(pilot)]


async def test_b_on_a_plan_row_returns_it_with_a_comment(
    morning: None, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("down", "b")
        await settled(pilot)
        for key in "周三上午":
            await pilot.press(key)
        await pilot.press("enter")
        await settled(pilot)
        assert in_database(engine) == ("return_call_done", "returned")
        with unit_of_work(engine) as session:
            assert session.exec(select(VisitPlan.comment)).one() == "周三上午"


async def test_the_visits_queue_opens_a_waiting_plan_and_a_approves_it(
    morning: None, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await app.switch_mode("visits")
        await settled(pilot)
        await pilot.press("w")
        await settled(pilot)
        await pilot.press("enter")  # the first (only) plan waiting
        await settled(pilot)
        status = str(app.screen.query_one("#visits-status", Label).render())
        assert "张伟" in status and WEEK in status
        await pilot.press("a")
        await settled(pilot)
        assert in_database(engine) == ("return_call_done", "approved")


async def test_a_step_the_ticket_is_not_ready_for_says_why(
    morning: None, engine: Engine, settings: Settings
) -> None:
    with unit_of_work(engine) as session:
        c = session.exec(select(Complaint)).one()
        c.status = "resolved"  # the return call not made yet: a lead row only if told
        customer = session.get(Customer, c.customer_id)
        assert customer is not None
        customer.cls = "A1"
        session.add_all([c, customer])
    messages: list[Any] = []
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settled(pilot)
        assert listed(pilot)[0] == ("ticket_informed", TICKET)
        await pilot.press("x")
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)  # no dialog
        assert any(severity == "warning" for _text, severity in notifications(messages))
        assert in_database(engine)[0] == "resolved"
