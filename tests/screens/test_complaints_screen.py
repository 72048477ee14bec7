"""The Complaints screen: take a complaint, move it through its life with one key a step,
see it breach and escalate, close it, and never overwrite a colleague's change.

Given the 对公一组 team on Monday 2026-11-23 at 08:30 (clock frozen): manager 王芳 (wangfang)
owns 小张便利店 (C001, class C) and 钱江物流 (C002, B1); 陈主管 (chenzg) supervises the team.
When they work the Complaints screen at 80×24 with keystrokes only, then the screen shows each
ticket's status, deadline and timeline, and the database holds every step.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from conftest import Factory, notifications, settled
from sqlalchemy import Engine, text
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, Static

from cmworkbench import clock
from cmworkbench.app import WorkbenchApp, make_app
from cmworkbench.config import Settings
from cmworkbench.i18n import label, t
from cmworkbench.screens.complaints import ComplaintsScreen
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.dialogs.complaint_action import ComplaintActionDialog
from cmworkbench.screens.dialogs.new_complaint import DRAFT_DELAY, NewComplaintDialog
from cmworkbench.services.complaints.schemas import Change
from cmworkbench.services.workbench import Workbench, login
from cmworkbench.widgets.complaint_detail import ComplaintDetailPanel
from cmworkbench.widgets.complaint_table import ComplaintTable

SIZE = (80, 24)

TICKET = "T202611230001"
"""The first ticket of Monday 2026-11-23."""


@pytest.fixture
def team(frozen_clock: object, build: Callable[[], AbstractContextManager[Factory]]) -> None:
    """王芳 with two customers, and her supervisor 陈主管."""
    with build() as f:
        wang = f.wang_and_her_supervisor()
        f.customer(wang, "C001", "小张便利店", cls="C")
        f.customer(wang, "C002", "钱江物流", cls="B1")


@pytest.fixture
def wang(team: None, engine: Engine, settings: Settings) -> Workbench:
    """The manager's session."""
    return login(engine, settings, "wangfang")


@pytest.fixture
def boss(team: None, engine: Engine, settings: Settings) -> Workbench:
    """The supervisor's session."""
    return login(engine, settings, "chenzg")


@pytest.fixture
def ticket(wang: Workbench) -> str:
    """A fee complaint of 小张便利店, taken by 王芳 at 08:30."""
    return wang.complaints.open("C001", "fee", "月租费扣费有误")


async def complaints(pilot: Pilot[Any]) -> ComplaintsScreen:
    """Switch to Complaints (key 4) and wait for the list and the highlighted ticket."""
    await pilot.press("4")
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ComplaintsScreen)
    return screen


def cells(app: WorkbenchApp, row: int) -> dict[str, str]:
    """Column → text of one row of the table, as shown."""
    table = app.screen.query_one(ComplaintTable)
    keys = [str(column.key.value) for column in table.ordered_columns]
    return dict(zip(keys, (str(cell) for cell in table.get_row_at(row)), strict=True))


def listed(app: WorkbenchApp) -> list[tuple[str, str]]:
    """(ticket, status) of each row, top to bottom, as the table shows them."""
    table = app.screen.query_one(ComplaintTable)
    rows = [cells(app, n) for n in range(table.row_count)]
    return [(row["ticket"], row["status"]) for row in rows]


def detail_text(app: WorkbenchApp) -> str:
    """What the detail pane shows."""
    return app.screen.query_one(ComplaintDetailPanel).text


def timeline(app: WorkbenchApp) -> str:
    """The timeline part of the detail pane."""
    return detail_text(app).split(t("tui.ticket.timeline"), 1)[1]


def stored(engine: Engine, ticket: str = TICKET) -> Any:
    """The ticket's row in the database."""
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT * FROM complaint WHERE ticket_no = :ticket"), {"ticket": ticket}
        ).one()


async def step(pilot: Pilot[Any], key: str, *typed: str) -> None:
    """Press a step key, type into the dialog's fields (Tab between them), save with Enter."""
    await pilot.press(key)
    assert isinstance(pilot.app.screen, ComplaintActionDialog)
    for index, value in enumerate(typed):
        if index:
            await pilot.press("tab")
        await pilot.press(*value)
    await pilot.press("enter")
    await settled(pilot)
    assert isinstance(pilot.app.screen, ComplaintsScreen)


