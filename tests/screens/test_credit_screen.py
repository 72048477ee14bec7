"""Credit files on screen (issue 29): the manager's checklist and the risk manager's signature,
all with keystrokes.

Given 对公一组 on Monday 2026-11-23 at 08:30 (clock frozen): the manager 王芳 (wangfang), who
owns 远宇商贸 (C1), and the branch's risk manager 赵风控 (zhaofk). 王芳 opens 远宇商贸's 360
view, ``l`` lists its credit files (none), ``n`` makes one for a 100万 working-capital loan over
12 months. She checks the eight investigation items one after the other (``c``, the finding,
``Enter``: the cursor moves on to the next open item; a concern without a note is marked and
kept), types the figures (``f``: net assets are worked out) and adds a guarantor worth 150万
(``g``): the cover line says 50万 short, and ``s`` says why it cannot be submitted instead of
asking. A second guarantor (60万) covers the 200万 needed; ``s`` ``Enter`` submits it to the
risk manager. 赵风控's workbench is the queue: the file waits on it; ``Enter`` opens it, ``a``
``y`` signs it, and the database holds it approved.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from conftest import Factory, notifications, settled, table_rows
from sqlalchemy import Engine, text
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label

from cmworkbench.app import RiskApp, make_app
from cmworkbench.config import Settings
from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t
from cmworkbench.screens.credit import CreditFileScreen
from cmworkbench.screens.credit_lists import CreditFilesScreen, CreditQueueScreen
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.dialogs.credit import (
    CheckItemDialog,
    GuarantorDialog,
    NewCreditFileDialog,
    SubmitDialog,
)
from cmworkbench.screens.dialogs.visit_dialogs import ConfirmDialog
from cmworkbench.screens.help import HelpScreen
from cmworkbench.services.workbench import login

SIZE = (100, 30)
ITEMS = Settings().credit.items
Build = Callable[[], AbstractContextManager[Factory]]


@pytest.fixture
def branch(frozen_clock: object, build: Build) -> None:
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.staff(home, "zhaofk", "赵风控", role="risk_manager")
        f.customer(wang, "C1", "远宇商贸", cls="A1")


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    """(state, amount, open items, guarantors' nets, risk manager) of every file, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.state, f.amount_yuan,"
                " (SELECT count(*) FROM credit_item i WHERE i.file_id = f.id"
                "  AND i.result IS NULL),"
                " (SELECT coalesce(sum(g.net_assets_yuan), 0) FROM credit_guarantor g"
                "  WHERE g.file_id = f.id),"
                " s.login FROM credit_file f LEFT JOIN staff s ON s.id = f.risk_manager_id"
                " ORDER BY f.id"
            )
        ).all()
    return [tuple(r) for r in rows]


async def type_in(pilot: Pilot[Any], *parts: str) -> None:
    """Press each named key as it is, and type ``text:…`` one character at a time."""
    for part in parts:
        keys = list(part[5:]) if part.startswith("text:") else [part]
        for key in keys:
            await pilot.press(key)
    await settled(pilot)


def content(pilot: Pilot[Any], ident: str) -> str:
    return str(pilot.app.screen.query_one(f"#{ident}", Label).content)


def results(screen: CreditFileScreen) -> list[str]:
    """The result column of the checklist."""
    return [row[1] for row in table_rows(screen.query_one("#credit-items", DataTable))]


async def open_360(pilot: Pilot[Any], query: str) -> Customer360Screen:
    await settled(pilot)
    await pilot.press("f3", *query)
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, Customer360Screen)
    return screen


def item_names() -> str:
    return "、".join(label("credit_item", k) for k in ITEMS)


def coverage_text(nets: int) -> str:
    return t(
        "credit.block.coverage",
        nets=short_yuan(nets),
        amount=short_yuan(1_000_000),
        times="2",
        needed=short_yuan(2_000_000),
    )


