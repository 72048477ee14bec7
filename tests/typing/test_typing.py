"""Keys typed ahead are never lost: the workbench as a person types into it, on a real pty.

Given 张伟's Today with twelve calls due, a complaint waiting for its return call and customers
whose initials are ``zw`` (and 赵敏, who supervises the team), when ``cmw tui`` runs on a
pseudo-terminal and keys are written to it without waiting for the screen (in one burst, 50 ms
apart, 150 ms apart), then the database holds exactly what was typed:

* ``c 1`` ten times on Today: ten calls logged as reached, on the first ten rows in order;
* ``F5 t`` (a supervisor): the Complaints screen, switched to her own tickets;
* ``F5 k`` then the result, ``Tab``, ``4``, ``Enter``: the return call with its satisfaction;
* ``F3 z w Enter``: the customer 360 view of the first hit for ``zw`` (not Today's first row);
* ``F5 n``, a customer number, ``Tab``, the description, the category, ``Ctrl+S``: one ticket
  with every field.

Each case runs once per pace here; ``-m slow`` runs each 20 times per pace (zero losses
allowed), and is run before an issue that touches keys is called resolved. These are the
tests the Pilot cannot be: it waits for the app between keys.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases import CASES, PACES, Case, run_case
from terminal import Terminal
from world import Branch, branch_copy, build_template

from cmworkbench import i18n

pytestmark = pytest.mark.paced

SLOW_REPEATS = int(os.environ.get("CMW_TYPING_REPEATS", "20"))
"""Runs per case and pace under ``-m slow``."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded branch, built once; each test types into its own copy."""
    return build_template(tmp_path_factory.mktemp("typing"))


def type_case(case: Case, gap: float, template: Path, folder: Path) -> None:
    """Run ``case`` on a fresh copy of the branch, typing with ``gap`` between keys."""
    branch: Branch = branch_copy(template, folder)
    terminal = Terminal(branch.argv(case.login), branch.env(), log=folder / "screen.log")
    try:
        run_case(case, terminal, branch, gap)
    finally:
        terminal.close()


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield


@pytest.mark.parametrize("pace", PACES)
@pytest.mark.parametrize("case", CASES)
def test_every_key_typed_is_acted_on(case: str, pace: str, template: Path, tmp_path: Path) -> None:
    type_case(CASES[case], PACES[pace], template, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("pace", PACES)
@pytest.mark.parametrize("case", CASES)
def test_every_key_typed_is_acted_on_every_time(
    case: str, pace: str, template: Path, tmp_path: Path
) -> None:
    failures = []
    for run in range(SLOW_REPEATS):
        try:
            type_case(CASES[case], PACES[pace], template, tmp_path / f"run{run}")
        except AssertionError as failure:
            failures.append(f"run {run}: {str(failure).splitlines()[0]}")
    print(f"{case} at {pace}: {len(failures)} of {SLOW_REPEATS} runs lost keys")
    assert not failures, f"{len(failures)} of {SLOW_REPEATS} lost keys:\n" + "\n".join(failures)
