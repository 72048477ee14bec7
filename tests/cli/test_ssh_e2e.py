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
import shutil
import signal
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

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade

pytestmark = pytest.mark.paced

SSHD = Path("/usr/sbin/sshd")
CMW = Path(sys.executable).parent / "cmw"
"""The ``cmw`` of the virtual environment running the tests: what the forced command runs."""
REQUIRED = os.environ.get("CMW_REQUIRE_SSHD") == "1"
WAIT_SECONDS = 10.0
"""Longest wait for any one thing (sshd listening, a screen, a database row)."""
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


def _missing_tools() -> list[str]:
    wanted = {"sshd": SSHD.is_file(), "cmw": CMW.is_file()}
    for tool in ("ssh", "ssh-keygen", "tmux"):
        wanted[tool] = shutil.which(tool) is not None
    return [tool for tool, present in wanted.items() if not present]


@dataclass
class Server:
    """A running sshd and everything the tests need to reach it."""

    port: int
    user: str
    keys: dict[str, Path]
    """login → private key file."""
    engine: Engine
    folder: Path
    config: Path
    """The config.toml that sshd's ``SetEnv CMW_CONFIG`` hands every session."""
    log: Path
    """sshd's own log (``-e``)."""

    def ssh_args(self, login: str, *extra: str) -> list[str]:
        """An ``ssh`` command line for ``login``'s key that uses nothing of the developer's."""
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(self.keys[login]),
            "-p",
            str(self.port),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=5",
            *extra,
            f"{self.user}@127.0.0.1",
        ]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def workbenches(self) -> list[int]:
        """Process ids of the ``cmw tui`` sessions this sshd started (found by their config)."""
        marker = f"CMW_CONFIG={self.config}".encode()
        found = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if b"tui" in (proc / "cmdline").read_bytes() and marker in (
                    proc / "environ"
                ).read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:  # gone meanwhile, or not ours to read
                continue
        return found

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


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, **kwargs)


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sshd_config(folder: Path, port: int, user: str, config: Path) -> Path:
    root = os.geteuid() == 0
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f'HostKey "{folder / "host_ed25519_key"}"',
        f'PidFile "{folder / "sshd.pid"}"',
        f'AuthorizedKeysFile "{folder / "authorized_keys"}"',
        f"AllowUsers {user}",
        "StrictModes no",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        # Root may log in only through a key with a forced command: exactly what
        # authorized_keys holds (CI runs as root; a service account would not need this).
        *(["PermitRootLogin forced-commands-only"] if root else []),
        # Allowed here so that a refusal can only come from the key's `restrict`.
        "AllowTcpForwarding yes",
        "PrintMotd no",
        "PrintLastLog no",
        "LogLevel VERBOSE",
        # What a branch puts in /etc/cmworkbench/config.toml, pointed at the test's files.
        f'SetEnv "CMW_CONFIG={config}" CMW_NOW={MONDAY_MORNING} LANG=C.UTF-8',
    ]
    path = folder / "sshd_config"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _start_sshd(folder: Path, user: str, config: Path) -> tuple[subprocess.Popen[bytes], int]:
    """sshd in the foreground on a free port, logging to ``sshd.log``; once it answers."""
    log = folder / "sshd.log"
    for _attempt in range(3):  # another process may take the free port before sshd binds it
        port = _free_port()
        with log.open("ab") as sink:
            sshd = subprocess.Popen(
                [str(SSHD), "-D", "-e", "-f", str(_sshd_config(folder, port, user, config))],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                env=_clean_env(),
            )
        deadline = time.monotonic() + WAIT_SECONDS
        while sshd.poll() is None and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    if conn.recv(8).startswith(b"SSH-"):
                        return sshd, port
            except OSError:
                time.sleep(0.05)
        _stop(sshd)
    log_text = log.read_text(encoding="utf-8", errors="replace")
    pytest.fail(f"sshd did not start:\n{log_text}", pytrace=False)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _grant_keys(folder: Path, config: Path) -> dict[str, Path]:
    """A new ed25519 key per manager, granted with ``cmw staff grant-key`` as IT would."""
    env = _clean_env() | {"CMW_CONFIG": str(config), "CMW_NOW": MONDAY_MORNING}
    keys = {}
    for login in MANAGERS:
        key = folder / f"id_{login}"
        keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{login}@laptop"]
        _run([*keygen, "-f", str(key)], check=True)
        grant = [str(CMW), "staff", "grant-key", login, f"{key}.pub"]
        done = _run([*grant, "--authorized-keys", str(folder / "authorized_keys")], env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        keys[login] = key
    return keys


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """sshd on a free loopback port, with both managers' keys granted by ``cmw``."""
    missing = _missing_tools()
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install openssh-server tmux)"
        if REQUIRED:
            pytest.fail(f"CMW_REQUIRE_SSHD=1 but this machine lacks: {reason}", pytrace=False)
        pytest.skip(reason)
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
    keys = _grant_keys(folder, config)
    host_key = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
    _run([*host_key, "-f", str(folder / "host_ed25519_key")], check=True)
    if os.geteuid() == 0:
        # sshd started as root refuses to run without its privilege separation directory,
        # which the distribution's service unit creates at boot (absent in a container).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    user = pwd.getpwuid(os.getuid()).pw_name
    sshd, port = _start_sshd(folder, user, config)
    result = Server(port, user, keys, engine, folder, config, folder / "sshd.log")
    try:
        yield result
    finally:
        _stop(sshd)
        subprocess.run(
            ["tmux", "-S", str(folder / "tmux.sock"), "kill-server"],
            capture_output=True,
            env=_clean_env(),
            timeout=10,
        )
        for pid in result.workbenches():  # a failed test must not leave a session behind
            os.kill(pid, signal.SIGKILL)
        engine.dispose()


def _clean_env() -> dict[str, str]:
    """This process's environment without a developer's ssh agent, tmux or cmworkbench."""
    drop = ("SSH_AUTH_SOCK", "TMUX", "TMUX_PANE", "CMW_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return env | {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"}


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
        done = _run(["tmux", "-u", "-S", str(self.socket), *args], env=_clean_env())
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
            env=_clean_env(),
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
    done = _run(
        [*server.ssh_args("zhangwei", "-T"), "echo pwned; touch pwned"],
        stdin=subprocess.DEVNULL,
        env=_clean_env(),
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
    local = _free_port()
    forward = subprocess.Popen(
        server.ssh_args("zhangwei", "-N", "-L", f"127.0.0.1:{local}:127.0.0.1:{server.port}"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_clean_env(),
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
