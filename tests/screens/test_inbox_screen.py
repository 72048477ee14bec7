"""Notifications in the running TUI: toasts within seconds, the inbox, and where Enter leads.

Given the 对公一组 team on Monday 2026-11-23 at 08:30 (clock frozen): manager 王芳 (wangfang)
owns 小张便利店 (C001) and has taken a fee complaint of it; 陈主管 (chenzg) supervises her.
When a job writes a notification for 王芳 while her workbench is open (at 80×24), then a toast
shows it within the poll interval, the inbox (F7) lists it unread, and Enter opens what it is
about and marks it read in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from conftest import Factory, settled, toasts
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import select
from textual.command import Command, CommandList, CommandPalette
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Label, Static

from cmworkbench import clock
from cmworkbench.app import WorkbenchApp, make_app, notices
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer, Notification, Staff, VisitPlanItem
from cmworkbench.i18n import label, t
from cmworkbench.jobs.leader import Leader
from cmworkbench.screens.complaints import ComplaintsScreen
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.help import HelpScreen
from cmworkbench.screens.inbox import UNREAD_MARK, InboxScreen
from cmworkbench.screens.today import TodayScreen
from cmworkbench.screens.visits import VisitsScreen
from cmworkbench.services.workbench import Workbench, login
from cmworkbench.widgets.complaint_table import ComplaintTable
from cmworkbench.widgets.visit_table import VisitTable

SIZE = (80, 24)
TICKET = "T202611230001"
POLL = 0.1
"""The poll interval in these tests (the real one is :data:`notices.POLL_SECONDS`)."""


@pytest.fixture(autouse=True)
def fast_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notices, "POLL_SECONDS", POLL)


@pytest.fixture
def wang(
    frozen_clock: object,
    engine: Engine,
    settings: Settings,
    build: Callable[[], AbstractContextManager[Factory]],
) -> Workbench:
    """王芳's session; her complaint ticket is taken at 08:30."""
    with build() as f:
        f.customer(f.wang_and_her_supervisor(), "C001", "小张便利店", cls="C")
    bench = login(engine, settings, "wangfang")
    assert bench.complaints.open("C001", "fee", "月租费扣费有误") == TICKET
    return bench


