"""End to end over real SSH: OpenSSH's sshd, the lines ``cmw staff grant-key`` writes, the
``ssh`` client in a tmux pane, and the Today screen worked with keystrokes.

Given two customer managers, 张伟 and 李娜, who each own two customers with a contact task due
on Monday 2026-11-23, and one ed25519 key granted to each with the real CLI, when each key logs
in to a private sshd on a loopback port, then each lands on their own Today list and sees
nobody else's customers; ``c`` ``1`` logs a reached call on the first row, which the database
stores under that manager (the task closed, an audit row); ``Ctrl+Q`` ends the session. When
the connection drops, the workbench process ends with it. A command given on the ssh command
line runs the workbench instead (which, without a terminal, says so and exits), and a port
forwarding is refused.

The sshd is the machine's own ``/usr/sbin/sshd`` run as the current user with a config, host key
and ``authorized_keys`` in ``tmp_path``; tmux runs on a private socket. Nothing in ``/etc`` or a
developer's tmux is touched. Without sshd or tmux the tests are skipped, unless
``CMW_REQUIRE_SSHD=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import io
import itertools
import os
import pwd
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY_MORNING, Factory
from sqlalchemy import Engine, text
from sshd import CMW, Sshd, clean_env, free_port, need, run

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade

pytestmark = pytest.mark.paced

WAIT_SECONDS = 10.0
"""Longest wait for any one thing (a screen, a database row, a process)."""
SIZE = (100, 30)

MANAGERS: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    "zhangwei": (
        "张伟",
        [
            ("C001", "华东机械", "A1", "2026-11-18T09:00"),
            ("C002", "西湖茶庄", "B1", "2026-11-23T10:00"),
        ],
    ),
    "lina": (
        "李娜",
        [
            ("C101", "钱塘物流", "A2", "2026-11-19T09:00"),
            ("C102", "之江建材", "C", "2026-11-23T11:00"),
        ],
    ),
}
"""login → (name, customers: number, name, class, task due). The first customer of each is the
most overdue, so it is the first row of their Today list."""


@dataclass
class Server:
    """The running sshd (:class:`sshd.Sshd`) and the branch database its sessions use."""

    sshd: Sshd
    engine: Engine

    @property
    def folder(self) -> Path:
        return self.sshd.folder

    @property
    def log(self) -> Path:
        return self.sshd.log

    @property
    def user(self) -> str:
        return self.sshd.user

    @property
    def port(self) -> int:
        return self.sshd.port

    def ssh_args(self, login: str, *extra: str) -> list[str]:
        return self.sshd.ssh_args(login, *extra)

    def log_tail(self, lines: int = 40) -> str:
        return self.sshd.log_tail(lines)

    def workbenches(self) -> list[int]:
        return self.sshd.workbenches()

    def rows(self, sql: str, **params: object) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())


def wait_for(condition: Callable[[], bool], what: str, diagnostics: Callable[[], str]) -> None:
    """Poll ``condition`` until it holds; after :data:`WAIT_SECONDS` fail, showing why."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT_SECONDS:.0f} s for {what}\n{diagnostics()}", pytrace=False)
        time.sleep(0.05)


def _build_database(folder: Path) -> Engine:
    """Both managers, their customers and a contact task on each, as of Monday 08:30."""
    engine = make_engine(f"sqlite:///{folder}/cmw.db")
    upgrade(engine)
    clock.freeze(MONDAY_MORNING)
    try:
        with unit_of_work(engine) as session:
            f = Factory(session)
            branch = f.branch()
            team = f.team(branch)
            for login, (name, customers) in MANAGERS.items():
                manager = f.staff(branch, login, name, team=team)
                for number, customer_name, cls, due in customers:
                    customer = f.customer(manager, number, customer_name, cls=cls)
                    task = f.task(manager, due)
                    task.customer_id = customer.id
                    session.add(task)
    finally:
        clock.set_now(None)
    return engine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """sshd on a free loopback port, with both managers' keys granted by ``cmw``."""
    need("tmux")
    folder = tmp_path_factory.mktemp("ssh")
    folder.chmod(0o700)
    engine = _build_database(folder)
    config = folder / "config.toml"
    config.write_text(
        f'[general]\nlanguage = "zh_CN"\ndatabase_path = "{folder / "cmw.db"}"\n\n'
        # No scheduler leader in the TUI: its jobs are not what this test is about.
        "[scheduler]\nin_tui = false\n",
        encoding="utf-8",
    )
    sshd = Sshd(folder, config)
    for login in MANAGERS:
        sshd.grant(login)
    sshd.start()
    try:
        yield Server(sshd, engine)
    finally:
        sshd.stop()
        subprocess.run(
            ["tmux", "-S", str(folder / "tmux.sock"), "kill-server"],
            capture_output=True,
            env=clean_env(),
            timeout=10,
        )
        engine.dispose()


