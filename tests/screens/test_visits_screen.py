"""Visits screen: plan a week, have it approved, record a visit, all with keystrokes only.

Given 张伟 (zhangwei) with three customers in two areas, each with a contact task due on
Monday 2026-11-23 (clock frozen at 08:30), and his supervisor 王芳 (wangfang): when 张伟
opens Visits, accepts the proposals (``p`` ``y``) and submits (``s``); 王芳, in her own
session on the same database, picks him (``t`` ``Enter``) and approves (``a``); and 张伟
records the first visit with a next step due today (``r`` … ``Ctrl+S``), then the plan
is approved in the database and his Today list holds the follow-up task.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from conftest import Factory, settled
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from textual.widgets import Label, Select

from cmworkbench import clock
from cmworkbench.app import make_app
from cmworkbench.config import Settings
from cmworkbench.db.models import Contact, Customer
from cmworkbench.screens.dialogs.choose_colleague import ChooseColleagueDialog
from cmworkbench.screens.dialogs.visit_dialogs import (
    AddVisitDialog,
    ChecklistDialog,
    ConfirmDialog,
    RecordVisitDialog,
)
from cmworkbench.screens.today import TodayScreen
from cmworkbench.screens.visits import VisitsScreen
from cmworkbench.services.workbench import login
from cmworkbench.widgets.task_table import TaskTable
from cmworkbench.widgets.visit_table import VisitTable

SIZE = (80, 24)
NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
Build = Callable[[], AbstractContextManager[Factory]]


@pytest.fixture
def team(frozen_clock: object, build: Build) -> None:
    with build() as f:
        branch = f.branch()
        group = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=group)
        zhang = f.staff(branch, "zhangwei", "张伟", team=group)
        for no, name, cls, area in [
            ("C001", "华东机械", "A1", "西湖区"),
            ("C002", "西湖茶庄", "B1", "西湖区"),
            ("C003", "钱塘物流", "B1", "上城区"),
        ]:
            customer = f.customer(zhang, no, name, cls=cls)
            customer.area = area
            task = f.task(zhang, "2026-11-23T09:00")
            task.customer_id = customer.id
            f.session.add_all([customer, task])


def scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


async def test_plan_approve_record_then_today(
    team: None, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        assert isinstance(app.screen, VisitsScreen)
        await pilot.press("p")
        await settled(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settled(pilot)
        table = app.screen.query_one(VisitTable)
        assert [i.customer_no for i in table.items] == ["C001", "C002", "C003"]
        await pilot.press("s")
        await settled(pilot)
    assert scalar(engine, "SELECT status FROM visit_plan") == "submitted"

    boss = make_app(login(engine, settings, "wangfang"))
    async with boss.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        await pilot.press("t")
        await settled(pilot)
        assert isinstance(boss.screen, ChooseColleagueDialog)
        await pilot.press("enter")
        await settled(pilot)
        screen = boss.screen
        assert isinstance(screen, VisitsScreen) and screen.plan is not None
        assert (screen.plan.owner_login, screen.plan.status) == ("zhangwei", "submitted")
        await pilot.press("a")
        await settled(pilot)
    assert scalar(engine, "SELECT status FROM visit_plan") == "approved"

    again = make_app(login(engine, settings, "zhangwei"))
    async with again.run_test(size=SIZE) as pilot:
        await settled(pilot)  # Today opened: the day's plan is made at 08:30
        clock.freeze("2026-11-23T11:00")  # the visit held; its next step is due today
        await pilot.press("3")
        await settled(pilot)
        await pilot.press("r")
        await settled(pilot)
        assert isinstance(again.screen, RecordVisitDialog)
        await pilot.press(*"expansion", "tab", *"quote", "tab", *"11-23", "ctrl+s")
        await settled(pilot)
        assert isinstance(again.screen, VisitsScreen)
        assert again.screen.query_one(VisitTable).items[0].status == "done"
        await pilot.press("1")
        await settled(pilot)
        assert isinstance(again.screen, TodayScreen)
        rows = again.screen.query_one(TaskTable).rows_shown
        follow = [r for r in rows if r.kind == "follow_up"]
        assert [(r.customer_no, r.task_reason) for r in follow] == [("C001", "quote")]
        assert "C001" not in [r.customer_no for r in rows if r.kind == "contact"], "visit held"
    due = scalar(engine, "SELECT due_at FROM task WHERE kind = 'follow_up' AND reason = 'quote'")
    assert str(due).startswith("2026-11-23 00:30"), "08:30 branch time today, in UTC"
    assert scalar(engine, "SELECT status FROM visit_plan") == "approved"


async def test_month_view_lists_the_month_read_only(
    team: None, engine: Engine, settings: Settings
) -> None:
    """Given visits in two weeks of November, ``M`` shows them all day by day; ``n`` does
    nothing there; ``M`` again is back on the week."""
    zhang = login(engine, settings, "zhangwei")
    zhang.visits.add("C001", date(2026, 11, 23), time(9), "gift")
    zhang.visits.add("C003", date(2026, 11, 30), time(10), "gift")
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, VisitsScreen)
        assert [i.customer_no for i in screen.table.items] == ["C001"]
        await pilot.press("M")
        await settled(pilot)
        assert [i.customer_no for i in screen.table.items] == ["C001", "C003"]
        status = str(screen.query_one("#visits-status", Label).content)
        assert status.startswith("2026-11 · 张伟") and "只读" in status
        assert str(screen.query_one("#visits-changes", Label).content) == "11-23：1 · 11-30：1"
        await pilot.press("n")
        await settled(pilot)
        assert not isinstance(app.screen, AddVisitDialog), "the month view is read-only"
        await pilot.press("M")
        await settled(pilot)
        assert [i.customer_no for i in screen.table.items] == ["C001"]


async def test_add_a_visit_with_a_chosen_contact_then_edit_its_checklist(
    team: None, engine: Engine, settings: Settings
) -> None:
    """Given C001 with a key person and a finance contact, when 张伟 adds a visit choosing the
    finance contact and then edits its checklist with ``k``, the database holds both."""
    with Session(engine) as s:
        c001 = s.exec(select(Customer.id).where(Customer.customer_no == "C001")).one()
        assert c001 is not None
        s.add(Contact(customer_id=c001, name="刘总", is_key_person=True, updated_at=NOW))
        s.add(Contact(customer_id=c001, name="财务王姐", updated_at=NOW))
        s.commit()
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddVisitDialog)
        await pilot.press(*"C001")
        await settled(pilot)
        contact = dialog.query_one("#field-contact", Select)
        assert [str(o[0]) for o in contact._options[1:]] == [
            "刘总 · 联系人 · 关键人",
            "财务王姐 · 联系人",
        ]
        await pilot.press("tab", "enter", "down", "down", "enter", "ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, VisitsScreen)
        await pilot.press("k")
        await settled(pilot)
        assert isinstance(app.screen, ChecklistDialog)
        await pilot.press("f7", "delete", *"带合同", "enter", *"报价单", "ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, VisitsScreen)
        assert app.screen.table.items[0].checklist == ("带合同", "报价单")
    row = "SELECT c.name FROM visit_plan_item i JOIN contact c ON c.id = i.contact_id"
    assert scalar(engine, row) == "财务王姐"
    assert scalar(engine, "SELECT checklist FROM visit_plan_item") == "带合同\n报价单"