def notify(
    engine: Engine, title: str, object_type: str | None = None, object_id: int | None = None
) -> int:
    """A job tells 王芳 something: one notification row; returns its id."""
    with unit_of_work(engine) as session:
        recipient = session.execute(text("SELECT id FROM staff WHERE login = 'wangfang'"))
        row = Notification(
            recipient_id=recipient.scalar_one(),
            kind="task_due" if object_type == "task" else "reminder",
            title=title,
            object_type=object_type,
            object_id=object_id,
            idem_key=f"test:{title}",
            created_at=clock.now(),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def read_at(engine: Engine) -> dict[str, Any]:
    """Title → read_at of 王芳's notifications in the database."""
    query = text(
        "SELECT title, read_at FROM notification JOIN staff ON staff.id = recipient_id"
        " WHERE login = 'wangfang'"
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {title: at for title, at in rows}


async def until(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Let the app run (its poll timer fires meanwhile) until ``condition`` holds."""
    for _ in range(int(seconds / POLL)):
        if condition():
            return
        await pilot.pause(POLL)
    raise AssertionError("not within the time allowed")


async def started(pilot: Pilot[Any]) -> WorkbenchApp:
    """The app has painted and its first poll has recorded where to start."""
    app = pilot.app
    assert isinstance(app, WorkbenchApp)
    await until(pilot, lambda: app.last_notice_id is not None)
    await settled(pilot)
    return app


async def inbox(pilot: Pilot[Any]) -> InboxScreen:
    await pilot.press("f7")
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def rows(screen: InboxScreen) -> list[tuple[str, str]]:
    """(mark, title) of each row, top to bottom, as shown."""
    table = screen.query_one(DataTable)
    return [(str(r[0]), str(r[3])) for r in (table.get_row_at(n) for n in range(table.row_count))]


# -- toasts -------------------------------------------------------------------------------


async def test_a_breach_swept_while_the_app_runs_is_toasted_listed_and_opened(
    wang: Workbench, engine: Engine
) -> None:
    app = make_app(wang)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await started(pilot)
        assert toasts(messages) == []  # nothing yet
        clock.freeze("2026-11-23T15:00")  # the first response was due at 14:00
        assert wang.complaints.sweep().breached == 1
        with engine.connect() as conn:
            query = text("SELECT title FROM notification WHERE kind = 'sla_breach'")
            breach = conn.execute(query).scalar_one()
        await until(pilot, lambda: any(breach in text for _, text in toasts(messages)))
        kinds = [title for title, text in toasts(messages) if breach in text]
        assert kinds == [label("notification_kind", "sla_breach")]

        screen = await inbox(pilot)
        assert rows(screen)[0] == (UNREAD_MARK, breach)  # newest first, unread
        status = str(screen.query_one("#inbox-status", Label).content)
        assert t("tui.inbox.unread", n=len(read_at(engine))) in status
        detail = str(screen.query_one("#inbox-detail", Static).content)
        assert t("tui.inbox.opens.complaint", ticket=TICKET) in detail
        assert screen.query_one("#inbox-detail").region.bottom <= SIZE[1] - 1

        await pilot.press("enter")
        await settled(pilot)
        assert app.current_mode == "complaints"
        assert isinstance(app.screen, ComplaintsScreen)
        table = app.screen.query_one(ComplaintTable)
        assert table.current is not None and table.current.ticket_no == TICKET
    marks = read_at(engine)
    assert marks.pop(breach) is not None  # opened: read
    assert all(at is None for at in marks.values())  # the warnings are still unread


async def test_a_reminder_sent_by_the_scheduler_job_shows_as_a_toast_and_in_the_inbox(
    wang: Workbench, engine: Engine, settings: Settings
) -> None:
    clock.freeze("2026-11-23T09:40")
    wang.tasks.add("C001", clock.parse_instant("2026-11-23T10:00"), "回电确认退费")
    leader = Leader(engine, settings, holder="test", synchronous=True)
    app = make_app(wang)
    messages: list[Message] = []
    try:
        async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
            await started(pilot)
            clock.freeze("2026-11-23T09:45")  # 15 minutes before the call-back
            assert leader.tick()
            leader.run_pending()  # the reminders job of 09:45, as the leading process runs it
            expected = "10:00"
            await until(pilot, lambda: any(expected in text for _, text in toasts(messages)))
            kinds = [title for title, text in toasts(messages) if expected in text]
            assert kinds == [label("notification_kind", "task_reminder")]
            screen = await inbox(pilot)
            mark, title = rows(screen)[0]
            assert mark == UNREAD_MARK and "回电确认退费" in title and expected in title
    finally:
        leader.stop()
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT slot, outcome FROM job_run WHERE job_id = 'reminders'"))
        assert runs.all() == [("2026-11-23T09:45:00", "done")]


async def test_the_first_poll_tells_how_many_are_unread_and_replays_none(
    wang: Workbench, engine: Engine
) -> None:
    notify(engine, "昨晚的提醒一")
    notify(engine, "昨晚的提醒二")
    app = make_app(wang)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await started(pilot)
        await pilot.pause(3 * POLL)  # a few more polls
        summary = t("tui.notices.unread_at_start", n=2, shortcut="F7")
        assert toasts(messages) == [(t("tui.notices.title"), summary)]
        notify(engine, "新的提醒")
        await until(pilot, lambda: len(toasts(messages)) == 2)
        assert toasts(messages)[1][1] == "新的提醒"


async def test_a_burst_shows_the_newest_and_a_count(wang: Workbench, engine: Engine) -> None:
    app = make_app(wang)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await started(pilot)
        for n in range(6):
            notify(engine, f"提醒{n}")
        await until(pilot, lambda: len(toasts(messages)) >= notices.TOASTS_AT_ONCE)
        await settled(pilot)
        shown = [text for _, text in toasts(messages)]
        assert shown == ["提醒4", "提醒5", t("tui.notices.more", n=4, shortcut="F7")]


async def test_nothing_is_toasted_on_the_blanked_screen(wang: Workbench, engine: Engine) -> None:
    app = make_app(wang)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        before = (await started(pilot)).last_notice_id
        await pilot.press("ctrl+b")
        new = notify(engine, "客户 C001 的提醒")
        await until(pilot, lambda: app.last_notice_id == new)
        assert before != new and toasts(messages) == []
        assert app.unread_notices == 1  # the inbox keeps it


async def test_a_database_error_while_polling_is_logged_not_shown(
    wang: Workbench, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def locked(after_id: int) -> list[Any]:
        calls.append(after_id)
        raise OperationalError("SELECT …", {}, Exception("database is locked"))

    app = make_app(wang)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await started(pilot)
        monkeypatch.setattr(wang.notifications, "since", locked)
        await until(pilot, lambda: len(calls) >= 2)  # polled again after the failure
        assert app.is_running and toasts(messages) == []
        monkeypatch.undo()
        notify(engine, "恢复后的提醒")
        await until(pilot, lambda: any(text == "恢复后的提醒" for _, text in toasts(messages)))


# -- the inbox ------------------------------------------------------------------------------


async def test_r_marks_all_read_and_u_shows_unread_only(wang: Workbench, engine: Engine) -> None:
    notify(engine, "提醒一")
    notify(engine, "提醒二")
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await inbox(pilot)
        assert rows(screen) == [(UNREAD_MARK, "提醒二"), (UNREAD_MARK, "提醒一")]
        await pilot.press("enter")  # about nothing in particular: only marked read
        await settled(pilot)
        assert app.screen is screen
        assert rows(screen) == [("", "提醒二"), (UNREAD_MARK, "提醒一")]
        await pilot.press("u")
        await settled(pilot)
        assert rows(screen) == [(UNREAD_MARK, "提醒一")]
        await pilot.press("r")
        await settled(pilot)
        assert rows(screen) == []
        assert t("tui.inbox.unread", n=0) in str(screen.query_one("#inbox-status", Label).content)
        assert app.unread_notices == 0
        await pilot.press("escape")
        assert isinstance(app.screen, TodayScreen)
    assert all(at is not None for at in read_at(engine).values())


async def test_a_task_notice_opens_the_customer_and_esc_comes_back(
    wang: Workbench, engine: Engine
) -> None:
    task = wang.tasks.add("C001", clock.now() + timedelta(hours=2), "回电确认退费")
    notify(engine, "任务到期：小张便利店", "task", task)
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await inbox(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        await pilot.press("escape")
        await settled(pilot)
        assert app.screen is screen
        assert rows(screen) == [("", "任务到期：小张便利店")]
    assert read_at(engine)["任务到期：小张便利店"] is not None


async def test_a_visit_notice_opens_the_week_of_the_visit(
    wang: Workbench, engine: Engine, build: Callable[[], AbstractContextManager[Factory]]
) -> None:
    with build() as f:
        owner = f.session.exec(select(Staff).where(Staff.login == "wangfang")).one()
        shop = f.session.exec(select(Customer).where(Customer.customer_no == "C001")).one()
        plan = f.visit_plan(owner, "2026-W49")  # next week
        assert plan.id is not None and shop.id is not None
        start = clock.parse_instant("2026-12-01T10:00")
        item = f._add(
            VisitPlanItem(
                plan_id=plan.id,
                customer_id=shop.id,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                purpose="relationship",
            )
        )
    item_id = item.id
    assert item_id is not None
    notify(engine, "明天拜访小张便利店", "visit", item_id)
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await inbox(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert app.current_mode == "visits"
        screen = app.screen
        assert isinstance(screen, VisitsScreen)
        assert screen.week == "2026-W49"  # not this week's plan: the visit's
        current = screen.query_one(VisitTable).current
        assert current is not None and current.id == item_id


async def test_the_inbox_key_is_in_the_help_and_the_palette(wang: Workbench, language: str) -> None:
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        shown = [str(label.content) for label in app.screen.query(Label)]
        assert "F7 / ^N" in shown and t("tui.key.inbox") in shown
        await pilot.press("escape", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await settled(pilot)
        commands = app.screen.query_one(CommandList)
        titles = {str(o.hit.text) for o in commands.options if isinstance(o, Command)}
        assert t("tui.key.inbox.tip") in titles
        await pilot.press("escape", "ctrl+n")
        await settled(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert t("tui.inbox.empty") in str(app.screen.query_one("#inbox-status", Label).content)
