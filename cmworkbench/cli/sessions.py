"""``cmw sessions serve``: the session server, one process that loads the workbench once and
forks a child for each ``cmw tui`` (see :mod:`cmworkbench.launcher`, the client side).

Why: fifty sessions on one server each loading Textual, SQLAlchemy, the models, the services
and the screens hold about 80 MiB of private memory each. Loaded once here and frozen
(``gc.freeze``: the collector then leaves those objects', and so their pages', alone), a
forked child shares them with every other child: a session costs about half as much
(``bench/sessions.py`` measures it).

The server is single-threaded and opens no database before it forks: each child opens its
own, as ``cmw tui`` does. A child takes the client's terminal (its standard input, output and
error, received with ``SCM_RIGHTS``), environment, working folder and arguments, tells the
client its process id, runs the command line with them
(:func:`cmworkbench.launcher.run_here`), and tells the client its exit status. When the
client goes (the SSH connection dropped), the child hangs up. The server's own end
(``systemctl stop``) does not end the sessions: each child is a session of its own
(``setsid``), and the unit's ``KillMode=process`` leaves them running.

A client of another build (``pip install`` of a new release without restarting the server)
is told so and runs ``cmw`` itself.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from cmworkbench import i18n
from cmworkbench.cli.common import EXIT_OK, Commands, Handler, Parser, UsageError
from cmworkbench.config import Settings

PRELOAD = (
    "textual.app",
    "textual.widgets",
    "cmworkbench.app",
    "cmworkbench.screens.today",
    "cmworkbench.screens.customers",
    "cmworkbench.screens.customer360",
    "cmworkbench.screens.visits",
    "cmworkbench.screens.complaints",
    "cmworkbench.screens.dashboard",
    "cmworkbench.screens.pipeline",
    "cmworkbench.services.workbench",
    "cmworkbench.services.tasks.facade",
    "cmworkbench.services.customers.facade",
    "cmworkbench.services.complaints.facade",
    "cmworkbench.services.visits.facade",
    "cmworkbench.services.reports.facade",
    "cmworkbench.jobs.candidate",
    "cmworkbench.jobs.leader",
)
"""What every session loads; imported once by the server, shared by its children."""
MAX_REQUEST = 1 << 20


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``sessions``."""
    sessions = commands.add_parser("sessions", parents=[common], help=i18n.t("cli.help.sessions"))
    verbs = sessions.add_subparsers(dest="verb", required=True, parser_class=Parser)
    verbs.add_parser("serve", parents=[common], help=i18n.t("cli.help.sessions_serve"))
    return {"sessions": _serve}


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Listen on ``[sessions] socket`` until SIGTERM; fork a child per client."""
    path = settings.sessions.socket
    if not path:
        raise UsageError(i18n.t("cli.sessions.no_socket"))
    listener = _listen(Path(path))
    build = preload()
    stopping = threading.Event()

    def stop(*_: object) -> None:
        stopping.set()
        listener.close()  # accept() then fails: the loop ends

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGCHLD, _reap)
    print(i18n.t("cli.sessions.serving", socket=path), flush=True)
    try:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                if stopping.is_set():
                    break
                continue
            with conn:
                _take(conn, build, listener)
    finally:
        Path(path).unlink(missing_ok=True)
    return EXIT_OK


def _listen(path: Path) -> socket.socket:
    """The server's socket, reachable by the service account only (folder 0700, socket 0600);
    a socket left by a server that died is replaced, one that answers is not."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink()  # nobody listens: a stale socket
        else:
            raise UsageError(i18n.t("cli.sessions.running", socket=path))
        finally:
            probe.close()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    listener.listen(64)
    return listener


def preload() -> str:
    """Import what every session needs, set up the models' mappers, and freeze it all; the
    build of the code loaded (:func:`cmworkbench.launcher.build`)."""
    import importlib

    from cmworkbench.launcher import build
    from cmworkbench.services.workbench import load_models

    for module in PRELOAD:
        importlib.import_module(module)
    load_models()
    gc.collect()
    gc.freeze()
    return build()


def _reap(*_: object) -> None:
    """Collect the children that ended (their exit status went to their client)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _take(conn: socket.socket, build: str, listener: socket.socket) -> None:
    """Read one client's request and fork its child (a bad request is refused; the client
    then runs alone)."""
    conn.settimeout(5)
    try:
        data, fds, _flags, _addr = socket.recv_fds(conn, MAX_REQUEST, 3)
    except OSError:
        return
    try:
        request = _request(conn, data)
        if request is None or len(fds) != 3 or request.get("build") != build:
            conn.sendall(b"NO\n")
            return
        pid = os.fork()
        if pid == 0:
            listener.close()
            _child(conn, fds, request)  # never returns
    except OSError:
        pass
    finally:
        for fd in fds:
            os.close(fd)


def _request(conn: socket.socket, data: bytes) -> dict[str, Any] | None:
    """The request's JSON (its length first); ``None`` when malformed."""
    from cmworkbench.launcher import HEADER

    if len(data) < HEADER.size:
        return None
    (length,) = HEADER.unpack(data[: HEADER.size])
    body = data[HEADER.size :]
    while len(body) < length <= MAX_REQUEST:
        chunk = conn.recv(length - len(body))
        if not chunk:
            return None
        body += chunk
    try:
        request = json.loads(body)
    except ValueError:
        return None
    ok = (
        isinstance(request, dict)
        and isinstance(request.get("argv"), list)
        and all(isinstance(a, str) for a in request["argv"])
        and isinstance(request.get("env"), dict)
        and isinstance(request.get("cwd"), str)
    )
    return request if ok else None


def _child(conn: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
    """Become the client's ``cmw``: its terminal, environment, folder and arguments (once the
    client says go: it waits a moment only, then runs alone)."""
    from cmworkbench.launcher import read_line

    code = 1
    try:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _standard_streams()
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        os.chdir(request["cwd"])
        conn.sendall(f"PID {os.getpid()}\n".encode())
        if read_line(conn) != b"GO":  # the client gave up waiting and runs alone
            os._exit(1)
        conn.settimeout(None)
        threading.Thread(target=_hang_up_with, args=(conn,), daemon=True).start()
        from cmworkbench.launcher import run_here

        code = run_here(request["argv"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # nothing of the server's may run on in a child
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            conn.sendall(f"EXIT {code}\n".encode())
        except OSError:
            pass
        os._exit(code)


def _standard_streams() -> None:
    """Python's standard streams anew on the client's terminal, in UTF-8 (the server's were
    made for its own, e.g. the journal)."""
    streams = {
        "stdin": open(0, encoding="utf-8", closefd=False),  # noqa: SIM115
        "stdout": open(1, "w", encoding="utf-8", closefd=False),  # noqa: SIM115
        "stderr": open(2, "w", encoding="utf-8", closefd=False),  # noqa: SIM115
    }
    for name, stream in streams.items():
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)  # what Textual's driver reads and writes


def _hang_up_with(conn: socket.socket) -> None:
    """The client never writes after its request: the end of its connection means it is gone
    (the SSH connection dropped, or it was killed): hang up, as a terminal would."""
    try:
        while conn.recv(64):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGHUP)
