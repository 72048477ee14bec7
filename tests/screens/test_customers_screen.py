"""Customers: search as you type, open the customer 360 view, act on the customer from there.

Given 张伟 (zhangwei) owns 华东机械 (a group, C001) and 王小明 (an individual, C002, with a
phone and an ID number) and his colleague 李娜 owns C900, when 张伟 looks customers up and works
on them in the 360 view on Monday 2026-11-23 at 08:30, then the screens show what the database
holds, masked unless revealed, and what he does lands in the database (or, when refused, nothing
does and he is told why).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from conftest import Factory, notifications, settled
from sqlalchemy import Engine, text
from sqlmodel import col, select
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select

from cmworkbench import clock, i18n
from cmworkbench.app import WorkbenchApp, make_app
from cmworkbench.config import Settings
from cmworkbench.db.models import Staff
from cmworkbench.i18n import label, t
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.customers import CustomersScreen
from cmworkbench.screens.dialogs.edit_customer import EditCustomerDialog
from cmworkbench.screens.dialogs.verify_file import VerifyFileDialog
from cmworkbench.services.workbench import Workbench, login
from cmworkbench.widgets.customer_hit_list import PAGE_SIZE, CustomerHitList
from cmworkbench.widgets.customer_profile import CustomerProfilePanel

SIZE = (100, 30)
PHONE = "13812345678"
ID_NUMBER = "110105198503071230"
BAD_ID_NUMBER = "110105198503071231"  # check digit should be 0


@pytest.fixture
def workbench(
    frozen_clock: object,
    engine: Engine,
    settings: Settings,
    build: Callable[[], AbstractContextManager[Factory]],
) -> Workbench:
    """张伟's book: 华东机械 (C001, group) and 王小明 (C002, individual with phone and ID)."""
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        li = f.staff(branch, "lina", "李娜", team=team)
        f.customer(zhang, "C001", "华东机械有限公司")
        person = f.customer(zhang, "C002", "王小明", cls="A1")
        person.kind, person.tier, person.is_vip = "individual", "gold", True
        person.phone, person.id_number = PHONE, ID_NUMBER
        f.session.add(person)
        f.customer(li, "C900", "李娜的客户")
    return login(engine, settings, "zhangwei")


def shown_rows(app: WorkbenchApp) -> list[str]:
    """The result rows as the list renders them (heading excluded, blank lines dropped)."""
    hits = app.screen.query_one(CustomerHitList)
    lines = [hits.render_line(y).text for y in range(1, hits.size.height)]
    return [line.strip() for line in lines if line.strip()]


def profile_text(app: WorkbenchApp) -> str:
    """What the profile panel of the 360 view shows."""
    return str(app.screen.query_one(CustomerProfilePanel).content)


async def search(pilot: Pilot[Any], query: str) -> None:
    """Go to Customers and type ``query`` key by key."""
    await pilot.press("f3")
    await pilot.press(*query)
    await settled(pilot)


async def open_customer(pilot: Pilot[Any], query: str) -> None:
    """Search, press Enter, wait for the 360 view."""
    await search(pilot, query)
    await pilot.press("enter")
    await settled(pilot)
    assert isinstance(pilot.app.screen, Customer360Screen)


def one(engine: Engine, sql: str, **params: object) -> Any:
    """One row of a query against the test database."""
    with engine.connect() as conn:
        return conn.execute(text(sql), params).one()


async def test_typing_a_name_shows_the_matching_customers(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "华东")
        rows = shown_rows(app)
        assert len(rows) == 1
        assert rows[0].startswith("C001")
        assert "华东机械有限公司" in rows[0]
        assert "张伟" in rows[0]
        status = str(app.screen.query_one("#search-status", Label).content)
        assert status == t("tui.customers.found", n="1")


async def test_a_query_nobody_matches_says_so(workbench: Workbench, language: str) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "不存在的客户")
        assert shown_rows(app) == []
        status = str(app.screen.query_one("#search-status", Label).content)
        assert status == t("tui.customers.no_match", query="不存在的客户")


async def test_results_of_an_older_query_are_dropped(workbench: Workbench) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "王小明")
        screen = app.screen
        assert isinstance(screen, CustomersScreen)
        screen.post_message(CustomersScreen.HitsFound("华东", []))  # a late, stale answer
        await settled(pilot)
        assert ["C002" in row for row in shown_rows(app)] == [True]


