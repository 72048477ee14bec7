"""``cmw``: the command line. It parses arguments and calls the same services as the TUI.

One module per group of commands, each adding its own parsers and returning its handlers
(``register(commands, common) -> {command: handler}``); :data:`GROUPS` lists them, and
:func:`main` builds the parser from that list and runs the handler of the command given. The
command modules share :mod:`.common` (exit codes, argument types, output, failures) and
nothing of each other; they reach the database through the services only.

Imports are lazy: ``cmw tui`` must paint its first screen fast, so nothing heavy (SQLAlchemy,
Textual, a service) is imported before the command that needs it: each handler imports its
services when it runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace

from cmworkbench import clock, i18n
from cmworkbench.cli import (
    audit,
    calendar,
    complaints,
    contacts,
    credit,
    customers,
    database,
    goals,
    handover,
    imports,
    jobs,
    market,
    notifications,
    opportunities,
    pool,
    promises,
    referrals,
    report,
    sessions,
    staff,
    tasks,
    today,
    tui,
    visits,
)
from cmworkbench.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    CommandGroup,
    Handler,
    Parser,
    UsageError,
    database_for_people,
    fail,
    failure,
    printable_output,
)
from cmworkbench.config import ConfigError, Settings, load_settings
from cmworkbench.domain import vip
from cmworkbench.launcher import option_value

__all__ = ["GROUPS", "build_parser", "main"]

GROUPS: tuple[CommandGroup, ...] = (
    database,
    tui,
    customers,
    tasks,
    today,
    contacts,
    visits,
    complaints,
    promises,
    jobs,
    sessions,
    notifications,
    audit,
    staff,
    market,
    handover,
    pool,
    referrals,
    opportunities,
    goals,
    credit,
    report,
    imports,
    calendar,
)
"""The command modules, in the order ``cmw --help`` lists their commands."""


def _global_options(suppress: bool) -> Parser:
    """--db, --config, --now: accepted before or after the command."""
    default = argparse.SUPPRESS if suppress else None
    parent = Parser(add_help=False)
    parent.add_argument("--db", metavar="URL", default=default, help=i18n.t("cli.help.db"))
    parent.add_argument("--config", metavar="PATH", default=default, help=i18n.t("cli.help.config"))
    parent.add_argument("--now", metavar="ISO", default=default, help=i18n.t("cli.help.now"))
    return parent


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    """The whole ``cmw`` command line, and the handler of each command."""
    common = _global_options(suppress=True)
    parser = Parser(
        prog="cmw", description=i18n.t("cli.description"), parents=[_global_options(False)]
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    handlers: dict[str, Handler] = {}
    for group in GROUPS:
        added = group.register(commands, common)
        assert not added.keys() & handlers.keys(), f"{group}: a command twice"
        handlers.update(added)
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``cmw``; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    _early_language(args_list)
    parser, handlers = build_parser()
    args = parser.parse_args(args_list)
    command = args.command or "tui"
    with printable_output(command != "tui"):
        try:
            settings = _settings(args)
            code = handlers[command](args, settings)
            if command not in ("calendar", "tui"):
                calendar.warn_if_uncovered(settings)
            return code
        except (UsageError, ConfigError, clock.ClockError) as exc:
            return fail(str(exc), EXIT_USAGE)
        except KeyboardInterrupt:
            return fail(i18n.t("cli.interrupted"), EXIT_FAILURE)
        except BrokenPipeError:  # output piped into `head` and the like: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
        except Exception as exc:  # the last line of defence: no traceback reaches a user
            if os.environ.get("CMW_DEBUG"):
                raise
            return fail(*failure(exc, database_for_people(args)))


def _early_language(argv: list[str]) -> None:
    """Pick the language before argparse builds its help texts."""
    language = os.environ.get("CMW_LANGUAGE")
    if language is None:
        try:
            language = load_settings(option_value(argv, "--config")).general.language
        except ConfigError:
            language = None  # reported properly once the arguments are parsed
    if language in i18n.CATALOGS:
        i18n.set_language(language)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    i18n.set_language(settings.general.language)
    clock.set_timezone(settings.calendar.timezone)
    vip.set_tiers(settings.vip.tiers)
    now = args.now or os.environ.get("CMW_NOW")
    if now:
        clock.set_now(now)
    if args.db:
        settings = replace(settings, general=replace(settings.general, database_url=args.db))
    return settings
