"""A private OpenSSH server for the end-to-end tests: the machine's own ``/usr/sbin/sshd`` run as
the current user on a free loopback port, with a config, host key and ``authorized_keys`` in a
test folder, and keys granted with the real ``cmw staff grant-key``.

Nothing in ``/etc`` or the developer's ssh setup is touched. Without sshd the tests using it
are skipped, unless ``CMW_REQUIRE_SSHD=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY_MORNING

SSHD = Path("/usr/sbin/sshd")
CMW = Path(sys.executable).parent / "cmw"
"""The ``cmw`` of the virtual environment running the tests: what the forced command runs."""
REQUIRED = os.environ.get("CMW_REQUIRE_SSHD") == "1"
WAIT_SECONDS = 10.0
"""Longest wait for sshd to answer."""


def need(*tools: str) -> None:
    """Skip (or, with ``CMW_REQUIRE_SSHD=1``, fail) unless sshd, cmw and ``tools`` are here."""
    wanted = {"sshd": SSHD.is_file(), "cmw": CMW.is_file()}
    for tool in ("ssh", "ssh-keygen", *tools):
        wanted[tool] = shutil.which(tool) is not None
    missing = [tool for tool, present in wanted.items() if not present]
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install openssh-server tmux)"
        if REQUIRED:
            pytest.fail(f"CMW_REQUIRE_SSHD=1 but this machine lacks: {reason}", pytrace=False)
        pytest.skip(reason)


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, **kwargs)


def clean_env() -> dict[str, str]:
    """This process's environment without a developer's ssh agent, tmux or cmworkbench."""
    drop = ("SSH_AUTH_SOCK", "TMUX", "TMUX_PANE", "CMW_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return env | {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Sshd:
    """A running sshd whose sessions run ``cmw tui`` with :attr:`config`."""

    folder: Path
    config: Path
    """The config.toml that ``SetEnv CMW_CONFIG`` hands every session."""
    port: int = 0
    user: str = field(default_factory=lambda: pwd.getpwuid(os.getuid()).pw_name)
    keys: dict[str, Path] = field(default_factory=dict)
    """login → private key file."""
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        """sshd's own log (``-e``)."""
        return self.folder / "sshd.log"

    def grant(self, login: str) -> Path:
        """A new ed25519 key for ``login``, granted with ``cmw staff grant-key`` as IT would."""
        env = clean_env() | {"CMW_CONFIG": str(self.config), "CMW_NOW": MONDAY_MORNING}
        key = self.folder / f"id_{login}"
        keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{login}@laptop"]
        run([*keygen, "-f", str(key)], check=True)
        grant = [str(CMW), "staff", "grant-key", login, f"{key}.pub"]
        done = run([*grant, "--authorized-keys", str(self.folder / "authorized_keys")], env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        self.keys[login] = key
        return key

    def start(self) -> None:
        """sshd in the foreground on a free port, logging to :attr:`log`; once it answers."""
        host_key = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
        run([*host_key, "-f", str(self.folder / "host_ed25519_key")], check=True)
        if os.geteuid() == 0:
            # sshd started as root refuses to run without its privilege separation directory,
            # which the distribution's service unit creates at boot (absent in a container).
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        for _attempt in range(3):  # another process may take the free port before sshd binds it
            port = free_port()
            with self.log.open("ab") as sink:
                sshd = subprocess.Popen(
                    [str(SSHD), "-D", "-e", "-f", str(self._write_config(port))],
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=sink,
                    env=clean_env(),
                )
            deadline = time.monotonic() + WAIT_SECONDS
            while sshd.poll() is None and time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                        if conn.recv(8).startswith(b"SSH-"):
                            self.port, self.process = port, sshd
                            return
                except OSError:
                    time.sleep(0.05)
            stop(sshd)
        pytest.fail(f"sshd did not start:\n{self.log_tail()}", pytrace=False)

    def _write_config(self, port: int) -> Path:
        folder = self.folder
        lines = [
            f"Port {port}",
            "ListenAddress 127.0.0.1",
            f'HostKey "{folder / "host_ed25519_key"}"',
            f'PidFile "{folder / "sshd.pid"}"',
            f'AuthorizedKeysFile "{folder / "authorized_keys"}"',
            f"AllowUsers {self.user}",
            "StrictModes no",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            # Root may log in only through a key with a forced command: exactly what
            # authorized_keys holds (CI runs as root; a service account would not need this).
            *(["PermitRootLogin forced-commands-only"] if os.geteuid() == 0 else []),
            # Allowed here so that a refusal can only come from the key's `restrict`.
            "AllowTcpForwarding yes",
            "PrintMotd no",
            "PrintLastLog no",
            "LogLevel VERBOSE",
            # What a branch puts in /etc/cmworkbench/config.toml, pointed at the test's files.
            f'SetEnv "CMW_CONFIG={self.config}" CMW_NOW={MONDAY_MORNING} LANG=C.UTF-8',
        ]
        path = folder / "sshd_config"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

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

    def stop(self) -> None:
        """Stop sshd and any session it left behind."""
        if self.process is not None:
            stop(self.process)
        for pid in self.workbenches():  # a failed test must not leave a session behind
            os.kill(pid, signal.SIGKILL)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
