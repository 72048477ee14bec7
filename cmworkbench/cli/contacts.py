"""``cmw log call|visit CUSTOMER_NO --outcome O``: log a contact with a customer, and what it
was for (``--for TASK_ID``, repeatable: those tasks close when the contact was held), as the
Today screen and the customer 360 view do. ``--at`` logs one that happened earlier (at most
a week ago): ``14:30`` (today), ``11-23 14:30``, ``2026-11-23T14:30``.

``cmw directory confirm CUSTOMER_NO``: a group's internal staff directory (通讯录) was gone
through with it today (:mod:`cmworkbench.services.customers.group_directory`)."""

from __future__ import annotations

import argparse

from cmworkbench import clock, i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    UsageError,
    add_as,
    add_json,
    own_workbench,
    positive_int,
    print_json,
)
from cmworkbench.config import Settings
from cmworkbench.domain.enums import RETENTION_RESULTS

KINDS = ("call", "visit", "sms")


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``log``."""
    t = i18n.t
    log = commands.add_parser("log", parents=[common], help=t("cli.help.log"))
    log.add_argument("kind", choices=KINDS, help=t("cli.help.log_kind"))
    log.add_argument("customer_no", metavar="CUSTOMER_NO", help=t("cli.help.customer_no"))
    log.add_argument("--outcome", required=True, help=t("cli.help.log_outcome"))
    log.add_argument(
        "--for",
        dest="for_tasks",
        type=positive_int,
        action="append",
        default=[],
        metavar="TASK_ID",
        help=t("cli.help.log_for"),
    )
    log.add_argument("--note", help=t("cli.help.log_note"))
    log.add_argument("--at", metavar="TIME", help=t("cli.help.log_at"))
    log.add_argument(
        "--retention",
        choices=RETENTION_RESULTS,
        help=t("cli.help.log_retention"),
    )
    log.add_argument("--purpose", choices=("negotiation",), help=t("cli.help.log_purpose"))
    add_as(log)
    add_json(log)
    directory = commands.add_parser("directory", parents=[common], help=t("cli.help.directory"))
    actions = directory.add_subparsers(dest="directory_action", required=True, metavar="ACTION")
    confirm = actions.add_parser("confirm", parents=[common], help=t("cli.help.directory_confirm"))
    confirm.add_argument("customer_no", metavar="CUSTOMER_NO", help=t("cli.help.customer_no"))
    add_as(confirm)
    return {"log": _log, "directory": _directory}


def _log(args: argparse.Namespace, settings: Settings) -> int:
    """Log the contact; say what it closed."""
    from cmworkbench.domain.calendar import BranchCalendar
    from cmworkbench.domain.when import parse_moment

    at = None
    if args.at is not None:
        calendar = BranchCalendar.from_settings(settings.calendar)
        at = parse_moment(args.at.replace("T", " ", 1), clock.today(), calendar)
        if at is None:
            raise UsageError(i18n.t("cli.log.bad_at", value=args.at))
    logged = own_workbench(settings, args.login).tasks.log_contact(
        args.customer_no,
        args.kind,
        args.outcome,
        args.note,
        for_tasks=args.for_tasks,
        at=at,
        retention=args.retention,
        purpose=args.purpose,
    )
    if args.json:
        print_json(
            {
                "interaction": logged.interaction_id,
                "closed_tasks": list(logged.closed_task_ids),
                "purposes": list(logged.purposes),
            }
        )
        return EXIT_OK
    closed = ", ".join(f"#{task_id}" for task_id in logged.closed_task_ids) or "—"
    print(i18n.t("cli.log.done", id=logged.interaction_id, closed=closed))
    return EXIT_OK


def _directory(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw directory confirm CUSTOMER_NO``: the group's staff directory refreshed now."""
    at = own_workbench(settings, args.login).customers.confirm_directory(args.customer_no)
    local = at.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")
    print(i18n.t("cli.directory.confirmed", customer_no=args.customer_no.strip(), at=local))
    return EXIT_OK