_PANES = itertools.count(1)


class Pane:
    """The ``ssh`` client running in a detached tmux session on a private socket."""

    def __init__(self, server: Server, login: str) -> None:
        self.server = server
        self.name = f"cmw-{login}-{next(_PANES)}"
        self.socket = server.folder / "tmux.sock"
        self.last = ""
        """The screen as last captured."""
        conf = server.folder / "tmux.conf"
        # Keep the pane after ssh ends, to show its last screen; no status line.
        conf.write_text("set -g remain-on-exit on\nset -g status off\n", encoding="utf-8")
        # The shell in the pane writes ssh's exit status down (tmux's own pane_dead_status
        # is sometimes never filled in by tmux 3.3).
        self.status_file = server.folder / f"{self.name}.status"
        self.status_file.unlink(missing_ok=True)
        ssh = shlex.join(server.ssh_args(login, "-tt"))
        ssh += f"; echo $? > {shlex.quote(str(self.status_file))}"
        size = ["-x", str(SIZE[0]), "-y", str(SIZE[1])]
        self.tmux("-f", str(conf), "new-session", "-d", "-s", self.name, *size, ssh)

    def tmux(self, *args: str) -> str:
        done = run(["tmux", "-u", "-S", str(self.socket), *args], env=clean_env())
        assert done.returncode == 0, f"tmux {' '.join(args)}: {done.stderr}"
        return done.stdout

    def screen(self) -> str:
        self.last = self.tmux("capture-pane", "-p", "-t", self.name)
        return self.last

    def shows(self, *fragments: str) -> bool:
        screen = self.screen()
        return all(fragment in screen for fragment in fragments)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def exit_status(self) -> str:
        """``ssh``'s exit status once it has ended; empty while it runs."""
        return self.status_file.read_text().strip() if self.status_file.exists() else ""

    def diagnostics(self) -> str:
        return (
            f"--- last screen of {self.name} ---\n{self.last}\n"
            f"--- sshd log ---\n{self.server.log_tail()}"
        )

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        wait_for(condition, what, self.diagnostics)

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-session", "-t", self.name],
            capture_output=True,
            env=clean_env(),
            timeout=10,
        )


@pytest.fixture
def open_pane(server: Server) -> Iterator[Callable[[str], Pane]]:
    """``open_pane(login)``: that manager's key, logged in through ssh in tmux."""
    panes: list[Pane] = []

    def start(login: str) -> Pane:
        pane = Pane(server, login)
        panes.append(pane)
        return pane

    yield start
    for pane in panes:
        pane.close()


def _staff_id(server: Server, login: str) -> int:
    return int(server.rows("SELECT id FROM staff WHERE login = :login", login=login)[0][0])


def _customer_names(login: str) -> list[str]:
    return [name for _no, name, _cls, _due in MANAGERS[login][1]]


