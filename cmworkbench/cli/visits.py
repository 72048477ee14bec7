"""``cmw visits export`` and ``cmw onsite record|summary``: a week's visit plan as iCalendar
for phone calendars, and on-site service days (驻点) at group customers."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cmworkbench import clock, i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    output_target,
    own_workbench,
    positive_int,
    print_json,
    print_table,
    time_arg,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.visits.schemas import OnsiteFigures

COUNT_OPTIONS = (
    ("--consultations-personal", "consultations_personal"),
    ("--consultations-group", "consultations_group"),
    ("--transactions-personal", "transactions_personal"),
    ("--transactions-group", "transactions_group"),
)
"""The on-site day's counts: option and the service's field name."""


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``visits`` and ``onsite`` with their subcommands."""
    t = i18n.t
    visits = commands.add_parser("visits", parents=[common], help=t("cli.help.visits"))
    visit_commands = visits.add_subparsers(dest="visits_command", metavar="COMMAND", required=True)
    export = visit_commands.add_parser("export", parents=[common], help=t("cli.help.visits_export"))
    export.add_argument("--week", required=True, metavar="YYYY-Www", help=t("cli.help.week"))
    export.add_argument("-o", "--output", default="-", metavar="PATH", help=t("cli.help.output"))
    export.add_argument("--force", action="store_true", help=t("cli.help.force_output"))

    onsite = commands.add_parser("onsite", parents=[common], help=t("cli.help.onsite"))
    onsite_commands = onsite.add_subparsers(dest="onsite_command", metavar="COMMAND", required=True)
    summary = onsite_commands.add_parser(
        "summary", parents=[common], help=t("cli.help.onsite_summary")
    )
    summary.add_argument("--month", required=True, metavar="YYYY-MM", help=t("cli.help.month"))
    add_json(summary)
    for sub in (export, summary):
        add_as(sub)
        sub.add_argument("--owner", metavar="LOGIN", help=t("cli.help.owner"))

    record = onsite_commands.add_parser(
        "record", parents=[common], help=t("cli.help.onsite_record")
    )
    record.add_argument("customer_no", metavar="CUSTOMER_NO", help=t("cli.help.customer_no"))
    record.add_argument("--place", required=True, metavar="P", help=t("cli.help.place"))
    record.add_argument(
        "--from",
        dest="start",
        required=True,
        type=time_arg,
        metavar="HH:MM",
        help=t("cli.help.from"),
    )
    record.add_argument(
        "--to", dest="end", required=True, type=time_arg, metavar="HH:MM", help=t("cli.help.to")
    )
    for option, name in COUNT_OPTIONS:
        record.add_argument(
            option,
            dest=name,
            type=positive_int,
            default=0,
            metavar="N",
            help=t(f"cli.help.{name}"),
        )
    record.add_argument("--note", metavar="TEXT", help=t("cli.help.note"))
    add_as(record)
    return {"visits": _visits_export, "onsite": _onsite}


def _onsite(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw onsite summary`` or ``cmw onsite record``."""
    if args.onsite_command == "record":
        return _onsite_record(args, settings)
    return _onsite_summary(args, settings)


def _visits_export(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw visits export``: the week's visit plan as an .ics file (``-o -``: stdout)."""
    from cmworkbench.services.core.output import atomic_write

    target = output_target(args, settings) if args.output != "-" else None
    workbench = own_workbench(settings, args.login)
    data = workbench.visits.ical(args.week, owner_login=args.owner)
    if target is None:
        sys.stdout.write(data.decode("utf-8"))  # through the CLI's printable stdout
        sys.stdout.flush()
        return EXIT_OK
    with atomic_write(target) as out:
        out.write(data)
    print(i18n.t("cli.visits.exported", n=data.count(b"BEGIN:VEVENT"), path=args.output))
    return EXIT_OK


def _onsite_record(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw onsite record``: today's on-site day at a group customer (logged the same day)."""
    workbench = own_workbench(settings, args.login)
    counts = {name: getattr(args, name) for _, name in COUNT_OPTIONS}
    day = clock.today()
    onsite_id = workbench.visits.onsite_record(
        args.customer_no, day, args.place, args.start, args.end, note=args.note, **counts
    )
    print(
        i18n.t(
            "cli.onsite.recorded",
            id=onsite_id,
            customer_no=args.customer_no,
            day=day,
            start=f"{args.start:%H:%M}",
            end=f"{args.end:%H:%M}",
        )
    )
    return EXIT_OK


def _onsite_summary(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw onsite summary``: the monthly on-site report, per manager and customer."""
    workbench = own_workbench(settings, args.login)
    rows = workbench.visits.onsite_summary(args.month, owner_login=args.owner)
    if args.json:

        def numbers(f: OnsiteFigures) -> dict[str, Any]:
            return {**asdict(f), "hours": round(f.hours, 2)}

        print_json(
            [
                {
                    "login": r.login,
                    "name": r.name,
                    "month": r.month,
                    "totals": numbers(r.totals),
                    "customers": [
                        {
                            "customer_no": c.customer_no,
                            "name": c.customer_name,
                            **numbers(c.figures),
                        }
                        for c in r.customers
                    ],
                }
                for r in rows
            ]
        )
        return EXIT_OK

    def figures(f: OnsiteFigures) -> list[Any]:
        counts = [f.consultations_personal, f.consultations_group, f.transactions_personal]
        return [f.days, round(f.hours, 1), *counts, f.transactions_group]

    table: list[list[Any]] = []
    for r in rows:
        table.append([r.login, r.name, i18n.t("cli.onsite.total"), *figures(r.totals)])
        table += [
            ["", "", f"{c.customer_no} {c.customer_name}", *figures(c.figures)] for c in r.customers
        ]
    print_table(
        table,
        [
            "cli.header.login",
            "cli.header.name",
            "cli.header.customer",
            "cli.header.onsite_days",
            "cli.header.onsite_hours",
            "cli.header.consult_personal",
            "cli.header.consult_group",
            "cli.header.trans_personal",
            "cli.header.trans_group",
        ],
    )
    return EXIT_OK
