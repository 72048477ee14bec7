"""``cmw promises``: promises with a clock (承诺) — make one, log an incoming call or message
(the same-day reply), urgent business of a government-important customer, a promised
activation at risk; list, keep, cancel; and the sweep once.

Deadlines print in branch time; ``--json`` gives each as ``promise_due`` (ISO with offset),
as ``cmw complaints`` gives a ticket's ``*_due``.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    branch_instant,
    date_arg,
    iso_time,
    own_workbench,
    positive_int,
    print_json,
    print_table,
    sweep_once,
    table_time,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.promises.schemas import PromiseOut


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``promises`` with its subcommands."""
    t = i18n.t
    group = commands.add_parser("promises", parents=[common], help=t("cli.help.promises"))
    subs = group.add_subparsers(dest="promises_command", metavar="COMMAND", required=True)

    new = subs.add_parser("new", parents=[common], help=t("cli.help.promises_new"))
    new.add_argument("--customer", dest="customer_no", metavar="NO", required=True)
    new.add_argument("--kind", required=True, metavar="K", help=t("cli.help.promises_kind"))
    new.add_argument("--what", required=True, metavar="TEXT", help=t("cli.help.promises_what"))
    new.add_argument("--due", metavar="WHEN", help=t("cli.help.promises_due"))

    incoming = subs.add_parser("incoming", parents=[common], help=t("cli.help.promises_incoming"))
    incoming.add_argument("customer_no", metavar="CUSTOMER_NO", help=t("cli.help.customer_no"))
    incoming.add_argument("--note", required=True, metavar="TEXT")
    incoming.add_argument("--channel", choices=("call", "message"), default="call")

    urgent = subs.add_parser("urgent", parents=[common], help=t("cli.help.promises_urgent"))
    urgent.add_argument("customer_no", metavar="CUSTOMER_NO", help=t("cli.help.customer_no"))
    urgent.add_argument("--goods", action="store_true", help=t("cli.help.promises_goods"))
    urgent.add_argument("--what", required=True, metavar="TEXT")

    risk = subs.add_parser("at-risk", parents=[common], help=t("cli.help.promises_at_risk"))
    risk.add_argument("customer_no", metavar="CUSTOMER_NO", help=t("cli.help.customer_no"))
    risk.add_argument("--product", required=True, metavar="NAME")
    risk.add_argument("--promised", type=date_arg, metavar="YYYY-MM-DD")

    listing = subs.add_parser("list", parents=[common], help=t("cli.help.promises_list"))
    listing.add_argument("--breached", action="store_true", help=t("cli.help.promises_breached"))
    listing.add_argument("--team", action="store_true", help=t("cli.help.promises_team"))
    listing.add_argument("--customer", dest="customer_no", metavar="NO")
    listing.add_argument("--all", action="store_true", help=t("cli.help.promises_all"))

    keep = subs.add_parser("keep", parents=[common], help=t("cli.help.promises_keep"))
    keep.add_argument("--note", metavar="TEXT")
    cancel = subs.add_parser("cancel", parents=[common], help=t("cli.help.promises_cancel"))
    cancel.add_argument("--reason", required=True, metavar="TEXT")
    for sub in (keep, cancel):
        sub.add_argument("promise_id", type=positive_int, metavar="ID")
    sweep = subs.add_parser("sweep", parents=[common], help=t("cli.help.promises_sweep"))

    for sub in (new, incoming, urgent, risk, listing, keep, cancel):
        add_as(sub)
    for sub in (new, incoming, urgent, risk, listing, keep, cancel, sweep):
        add_json(sub)
    return {"promises": _promises}


def _promises(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw promises …``: one handler for every subcommand."""
    command = args.promises_command
    if command == "sweep":
        return _sweep(args, settings)
    bench = own_workbench(settings, args.login).promises
    if command == "list":
        rows = bench.list(
            breached=args.breached, team=args.team, customer_no=args.customer_no, owed=not args.all
        )
        _print_rows(rows, args.json)
        return EXIT_OK
    if command == "new":
        due = _when(args.due) if args.due else None
        out = bench.new(args.customer_no, args.kind, args.what, due)
    elif command == "incoming":
        out = bench.incoming(args.customer_no, args.note, args.channel)
    elif command == "urgent":
        kind = "government_urgent_goods" if args.goods else "government_urgent_card"
        out = bench.urgent(args.customer_no, kind, args.what)
    elif command == "at-risk":
        out = bench.at_risk(args.customer_no, args.product, args.promised)
    elif command == "keep":
        out = bench.keep(args.promise_id, args.note)
    else:
        out = bench.cancel(args.promise_id, args.reason)
    _print_rows([out], args.json, one=True)
    return EXIT_OK


def _when(text: str) -> datetime:
    """A branch-local ``YYYY-MM-DD HH:MM`` (parsed once the branch's time zone is set)."""
    return branch_instant(text, "cli.promises.bad_due")


def _sweep(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw promises sweep``: the sweep once, as the workbench itself."""
    from cmworkbench.services.promises.sweep import sweep

    return sweep_once(args, settings, sweep, "cli.promises.swept")


def _json(p: PromiseOut) -> dict[str, object]:
    return {
        "id": p.id,
        "customer_no": p.customer_no,
        "customer_name": p.customer_name,
        "owner": p.owner_login,
        "owner_name": p.owner_name,
        "kind": p.kind,
        "what": p.what,
        "made_at": iso_time(p.made_at),
        "promise_due": iso_time(p.promise_due),
        "state": p.state,
        "done_at": iso_time(p.done_at),
        "cancel_reason": p.cancel_reason,
        "ticket_no": p.ticket_no,
        "version": p.version,
    }


def _print_rows(rows: list[PromiseOut], as_json: bool, one: bool = False) -> None:
    if as_json:
        print_json(_json(rows[0]) if one else [_json(p) for p in rows])
        return
    print_table(
        [
            [
                p.id,
                f"{p.customer_no} {p.customer_name}",
                p.owner_name,
                i18n.label("promise_kind", p.kind),
                p.what,
                table_time(p.promise_due),
                i18n.label("promise_state", p.state),
            ]
            for p in rows
        ],
        [
            "cli.promises.col.id",
            "cli.promises.col.customer",
            "cli.promises.col.owner",
            "cli.promises.col.kind",
            "cli.promises.col.what",
            "cli.promises.col.due",
            "cli.promises.col.state",
        ],
    )
