"""``cmw handover``: customers move from one manager to another (客户移交) with their open
tasks, planned visits and open complaints, and a report says what moved.

The branch head's or the administrator's (without ``--as``: the service account). The rules
are :mod:`cmworkbench.services.customers.handover`'s; ``--dry-run`` reports and moves nothing;
``-o FILE.csv`` writes the report's lines for Excel (checked before anything moves).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    output_target,
    print_json,
    print_table,
    run_as,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.core.output import OutputFile
    from cmworkbench.services.customers.schemas import HandoverReport

COLUMNS = ("customer_no", "name", "cls", "area", "tasks", "visits", "complaints")
"""The report's columns, one line per customer (``cli.handover.col.<name>``)."""


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``handover``."""
    t = i18n.t
    move = commands.add_parser("handover", parents=[common], help=t("cli.help.handover"))
    move.add_argument("--from", dest="giver", required=True, metavar="LOGIN")
    move.add_argument("--to", dest="receiver", required=True, metavar="LOGIN")
    for option, dest, metavar in (
        ("--class", "classes", "CLS"),
        ("--area", "areas", "AREA"),
        ("--customer", "customers", "NO"),
    ):
        move.add_argument(
            option,
            dest=dest,
            action="append",
            default=[],
            metavar=metavar,
            help=t(f"cli.help.handover_{option.removeprefix('--')}"),
        )
    move.add_argument("--dry-run", action="store_true", help=t("cli.help.handover_dry_run"))
    move.add_argument("-o", "--output", metavar="FILE.csv", help=t("cli.help.handover_output"))
    move.add_argument("--force", action="store_true", help=t("cli.help.force_output"))
    add_as(move, dest="login_as")
    add_json(move)
    return {"handover": _handover}


def _handover(args: argparse.Namespace, settings: Settings) -> int:
    """Move the customers and their open work; print the handover report."""
    from cmworkbench.services.customers.handover import handover

    target = output_target(args, settings) if args.output else None  # before anything moves
    report = run_as(
        settings,
        args.login_as,
        handover,
        grades=settings.grades,
        from_login=args.giver,
        to_login=args.receiver,
        classes=args.classes,
        areas=args.areas,
        customer_nos=args.customers,
        dry_run=args.dry_run,
        settings=settings,
    )
    if target is not None:
        _write_csv(target, report)
    if args.json:
        print_json(asdict(report))  # `at`: common.iso_time
        return EXIT_OK
    t = i18n.t
    print(
        t(
            "cli.handover.done" if report.done else "cli.handover.dry_run",
            count=report.customers,
            giver=f"{report.from_name} ({report.from_login})",
            receiver=f"{report.to_name} ({report.to_login})",
        )
    )
    classes = ", ".join(f"{cls} {n}" for cls, n in report.by_class.items())
    print(
        t(
            "cli.handover.summary",
            classes=classes,
            tasks=report.tasks,
            visits=report.visits,
            complaints=report.complaints,
            backups=report.backups_changed,
        )
    )
    if args.output:
        print(t("cli.handover.written", path=args.output, count=len(report.lines)))
    else:
        print_table(_lines(report), [f"cli.handover.col.{c}" for c in COLUMNS])
    return EXIT_OK


def _lines(report: HandoverReport) -> list[list[Any]]:
    return [
        [x.customer_no, x.name, x.cls or "", x.area or "", x.tasks, x.visits, x.complaints]
        for x in report.lines
    ]


def _write_csv(target: OutputFile, report: HandoverReport) -> None:
    """The handover report as CSV (the one spreadsheet writer: BOM for Excel, 0600, no
    formulas)."""
    from cmworkbench.services.core.spreadsheet import write_csv

    write_csv(target, [i18n.t(f"cli.handover.col.{c}") for c in COLUMNS], _lines(report))