async def test_a_manager_makes_a_file_and_the_risk_manager_signs_it(
    branch: None, engine: Engine, settings: Settings, language: str
) -> None:
    messages: list[Message] = []
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        # -- the 360 view, l: no credit file yet; n makes one -------------------------------
        await open_360(pilot, "远宇商贸")
        await pilot.press("l")
        await settled(pilot)
        files = app.screen
        assert isinstance(files, CreditFilesScreen)
        assert content(pilot, "credit-status") == t("tui.credit.files_none", name="远宇商贸")
        await pilot.press("n")
        await settled(pilot)
        assert isinstance(app.screen, NewCreditFileDialog)
        await type_in(
            pilot, "text:流动资金贷款", "tab", "text:100万", "tab", "text:12", "tab",
            "text:采购原材料", "ctrl+s",
        )  # fmt: skip
        screen = app.screen
        assert isinstance(screen, CreditFileScreen)
        file_id = screen.file.id
        head = content(pilot, "credit-head")
        assert "远宇商贸" in head and label("credit_state", "draft") in head
        assert short_yuan(1_000_000) in head and "采购原材料" in head
        assert results(screen) == [t("tui.credit.open_item")] * len(ITEMS)
        blocking = content(pilot, "credit-blocking").splitlines()
        assert blocking == [
            t("tui.credit.block_line", reason=r)
            for r in (
                t("credit.block.open_items", n=len(ITEMS), items=item_names()),
                coverage_text(0),
            )
        ]
        assert stored(engine) == [("draft", 1_000_000, len(ITEMS), 0, None)]

        # -- the first item passes; the cursor moves on to the next open one --------------
        await pilot.press("c")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, CheckItemDialog) and dialog.item.item == ITEMS[0]
        assert dialog.focused is dialog.query_one("#field-finding", Input)
        await type_in(pilot, "text:无不良记录", "tab", "tab", "text:ZX-2026-001", "enter")
        assert app.screen is screen
        assert content(pilot, "credit-said") == t(
            "tui.credit.checked",
            item=label("credit_item", ITEMS[0]),
            result=label("credit_result", "pass"),
        )
        items = screen.query_one("#credit-items", DataTable)
        assert table_rows(items)[0][2:6] == ["无不良记录", "", "ZX-2026-001", "wangfang"]
        assert items.cursor_row == 1

        # -- a concern needs a note: marked, kept, then saved -------------------------------
        await pilot.press("c")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, CheckItemDialog) and dialog.item.item == ITEMS[1]
        await type_in(pilot, "shift+tab", "enter", "down", "enter", "tab", "text:曾有逾期")
        await type_in(pilot, "ctrl+s")
        assert app.screen is dialog, "the form stays open"
        assert dialog.query_one("#label-note", Label).has_class("-invalid")
        assert not dialog.query_one("#label-finding", Label).has_class("-invalid")
        await type_in(pilot, "tab", "text:已结清", "enter")
        assert app.screen is screen
        assert results(screen)[:2] == [label("credit_result", r) for r in ("pass", "concern")]

        # -- the other six, one key each and the finding -----------------------------------
        for _ in ITEMS[2:]:
            await type_in(pilot, "c", "text:正常", "enter")
        assert t("tui.credit.open_item") not in results(screen)
        assert content(pilot, "credit-blocking").splitlines() == [
            t("tui.credit.block_line", reason=coverage_text(0))
        ]

        # -- the figures: net assets are worked out ----------------------------------------
        await type_in(pilot, "f", "text:800万", "tab", "text:300万", "ctrl+s")
        assert app.screen is screen
        figures = content(pilot, "credit-figures").splitlines()[0]
        assert f"{t('credit.field.net_assets')} {short_yuan(5_000_000)}" in figures

        # -- one guarantor of 150万 is short of the 200万 needed: s says why ---------------
        await type_in(pilot, "g")
        assert isinstance(app.screen, GuarantorDialog)
        await type_in(pilot, "text:张三", "tab", "text:150万", "enter")
        assert content(pilot, "credit-coverage") == t(
            "tui.credit.coverage_short",
            nets=short_yuan(1_500_000),
            needed=short_yuan(2_000_000),
            missing=short_yuan(500_000),
        )
        assert screen.query_one("#credit-coverage", Label).has_class("-short")
        await type_in(pilot, "s")
        assert app.screen is screen, "no form for a file that cannot be submitted"
        refusal = t("credit.cannot_submit", id=file_id, reasons=coverage_text(1_500_000))
        assert content(pilot, "credit-said") == refusal
        assert (refusal, "warning") in notifications(messages)
        assert stored(engine) == [("draft", 1_000_000, 0, 1_500_000, None)]

        # -- a second guarantor covers it; s Enter submits to the risk manager -------------
        await type_in(pilot, "g", "text:李四", "tab", "text:60万", "tab", "tab", "text:股东")
        await type_in(pilot, "enter")
        assert not screen.query_one("#credit-coverage", Label).has_class("-short")
        assert content(pilot, "credit-blocking") == t("tui.credit.ready_to_submit")
        await type_in(pilot, "s")
        assert isinstance(app.screen, SubmitDialog)
        await type_in(pilot, "enter")
        assert app.screen is screen
        assert content(pilot, "credit-said") == t("tui.credit.submitted", risk="赵风控")
        assert label("credit_state", "submitted") in content(pilot, "credit-head")
        # submitted, it is the risk manager's: c says it cannot change
        await type_in(pilot, "c")
        assert app.screen is screen
        assert content(pilot, "credit-said") == t(
            "tui.credit.read_only", id=file_id, state=label("credit_state", "submitted")
        )
        await type_in(pilot, "escape")
        assert app.screen is files
        rows = table_rows(files.query_one("#credit-list", DataTable))
        assert [r[:2] for r in rows] == [[f"#{file_id} v1", "流动资金贷款"]]
        assert label("credit_state", "submitted") in rows[0]
    assert stored(engine) == [("submitted", 1_000_000, 0, 2_100_000, "zhaofk")]

    # -- 赵风控's workbench is the queue: Enter opens the file, a y signs it --------------
    risk = make_app(login(engine, settings, "zhaofk"))
    assert isinstance(risk, RiskApp)
    async with risk.run_test(size=SIZE) as pilot:
        await settled(pilot)
        queue = risk.screen
        assert isinstance(queue, CreditQueueScreen)
        assert content(pilot, "credit-status") == t("tui.credit.queue_count", waiting=1, late=0)
        (row,) = table_rows(queue.query_one("#credit-list", DataTable))
        assert row[1:5] == ["远宇商贸", "流动资金贷款", short_yuan(1_000_000), "王芳"]
        await type_in(pilot, "enter")
        screen = risk.screen
        assert isinstance(screen, CreditFileScreen) and screen.file.id == file_id
        assert content(pilot, "credit-blocking") == t("tui.credit.ready_to_sign")
        await type_in(pilot, "c")  # not a risk manager's key: nothing happens
        assert risk.screen is screen
        await type_in(pilot, "a")
        assert isinstance(risk.screen, ConfirmDialog)
        await type_in(pilot, "y")
        assert risk.screen is screen
        assert content(pilot, "credit-said") == t("tui.credit.signed", id=file_id, name="远宇商贸")
        assert label("credit_state", "approved") in content(pilot, "credit-head")
        actions = [r[2] for r in table_rows(screen.query_one("#credit-history", DataTable))]
        assert actions[0] == label("credit_action", "new")
        assert actions[-2:] == [label("credit_action", a) for a in ("submit", "sign")]
        await type_in(pilot, "escape")
        assert risk.screen is queue
        assert content(pilot, "credit-status") == t("tui.credit.queue_empty")
    assert stored(engine) == [("approved", 1_000_000, 0, 2_100_000, "zhaofk")]


