"""Keys typed ahead are never lost over SSH either: the typing cases through a real sshd.

Given the branch of the typing tests behind a private sshd (``tests/sshd.py``: the machine's
``/usr/sbin/sshd``, keys granted with ``cmw staff grant-key``), when ``ssh -tt`` runs on a pty
and the keys are written the way a slow network delivers them (three keys at a time, 80 ms
apart; or everything in one packet), then the database holds exactly what was typed, as on a
local terminal (``test_typing.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases import CASES, Case, run_case
from sshd import Sshd, clean_env, need
from terminal import Terminal
from world import branch_copy, build_template, write_config

from cmworkbench import i18n

pytestmark = pytest.mark.paced

NETWORK = {"packets": (0.08, 3), "one packet": (0.0, 1)}
"""Pace name → (seconds between writes, keys per write)."""


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sshd, Path]]:
    """sshd on a free loopback port whose sessions use ``folder/cmw.db``; keys for the case
    logins; the template each case copies to that path."""
    need()
    folder = tmp_path_factory.mktemp("typing-ssh")
    folder.chmod(0o700)
    template = build_template(folder / "template")
    server = Sshd(folder, write_config(folder, folder / "cmw.db"))
    branch_copy(template, folder)  # the branch the grants are written against
    for login in sorted({case.login for case in CASES.values()}):
        server.grant(login)
    server.start()
    try:
        yield server, template
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield


@pytest.mark.parametrize("pace", NETWORK)
@pytest.mark.parametrize("case", CASES)
def test_every_key_typed_over_ssh_is_acted_on(
    case: str, pace: str, sshd: tuple[Sshd, Path]
) -> None:
    server, template = sshd
    wanted: Case = CASES[case]
    branch = branch_copy(template, server.folder)
    gap, burst = NETWORK[pace]
    terminal = Terminal(server.ssh_args(wanted.login, "-tt"), clean_env())
    try:
        run_case(wanted, terminal, branch, gap, burst)
    finally:
        terminal.close()
        _wait_sessions_ended(server)


def _wait_sessions_ended(server: Sshd) -> None:
    """The next case copies a fresh branch over the database: no session may still use it."""
    deadline = time.monotonic() + 10
    while server.workbenches():
        assert time.monotonic() < deadline, "a workbench session outlived its ssh client"
        time.sleep(0.1)
