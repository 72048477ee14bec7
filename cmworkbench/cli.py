"""``cmw``: the command line. It parses arguments and calls the same services as the TUI.

Exit codes, one rule for every command (one line on stderr says what and where):

* 0: done;
* 2: the person asked for something that cannot be done: bad usage, bad input, a value out of
  range, a refusal (scope, role), a record that is not there or not theirs;
* 1: the machine failed them: a full or failing disk, a database that does not answer, any
  fault of the program itself (``CMW_DEBUG=1`` shows the traceback for IT).

What the CLI prints is text only: control characters in stored data (an escape sequence in a
customer's name) are printed as ``\\uXXXX`` escapes, never sent to the terminal
(:mod:`cmworkbench.domain.text`).

Who acts: ``--as LOGIN`` scopes a command to that staff member, exactly as in the TUI.
Without it, a command runs as the service account that owns the database, i.e. as the
branch's IT administrator (only that account can open the database file).

Imports are lazy: ``cmw tui`` must paint its first screen fast, so nothing heavy is imported
before the command that needs it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from cmworkbench import clock, i18n
from cmworkbench.config import ROLES, ConfigError, Settings, load_settings
from cmworkbench.db.migrate import ForeignDatabase

if TYPE_CHECKING:
    from cmworkbench.services.core.output import OutputFile
    from cmworkbench.services.workbench import Workbench

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input on the command line (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        from cmworkbench.domain.text import printable

        line = f"{self.prog}: {i18n.t('cli.error', message=message)}"
        print(printable(line), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _global_options(suppress: bool) -> _Parser:
    """--db, --config, --now: accepted before or after the command."""
    default = argparse.SUPPRESS if suppress else None
    parent = _Parser(add_help=False)
    parent.add_argument("--db", metavar="URL", default=default, help=i18n.t("cli.help.db"))
    parent.add_argument("--config", metavar="PATH", default=default, help=i18n.t("cli.help.config"))
    parent.add_argument("--now", metavar="ISO", default=default, help=i18n.t("cli.help.now"))
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The whole ``cmw`` command line."""
    t = i18n.t
    common = _global_options(suppress=True)
    parser = _Parser(prog="cmw", description=t("cli.description"), parents=[_global_options(False)])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    commands.add_parser("init", parents=[common], help=t("cli.help.init"))

    demo = commands.add_parser("demo", parents=[common], help=t("cli.help.demo"))
    demo.add_argument(
        "--customers", type=_positive_int, default=2000, metavar="N", help=t("cli.help.customers")
    )
    demo.add_argument("--seed", type=int, default=1, metavar="S", help=t("cli.help.seed"))

    tui = commands.add_parser("tui", parents=[common], help=t("cli.help.tui"))
    tui.add_argument("--as", type=as_login, dest="login", metavar="LOGIN", help=t("cli.help.as"))

    search = commands.add_parser("search", parents=[common], help=t("cli.help.search"))
    search.add_argument("query", metavar="QUERY", help=t("cli.help.query"))
    search.add_argument("--as", type=as_login, dest="login", metavar="LOGIN", help=t("cli.help.as"))
    search.add_argument("--limit", type=_positive_int, default=20, metavar="N")
    search.add_argument("--json", action="store_true", help=t("cli.help.json"))

    commands.add_parser("reindex", parents=[common], help=t("cli.help.reindex"))

    tasks = commands.add_parser("tasks", parents=[common], help=t("cli.help.tasks"))
    tasks.add_argument("--as", type=as_login, dest="login", metavar="LOGIN", help=t("cli.help.as"))
    tasks.add_argument("--date", type=_date, metavar="D", help=t("cli.help.date"))
    tasks.add_argument("--json", action="store_true", help=t("cli.help.json"))

    generate = commands.add_parser("generate", parents=[common], help=t("cli.help.generate"))
    generate.add_argument("--date", type=_date, metavar="D", help=t("cli.help.date"))

    staff = commands.add_parser("staff", parents=[common], help=t("cli.help.staff"))
    staff_commands = staff.add_subparsers(dest="staff_command", metavar="COMMAND", required=True)
    staff_list = staff_commands.add_parser("list", parents=[common], help=t("cli.help.staff_list"))
    staff_list.add_argument("--role", choices=ROLES, metavar="ROLE", help=", ".join(ROLES))
    staff_list.add_argument(
        "--as", type=as_login, dest="login", metavar="LOGIN", help=t("cli.help.as")
    )
    staff_list.add_argument("--json", action="store_true", help=t("cli.help.json"))
    grant = staff_commands.add_parser("grant-key", parents=[common], help=t("cli.help.grant_key"))
    grant.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    grant.add_argument("keyfile", metavar="KEYFILE", help=t("cli.help.keyfile"))
    revoke = staff_commands.add_parser(
        "revoke-key", parents=[common], help=t("cli.help.revoke_key")
    )
    revoke.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    revoke.add_argument("--fingerprint", metavar="F", help=t("cli.help.fingerprint"))
    for keys in (grant, revoke):
        keys.add_argument("--authorized-keys", metavar="PATH", help=t("cli.help.authorized_keys"))

    from cmworkbench import cli_staff

    cli_staff.add_staff_parsers(staff_commands, common)
    cli_staff.add_parsers(commands, common)

    from cmworkbench import cli_audit, cli_backup, cli_complaints, cli_jobs, cli_notifications
    from cmworkbench.cli_visits import add_parsers

    add_parsers(commands, common)
    cli_complaints.add_parsers(commands, common)
    cli_jobs.add_parsers(commands, common)
    cli_backup.add_parsers(commands, common)
    cli_audit.add_parsers(commands, common)
    cli_notifications.add_parsers(commands, common)
    from cmworkbench import cli_export

    cli_export.add_parsers(commands, common)
    from cmworkbench import cli_report

    cli_report.add_parsers(commands, common)
    from cmworkbench import cli_import

    cli_import.add_parsers(commands, common)
    return parser