def ready_file(engine: Engine, settings: Settings) -> int:
    """王芳's file for 远宇商贸, every item passed, guarantors covering it, submitted."""
    wang = login(engine, settings, "wangfang")
    made = wang.credit.new(
        customer_no="C1", product="经营贷", amount="50万", term_months=6, purpose="备货"
    )
    file_id = made.file.id
    for item in ITEMS:
        wang.credit.check(file_id, item, "pass", finding="无异常")
    wang.credit.add_guarantor(file_id, name="张三", net_assets="100万")
    wang.credit.submit(file_id)
    return file_id


async def test_the_risk_manager_returns_a_file_and_the_manager_reads_why(
    branch: None, engine: Engine, settings: Settings
) -> None:
    file_id = ready_file(engine, settings)
    risk = make_app(login(engine, settings, "zhaofk"))
    async with risk.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await type_in(pilot, "enter", "b")
        await type_in(pilot, "ctrl+s")  # no comment: refused, marked
        dialog = risk.screen
        assert dialog.query_one("#label-comment", Label).has_class("-invalid")
        await type_in(pilot, "text:请补充近三个月银行流水", "enter")
        assert isinstance(risk.screen, CreditFileScreen)
        assert content(pilot, "credit-said") == t("tui.credit.returned", owner="王芳")
        await type_in(pilot, "a")  # returned: nothing to sign, and it says so
        assert content(pilot, "credit-said") == t(
            "credit.not_waiting", id=file_id, state=label("credit_state", "returned")
        )
    assert [r[0] for r in stored(engine)] == ["returned"]

    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await open_360(pilot, "远宇商贸")
        await type_in(pilot, "l", "enter")
        screen = app.screen
        assert isinstance(screen, CreditFileScreen)
        head = content(pilot, "credit-head")
        assert t("tui.credit.returned_line", comment="请补充近三个月银行流水") in head
        await type_in(pilot, "v")  # not approved: no new version, it says why
        assert content(pilot, "credit-said") == t("credit.revise_approved", id=file_id)


