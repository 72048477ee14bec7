"""A teller's referral typed on a real pty: every key reaches the form, in order.

Given the branch of the typing tests (:mod:`world`) with a teller, 陈丽 (chenli, a referrer),
when ``cmw tui --as chenli`` runs on a pseudo-terminal and she types a prospect into the
referral form without waiting for the screen (``Tab`` to the name, the name, ``Tab``, the
phone, ``Tab`` ``Tab`` past the ID number, the need, ``Tab`` to the product, ``Enter`` ``↓``
``↓`` ``Enter`` to take the second category, ``Ctrl+S``), in one burst, 50 ms or 150 ms apart,
then the database holds one referral and one lead in the pool with exactly what was typed.

The case runs once per pace here, 20 times per pace under ``-m slow`` (as ``test_typing.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases import PACES, Case, Screen, run_case, wait_until
from conftest import MONDAY_MORNING, Factory
from sqlmodel import select
from terminal import Terminal, keys_of
from world import Branch, branch_copy, build_template

from cmworkbench import clock, i18n
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.models import Branch as BranchRow
from cmworkbench.db.models import Team
from cmworkbench.i18n import t

pytestmark = pytest.mark.paced

SLOW_REPEATS = int(os.environ.get("CMW_TYPING_REPEATS", "20"))
"""Runs per pace under ``-m slow``."""

TELLER = ("chenli", "陈丽")
NAME = "欧阳娜娜"
PHONE = "139 0571 2345"
NEED = "想了解大额存单和一年期理财"
PRODUCT = Settings().referrals.products[1]
"""The second category: two ``↓`` below the blank prompt."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The typing tests' branch, and a teller in its team; built once, copied per test."""
    database = build_template(tmp_path_factory.mktemp("typing-referral"))
    engine = make_engine(f"sqlite:///{database}")
    clock.freeze(MONDAY_MORNING)
    try:
        with unit_of_work(engine) as session:
            home = session.exec(select(BranchRow)).one()
            team = session.exec(select(Team)).first()
            Factory(session).staff(home, *TELLER, role="referrer", team=team)
    finally:
        clock.set_now(None)
        engine.dispose()
    return database


def _ready() -> tuple[str, ...]:
    return (t("tui.referral.title"), t("tui.referral.empty"))


def _keys() -> list[str]:
    return keys_of(
        "tab", f"text:{NAME}", "tab", f"text:{PHONE}", "tab", "tab", f"text:{NEED}", "tab",
        "enter", "down", "down", "enter", "ctrl+s",
    )  # fmt: skip


def _check(branch: Branch, screen: Screen) -> None:
    stored = (
        "SELECT l.name, l.phone, l.id_number, l.owner_id, r.need, r.product, r.to_id, s.login"
        " FROM referral r JOIN lead l ON l.id = r.lead_id JOIN staff s ON s.id = r.referrer_id"
    )
    wait_until(lambda: bool(branch.rows(stored)), "the referral", screen)
    screen.wait_quiet(0.5)
    assert [tuple(r) for r in branch.rows(stored)] == [
        (NAME, PHONE.replace(" ", ""), None, None, NEED, PRODUCT, None, TELLER[0])
    ], screen.text()
    # the list below the form shows it (the name masked), the form is clear again
    text = screen.text()
    assert NAME[0] + "*" * (len(NAME) - 1) in text, text
    assert NEED not in text, text


REFERRAL_CASE = Case("teller's referral", TELLER[0], _ready, _keys, _check)


def type_case(gap: float, template: Path, folder: Path) -> None:
    """Run the case on a fresh copy of the branch, typing with ``gap`` between keys."""
    branch = branch_copy(template, folder)
    terminal = Terminal(branch.argv(TELLER[0]), branch.env(), log=folder / "screen.log")
    try:
        run_case(REFERRAL_CASE, terminal, branch, gap)
    finally:
        terminal.close()


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield


@pytest.mark.parametrize("pace", PACES)
def test_a_teller_s_referral_is_stored_as_typed(pace: str, template: Path, tmp_path: Path) -> None:
    type_case(PACES[pace], template, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("pace", PACES)
def test_a_teller_s_referral_is_stored_as_typed_every_time(
    pace: str, template: Path, tmp_path: Path
) -> None:
    failures = []
    for run in range(SLOW_REPEATS):
        try:
            type_case(PACES[pace], template, tmp_path / f"run{run}")
        except AssertionError as failure:
            failures.append(f"run {run}: {str(failure).splitlines()[0]}")
    print(f"teller's referral at {pace}: {len(failures)} of {SLOW_REPEATS} runs lost keys")
    assert not failures, f"{len(failures)} of {SLOW_REPEATS} lost keys:\n" + "\n".join(failures)
