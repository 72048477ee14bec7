"""The pipeline on screen (issue 27): a stage move into the solution step and the proposal's
round trip with the supervisor, all with keystrokes; the opportunities on the 360 view.

Given 对公一组 on Monday 2026-11-23 at 08:30 (clock frozen): the manager 王芳 (wangfang), whose
loan opportunity with 远宇集团 (C1, 800万) stands at 风险评估价值评估 and whose deposit one with
北辰物流 (C2, 300万) was just opened, and her supervisor 陈主管 (chenzg). 王芳 opens the pipeline
(``6``): every step with its count and value. She moves 远宇集团 on (``m``), typing the proposal's
cost 100万 and expected return 120万: 1:1.2 is below 1:1.5, so it stays at 方案设计与展示,
waiting. 陈主管 sees it on Today and on top of his pipeline, and returns it with a comment
(``b``). 王芳 finds the comment on her Today, sends a revised proposal (``m`` on the returned
one: 100万 / 130万), 陈主管 approves it from Today (``a``), and 王芳 moves it on to 促成成交 (no
figures asked this time).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from itertools import pairwise
from typing import Any

import pytest
from conftest import Factory, notifications, settled, table_rows
from sqlalchemy import Engine, text
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, TabbedContent

from cmworkbench import clock
from cmworkbench.app import make_app
from cmworkbench.config import Settings
from cmworkbench.i18n import label, t
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.dialogs.opportunity import (
    MoveDialog,
    NewOpportunityDialog,
    ProposeDialog,
    ReturnProposalDialog,
)
from cmworkbench.screens.help import HelpScreen
from cmworkbench.screens.opportunity import OpportunityScreen, short_yuan
from cmworkbench.screens.pipeline import PipelineScreen, PipelineTable
from cmworkbench.screens.today import TodayScreen
from cmworkbench.services.workbench import login
from cmworkbench.widgets.customer_sections import SECTIONS
from cmworkbench.widgets.task_table import TaskTable

SIZE = (100, 30)
COMMENT = "收益率太低 请重新测算"
Build = Callable[[], AbstractContextManager[Factory]]


@pytest.fixture
def branch(frozen_clock: object, engine: Engine, settings: Settings, build: Build) -> int:
    """The team, and 王芳's two opportunities; the id of 远宇集团's (at 风险评估价值评估)."""
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.customer(wang, "C1", "远宇集团", cls="A1")
        f.customer(wang, "C2", "北辰物流")
    wang_bench = login(engine, settings, "wangfang")
    loan = wang_bench.opportunities.new(
        customer_no="C1",
        product="loan",
        need="流动资金贷款",
        value="800万",
        expected_close="2026-12-31",
        next_step="约见财务总监",
        next_due="11-26 10:00",
    )
    for _ in range(4):
        wang_bench.opportunities.move(loan.id)
    wang_bench.opportunities.new(
        customer_no="C2", product="deposit", need="协定存款", value="300万", expected_close="12-31"
    )
    return loan.id


def stored(engine: Engine, opportunity_id: int) -> tuple[Any, ...]:
    """(stage, proposal, cost, return, comment) of the opportunity in the database."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT stage, proposal, cost_yuan, return_yuan, proposal_comment"
                " FROM opportunity WHERE id = :id"
            ),
            {"id": opportunity_id},
        ).one()
    return tuple(row)


def shown(pilot: Pilot[Any]) -> list[list[str]]:
    """The pipeline's rows as text, cells stripped."""
    table = pilot.app.screen.query_one(PipelineTable)
    return [[cell.strip() for cell in row] for row in table_rows(table)]


def line(pilot: Pilot[Any], name: str) -> str:
    return str(pilot.app.screen.query_one(f"#{name}", Label).content)


def stage(settings: Settings, key: str) -> str:
    return label("opportunity_stage", key)


async def type_in(pilot: Pilot[Any], *parts: str) -> None:
    """Press each named key as it is, and type ``text:…`` one character at a time."""
    for part in parts:
        keys = list(part[5:]) if part.startswith("text:") else [part]
        for key in keys:
            await pilot.press(key)
    await settled(pilot)


async def open_pipeline(pilot: Pilot[Any]) -> PipelineScreen:
    await settled(pilot)
    await pilot.press("6")
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PipelineScreen)
    return screen


