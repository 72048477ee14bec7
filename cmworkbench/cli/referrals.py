"""``cmw referrals`` and ``cmw leads``: tellers and lobby staff refer, managers convert, the
supervisor sees who brings business (:mod:`cmworkbench.services.pipeline`).

``referrals new`` refers a customer (``--customer NO``) or a prospect (``--name`` with
``--phone`` and/or ``--id-number``) for ``--need`` and ``--product``; ``referrals list`` shows
the actor's (a referrer's own, names masked); ``referrals outcome ID won|lost [--reason]`` is
the manager's word; ``referrals board [--month M]`` counts per referrer, team and manager.
``leads list [--pool]``, ``leads allocate ID… --to LOGIN`` or ``--auto [--dry-run]``, ``leads
contact ID call|visit OUTCOME``, ``leads merge ID --customer NO`` and ``leads drop ID --reason``
work the leads. Every command runs as ``--as LOGIN`` (else the operating system's user).
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
    UsageError,
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
    from cmworkbench.services.pipeline.schemas import (
        LeadMove,
        LeadOut,
        ReferralOut,
        ReferrerLine,
    )

LIST_COLUMNS = (
    "id",
    "at",
    "referrer",
    "customer",
    "name",
    "product",
    "to",
    "due",
    "contacted",
    "state",
)
LEAD_COLUMNS = ("id", "name", "phone", "product", "need", "referrer", "owner", "match", "contacts")
BOARD_COLUMNS = ("who", "referrals", "received", "in_time", "converted", "rate")


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``referrals new|list|outcome|board`` and ``leads list|allocate|contact|merge|drop``."""
    t = i18n.t
    referrals = commands.add_parser("referrals", parents=[common], help=t("cli.help.referrals"))
    actions = referrals.add_subparsers(dest="referral_action", metavar="ACTION", required=True)
    new = actions.add_parser("new", parents=[common], help=t("cli.help.referrals_new"))
    new.add_argument("--customer", metavar="NO", help=t("cli.help.referral_customer"))
    new.add_argument("--name", metavar="NAME", help=t("cli.help.referral_name"))
    new.add_argument("--phone", metavar="PHONE")
    new.add_argument("--id-number", dest="id_number", metavar="ID")
    new.add_argument("--need", required=True, metavar="TEXT", help=t("cli.help.referral_need"))
    new.add_argument("--product", required=True, metavar="CATEGORY")
    listing = actions.add_parser("list", parents=[common], help=t("cli.help.referrals_list"))
    listing.add_argument("--state", choices=("open", "converted", "lost", "lapsed"))
    listing.add_argument("--limit", type=positive_int, metavar="N")
    outcome = actions.add_parser("outcome", parents=[common], help=t("cli.help.referrals_outcome"))
    outcome.add_argument("referral_id", type=positive_int, metavar="ID")
    outcome.add_argument("outcome", choices=("won", "lost"))
    outcome.add_argument("--reason", metavar="TEXT")
    board = actions.add_parser("board", parents=[common], help=t("cli.help.referrals_board"))
    board.add_argument("--month", metavar="YYYY-MM", help=t("cli.help.report_month"))
    for parser in (new, listing, outcome, board):
        add_as(parser, dest="login_as")
        add_json(parser)

    leads = commands.add_parser("leads", parents=[common], help=t("cli.help.leads"))
    lead_actions = leads.add_subparsers(dest="lead_action", metavar="ACTION", required=True)
    lead_list = lead_actions.add_parser("list", parents=[common], help=t("cli.help.leads_list"))
    lead_list.add_argument("--pool", action="store_true", help=t("cli.help.leads_pool"))
    lead_list.add_argument("--status", choices=("open", "merged", "dropped"), default="open")
    allocate = lead_actions.add_parser(
        "allocate", parents=[common], help=t("cli.help.leads_allocate")
    )
    allocate.add_argument("lead_ids", nargs="*", type=positive_int, metavar="ID")
    allocate.add_argument("--to", dest="receiver", metavar="LOGIN")
    allocate.add_argument("--auto", action="store_true", help=t("cli.help.leads_auto"))
    allocate.add_argument("--dry-run", action="store_true", help=t("cli.help.pool_dry_run"))
    contact = lead_actions.add_parser("contact", parents=[common], help=t("cli.help.leads_contact"))
    contact.add_argument("lead_id", type=positive_int, metavar="ID")
    contact.add_argument("kind", choices=("call", "visit"))
    contact.add_argument("outcome", metavar="OUTCOME", help=t("cli.help.leads_outcome"))
    contact.add_argument("--note", metavar="TEXT")
    merge = lead_actions.add_parser("merge", parents=[common], help=t("cli.help.leads_merge"))
    merge.add_argument("lead_id", type=positive_int, metavar="ID")
    merge.add_argument("--customer", required=True, metavar="NO")
    drop = lead_actions.add_parser("drop", parents=[common], help=t("cli.help.leads_drop"))
    drop.add_argument("lead_id", type=positive_int, metavar="ID")
    drop.add_argument("--reason", required=True, metavar="TEXT")
    for parser in (lead_list, allocate, contact, merge, drop):
        add_as(parser, dest="login_as")
        add_json(parser)
    return {"referrals": _referrals, "leads": _leads}