MAX_NUMBER = 10**9
"""The largest count or id the command line takes (larger is a typing error, and would not
fit the database's integers)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(i18n.t("cli.not_a_number", value=text)) from None
    if not 0 <= value <= MAX_NUMBER:
        raise argparse.ArgumentTypeError(
            i18n.t("cli.number_out_of_range", value=text, most=MAX_NUMBER)
        )
    return value


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(i18n.t("cli.bad_date", value=text)) from None
    try:
        return clock.check_year(day, text)
    except clock.ClockError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def as_login(text: str) -> str:
    """``--as LOGIN``: a login, never empty (an empty one must not fall back to the service
    account or to the operating system's user)."""
    login = text.strip()
    if not login:
        raise argparse.ArgumentTypeError(i18n.t("cli.empty_login"))
    return login


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``cmw``; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    _early_language(args_list)
    args = build_parser().parse_args(args_list)
    command = args.command or "tui"
    with _printable_output(command != "tui"):
        try:
            settings = _settings(args)
            handler = (
                _HANDLERS[command] if command != "staff" else _staff_handler(args.staff_command)
            )
            return handler(args, settings)
        except (UsageError, ConfigError, clock.ClockError, ForeignDatabase) as exc:
            return _fail(str(exc), EXIT_USAGE)
        except KeyboardInterrupt:
            return _fail(i18n.t("cli.interrupted"), EXIT_FAILURE)
        except BrokenPipeError:  # output piped into `head` and the like: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
        except Exception as exc:  # the last line of defence: no traceback reaches a user
            if os.environ.get("CMW_DEBUG"):
                raise
            return _fail(*failure(exc, settings_url(args)))


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


def settings_url(args: argparse.Namespace) -> str | None:
    """The database named on the command line or in the environment, password hidden."""
    url = getattr(args, "db", None) or os.environ.get("CMW_DATABASE_URL")
    if not url:
        return None
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return None


@contextmanager
def _printable_output(enabled: bool) -> Iterator[None]:
    """While the command runs, stdout and stderr print control characters as escapes (never
    raw to the terminal); the TUI keeps the real streams."""
    if not enabled:
        yield
        return
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Printable(out), _Printable(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


class _Printable:
    """A text stream that writes :func:`~cmworkbench.domain.text.printable` text."""

    def __init__(self, stream: Any) -> None:
        from cmworkbench.domain.text import printable

        self._stream, self._printable = stream, printable

    def write(self, text: str) -> int:
        return int(self._stream.write(self._printable(text)))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding …
        return getattr(self._stream, name)


def _fail(message: str, code: int) -> int:
    print(f"cmw: {i18n.t('cli.error', message=message)}", file=sys.stderr)
    return code


def _early_language(argv: list[str]) -> None:
    """Pick the language before argparse builds its help texts."""
    language = os.environ.get("CMW_LANGUAGE")
    if language is None:
        try:
            language = load_settings(_argv_value(argv, "--config")).general.language
        except ConfigError:
            language = None  # reported properly once the arguments are parsed
    if language in i18n.CATALOGS:
        i18n.set_language(language)


def _argv_value(argv: list[str], option: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    i18n.set_language(settings.general.language)
    clock.set_timezone(settings.calendar.timezone)
    now = args.now or os.environ.get("CMW_NOW")
    if now:
        clock.set_now(now)
    if args.db:
        from dataclasses import replace

        settings = replace(settings, general=replace(settings.general, database_url=args.db))
    return settings


def _init(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.db.engine import make_engine, restrict_file_mode
    from cmworkbench.db.migrate import upgrade
    from cmworkbench.db.search import drain

    engine = make_engine(settings.database_url)
    before, after = upgrade(engine)
    restrict_file_mode(engine)
    with engine.begin() as conn:  # customers an upgrade queued for the search index
        drain(conn, limit=None)
    if before is None:
        print(i18n.t("cli.init.created", after=after, url=engine.url.render_as_string()))
    elif before != after:
        print(i18n.t("cli.init.upgraded", before=before, after=after))
    else:
        print(i18n.t("cli.init.current", after=after))
    return EXIT_OK


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.ops.demo import build_demo
    from cmworkbench.services.workbench import open_engine

    engine = open_engine(settings)
    progress = _progress_printer() if sys.stderr.isatty() else None
    summary = build_demo(
        engine=engine,
        customers=args.customers,
        seed=args.seed,
        progress=progress,
        settings=settings,
    )
    if progress:
        print(file=sys.stderr)
    print(
        i18n.t(
            "cli.demo.done",
            customers=summary.customers,
            staff=summary.staff,
            seconds=summary.seconds,
        )
    )
    return EXIT_OK


def _progress_printer() -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        print(f"\r{done:>10,} / {total:,}  {percent:3d}%", end="", file=sys.stderr, flush=True)

    return show


def _workbench(settings: Settings, login: str | None) -> Workbench:
    """Open the database and log ``login`` in (for commands run as a staff member)."""
    from cmworkbench.services.workbench import login as log_in
    from cmworkbench.services.workbench import open_engine

    engine = open_engine(settings)
    assert login is not None
    return log_in(engine, settings, login)


def output_target(
    args: argparse.Namespace, settings: Settings, *, inputs: Sequence[Any] = ()
) -> OutputFile:
    """``args.output`` checked as an output file of this command (``--force`` if it has one):
    never the live database, one of ``inputs``, a database or a dump; see
    :mod:`cmworkbench.services.core.output`."""
    from cmworkbench.db.engine import database_path
    from cmworkbench.services.core.output import output_file

    return output_file(
        args.output,
        force=getattr(args, "force", False),
        database=database_path(settings.database_url),
        inputs=inputs,
    )


def _tui(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.workbench import open_engine, tui_login, tui_login_direct

    chosen = getattr(args, "login", None)
    login_name, explicit = chosen or getpass.getuser(), bool(chosen)
    workbench = tui_login_direct(settings, login_name, explicit=explicit)
    if workbench is None:  # PostgreSQL (or an unusual SQLite URL): through an engine
        workbench = tui_login(open_engine(settings), settings, login_name, explicit=explicit)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # `ssh host COMMAND` runs the forced `cmw tui` without a terminal; Textual would then
        # spin on the ended input for ever, even after the connection is gone.
        raise UsageError(i18n.t("cli.tui.no_terminal"))
    from cmworkbench.app import make_app

    leader = _BackgroundLeader(workbench, settings) if settings.scheduler.in_tui else None
    try:
        make_app(workbench).run()
    finally:
        if leader is not None:
            leader.stop()
    return EXIT_OK


class _BackgroundLeader:
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
        self._stopped.set()
        if self._leader is not None:
            self._leader.stop()


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.customers.search import search_customers
    from cmworkbench.services.workbench import admin_actor

    workbench = _workbench(settings, args.login) if args.login else admin_actor(settings)
    hits = workbench.run(search_customers, query=args.query, limit=args.limit)
    if args.json:
        rows = [
            {
                "customer_no": h.customer_no,
                "name": h.name,
                "class": h.cls,
                "tier": h.tier,
                "kind": h.kind,
                "owner": h.owner_login,
                "owner_name": h.owner_name,
                "phone": h.phone,
                "matched": h.matched,
                "rank": h.rank,
            }
            for h in hits
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    _print_table(
        [
            [
                h.customer_no,
                h.name,
                h.cls or i18n.label("tier", h.tier),
                h.owner_name or "",
                h.phone,
            ]
            for h in hits
        ],
        [
            "cli.header.customer_no",
            "cli.header.name",
            "cli.header.class",
            "cli.header.owner",
            "cli.header.phone",
        ],
    )
    return EXIT_OK


def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.db.search import rebuild
    from cmworkbench.services.workbench import open_engine

    progress = _progress_printer() if sys.stderr.isatty() else None
    total = rebuild(open_engine(settings), progress=progress)
    if progress:
        print(file=sys.stderr)
    print(i18n.t("cli.reindex.done", customers=total))
    return EXIT_OK


def _tasks(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.tasks.today import today_list

    login = args.login or getpass.getuser()
    rows = _workbench(settings, login).run(today_list, settings=settings, day=args.date)
    if args.json:
        out = [
            {
                "id": r.task_id,
                "kind": r.kind,
                "customer_no": r.customer_no,
                "customer": r.customer_name,
                "due": r.due_at.astimezone(clock.branch_tz()).isoformat(timespec="minutes"),
                "priority": r.score,
                "reason": r.reason,
                "phone": r.phone,
                "covered_for": r.covered_for,
            }
            for r in rows
        ]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    _print_table(
        [
            [
                r.score,
                i18n.label("task_kind", r.kind),
                r.customer_no or "",
                r.customer_name or "",
                r.due_at.astimezone(clock.branch_tz()).strftime("%m-%d %H:%M"),
                r.reason,
            ]
            for r in rows
        ],
        [
            "cli.header.priority",
            "cli.header.kind",
            "cli.header.customer_no",
            "cli.header.name",
            "cli.header.due",
            "cli.header.reason",
        ],
    )
    return EXIT_OK


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.tasks.generate import generate
    from cmworkbench.services.workbench import open_engine

    with open_engine(settings).begin() as conn:
        result = generate(conn, settings, args.date)
    print(
        i18n.t(
            "cli.generate.done",
            day=result.day,
            created=result.total_created,
            closed=result.closed,
            seconds=result.seconds,
        )
    )
    for kind, n in sorted(result.created.items()):
        print(f"  {kind}: {n}")
    return EXIT_OK


def _staff_list(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.staff.directory import list_staff
    from cmworkbench.services.workbench import admin_session

    if args.login:
        rows = _workbench(settings, args.login).staff.directory(role=args.role)
    else:
        with admin_session(settings) as session:
            rows = list_staff(session=session, actor=None, role=args.role)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    _print_table(
        [[r.login, r.name, i18n.label("role", r.role), r.team or ""] for r in rows],
        ["cli.header.login", "cli.header.name", "cli.header.role", "cli.header.team"],
    )
    return EXIT_OK


def _staff_keys(args: argparse.Namespace, settings: Settings) -> int:
    """``staff grant-key`` / ``staff revoke-key``: change the keys, rewrite authorized_keys."""
    from pathlib import Path

    from cmworkbench.services.staff import ssh_keys
    from cmworkbench.services.workbench import admin_session

    path = authorized_keys_path(args, settings, inputs=[getattr(args, "keyfile", None)])
    if args.staff_command == "grant-key":
        try:
            text = Path(args.keyfile).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                i18n.t("cli.keys.unreadable", path=args.keyfile, message=exc)
            ) from None
    cmw_path = _cmw_path()
    with admin_session(settings) as session:
        if args.staff_command == "grant-key":
            changed = [ssh_keys.grant_key(session=session, login=args.login, public_key_text=text)]
        else:
            changed = ssh_keys.revoke_key(
                session=session, login=args.login, fingerprint=args.fingerprint
            )
        active = ssh_keys.active_keys(session)
        ssh_keys.write_authorized_keys(path, ssh_keys.authorized_keys_text(active, cmw_path))
    done = "cli.keys.granted" if args.staff_command == "grant-key" else "cli.keys.revoked"
    for key in changed:
        print(i18n.t(done, login=key.login, fingerprint=key.fingerprint))
    if not changed:
        print(i18n.t("cli.keys.none_revoked", login=args.login))
    print(i18n.t("cli.keys.written", path=path, count=len(active)))
    return EXIT_OK


def authorized_keys_path(
    args: argparse.Namespace, settings: Settings, *, inputs: Sequence[Any] = ()
) -> Path:
    """``--authorized-keys`` (default ``~/.ssh/authorized_keys`` of the service account),
    checked as every output is: never the database, a key file read, a database or a dump.
    It is rewritten whole each time (:mod:`cmworkbench.services.staff.ssh_keys`)."""
    import pwd

    from cmworkbench.db.engine import database_path
    from cmworkbench.services.core.output import output_file

    home = pwd.getpwuid(os.getuid()).pw_dir
    path = Path(args.authorized_keys or os.path.join(home, ".ssh", "authorized_keys")).absolute()
    if path.parent.is_dir():  # a missing folder is made 0700 by the writer
        database = database_path(settings.database_url)
        output_file(path, force=True, database=database, inputs=inputs)
    return path


def _cmw_path() -> str:
    """The absolute path of the running ``cmw``: what the forced command runs."""
    import shutil
    from pathlib import Path

    argv0 = Path(sys.argv[0])
    if argv0.name == "cmw" and argv0.is_file():
        return str(argv0.resolve())
    found = shutil.which("cmw")
    if found is None:
        raise UsageError(i18n.t("cli.keys.no_cmw"))
    return str(Path(found).resolve())


def _visits(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_visits import visits_command

    return visits_command(args, settings)


def _onsite(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_visits import onsite_command

    return onsite_command(args, settings)


def _complaints(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_complaints import complaints_command

    return complaints_command(args, settings)


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_jobs import scheduler_command

    return scheduler_command(args, settings)


def _jobs(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_jobs import jobs_command

    return jobs_command(args, settings)


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_audit import audit_command

    return audit_command(args, settings)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_backup import backup_command

    return backup_command(args, settings)


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_backup import restore_command

    return restore_command(args, settings)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_export import export_command

    return export_command(args, settings)


def _notifications(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_notifications import notifications_command

    return notifications_command(args, settings)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_import import import_command

    return import_command(args, settings)


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_report import report_command

    return report_command(args, settings)


def _print_table(rows: list[list[Any]], header_keys: list[str]) -> None:
    from tabulate import tabulate

    print(tabulate(rows, headers=[i18n.t(k) for k in header_keys], tablefmt="simple"))


def _staff_handler(name: str) -> Callable[[argparse.Namespace, Settings], int]:
    from cmworkbench.cli_staff import staff_command

    return _STAFF.get(name, staff_command)


def _team(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_staff import team_command

    return team_command(args, settings)


def _handover(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.cli_staff import handover_command

    return handover_command(args, settings)


_STAFF: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "list": _staff_list,
    "grant-key": _staff_keys,
    "revoke-key": _staff_keys,
}

_HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "init": _init,
    "demo": _demo,
    "tui": _tui,
    "search": _search,
    "reindex": _reindex,
    "generate": _generate,
    "tasks": _tasks,
    "visits": _visits,
    "onsite": _onsite,
    "complaints": _complaints,
    "scheduler": _scheduler,
    "jobs": _jobs,
    "backup": _backup,
    "restore": _restore,
    "notifications": _notifications,
    "audit": _audit,
    "team": _team,
    "handover": _handover,
    "export": _export,
    "report": _report,
    "import": _import,
}
