"""``cmw``'s entry point: a session through the branch's session server when one runs, else the
command line in this process.

At 08:30 fifty people open the workbench on one server; each ``cmw tui`` alone would load
Textual, SQLAlchemy, every model and screen again (about 80 MiB of private memory each). With
``[sessions] socket`` set and ``cmw sessions serve`` running (:mod:`cmworkbench.cli.sessions`:
it loads all of that once, then forks one child per session, which shares those pages), a
``cmw tui`` hands its terminal over: it sends its arguments, environment and working folder
with its standard input, output and error (``SCM_RIGHTS``) to the server, whose child runs
exactly what ``cmw`` would have run, on this terminal. This process stays, small, as the
SSH session's process: it passes window-size changes and hang-ups on to the child, restores
the terminal if the child dies, and exits with the child's exit status.

Nothing changes for the person: the same login checks, the same screens, the same exit
status. When no server runs, the socket is not set, the server is of another build (an
upgrade not yet followed by its restart) or refuses, ``cmw`` runs in this process as before.

This module imports nothing of the workbench until it falls back: the client's memory is what
each session costs beside its child.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import termios
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SYSTEM_CONFIG = Path("/etc/cmworkbench/config.toml")
"""The config file read when neither ``--config`` nor ``CMW_CONFIG`` names one (the same as
:data:`cmworkbench.config.SYSTEM_CONFIG`; a test keeps them equal)."""
PACKAGE = Path(__file__).resolve().parent
HEADER = struct.Struct("!I")
"""A request's length, before its JSON."""
CONNECT_SECONDS = 2.0
"""How long the client waits for the server to take its request before running alone."""


def main(argv: Sequence[str] | None = None) -> int:
    """``cmw``: through the session server for the workbench itself, else in this process."""
    args = list(sys.argv[1:] if argv is None else argv)
    if _is_tui(args):
        path = socket_path(args, os.environ)
        if path:
            code = through_server(path, args)
            if code is not None:
                return code
    return run_here(args)


def run_here(args: list[str]) -> int:
    """``cmw args`` in this process (the client's fallback, and each child of the server)."""
    from cmworkbench.cli import main as cli_main

    return cli_main(args)


def _is_tui(args: list[str]) -> bool:
    """``cmw`` alone, or ``cmw [global options] tui …`` (the global options take a value)."""
    rest = iter(args)
    for arg in rest:
        if arg in ("--db", "--config", "--now"):
            next(rest, None)
        elif arg.startswith(("--db=", "--config=", "--now=")):
            continue
        else:
            return arg == "tui"
    return True


def socket_path(args: list[str], env: os._Environ[str] | dict[str, str]) -> str:
    """``[sessions] socket`` of the config ``cmw`` would read ("" when unset or unreadable:
    the command line then reports a broken config itself)."""
    import tomllib

    chosen = option_value(args, "--config") or env.get("CMW_CONFIG")
    config = Path(chosen) if chosen else SYSTEM_CONFIG
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    sessions = data.get("sessions")
    value = sessions.get("socket", "") if isinstance(sessions, dict) else ""
    return value if isinstance(value, str) else ""


def option_value(args: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in ``args`` (read before argparse)."""
    for n, arg in enumerate(args):
        if arg == name and n + 1 < len(args):
            return args[n + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def build() -> str:
    """What identifies the code installed: every module's path, size and modification time.
    The server says which build it loaded; a client of another build runs alone."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def request(args: list[str]) -> bytes:
    """The request: what the child needs to be this ``cmw``."""
    body = json.dumps(
        {"argv": args, "env": dict(os.environ), "cwd": os.getcwd(), "build": build()}
    ).encode()
    return HEADER.pack(len(body)) + body


def through_server(path: str, args: list[str]) -> int | None:
    """Run ``cmw args`` as a child of the server on this terminal; its exit status, or
    ``None`` when the server cannot take it (then ``cmw`` runs here)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(CONNECT_SECONDS)
    try:
        conn.connect(path)
        socket.send_fds(conn, [request(args)], [0, 1, 2])
        reply = read_line(conn)
    except OSError:
        conn.close()
        return None
    if not reply.startswith(b"PID "):  # another build, or refused: run alone
        conn.close()
        return None
    child = int(reply[4:])
    try:  # the child starts only on this word: a client that gave up and runs alone gets none
        conn.sendall(b"GO\n")
    except OSError:
        conn.close()
        return None
    conn.settimeout(None)
    saved = _terminal_state()
    for sig in (signal.SIGWINCH, signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, _frame: _pass_on(child, number))
    try:
        ended = read_line(conn)
    except OSError:
        ended = b""
    finally:
        conn.close()
    if ended.startswith(b"EXIT "):
        return int(ended[5:])
    _restore(saved)  # the child ended without saying so: killed, or out of memory
    print("cmw: the session ended unexpectedly", file=sys.stderr)
    return 1


def read_line(conn: socket.socket) -> bytes:
    """One line from the other side (EOF: b"")."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            return b""
        data += chunk
    return data.strip()


def _pass_on(child: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, number)


def _terminal_state() -> list[Any] | None:
    try:
        return termios.tcgetattr(0)
    except termios.error:
        return None


def _restore(saved: list[Any] | None) -> None:
    if saved is not None:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
    sys.stdout.write("\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1003l\x1b[?1006l")
    sys.stdout.flush()
