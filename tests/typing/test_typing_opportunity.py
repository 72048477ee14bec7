"""A stage move and the proposal's round trip typed on a real pty: every key reaches its field.

Given the branch of the typing tests (:mod:`world`) and 张伟's loan opportunity with 华东机械
(C001, 800万) at 风险评估价值评估, when ``cmw tui`` runs on a pseudo-terminal and each person
types without waiting for the screen:

1. 张伟: ``6`` (the pipeline; the cursor on his one opportunity), ``m``, the cost ``100万``,
   ``Tab``, the expected return ``120万``, ``Enter``: it enters 方案设计与展示 and, at 1:1.2
   (below 1:1.5), stays there waiting for the supervisor;
2. 赵敏 (his supervisor; Today shows the proposal waiting): ``6`` (the proposals waiting for
   her on top), ``b``, her comment, ``Enter``: returned, the comment stored;
3. 张伟: ``6``, ``m`` (on a returned proposal: the revised one), ``100万`` ``Tab`` ``130万``
   ``Enter``: it waits again;
4. 赵敏: ``6``, ``a``: approved,

then the database holds exactly what was typed at each step, and the status line says what
happened. The round trip runs once per pace (one burst, 50 ms, 150 ms apart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cases import PACES, Case, Screen, run_case, wait_until
from conftest import MONDAY_MORNING
from terminal import Terminal, keys_of
from world import Branch, branch_copy, build_template, call_customers, write_config

from cmworkbench import clock, i18n
from cmworkbench.config import load_settings
from cmworkbench.db.engine import make_engine
from cmworkbench.i18n import t
from cmworkbench.services.workbench import login

pytestmark = pytest.mark.paced

CUSTOMER = call_customers()[0]
COMMENT = "收益率偏低 请重新测算"
OPPORTUNITY = "SELECT stage, proposal, cost_yuan, return_yuan, proposal_comment FROM opportunity"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The typing tests' branch, and 张伟's opportunity moved up to the step before the
    proposal; built once, copied per test."""
    folder = tmp_path_factory.mktemp("typing-opportunity")
    database = build_template(folder)
    engine = make_engine(f"sqlite:///{database}")
    clock.freeze(MONDAY_MORNING)
    try:
        zhang = login(engine, load_settings(write_config(folder, database)), "zhangwei")
        opp = zhang.opportunities.new(
            customer_no=CUSTOMER[0],
            product="loan",
            need="流动资金贷款",
            value="800万",
            expected_close="2026-12-31",
        )
        for _ in range(4):
            zhang.opportunities.move(opp.id)
    finally:
        clock.set_now(None)
        engine.dispose()
    return database


def _today_ready() -> tuple[str, ...]:
    return (CUSTOMER[1][:4],)


def _lead_ready() -> tuple[str, ...]:
    return (t("enum.lead_kind.proposal_waiting"),)


def _expect(row: tuple[object, ...], said: str) -> Callable[[Branch, Screen], None]:
    """The check that the opportunity holds ``row`` and the status line says ``said``."""

    def check(branch: Branch, screen: Screen) -> None:
        wait_until(lambda: tuple(branch.rows(OPPORTUNITY)[0]) == row, f"{row}", screen)
        screen.wait_shows(said)
        screen.wait_quiet(0.5)
        assert [tuple(r) for r in branch.rows(OPPORTUNITY)] == [row], screen.text()

    return check


def _cases() -> list[Case]:
    solution = t("enum.opportunity_stage.solution")
    move = keys_of("6", "m", "text:100万", "tab", "text:120万", "enter")
    give_back = keys_of("6", "b", f"text:{COMMENT}", "enter")
    revise = keys_of("6", "m", "text:100万", "tab", "text:130万", "enter")
    return [
        Case(
            "move into the solution step",
            "zhangwei",
            _today_ready,
            lambda: move,
            _expect(
                ("solution", "waiting", 1_000_000, 1_200_000, None),
                t("tui.opportunity.moved_waiting", stage=solution, ratio="1:1.20", min="1:1.5"),
            ),
        ),
        Case(
            "return with a comment",
            "zhaomin",
            _lead_ready,
            lambda: give_back,
            _expect(
                ("solution", "returned", 1_000_000, 1_200_000, COMMENT),
                t("tui.opportunity.returned", name="张伟", customer=CUSTOMER[1]),
            ),
        ),
        Case(
            "revised proposal",
            "zhangwei",
            _today_ready,
            lambda: revise,
            _expect(
                ("solution", "waiting", 1_000_000, 1_300_000, None),
                t("tui.opportunity.proposed_waiting", ratio="1:1.30", min="1:1.5"),
            ),
        ),
        Case(
            "approve",
            "zhaomin",
            _lead_ready,
            lambda: ["6", "a"],
            _expect(
                ("solution", "approved", 1_000_000, 1_300_000, None),
                t("tui.opportunity.approved", name="张伟", customer=CUSTOMER[1], ratio="1:1.30"),
            ),
        ),
    ]


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield


@pytest.mark.parametrize("pace", PACES)
def test_a_stage_move_and_the_approval_round_trip_are_stored_as_typed(
    pace: str, template: Path, tmp_path: Path
) -> None:
    branch = branch_copy(template, tmp_path)
    for n, case in enumerate(_cases()):
        log = tmp_path / f"screen{n}.log"
        terminal = Terminal(branch.argv(case.login), branch.env(), log=log)
        try:
            run_case(case, terminal, branch, PACES[pace])
        finally:
            terminal.close()
