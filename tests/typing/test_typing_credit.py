"""A credit file's two signatures typed on a real pty: every key reaches the screen it was for.

Given the branch of the typing tests (:mod:`world`), its risk manager 孙风控 (sunfk), and 张伟's
credit file for 华东机械 (C001): a 100万 working-capital loan, every item checked, guarantors
covering twice the loan. When ``cmw tui`` runs on a pseudo-terminal and each person types
without waiting for the screen:

1. 张伟: ``F3``, ``C001``, ``Enter`` (the 360 view), ``l`` (its credit files), ``Enter`` (the
   file), ``s`` (sign and submit), ``Enter`` (to the usual risk manager): submitted to 孙风控;
2. 孙风控 (the queue is his whole workbench; the file waits on it): ``Enter``, ``a``, ``y``:
   approved,

then the database holds the file in that state with that risk manager, and the line under the
file says what happened. The round trip runs once per pace (one burst, 50 ms, 150 ms apart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cases import PACES, Case, Screen, run_case, wait_until
from conftest import MONDAY_MORNING, Factory
from sqlmodel import select
from terminal import Terminal, keys_of
from world import Branch, branch_copy, build_template, call_customers, write_config

from cmworkbench import clock, i18n
from cmworkbench.config import load_settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.models import Branch as BranchRow
from cmworkbench.i18n import t
from cmworkbench.services.workbench import login

pytestmark = pytest.mark.paced

CUSTOMER = call_customers()[0]
RISK = ("sunfk", "孙风控")
FILE = "SELECT f.state, s.login FROM credit_file f LEFT JOIN staff s ON s.id = f.risk_manager_id"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The typing tests' branch, a risk manager, and 张伟's file ready to submit; built once,
    copied per test."""
    folder = tmp_path_factory.mktemp("typing-credit")
    database = build_template(folder)
    engine = make_engine(f"sqlite:///{database}")
    clock.freeze(MONDAY_MORNING)
    try:
        with unit_of_work(engine) as session:
            home = session.exec(select(BranchRow)).one()
            Factory(session).staff(home, *RISK, role="risk_manager")
        settings = load_settings(write_config(folder, database))
        zhang = login(engine, settings, "zhangwei")
        made = zhang.credit.new(
            customer_no=CUSTOMER[0],
            product="流动资金贷款",
            amount="100万",
            term_months=12,
            purpose="采购原材料",
        )
        for item in settings.credit.items:
            zhang.credit.check(made.file.id, item, "pass", finding="无异常")
        zhang.credit.add_guarantor(made.file.id, name="担保人甲", net_assets="150万")
        zhang.credit.add_guarantor(made.file.id, name="担保人乙", net_assets="60万")
    finally:
        clock.set_now(None)
        engine.dispose()
    return database


def _today_ready() -> tuple[str, ...]:
    return (CUSTOMER[1][:4],)


def _queue_ready() -> tuple[str, ...]:
    return (t("tui.credit.queue_count", waiting=1, late=0), CUSTOMER[1][:4])


def _expect(row: tuple[str, str], said: str) -> Callable[[Branch, Screen], None]:
    """The check that the file holds ``row`` (state, risk manager) and the screen ``said``."""

    def check(branch: Branch, screen: Screen) -> None:
        wait_until(lambda: tuple(branch.rows(FILE)[0]) == row, f"{row}", screen)
        screen.wait_shows(said)
        screen.wait_quiet(0.5)
        assert [tuple(r) for r in branch.rows(FILE)] == [row], screen.text()

    return check


def _cases() -> list[Case]:
    submit = keys_of("f3", f"text:{CUSTOMER[0]}", "enter", "l", "enter", "s", "enter")
    return [
        Case(
            "sign and submit",
            "zhangwei",
            _today_ready,
            lambda: submit,
            _expect(("submitted", RISK[0]), t("tui.credit.submitted", risk=RISK[1])),
        ),
        Case(
            "sign",
            RISK[0],
            _queue_ready,
            lambda: ["enter", "a", "y"],
            _expect(("approved", RISK[0]), t("tui.credit.signed", id=1, name=CUSTOMER[1])),
        ),
    ]


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield


@pytest.mark.parametrize("pace", PACES)
def test_a_credit_file_submitted_and_signed_is_stored_as_typed(
    pace: str, template: Path, tmp_path: Path
) -> None:
    branch = branch_copy(template, tmp_path)
    assert [tuple(r) for r in branch.rows(FILE)] == [("draft", None)]
    for n, case in enumerate(_cases()):
        log = tmp_path / f"screen{n}.log"
        terminal = Terminal(branch.argv(case.login), branch.env(), log=log)
        try:
            run_case(case, terminal, branch, PACES[pace])
        finally:
            terminal.close()
