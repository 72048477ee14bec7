"""The app shell: modes, header, keys, help, command palette, privacy screen.

Given a branch where the manager 张伟 (zhangwei) owns customers, tasks, a complaint and a visit
plan, when the workbench opens on Monday 2026-11-23 at 08:30, then what the screen shows comes
from the database, in the language chosen, and the keys do what the footer and help say.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from itertools import pairwise

import pytest
from conftest import Factory, notifications, settled
from sqlalchemy import Engine
from textual.command import Command, CommandList, CommandPalette
from textual.message import Message
from textual.widgets import Input, Label

from cmworkbench import clock, i18n
from cmworkbench.app import WorkbenchApp, make_app
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.i18n import t
from cmworkbench.jobs.candidate import SessionCandidate
from cmworkbench.screens.help import HelpScreen
from cmworkbench.screens.privacy import PrivacyScreen
from cmworkbench.screens.today import TodayScreen
from cmworkbench.services.core.errors import OutOfScope
from cmworkbench.services.ops import lease
from cmworkbench.services.ops.schemas import LeaseOut
from cmworkbench.services.reports.schemas import Overview
from cmworkbench.services.workbench import Workbench, login
from cmworkbench.widgets.counts import CountsPanel

MODES = ("today", "customers", "visits", "complaints", "dashboard")
SIZE = (100, 30)


@pytest.fixture
def workbench(
    frozen_clock: object,
    engine: Engine,
    settings: Settings,
    build: Callable[[], AbstractContextManager[Factory]],
) -> Workbench:
    """张伟's book: 4 customers (a colleague has 1 more), 5 tasks of which 3 are due by
    tonight and 1 overdue (past its day), 1 open and 1 closed complaint, 1 visit plan."""
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        li = f.staff(branch, "lina", "李娜", team=team)
        mine = [f.customer(zhang, f"C{n:03d}", f"华东机械{n}号") for n in range(4)]
        f.customer(li, "C900", "李娜的客户")
        f.task(zhang, "2026-11-20T10:00")  # overdue
        f.task(zhang, "2026-11-23T08:00")  # due this morning: due, not overdue, all day
        f.task(zhang, "2026-11-23T15:00")  # due this afternoon
        f.task(zhang, "2026-11-24T09:00")  # tomorrow: not due today
        f.task(zhang, "2026-11-19T09:00", status="done")
        f.complaint(zhang, mine[0], "TS-001")
        f.complaint(zhang, mine[1], "TS-002", status="closed")
        f.visit_plan(zhang, "2026-W48")
    return login(engine, settings, "zhangwei")


def header_text(app: WorkbenchApp) -> tuple[str, str]:
    """(title, who) as the header of the current screen shows them."""
    screen = app.screen
    return (
        str(screen.query_one("#header-title", Label).content),
        str(screen.query_one("#header-who", Label).content),
    )


def count_on_screen(app: WorkbenchApp, field: str) -> str:
    """The number shown beside the label of ``field`` in the screen's counts panel."""
    text = str(app.screen.query_one(CountsPanel).content)
    match = re.search(rf"^{re.escape(t(f'tui.count.{field}'))}\s+([\d,]+)$", text, re.MULTILINE)
    assert match, f"{field} is not shown in:\n{text}"
    return match.group(1)


async def test_opens_on_today_with_who_role_and_date_in_the_header(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE):
        assert app.current_mode == "today"
        assert isinstance(app.screen, TodayScreen)
        title, who = header_text(app)
        assert title == t("tui.mode.today")
        assert "张伟" in who
        assert "zhangwei" in who
        assert i18n.label("role", "manager") in who
        assert {"zh_CN": "客户经理", "en": "Customer manager"}[language] in who
        assert "2026-11-23" in who
        assert workbench.settings.general.branch_name in who