async def choose(pilot: Pilot[Any], select: str, option: int) -> None:
    """Open the focused select with Enter and take option ``option`` (0 = the prompt)."""
    assert pilot.app.focused is pilot.app.screen.query_one(select, Select)
    await pilot.press("enter", *(["down"] * option), "enter")


# -- taking a complaint ------------------------------------------------------------------


async def test_take_a_complaint_from_the_360_view(wang: Workbench, engine: Engine) -> None:
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", *"小张")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        await pilot.press("p", *"多扣十元", "tab")
        assert isinstance(app.screen, NewComplaintDialog)
        await choose(pilot, "#field-category", 1)  # 资费类
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        await pilot.press("escape", "escape", "4")  # out of the 360 view and the search
        await settled(pilot)
        assert listed(app) == [(TICKET, t("tui.ticket.status.received"))]
    row = stored(engine)
    assert (row.category, row.description, row.channel, row.kind, row.status) == (
        "fee",
        "多扣十元",
        "phone",
        "normal",
        "received",
    )


async def test_take_a_complaint_from_a_blank_form_with_the_customer_search(
    wang: Workbench, engine: Engine
) -> None:
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await complaints(pilot)
        assert detail_text(app) == t("tui.ticket.empty")
        await pilot.press("n", *"qjwl")  # the initials of 钱江物流 (Qian Jiang Wu Liu)
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewComplaintDialog)
        assert [hit.customer_no for hit in dialog.hits] == ["C002"]
        await pilot.press("enter")  # takes the highlighted customer, goes on to the description
        assert dialog.customer_no == "C002"
        assert dialog.query_one("#field-description", Input).has_focus
        await pilot.press(*"装机未到", "tab")
        await choose(pilot, "#field-category", 2)  # 服务类
        await pilot.press("tab")
        await choose(pilot, "#field-severity", 1)  # 重大
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        assert listed(app) == [(TICKET, t("tui.ticket.status.received"))]
        assert "钱江物流" in detail_text(app)
        assert "装机未到" in detail_text(app)
    row = stored(engine)
    assert (row.category, row.severity, row.description, row.status) == (
        "service",
        "major",
        "装机未到",
        "received",
    )


async def test_tab_in_the_customer_search_takes_the_highlighted_hit_and_moves_on(
    wang: Workbench,
) -> None:
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await complaints(pilot)
        await pilot.press("n", *"qjwl")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewComplaintDialog)
        await pilot.press("tab")  # as a typist goes on to the next field: the hit is taken
        assert dialog.customer_no == "C002"
        assert dialog.query_one("#field-description", Input).has_focus
        await pilot.press("tab")  # elsewhere Tab is the next field, as everywhere
        assert dialog.query_one("#field-category", Select).has_focus


async def test_a_complaint_being_typed_survives_a_dropped_session(
    wang: Workbench, engine: Engine
) -> None:
    async def open_360_complaint(pilot: Pilot[Any]) -> NewComplaintDialog:
        await pilot.press("f3", *"小张")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("p")
        await settled(pilot)
        assert isinstance(pilot.app.screen, NewComplaintDialog)
        return pilot.app.screen

    first = make_app(wang)
    async with first.run_test(size=SIZE) as pilot:
        await open_360_complaint(pilot)
        await pilot.press(*"客户说多扣")
        await pilot.pause(DRAFT_DELAY + 0.2)  # the draft is written once typing pauses
        await settled(pilot)
    # the connection dropped: the process ended with the dialog open, nothing saved
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint")).scalar_one() == 0
    again = make_app(wang)
    async with again.run_test(size=SIZE) as pilot:
        dialog = await open_360_complaint(pilot)
        assert dialog.query_one("#field-description", Input).value == "客户说多扣"
        await pilot.press("tab")
        await choose(pilot, "#field-category", 1)
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(again.screen, Customer360Screen)
    assert stored(engine).description == "客户说多扣"
    with engine.connect() as conn:  # saved for real: the draft is gone
        assert conn.execute(text("SELECT count(*) FROM app_state")).scalar_one() == 0