async def test_a_new_file_with_letters_for_the_amount_and_the_term_keeps_what_was_typed(
    branch: None, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await open_360(pilot, "远宇商贸")
        await type_in(pilot, "l", "n", "text:设备贷", "tab", "text:abc", "tab", "text:十二")
        await type_in(pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, NewCreditFileDialog)
        assert dialog.query_one("#label-term_months", Label).has_class("-invalid")
        await type_in(pilot, "ctrl+u", "text:24", "ctrl+s")
        assert app.screen is dialog, "the form stays open"
        for name in ("amount", "purpose"):
            assert dialog.query_one(f"#label-{name}", Label).has_class("-invalid"), name
        assert not dialog.query_one("#label-term_months", Label).has_class("-invalid")
        assert t("input.bad_yuan", value="abc") in content(pilot, "form-error")
        assert dialog.query_one("#field-amount", Input).value == "abc"
    assert stored(engine) == []


async def test_help_lists_the_credit_keys(branch: None, engine: Engine, settings: Settings) -> None:
    ready_file(engine, settings)
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await open_360(pilot, "远宇商贸")
        await type_in(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        labels = [str(x.content) for x in app.screen.query(Label)]
        assert t("tui.key.credit_files") in labels
        await type_in(pilot, "escape", "l", "enter", "f1")
        labels = [str(x.content) for x in app.screen.query(Label)]
        for name in ("check", "figures", "guarantor", "submit", "revise"):
            assert t(f"tui.key.credit_{name}.tip") in labels, name
        assert t("tui.key.credit_sign.tip") not in labels
    risk = make_app(login(engine, settings, "zhaofk"))
    async with risk.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await type_in(pilot, "enter", "f1")
        labels = [str(x.content) for x in risk.screen.query(Label)]
        for name in ("sign", "return"):
            assert t(f"tui.key.credit_{name}.tip") in labels, name
        assert t("tui.key.credit_check.tip") not in labels
        assert t("tui.key.inbox.tip") not in labels


async def test_a_file_changed_in_another_session_is_refused_in_words_and_read_again(
    branch: None, engine: Engine, settings: Settings
) -> None:
    file_id = ready_file(engine, settings)
    messages: list[Message] = []
    risk = make_app(login(engine, settings, "zhaofk"))
    async with risk.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settled(pilot)
        await type_in(pilot, "enter")
        screen = risk.screen
        assert isinstance(screen, CreditFileScreen)
        # the same risk manager returns it from another terminal meanwhile
        login(engine, settings, "zhaofk").credit.return_file(file_id, comment="缺流水")
        await type_in(pilot, "a", "y")
        await settled(pilot, failing=True)
        assert risk.screen is screen
        refusal = t("credit.conflict", id=file_id)
        assert content(pilot, "credit-said") == refusal
        assert (refusal, "error") in notifications(messages)
        assert label("credit_state", "returned") in content(pilot, "credit-head")
    assert [r[0] for r in stored(engine)] == ["returned"]


async def test_a_post_loan_visit_asks_for_its_findings_before_it_is_logged(
    engine: Engine, settings: Settings, build: Build, frozen_clock: object
) -> None:
    """A post-loan check on Today: ``v`` ``1`` without a note keeps the dialog open, says the
    findings are needed and puts the cursor in the note; typed, the check is closed with them."""
    with build() as f:
        home = f.branch()
        wang = f.staff(home, "wangfang", "王芳")
        customer = f.customer(wang, "C1", "远宇商贸", cls="A1")
        task = f.task(wang, "2026-11-23T08:30")
        task.kind, task.customer_id, task.reason = "post_loan", customer.id, "贷后检查"
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await type_in(pilot, "v", "1")
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "ContactOutcomeDialog"
        assert str(dialog.query_one(".hint", Label).content) == t("credit.findings_required")
        assert isinstance(pilot.app.focused, Input)
        await type_in(pilot, "text:厂房正常生产", "enter")
        assert type(pilot.app.screen).__name__ != "ContactOutcomeDialog"
    with engine.connect() as conn:
        logged = conn.execute(text("SELECT kind, note FROM interaction")).all()
        status = conn.execute(text("SELECT status FROM task WHERE kind = 'post_loan'")).scalar()
    assert [tuple(r) for r in logged] == [("visit", "厂房正常生产")] and status == "done"
