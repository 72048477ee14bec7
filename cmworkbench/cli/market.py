"""``cmw market submit|list|ack``: the monthly market report (市场信息报告) a manager submits
to the supervisor, who lists the team's and acknowledges each
(:mod:`cmworkbench.services.staff.market`).

``submit --month YYYY-MM --text T [--group CUSTOMER_NO]…`` (the month reported on, default
last month); ``list [--month YYYY-MM]``: the team's reports (a supervisor) or one's own, with
on time / late / missing / pending; ``ack ID``: the supervisor read it."""

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
    own_workbench,
    positive_int,
    print_json,
    print_table,
    table_time,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.staff.schemas import MarketReportOut


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``market``."""
    t = i18n.t
    market = commands.add_parser("market", parents=[common], help=t("cli.help.market"))
    actions = market.add_subparsers(dest="market_action", required=True, metavar="ACTION")
    submit = actions.add_parser("submit", parents=[common], help=t("cli.help.market_submit"))
    submit.add_argument("--month", metavar="YYYY-MM", help=t("cli.help.market_month"))
    submit.add_argument("--text", required=True, help=t("cli.help.market_text"))
    submit.add_argument(
        "--group",
        dest="groups",
        action="append",
        default=[],
        metavar="CUSTOMER_NO",
        help=t("cli.help.market_group"),
    )
    listing = actions.add_parser("list", parents=[common], help=t("cli.help.market_list"))
    listing.add_argument("--month", metavar="YYYY-MM", help=t("cli.help.market_month"))
    ack = actions.add_parser("ack", parents=[common], help=t("cli.help.market_ack"))
    ack.add_argument("report_id", type=positive_int, metavar="ID", help=t("cli.help.market_id"))
    for sub in (submit, listing, ack):
        add_as(sub)
        add_json(sub)
    return {"market": _market}


def _market(args: argparse.Namespace, settings: Settings) -> int:
    worklog = own_workbench(settings, args.login).worklog
    if args.market_action == "submit":
        _one(args, worklog.market_submit(args.month, args.text, args.groups))
    elif args.market_action == "ack":
        _one(args, worklog.market_ack(args.report_id))
    else:
        rows = worklog.market_list(args.month)
        if args.json:
            print_json([_as_json(r) for r in rows])
        else:
            print_table([_line(r) for r in rows], _HEADER)
    return EXIT_OK


_HEADER = (
    "cli.market.col.id",
    "cli.market.col.month",
    "cli.market.col.name",
    "cli.market.col.state",
    "cli.market.col.submitted",
    "cli.market.col.acknowledged",
    "cli.market.col.groups",
)


def _line(r: MarketReportOut) -> list[Any]:
    return [
        r.id or "—",
        r.month,
        f"{r.login} {r.name}",
        i18n.label("market_state", r.state),
        table_time(r.submitted_at) if r.submitted_at else "—",
        r.acknowledged_by or "—",
        ", ".join(r.groups) or "—",
    ]


def _one(args: argparse.Namespace, report: MarketReportOut) -> None:
    if args.json:
        print_json(_as_json(report))
        return
    print_table([_line(report)], _HEADER)


def _as_json(r: MarketReportOut) -> dict[str, Any]:
    data = asdict(r)
    data["groups"] = list(r.groups)
    data["late"] = r.state == "late"
    return data