async def test_the_blank_form_needs_a_customer_picked(wang: Workbench, engine: Engine) -> None:
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await complaints(pilot)
        await pilot.press("n", *"无此")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewComplaintDialog)
        assert dialog.hits == []
        await pilot.press("ctrl+s")
        await settled(pilot)
        error = str(dialog.query_one("#form-error", Label).content)
        assert error == t("tui.ticket.pick_customer")
        assert dialog.query_one("#label-customer").has_class("-invalid")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint")).scalar() == 0


# -- the lifecycle with the keys ---------------------------------------------------------


async def test_one_ticket_through_every_state_with_the_keys(
    wang: Workbench, ticket: str, engine: Engine
) -> None:
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await complaints(pilot)
        assert listed(app) == [(ticket, t("tui.ticket.status.received"))]
        table = app.screen.query_one(ComplaintTable)
        assert table.virtual_size.width <= table.region.width  # no sideways scrolling
        steps = [
            ("r", ("2",), "in_progress", "respond"),
            ("w", ("等账单",), "waiting_customer", "wait_customer"),
            ("g", (), "in_progress", "resume"),
            ("b", ("计费", "+2 17:00"), "waiting_backoffice", "hand_off"),
            ("g", (), "in_progress", "resume"),
            ("s", ("已退费",), "resolved", "resolve"),
            ("j", ("要书面",), "in_progress", "solution_rejected"),
            ("s", ("已寄",), "resolved", "resolve"),
            ("k", ("认可", "5"), "return_call_done", "return_call"),
        ]
        for key, typed, status, action in steps:
            await step(pilot, key, *typed)
            assert listed(app) == [(ticket, t(f"tui.ticket.status.{status}"))], action
            assert stored(engine).status == status, action
            assert label("complaint_action", action) in timeline(app), action
            assert label("complaint_status", status) in detail_text(app).splitlines()[0]
            if status == "waiting_customer":
                assert cells(app, 0)["left"] == t("tui.ticket.paused")
            if status == "waiting_backoffice":  # "+2 17:00": Wednesday 17:00 at the branch
                assert str(stored(engine).backoffice_due).startswith("2026-11-25 09:00")
                due = t("tui.ticket.due_at", at="11-25 17:00")
                assert f"计费 · {due}" in detail_text(app)
    row = stored(engine)
    assert (row.triage, row.resolution, row.return_call_result, row.satisfaction) == (
        "shortly",
        "已寄",
        "认可",
        5,
    )
    assert row.backoffice_to == "计费"
    assert row.owner_id == row.received_by_id  # the owner stays (首问负责)
    with engine.connect() as conn:
        actions = conn.execute(
            text("SELECT action FROM complaint_event WHERE staff_id IS NOT NULL ORDER BY id")
        ).scalars()
        assert [a for a in actions if a != "inform_supervisor"] == [
            "receive",
            "respond",
            "wait_customer",
            "resume",
            "hand_off",
            "resume",
            "resolve",
            "solution_rejected",
            "resolve",
            "return_call",
        ]


