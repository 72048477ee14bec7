"""``cmw tui``: the workbench itself (the default command), and its background scheduler.

The login is checked before the app is imported, through the database driver itself where it
can be (:func:`~cmworkbench.services.workbench.tui_login_direct`), so the first screen paints
before SQLAlchemy loads; the process's scheduler candidate starts a moment after that.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from cmworkbench import i18n
from cmworkbench.cli.common import EXIT_OK, Commands, Handler, Parser, UsageError, add_as
from cmworkbench.config import Settings


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``tui``."""
    tui = commands.add_parser("tui", parents=[common], help=i18n.t("cli.help.tui"))
    add_as(tui)
    return {"tui": _tui}


def _tui(args: argparse.Namespace, settings: Settings) -> int:
    """Log in (``--as``, else the OS login) and run the app until it quits."""
    from cmworkbench.services.workbench import open_engine, tui_login, tui_login_direct

    chosen = getattr(args, "login", None)  # `cmw` alone has no `--as`
    login_name, explicit = chosen or getpass.getuser(), bool(chosen)
    workbench = tui_login_direct(settings, login_name, explicit=explicit)
    if workbench is None:  # PostgreSQL (or an unusual SQLite URL): through an engine
        workbench = tui_login(open_engine(settings), settings, login_name, explicit=explicit)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # `ssh host COMMAND` runs the forced `cmw tui` without a terminal; Textual would then
        # spin on the ended input for ever, even after the connection is gone.
        raise UsageError(i18n.t("cli.tui.no_terminal"))
    from cmworkbench.app import make_app

    leader = BackgroundLeader(workbench, settings) if settings.scheduler.in_tui else None
    try:
        make_app(workbench).run()
    finally:
        if leader is not None:
            leader.stop()
    return EXIT_OK


class BackgroundLeader:
    """Start this process's scheduler candidate a moment after the first paint (its imports
    would otherwise delay it), in a daemon thread; :meth:`stop` gives the lease up."""

    DELAY_SECONDS = 2.0

    def __init__(self, workbench: Any, settings: Settings) -> None:
        import threading

        self._leader: Any = None
        self._stopped = threading.Event()
        self._workbench, self._settings = workbench, settings
        threading.Thread(target=self._start, name="cmw-leader-start", daemon=True).start()

    def _start(self) -> None:
        if self._stopped.wait(self.DELAY_SECONDS):
            return
        from cmworkbench.jobs.leader import Leader

        leader = Leader(self._workbench.engine, self._settings)
        leader.start()
        self._leader = leader
        if self._stopped.is_set():  # the app quit while the leader was starting
            leader.stop()

    def stop(self) -> None:
        """Stop the candidate (or keep it from starting), giving up the lease if held."""
        self._stopped.set()
        if self._leader is not None:
            self._leader.stop()
