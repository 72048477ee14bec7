"""Referrals and leads on screen (issue 26): a teller's one-screen workbench, and the prospect's
first contact on the manager's Today.

Given 对公一组 on Monday 2026-11-23 at 08:30 (clock frozen): the manager 王芳 (wangfang), who
owns 远宇集团 (C1), her supervisor 陈主管 (chenzg), and the teller 李娜 (lina, a referrer).
李娜 opens the workbench: she gets the referral form and her own referrals, nothing else. She
refers a prospect (it waits in the pool) and a customer by number (it goes to the owner, whose
Today owes a first contact); a wrong phone is shown where it is wrong and nothing is written.
Once the supervisor allocates the prospect to 王芳, her Today holds the first contact: ``c``
``1`` logs it on the lead and the row leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from conftest import Factory, notifications, settled, table_rows
from sqlalchemy import Engine
from sqlmodel import select
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label

from cmworkbench.app import ReferrerApp, make_app
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer, Lead, LeadContact, Referral, Staff, Task
from cmworkbench.domain.masking import mask_name
from cmworkbench.i18n import label, t
from cmworkbench.screens.help import HelpScreen
from cmworkbench.screens.referrals import ReferralScreen
from cmworkbench.screens.today import TodayScreen
from cmworkbench.services.workbench import login
from cmworkbench.widgets.display import local_time
from cmworkbench.widgets.task_table import TaskTable

SIZE = (80, 24)
"""The smallest terminal the workbench is made for."""


@pytest.fixture
def branch(frozen_clock: object, build: Callable[[], AbstractContextManager[Factory]]) -> None:
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.staff(home, "lina", "李娜", role="referrer", team=team)
        f.customer(wang, "C1", "远宇集团")


async def type_in(pilot: Pilot[Any], *parts: str) -> None:
    """Press each named key (``tab``, ``ctrl+s``) as it is, and type ``text:…`` one character
    at a time."""
    for part in parts:
        keys = list(part[5:]) if part.startswith("text:") else [part]
        for key in keys:
            await pilot.press(key)
    await settled(pilot)


def product_keys(settings: Settings, product: str) -> tuple[str, ...]:
    """On the product field: open it, move to ``product`` (below the blank prompt), take it."""
    return ("enter", *["down"] * (settings.referrals.products.index(product) + 1), "enter")


def field_value(pilot: Pilot[Any], name: str) -> str:
    return pilot.app.screen.query_one(f"#field-{name}", Input).value


async def test_a_teller_refers_a_prospect_who_waits_in_the_pool(
    branch: None, engine: Engine, settings: Settings, language: str
) -> None:
    messages: list[Message] = []
    app = make_app(login(engine, settings, "lina"))
    assert isinstance(app, ReferrerApp)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, ReferralScreen)
        assert app.screen.focused is app.screen.query_one("#field-customer", Input)
        await type_in(
            pilot, "tab", "text:赵敏", "tab", "text:138 1234 5678", "tab", "tab",
            "text:想买一年期理财", "tab", *product_keys(settings, "wealth"), "ctrl+s",
        )  # fmt: skip

        with unit_of_work(engine) as session:
            lina = session.exec(select(Staff).where(Staff.login == "lina")).one()
            (referral,) = session.exec(select(Referral)).all()
            (lead,) = session.exec(select(Lead)).all()
            stored = (referral.need, referral.product, referral.to_id, referral.lead_id)
            assert stored == ("想买一年期理财", "wealth", None, lead.id)
            assert referral.referrer_id == lina.id and referral.customer_id is None
            assert (lead.name, lead.phone, lead.owner_id, lead.status) == (
                "赵敏",
                "13812345678",
                None,
                "open",
            )
        sent = t("tui.referral.sent_pool", name="赵*")
        assert (sent, "information") in notifications(messages)
        table = app.screen.query_one("#referral-list", DataTable)
        assert table_rows(table) == [
            [
                local_time(referral.at),
                "赵*",
                label("product_kind", "wealth"),
                t("tui.referral.pool"),
                label("referral_state", "open"),
            ]
        ]
        # the form is clear for the next one, the cursor on its first field
        assert [field_value(pilot, n) for n in ("customer", "name", "phone", "need")] == [""] * 4
        assert app.screen.focused is app.screen.query_one("#field-customer", Input)


async def test_a_wrong_phone_is_shown_beside_its_field_and_nothing_is_written(
    branch: None, engine: Engine, settings: Settings, language: str
) -> None:
    app = make_app(login(engine, settings, "lina"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        # a phone that is no phone, and no product chosen: both problems at once
        await type_in(pilot, "tab", "text:赵敏", "tab", "text:12345", "tab", "tab", "text:理财")
        await type_in(pilot, "enter")
        error = str(app.screen.query_one("#referral-error", Label).content)
        assert error.splitlines() == [
            f"{t('tui.referral.phone')}: {t('referral.bad_phone')}",
            f"{t('tui.referral.product')}: {t('tui.referral.choose_product')}",
        ]
        for name in ("phone", "product"):
            assert app.screen.query_one(f"#label-{name}", Label).has_class("-invalid")
        assert not app.screen.query_one("#label-name", Label).has_class("-invalid")
        assert field_value(pilot, "phone") == "12345"  # what was typed stays
        with unit_of_work(engine) as session:
            assert session.exec(select(Referral)).all() == []
            assert session.exec(select(Lead)).all() == []

        # put right, it goes through and the problems go
        await type_in(pilot, "tab", *product_keys(settings, "deposit"))
        phone = app.screen.query_one("#field-phone", Input)
        phone.value = "13812345678"
        await type_in(pilot, "ctrl+s")
        assert str(app.screen.query_one("#referral-error", Label).content) == ""
        with unit_of_work(engine) as session:
            assert [r.product for r in session.exec(select(Referral)).all()] == ["deposit"]


async def test_a_customer_referred_by_number_goes_to_the_owner(
    branch: None, engine: Engine, settings: Settings, language: str
) -> None:
    messages: list[Message] = []
    app = make_app(login(engine, settings, "lina"))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settled(pilot)
        await type_in(
            pilot, "text:C1", "tab", "tab", "tab", "tab", "text:想办信用卡", "tab",
            *product_keys(settings, "card"), "ctrl+s",
        )  # fmt: skip
        with unit_of_work(engine) as session:
            wang = session.exec(select(Staff).where(Staff.login == "wangfang")).one()
            c1 = session.exec(select(Customer).where(Customer.customer_no == "C1")).one()
            (referral,) = session.exec(select(Referral)).all()
            assert (referral.customer_id, referral.to_id, referral.product) == (
                c1.id,
                wang.id,
                "card",
            )
            (task,) = session.exec(select(Task).where(Task.kind == "first_contact")).all()
            assert (task.owner_id, task.customer_id, task.status) == (wang.id, c1.id, "open")
        sent = t(
            "tui.referral.sent_to",
            name=mask_name("远宇集团"),
            to="王芳",
            due=local_time(referral.contact_due),
        )
        assert (sent, "information") in notifications(messages)
        (row,) = table_rows(app.screen.query_one("#referral-list", DataTable))
        assert row[1:4] == [mask_name("远宇集团"), label("product_kind", "card"), "王芳"]


async def test_an_unknown_customer_number_is_shown_on_the_form(
    branch: None, engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "lina"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await type_in(pilot, "text:C404", "tab", "tab", "tab", "tab", "text:理财", "tab")
        await type_in(pilot, *product_keys(settings, "wealth"), "ctrl+s")
        error = str(app.screen.query_one("#referral-error", Label).content)
        assert error == t("scope.customer_not_found", customer_no="C404")
        assert app.screen.query_one("#label-customer", Label).has_class("-invalid")
        assert isinstance(app.screen, ReferralScreen)


async def test_a_teller_s_keys_are_only_those_of_the_referral_screen(
    branch: None, engine: Engine, settings: Settings, language: str
) -> None:
    app = make_app(login(engine, settings, "lina"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        footer = {str(key.render()).strip() for key in app.screen.query("Footer FooterKey")}
        assert f"F1 {t('tui.key.help')}" in footer
        assert f"^S {t('tui.key.refer')}" in footer
        for mode in ("today", "customers", "visits", "complaints", "dashboard"):
            assert not [text for text in footer if t(f"tui.key.{mode}") in text]
        await pilot.press("f2", "f7", "f8")  # the managers' keys do nothing here
        await settled(pilot)
        assert isinstance(app.screen, ReferralScreen)
        assert app.current_mode == "referrals"
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        shown = [str(label.content) for label in app.screen.query(Label)]
        assert t("tui.key.refer") in shown and t("tui.key.privacy") in shown
        for key in ("today", "inbox", "worklog"):
            assert t(f"tui.key.{key}") not in shown


# -- the prospect's first contact on the manager's Today ------------------------------------


def prospect_rows(pilot: Pilot[Any]) -> list[int]:
    """The prospect ids of Today's rows, top to bottom."""
    rows = pilot.app.screen.query_one(TaskTable).rows_shown
    return [row.prospect_id for row in rows if row.prospect_id is not None]


