"""Sessions through the session server (``cmw sessions serve``): the same workbench, on the same
terminal, for half the memory.

Given a session server listening on the socket the branch's config names, when ``cmw tui`` runs
on a pseudo-terminal, then it is a small client whose terminal a child of the server works on:
every typing case's keys reach the database exactly as when the workbench runs alone, a resized
window is followed, a dropped connection ends the child, and without a server (or with one of
another build) ``cmw tui`` runs alone as before.
"""

from __future__ import annotations

import fcntl
import inspect
import json
import os
import signal
import socket
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cases import CASES, PACES, run_case
from terminal import Terminal
from world import CMW, Branch, branch_copy, build_template

from cmworkbench import config, i18n, launcher

pytestmark = pytest.mark.paced

WAIT = 20.0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    socket: Path

    def children(self) -> list[int]:
        """The sessions it runs now."""
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(pid) for pid in found]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("typing-server"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("sessions")
    path = folder / "run" / "sessions.sock"
    settings = folder / "config.toml"
    settings.write_text(f'[sessions]\nsocket = "{path}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMW_")}
    process = subprocess.Popen(
        [str(CMW), "--config", str(settings), "sessions", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + WAIT
    while not path.exists():
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert time.monotonic() < deadline, "the session server did not start"
        time.sleep(0.1)
    yield Server(process, path)
    process.terminate()
    process.wait(10)


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield


def served_branch(template: Path, folder: Path, socket_path: Path) -> Branch:
    """A copy of the branch whose config names the server's socket."""
    branch = branch_copy(template, folder)
    with branch.config.open("a", encoding="utf-8") as out:
        out.write(f'\n[sessions]\nsocket = "{socket_path}"\n')
    return branch


@contextmanager
def todays_session(folder: Path, socket_path: Path, template: Path) -> Iterator[Terminal]:
    """张伟's ``cmw tui`` on a copy of the branch naming ``socket_path``, once Today shows."""
    branch = served_branch(template, folder, socket_path)
    terminal = Terminal(branch.argv("zhangwei"), branch.env())
    try:
        terminal.wait_shows("已办")
        yield terminal
    finally:
        terminal.close()


def rss_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    raise AssertionError(f"no VmRSS for {pid}")


def wait_until(condition: object, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("case", CASES)
def test_typed_keys_reach_the_workbench_through_the_server(
    case: str, server: Server, template: Path, tmp_path: Path
) -> None:
    branch = served_branch(template, tmp_path, server.socket)
    terminal = Terminal(branch.argv(CASES[case].login), branch.env(), log=tmp_path / "screen.log")
    try:
        run_case(CASES[case], terminal, branch, PACES["50ms"])
        assert len(server.children()) == 1  # the session ran as the server's child
    finally:
        terminal.close()


def test_a_session_is_a_small_client_whose_terminal_the_child_works_on(
    server: Server, template: Path, tmp_path: Path
) -> None:
    with todays_session(tmp_path, server.socket, template) as terminal:
        (child,) = server.children()
        assert os.readlink(f"/proc/{child}/fd/0") == os.readlink(f"/proc/{terminal.pid}/fd/0")
        assert rss_mib(terminal.pid) < 30 < rss_mib(child)  # the client holds no workbench
        # the window grows: the client passes SIGWINCH on, the child lays the screen out again
        terminal.screen.resize(40, 130)
        fcntl.ioctl(terminal.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 130, 0, 0))
        terminal.wait_for(
            lambda text: len(text.splitlines()[0].rstrip()) > 110, "the header at 130 columns"
        )
        assert terminal.close() == 0
        wait_until(lambda: not server.children(), "the child to end with its client")


def test_a_dropped_connection_ends_the_child(
    server: Server, template: Path, tmp_path: Path
) -> None:
    with todays_session(tmp_path, server.socket, template) as terminal:
        assert len(server.children()) == 1
        os.kill(terminal.pid, signal.SIGKILL)  # as when the SSH connection is cut
        wait_until(lambda: not server.children(), "the child to hang up", timeout=10)


def test_without_a_server_or_with_another_build_the_workbench_runs_alone(
    server: Server, template: Path, tmp_path: Path
) -> None:
    with todays_session(tmp_path, tmp_path / "nobody.sock", template) as terminal:
        assert rss_mib(terminal.pid) > 50 and not server.children()
    # a client of another build is told so (and would run alone)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(server.socket))
        body = json.dumps({"argv": ["tui"], "env": {}, "cwd": "/", "build": "another"}).encode()
        with open(os.devnull) as null:
            fd = null.fileno()
            socket.send_fds(conn, [launcher.HEADER.pack(len(body)) + body], [fd, fd, fd])
        assert conn.recv(16) == b"NO\n"
    assert not server.children()


def test_one_server_per_socket(server: Server, tmp_path: Path) -> None:
    settings = tmp_path / "config.toml"
    settings.write_text(f'[sessions]\nsocket = "{server.socket}"\n', encoding="utf-8")
    second = subprocess.run(
        [str(CMW), "--config", str(settings), "sessions", "serve"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("CMW_")} | {"LANG": "C"},
        timeout=60,
    )
    assert second.returncode == 2 and str(server.socket) in second.stderr
    assert server.process.poll() is None


def test_the_client_reads_the_same_config_file_as_the_workbench() -> None:
    """The client reads the config without importing :mod:`cmworkbench.config` (its memory is
    every session's), so it names the system-wide file itself (the tests move that one)."""
    line = f'SYSTEM_CONFIG = Path("{launcher.SYSTEM_CONFIG}")'
    assert line in Path(inspect.getfile(config)).read_text(encoding="utf-8")