async def test_a_key_that_does_not_apply_says_why_and_opens_nothing(
    wang: Workbench, ticket: str, engine: Engine
) -> None:
    app = make_app(wang)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await complaints(pilot)
        await pilot.press("k")  # a return call before the ticket is resolved
        await settled(pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        expected = t(
            "complaint.not_now",
            ticket=ticket,
            action=label("complaint_action", "return_call"),
            status=label("complaint_status", "received"),
        )
        assert (expected, "warning") in notifications(messages)
    assert stored(engine).status == "received"


# -- deadlines, escalation, closing ------------------------------------------------------


async def test_a_breach_escalates_to_the_supervisor(
    wang: Workbench, boss: Workbench, ticket: str
) -> None:
    clock.freeze("2026-11-23T15:00")  # the first response was due at 14:00
    wang.complaints.sweep()
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        screen = await complaints(pilot)
        assert screen.team  # a supervisor starts on the team's tickets
        row = cells(app, 0)
        assert row["ticket"] == ticket
        assert row["left"] == "-1h00m*"  # an hour of business time past
        assert row["breached"] == "!"
        assert row["owner"] == "王芳"  # in the team view
        assert label("complaint_action", "escalate") in timeline(app)
        assert "陈主管" in timeline(app)  # whom the escalation went to
        notices = str(app.screen.query_one("#complaints-notices", Static).content)
        assert ticket in notices and "王芳" in notices
        await pilot.press("t")  # his own tickets: none
        await settled(pilot)
        assert listed(app) == []


async def test_the_supervisor_closes_from_the_list_in_two_keys(
    wang: Workbench, boss: Workbench, ticket: str, engine: Engine
) -> None:
    wang.complaints.act(ticket, Change("resolve", resolution="已退费"))
    wang.complaints.act(ticket, Change("return_call", result="客户认可", satisfaction=4))
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await complaints(pilot)
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ComplaintActionDialog)
        assert dialog.query_one("#field-satisfaction", Input).value == "4"  # from the call
        await pilot.press("enter")
        await settled(pilot)
        assert listed(app) == []  # closed tickets are not listed …
        await pilot.press("h")  # … unless asked for
        await settled(pilot)
        assert listed(app) == [(ticket, t("tui.ticket.status.closed"))]
        assert "陈主管" in detail_text(app)
    row = stored(engine)
    assert (row.status, row.satisfaction, row.closed_at is not None) == ("closed", 4, True)


async def test_a_manager_cannot_close(wang: Workbench, ticket: str, engine: Engine) -> None:
    wang.complaints.act(ticket, Change("resolve", resolution="已退费"))
    wang.complaints.act(ticket, Change("return_call", result="客户认可", satisfaction=5))
    version = stored(engine).version
    app = make_app(wang)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await complaints(pilot)
        await pilot.press("x")
        await settled(pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        refused = t("complaint.close_role", roles=label("role", "supervisor"))
        assert (refused, "warning") in notifications(messages)
        await pilot.press("t")  # and no team view for a manager
        assert (t("tui.ticket.team_refused"), "warning") in notifications(messages)
    row = stored(engine)
    assert (row.status, row.version, row.closed_at) == ("return_call_done", version, None)


async def test_a_change_made_meanwhile_keeps_the_input_and_saves_nothing(
    wang: Workbench, boss: Workbench, ticket: str, engine: Engine
) -> None:
    app = make_app(wang)
    async with app.run_test(size=SIZE) as pilot:
        await complaints(pilot)
        await pilot.press("s", *"已退费")
        dialog = app.screen
        assert isinstance(dialog, ComplaintActionDialog)
        boss.complaints.act(ticket, Change("note", note="请今天内回复客户"))  # another session
        await pilot.press("enter")
        await settled(pilot)
        assert app.screen is dialog  # still open
        error = str(dialog.query_one("#form-error", Label).content)
        assert "陈主管" in error
        assert dialog.query_one("#field-resolution", Input).value == "已退费"
        await pilot.press("escape")
        await settled(pilot)
        assert "请今天内回复客户" in timeline(app)  # the list shows the ticket as it is now
    row = stored(engine)
    assert (row.status, row.resolution) == ("received", None)


# -- the screen at 80×24 -----------------------------------------------------------------


async def test_list_and_detail_fit_80_by_24(
    boss: Workbench, wang: Workbench, ticket: str, language: str
) -> None:
    wang.complaints.open("C002", "service", "装机延误，客户很生气" * 3, severity="major")
    app = make_app(boss)  # the team view: the owner column too
    async with app.run_test(size=SIZE) as pilot:
        await complaints(pilot)
        table = app.screen.query_one(ComplaintTable)
        panel = app.screen.query_one(ComplaintDetailPanel)
        assert table.row_count == 2
        assert table.region.height >= 4 and panel.region.height >= 6
        assert panel.region.bottom <= 23
        assert table.virtual_size.width <= table.region.width  # no sideways scrolling
        assert {cells(app, n)["customer"] for n in (0, 1)} == {"小张便利店", "钱江物流"}
        await pilot.press("enter")  # the ticket gets the whole screen
        assert not table.display
        assert panel.region.height >= 16
        await pilot.press("escape")
        assert table.display and table.has_focus