async def test_a_manager_reaches_an_allocated_prospect_from_today(
    branch: None, engine: Engine, settings: Settings, language: str
) -> None:
    made = login(engine, settings, "lina").referrals.new(
        need="想买一年期理财", product="wealth", name="赵敏", phone_number="13812345678"
    )
    lead_id = made.referral.lead_id
    assert lead_id is not None
    login(engine, settings, "chenzg").leads.allocate([lead_id], "wangfang")
    messages: list[Message] = []
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert prospect_rows(pilot) == [lead_id]
        table = app.screen.query_one(TaskTable)
        index = next(i for i, r in enumerate(table.rows_shown) if r.prospect_id == lead_id)
        table.move_cursor(row=index)
        await settled(pilot)

        await type_in(pilot, "enter")  # no customer file to open yet: it says so
        assert isinstance(app.screen, TodayScreen)
        assert (t("tui.today.prospect_no_file"), "warning") in notifications(messages)

        await type_in(pilot, "c", "1")  # the call, reached
        assert isinstance(app.screen, TodayScreen)
        assert prospect_rows(pilot) == []
        logged = t("tui.c360.logged.call", outcome=label("outcome", "reached"))
        assert (logged, "information") in notifications(messages)
    with unit_of_work(engine) as session:
        wang = session.exec(select(Staff).where(Staff.login == "wangfang")).one()
        (contact,) = session.exec(select(LeadContact)).all()
        assert (contact.lead_id, contact.staff_id, contact.kind, contact.outcome) == (
            lead_id,
            wang.id,
            "call",
            "reached",
        )
        (referral,) = session.exec(select(Referral)).all()
        assert referral.contacted_at is not None
        (task,) = session.exec(select(Task).where(Task.kind == "first_contact")).all()
        assert task.status != "open"


async def test_a_call_back_asked_by_a_prospect_is_logged_and_the_row_stays(
    branch: None, engine: Engine, settings: Settings
) -> None:
    made = login(engine, settings, "lina").referrals.new(
        need="理财", product="wealth", name="赵敏", phone_number="13812345678"
    )
    assert made.referral.lead_id is not None
    login(engine, settings, "chenzg").leads.allocate([made.referral.lead_id], "wangfang")
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        table = app.screen.query_one(TaskTable)
        index = next(i for i, r in enumerate(table.rows_shown) if r.prospect_id is not None)
        table.move_cursor(row=index)
        await type_in(pilot, "c", "3")  # call back: no time asked, logged as it is
        assert isinstance(app.screen, TodayScreen)
        assert prospect_rows(pilot) == [made.referral.lead_id]
    with unit_of_work(engine) as session:
        assert [c.outcome for c in session.exec(select(LeadContact)).all()] == ["call_back"]
