"""``cmw pool``: the branch pool, customers without an owner, listed and allocated.

``list`` shows them with their keeper and open work; ``assign`` gives chosen ones to a manager
by hand; ``allocate --by area|industry|class`` gives the whole pool by rule (``--dry-run``:
the plan only): supervisors, the branch head and the admin (``--as``; without it the service
account). ``claim`` is a manager's: a pooled customer they served, named exactly. The rules
are :mod:`cmworkbench.services.customers.pool`'s.
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
    iso_time,
    own_workbench,
    positive_int,
    print_json,
    print_table,
    run_as,
    table_time,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import PoolMove

LIST_COLUMNS = ("customer_no", "name", "cls", "area", "industry", "since", "keeper", "tasks")
MOVE_COLUMNS = ("customer_no", "name", "cls", "area", "industry", "to", "reason")


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``pool list|assign|allocate``."""
    t = i18n.t
    pool = commands.add_parser("pool", parents=[common], help=t("cli.help.pool"))
    actions = pool.add_subparsers(dest="pool_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help=t("cli.help.pool_list"))
    listing.add_argument("--limit", type=positive_int, metavar="N")
    assign = actions.add_parser("assign", parents=[common], help=t("cli.help.pool_assign"))
    assign.add_argument("customers", nargs="+", metavar="CUSTOMER_NO")
    assign.add_argument("--to", dest="receiver", required=True, metavar="LOGIN")
    allocate = actions.add_parser("allocate", parents=[common], help=t("cli.help.pool_allocate"))
    allocate.add_argument("--by", required=True, choices=("area", "industry", "class"))
    allocate.add_argument("--dry-run", action="store_true", help=t("cli.help.pool_dry_run"))
    claim = actions.add_parser("claim", parents=[common], help=t("cli.help.pool_claim"))
    claim.add_argument("key", metavar="CUSTOMER_NO|ID|PHONE")
    for parser in (listing, assign, allocate, claim):
        add_as(parser, dest="login_as")
        add_json(parser)
    return {"pool": _pool}


def _pool(args: argparse.Namespace, settings: Settings) -> int:
    if args.pool_action == "list":
        return _list(args, settings)
    if args.pool_action == "claim":
        return _claim(args, settings)
    from cmworkbench.services.customers.pool import allocate, assign

    if args.pool_action == "assign":
        moves = run_as(
            settings,
            args.login_as,
            assign,
            settings=settings,
            customer_nos=args.customers,
            to_login=args.receiver,
        )
        done = True
    else:
        moves = run_as(
            settings, args.login_as, allocate, settings=settings, by=args.by, dry_run=args.dry_run
        )
        done = not args.dry_run
    if args.json:
        print_json({"done": done, "moves": [asdict(m) for m in moves]})
        return EXIT_OK
    given = sum(1 for m in moves if m.to_login)
    key = "cli.pool.done" if done else "cli.pool.dry_run"
    print(i18n.t(key, given=given, left=len(moves) - given))
    print_table(_move_lines(moves), [f"cli.pool.col.{c}" for c in MOVE_COLUMNS])
    return EXIT_OK


def _claim(args: argparse.Namespace, settings: Settings) -> int:
    """A manager's claim: their own book, so ``--as`` or the operating system's user."""
    from cmworkbench.services.customers.pool import claim

    bench = own_workbench(settings, args.login_as)
    move = bench.run(claim, settings=settings, key=args.key)
    if args.json:
        print_json(asdict(move))
    else:
        print(i18n.t("cli.pool.claimed", customer_no=move.customer_no, name=move.name))
    return EXIT_OK


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.customers.pool import pool_list

    found = run_as(settings, args.login_as, pool_list, settings=settings, limit=args.limit)
    if args.json:
        print_json([{**asdict(c), "since": iso_time(c.since)} for c in found])
        return EXIT_OK
    print(i18n.t("cli.pool.count", count=len(found)))
    lines = [
        [
            c.customer_no,
            c.name,
            c.cls or c.tier or "",
            c.area or "",
            c.industry or "",
            table_time(c.since),
            c.keeper or i18n.t("cli.pool.no_keeper"),
            c.open_tasks,
        ]
        for c in found
    ]
    print_table(lines, [f"cli.pool.col.{c}" for c in LIST_COLUMNS])
    return EXIT_OK


def _move_lines(moves: list[PoolMove]) -> list[list[Any]]:
    return [
        [
            m.customer_no,
            m.name,
            m.cls or m.tier or "",
            m.area or "",
            m.industry or "",
            f"{m.to_name} ({m.to_login})" if m.to_login else "—",
            m.reason,
        ]
        for m in moves
    ]