async def test_a_stage_move_and_the_proposal_round_trip(
    branch: int, engine: Engine, settings: Settings, language: str
) -> None:
    loan = branch
    messages: list[Message] = []
    # -- 王芳 moves the loan into the solution step: 1:1.2 waits for the supervisor ----------
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_pipeline(pilot)
        assert line(pilot, "pipeline-status") == t(
            "tui.pipeline.status", n=2, value=short_yuan(11_000_000)
        )
        rows = shown(pilot)
        headings = [r[:3] for r in rows if r[1] == t("tui.pipeline.count", n=1)]
        assert headings == [
            [stage(settings, "select"), t("tui.pipeline.count", n=1), short_yuan(3_000_000)],
            [stage(settings, "assess"), t("tui.pipeline.count", n=1), short_yuan(8_000_000)],
        ]
        assert [stage(settings, "prepare"), t("tui.pipeline.count", n=0), ""] in [
            r[:3] for r in rows
        ]
        # the cursor starts on the first opportunity (北辰物流) and skips the headings
        assert screen.table.current is not None and screen.table.current.name == "北辰物流"
        await pilot.press("down")
        assert screen.table.current is not None and screen.table.current.id == loan

        await pilot.press("m")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, MoveDialog)
        assert dialog.focused is dialog.query_one("#field-cost", Input)
        await type_in(pilot, "text:100万", "tab", "text:120万")
        ratio = str(dialog.query_one("#proposal-ratio", Label).content)
        assert ratio == t("tui.opportunity.ratio_waits", ratio="1:1.20", min="1:1.5")
        await type_in(pilot, "enter")

        assert app.screen is screen
        said = t(
            "tui.opportunity.moved_waiting",
            stage=stage(settings, "solution"),
            ratio="1:1.20",
            min="1:1.5",
        )
        assert line(pilot, "pipeline-said") == said
        assert (said, "information") in notifications(messages)
        current = screen.table.current
        assert current is not None and (current.id, current.stage) == (loan, "solution")
        row = next(r for r in shown(pilot) if r[0] == "远宇集团")
        assert f"{t('tui.pipeline.proposal.waiting')} 1:1.20" in row
    assert stored(engine, loan) == ("solution", "waiting", 1_000_000, 1_200_000, None)

    # -- 陈主管 sees it on Today and on his pipeline, and returns it with a comment ---------
    clock.freeze("2026-11-23T09:10")
    boss = make_app(login(engine, settings, "chenzg"))
    async with boss.run_test(size=SIZE) as pilot:
        await settled(pilot)
        today = boss.screen
        assert isinstance(today, TodayScreen)
        first = today.query_one(TaskTable).rows_shown[0]
        assert (first.kind, first.ref, first.customer_name) == (
            "proposal_waiting",
            str(loan),
            "远宇集团",
        )
        assert line(pilot, "today-keys") == t("tui.today.lead_keys.proposal")
        screen = await open_pipeline(pilot)
        rows = shown(pilot)
        assert rows[0][:3] == [
            t("tui.pipeline.waiting"),
            t("tui.pipeline.count", n=1),
            short_yuan(8_000_000),
        ]
        assert rows[1][0] == "远宇集团" and "王芳" in rows[1]
        assert screen.table.cursor_row == 1
        await pilot.press("b")
        await settled(pilot)
        assert isinstance(boss.screen, ReturnProposalDialog)
        await type_in(pilot, f"text:{COMMENT}", "enter")
        assert boss.screen is screen
        said = t("tui.opportunity.returned", name="王芳", customer="远宇集团")
        assert line(pilot, "pipeline-said") == said
        assert t("tui.pipeline.waiting") not in [r[0] for r in shown(pilot)]
    assert stored(engine, loan) == ("solution", "returned", 1_000_000, 1_200_000, COMMENT)

    # -- 王芳 reads the comment on Today and sends a revised proposal: 1:1.3 waits again ----
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        rows = app.screen.query_one(TaskTable).rows_shown
        assert [(r.kind, r.customer_name) for r in rows] == [("follow_up", "远宇集团")]
        assert COMMENT in (rows[0].task_reason or "")
        await pilot.press("enter")  # the follow-up opens the opportunity, not the customer
        await settled(pilot)
        assert isinstance(app.screen, OpportunityScreen)
        await pilot.press("escape")
        await settled(pilot)
        screen = await open_pipeline(pilot)
        await pilot.press("down", "m")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, ProposeDialog)
        assert COMMENT in str(dialog.query_one("#proposal-comment", Label).content)
        await type_in(pilot, "text:100万", "tab", "text:130万", "enter")
        said = t("tui.opportunity.proposed_waiting", ratio="1:1.30", min="1:1.5")
        assert line(pilot, "pipeline-said") == said
        assert app.screen is screen
    assert stored(engine, loan) == ("solution", "waiting", 1_000_000, 1_300_000, None)

    # -- 陈主管 approves it from Today: the row leaves --------------------------------------
    clock.freeze("2026-11-23T10:20")
    boss = make_app(login(engine, settings, "chenzg"))
    async with boss.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("enter")  # the proposal row opens the opportunity, its history
        await settled(pilot)
        opened = boss.screen
        assert isinstance(opened, OpportunityScreen) and opened.detail.can_decide
        actions = [r[2] for r in table_rows(opened.query_one("#opp-history", DataTable))]
        assert actions[-2:] == [label("opportunity_action", a) for a in ("return", "propose")]
        await pilot.press("escape")
        await settled(pilot)
        await pilot.press("a")
        await settled(pilot)
        assert isinstance(boss.screen, TodayScreen)
        kinds = [r.kind for r in boss.screen.query_one(TaskTable).rows_shown]
        assert "proposal_waiting" not in kinds
    assert stored(engine, loan)[:2] == ("solution", "approved")

    # -- 王芳 moves it on: no figures asked this time ---------------------------------------
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await open_pipeline(pilot)
        await pilot.press("down", "m")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, MoveDialog)
        assert not dialog.query_one("#field-cost", Input).display
        assert dialog.focused is dialog.query_one("#field-next_step", Input)
        await type_in(pilot, "text:送签合同", "enter")
        said = t("tui.opportunity.moved", name="远宇集团", stage=stage(settings, "close"))
        assert line(pilot, "pipeline-said") == said
    assert stored(engine, loan)[:2] == ("close", "approved")