def _referrals(args: argparse.Namespace, settings: Settings) -> int:
    bench = own_workbench(settings, args.login_as)
    action = args.referral_action
    if action == "new":
        made = bench.referrals.new(
            need=args.need,
            product=args.product,
            customer_no=args.customer,
            name=args.name,
            phone_number=args.phone,
            id_number=args.id_number,
        )
        if args.json:
            print_json({**_referral_json(made.referral), "matched": made.matched})
        else:
            print(i18n.t(f"cli.referrals.made.{made.matched}", **_made_fields(made.referral)))
        return EXIT_OK
    if action == "outcome":
        out = bench.referrals.outcome(args.referral_id, args.outcome, args.reason)
        if args.json:
            print_json(_referral_json(out))
        else:
            print(i18n.t(f"cli.referrals.outcome.{out.state}", referral_id=out.id))
        return EXIT_OK
    if action == "board":
        from cmworkbench.services.reports.schemas import month_period

        start, end = month_period(args.month) if args.month else (None, None)
        board = bench.referrals.board(start, end)
        if args.json:
            print_json(asdict(board))
            return EXIT_OK
        print(i18n.t("cli.referrals.board_title", start=board.start, end=board.end))
        for title, lines in (
            ("referrers", board.referrers),
            ("teams", board.teams),
            ("managers", board.managers),
        ):
            print(i18n.t(f"cli.referrals.board.{title}"))
            print_table(
                _board_lines([*lines, board.total]),
                [f"cli.referrals.col.{c}" for c in BOARD_COLUMNS],
            )
        return EXIT_OK
    found = bench.referrals.list(state=args.state, limit=args.limit)
    if args.json:
        print_json([_referral_json(r) for r in found])
        return EXIT_OK
    print(i18n.t("cli.referrals.count", count=len(found)))
    print_table(
        [_referral_line(r) for r in found], [f"cli.referrals.col.{c}" for c in LIST_COLUMNS]
    )
    return EXIT_OK


def _made_fields(r: ReferralOut) -> dict[str, Any]:
    return {
        "referral_id": r.id,
        "name": r.name,
        "to": r.to_name or i18n.t("cli.referrals.pool"),
        "due": table_time(r.contact_due),
    }


def _referral_json(r: ReferralOut) -> dict[str, Any]:
    return {**asdict(r), "contacted_in_time": r.contacted_in_time}


def _referral_line(r: ReferralOut) -> list[Any]:
    return [
        r.id,
        table_time(r.at),
        r.referrer_name,
        r.customer_no or (f"L{r.lead_id}" if r.lead_id else ""),
        r.name,
        i18n.label("product_kind", r.product),
        r.to_name or i18n.t("cli.referrals.pool"),
        table_time(r.contact_due),
        table_time(r.contacted_at),
        i18n.label("referral_state", r.state),
    ]


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _board_lines(lines: list[ReferrerLine]) -> list[list[Any]]:
    return [
        [
            line.name,
            line.referrals,
            line.received,
            line.contacted_in_time,
            line.converted,
            _rate(line.conversion),
        ]
        for line in lines
    ]


def _leads(args: argparse.Namespace, settings: Settings) -> int:
    bench = own_workbench(settings, args.login_as)
    action = args.lead_action
    if action == "allocate":
        if args.auto == bool(args.lead_ids) or (args.lead_ids and not args.receiver):
            raise UsageError(i18n.t("cli.leads.allocate_usage"))
        if args.auto:
            moves = bench.leads.allocate_by_rule(dry_run=args.dry_run)
        else:
            moves = bench.leads.allocate(args.lead_ids, args.receiver)
        return _print_moves(args, moves, done=not (args.auto and args.dry_run))
    if action == "list":
        found = bench.leads.list(pool=args.pool, status=args.status)
        if args.json:
            print_json([asdict(lead) for lead in found])
            return EXIT_OK
        print(i18n.t("cli.leads.count", count=len(found)))
        print_table(
            [_lead_line(lead) for lead in found], [f"cli.leads.col.{c}" for c in LEAD_COLUMNS]
        )
        return EXIT_OK
    if action == "contact":
        out = bench.leads.contact(args.lead_id, args.kind, args.outcome, args.note)
        message = i18n.t("cli.leads.contacted", lead_id=out.id, name=out.name)
    elif action == "merge":
        out = bench.leads.merge(args.lead_id, args.customer)
        message = i18n.t("cli.leads.merged", lead_id=out.id, customer_no=out.customer_no)
    else:
        out = bench.leads.drop(args.lead_id, args.reason)
        message = i18n.t("cli.leads.dropped", lead_id=out.id)
    if args.json:
        print_json(asdict(out))
    else:
        print(message)
    return EXIT_OK


def _print_moves(args: argparse.Namespace, moves: list[LeadMove], *, done: bool) -> int:
    if args.json:
        print_json({"done": done, "moves": [asdict(m) for m in moves]})
        return EXIT_OK
    given = sum(1 for m in moves if m.to_login)
    key = "cli.leads.done" if done else "cli.leads.dry_run"
    print(i18n.t(key, given=given, left=len(moves) - given))
    lines = [
        [m.lead_id, m.name, f"{m.to_name} ({m.to_login})" if m.to_login else "—", m.reason]
        for m in moves
    ]
    print_table(
        lines, ["cli.leads.col.id", "cli.leads.col.name", "cli.pool.col.to", "cli.pool.col.reason"]
    )
    return EXIT_OK


def _lead_line(lead: LeadOut) -> list[Any]:
    match = ""
    if lead.customer_no:
        match = lead.customer_no
    elif lead.match_customer_no:
        match = f"? {lead.match_customer_no} {lead.match_name or ''}".strip()
    return [
        lead.id,
        lead.name,
        lead.phone or lead.id_number,
        i18n.label("product_kind", lead.product) if lead.product else "",
        (lead.need or "").splitlines()[0] if lead.need else "",
        lead.referrer or "",
        lead.owner_name or i18n.t("cli.referrals.pool"),
        match,
        lead.contacts,
    ]
