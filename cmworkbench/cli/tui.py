"""``cmw tui``: the workbench itself (the default command).

The login is checked before the app is imported, through the database driver itself where it
can be (:func:`~cmworkbench.services.workbench.tui_login_direct`), so the first screen paints
before SQLAlchemy loads. With ``scheduler.in_tui`` the app owns a scheduler candidate
(:mod:`cmworkbench.jobs.candidate`): it starts after the first paint and stops with the app.
"""

from __future__ import annotations

import argparse
import getpass
import sys

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
    from cmworkbench.jobs.candidate import SessionCandidate

    candidate = SessionCandidate(workbench, settings) if settings.scheduler.in_tui else None
    make_app(workbench, candidate).run()
    return EXIT_OK