def opportunities_of(engine: Engine, customer_no: str) -> list[tuple[Any, ...]]:
    """(product, need, value, stage, next step) of the customer's opportunities, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.product, o.need, o.value_yuan, o.stage, o.next_step FROM opportunity o"
                " JOIN customer c ON c.id = o.customer_id WHERE c.customer_no = :no ORDER BY o.id"
            ),
            {"no": customer_no},
        ).all()
    return [tuple(r) for r in rows]


async def open_360(pilot: Pilot[Any], query: str) -> Customer360Screen:
    await settled(pilot)
    await pilot.press("f3", *query)
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, Customer360Screen)
    return screen


def product_keys(settings: Settings, product: str) -> tuple[str, ...]:
    """On the product field: open it, move to ``product`` (below the blank prompt), take it."""
    return ("enter", *["down"] * (settings.referrals.products.index(product) + 1), "enter")


async def test_the_360_view_lists_the_customer_s_opportunities_and_b_opens_one(
    branch: int, engine: Engine, settings: Settings, language: str
) -> None:
    messages: list[Message] = []
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_360(pilot, "远宇集团")
        table = screen.query_one("#table-opportunities", DataTable)
        assert table_rows(table) == [
            [
                stage(settings, "assess"),
                label("product_kind", "loan"),
                short_yuan(8_000_000),
                label("opportunity_status", "open"),
                "",
                "11-26 10:00 约见财务总监",
            ]
        ]
        tabs = screen.query_one(TabbedContent)
        assert str(tabs.get_tab("tab-opportunities").label) == f"{t('tui.opportunity.tab')} 1"

        await pilot.press("b")
        await settled(pilot)
        assert isinstance(app.screen, NewOpportunityDialog)
        await type_in(
            pilot, *product_keys(settings, "card"), "tab", "text:代发工资", "tab",
            "text:50万", "tab", "text:12-31", "ctrl+s",
        )  # fmt: skip
        assert app.screen is screen
        said = t("tui.opportunity.created", name="远宇集团", stage=stage(settings, "select"))
        assert (said, "information") in notifications(messages)
        assert [r[0] for r in table_rows(table)] == [
            stage(settings, "select"),
            stage(settings, "assess"),
        ]

        # Enter on the opportunities tab opens the one under the cursor
        for _ in range(len(SECTIONS)):
            if tabs.active == "tab-opportunities":
                break
            await pilot.press("right_square_bracket")
        assert tabs.active == "tab-opportunities"
        table.focus()
        await pilot.press("down", "enter")
        await settled(pilot)
        opened = app.screen
        assert isinstance(opened, OpportunityScreen)
        assert opened.detail.opportunity.id == branch
        await pilot.press("escape")
        await settled(pilot)
        assert app.screen is screen
    assert opportunities_of(engine, "C1") == [
        ("loan", "流动资金贷款", 8_000_000, "assess", "约见财务总监"),
        ("card", "代发工资", 500_000, "select", None),
    ]


async def test_letters_in_the_value_are_marked_and_nothing_is_saved(
    branch: int, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await open_360(pilot, "北辰物流")
        await pilot.press("b")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewOpportunityDialog)
        await type_in(
            pilot, *product_keys(settings, "loan"), "tab", "text:设备贷款", "tab",
            "text:abc", "tab", "text:12-31", "ctrl+s",
        )  # fmt: skip
        assert app.screen is dialog, "the form stays open"
        assert dialog.query_one("#label-value", Label).has_class("-invalid")
        assert dialog.query_one("#field-value", Input).has_class("-invalid")
        assert not dialog.query_one("#label-need", Label).has_class("-invalid")
        error = str(dialog.query_one("#form-error", Label).content)
        assert t("input.bad_yuan", value="abc") in error
        assert dialog.query_one("#field-need", Input).value == "设备贷款"
        assert dialog.query_one("#field-value", Input).value == "abc"
    assert opportunities_of(engine, "C2") == [("deposit", "协定存款", 3_000_000, "select", None)]


async def test_an_opportunity_opens_with_its_history_and_lost_asks_why(
    branch: int, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        pipeline = await open_pipeline(pilot)
        await pilot.press("enter")  # 北辰物流's, under the cursor
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, OpportunityScreen)
        summary = str(screen.query_one("#opp-summary", Label).content)
        assert "北辰物流" in summary and "协定存款" in summary
        history = table_rows(screen.query_one("#opp-history", DataTable))
        assert [r[2] for r in history] == [label("opportunity_action", "new")]

        await pilot.press("l")
        await settled(pilot)
        await pilot.press("ctrl+s")  # no reason: refused, marked
        await settled(pilot)
        dialog = app.screen
        assert dialog.query_one("#label-reason", Label).has_class("-invalid")
        await type_in(pilot, "text:客户选了他行", "enter")
        assert app.screen is screen
        assert str(screen.query_one("#opp-said", Label).content) == t(
            "tui.opportunity.lost", name="北辰物流"
        )
        history = table_rows(screen.query_one("#opp-history", DataTable))
        assert history[-1][2:] == [
            label("opportunity_action", "lost"),
            stage(settings, "select"),
            "客户选了他行",
        ]

        await pilot.press("m")  # closed: it says so, no form opens
        await settled(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settled(pilot)
        assert app.screen is pipeline
        assert "北辰物流" not in [r[0] for r in shown(pilot)]
    with engine.connect() as conn:
        status, reason = conn.execute(
            text("SELECT status, close_reason FROM opportunity WHERE product = 'deposit'")
        ).one()
    assert (status, reason) == ("lost", "客户选了他行")


async def test_help_lists_the_pipeline_keys(
    branch: int, engine: Engine, settings: Settings, language: str
) -> None:
    app = make_app(login(engine, settings, "chenzg"))
    async with app.run_test(size=SIZE) as pilot:
        await open_pipeline(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        labels = [str(x.content) for x in app.screen.query(Label)]
        for name in ("move", "propose", "next_step", "won", "lost", "approve", "return"):
            assert t(f"tui.key.pipeline_{name}") in labels, name
            assert t(f"tui.key.pipeline_{name}.tip") in labels, name
        assert ("F10 / 6", t("tui.key.pipeline")) in pairwise(labels)