async def test_enter_opens_the_360_view_with_the_phone_masked(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        shown = profile_text(app)
        assert "138****5678" in shown
        assert PHONE not in shown
        assert ID_NUMBER not in shown
        assert t("tui.flag.vip") in shown
        assert t("tui.profile.never_verified") in shown
        await pilot.press("escape")
        assert isinstance(app.screen, CustomersScreen)


async def test_down_moves_into_the_results_and_enter_opens_the_highlighted(
    workbench: Workbench,
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "C00")  # both of 张伟's customers, not 李娜's C900
        assert len(shown_rows(app)) == 2
        await pilot.press("down")
        hits = app.screen.query_one(CustomerHitList)
        assert hits.has_focus
        await pilot.press("down")
        second = hits.highlighted
        assert second is not None
        assert hits.cursor == 1
        await pilot.press("enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, Customer360Screen)
        assert screen.customer_no == second.customer_no


async def test_enter_typed_before_the_results_opens_the_best_match(
    workbench: Workbench,
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", *"王小明", "enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, Customer360Screen)
        assert screen.customer_no == "C002"


async def test_escape_in_the_results_clears_the_search_for_the_next_customer(
    workbench: Workbench,
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "华东")
        await pilot.press("down", "escape")
        await settled(pilot)
        search_box = app.screen.query_one("#customer-search", Input)
        assert search_box.has_focus
        assert search_box.value == ""
        assert shown_rows(app) == []


async def test_r_reveals_the_phone_and_writes_the_audit_log(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        await pilot.press("r")
        await settled(pilot)
        assert PHONE in profile_text(app)
        assert ID_NUMBER in profile_text(app)
        row = one(
            engine,
            "SELECT count(*) AS n FROM audit_log a JOIN staff s ON s.id = a.staff_id "
            "WHERE a.action = 'reveal' AND a.field_name = 'phone' AND s.login = 'zhangwei'",
        )
        assert row.n == 1
        await pilot.press("r")  # again: masked again
        assert PHONE not in profile_text(app)
        assert "138****5678" in profile_text(app)


async def test_leaving_the_360_view_masks_the_revealed_phone(workbench: Workbench) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        await pilot.press("r")
        await settled(pilot)
        assert PHONE in profile_text(app)
        await pilot.press("ctrl+b", "x")  # privacy screen, then back
        await settled(pilot)
        assert PHONE not in profile_text(app)


async def edit_field(pilot: Pilot[Any], name: str, value: str) -> EditCustomerDialog:
    """Open the edit form and type ``value`` into field ``name``."""
    await pilot.press("e")
    await settled(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, EditCustomerDialog)
    field = dialog.query_one(f"#field-{name}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*value)
    return dialog


async def test_a_bad_id_number_is_explained_and_nothing_is_saved(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        dialog = await edit_field(pilot, "id_number", BAD_ID_NUMBER)
        await pilot.press("enter")
        await settled(pilot)
        assert app.screen is dialog
        error = str(dialog.query_one("#form-error", Label).content)
        assert error.startswith(t("customer.field.id_number"))
        assert dialog.query_one("#field-id_number", Input).has_class("-invalid")
        assert dialog.query_one("#field-id_number", Input).value == BAD_ID_NUMBER
        row = one(engine, "SELECT id_number, version FROM customer WHERE customer_no = 'C002'")
        assert (row.id_number, row.version) == (ID_NUMBER, 1)


async def test_an_edit_conflict_keeps_the_typed_input_and_overwrites_nothing(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        dialog = await edit_field(pilot, "address", "上海市浦东新区世纪大道1号")
        with engine.begin() as conn:  # a colleague saves first
            conn.execute(
                text(
                    "UPDATE customer SET address = '北京市', version = version + 1 "
                    "WHERE customer_no = 'C002'"
                )
            )
        await pilot.press("enter")
        await settled(pilot)
        assert app.screen is dialog
        assert "C002" in str(dialog.query_one("#form-error", Label).content)
        typed = dialog.query_one("#field-address", Input).value
        assert typed == "上海市浦东新区世纪大道1号"
        row = one(engine, "SELECT address, version FROM customer WHERE customer_no = 'C002'")
        assert (row.address, row.version) == ("北京市", 2)
        # The form now holds their version with the typed address marked; saving again is
        # an informed decision.
        assert t("tui.edit.merged") in str(dialog.query_one("#form-error", Label).content)
        assert dialog.query_one("#label-address", Label).has_class("-invalid")
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        row = one(engine, "SELECT address, version FROM customer WHERE customer_no = 'C002'")
        assert (row.address, row.version) == ("上海市浦东新区世纪大道1号", 3)


async def test_an_edit_is_saved_and_shown(workbench: Workbench, engine: Engine) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        await edit_field(pilot, "phone", "13900001111")
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        assert "139****1111" in profile_text(app)
        row = one(engine, "SELECT phone, version FROM customer WHERE customer_no = 'C002'")
        assert (row.phone, row.version) == ("13900001111", 2)


async def test_a_customer_number_out_of_scope_is_refused_with_a_message(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await search(pilot, "C900")
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, CustomersScreen)
        shown = notifications(messages)
        # the same words as for a customer that does not exist
        assert shown == [(t("scope.customer_not_found", customer_no="C900"), "error")]


async def test_a_typed_customer_number_opens_directly(workbench: Workbench) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "c001")
        await pilot.press("enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, Customer360Screen)
        assert screen.customer_no == "C001"


async def test_c_then_1_logs_a_reached_call(
    workbench: Workbench, engine: Engine, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        await pilot.press("c", "1")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        row = one(
            engine,
            "SELECT i.kind, i.outcome FROM interaction i JOIN customer c ON c.id = i.customer_id "
            "WHERE c.customer_no = 'C002'",
        )
        assert (row.kind, row.outcome) == ("call", "reached")
        timeline: DataTable[Any] = app.screen.query_one("#table-timeline", DataTable)
        first = [str(cell) for cell in timeline.get_row_at(0)]
        assert i18n.label("interaction", "call") in first
        assert first[0].startswith("2026-11-23 08:30")


async def test_a_task_and_a_complaint_from_the_360_view(
    workbench: Workbench, engine: Engine
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "王小明")
        await pilot.press("t", *"寄新资费方案", "enter")
        await settled(pilot)
        await pilot.press("p", *"月租多扣了十元")
        dialog = app.screen
        dialog.query_one("#field-category").value = "fee"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        tasks = one(engine, "SELECT count(*) AS n FROM task WHERE status = 'open'")
        complaints = one(engine, "SELECT category, description FROM complaint")
        assert tasks.n == 1
        assert tuple(complaints) == ("fee", "月租多扣了十元")
        tabs = app.screen.query_one("#table-tasks", DataTable)
        assert tabs.row_count == 1


async def verify_form(pilot: Pilot[Any]) -> VerifyFileDialog:
    """王小明's 360 view, then ``m``: the verification form."""
    await open_customer(pilot, "王小明")
    await pilot.press("m")
    await settled(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, VerifyFileDialog)
    return dialog


async def test_m_asks_field_by_field_and_records_what_was_right_and_corrected(
    workbench: Workbench, engine: Engine
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await verify_form(pilot)
        # each field asked, its value masked: the manager reads out the last digits
        labels = [str(label.content) for label in dialog.query(".form-label").results(Label)]
        assert labels[1] == f"{t('customer.field.phone')}  138****5678"
        assert labels[3].startswith(t("customer.field.address"))  # empty: not checked unless typed
        dialog.query_one("#field-phone", Input).value = "139 1234 5678"  # the right number
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        assert t("tui.profile.verified_days", n=0) in profile_text(app)
    row = one(
        engine,
        "SELECT v.checked, v.confirmed, v.fields, v.source, v.detail, c.phone,"
        " c.info_verified_at FROM verification v JOIN customer c ON c.id = v.customer_id"
        " WHERE c.customer_no = 'C002'",
    )
    assert (row.checked, row.confirmed, row.fields, row.source) == (
        3, 2, "name,phone!,id_number", "hand"
    )  # fmt: skip
    assert row.detail == "phone: 138****5678 → 139****5678"
    assert row.phone == "13912345678" and row.info_verified_at is not None


async def test_a_refused_correction_keeps_the_form_and_records_nothing(
    workbench: Workbench, engine: Engine
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        (await verify_form(pilot)).query_one("#field-phone", Input).value = "123"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, VerifyFileDialog)  # still open, the input kept
        assert app.screen.query_one("#field-phone", Input).value == "123"
        assert t("customer.field.phone") in str(app.screen.query_one("#form-error", Label).content)
    row = one(engine, "SELECT phone, info_verified_at FROM customer WHERE customer_no = 'C002'")
    assert (row.phone, row.info_verified_at) == (PHONE, None)
    assert one(engine, "SELECT COUNT(*) AS n FROM verification").n == 0


async def test_the_list_fetches_further_windows_as_the_cursor_moves(
    workbench: Workbench, build: Callable[[], AbstractContextManager[Factory]]
) -> None:
    total = PAGE_SIZE * 2 + 17
    with build() as f:
        zhang = f.session.exec(select(Staff).where(Staff.login == "zhangwei")).one()
        for n in range(total):
            f.customer(zhang, f"D{n:04d}", f"测试客户{n}")
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "测试客户")
        hits = app.screen.query_one(CustomerHitList)
        assert hits.total == total
        assert t("tui.customers.found", n=f"{total:,}") == str(
            app.screen.query_one("#search-status", Label).content
        )
        await pilot.press("down", "end")
        await settled(pilot)
        assert hits.cursor == total - 1
        assert hits.highlighted is not None
        assert len(hits._pages) <= 3
        assert any(row.startswith(hits.highlighted.customer_no) for row in shown_rows(app))


async def test_the_360_view_fits_80_by_24(workbench: Workbench, language: str) -> None:
    app = make_app(workbench)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_customer(pilot, "王小明")
        panel = app.screen.query_one(CustomerProfilePanel)
        assert panel.region.bottom < 16
        table = app.screen.query_one("#table-contacts", DataTable)
        assert table.region.height >= 5
        assert table.region.bottom <= 23


async def test_escape_sequences_stored_in_a_name_are_shown_not_obeyed(
    workbench: Workbench, engine: Engine
) -> None:
    """Given a name written into the database with an escape sequence (before this release
    refused them, or by hand), when it shows in the results and the 360 view, then the screen
    holds its escapes as text (``\\u001b``), never the control characters a terminal obeys."""
    hostile = "红\x1b[41m\x1b]0;PWNED\x07色\x9b31m公司"
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE customer SET name = :n WHERE customer_no = 'C001'"), {"n": hostile}
        )
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "C001")
        (row,) = shown_rows(app)
        assert "\\u001b[41m" in row and "\\u009b31m" in row
        assert not any(ch in row for ch in "\x1b\x07\x9b")
        await pilot.press("enter")
        await settled(pilot)
        title = str(app.screen.query_one(CustomerProfilePanel).border_title)
        assert "\\u001b" in title and not any(ch in title for ch in "\x1b\x07\x9b")


async def test_the_branch_head_gives_a_pooled_customer_with_g_and_enter(
    engine: Engine, settings: Settings, build: Callable[[], AbstractContextManager[Factory]],
    workbench: Workbench,
) -> None:  # fmt: skip
    """周行长 opens C777, a customer of the branch pool, presses g: the colleagues who may hold
    it are offered, the smallest book first (李娜, one customer, before 张伟's two); Enter gives
    it to 李娜, and the database and the view say so."""
    with build() as f:
        branch_id = f.session.exec(select(Staff.branch_id)).first()
        head = Staff(
            login="zhou", name="周行长", role="branch_head", branch_id=branch_id,
            created_at=f.session.exec(select(Staff.created_at)).first(),
        )  # fmt: skip
        f.session.add(head)
        f.session.flush()
        pooled = f.customer(head, "C777", "池中集团", cls="B1")
        pooled.owner_id = None
        f.session.add(pooled)
    app = make_app(login(engine, settings, "zhou"))
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "c777")
        await pilot.press("g")
        await settled(pilot)
        options = app.screen.query_one("#choose-list")
        assert [str(o.prompt) for o in options.options] == [  # type: ignore[attr-defined]
            t("tui.c360.pool_candidate", name="李娜", login="lina", book=1, households=150),
            t("tui.c360.pool_candidate", name="张伟", login="zhangwei", book=2, households=150),
        ]
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        assert "李娜" in profile_text(app)
    owner = one(
        engine,
        "SELECT s.login FROM customer c JOIN staff s ON s.id = c.owner_id"
        " WHERE c.customer_no = 'C777'",
    )
    assert owner == ("lina",)


async def test_k_sets_a_contacts_key_person_role_in_the_360_view(
    workbench: Workbench, engine: Engine, build: Callable[[], AbstractContextManager[Factory]]
) -> None:
    """华东机械's 前台 turns out to be the one who carries things out: 张伟 marks her 执行人 and
    a key person (her birthday now brings a care task); audited field by field."""
    from cmworkbench.db.models import Contact, Customer
    from cmworkbench.screens.dialogs.edit_contact import EditContactDialog

    with build() as f:
        machine = f.session.exec(select(Customer).where(col(Customer.customer_no) == "C001")).one()
        f.session.add(Contact(customer_id=machine.id, name="前台小刘", role="contact",
                              updated_at=clock.now()))  # fmt: skip
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, "c001")
        await pilot.press("k")
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditContactDialog)
        dialog.query_one("#field-role", Select).value = "executor"
        dialog.query_one("#field-key_person", Select).value = "yes"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, Customer360Screen)
        table = app.screen.query_one("#table-contacts", DataTable)
        assert "★ 前台小刘" in str(table.get_row_at(0)[0])
        assert str(table.get_row_at(0)[1]) == label("contact_role", "executor")
    assert one(engine, "SELECT role, is_key_person FROM contact") == ("executor", 1)
    changed = one(engine, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'contact'")
    assert changed == (2,)