async def test_today_shows_the_counts_from_the_database(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert count_on_screen(app, "tasks_due") == "3"
        assert count_on_screen(app, "tasks_overdue") == "1"
        assert count_on_screen(app, "complaints_open") == "1"
        assert count_on_screen(app, "customers") == "4"


async def test_the_first_paint_does_not_wait_for_the_database(
    workbench: Workbench, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_answers = threading.Event()
    real_overview = workbench.reports.overview

    def slow_overview() -> Overview:
        database_answers.wait(timeout=10)
        return real_overview()

    monkeypatch.setattr(workbench.reports, "overview", slow_overview)
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "zhangwei" in header_text(app)[1]
        assert str(app.screen.query_one(CountsPanel).content) == t("tui.loading")
        database_answers.set()
        await settled(pilot)
        assert count_on_screen(app, "customers") == "4"


@pytest.mark.parametrize(
    ("key", "mode"),
    [
        ("f3", "customers"),
        ("f4", "visits"),
        ("f5", "complaints"),
        ("f6", "dashboard"),
        ("3", "visits"),
        ("4", "complaints"),
        ("5", "dashboard"),
        ("2", "customers"),
    ],
)
async def test_keys_switch_modes_and_each_mode_shows_its_title(
    workbench: Workbench, language: str, key: str, mode: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await settled(pilot)
        assert app.current_mode == mode
        assert header_text(app)[0] == t(f"tui.mode.{mode}")
        back = "f2" if mode == "customers" else "1"  # the search box has the cursor there
        await pilot.press(back)
        assert app.current_mode == "today"
        assert header_text(app)[0] == t("tui.mode.today")


async def test_every_mode_shows_its_own_count(workbench: Workbench, language: str) -> None:
    expected = {"customers": ("customers", "4"), "visits": ("visit_plans", "1")}
    expected |= {"complaints": ("complaints_open", "1"), "dashboard": ("tasks_overdue", "1")}
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        for mode, (field, number) in expected.items():
            await app.switch_mode(mode)
            await settled(pilot)
            assert count_on_screen(app, field) == number, mode


async def test_digits_typed_in_the_customer_search_do_not_switch_modes(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        search = app.screen.query_one("#customer-search", Input)
        assert search.has_focus
        assert search.placeholder == t("tui.customers.search_placeholder")
        await pilot.press("1", "3", "8", "5")
        assert app.current_mode == "customers"
        assert search.value == "1385"
        await pilot.press("escape", "1")  # leave the search box: digits switch again
        assert app.current_mode == "today"


async def test_f1_lists_the_keys_with_their_descriptions_and_escape_closes_it(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        shown = [str(label.content) for label in app.screen.query(Label)]
        rows = list(pairwise(shown))
        for mode, keys in zip(
            MODES, ("F2 / 1", "F3 / 2", "F4 / 3", "F5 / 4", "F6 / 5"), strict=True
        ):
            assert (keys, t(f"tui.key.{mode}")) in rows
        for description in ("tui.key.help", "tui.key.privacy", "tui.key.palette", "tui.key.quit"):
            assert t(description) in shown
        assert t("tui.help.screen", title=t("tui.mode.today")) in shown
        await pilot.press("escape")
        assert isinstance(app.screen, TodayScreen)


async def test_help_lists_the_keys_of_the_screen_it_covers(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "escape", "f1")  # Customers, leave the search box, help
        shown = [str(label.content) for label in app.screen.query(Label)]
        assert t("tui.help.screen", title=t("tui.mode.customers")) in shown
        assert t("tui.key.search") in shown
        await pilot.press("f1")
        assert app.current_mode == "customers"
        assert not isinstance(app.screen, HelpScreen)


async def test_footer_shows_the_mode_keys_in_the_current_language(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = {str(key.render()).strip() for key in app.screen.query("Footer FooterKey")}
        for mode, key in zip(MODES, ("F2", "F3", "F4", "F5", "F6"), strict=True):
            assert f"{key} {t(f'tui.key.{mode}')}" in shown
        assert f"F1 {t('tui.key.help')}" in shown
        assert f"^P {t('tui.key.palette')}" in shown


async def test_command_palette_lists_the_mode_switches(workbench: Workbench, language: str) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await settled(pilot)
        commands = app.screen.query_one(CommandList)
        titles = {
            str(option.hit.text) for option in commands.options if isinstance(option, Command)
        }
        assert {t(f"tui.key.{mode}.tip") for mode in MODES if mode != "today"} <= titles
        assert t("tui.key.today.tip") not in titles  # already there
        assert t("tui.key.help.tip") in titles


async def test_a_palette_command_runs_its_action(workbench: Workbench, language: str) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*t("tui.key.visits.tip"))
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert app.current_mode == "visits"


async def test_privacy_key_blanks_the_screen_and_any_key_brings_it_back(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "1")
        await pilot.press("ctrl+b")
        assert isinstance(app.screen, PrivacyScreen)
        assert not app.screen.query(CountsPanel)
        assert not app.screen.query(Input)
        await pilot.press("2")  # brings the screen back and is not typed anywhere
        assert app.current_mode == "customers"
        assert app.screen.query_one("#customer-search", Input).value == "1"


async def test_a_service_refusal_is_a_notification_not_a_traceback(
    workbench: Workbench, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise OutOfScope("张伟 may not see [A1] customers")

    monkeypatch.setattr(workbench.reports, "overview", refuse)
    app = make_app(workbench)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settled(pilot, failing=True)
        assert notifications(messages) == [("张伟 may not see [A1] customers", "error")]
        assert app.is_running
        assert str(app.screen.query_one(CountsPanel).content) == t("tui.loading")


async def test_an_unexpected_error_is_reported_without_its_details(
    workbench: Workbench, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash() -> None:
        raise RuntimeError("sqlite3.OperationalError: disk I/O error at 0xdeadbeef")

    monkeypatch.setattr(workbench.reports, "overview", crash)
    app = make_app(workbench)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settled(pilot, failing=True)
        assert notifications(messages) == [(t("tui.error.load_failed"), "error")]


async def test_starts_at_80_by_24(workbench: Workbench, language: str) -> None:
    app = make_app(workbench)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        who = app.screen.query_one("#header-who", Label)
        assert who.region.right <= 80
        assert "zhangwei" in str(who.content)
        panel = app.screen.query_one(CountsPanel)
        assert panel.region.bottom <= 23
        assert count_on_screen(app, "customers") == "4"
        await pilot.press("f1")
        assert app.screen.query_one("#help-dialog").region.bottom <= 23


async def test_apps_in_both_languages_in_one_process(workbench: Workbench) -> None:
    for language, today in (("zh_CN", "今日工作"), ("en", "Today"), ("zh_CN", "今日工作")):
        i18n.set_language(language)
        app = make_app(workbench)
        async with app.run_test(size=SIZE) as pilot:
            assert header_text(app)[0] == today
            await pilot.press("f1")
            help_texts = [str(label.content) for label in app.screen.query(Label)]
            assert {"zh_CN": "帮助", "en": "Help"}[language] in help_texts


async def test_ctrl_c_says_which_key_quits_and_ctrl_q_quits(
    workbench: Workbench, language: str
) -> None:
    app = make_app(workbench)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("ctrl+c")
        assert notifications(messages) == [(t("tui.quit_hint", shortcut="^Q"), "information")]
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_the_app_owns_its_scheduler_candidate_from_first_paint_to_quit(
    workbench: Workbench, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``scheduler.in_tui`` the session is a scheduler candidate: the app starts it after
    its first paint (no service runs here, so it takes the lease) and its end gives the lease
    up at once, so the next session or ``cmw scheduler`` need not wait out the lease."""
    monkeypatch.setattr(SessionCandidate, "DELAY_SECONDS", 0.0)
    candidate = SessionCandidate(workbench, workbench.settings)
    app = make_app(workbench, candidate)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        for _ in range(200):  # the candidate's thread takes the lease
            if candidate.leader is not None and candidate.leader.leading:
                break
            await pilot.pause(0.05)
        assert (held := current_lease(engine)) is not None
        assert held.holder == candidate.leader.holder and held.live(clock.now())
    assert (held := current_lease(engine)) is not None and not held.live(clock.now())
    assert not candidate.leader.leading


def current_lease(engine: Engine) -> LeaseOut | None:
    with unit_of_work(engine) as session:
        return lease.current(session)