@pytest.mark.parametrize("login", ["zhangwei", "lina"])
def test_each_key_opens_its_managers_today_and_logs_a_call(
    server: Server, open_pane: Callable[[str], Pane], login: str
) -> None:
    name, customers = MANAGERS[login]
    first_no, first_name = customers[0][0], customers[0][1]
    others = [n for other in MANAGERS if other != login for n in _customer_names(other)]
    pane = open_pane(login)

    pane.wait(lambda: pane.shows(name, *_customer_names(login)), f"{name}'s Today list")
    assert not [other for other in others if other in pane.last], "another manager's customers"

    pane.keys("c")  # log a call outcome on the first row …
    i18n.set_language("zh_CN")
    title = i18n.t("tui.outcome.title.call", name=first_name)
    pane.wait(lambda: pane.shows(title), "the call outcome dialog")
    pane.keys("1")  # … reached
    called = "SELECT staff_id, outcome FROM interaction WHERE customer_id ="
    called += " (SELECT id FROM customer WHERE customer_no = :no)"
    pane.wait(lambda: bool(server.rows(called, no=first_no)), "the call in the database")
    pane.wait(lambda: not pane.shows(first_name), f"{first_name} to leave the list")

    pane.keys("C-q")
    pane.wait(lambda: pane.exit_status() != "", "the session to end after Ctrl+Q")
    assert pane.exit_status() == "0", pane.diagnostics()

    staff_id = _staff_id(server, login)
    assert [tuple(row) for row in server.rows(called, no=first_no)] == [(staff_id, "reached")]
    task = server.rows(
        "SELECT t.status, t.closed_by_id FROM task t JOIN customer c ON c.id = t.customer_id"
        " WHERE c.customer_no = :no",
        no=first_no,
    )
    assert [tuple(row) for row in task] == [("done", staff_id)]
    audited = server.rows(
        "SELECT a.action, a.object_type FROM audit_log a JOIN customer c ON c.id = a.customer_id"
        " WHERE a.staff_id = :staff AND c.customer_no = :no",
        staff=staff_id,
        no=first_no,
    )
    assert ("close", "task") in [tuple(row) for row in audited]
    untouched = server.rows(
        "SELECT count(*) FROM interaction i JOIN customer c ON c.id = i.customer_id"
        " WHERE c.customer_no = :no",
        no=customers[1][0],
    )
    assert untouched[0][0] == 0, "only the first row was worked"


def test_a_dropped_connection_ends_the_workbench(
    server: Server, open_pane: Callable[[str], Pane]
) -> None:
    pane = open_pane("zhangwei")
    pane.wait(lambda: pane.shows("张伟", "西湖茶庄"), "张伟's Today list")
    assert server.workbenches(), "the session's cmw tui is running"
    pane.close()  # the terminal goes away with its ssh client, as when a laptop is shut
    pane.wait(lambda: not server.workbenches(), "cmw tui to exit after the connection dropped")


def test_a_command_on_the_ssh_line_runs_the_workbench_instead(server: Server) -> None:
    done = run(
        [*server.ssh_args("zhangwei", "-T"), "echo pwned; touch pwned"],
        stdin=subprocess.DEVNULL,
        env=clean_env(),
    )
    output = done.stdout + done.stderr
    assert "pwned" not in output, server.log_tail()
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert not (home / "pwned").exists()
    # The forced `cmw tui` ran instead, found no terminal and said so (no workbench left).
    assert done.returncode == 2, output
    i18n.set_language("zh_CN")
    assert i18n.t("cli.tui.no_terminal") in output
    no_pty = f"forced-command (key-option) '{CMW} tui --as zhangwei' for {server.user} from"
    assert no_pty in server.log.read_text(encoding="utf-8", errors="replace")
    assert not server.workbenches()


def test_port_forwarding_is_refused(server: Server) -> None:
    local = free_port()
    forward = subprocess.Popen(
        server.ssh_args("zhangwei", "-N", "-L", f"127.0.0.1:{local}:127.0.0.1:{server.port}"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    try:
        listening: list[bytes] = []

        def tunnel_answers() -> bool:
            assert forward.poll() is None or listening, "ssh -L ended before it listened"
            try:
                with socket.create_connection(("127.0.0.1", local), timeout=2) as conn:
                    conn.settimeout(5)
                    listening.append(conn.recv(64))
                    return True
            except OSError:
                return False

        wait_for(tunnel_answers, "ssh -L to listen", server.log_tail)
        assert listening == [b""], "the tunnel reached sshd's own port"
        refused = "refused local port forward: originator 127.0.0.1 port"
        wait_for(lambda: refused in server.log_tail(), "sshd to log the refusal", server.log_tail)
    finally:
        # SIGKILL: OpenSSH 9.2's client now and then sits through a SIGTERM while forwarding.
        forward.kill()
        forward.communicate(timeout=10)


def test_the_workbench_without_a_terminal_says_so_and_exits(
    engine: Engine,
    build: Callable[[], AbstractContextManager[Factory]],
    frozen_clock: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What ``ssh host COMMAND`` gets (no sshd needed): one line, exit 2, no app spinning."""
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # even under `pytest -s` in a terminal
    with build() as f:
        f.staff(f.branch(), "zhangwei", "张伟")
    assert main(["--db", f"sqlite:///{tmp_path}/t.db", "tui", "--as", "zhangwei"]) == 2
    err = capsys.readouterr().err
    assert i18n.t("cli.tui.no_terminal") in err and len(err.splitlines()) == 1
