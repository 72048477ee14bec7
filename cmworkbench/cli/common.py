"""What every ``cmw`` command shares, and the only module the command modules import of
each other: exit codes, the parser, argument types, who acts, how output looks, and the one
line a failure becomes.

Exit codes, one rule for every command (one line on stderr says what and where):

* 0: done;
* 2: the person asked for something that cannot be done: bad usage, bad input, a value out of
  range, a refusal (scope, role), a record that is not there or not theirs;
* 1: the machine failed them: a full or failing disk, a database that does not answer, any
  fault of the program itself (``CMW_DEBUG=1`` shows the traceback for IT).

What the CLI prints is text only: control characters in stored data (an escape sequence in a
customer's name) are printed as ``\\uXXXX`` escapes, never sent to the terminal
(:mod:`cmworkbench.domain.text`, :func:`printable_output`).

Times look the same in every command, in the branch's time zone: ``2026-11-23T08:30:00+08:00``
in JSON (:func:`iso_time`), ``2026-11-23 08:30`` in tables and messages (:func:`table_time`).

Who acts: ``--as LOGIN`` scopes a command to that staff member, exactly as in the TUI.
Without it, a command runs as the service account that owns the database, i.e. as the
branch's IT administrator (only that account can open the database file), or, for a person's
own lists (tasks, notifications, plans), as the operating system's user.

Nothing here imports a service, SQLAlchemy or Textual at import time: ``cmw tui`` builds its
parser from this module before its first paint.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeAlias, TypeVar

from cmworkbench import clock, i18n
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.core.output import OutputFile
    from cmworkbench.services.workbench import Workbench

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

T = TypeVar("T")

Handler: TypeAlias = Callable[[argparse.Namespace, Settings], int]
"""A command: the parsed arguments and the settings in, the exit code out."""
Commands: TypeAlias = "argparse._SubParsersAction[Parser]"
"""What a command module adds its commands to (``parser.add_subparsers()``)."""


class CommandGroup(Protocol):
    """A command module: it adds its commands to ``commands`` (each with ``common``, the
    global options, as a parent) and returns the handler of each by name."""

    def register(self, commands: Commands, common: Parser) -> dict[str, Handler]: ...


class UsageError(Exception):
    """Bad input on the command line (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        from cmworkbench.domain.text import printable

        line = f"{self.prog}: {i18n.t('cli.error', message=message)}"
        print(printable(line), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


# -- argument types and common options --------------------------------------------------------

MAX_NUMBER = 10**9
"""The largest count or id the command line takes (larger is a typing error, and would not
fit the database's integers)."""


def positive_int(text: str) -> int:
    """A count or an id: 0 to :data:`MAX_NUMBER`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(i18n.t("cli.not_a_number", value=text)) from None
    if not 0 <= value <= MAX_NUMBER:
        raise argparse.ArgumentTypeError(
            i18n.t("cli.number_out_of_range", value=text, most=MAX_NUMBER)
        )
    return value


def date_arg(text: str) -> date:
    """A day as ``YYYY-MM-DD``, in the years the calendar knows."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(i18n.t("cli.bad_date", value=text)) from None
    try:
        return clock.check_year(day, text)
    except clock.ClockError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def time_arg(text: str) -> time:
    """A time of day as ``HH:MM``."""
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(i18n.t("cli.bad_time", value=text)) from None


def as_login(text: str) -> str:
    """``--as LOGIN``: a login, never empty (an empty one must not fall back to the service
    account or to the operating system's user)."""
    login = text.strip()
    if not login:
        raise argparse.ArgumentTypeError(i18n.t("cli.empty_login"))
    return login


def add_as(parser: argparse.ArgumentParser, dest: str = "login") -> None:
    """``--as LOGIN``: whom the command runs as (in ``args.<dest>``)."""
    parser.add_argument(
        "--as", type=as_login, dest=dest, metavar="LOGIN", help=i18n.t("cli.help.as")
    )


def add_json(parser: argparse.ArgumentParser) -> None:
    """``--json``: print JSON instead of a table."""
    parser.add_argument("--json", action="store_true", help=i18n.t("cli.help.json"))


# -- who acts ---------------------------------------------------------------------------------


def workbench_for(settings: Settings, login: str) -> Workbench:
    """Open the database and log ``login`` in (refused if unknown or deactivated)."""
    from cmworkbench.services.workbench import login as log_in
    from cmworkbench.services.workbench import open_engine

    return log_in(open_engine(settings), settings, login)


def own_workbench(settings: Settings, login: str | None) -> Workbench:
    """``--as LOGIN``, else the operating system's user: a person's own lists."""
    return workbench_for(settings, login or getpass.getuser())


def branch_workbench(settings: Settings, login: str | None) -> Workbench:
    """``--as LOGIN``, else the service account (the whole branch, as the admin sees it)."""
    from cmworkbench.services.workbench import admin_actor

    return workbench_for(settings, login) if login else admin_actor(settings)


def run_as(settings: Settings, login: str | None, service: Callable[..., T], /, **kwargs: Any) -> T:
    """``service(session=…, actor=…, **kwargs)`` in one unit of work as ``login`` (``--as``),
    else as the service account itself (``actor=None``): the administration commands."""
    if login:
        return workbench_for(settings, login).run(service, **kwargs)
    from cmworkbench.services.workbench import admin_session

    with admin_session(settings) as session:
        return service(session=session, actor=None, **kwargs)


def branch_instant(text: str, error_key: str) -> datetime:
    """A branch-local ``YYYY-MM-DD HH:MM`` as an instant; else a usage error (``error_key``
    with the ``value``)."""
    try:
        return clock.parse_instant(text)
    except clock.ClockError:
        raise UsageError(i18n.t(error_key, value=text)) from None


def sweep_once(args: argparse.Namespace, settings: Settings, sweep: Any, swept_key: str) -> int:
    """``cmw complaints sweep`` / ``cmw promises sweep``: ``sweep`` once, as the workbench
    itself (no ``--as``), its counts as JSON or in the line ``swept_key``."""
    from dataclasses import asdict

    from cmworkbench.services.workbench import admin_session

    with admin_session(settings) as session:
        out = sweep(session=session, settings=settings)
    if args.json:
        print_json(asdict(out))
    else:
        print(i18n.t(swept_key, **asdict(out)))
    return EXIT_OK


# -- output -----------------------------------------------------------------------------------


def iso_time(value: datetime | None) -> str | None:
    """``value`` for JSON: branch-local ISO 8601 to the second, ``2026-11-23T08:30:00+08:00``."""
    if value is None:
        return None
    return value.astimezone(clock.branch_tz()).isoformat(timespec="seconds")


def table_time(value: datetime | None) -> str:
    """``value`` for a table or a message: branch-local ``2026-11-23 08:30`` (empty: none)."""
    if value is None:
        return ""
    return value.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def json_text(data: Any) -> str:
    """``data`` as indented JSON, non-ASCII as it is, times as :func:`iso_time`."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value)


def print_json(data: Any) -> None:
    """Print :func:`json_text` of ``data``."""
    print(json_text(data))


def table(
    rows: Sequence[Sequence[Any]], header_keys: Sequence[str], *, numbers: bool = True
) -> str:
    """``rows`` as a plain-text table under the translated ``header_keys`` (tabulate measures
    CJK text with wcwidth, so the columns line up). ``numbers=False``: every cell is shown as
    it is given, numbers not realigned or reformatted (figures already formatted)."""
    from tabulate import tabulate

    headers = [i18n.t(key) for key in header_keys]
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=not numbers)


def print_table(rows: Sequence[Sequence[Any]], header_keys: Sequence[str]) -> None:
    """Print :func:`table` of ``rows``."""
    print(table(rows, header_keys))


def progress_printer() -> Callable[[int, int], None] | None:
    """``progress(done, total)`` as a counting line on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        print(f"\r{done:>10,} / {total:,}  {percent:3d}%", end="", file=sys.stderr, flush=True)

    return show


# -- files a command writes -------------------------------------------------------------------


def output_target(
    args: argparse.Namespace, settings: Settings, *, inputs: Sequence[Any] = ()
) -> OutputFile:
    """``args.output`` checked as an output file of this command (``--force`` if it has one):
    never the live database, one of ``inputs``, a database or a dump; see
    :mod:`cmworkbench.services.core.output`."""
    from cmworkbench.services.core.output import output_file
    from cmworkbench.services.ops.database import live_database_file

    return output_file(
        args.output,
        force=getattr(args, "force", False),
        database=live_database_file(settings.database_url),
        inputs=inputs,
    )


def authorized_keys_path(
    args: argparse.Namespace, settings: Settings, *, inputs: Sequence[Any] = ()
) -> Path:
    """``--authorized-keys`` (default ``~/.ssh/authorized_keys`` of the service account),
    checked as every output is: never the database, a key file read, a database or a dump.
    It is rewritten whole each time (:mod:`cmworkbench.services.staff.ssh_keys`)."""
    import pwd

    from cmworkbench.services.core.output import output_file
    from cmworkbench.services.ops.database import live_database_file

    home = pwd.getpwuid(os.getuid()).pw_dir
    path = Path(args.authorized_keys or os.path.join(home, ".ssh", "authorized_keys")).absolute()
    if path.parent.is_dir():  # a missing folder is made 0700 by the writer
        database = live_database_file(settings.database_url)
        output_file(path, force=True, database=database, inputs=inputs)
    return path


# -- failures ---------------------------------------------------------------------------------


def failure(exc: Exception, database: str | None) -> tuple[str, int]:
    """The one line and the exit code for ``exc`` (see the module doc's rule)."""
    from cmworkbench.domain.text import UnsafeText
    from cmworkbench.services.core.errors import MachineFailure, ServiceError

    if isinstance(exc, MachineFailure):
        return str(exc), EXIT_FAILURE
    if isinstance(exc, ServiceError | UnsafeText):
        return str(exc), EXIT_USAGE
    if isinstance(exc, OverflowError):  # a date or a number beyond what the database holds
        return i18n.t("cli.out_of_range"), EXIT_USAGE
    if type(exc).__name__ in ("OperationalError", "InterfaceError", "DatabaseError"):
        lines = [s.strip() for s in str(getattr(exc, "orig", None) or exc).splitlines()]
        reason = next((line for line in lines if line), "")
        where = database or "-"
        return i18n.t("cli.database_down", database=where, reason=reason), EXIT_FAILURE
    if isinstance(exc, OSError):
        from cmworkbench.services.core.output import failure as write_failure

        problem = write_failure(exc, Path(exc.filename or "-"))
        return str(problem), EXIT_FAILURE if isinstance(problem, MachineFailure) else EXIT_USAGE
    return f"{type(exc).__name__}: {exc}".splitlines()[0], EXIT_FAILURE


def database_for_people(args: argparse.Namespace) -> str | None:
    """The database named on the command line or in the environment, password hidden."""
    from cmworkbench.services.ops.database import url_for_people

    return url_for_people(getattr(args, "db", None) or os.environ.get("CMW_DATABASE_URL"))


def fail(message: str, code: int) -> int:
    """Say ``message`` in one line on stderr; return ``code``."""
    print(f"cmw: {i18n.t('cli.error', message=message)}", file=sys.stderr)
    return code


@contextmanager
def printable_output(enabled: bool) -> Iterator[None]:
    """While the command runs, stdout and stderr print control characters as escapes (never
    raw to the terminal); the TUI keeps the real streams."""
    if not enabled:
        yield
        return
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Printable(out), Printable(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


class Printable:
    """A text stream that writes :func:`~cmworkbench.domain.text.printable` text."""

    def __init__(self, stream: Any) -> None:
        from cmworkbench.domain.text import printable

        self._stream, self._printable = stream, printable

    def write(self, text: str) -> int:
        """Write ``text`` with its control characters escaped."""
        return int(self._stream.write(self._printable(text)))

    def writelines(self, lines: Any) -> None:
        """Write each line as :meth:`write` does."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding …
        return getattr(self._stream, name)


def add_day_command(commands: Commands, common: Parser, name: str) -> None:
    """A command about one person's day: ``--as LOGIN``, ``--date D``, ``--json`` (``tasks``,
    ``today``)."""
    t = i18n.t
    command = commands.add_parser(name, parents=[common], help=t(f"cli.help.{name}"))
    add_as(command)
    command.add_argument("--date", type=date_arg, metavar="D", help=t("cli.help.date"))
    add_json(command)
